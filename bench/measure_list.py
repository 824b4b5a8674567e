"""Maßnahmenliste (XLSX): writing the workbook and reading it back with every check, at 60 and
1,000 measures copied from the Steinfurt strategy (every text field as the source has it), and
the workbook's size (the web import carries it through the preview, 300 KB at most)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from bench._timing import timed

STEINFURT = Path(__file__).resolve().parent.parent / "strategies" / "steinfurt-2023.yaml"


def copied_strategy(n: int):
    """The Steinfurt strategy with its measures repeated until there are n (links kept within a copy)."""
    from planner.formats.strategy_file import load_strategy

    source = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    measures = []
    for i in range(n):
        m = source.measures[i % len(source.measures)]
        copy = i // len(source.measures)
        measures.append(
            replace(
                m,
                key=f"{m.key}-{copy}",
                depends_on=[
                    f"{d}-{copy}"
                    for d in m.depends_on
                    if source.measures.index(source.measure(d)) + copy * len(source.measures) < n
                ],
            )
        )
    return replace(source, measures=measures)


def main() -> None:
    from planner.formats.measure_workbook import strategy_from_workbook, workbook_bytes

    print("Maßnahmenliste XLSX: schreiben / lesen und prüfen (Median)")
    for n in (60, 1000):
        strategy = copied_strategy(n)
        t_write, data = timed(lambda s=strategy: workbook_bytes(s, date(2026, 11, 30)), 3)
        t_read, back = timed(lambda d=data: strategy_from_workbook(d), 3)
        assert back.measures == strategy.measures
        print(
            f"  {n:>5} Maßnahmen: {t_write * 1000:.0f} ms schreiben, {t_read * 1000:.0f} ms lesen, {len(data) / 1024:.0f} KB"
        )


if __name__ == "__main__":
    main()
