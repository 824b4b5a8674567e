"""Run the benchmarks: `python -m bench` runs every area, `python -m bench roadmap maturity`
runs the named ones, `python -m bench landmix --seconds 60` runs one with its own options. Each area is a module bench/<area>.py with a `main()` that prints its
figures; large inputs are generated there, nothing is read from the network."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

# the load, page, outage and portfolio benchmarks start their own PostgreSQL and gunicorn; run them by name only
BY_NAME_ONLY = {"load", "outage", "pages", "inprocess", "portfolio", "landmix", "landpages"}


def areas() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    known = areas()
    first = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    argv, options = argv[:first], argv[first:]
    if options and len(argv) != 1:
        print("Optionen gelten für genau einen Benchmark: python -m bench NAME --option …", file=sys.stderr)
        return 2
    wanted = argv or [a for a in known if a not in BY_NAME_ONLY]
    unknown = [a for a in wanted if a not in known]
    if unknown:
        print(f"Unbekannter Benchmark: {', '.join(unknown)}. Vorhanden: {', '.join(known)}", file=sys.stderr)
        return 2
    for area in wanted:
        print(f"== bench.{area}", flush=True)
        sys.argv = [f"bench.{area}", *options]  # without options an area's own keep their defaults
        importlib.import_module(f"bench.{area}").main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
