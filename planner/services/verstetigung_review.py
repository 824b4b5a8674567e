"""The biennial strategy review (review pack); the Fortschreibung is services/fortschreibung.py.

Uses the roadmap analysis (domain.schedule) and the maturity service where data exists;
reads both, changes neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import models
from ..domain.catalogue import catalogue
from ..domain.maturity import LevelChange, compare_assessments, level_label
from ..domain.schedule import Analysis, analyse
from ..domain.schedule_state import ScheduleState, State, schedule_state
from ..domain.strategy import Measure, Status, Strategy
from ..domain.verstetigung import STRATEGY, Due, calendar
from ..domain.verstetigung_versions import still_relevant_question
from ..models import review as rm
from . import verstetigung as records
from .maturity import maturity_for
from .whole_strategy import strategy_to_domain

CORE_QUESTIONS = (
    "Entwickeln wir uns mit Hilfe der Strategie tatsächlich in die Richtung, in die wir uns als Gesundheitsamt "
    "bewegen wollen?",
    "Erreichen wir mit den gewählten Maßnahmen unsere (Umsetzungs-)Ziele?",
)
# the columns of the review's table "Umsetzungsstand je Dimension", in this order
SHOWN = tuple(State)


@dataclass
class DimensionStatus:
    """The measures of one dimension by where they stand."""

    name: str
    by_state: dict[State, list[Measure]]

    def count(self, state: State) -> int:
        return len(self.by_state.get(state, []))

    @property
    def done(self) -> list[Measure]:
        return self.by_state.get(State.ABGESCHLOSSEN, [])

    @property
    def overdue(self) -> list[Measure]:
        return [m for state, ms in self.by_state.items() if state.overdue for m in ms]


@dataclass
class MaturityProgress:
    """Dimension levels of the baseline and the latest assessment."""

    before: date
    after: date
    changes: list[LevelChange]

    @staticmethod
    def label(level) -> str:
        return level_label(level)


@dataclass(frozen=True)
class LastReview:
    """The latest finalised strategy review of the strategy line before the one being looked at."""

    held_on: date
    participants: str
    version: str


def last_review(session: Session, row: models.Strategy, current: rm.Review | None = None) -> LastReview | None:
    """The latest finalised review of this version or an earlier one, other than `current`."""
    versions = records.version_chain(session, row)
    chain = {r.id: r for r in versions[: [r.id for r in versions].index(row.id) + 1]}
    query = (
        sa.select(rm.Review)
        .where(rm.Review.strategy_id.in_(chain), rm.Review.state == rm.FINALISED, rm.Review.held_on.is_not(None))
        .order_by(rm.Review.held_on.desc(), rm.Review.id.desc())
    )
    if current is not None:
        query = query.where(rm.Review.id != current.id)
        if current.held_on is not None:
            query = query.where(rm.Review.held_on <= current.held_on)
    found = session.scalars(query.limit(1)).first()
    if found is None:
        return None
    return LastReview(found.held_on, found.participants, chain[found.strategy_id].version)


@dataclass
class ReviewPack:
    """Everything the biennial strategy review looks at."""

    row: models.Strategy
    strategy: Strategy
    today: date
    dimensions: list[DimensionStatus]
    maturity: MaturityProgress | None
    latest_levels: tuple[date, dict] | None
    backlog: list[Measure]
    unfinished: list[tuple[Measure, ScheduleState]]
    lessons: list[records.Lesson]
    overdue: list[Due]
    last_review: LastReview | None
    analysis: Analysis
    questions: tuple[str, ...] = CORE_QUESTIONS
    titles: dict[str, str] = field(default_factory=dict)
    states: dict[str, ScheduleState] = field(default_factory=dict)  # each measure's schedule state on `today`

    def question(self, m: Measure) -> bool:
        return still_relevant_question(m)


def _maturity(session: Session, row: models.Strategy) -> tuple[MaturityProgress | None, tuple[date, dict] | None]:
    m = maturity_for(session, row)
    base, latest = m.baseline, m.latest
    if latest is None:
        return None, None
    latest_levels = (latest.assessment.date, latest.assessment.dimension_levels())
    if base is None or base.assessment.date == latest.assessment.date:
        return None, latest_levels
    comparison = compare_assessments(base.assessment, latest.assessment)
    return MaturityProgress(base.assessment.date, latest.assessment.date, list(comparison.dimensions)), latest_levels


def review_pack(session: Session, row: models.Strategy, today: date, current: rm.Review | None = None) -> ReviewPack:
    """The review pack of a strategy as of `today`; `current`: the review it is the pack of (the
    "last review" is the one before it)."""
    strategy = strategy_to_domain(row)
    last = last_review(session, row, current)
    where = {m.key: schedule_state(m, today) for m in strategy.measures}  # each measure's state, once
    dims = []
    for name in catalogue().dimension_names:
        by: dict[State, list[Measure]] = {}
        for m in strategy.measures:
            if m.dimension == name:
                by.setdefault(where[m.key].state, []).append(m)
        if by:
            dims.append(DimensionStatus(name, by))
    unfinished = [
        (m, where[m.key])
        for m in strategy.measures
        if m.status not in (Status.BACKLOG, Status.VERWORFEN, Status.ABGESCHLOSSEN)
        and where[m.key].state is not State.ABGESCHLOSSEN
    ]
    maturity, latest_levels = _maturity(session, row)
    chain_ids = [r.id for r in records.version_chain(session, row)]
    return ReviewPack(
        row=row,
        strategy=strategy,
        today=today,
        dimensions=dims,
        maturity=maturity,
        latest_levels=latest_levels,
        backlog=sorted((m for m in strategy.measures if m.status is Status.BACKLOG), key=lambda m: -m.deferrals),
        unfinished=unfinished,
        lessons=records.lessons(session, None, since=last.held_on if last else None, strategy_ids=chain_ids),
        overdue=[d for d in calendar(strategy, today) if d.overdue],
        last_review=last,
        analysis=analyse(strategy),
        titles={m.key: m.title for m in strategy.measures} | {STRATEGY: "Strategie insgesamt"},
        states=where,
    )
