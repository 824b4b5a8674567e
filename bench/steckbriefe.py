"""Steckbriefe benchmarks: the PDF bundle (cover, contents, one page per measure) and the Word
file for 30 measures with every field filled in, for 30 crowded measures (long texts, many
owners: every sheet needs the smaller type, so the PDF is laid out more than once), and for 100.
Generates its own strategies.

Run from the repository root: .venv/bin/python -m bench.steckbriefe
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from planner.domain.catalogue import catalogue
from planner.domain.months import Month
from planner.domain.strategy import Measure, Owner, OwnerRole, Rating, Status
from planner.domain.verstetigung import TrackedStrategy
from planner.steckbriefe import bundle_view
from planner.steckbriefe.render import bundle_pdf, render_document
from planner.steckbriefe.word import bundle_docx

START = Month(2025, 1)
SENTENCE = (
    "Im Rahmen der Digitalisierung von Prozessen werden neue Technologien, Methoden und Werkzeuge "
    "eingeführt; die Schulung der betroffenen Mitarbeitenden ist ein Schlüssel zur nachhaltigen Nutzung. "
)


def generated_strategy(n: int, crowded: bool = False, seed: int = 11) -> TrackedStrategy:
    """n measures with every Steckbrief field; `crowded` gives each long texts and 12 owners."""
    rnd = random.Random(seed)
    dims = catalogue().dimension_names
    people = [f"Mitarbeiterin {chr(65 + i)}. Müller-Lüdenscheidt" for i in range(12)]
    measures = []
    for i in range(n):
        start = START + rnd.randrange(0, 18)
        owners = 12 if crowded else rnd.randint(1, 4)
        measures.append(
            Measure(
                key=f"m{i:03d}",
                title=f"Einführung eines digitalen Verfahrens für Aufgabe {i:03d} im Gesundheitsamt",
                dimension=dims[i % len(dims)],
                description=SENTENCE * (6 if crowded else rnd.randint(1, 3)),
                goal=SENTENCE * (3 if crowded else 1),
                subdimensions=[catalogue().dimensions[i % len(dims)].subdimensions[0]],
                target_stage=3,
                urgency=rnd.choice([*Rating, None]),
                feasibility=rnd.choice([*Rating, None]),
                status=rnd.choice([Status.GEPLANT, Status.IN_UMSETZUNG, Status.FORTLAUFEND]),
                second_loop=rnd.random() < 0.2,
                owners=[
                    Owner(p, OwnerRole.LEAD if k == 0 else OwnerRole.SUPPORT)
                    for k, p in enumerate(rnd.sample(people, owners))
                ],
                actors=["Haupt-/Personalamt", "IT", "Personalrat", "Datenschutzbeauftragte"][: rnd.randint(1, 4)]
                * (3 if crowded else 1),
                requirements=["Beteiligung Personalrat", "gesetzliche Anforderungen", "Datenschutzkonformität"],
                start=start,
                end=start + rnd.randrange(2, 10),
                depends_on=[f"m{j:03d}" for j in rnd.sample(range(i), min(i, rnd.randint(0, 3)))],
                examples=["samedi", "Miro", "d.3-Schulungen"][: rnd.randint(0, 3)],
                steps=[f"Schritt {k + 1}: {SENTENCE[:90]}" for k in range(8 if crowded else rnd.randint(0, 4))],
            )
        )
    return TrackedStrategy(
        organisation="Bench-Gesundheitsamt",
        title=f"Generierte Strategie mit {n} Maßnahmen",
        version="1.0",
        vision="Ein digitales, bürgernahes Gesundheitsamt. " * 3,
        mission="Schritt für Schritt, gemeinsam mit den Mitarbeitenden. " * 3,
        measures=measures,
    )


def _median(fn: Callable[[], object], runs: int = 3) -> tuple[float, float]:
    """Median wall-clock and CPU seconds: on a shared machine the CPU time is the steadier figure."""
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    # WeasyPrint's first call loads fonts and the stylesheets: reported apart, not in the medians
    warm = bundle_view(generated_strategy(2))
    t = time.perf_counter()
    bundle_pdf(warm)
    print(f"first PDF in the process (fonts, stylesheets): {time.perf_counter() - t:.2f} s")
    for label, n, crowded in (
        ("30 measures", 30, False),
        ("30 crowded measures", 30, True),
        ("100 measures", 100, False),
    ):
        strategy = generated_strategy(n, crowded)
        pdf_seconds = _median(lambda s=strategy: bundle_pdf(bundle_view(s)))
        docx_seconds = _median(lambda s=strategy: bundle_docx(bundle_view(s)))
        bundle = bundle_view(strategy)
        pages = len(render_document(bundle).pages)
        dense = sum(1 for s in bundle.sheets if s.density)
        print(
            f"{label}: PDF {pdf_seconds[0]:.2f} s (CPU {pdf_seconds[1]:.2f} s; {pages} pages, "
            f"{dense} sheets in smaller type), Word {docx_seconds[0]:.2f} s (CPU {docx_seconds[1]:.2f} s); medians of 3"
        )


if __name__ == "__main__":
    main()
