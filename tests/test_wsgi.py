"""The production entry point (`gunicorn wsgi:app`, README)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_server_entry_point_freezes_what_it_loaded_out_of_the_collectors_passes(tmp_path):
    """What the app loads at start lives as long as the process; left to the cycle collector,
    every full pass scanned it again and held the worker's GIL for 40–200 ms (docs/performance.md).
    wsgi.py freezes it: a fresh process holds hundreds of thousands of frozen objects."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'planner.db'}",
        "PLANNER_INSTANCE": str(tmp_path),
        "SECRET_KEY": "x" * 32,
        "PLANNER_CHART_PROCESSES": "1",
    }
    show = "import gc, wsgi; print(gc.get_freeze_count(), gc.isenabled(), wsgi.drawing._pool is not None)"
    out = subprocess.run(
        [sys.executable, "-c", show],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, enabled, drawing = out.stdout.split()[-3:]
    assert int(frozen) > 100_000 and enabled == "True"  # frozen, and the collector still runs for the rest
    assert drawing == "True"  # the server draws the Fahrplan in a process of its own (PLANNER_CHART_PROCESSES)


def test_the_number_of_drawing_processes_is_checked_at_start(monkeypatch):
    from planner import config

    monkeypatch.setenv("PLANNER_CHART_PROCESSES", "2")
    assert config.chart_processes() == 2
    monkeypatch.delenv("PLANNER_CHART_PROCESSES")
    assert config.chart_processes() == 0
    for wrong in ("viele", "-1", "9"):
        monkeypatch.setenv("PLANNER_CHART_PROCESSES", wrong)
        with pytest.raises(ValueError, match="PLANNER_CHART_PROCESSES"):
            config.chart_processes()
