"""`planner check` on a generated file of 5,000 measures and 10,000 links, against the bare
work: PyYAML's C parser on the same text plus the roadmap analysis of `planner check`.
Reports both medians and their ratio (goal: at most 1.5).

Run from the repository root: python -m bench check
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
from contextlib import redirect_stdout
from pathlib import Path

import yaml

from bench._timing import timed
from bench.roadmap import generated_strategy


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=5, help="Messpaare (reine Arbeit, planner check)")
    args = parser.parse_args(argv)
    from planner.cli import main as cli
    from planner.domain.findings import check_report
    from planner.domain.whole_strategy import with_parts
    from planner.formats.strategy_file import dump_strategy

    big = generated_strategy(5000, 10000)
    text = dump_strategy(with_parts(big))  # the file format writes every area (none here)
    print(f"Rechner: {os.cpu_count()} CPUs, Last (1 min) {os.getloadavg()[0]:.1f}")
    print(
        f"Datei: {len(big.measures)} Maßnahmen, {sum(len(m.depends_on) for m in big.measures)} Abhängigkeiten, "
        f"{len(text) // 1024} KiB"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gross.yaml"
        path.write_text(text, encoding="utf-8")

        def bare():
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
            return check_report(big)

        def check():
            out = io.StringIO()
            with redirect_stdout(out):
                try:
                    cli(["check", str(path), "--json"], standalone_mode=False)
                except SystemExit as exc:  # pragma: no cover - an invalid file would be a bug here
                    raise RuntimeError(out.getvalue()) from exc
            return out.getvalue()

        check()  # warm-up: imports, the schema validator, the catalogue
        # alternate the two, so a change in the machine's load hits both alike
        pairs = [(timed(bare, 1)[0], timed(check, 1)) for _ in range(args.pairs)]
    report = pairs[-1][1][1]
    assert '"valid": true' in report
    bare_seconds = statistics.median(b for b, _ in pairs)
    check_seconds = statistics.median(c for _, (c, _) in pairs)
    ratio = statistics.median(c / b for b, (c, _) in pairs)
    print(f"  C-Parser + Analyse (die reine Arbeit): {bare_seconds:.2f} s")
    print(f"  planner check --json:                  {check_seconds:.2f} s")
    print(f"  Verhältnis (Median der Paare): {ratio:.2f}× (Ziel: höchstens 1,5×)")


if __name__ == "__main__":
    main()
