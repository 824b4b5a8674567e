"""Roadmap benchmarks: the analysis for 60, 300 and 1,000 measures and for 5,000 measures with
10,000 dependencies; the Fahrplan chart, the Maßnahmenbewertung and the dependency graph for 60,
300 and 1,000 measures. Generates its own strategies.

Run from the repository root: .venv/bin/python -m bench.roadmap
"""

from __future__ import annotations

import os
import random

from bench._timing import timed
from planner.domain.catalogue import catalogue
from planner.domain.months import Month
from planner.domain.strategy import Measure, Owner, Rating, Status, Strategy

START = Month(2025, 1)


def generated_strategy(n: int, edges: int, seed: int = 7) -> Strategy:
    """n measures over a two-year window, `edges` random dependencies (always to an earlier
    measure, so the graph is acyclic), some open-ended, some in the backlog, some done."""
    rnd = random.Random(seed)
    dims = catalogue().dimension_names
    owners = [f"Person {i}" for i in range(max(3, n // 8))]
    measures = []
    for i in range(n):
        start = START + rnd.randrange(0, 22)
        roll = rnd.random()
        status = Status.BACKLOG if roll < 0.05 else Status.ABGESCHLOSSEN if roll < 0.15 else Status.GEPLANT
        open_ended = rnd.random() < 0.05
        measures.append(
            Measure(
                key=f"m{i:05d}",
                title=f"Maßnahme {i:05d} zur Digitalisierung",
                dimension=dims[i % len(dims)],
                urgency=rnd.choice([*Rating, None]),
                feasibility=rnd.choice([*Rating, None]),
                status=status,
                owners=[Owner(rnd.choice(owners))],
                start=None if status is Status.BACKLOG else start,
                end=None if status is Status.BACKLOG or open_ended else start + rnd.randrange(0, 8),
            )
        )
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < edges:
        a, b = rnd.randrange(n), rnd.randrange(n)
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    for a, b in sorted(pairs):
        measures[b].depends_on.append(measures[a].key)
    return Strategy(
        organisation="Bench-Gesundheitsamt",
        title=f"Generierte Strategie mit {n} Maßnahmen",
        window_start=START,
        window_end=START + 23,
        measures=measures,
    )


def main() -> None:
    from planner.domain.findings import check_report
    from planner.domain.planning import propose_schedule, slip_impact
    from planner.domain.schedule import analyse

    # figures are medians; on a shared machine they grow with its load, so say what it was
    print(f"Rechner: {os.cpu_count()} CPUs, Last (1 min) {os.getloadavg()[0]:.1f}")
    print("Analyse je Strategiegröße (alle Analysen von planner check)")
    for n in (60, 300, 1000):
        s = generated_strategy(n, n * 2, seed=n)
        seconds, _ = timed(lambda s=s: check_report(s), 5)
        print(f"  {n:>5} Maßnahmen, {n * 2:>5} Abhängigkeiten: {seconds * 1000:.1f} ms")
    big = generated_strategy(5000, 10000)
    edges = sum(len(m.depends_on) for m in big.measures)
    print(f"Analyse: {len(big.measures)} Maßnahmen, {edges} Abhängigkeiten")
    seconds, analysis = timed(lambda: analyse(big), 5)
    print(
        f"  Analyse (Zyklen, Konflikte, Wellen, kritischer Pfad, redundante Links): {seconds * 1000:.0f} ms"
        f"  [{len(analysis.conflicts)} Konflikte, {len(analysis.waves)} Wellen,"
        f" kritischer Pfad {len(analysis.critical_path)} Maßnahmen / {analysis.critical_path_months} Monate,"
        f" {len(analysis.redundant)} redundante Links]"
    )
    seconds, _ = timed(lambda: check_report(big), 5)
    print(f"  planner check (alle JSON-Schlüssel):                 {seconds * 1000:.0f} ms")
    first = big.measures[0].key
    seconds, impact = timed(lambda: slip_impact(big.measures, first, 3), 5)
    print(f"  Verschiebung um 3 Monate ({len(impact.moves)} Maßnahmen bewegt):   {seconds * 1000:.0f} ms")
    seconds, _ = timed(lambda: propose_schedule(big), 3)
    print(f"  Planungsvorschlag:                                  {seconds * 1000:.0f} ms")
    seconds, _ = timed(lambda: propose_schedule(big, max_parallel=2), 3)
    print(f"  Planungsvorschlag, höchstens 2 parallel je Lead:    {seconds * 1000:.0f} ms")

    from datetime import date

    from planner.charts.common import render
    from planner.charts.gantt import gantt_chart, gantt_text

    today = date(2025, 11, 1)
    print("Umsetzungsfahrplan (Diagramm aufbauen und rendern, mit Abhängigkeitspfeilen und kritischem Pfad)")
    for n in (60, 300, 1000):
        s = generated_strategy(n, n * 2 // 3, seed=n)
        analysis = analyse(s)
        for fmt in ("svg", "png", "pdf"):

            def chart(s=s, analysis=analysis, fmt=fmt) -> bytes:
                fig = gantt_chart(s, analysis, today=today, dependencies=True, critical=True)
                return render(fig, fmt, *gantt_text(s, analysis, today))

            chart()  # warm-up: font loading and caches, as in a running server
            seconds, data = timed(chart, 3)
            print(f"  {n:>4} Maßnahmen, {fmt.upper()}: {seconds * 1000:.0f} ms ({len(data) // 1024} KiB)")

    from planner.charts.depgraph import dependency_chart
    from planner.charts.matrix import matrix_chart

    print("Maßnahmenbewertung und Abhängigkeitsgraph (SVG, wie auf den Seiten)")
    for n in (60, 300, 1000):
        s = generated_strategy(n, n * 2 // 3, seed=n)
        analysis = analyse(s)
        for name, build in (
            ("Bewertung", lambda s=s: matrix_chart(s)),
            ("Abhängigkeiten", lambda s=s, a=analysis: dependency_chart(s, a)),
        ):
            seconds, data = timed(lambda build=build: render(build(), "svg"), 3)
            print(f"  {n:>4} Maßnahmen, {name}: {seconds * 1000:.0f} ms ({len(data) // 1024} KiB)")


if __name__ == "__main__":
    main()
