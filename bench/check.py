"""`planner check` on a generated file of 5,000 measures and 10,000 links, as a whole process,
against the bare work as a whole process: Python with PyYAML's C parser on the same file and
networkx on its dependency graph (acyclic?, waves, longest chain). Reports the CPU time of
both processes (what the machine's other load moves least), their wall time and the ratio
(goal: at most 1.5).

Run from the repository root: python -m bench check [--pairs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.roadmap import generated_strategy

ROOT = Path(__file__).resolve().parent.parent

# the bare work: read the file with the C parser, build the dependency graph, order it
BARE = """
import sys
import networkx as nx
import yaml
data = yaml.load(open(sys.argv[1], encoding="utf-8").read(), Loader=yaml.CSafeLoader)
graph = nx.DiGraph()
graph.add_nodes_from(m["id"] for m in data["measures"])
graph.add_edges_from((p, m["id"]) for m in data["measures"] for p in m.get("depends_on") or [])
assert nx.is_directed_acyclic_graph(graph)
print(len(list(nx.topological_generations(graph))), len(nx.dag_longest_path(graph)))
"""


def run(command: list[str]) -> tuple[float, float, str]:
    """CPU seconds (user + system) and wall seconds of a child process, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall, done.stdout


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=5, help="Messpaare (reine Arbeit, planner check)")
    args = parser.parse_args(argv)
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
        bare = [sys.executable, "-c", BARE, str(path)]
        check = [sys.executable, "-m", "planner.cli", "check", str(path), "--json"]
        run(check)  # warm-up: the operating system's file cache, compiled bytecode
        # alternate the two, so a change in the machine's load hits both alike
        pairs = [(run(bare), run(check)) for _ in range(args.pairs)]
    assert '"valid": true' in pairs[-1][1][2]
    for label, index in (("CPU-Zeit", 0), ("Wanduhr", 1)):
        b = statistics.median(p[0][index] for p in pairs)
        c = statistics.median(p[1][index] for p in pairs)
        ratio = statistics.median(p[1][index] / p[0][index] for p in pairs)
        print(f"  {label}: reine Arbeit (C-Parser + networkx) {b:.2f} s, planner check --json {c:.2f} s")
        print(f"    Verhältnis (Median der Paare): {ratio:.2f}× (Ziel: höchstens 1,5×)")


if __name__ == "__main__":
    main()
