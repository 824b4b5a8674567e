"""What-if and re-planning on the roadmap: the impact of a slipping measure, and a scheduling
proposal with the earliest dates that respect every dependency.

Both work on measures on the roadmap only (see schedule.on_roadmap) and move whole
measures: a measure keeps its duration, an open-ended one keeps being open-ended.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field, replace

import networkx as nx

from .graph import build_graph, topological_layers
from .months import Month
from .schedule import Conflict, on_roadmap, ready_month, roadmap_end, schedule_conflicts, tie_key
from .strategy import Measure, Status, Strategy


@dataclass(frozen=True)
class Move:
    """A measure moved by `months` (start and end alike)."""

    key: str
    months: int
    start: Month
    end: Month | None

    @property
    def new_start(self) -> Month:
        return self.start + self.months

    @property
    def new_end(self) -> Month | None:
        return self.end + self.months if self.end is not None else None


@dataclass(frozen=True)
class SlipImpact:
    """What follows when measure `measure` slips by `months`."""

    measure: str
    months: int
    moves: list[Move]  # the slipped measure first, then the dependents that must follow, in logical order
    end_before: Month | None
    end_after: Month | None

    @property
    def end_delta(self) -> int:
        """How many months later the roadmap ends."""
        if self.end_before is None or self.end_after is None:
            return 0
        return self.end_after - self.end_before

    @property
    def followers(self) -> list[Move]:
        return [mv for mv in self.moves if mv.key != self.measure]


def slip_impact(measures: list[Measure], key: str, months: int) -> SlipImpact:
    """Slip `key` by `months` and move its dependents, transitively, only as far as their
    dependencies require (the minimal shifts).

    A dependent with slack (it starts after its prerequisite's last month) absorbs that much
    of the slip. A dependency that was already in conflict keeps its overlap: the slip does
    not make it worse, and it does not silently repair it either.
    """
    if months < 0:
        raise ValueError("Eine Verschiebung ist eine positive Zahl von Monaten.")
    roadmap = [m for m in measures if on_roadmap(m)]
    by_key = {m.key: m for m in roadmap}
    if key not in by_key:
        raise ValueError(f"Die Maßnahme „{key}“ ist nicht auf dem Fahrplan (kein Beginn, Backlog oder verworfen).")
    graph = build_graph(roadmap)
    affected = graph.subgraph({key} | nx.descendants(graph, key))
    layers, _ = topological_layers(affected)
    shift = {key: months}
    order = [k for layer in layers for k in sorted(layer, key=lambda k: tie_key(by_key[k]))]
    for k in order:
        if k == key:
            continue
        m = by_key[k]
        need = 0
        for p in affected.predecessors(k):
            slack = max(0, m.start - ready_month(by_key[p]))
            need = max(need, shift.get(p, 0) - slack)
        if need > 0:
            shift[k] = need
    moves = [Move(k, shift[k], by_key[k].start, by_key[k].end) for k in order if shift.get(k, 0) > 0 or k == key]
    moved = [_shifted(m, shift.get(m.key, 0)) for m in roadmap]
    return SlipImpact(key, months, moves, roadmap_end(roadmap), roadmap_end(moved))


def _shifted(m: Measure, months: int) -> Measure:
    if not months:
        return m
    return replace(m, start=m.start + months, end=m.end + months if m.end is not None else None)


# --- scheduling proposal -------------------------------------------------------------

# Measures that have begun (or are done) keep their dates: a proposal cannot move the past
# (nor start a measure that has not begun in it: see `today`).
FIXED_STATUSES = (Status.ABGESCHLOSSEN, Status.IN_UMSETZUNG, Status.FORTLAUFEND)


@dataclass(frozen=True)
class Placement:
    """One measure in a proposal: its current and its proposed dates, and why."""

    key: str
    start: Month
    end: Month | None
    proposed_start: Month
    proposed_end: Month | None
    fixed: bool = False
    after: str | None = None  # the prerequisite whose end set the proposed start
    owner: str | None = None  # the lead owner whose capacity delayed it further

    @property
    def moved(self) -> bool:
        return self.proposed_start != self.start

    @property
    def delta(self) -> int:
        """Months later (positive) or earlier (negative) than planned."""
        return self.proposed_start - self.start


@dataclass
class Proposal:
    """Earliest dates for the roadmap's measures that respect every dependency."""

    placements: list[Placement]
    max_parallel: int | None = None
    keep_planned: bool = True
    earliest: Month | None = None
    today: Month | None = None  # no measure that has not begun is proposed to start before this month
    end_before: Month | None = None
    end_after: Month | None = None
    remaining_conflicts: list[Conflict] = field(default_factory=list)

    def placement(self, key: str) -> Placement | None:
        return next((p for p in self.placements if p.key == key), None)

    @property
    def moved(self) -> list[Placement]:
        return [p for p in self.placements if p.moved]

    def apply(self, measures: list[Measure]) -> list[Measure]:
        """Copies of the measures with the proposed dates."""
        by_key = {p.key: p for p in self.placements}
        out = []
        for m in measures:
            p = by_key.get(m.key)
            out.append(replace(m, start=p.proposed_start, end=p.proposed_end) if p and p.moved else m)
        return out


def begun(m: Measure) -> bool:
    """Has begun (or is done): by its status or a recorded actual month."""
    return m.status in FIXED_STATUSES or m.actual_start is not None or m.actual_end is not None


def _release(m: Measure, floor: Month, keep_planned: bool, earliest: Month | None, today: Month | None) -> Month:
    """The earliest month a movable measure may start in, before dependencies: never before
    today's month — a measure that has not begun cannot start in the past."""
    start = (max(m.start, earliest) if earliest else m.start) if keep_planned else floor
    return max(start, today) if today is not None else start


def propose_schedule(
    strategy: Strategy,
    max_parallel: int | None = None,
    keep_planned: bool = True,
    earliest: Month | None = None,
    today: Month | None = None,
) -> Proposal:
    """Earliest dates that respect every dependency while keeping each measure's duration.

    today: a measure that has not begun is never proposed to start before this month.

    keep_planned: no measure starts earlier than planned now (the proposal only pushes what
    must move); otherwise every planned measure may move up to `earliest`, else the window's
    start. max_parallel: at most K measures with a common lead owner run in the same month
    (open-ended measures are standing tasks and do not count). Measures that have begun keep
    their dates. Measures are placed one by one, earliest possible start first, ties by
    Dringlichkeit and title: a good proposal, not a proven optimum.
    """
    fixed = {m.key for m in strategy.measures if begun(m)}
    if max_parallel is not None and max_parallel < 1:
        raise ValueError("Höchstens K parallele Maßnahmen: K muss mindestens 1 sein.")
    roadmap = [m for m in strategy.measures if on_roadmap(m)]
    by_key = {m.key: m for m in roadmap}
    graph = build_graph(roadmap)
    floor = earliest or strategy.window_start or min((m.start for m in roadmap), default=None)
    usage: dict[str, Counter[int]] = {}

    def occupy(m: Measure, start: Month) -> None:
        if m.end is None or max_parallel is None:
            return
        for o in m.lead_owners:
            months = usage.setdefault(o.name, Counter())
            for i in range(start.index, start.index + m.duration):
                months[i] += 1

    def first_free(m: Measure, start: Month) -> tuple[Month, str | None]:
        if m.end is None or max_parallel is None:
            return start, None
        s, blocker = start.index, None
        while True:
            busy = next(
                (
                    (i, o.name)
                    for i in range(s, s + m.duration)
                    for o in m.lead_owners
                    if usage.get(o.name, Counter())[i] >= max_parallel
                ),
                None,
            )
            if busy is None:
                return Month.from_index(s), blocker
            s, blocker = busy[0] + 1, busy[1]

    for m in roadmap:
        if m.key in fixed:
            occupy(m, m.start)
    placed: dict[str, Placement] = {}
    indegree = dict(graph.in_degree())
    heap: list[tuple] = []

    def push(k: str) -> None:
        m = by_key[k]
        if k in fixed:
            heapq.heappush(heap, (m.start.index, tie_key(m), k, None))
            return
        start, after = _release(m, floor, keep_planned, earliest, today), None
        for p in graph.predecessors(k):
            pp = placed[p]
            ready = pp.proposed_end if pp.proposed_end is not None else pp.proposed_start
            if ready > start:
                start, after = ready, p
        heapq.heappush(heap, (start.index, tie_key(m), k, after))

    for k, d in indegree.items():
        if d == 0:
            push(k)
    while heap:
        index, _, k, after = heapq.heappop(heap)
        m = by_key[k]
        if k in fixed:
            placed[k] = Placement(k, m.start, m.end, m.start, m.end, fixed=True)
        else:
            start, owner = first_free(m, Month.from_index(index))
            occupy(m, start)
            end = start + (m.duration - 1) if m.end is not None else None
            placed[k] = Placement(k, m.start, m.end, start, end, after=after, owner=owner)
        for succ in graph.successors(k):
            indegree[succ] -= 1
            if indegree[succ] == 0:
                push(succ)
    # measures on a dependency cycle cannot be placed: they keep their dates
    placements = [placed.get(m.key) or Placement(m.key, m.start, m.end, m.start, m.end, fixed=True) for m in roadmap]
    proposal = Proposal(placements, max_parallel, keep_planned, earliest, today, end_before=roadmap_end(roadmap))
    after_measures = proposal.apply(roadmap)
    proposal.end_after = roadmap_end(after_measures)
    proposal.remaining_conflicts = schedule_conflicts(after_measures)
    return proposal
