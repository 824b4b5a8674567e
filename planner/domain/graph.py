"""The dependency graph of a strategy's measures (networkx).

Edges run from prerequisite to dependent: an edge a -> b means "b depends on a".
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from .strategy import Measure


def build_graph(measures: Iterable[Measure]) -> nx.DiGraph:
    """A directed graph with one node per measure key and an edge per dependency."""
    graph = nx.DiGraph()
    measures = list(measures)
    for m in measures:
        graph.add_node(m.key)
    for m in measures:
        for prerequisite in m.depends_on:
            if prerequisite in graph:
                graph.add_edge(prerequisite, m.key)
    return graph


def find_cycles(graph: nx.DiGraph) -> list[list[str]]:
    """Every elementary cycle, each as the keys along it, starting at its smallest key."""
    cycles = []
    for cycle in nx.simple_cycles(graph):
        i = cycle.index(min(cycle))
        cycles.append(cycle[i:] + cycle[:i])
    return sorted(cycles, key=lambda c: (len(c), c))


def cycle_through(graph: nx.DiGraph, prerequisite: str, dependent: str) -> list[str] | None:
    """The cycle the edge prerequisite -> dependent would close, or None.

    Adding "dependent depends on prerequisite" closes a cycle when the
    dependent already is (transitively) a prerequisite of the prerequisite.
    """
    if prerequisite == dependent:
        return [dependent]
    if dependent not in graph or prerequisite not in graph:
        return None
    try:
        path = nx.shortest_path(graph, dependent, prerequisite)
    except nx.NetworkXNoPath:
        return None
    return path
