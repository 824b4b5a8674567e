"""Maturity operations: assessments and criteria per organisation, targets and funding per strategy.

Rows in, domain objects out; every write validates first and raises
planner.services.strategies.ValidationFailed with German problems.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from .. import models
from ..charts.radar import RadarSeries
from ..domain.catalogue import catalogue
from ..domain.funding import CallCheck, FundingCall, FundingParticipation, ParticipationStatus, check_call, find_call
from ..domain.german import german_date
from ..domain.maturity import (
    Answer,
    Assessment,
    Criterion,
    CriterionAnswer,
    Level,
    baseline,
    dimension_levels,
    dimension_targets,
    effective_targets,
    latest,
    level_label,
    planned_levels,
)
from ..domain.maturity_gaps import GapReport, gap_analysis
from ..domain.portfolio import JumpReadings, jump_readings
from ..domain.validation import Problem
from ..domain.whole_strategy import WholeStrategy, with_parts
from ..formats.criteria import sample_criteria
from ..models import maturity as mm
from .strategies import ValidationFailed, read_strategy

# --- rows <-> domain -------------------------------------------------------------------


def assessment_to_domain(row: mm.MaturityAssessment) -> Assessment:
    """The domain assessment of a row."""
    return Assessment(
        date=row.assessed_on,
        levels={lv.subdimension: lv.level for lv in row.levels},
        answers=[CriterionAnswer(a.subdimension, a.stage, a.criterion, Answer(a.answer)) for a in row.answers],
        threshold=row.threshold,
        note=row.note or "",
    )


def _write_assessment(row: mm.MaturityAssessment, a: Assessment) -> None:
    row.assessed_on = a.date
    row.kind = a.kind.value
    row.threshold = a.threshold if a.answers else None
    row.note = a.note
    row.levels.clear()
    row.answers.clear()
    if a.answers:
        for i, x in enumerate(a.answers):
            row.answers.append(
                mm.MaturityAnswer(
                    position=i, subdimension=x.subdimension, stage=x.stage, criterion=x.criterion, answer=x.answer.value
                )
            )
    else:
        for sub, level in a.levels.items():
            row.levels.append(mm.MaturityLevel(subdimension=sub, level=level))


def assessment_rows(session: Session, organisation_id: int) -> list[mm.MaturityAssessment]:
    """The organisation's assessments, oldest first, with levels and answers loaded."""
    return list(
        session.scalars(
            sa.select(mm.MaturityAssessment)
            .where(mm.MaturityAssessment.organisation_id == organisation_id)
            .options(selectinload(mm.MaturityAssessment.levels), selectinload(mm.MaturityAssessment.answers))
            .order_by(mm.MaturityAssessment.assessed_on)
        )
    )


def domain_fields(row: models.Strategy) -> dict:
    """assessments, targets and funding of a strategy row, as keyword arguments of `with_parts`."""
    session = object_session(row)
    if session is None or row.id is None:  # a strategy not (yet) in the database has none
        return {"assessments": [], "targets": {}, "funding": []}
    targets = session.scalars(sa.select(mm.MaturityTarget).where(mm.MaturityTarget.strategy_id == row.id))
    funding = session.scalars(
        sa.select(mm.FundingParticipation)
        .where(mm.FundingParticipation.strategy_id == row.id)
        .order_by(mm.FundingParticipation.position)
    )
    return {
        "assessments": [assessment_to_domain(a) for a in assessment_rows(session, row.organisation_id)],
        "targets": {t.subdimension: t.stage for t in targets},
        "funding": [
            FundingParticipation(
                call=f.call,
                status=ParticipationStatus(f.status),
                granted=float(f.granted) if f.granted is not None else None,
                baseline=f.baseline,
                note=f.note or "",
                claim=f.claim or "",
                claimed_dimensions=f.claimed_dimensions,
            )
            for f in funding
        ],
    }


def store_strategy_maturity(session: Session, row: models.Strategy, strategy: WholeStrategy) -> None:
    """Write a file's maturity sections for a newly imported strategy.

    Assessments belong to the organisation: one of the same date that is already stored is
    reused when equal and refused when different (nothing is silently overwritten).
    """
    existing = {a.assessed_on: a for a in assessment_rows(session, row.organisation_id)}
    problems = []
    for a in strategy.assessments:
        stored = existing.get(a.date)
        if stored is None:
            new = mm.MaturityAssessment(organisation_id=row.organisation_id)
            _write_assessment(new, a)
            session.add(new)
        elif assessment_to_domain(stored) != a:
            problems.append(
                Problem(
                    f"Für {strategy.organisation} ist zum {german_date(a.date)} bereits eine andere Messung gespeichert. "
                    "Bitte die Messung in planner bearbeiten oder in der Datei ein anderes Datum verwenden.",
                    field="assessments",
                )
            )
    if problems:
        raise ValidationFailed(problems)
    for sub, stage in strategy.targets.items():
        session.add(mm.MaturityTarget(strategy_id=row.id, subdimension=sub, stage=stage))
    for i, f in enumerate(strategy.funding):
        session.add(
            mm.FundingParticipation(
                strategy_id=row.id,
                position=i,
                call=f.call,
                status=f.status.value,
                granted=Decimal(str(f.granted)) if f.granted is not None else None,
                baseline=f.baseline,
                note=f.note,
                claim=f.claim,
                claimed_dimensions=f.claimed_dimensions,
            )
        )
    session.flush()


# --- assessments -----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """An assessment with the id it has in the database."""

    id: int
    assessment: Assessment


def entries(session: Session, organisation_id: int) -> list[Entry]:
    """Every assessment of the organisation, oldest first."""
    return [Entry(r.id, assessment_to_domain(r)) for r in assessment_rows(session, organisation_id)]


def get_assessment(session: Session, organisation_id: int, assessment_id: int) -> mm.MaturityAssessment | None:
    """An assessment of that organisation, or None (another organisation's id answers None)."""
    return session.scalar(
        sa.select(mm.MaturityAssessment).where(
            mm.MaturityAssessment.id == assessment_id, mm.MaturityAssessment.organisation_id == organisation_id
        )
    )


def save_assessment(
    session: Session, organisation_id: int, assessment: Assessment, row: mm.MaturityAssessment | None = None
) -> mm.MaturityAssessment:
    """Create (row None) or replace an assessment; one assessment per organisation and date."""
    clash = session.scalar(
        sa.select(mm.MaturityAssessment).where(
            mm.MaturityAssessment.organisation_id == organisation_id,
            mm.MaturityAssessment.assessed_on == assessment.date,
        )
    )
    if clash is not None and clash is not row:
        raise ValidationFailed(
            [
                Problem(
                    f"Zum {german_date(assessment.date)} gibt es bereits eine Messung. Bitte ein anderes Datum wählen.",
                    field="date",
                )
            ]
        )
    if row is None:
        row = mm.MaturityAssessment(organisation_id=organisation_id)
        session.add(row)
    else:
        flag_modified(row, "note")  # a new version also when only levels or answers changed
    _write_assessment(row, assessment)
    session.flush()
    return row


def delete_assessment(session: Session, row: mm.MaturityAssessment) -> None:
    """Remove an assessment with its levels or answers; baselines of funding entries pointing to it are cleared."""
    for f in session.scalars(
        sa.select(mm.FundingParticipation)
        .join(models.Strategy, models.Strategy.id == mm.FundingParticipation.strategy_id)
        .where(
            models.Strategy.organisation_id == row.organisation_id, mm.FundingParticipation.baseline == row.assessed_on
        )
    ):
        f.baseline = None
    session.delete(row)
    session.flush()


# --- criteria catalogue ----------------------------------------------------------------


def criteria(session: Session, organisation_id: int) -> tuple[list[Criterion], bool]:
    """The organisation's criteria catalogue; the built-in sample (and True) when it has none."""
    rows = session.scalars(
        sa.select(mm.MaturityCriterion)
        .where(mm.MaturityCriterion.organisation_id == organisation_id)
        .order_by(mm.MaturityCriterion.position)
    ).all()
    if not rows:
        return list(sample_criteria()), True
    return [Criterion(r.subdimension, r.stage, r.text, r.note or "") for r in rows], False


def criteria_by_subdimension(items: list[Criterion]) -> list[tuple[str, list[Criterion]]]:
    """The criteria grouped by subdimension, in the catalogue's order."""
    groups: dict[str, list[Criterion]] = {}
    for c in items:
        groups.setdefault(c.subdimension, []).append(c)
    return [(s, groups[s]) for s in catalogue().subdimension_names if s in groups]


def replace_criteria(session: Session, organisation_id: int, new: list[Criterion]) -> None:
    """Replace the whole catalogue (an import is all-or-nothing; answers keep their own copy of the texts)."""
    session.execute(sa.delete(mm.MaturityCriterion).where(mm.MaturityCriterion.organisation_id == organisation_id))
    for i, c in enumerate(new):
        session.add(
            mm.MaturityCriterion(
                organisation_id=organisation_id,
                position=i,
                subdimension=c.subdimension,
                stage=c.stage,
                text=c.text,
                note=c.note,
            )
        )
    session.flush()


# --- targets ---------------------------------------------------------------------------


def save_targets(session: Session, row: models.Strategy, targets: dict[str, int], default: int) -> None:
    """Store the targets that differ from the default (stage 3); the others follow the default.
    The targets are part of the strategy: saving them gives the strategy a new version (the
    targets form checks it, services/locking.py)."""
    strategy_id = row.id
    session.execute(sa.delete(mm.MaturityTarget).where(mm.MaturityTarget.strategy_id == strategy_id))
    flag_modified(row, "title")
    for sub, stage in targets.items():
        if stage != default:
            session.add(mm.MaturityTarget(strategy_id=strategy_id, subdimension=sub, stage=stage))
    session.flush()


# --- what the pages show ---------------------------------------------------------------------


@dataclass
class Maturity:
    """A strategy with its organisation's assessments, its targets, baseline and latest assessment."""

    row: models.Strategy
    strategy: WholeStrategy
    entries: list[Entry]
    targets: dict[str, int]

    @property
    def baseline(self) -> Entry | None:
        """The latest assessment on or before the roadmap window starts (else the earliest)."""
        start = self.strategy.window_start
        chosen = baseline([e.assessment for e in self.entries], date(start.year, start.month, 1) if start else None)
        return self.entry_for(chosen)

    @property
    def latest(self) -> Entry | None:
        return self.entry_for(latest(e.assessment for e in self.entries))

    def entry_for(self, assessment: Assessment | None) -> Entry | None:
        return next((e for e in self.entries if e.assessment is assessment), None)

    def entry(self, assessment_id: int) -> Entry | None:
        return next((e for e in self.entries if e.id == assessment_id), None)

    def by_date(self, when: date) -> Entry | None:
        return next((e for e in self.entries if e.assessment.date == when), None)


def maturity_for(session: Session, row: models.Strategy) -> Maturity:
    """Everything the maturity pages of a strategy need (the row comes from get_strategy_or_404)."""
    strategy = with_parts(read_strategy(session, row), **domain_fields(row))
    return Maturity(row, strategy, entries(session, row.organisation_id), effective_targets(strategy.targets))


# --- the pictures and analyses of the pages ------------------------------------------------------


def radar_series(m: Maturity) -> list:
    """Target, baseline and latest assessment as radar series (baseline left out when it is the latest)."""
    series = []
    base, last = m.baseline, m.latest
    if base is not None and base is not last:
        series.append(
            RadarSeries(
                f"Ausgangsmessung {german_date(base.assessment.date)}", base.assessment.dimension_levels(), "baseline"
            )
        )
    if last is not None:
        series.append(
            RadarSeries(
                f"Letzte Messung {german_date(last.assessment.date)}", last.assessment.dimension_levels(), "latest"
            )
        )
    series.append(RadarSeries("Ziel", dimension_targets(m.targets), "target"))
    return series


@dataclass(frozen=True)
class HeatCell:
    known: bool
    level: Level

    @property
    def css(self) -> str:
        if not self.known:
            return "lvl-nodata"
        return "lvl-none" if self.level is None else f"lvl-{self.level}"

    @property
    def label(self) -> str:
        return level_label(self.level) if self.known else "k. A."


@dataclass(frozen=True)
class HeatRow:
    name: str
    is_dimension: bool
    dim_index: int
    cells: tuple[HeatCell, ...]
    target: int


def heat_rows(m: Maturity) -> list[HeatRow]:
    """Dimension and subdimension rows × assessments (oldest first), with the target."""
    cat = catalogue()
    subs = [e.assessment.subdimension_levels() for e in m.entries]
    dims = [dimension_levels(s) for s in subs]
    dim_targets = dimension_targets(m.targets)
    rows = []
    for d in cat.dimensions:
        rows.append(
            HeatRow(
                d.name, True, d.index, tuple(HeatCell(d.name in x, x.get(d.name)) for x in dims), dim_targets[d.name]
            )
        )
        for s in d.subdimensions:
            rows.append(HeatRow(s, False, d.index, tuple(HeatCell(s in x, x.get(s)) for x in subs), m.targets[s]))
    return rows


def gaps(m: Maturity, entry: Entry | None) -> GapReport:
    """The gap analysis of the strategy against an assessment (usually the latest)."""
    levels = entry.assessment.subdimension_levels() if entry else {}
    return gap_analysis(m.strategy, levels, entry.assessment.date if entry else None, m.strategy.targets)


def participation(m: Maturity, call: FundingCall) -> FundingParticipation | None:
    return next((f for f in m.strategy.funding if f.call == call.id), None)


def default_baseline(m: Maturity, call: FundingCall) -> Entry | None:
    """The assessment a call is checked from: the one named in the strategy's funding entry,
    else the latest on or before the call starts, else the earliest."""
    part = participation(m, call)
    if part is not None and part.baseline is not None and (named := m.by_date(part.baseline)):
        return named
    return m.entry_for(baseline([e.assessment for e in m.entries], call.start))


def check_funding(m: Maturity, call: FundingCall, base: Entry | None, outcome: Entry | None) -> CallCheck:
    """Check a call from `base` to `outcome` (an assessment) or, with outcome None, to the targets."""
    part = participation(m, call)
    if outcome is None:
        current = base.assessment.subdimension_levels() if base else {}
        outcome_levels, outcome_label = planned_levels(current, m.strategy.targets), "Ziele der Strategie"
    else:
        outcome_levels = outcome.assessment.subdimension_levels()
        outcome_label = f"Messung vom {german_date(outcome.assessment.date)}"
    return check_call(
        call,
        baseline_levels=base.assessment.subdimension_levels() if base else None,
        baseline_label=f"Messung vom {german_date(base.assessment.date)}" if base else "keine",
        outcome_levels=outcome_levels,
        outcome_label=outcome_label,
        measures=m.strategy.measures,
        granted=part.granted if part else None,
    )


@dataclass(frozen=True)
class Claim:
    """What the office's own report claims for a call (FundingParticipation.claim), for the page."""

    call_name: str
    claim: str
    claimed_dimensions: int | None


@dataclass(frozen=True)
class Readings:
    """Both readings of "improved by two stages" between two assessments, and the office's claims."""

    before: Entry
    after: Entry
    readings: JumpReadings
    claims: tuple[Claim, ...]


def _claim(f: FundingParticipation) -> Claim:
    call = find_call(f.call)
    return Claim(call.name if call else f.call, f.claim, f.claimed_dimensions)


def readings(m: Maturity, before: Entry, after: Entry) -> Readings:
    """Both readings from `before` to `after`, with the claims of the calls checked from `before`."""
    claims = tuple(_claim(f) for f in m.strategy.funding if f.claim and f.baseline == before.assessment.date)
    return Readings(
        before,
        after,
        jump_readings(before.assessment.subdimension_levels(), after.assessment.subdimension_levels()),
        claims,
    )


def call_readings(m: Maturity, call: FundingCall, base: Entry | None, outcome: Entry | None) -> Readings | None:
    """Both readings for a call: from its baseline to the chosen later assessment, else to the latest
    later one; None without such a pair. The claim shown is the call's own."""
    later = outcome or (m.latest if m.latest and base and m.latest.assessment.date > base.assessment.date else None)
    if base is None or later is None or later.assessment.date <= base.assessment.date:
        return None
    part = participation(m, call)
    claims = (_claim(part),) if part and part.claim else ()
    return Readings(
        base,
        later,
        jump_readings(base.assessment.subdimension_levels(), later.assessment.subdimension_levels()),
        claims,
    )


def call_measures(m: Maturity, call: FundingCall) -> list:
    """The strategy's measures assigned to the call."""
    return [x for x in m.strategy.measures if find_call(x.funding_call) == call]


def unassigned_funding_texts(m: Maturity) -> list[tuple[str, str]]:
    """(measure title, text) for measures whose funding call names no known call."""
    return [
        (x.title, x.funding_call) for x in m.strategy.measures if x.funding_call and find_call(x.funding_call) is None
    ]
