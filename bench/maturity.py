"""Maturity benchmarks: levels from criteria answers (the full model's 356 criteria and a
10,000-criteria stress case), the levels report of many assessments (45 offices × 10), the
comparison of many pairs, the funding check and the gap analysis of a large strategy, the
criteria import (CSV and XLSX at the 5,000-row limit), the radar chart and the Anlage 1 XLSX.
Generates its own inputs.

Run from the repository root: .venv/bin/python -m bench maturity (or -m bench.maturity)
"""

from __future__ import annotations

import random
from datetime import date

from bench._timing import timed
from planner.domain.catalogue import catalogue
from planner.domain.maturity import Answer, Assessment, CriterionAnswer

ANSWERS = [Answer.TRIFFT_ZU] * 6 + [Answer.IN_UMSETZUNG, Answer.TRIFFT_NICHT_ZU, Answer.NICHT_BEEINFLUSSBAR]


def generated_answers(n: int, seed: int) -> list[CriterionAnswer]:
    """n answered criteria spread over all 27 subdimensions and 5 stages (mostly "Trifft zu")."""
    rnd = random.Random(seed)
    subs = catalogue().subdimension_names
    stages = catalogue().stages
    return [
        CriterionAnswer(
            subs[i % len(subs)], stages[(i // len(subs)) % len(stages)], f"Kriterium {i}", rnd.choice(ANSWERS)
        )
        for i in range(n)
    ]


def generated_sheet(when: date, rnd: random.Random) -> Assessment:
    """A result sheet with a level (or "–") for every subdimension."""
    return Assessment(when, {s: rnd.choice([None, 0, 1, 2, 3, 4]) for s in catalogue().subdimension_names})


def _levels(a: Assessment) -> tuple[dict, dict]:
    subs = a.subdimension_levels()
    return subs, a.dimension_levels()


def bench_levels() -> None:
    from planner.domain.maturity import levels_report

    print("Stufen aus Kriterienantworten (80-%-Regel, kumulativ, Dimension = Minimum)")
    for n in (356, 2_000, 10_000):
        a = Assessment(date(2024, 11, 7), answers=generated_answers(n, seed=n))
        seconds, (subs, dims) = timed(lambda a=a: _levels(a), 7)
        print(
            f"  {n:>6} Kriterien, eine Messung: {seconds * 1000:7.2f} ms  [{len(subs)} Subdimensionen, {len(dims)} Dimensionen]"
        )
    many = [
        Assessment(date(2015 + i % 10, 1 + i % 12, 1 + i % 28), answers=generated_answers(356, seed=i))
        for i in range(450)
    ]
    seconds, report = timed(lambda: levels_report(many), 3)
    print(
        f"  450 Messungen à 356 Kriterien (45 Ämter × 10), JSON-Bericht: {seconds * 1000:7.0f} ms"
        f"  [{len(report['assessments'])} Messungen]"
    )
    sheets = [generated_sheet(date(2020, 1, 1), random.Random(i)) for i in range(1_000)]
    seconds, _ = timed(lambda: [_levels(s) for s in sheets], 5)
    print(f"  1.000 Ergebnisblätter, Stufen je Subdimension und Dimension: {seconds * 1000:7.1f} ms")


def bench_comparison() -> None:
    from planner.domain.maturity import compare_assessments as compare

    rnd = random.Random(3)
    pairs = [(generated_sheet(date(2022, 6, 9), rnd), generated_sheet(date(2024, 11, 7), rnd)) for _ in range(1_000)]

    def run() -> int:
        return sum(len(compare(a, b).improved(2)) for a, b in pairs)

    seconds, improved = timed(run, 5)
    print(
        f"Vergleich: 1.000 Messungspaare (27 Subdimensionen, 8 Dimensionen, ≥ 2 Stufen verbessert): {seconds * 1000:.1f} ms"
        f"  [{improved} verbesserte Dimensionen insgesamt]"
    )
    a = Assessment(date(2022, 6, 9), answers=generated_answers(356, seed=1))
    b = Assessment(date(2024, 11, 7), answers=generated_answers(356, seed=2))
    seconds, _ = timed(lambda: compare(a, b), 7)
    print(f"  zwei Kriterienbewertungen à 356 Kriterien: {seconds * 1000:.2f} ms")


def generated_strategy(n: int, seed: int = 11):
    """n measures with subdimensions, target stages, budgets and funding calls."""
    from planner.domain.months import Month
    from planner.domain.strategy import Measure, Status, Strategy

    rnd = random.Random(seed)
    cat = catalogue()
    calls = ["foerderaufruf-1", "3. Förderaufruf", None]
    measures = []
    for i in range(n):
        dim = cat.dimensions[i % len(cat.dimensions)]
        start = Month(2024, 9) + rnd.randrange(0, 20)
        status = rnd.choice([Status.GEPLANT, Status.IN_UMSETZUNG, Status.BACKLOG, Status.ABGESCHLOSSEN])
        measures.append(
            Measure(
                key=f"m{i:05d}",
                title=f"Maßnahme {i:05d}",
                dimension=dim.name,
                subdimensions=rnd.sample(list(dim.subdimensions), k=min(2, len(dim.subdimensions))) if i % 10 else [],
                target_stage=rnd.choice([None, 2, 3, 4]),
                status=status,
                start=None if status is Status.BACKLOG else start,
                end=None if status is Status.BACKLOG else start + rnd.randrange(0, 10),
                budget=round(rnd.uniform(5_000, 250_000), 2) if i % 7 else None,
                funding_call=rnd.choice(calls),
            )
        )
    return Strategy(
        organisation="Bench-Gesundheitsamt",
        title=f"Generierte Strategie mit {n} Maßnahmen",
        window_start=Month(2024, 9),
        window_end=Month(2026, 8),
        measures=measures,
    )


def bench_funding_and_gaps() -> None:
    from planner.domain.funding import check_call, funding_calls
    from planner.domain.maturity import planned_levels
    from planner.domain.maturity_gaps import gap_analysis

    rnd = random.Random(5)
    base = generated_sheet(date(2024, 6, 1), rnd).subdimension_levels()
    later = generated_sheet(date(2026, 6, 1), rnd).subdimension_levels()
    print("Förderaufrufe (alle drei, Regel für Regel) und Lückenanalyse")
    for n in (60, 1_000, 5_000):
        strategy = generated_strategy(n, seed=n)
        targets = planned_levels(base, {})

        def check_all(strategy=strategy, targets=targets) -> int:
            checks = [
                check_call(
                    c,
                    baseline_levels=base,
                    baseline_label="Basis",
                    outcome_levels=outcome,
                    outcome_label="Ziel",
                    measures=strategy.measures,
                    granted=1_000_000.0,
                )
                for c in funding_calls()
                for outcome in (targets, later)
            ]
            return sum(len(c.results) for c in checks)

        seconds, rules = timed(check_all, 5)
        gap_seconds, report = timed(lambda strategy=strategy: gap_analysis(strategy, base, date(2024, 6, 1), {}), 5)
        print(
            f"  {n:>5} Maßnahmen: 3 Aufrufe × 2 Vergleiche ({rules} Regeln) {seconds * 1000:7.1f} ms;"
            f" Lückenanalyse {gap_seconds * 1000:7.1f} ms  [{len(report.below_target)} unter Ziel,"
            f" {len(report.without_subdimension)} ohne Subdimension, {len(report.out_of_reach)} Dimensionen außer Reichweite]"
        )


def bench_files() -> None:
    from planner.domain.maturity import Criterion
    from planner.formats.criteria import MAX_ROWS, criteria_to_csv, criteria_to_xlsx, parse_csv, parse_xlsx

    crit = [
        Criterion(a.subdimension, a.stage, a.criterion + " " + "Text " * 20) for a in generated_answers(MAX_ROWS, 9)
    ]
    csv_data, xlsx_data = criteria_to_csv(crit), criteria_to_xlsx(crit)
    print(f"Kriterienimport ({MAX_ROWS} Zeilen, die Obergrenze; alles oder nichts)")
    seconds, parsed = timed(lambda: parse_csv(csv_data), 5)
    print(f"  CSV  ({len(csv_data) // 1024} KiB): {seconds * 1000:7.0f} ms  [{len(parsed)} Kriterien]")
    seconds, parsed = timed(lambda: parse_xlsx(xlsx_data), 3)
    print(f"  XLSX ({len(xlsx_data) // 1024} KiB): {seconds * 1000:7.0f} ms  [{len(parsed)} Kriterien]")


def bench_pictures() -> None:
    from planner.charts.radar import RadarSeries, radar_chart
    from planner.domain.maturity import dimension_targets
    from planner.formats.result_sheet import sheet_xlsx

    rnd = random.Random(8)
    a, b = generated_sheet(date(2022, 6, 9), rnd), generated_sheet(date(2024, 11, 7), rnd)
    series = [
        RadarSeries("Ausgangsmessung", a.dimension_levels(), "baseline"),
        RadarSeries("Letzte Messung", b.dimension_levels(), "latest"),
        RadarSeries("Ziel", dimension_targets({}), "target"),
    ]
    print("Bilder")
    for fmt in ("svg", "png", "pdf"):
        radar_chart(series, fmt)  # warm-up: fonts and caches, as in a running server
        seconds, data = timed(lambda fmt=fmt: radar_chart(series, fmt), 5)
        print(f"  Netzdiagramm {fmt.upper()}: {seconds * 1000:6.0f} ms ({len(data) // 1024} KiB)")
    crit = Assessment(date(2024, 11, 7), answers=generated_answers(356, seed=4))
    for label, assessment in (("Ergebnisblatt", b), ("356 Kriterien", crit)):
        seconds, data = timed(lambda assessment=assessment: sheet_xlsx("Bench-Gesundheitsamt", assessment), 5)
        print(f"  Anlage 1 XLSX ({label}): {seconds * 1000:6.0f} ms ({len(data) // 1024} KiB)")


def bench_pdf() -> None:
    """Anlage 1 as PDF: the page's Jinja template through WeasyPrint, as the download route does."""
    from types import SimpleNamespace

    from flask import render_template

    from planner import create_app
    from planner.domain.catalogue import catalogue as cat
    from planner.formats import result_sheet

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_ENGINES": {"default": "sqlite://"}})
    a = generated_sheet(date(2024, 11, 7), random.Random(2))
    m = SimpleNamespace(strategy=SimpleNamespace(organisation="Bench-Gesundheitsamt"))

    def pdf() -> bytes:
        with app.test_request_context("/"):
            html = render_template(
                "maturity/sheet_pdf.html",
                m=m,
                a=a,
                rows=result_sheet.sheet_rows(a),
                legend=result_sheet.legend(a),
                footer=result_sheet.footer("Bench-Gesundheitsamt", a),
                stages=cat().stages,
                title=result_sheet.TITLE,
                subtitle=result_sheet.SUBTITLE,
            )
            return result_sheet.html_to_pdf(html)

    pdf()  # warm-up: WeasyPrint import and fonts
    seconds, data = timed(pdf, 3)
    print(f"  Anlage 1 PDF (WeasyPrint): {seconds * 1000:6.0f} ms ({len(data) // 1024} KiB)")


def main() -> None:
    bench_levels()
    bench_comparison()
    bench_funding_and_gaps()
    bench_files()
    bench_pictures()
    bench_pdf()


if __name__ == "__main__":
    main()
