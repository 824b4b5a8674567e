"""The production entry point (`gunicorn wsgi:app`, README)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
    }
    out = subprocess.run(
        [sys.executable, "-c", "import gc, wsgi; print(gc.get_freeze_count(), gc.isenabled())"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, enabled = out.stdout.split()[-2:]
    assert int(frozen) > 100_000 and enabled == "True"  # frozen, and the collector still runs for the rest
