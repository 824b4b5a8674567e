"""What the Umsetzungsfahrplan shows, as data: the window, the rows grouped by dimension, and
the measures listed apart. The chart and the table next to it are drawn from this one source.

The window is the plan period (the strategy's roadmap window) widened, when needed, to show
today and every dated measure — a plan that is over, or a measure planned outside it, is
still drawn, with the plan period marked. Widening goes to whole quarters and at most
`MAX_WIDEN` months either side of the plan period; only a measure beyond that is listed apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .catalogue import Dimension, catalogue
from .german import berlin_today
from .months import Month, month_of
from .schedule import on_roadmap
from .schedule_state import State, schedule_state
from .strategy import Measure, Status, Strategy

MAX_WIDEN = 60  # months the window may reach beyond the plan period on either side


@dataclass(frozen=True)
class Bar:
    """One measure's bar, cut to the window."""

    measure: Measure
    dimension: Dimension
    start: Month  # first month drawn
    end: Month  # last month drawn (the window's end for an open-ended measure)
    before_window: bool  # begins before the window
    after_window: bool  # ends after the window, or is open-ended
    overdue_to: Month | None = None  # planned end passed, not finished: the bar goes on to today's month
    finished: bool = False  # status abgeschlossen or an actual end recorded

    @property
    def completed(self) -> bool:
        return self.finished


@dataclass
class RoadmapView:
    """Rows in the model's dimension order; backlog, unplanned and out-of-window measures apart."""

    window_start: Month  # the months drawn: the plan period, widened to show today and every dated measure
    window_end: Month
    plan_start: Month | None = None  # the plan period (the strategy's roadmap window)
    plan_end: Month | None = None
    groups: list[tuple[Dimension, list[Bar]]] = field(default_factory=list)
    backlog: list[Measure] = field(default_factory=list)
    unplanned: list[Measure] = field(default_factory=list)
    outside: list[Measure] = field(default_factory=list)

    @property
    def bars(self) -> list[Bar]:
        return [b for _, bars in self.groups for b in bars]

    @property
    def months(self) -> int:
        return self.window_end - self.window_start + 1

    @property
    def widened(self) -> bool:
        """Whether the window shows more than the plan period."""
        return (self.window_start, self.window_end) != (self.plan_start, self.plan_end)

    def bar(self, key: str) -> Bar | None:
        return next((b for b in self.bars if b.measure.key == key), None)


def default_window(strategy: Strategy, today: date | None = None) -> tuple[Month, Month]:
    """The strategy's roadmap window; without one, the whole years its planned measures span."""
    if strategy.window_start and strategy.window_end:
        return strategy.window_start, strategy.window_end
    months = [x for m in strategy.measures if on_roadmap(m) for x in (m.start, m.end) if x is not None]
    if not months:
        year = (today or berlin_today()).year
        return Month(year, 1), Month(year + 1, 12)
    first, last = min(months), max(months)
    return Month(first.year, 1), Month(max(last.year, first.year + 1), 12)


def _quarter_start(m: Month) -> Month:
    return Month(m.year, m.month - (m.month - 1) % 3)


def _quarter_end(m: Month) -> Month:
    return _quarter_start(m) + 2


def shown_window(strategy: Strategy, today: date | None = None) -> tuple[Month, Month]:
    """The months the chart draws: the plan period, widened (whole quarters, at most MAX_WIDEN months
    either side) to include today's month and every dated measure of the roadmap, overdue ones up to today."""
    plan_start, plan_end = default_window(strategy, today)
    now = month_of(today or berlin_today())
    months = [now]
    for m in strategy.measures:
        if not on_roadmap(m) or m.start is None:
            continue
        months += [x for x in (m.start, m.end) if x is not None]
    low = max(min(months), plan_start + (-MAX_WIDEN))
    high = min(max(months), plan_end + MAX_WIDEN)
    start = plan_start if low >= plan_start else _quarter_start(low)
    end = plan_end if high <= plan_end else _quarter_end(high)
    return start, end


def roadmap_view(strategy: Strategy, today: date | None = None) -> RoadmapView:
    """Group the roadmap's measures by dimension (catalogue order), each group by start month."""
    today = today or berlin_today()
    plan_start, plan_end = default_window(strategy, today)
    start, end = shown_window(strategy, today)
    view = RoadmapView(start, end, plan_start, plan_end)
    now = month_of(today)
    cat = catalogue()
    by_dim: dict[int, list[Bar]] = {}
    for position, m in enumerate(strategy.measures):
        if m.status is Status.BACKLOG:
            view.backlog.append(m)
            continue
        if m.status is Status.VERWORFEN:
            continue
        if m.start is None:
            view.unplanned.append(m)
            continue
        state = schedule_state(m, now).state
        finished = state is State.ABGESCHLOSSEN
        # a finished open-ended measure ends with its actual end; unknown: today or the plan end, the earlier
        last = m.end or ((m.actual_end or min(now, plan_end, end)) if finished else end)
        if m.start > end or last < start:
            view.outside.append(m)
            continue
        dim = cat.dimension(m.dimension) or cat.dimensions[0]
        overdue_to = min(now, end) if state is State.ABSCHLUSS_UEBERFAELLIG else None
        bar = Bar(
            m,
            dim,
            max(m.start, start),
            min(last, end),
            m.start < start,
            last > end or (m.end is None and not finished),
            overdue_to=overdue_to,
            finished=finished,
        )
        by_dim.setdefault(dim.index, []).append((m.start, position, bar))
    for dim in cat.dimensions:
        if dim.index in by_dim:
            view.groups.append((dim, [bar for *_, bar in sorted(by_dim[dim.index], key=lambda t: t[:2])]))
    return view


def numbered(strategy: Strategy) -> list[tuple[int, Measure]]:
    """Every measure but the dropped ones, numbered 1… by dimension (model order), then as entered.
    The Bewertung matrix, the dependency graph and their tables share these numbers."""
    cat = catalogue()
    live = [m for m in strategy.measures if m.status is not Status.VERWORFEN]

    def dim_index(m: Measure) -> int:
        dim = cat.dimension(m.dimension)
        return dim.index if dim else len(cat.dimensions)

    ordered = sorted(enumerate(live), key=lambda t: (dim_index(t[1]), t[0]))
    return [(i + 1, m) for i, (_, m) in enumerate(ordered)]
