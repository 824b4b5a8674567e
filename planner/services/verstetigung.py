"""Verstetigung operations on stored strategies: the records (status history, evaluations,
indicators, version history) between the database and the domain, actual progress, the
knowledge base, successions (Fortschreibung) and read-only old versions.

Views hand in the strategy row they loaded through web.access; nothing here touches the request.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session, selectinload

from .. import models
from ..domain.german import berlin_today
from ..domain.months import Month, month_text, parse_month
from ..domain.strategy import Status, Strategy
from ..domain.verstetigung import (
    ANSWER_FIELDS,
    SOFT_CRITERIA,
    STRATEGY,
    TEXT_FIELDS,
    CarryOver,
    Decision,
    EvaluationAnswer,
    EvaluationRecord,
    Indicator,
    IndicatorValue,
    Kind,
    Outcome,
    Resolution,
    ReviewDecision,
    ReviewEntry,
    ReviewRecord,
    Soft,
    StatusChange,
    TrackedStrategy,
    VersionEntry,
)
from ..domain.verstetigung_versions import FortschreibungError
from ..models import review as rm
from ..models import utcnow
from ..models import verstetigung as vm
from .audit import current_actor
from .strategies import ValidationFailed, read_strategy, save_measure

# --- records: database <-> domain ------------------------------------------------------------


def evaluation_to_domain(row: vm.Evaluation, key: str) -> EvaluationRecord:
    """The domain record of an evaluation row; `key` is its measure's key or STRATEGY."""
    return EvaluationRecord(
        subject=key,
        kind=Kind(row.kind),
        performed=row.performed_on,
        due=parse_month(row.due),
        by=row.evaluator or "",
        outcome=Outcome(row.outcome) if row.outcome else None,
        **{f: EvaluationAnswer(getattr(row, f)) if getattr(row, f) else None for f in ANSWER_FIELDS},
        **{f: Soft(getattr(row, f"{f}_rating"), getattr(row, f"{f}_text") or "") for f in SOFT_CRITERIA},
        **{f: getattr(row, f) or "" for f in TEXT_FIELDS},
    )


def write_evaluation(row: vm.Evaluation, r: EvaluationRecord) -> None:
    """Copy a domain record's fields onto an evaluation row (strategy and measure are set by the caller)."""
    row.kind = r.kind.value
    row.due = month_text(r.due)
    row.performed_on = r.performed
    row.evaluator = r.by
    row.outcome = r.outcome.value if r.outcome else None
    for f in ANSWER_FIELDS:
        setattr(row, f, getattr(r, f).value if getattr(r, f) else None)
    for f in SOFT_CRITERIA:
        soft: Soft = getattr(r, f)
        setattr(row, f"{f}_rating", soft.rating)
        setattr(row, f"{f}_text", soft.text)
    for f in TEXT_FIELDS:
        setattr(row, f, getattr(r, f))


def indicator_to_domain(row: vm.Indicator) -> Indicator:
    return Indicator(
        row.name, row.unit or "", row.baseline, row.target, [IndicatorValue(v.measured_on, v.value) for v in row.values]
    )


def verstetigung_fields(row: models.Strategy) -> dict:
    """evaluations, indicators, status history and version history of a row, as keyword arguments of `with_parts`."""
    session = object_session(row)
    if session is None or row.id is None:
        return {
            "evaluations": [],
            "indicators": {},
            "status_history": {},
            "history": [],
            "reviews": [],
            "resolution": None,
        }
    keys = {m.id: m.key for m in row.measures}
    evaluations = session.scalars(
        sa.select(vm.Evaluation)
        .where(vm.Evaluation.strategy_id == row.id)
        .order_by(vm.Evaluation.performed_on, vm.Evaluation.id)
    )
    indicators: dict[str, list[Indicator]] = {}
    changes: dict[str, list[StatusChange]] = {}
    if keys:
        for ind in session.scalars(
            sa.select(vm.Indicator)
            .where(vm.Indicator.measure_id.in_(list(keys)))
            .options(selectinload(vm.Indicator.values))
            .order_by(vm.Indicator.position, vm.Indicator.id)
        ):
            indicators.setdefault(keys[ind.measure_id], []).append(indicator_to_domain(ind))
        for c in session.scalars(
            sa.select(vm.StatusChange)
            .where(vm.StatusChange.measure_id.in_(list(keys)))
            .order_by(vm.StatusChange.changed_on, vm.StatusChange.id)
        ):
            changes.setdefault(keys[c.measure_id], []).append(
                StatusChange(c.changed_on, Status(c.status), c.changed_by or "", c.note or "")
            )
    history = session.scalars(
        sa.select(vm.HistoryEntry).where(vm.HistoryEntry.strategy_id == row.id).order_by(vm.HistoryEntry.position)
    )
    return {
        "evaluations": [
            evaluation_to_domain(e, keys.get(e.measure_id, STRATEGY))
            for e in evaluations
            if e.measure_id is None or e.measure_id in keys
        ],
        "indicators": indicators,
        "status_history": changes,
        "history": [
            VersionEntry(
                h.version,
                h.title,
                parse_month(h.adopted),
                h.replaced_on,
                [
                    CarryOver(d["measure"], d.get("title", ""), Decision(d["decision"]), d.get("note", ""))
                    for d in h.decisions or []
                ],
                h.reviewed_on,
            )
            for h in history
        ],
        "resolution": resolution_of(session, row),
        "reviews": [
            ReviewRecord(
                r.held_on,
                r.participants,
                r.minutes,
                r.finalised,
                [
                    ReviewEntry(
                        keys[d.measure_id],
                        ReviewDecision(d.proposed),
                        d.proposal_reason,
                        ReviewDecision(d.decision) if d.decision else None,
                        d.note,
                    )
                    for d in r.decisions
                    if d.measure_id in keys
                ],
            )
            for r in session.scalars(
                sa.select(rm.Review)
                .where(rm.Review.strategy_id == row.id)
                .options(selectinload(rm.Review.decisions))
                .order_by(rm.Review.created_at, rm.Review.id)
            )
        ],
    }


def _add_indicator(session: Session, measure: models.Measure, ind: Indicator, position: int) -> vm.Indicator:
    row = vm.Indicator(
        measure=measure, position=position, name=ind.name, unit=ind.unit, baseline=ind.baseline, target=ind.target
    )
    row.values = [vm.IndicatorValue(measured_on=v.measured, value=v.value) for v in ind.values]
    session.add(row)
    return row


def store_strategy_verstetigung(session: Session, row: models.Strategy, strategy: TrackedStrategy) -> None:
    """Write the Verstetigung records of a newly imported strategy (the file's or a Fortschreibung's)."""
    rows = {m.key: m for m in row.measures}
    for key, changes in strategy.status_history.items():
        for c in changes:
            session.add(
                vm.StatusChange(
                    measure=rows[key], status=c.status.value, changed_on=c.changed, changed_by=c.by, note=c.note
                )
            )
    for key, indicators in strategy.indicators.items():
        for i, ind in enumerate(indicators):
            _add_indicator(session, rows[key], ind, i)
    for r in strategy.evaluations:
        ev = vm.Evaluation(strategy=row, measure=rows.get(r.subject))
        write_evaluation(ev, r)
        session.add(ev)
    for i, v in enumerate(strategy.history):
        session.add(
            vm.HistoryEntry(
                strategy_id=row.id,
                position=i,
                version=v.version,
                title=v.title,
                adopted=month_text(v.adopted),
                replaced_on=v.replaced,
                reviewed_on=v.reviewed,
                decisions=[
                    {"measure": d.measure, "title": d.title, "decision": d.decision.value, "note": d.note}
                    for d in v.decisions
                ],
            )
        )
    if strategy.resolution is not None:
        r = strategy.resolution
        session.add(
            vm.Resolution(
                strategy_id=row.id,
                decided_on=r.decided_on,
                body=r.body,
                reference=r.reference,
                recorded_by=current_actor()[1],
            )
        )
    for r in strategy.reviews:
        session.add(
            rm.Review(
                strategy_id=row.id,
                state=rm.FINALISED if r.finalised else rm.PREPARED,
                held_on=r.held_on,
                participants=r.participants,
                minutes=r.minutes,
                created_by=current_actor()[1],
                finalised_by=current_actor()[1] if r.finalised else "",
                finalised_at=utcnow() if r.finalised else None,
                decisions=[
                    rm.ReviewDecisionRow(
                        measure_id=rows[d.measure].id,
                        position=i,
                        proposed=d.proposed.value,
                        proposal_reason=d.reason,
                        decision=d.decision.value if d.decision else None,
                        note=d.note,
                    )
                    for i, d in enumerate(r.decisions)
                ],
            )
        )
    session.flush()


# --- versions ----------------------------------------------------------------------------------


def resolution_of(session: Session, row: models.Strategy) -> Resolution | None:
    """The Beschluss of a strategy version, if recorded."""
    r = session.scalar(sa.select(vm.Resolution).where(vm.Resolution.strategy_id == row.id))
    return Resolution(r.decided_on, r.body, r.reference or "") if r is not None else None


def successors(session: Session) -> dict[int, int]:
    """Predecessor id → successor id of every succession."""
    return dict(session.execute(sa.select(vm.Succession.predecessor_id, vm.Succession.successor_id)).all())


def successor_id(session: Session, strategy_id: int) -> int | None:
    """The id of the strategy's Fortschreibung, if it has one."""
    return session.scalar(sa.select(vm.Succession.successor_id).where(vm.Succession.predecessor_id == strategy_id))


def predecessor_id(session: Session, strategy_id: int) -> int | None:
    """The id of the version this strategy was carried over from, if any."""
    return session.scalar(sa.select(vm.Succession.predecessor_id).where(vm.Succession.successor_id == strategy_id))


def read_only_message(session: Session, row: models.Strategy) -> str | None:
    """Why the strategy may not be changed any more (it has a Fortschreibung), or None."""
    newer = successor_id(session, row.id)
    if newer is None:
        return None
    title = session.scalar(sa.select(models.Strategy.version).where(models.Strategy.id == newer)) or ""
    label = f"Version „{row.version}“" if row.version else "Diese Version"
    return (
        f"{label} der Strategie ist schreibgeschützt: Sie wurde fortgeschrieben"
        f"{f' (neue Version „{title}“)' if title else ''}. Änderungen bitte in der neuen Version vornehmen."
    )


class AlreadyContinued(FortschreibungError):
    """The version has a Fortschreibung already (e.g. made by someone else a moment ago)."""


def add_succession(session: Session, old: models.Strategy, new: models.Strategy, by: str) -> None:
    """Record that `new` is the Fortschreibung of `old` (which thereby becomes read only)."""
    if successor_id(session, old.id) is not None:
        raise AlreadyContinued("Diese Version wurde bereits fortgeschrieben.")
    session.add(vm.Succession(predecessor_id=old.id, successor_id=new.id, created_by=by))
    session.flush()


def version_chain(session: Session, row: models.Strategy) -> list[models.Strategy]:
    """All versions of this strategy, oldest first (following the successions both ways)."""
    ids = [row.id]
    seen = {row.id}
    while (p := predecessor_id(session, ids[0])) is not None and p not in seen:
        ids.insert(0, p)
        seen.add(p)
    while (s := successor_id(session, ids[-1])) is not None and s not in seen:
        ids.append(s)
        seen.add(s)
    rows = {r.id: r for r in session.scalars(sa.select(models.Strategy).where(models.Strategy.id.in_(ids)))}
    return [rows[i] for i in ids]


# --- actual progress -----------------------------------------------------------------------------


RECORDED = "verstetigung.status_recorded"


def _status_changes_without_history(session: Session, _context, _instances) -> None:
    """A status changed anywhere else (measure form, import into an existing measure, CLI) still gets
    its status-history entry: who (the audit trail's actor) and when (today)."""
    recorded = {id(c.measure) for c in session.new if isinstance(c, vm.StatusChange)}
    recorded |= session.info.get(RECORDED, set())  # record_progress wrote its own entry
    for obj in list(session.dirty):
        if not isinstance(obj, models.Measure) or id(obj) in recorded:
            continue
        changed = sa.inspect(obj).attrs.status.history
        if changed.deleted and changed.added and changed.deleted[0] != changed.added[0]:
            session.add(
                vm.StatusChange(
                    measure=obj,
                    status=obj.status,
                    changed_on=berlin_today(),
                    changed_by=current_actor()[1],
                    note="über die Maßnahmenbearbeitung",
                )
            )


def install_status_history() -> None:
    """Listen to every ORM session (idempotent), like the audit trail does."""
    if not sa.event.contains(Session, "before_flush", _status_changes_without_history):
        sa.event.listen(Session, "before_flush", _status_changes_without_history)


def record_progress(
    session: Session,
    row: models.Strategy,
    key: str,
    *,
    status: Status,
    actual_start: Month | None,
    actual_end: Month | None,
    on: date,
    by: str,
    note: str = "",
    strategy: Strategy | None = None,
) -> bool:
    """Set status and actual months of a measure; a status change goes into its history. True if it changed.

    `strategy` is the row's domain strategy when the caller has read it already (a status round
    changing many measures reads it once)."""
    strategy = strategy or read_strategy(session, row)
    current = strategy.measure(key)
    updated = replace(current, status=status, actual_start=actual_start, actual_end=actual_end)
    if updated == current and not note:
        return False
    measure_row = next(m for m in row.measures if m.key == key)
    if status is not current.status or note:
        session.add(vm.StatusChange(measure=measure_row, status=status.value, changed_on=on, changed_by=by, note=note))
        session.info.setdefault(RECORDED, set()).add(id(measure_row))
    try:
        save_measure(session, row, updated, existing_key=key, current=strategy)
        session.flush()
    finally:
        session.info.get(RECORDED, set()).discard(id(measure_row))
    return True


# --- evaluations ---------------------------------------------------------------------------------


def save_evaluation(session: Session, row: models.Strategy, record: EvaluationRecord) -> vm.Evaluation:
    """Store a new evaluation of a measure of this strategy, or of the strategy itself."""
    measure = None
    if record.subject != STRATEGY:
        measure = next((m for m in row.measures if m.key == record.subject), None)
        if measure is None:
            raise ValidationFailed([])
    ev = vm.Evaluation(strategy_id=row.id, measure=measure)
    write_evaluation(ev, record)
    session.add(ev)
    session.flush()
    return ev


def evaluations_of(session: Session, row: models.Strategy, key: str | None) -> list[vm.Evaluation]:
    """Evaluations of one measure (key) or of the strategy itself (None), newest first."""
    query = sa.select(vm.Evaluation).where(vm.Evaluation.strategy_id == row.id)
    if key is None:
        query = query.where(vm.Evaluation.measure_id.is_(None))
    else:
        measure = next(m for m in row.measures if m.key == key)
        query = query.where(vm.Evaluation.measure_id == measure.id)
    return list(session.scalars(query.order_by(vm.Evaluation.performed_on.desc(), vm.Evaluation.id.desc())))


def get_evaluation(session: Session, row: models.Strategy, evaluation_id: int) -> vm.Evaluation | None:
    """The evaluation with that id if it belongs to this strategy (another strategy's id gives None)."""
    ev = session.get(vm.Evaluation, evaluation_id)
    return ev if ev is not None and ev.strategy_id == row.id else None


# --- indicators ----------------------------------------------------------------------------------


def indicators_of(session: Session, measure: models.Measure) -> list[vm.Indicator]:
    return list(
        session.scalars(
            sa.select(vm.Indicator)
            .where(vm.Indicator.measure_id == measure.id)
            .options(selectinload(vm.Indicator.values))
            .order_by(vm.Indicator.position, vm.Indicator.id)
        )
    )


def add_indicator(session: Session, measure: models.Measure, indicator: Indicator) -> vm.Indicator:
    position = len(indicators_of(session, measure))
    row = _add_indicator(session, measure, indicator, position)
    session.flush()
    return row


def get_indicator(session: Session, measure: models.Measure, indicator_id: int) -> vm.Indicator | None:
    """The indicator with that id if it belongs to this measure."""
    row = session.get(vm.Indicator, indicator_id)
    return row if row is not None and row.measure_id == measure.id else None


def add_value(session: Session, indicator: vm.Indicator, measured: date, value: float) -> None:
    indicator.values.append(vm.IndicatorValue(measured_on=measured, value=value))
    session.flush()


# --- knowledge base ------------------------------------------------------------------------------


@dataclass
class Lesson:
    """Lessons learned of one evaluation, with where they come from."""

    strategy_id: int
    strategy: str
    version: str
    organisation: str
    measure_key: str | None
    measure: str
    dimension: str
    further_dimensions: list[str]
    record: EvaluationRecord


def lessons(
    session: Session,
    organisation_ids: set[int] | None,
    *,
    text: str = "",
    dimension: str = "",
    outcome: str = "",
    since: date | None = None,
    strategy_ids: list[int] | None = None,
) -> list[Lesson]:
    """Evaluations with lessons learned across strategies and versions, newest first, filtered."""
    query = (
        sa.select(vm.Evaluation, models.Strategy, models.Measure, models.Organisation)
        .join(models.Strategy, vm.Evaluation.strategy_id == models.Strategy.id)
        .join(models.Organisation, models.Strategy.organisation_id == models.Organisation.id)
        .outerjoin(models.Measure, vm.Evaluation.measure_id == models.Measure.id)
        .where(sa.or_(vm.Evaluation.went_well != "", vm.Evaluation.went_badly != ""))
    )
    if organisation_ids is not None:
        query = query.where(models.Strategy.organisation_id.in_(list(organisation_ids) or [-1]))
    if strategy_ids is not None:
        query = query.where(models.Strategy.id.in_(strategy_ids or [-1]))
    if outcome:
        query = query.where(vm.Evaluation.outcome == outcome)
    if since is not None:
        query = query.where(vm.Evaluation.performed_on > since)
    for word in text.split():
        pattern = f"%{word}%"
        query = query.where(
            sa.or_(
                vm.Evaluation.went_well.ilike(pattern),
                vm.Evaluation.went_badly.ilike(pattern),
                vm.Evaluation.notes.ilike(pattern),
                models.Measure.title.ilike(pattern),
                models.Strategy.title.ilike(pattern),
            )
        )
    query = query.order_by(vm.Evaluation.performed_on.desc(), vm.Evaluation.id.desc())
    out = []
    for ev, strategy, measure, org in session.execute(query):
        if dimension and (
            measure is None or (measure.dimension != dimension and dimension not in (measure.further_dimensions or []))
        ):
            continue
        key = measure.key if measure is not None else STRATEGY
        out.append(
            Lesson(
                strategy.id,
                strategy.title,
                strategy.version or "",
                org.name,
                measure.key if measure else None,
                measure.title if measure else "Strategie insgesamt",
                measure.dimension if measure else "",
                list(measure.further_dimensions or []) if measure else [],
                evaluation_to_domain(ev, key),
            )
        )
    return out
