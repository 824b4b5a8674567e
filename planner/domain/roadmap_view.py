"""What the Umsetzungsfahrplan shows, as data: the window, the rows grouped by dimension, and
the measures listed apart. The chart and the table next to it are drawn from this one source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .catalogue import Dimension, catalogue
from .months import Month
from .schedule import on_roadmap
from .strategy import Measure, Status, Strategy


@dataclass(frozen=True)
class Bar:
    """One measure's bar, cut to the window."""

    measure: Measure
    dimension: Dimension
    start: Month  # first month drawn
    end: Month  # last month drawn (the window's end for an open-ended measure)
    before_window: bool  # begins before the window
    after_window: bool  # ends after the window, or is open-ended

    @property
    def completed(self) -> bool:
        return self.measure.status is Status.ABGESCHLOSSEN


@dataclass
class RoadmapView:
    """Rows in the model's dimension order; backlog, unplanned and out-of-window measures apart."""

    window_start: Month
    window_end: Month
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

    def bar(self, key: str) -> Bar | None:
        return next((b for b in self.bars if b.measure.key == key), None)


def default_window(strategy: Strategy, today: date | None = None) -> tuple[Month, Month]:
    """The strategy's roadmap window; without one, the whole years its planned measures span."""
    if strategy.window_start and strategy.window_end:
        return strategy.window_start, strategy.window_end
    months = [x for m in strategy.measures if on_roadmap(m) for x in (m.start, m.end) if x is not None]
    if not months:
        year = (today or date.today()).year
        return Month(year, 1), Month(year + 1, 12)
    first, last = min(months), max(months)
    return Month(first.year, 1), Month(max(last.year, first.year + 1), 12)


def roadmap_view(strategy: Strategy, today: date | None = None) -> RoadmapView:
    """Group the roadmap's measures by dimension (catalogue order), each group by start month."""
    start, end = default_window(strategy, today)
    view = RoadmapView(start, end)
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
        last = m.end or end
        if m.start > end or last < start:
            view.outside.append(m)
            continue
        dim = cat.dimension(m.dimension) or cat.dimensions[0]
        bar = Bar(m, dim, max(m.start, start), min(last, end), m.start < start, m.end is None or m.end > end)
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
