"""What the roadmap's dates and dependencies say together: schedule conflicts, the logical
order in waves, the critical path and redundant links.

Who takes part: only measures on the roadmap (a start month, status neither Backlog nor
verworfen) have dates to compare, so conflicts and the critical path look at those alone.
The logical order covers every measure that is still to be done or running (everything but
Backlog and verworfen), with or without dates. Dependencies on measures that take no part
are ignored by the analysis that leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .german import collation_key
from .graph import build_graph, find_cycles, redundant_edges, topological_layers
from .months import Month, month_text
from .strategy import Measure, Rating, Status, Strategy


def on_roadmap(m: Measure) -> bool:
    """Has dates that count: a start, and neither Backlog nor verworfen."""
    return m.is_planned


def in_order(m: Measure) -> bool:
    """Takes part in the logical order: neither Backlog nor verworfen."""
    return m.status.in_roadmap


_RANK = {r: i + 1 for i, r in enumerate(Rating)}  # Rating.rank, without its list look-up per call


def tie_key(m: Measure) -> tuple:
    """Stable tie-break: higher Dringlichkeit first, unknown last, then title (German), then id."""
    urgency = -_RANK[m.urgency] if m.urgency else 1
    return (urgency, collation_key(m.title), m.key)


def ready_month(prerequisite: Measure) -> Month:
    """The first month a dependent may start in: the prerequisite's last month (the same month
    is allowed at month granularity), or its start when it is open-ended ("ab 04/2023")."""
    assert prerequisite.start is not None
    return prerequisite.end if prerequisite.end is not None else prerequisite.start


@dataclass(frozen=True)
class Conflict:
    """`measure` starts before the measure it depends on (`depends_on`) allows."""

    measure: str
    depends_on: str
    starts: Month
    prerequisite_starts: Month
    prerequisite_ends: Month | None  # None: open-ended prerequisite

    @property
    def open_ended(self) -> bool:
        return self.prerequisite_ends is None

    @property
    def months_early(self) -> int:
        """How many months too early the dependent starts."""
        return (self.prerequisite_ends or self.prerequisite_starts) - self.starts

    def to_json(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "depends_on": self.depends_on,
            "starts": str(self.starts),
            "prerequisite_ends": month_text(self.prerequisite_ends),
        }


def schedule_conflicts(measures: list[Measure]) -> list[Conflict]:
    """Every dependency whose dependent starts before its prerequisite's last month (or, for an
    open-ended prerequisite, before its start); in the measures' order, prerequisites by id."""
    by_key = {m.key: m for m in measures if on_roadmap(m)}
    conflicts = []
    for m in measures:
        if m.key not in by_key:
            continue
        for pre_key in sorted(set(m.depends_on)):
            pre = by_key.get(pre_key)
            if pre is None or pre_key == m.key:
                continue
            if m.start < ready_month(pre):
                conflicts.append(Conflict(m.key, pre.key, m.start, pre.start, pre.end))
    return conflicts


def waves(measures: list[Measure]) -> list[list[str]]:
    """The logical order in waves: wave 1 has no prerequisites, wave n needs only earlier waves.

    Within a wave: higher Dringlichkeit first (unknown last), then title. Measures on or
    behind a dependency cycle have no place and are left out.
    """
    members = [m for m in measures if in_order(m)]
    keys = {m.key: tie_key(m) for m in members}
    layers, _blocked = topological_layers(build_graph(members))
    return [sorted(layer, key=keys.__getitem__) for layer in layers]


def logical_order(measures: list[Measure]) -> list[str]:
    """A topological order: the waves one after the other."""
    return [k for wave in waves(measures) for k in wave]


def critical_path(measures: list[Measure]) -> tuple[list[str], int]:
    """Among measures on the roadmap with start and end, the chain of dependent measures with the
    largest total duration (months inclusive, summed); with that total. Ties go to the chain
    whose measures come first by Dringlichkeit and title."""
    dated = [m for m in measures if on_roadmap(m) and m.end is not None]
    if not dated:
        return [], 0
    by_key = {m.key: m for m in dated}
    graph = build_graph(dated)
    layers, blocked = topological_layers(graph)
    keys = {m.key: tie_key(m) for m in dated}
    rank = {k: i for i, k in enumerate(sorted(by_key, key=keys.__getitem__))}
    best: dict[str, int] = {}
    previous: dict[str, str | None] = {}
    for layer in layers:
        for k in layer:
            preds = [p for p in graph.predecessors(k) if p in best]
            before = min(preds, key=lambda p: (-best[p], rank[p]), default=None)
            best[k] = by_key[k].duration + (best[before] if before is not None else 0)
            previous[k] = before
    if not best:
        return [], 0
    last = min(best, key=lambda k: (-best[k], rank[k]))
    path = [last]
    while previous[path[-1]] is not None:
        path.append(previous[path[-1]])
    path.reverse()
    return path, best[last]


def roadmap_end(measures: list[Measure]) -> Month | None:
    """The last month of the roadmap: the latest end, or start of an open-ended measure."""
    months = [m.end or m.start for m in measures if on_roadmap(m)]
    return max(months, default=None)


@dataclass
class Analysis:
    """Everything `planner check` and the Fahrplan report about a strategy's roadmap."""

    cycles: list[list[str]] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    waves: list[list[str]] = field(default_factory=list)
    critical_path: list[str] = field(default_factory=list)
    critical_path_months: int = 0
    redundant: list[tuple[str, str]] = field(default_factory=list)
    backlog: list[str] = field(default_factory=list)

    @property
    def order(self) -> list[str]:
        return [k for wave in self.waves for k in wave]

    def conflicting(self) -> set[str]:
        """Keys of measures that start too early."""
        return {c.measure for c in self.conflicts}

    def to_json(self) -> dict[str, Any]:
        return {
            "cycles": self.cycles,
            "conflicts": [c.to_json() for c in self.conflicts],
            "order": self.order,
            "waves": self.waves,
            "critical_path": self.critical_path,
            "critical_path_months": self.critical_path_months,
            "redundant_dependencies": [{"measure": d, "depends_on": p} for p, d in self.redundant],
            "backlog": self.backlog,
        }


def analyse(strategy: Strategy, graph: nx.DiGraph | None = None) -> Analysis:
    """Run every analysis of the roadmap once."""
    measures = strategy.measures
    graph = graph if graph is not None else build_graph(measures)
    path, months = critical_path(measures)
    _, blocked = topological_layers(graph)
    return Analysis(
        # simple_cycles is the slow part on large graphs; a graph Kahn can fully order has none
        cycles=find_cycles(graph) if blocked else [],
        conflicts=schedule_conflicts(measures),
        waves=waves(measures),
        critical_path=path,
        critical_path_months=months,
        redundant=redundant_edges(graph),
        backlog=[m.key for m in measures if m.status is Status.BACKLOG],
    )


def summary_lines(report: dict[str, Any]) -> list[str]:
    """German lines for `planner check` from the JSON keys of `Analysis.to_json`."""
    lines = []
    for cycle in report.get("cycles", []):
        lines.append("Zyklus: " + " → ".join([*cycle, cycle[0]]))
    conflicts = report.get("conflicts", [])
    lines.append(f"Zeitkonflikte: {len(conflicts)}" if conflicts else "Zeitkonflikte: keine")
    for c in conflicts:
        if c["prerequisite_ends"]:
            why = f"endet {Month.parse(c['prerequisite_ends']).german()}"
        else:
            why = "fortlaufend, beginnt später"
        lines.append(
            f"  {c['measure']} beginnt {Month.parse(c['starts']).german()}, hängt ab von {c['depends_on']} ({why})"
        )
    if report.get("waves"):
        n = len(report["waves"])
        lines.append(f"Logische Reihenfolge: {n} Welle{'' if n == 1 else 'n'}")
    if report.get("critical_path"):
        lines.append(
            f"Kritischer Pfad ({report['critical_path_months']} Monate): " + " → ".join(report["critical_path"])
        )
    for r in report.get("redundant_dependencies", []):
        lines.append(f"Hinweis: {r['measure']} → {r['depends_on']} ist bereits über andere Abhängigkeiten gegeben")
    return lines
