"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`."""

import gc

from planner import create_app

app = create_app()

# What is loaded by now (modules, the app, the catalogue: some 290,000 objects) lives as long as
# the process. Frozen, the cycle collector no longer scans it in every full collection. Those
# come often in a server that draws charts (a matplotlib figure is freed only by the collector)
# and held the worker's GIL, all its threads with it, for 40–200 ms each (docs/performance.md).
gc.collect()
gc.freeze()
