"""The strategy review meeting on a stored strategy: prepare it with proposed decisions, save the
meeting's changes, finalise it; whether an evaluation may still be corrected (the Fortschreibung
made from a finalised review: services/fortschreibung.py). Finalising settles the reviewed version
(`settlement`). Views hand in the rows they loaded; nothing here touches the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from .. import models
from ..charts.common import render
from ..charts.gantt import gantt_chart, gantt_text
from ..charts.radar import describe, radar_chart
from ..documents.review import review_pdf
from ..domain.evaluation_calendar import next_review_due
from ..domain.funding import funding_calls
from ..domain.german import german_date, money
from ..domain.months import Month, format_range, parse_month
from ..domain.review import (
    ReviewDecision,
    propose_decisions,
    reviewed_measures,
)
from ..domain.schedule import analyse
from ..domain.schedule_state import State, schedule_state
from ..domain.strategy import Status, Strategy
from ..domain.verstetigung import STRATEGY, EvaluationRecord, Kind
from ..models import review as rm
from ..models import utcnow
from ..models import verstetigung as vm
from . import verstetigung as records
from . import verstetigung_review
from .maturity import (
    call_measures,
    check_funding,
    default_baseline,
    maturity_for,
    participation,
    radar_series,
)
from .whole_strategy import strategy_to_domain


class ReviewError(ValueError):
    """A review operation that is not possible; the message is German."""


def reviews_of(session: Session, row: models.Strategy) -> list[rm.Review]:
    """The reviews of this strategy version, newest first."""
    return list(
        session.scalars(
            sa.select(rm.Review)
            .where(rm.Review.strategy_id == row.id)
            .order_by(rm.Review.created_at.desc(), rm.Review.id.desc())
        )
    )


def get_review(session: Session, row: models.Strategy, review_id: int) -> rm.Review | None:
    """The review with that id if it belongs to this strategy (another strategy's id gives None)."""
    return session.scalar(
        sa.select(rm.Review)
        .where(rm.Review.id == review_id, rm.Review.strategy_id == row.id)
        .options(selectinload(rm.Review.decisions).selectinload(rm.ReviewDecisionRow.measure))
    )


def open_review(session: Session, row: models.Strategy) -> rm.Review | None:
    """The prepared, not yet finalised review of this strategy, if any."""
    return session.scalar(sa.select(rm.Review).where(rm.Review.strategy_id == row.id, rm.Review.state == rm.PREPARED))


def prepare(session: Session, row: models.Strategy, today: date, by: str) -> rm.Review:
    """A new review with a proposed decision for every measure (taken as the decision until changed)."""
    if open_review(session, row) is not None:
        raise ReviewError("Für diese Version ist bereits ein Strategiereview in Vorbereitung.")
    strategy = strategy_to_domain(row)
    proposals = propose_decisions(strategy, today)
    ids = {m.key: m.id for m in row.measures}
    review = rm.Review(strategy_id=row.id, held_on=today, created_by=by)
    for i, m in enumerate(reviewed_measures(strategy)):
        p = proposals[m.key]
        review.decisions.append(
            rm.ReviewDecisionRow(
                measure_id=ids[m.key],
                position=i,
                proposed=p.decision.value,
                proposal_reason=p.reason,
                decision=p.decision.value,
                note="",
            )
        )
    session.add(review)
    session.flush()
    return review


def save(
    session: Session,
    review: rm.Review,
    *,
    held_on: date | None,
    participants: str,
    minutes: str,
    decisions: dict[int, tuple[ReviewDecision | None, str]],
) -> None:
    """Store the meeting's date, participants, minutes and decisions (decision row id → decision, note).
    Each save is a new version of the review, also when only decisions changed (the edit-conflict check)."""
    if review.finalised:
        raise ReviewError("Das Strategiereview ist abgeschlossen und kann nicht mehr geändert werden.")
    review.held_on = held_on
    review.participants = participants
    review.minutes = minutes
    flag_modified(review, "minutes")
    for d in review.decisions:
        if d.id in decisions:
            decision, note = decisions[d.id]
            d.decision = decision.value if decision is not None else None
            d.note = note
    session.flush()


def missing_for_finalising(review: rm.Review) -> list[str]:
    """What the review still needs before it can be finalised (German, for „Zum Abschließen fehlen …“)."""
    missing = []
    if review.held_on is None:
        missing.append("das Datum der Sitzung")
    if not review.participants.strip():
        missing.append("die Teilnehmenden")
    return missing


@dataclass(frozen=True)
class Settled:
    """What finalising a review does to a measure of the reviewed version."""

    key: str
    title: str
    status: Status
    actual_end: Month | None  # the actual end recorded then (kept, or the review's month)
    end_set: bool  # whether the review's month becomes the actual end


SETTLING = {ReviewDecision.ABGESCHLOSSEN: Status.ABGESCHLOSSEN, ReviewDecision.VERWERFEN: Status.VERWORFEN}


def settlement(review: rm.Review) -> list[Settled]:
    """The measures finalising settles in the reviewed version: decided abgeschlossen → finished (the
    actual end, when none is recorded, is the review's month), decided verwerfen → dropped; a measure
    already in that status is left as it is."""
    month = Month(review.held_on.year, review.held_on.month) if review.held_on else None
    out = []
    for d in review.decisions:
        if d.decision is None or ReviewDecision(d.decision) not in SETTLING:
            continue
        status = SETTLING[ReviewDecision(d.decision)]
        m = d.measure
        recorded = parse_month(m.actual_end)
        finishing = status is Status.ABGESCHLOSSEN and recorded is None
        if m.status == status.value and not finishing:
            continue
        out.append(Settled(m.key, m.title, status, month if finishing else recorded, finishing))
    return out


def finalise(session: Session, review: rm.Review, by: str) -> None:
    """Close the review: its decisions are then what the Fortschreibung takes over, and the reviewed
    version is settled (`settlement`): nothing decided finished or dropped is left open in it; the
    review is recorded as the strategy's process evaluation (the calendar's biennial review)."""
    if review.finalised:
        raise ReviewError("Das Strategiereview ist bereits abgeschlossen.")
    if missing := missing_for_finalising(review):
        raise ReviewError("Zum Abschließen fehlen " + " und ".join(missing) + ".")
    row = review.strategy
    when = german_date(review.held_on)
    for s in settlement(review):
        current = next(m for m in row.measures if m.key == s.key)
        records.record_progress(
            session,
            row,
            s.key,
            status=s.status,
            actual_start=parse_month(current.actual_start),
            actual_end=s.actual_end,
            on=review.held_on,
            by=by,
            note=f"Strategiereview vom {when}: {s.status.value}",
        )
    # the review is the strategy's process evaluation of the calendar (every two years)
    records.save_evaluation(
        session,
        row,
        EvaluationRecord(
            subject=STRATEGY,
            kind=Kind.PROZESS,
            performed=review.held_on,
            due=next_review_due(strategy_to_domain(row), review.held_on),
            by=by,
            notes=f"Strategiereview vom {when}; Teilnehmende: {review.participants.strip()}",
        ),
    )
    review.state = rm.FINALISED
    review.finalised_at = utcnow()
    review.finalised_by = by
    session.flush()


@dataclass(frozen=True)
class DecisionLine:
    """One decision of a review, ready to show or print."""

    id: int
    key: str
    title: str
    proposed: ReviewDecision
    reason: str
    decision: ReviewDecision | None
    note: str

    @property
    def changed(self) -> bool:
        return self.decision is not None and self.decision is not self.proposed


def lines(review: rm.Review) -> list[DecisionLine]:
    return [
        DecisionLine(
            d.id,
            d.measure.key,
            d.measure.title,
            ReviewDecision(d.proposed),
            d.proposal_reason,
            ReviewDecision(d.decision) if d.decision else None,
            d.note,
        )
        for d in review.decisions
    ]


def decided(review: rm.Review) -> dict[str, tuple[ReviewDecision, str]]:
    """Measure key → the review's decision and note (measures without a decision left out)."""
    return {line.key: (line.decision, line.note) for line in lines(review) if line.decision is not None}


def latest_finalised(session: Session, row: models.Strategy) -> rm.Review | None:
    return session.scalar(
        sa.select(rm.Review)
        .where(rm.Review.strategy_id == row.id, rm.Review.state == rm.FINALISED)
        .order_by(rm.Review.finalised_at.desc(), rm.Review.id.desc())
        .limit(1)
    )


# --- evaluations ----------------------------------------------------------------------------


def evaluation_locked(session: Session, ev: vm.Evaluation) -> rm.Review | None:
    """The finalised review that used this evaluation (finalised after it was recorded), or None:
    until then the evaluation may be corrected."""
    return session.scalar(
        sa.select(rm.Review)
        .where(
            rm.Review.strategy_id == ev.strategy_id,
            rm.Review.state == rm.FINALISED,
            rm.Review.finalised_at >= ev.created_at,
        )
        .limit(1)
    )


def correct_evaluation(session: Session, ev: vm.Evaluation, record: EvaluationRecord) -> None:
    """Overwrite an evaluation with corrected values (the audit trail keeps the old ones)."""
    if evaluation_locked(session, ev) is not None:
        raise ReviewError(
            "Diese Evaluation wurde in einem abgeschlossenen Strategiereview verwendet und kann nicht mehr "
            "korrigiert werden."
        )
    records.write_evaluation(ev, record)
    session.flush()


# --- the review pack's pictures and tables -------------------------------------------------------


@dataclass(frozen=True)
class PlanVsActual:
    """A measure's plan against what happened, as of the review."""

    title: str
    planned: str
    actual: str
    state: str
    months_late: int | None  # months behind the plan (overdue, or finished late); None: not measurable


@dataclass(frozen=True)
class FundingStatus:
    call: str
    participation: str
    granted: str
    check: str


@dataclass
class PackExtras:
    """What the review pack shows beyond the Lagebild: Fahrplan and radar (SVG with their texts),
    plan against actual, and the funding calls."""

    fahrplan_svg: bytes | None  # None when not drawn (the page links the cached chart instead)
    fahrplan_text: str
    radar_svg: bytes | None
    radar_text: str
    plan_vs_actual: list[PlanVsActual]
    funding: list[FundingStatus]


def plan_vs_actual(strategy: Strategy, today: date) -> list[PlanVsActual]:
    """Every measure on the roadmap with its months late (overdue for how long, or finished how late)."""
    out = []
    for m in strategy.measures:
        if m.start is None or m.status.value in ("backlog", "verworfen"):
            continue
        st = schedule_state(m, today)
        late = st.months_overdue if st.state.overdue else st.months_late
        if late is None and st.state not in (State.ABGESCHLOSSEN,):
            late = 0
        out.append(
            PlanVsActual(
                m.title,
                format_range(m.start, m.end) or "–",
                format_range(m.actual_start, m.actual_end)
                if m.actual_start
                else (m.actual_end.german() if m.actual_end else "–"),
                st.text,
                late,
            )
        )
    return sorted(out, key=lambda p: -(p.months_late or 0))


def pack_extras(session: Session, row: models.Strategy, today: date, draw: bool = True) -> PackExtras:
    """The extras of the review pack; `draw`: with the charts as SVG (for the PDF)."""
    strategy = strategy_to_domain(row)
    analysis = analyse(strategy)
    title, text = gantt_text(strategy, analysis, today)
    fahrplan = render(gantt_chart(strategy, analysis, today=today), "svg", title, text) if draw else None
    m = maturity_for(session, row)
    series = radar_series(m)
    radar = radar_chart(series, "svg") if m.latest is not None and draw else None
    funding = []
    for call in funding_calls():
        part = participation(m, call)
        if part is None and not call_measures(m, call):
            continue
        base = default_baseline(m, call)
        check = check_funding(m, call, base, m.latest if m.latest is not base else None)
        funding.append(
            FundingStatus(
                call.name,
                part.status.label if part else "keine Angabe",
                money(part.granted) if part and part.granted else "–",
                check.outcome.label,
            )
        )
    radar_text = describe(series) if m.latest is not None else ""
    return PackExtras(fahrplan, text, radar, radar_text, plan_vs_actual(strategy, today), funding)


def review_document(
    session: Session, row: models.Strategy, review: rm.Review, today: date, base_url: str | None = None
) -> bytes:
    """The review pack as of `today` with the review's decisions, as PDF: the one way the app's
    PDF route and `planner review` write it (documents/review.py renders it without Flask)."""
    pack = verstetigung_review.review_pack(session, row, today, current=review)
    extras = pack_extras(session, row, today)
    return review_pdf(row, pack, verstetigung_review.SHOWN, review, lines(review), extras, base_url)
