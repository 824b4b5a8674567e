"""Handlungsbedarf: what a strategy team must do next, as of today (pure domain).

From one strategy and today's date: measures whose schedule state is overdue (they need a
status update), schedule conflicts, evaluations due or overdue (only for measures whose real
end is known: an unfinished measure past its end needs a status check first), the next
strategy review (24 months after adoption or after the last review) with the Fortschreibung
that follows it, and impact indicators without a measured value for 12 months.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .months import Month, month_of
from .schedule import Conflict, schedule_conflicts
from .schedule_state import ScheduleState, State, schedule_state
from .strategy import Measure
from .verstetigung import STRATEGY, Due, Kind, Rules, TrackedStrategy, calendar

DUE_SOON_MONTHS = 3  # evaluations due within this many months are listed with the overdue ones
STALE_INDICATOR_MONTHS = 12


@dataclass(frozen=True)
class MeasureItem:
    """A measure whose schedule state needs an update."""

    measure: Measure
    state: ScheduleState


@dataclass(frozen=True)
class StaleIndicator:
    """An indicator of a running or finished measure without a value in the last 12 months."""

    measure: Measure
    name: str
    last: date | None  # the last measured date, None when never measured


@dataclass(frozen=True)
class Review:
    """The next strategy review: due month, what it counts from, whether it is overdue."""

    due: Month
    since: Month
    after_review: bool  # True: counted from the last review, False: from the adoption
    overdue: bool


@dataclass
class ActionItems:
    """Everything that needs attention in one strategy."""

    to_update: list[MeasureItem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    evaluations: list[Due] = field(default_factory=list)
    review: Review | None = None
    stale_indicators: list[StaleIndicator] = field(default_factory=list)

    @property
    def count(self) -> int:
        review = 1 if self.review is not None and self.review.overdue else 0
        return len(self.to_update) + len(self.conflicts) + len(self.evaluations) + review + len(self.stale_indicators)


def next_review(strategy: TrackedStrategy, today: date, rules: Rules | None = None) -> Review | None:
    """The next strategy review: 24 months after the last review (a strategy process evaluation), else
    after the adoption; None without an adoption month and without a review."""
    rules = rules or Rules()
    reviews = [r for r in strategy.evaluations if r.subject == STRATEGY and r.kind is Kind.PROZESS]
    if reviews:
        since, after = month_of(max(r.performed for r in reviews)), True
    elif strategy.adopted is not None:
        since, after = strategy.adopted, False
    else:
        return None
    due = since + rules.strategy_process
    return Review(due, since, after, due < month_of(today))


def _stale_indicators(strategy: TrackedStrategy, states: dict[str, ScheduleState], today: date) -> list[StaleIndicator]:
    try:
        limit = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - 1, day=28)
    out = []
    for m in strategy.measures:
        if states[m.key].state not in (State.LAUFEND, State.ABGESCHLOSSEN, State.ABSCHLUSS_UEBERFAELLIG):
            continue
        for ind in strategy.indicators.get(m.key, []):
            last = ind.latest.measured if ind.latest else None
            if last is None or last < limit:
                out.append(StaleIndicator(m, ind.name, last))
    return out


def action_items(strategy: TrackedStrategy, today: date, rules: Rules | None = None) -> ActionItems:
    """What needs attention in the strategy on `today`."""
    rules = rules or Rules()
    now = month_of(today)
    states = {m.key: schedule_state(m, now) for m in strategy.measures}
    to_update = [MeasureItem(m, states[m.key]) for m in strategy.measures if states[m.key].state.overdue]
    to_update.sort(key=lambda i: (i.state.state is not State.ABSCHLUSS_UEBERFAELLIG, -(i.state.months_overdue or 0)))
    # an evaluation waiting for a measure's real dates ("Status klären") is not due: the measure is
    # listed among those to update instead
    finished = {State.ABGESCHLOSSEN, State.VERWORFEN, State.BACKLOG}
    evaluations = [
        d
        for d in calendar(strategy, today, rules)
        if not d.done
        and not d.unclear
        and (d.overdue or d.due <= now + DUE_SOON_MONTHS)
        and not (d.subject == STRATEGY and d.kind is Kind.PROZESS)  # the review has its own line
    ]
    return ActionItems(
        to_update=to_update,
        conflicts=[c for c in schedule_conflicts(strategy.measures) if states[c.measure].state not in finished],
        evaluations=evaluations,
        review=next_review(strategy, today, rules),
        stale_indicators=_stale_indicators(strategy, states, today),
    )
