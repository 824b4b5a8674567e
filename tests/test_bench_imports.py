"""The benchmarks are not run by the test suite (they take minutes); their imports of planner's
code are checked here, also those inside functions, so that a rename in planner cannot leave a
benchmark broken unnoticed (bench/maturity.py was, after the architecture step)."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.mark.parametrize("path", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_every_name_a_benchmark_imports_from_planner_exists(path):
    missing = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "planner":
            module = importlib.import_module(node.module)
            missing += [
                f"{node.module}.{a.name}"
                for a in node.names
                if not hasattr(module, a.name) and importlib.util.find_spec(f"{node.module}.{a.name}") is None
            ]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "planner":
                    importlib.import_module(a.name)
    assert missing == []
