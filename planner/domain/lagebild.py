"""Handlungsbedarf: what a strategy team must do next, as of today (pure domain).

From one strategy and today's date: whether its plan period has ended (then the review and the
Fortschreibung are due), measures whose schedule state is overdue (they need a status update —
or, when their status was recorded after their planned end had passed, new dates), schedule
conflicts, evaluations due or overdue (only for measures whose real
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
from .verstetigung import STRATEGY, Due, Kind, Rules, StatusChange, TrackedStrategy, calendar

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
    to_reschedule: list[MeasureItem] = field(default_factory=list)  # status recorded, planned end passed
    period_ended: Month | None = None  # the last month of an ended plan period
    conflicts: list[Conflict] = field(default_factory=list)
    evaluations: list[Due] = field(default_factory=list)
    review: Review | None = None
    stale_indicators: list[StaleIndicator] = field(default_factory=list)

    @property
    def count(self) -> int:
        review = 1 if self.review is not None and self.review.overdue else 0
        ended = 1 if self.period_ended is not None else 0
        return (
            ended
            + len(self.to_update)
            + len(self.to_reschedule)
            + len(self.conflicts)
            + len(self.evaluations)
            + review
            + len(self.stale_indicators)
        )


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


def period_ended(end: Month | None, today: date) -> Month | None:
    """The plan period's last month when the period has ended before today's month, else None
    ("Planungszeitraum seit 12/2024 abgelaufen")."""
    return end if end is not None and end < month_of(today) else None


def status_recorded_after_end(m: Measure, changes: list[StatusChange], now: Month) -> bool:
    """Whether the measure's end has passed although its status was recorded after that end: it is
    known to be still running, so what it needs is new dates, not another status report."""
    state = schedule_state(m, now)
    if state.state is not State.ABSCHLUSS_UEBERFAELLIG or m.end is None:
        return False
    return any(month_of(c.changed) > m.end for c in changes)


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
    overdue = [MeasureItem(m, states[m.key]) for m in strategy.measures if states[m.key].state.overdue]
    recorded = {
        i.measure.key
        for i in overdue
        if status_recorded_after_end(i.measure, strategy.status_history.get(i.measure.key, []), now)
    }
    to_update = [i for i in overdue if i.measure.key not in recorded]
    to_reschedule = [i for i in overdue if i.measure.key in recorded]
    to_reschedule.sort(key=lambda i: -(i.state.months_overdue or 0))
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
        to_reschedule=to_reschedule,
        period_ended=period_ended(strategy.window_end, today),
        conflicts=[c for c in schedule_conflicts(strategy.measures) if states[c.measure].state not in finished],
        evaluations=evaluations,
        review=next_review(strategy, today, rules),
        stale_indicators=_stale_indicators(strategy, states, today),
    )
