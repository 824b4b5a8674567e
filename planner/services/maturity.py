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

from .. import maturity_models as mm
from .. import models
from ..domain.funding import FundingParticipation, ParticipationStatus
from ..domain.maturity import (
    Answer,
    Assessment,
    Criterion,
    CriterionAnswer,
    baseline,
    effective_targets,
    german_date,
    latest,
)
from ..domain.strategy import Strategy
from ..domain.validation import Problem
from ..formats.criteria import sample_criteria
from .strategies import ValidationFailed, strategy_to_domain

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
                mm.MaturityAnswer(position=i, subdimension=x.subdimension, stage=x.stage, criterion=x.criterion, answer=x.answer.value)
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
    """assessments, targets and funding of a strategy row, as Strategy keyword arguments."""
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
            )
            for f in funding
        ],
    }


def store_strategy_maturity(session: Session, row: models.Strategy, strategy: Strategy) -> None:
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
            [Problem(f"Zum {german_date(assessment.date)} gibt es bereits eine Messung. Bitte ein anderes Datum wählen.", field="date")]
        )
    if row is None:
        row = mm.MaturityAssessment(organisation_id=organisation_id)
        session.add(row)
    _write_assessment(row, assessment)
    session.flush()
    return row


def delete_assessment(session: Session, row: mm.MaturityAssessment) -> None:
    """Remove an assessment with its levels or answers; baselines of funding entries pointing to it are cleared."""
    for f in session.scalars(
        sa.select(mm.FundingParticipation)
        .join(models.Strategy, models.Strategy.id == mm.FundingParticipation.strategy_id)
        .where(models.Strategy.organisation_id == row.organisation_id, mm.FundingParticipation.baseline == row.assessed_on)
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


def replace_criteria(session: Session, organisation_id: int, new: list[Criterion]) -> None:
    """Replace the whole catalogue (an import is all-or-nothing; answers keep their own copy of the texts)."""
    session.execute(sa.delete(mm.MaturityCriterion).where(mm.MaturityCriterion.organisation_id == organisation_id))
    for i, c in enumerate(new):
        session.add(
            mm.MaturityCriterion(
                organisation_id=organisation_id, position=i, subdimension=c.subdimension, stage=c.stage, text=c.text, note=c.note
            )
        )
    session.flush()


# --- targets ---------------------------------------------------------------------------


def save_targets(session: Session, strategy_id: int, targets: dict[str, int], default: int) -> None:
    """Store the targets that differ from the default (stage 3); the others follow the default."""
    session.execute(sa.delete(mm.MaturityTarget).where(mm.MaturityTarget.strategy_id == strategy_id))
    for sub, stage in targets.items():
        if stage != default:
            session.add(mm.MaturityTarget(strategy_id=strategy_id, subdimension=sub, stage=stage))
    session.flush()


# --- what the pages show ---------------------------------------------------------------------


@dataclass
class Maturity:
    """A strategy with its organisation's assessments, its targets, baseline and latest assessment."""

    row: models.Strategy
    strategy: Strategy
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
    strategy = strategy_to_domain(row)
    return Maturity(row, strategy, entries(session, row.organisation_id), effective_targets(strategy.targets))
