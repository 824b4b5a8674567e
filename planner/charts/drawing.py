"""Charts drawn outside the web process's interpreter lock.

matplotlib is pure Python for most of a chart: a cold Fahrplan SVG holds the interpreter lock of
its process for about 100 ms. In a threaded server every other request of that process waits for
the lock after each database round trip meanwhile (the "convoy": a page making 10–30 statements
waited 5 ms for each). With `PLANNER_CHART_PROCESSES=N` (the app's `CHART_PROCESSES`) each server
process draws in N processes of its own instead; its threads wait for the picture without
holding the lock, and the operating system shares the cores between drawing and answering.
With 0 (the default: the development server, tests, the command line) charts are drawn in the
calling thread.

A chart to draw elsewhere is a function of this package's modules taking plain domain values
(pickled to the drawing process) and returning bytes; the same function is what is called here
with 0 processes, so both ways give the same bytes.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date

from ..domain.schedule import analyse
from ..domain.strategy import Strategy
from .common import new_figure, render
from .gantt import Baseline, gantt_chart, gantt_text
from .tables import gantt_table

_lock = threading.Lock()
_processes = 0
_pool: ProcessPoolExecutor | None = None


def configure(processes: int) -> None:
    """Draw in `processes` processes from now on (0: here); a pool of another size is shut down.
    The processes start now, in the background: the first chart does not wait for them."""
    global _processes, _pool
    with _lock:
        if processes != _processes and _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None
        _processes = max(0, processes)
    if _processes:
        _started()


def _started() -> ProcessPoolExecutor | None:
    """The pool (made when there is none), or None without drawing processes."""
    global _pool
    with _lock:
        if _processes and _pool is None:
            # spawned, not forked: a forked child of a threaded server can inherit a held lock
            _pool = ProcessPoolExecutor(_processes, mp_context=multiprocessing.get_context("spawn"))
            for _ in range(_processes):
                _pool.submit(_ready)  # each process loads matplotlib and fonts before its first chart
        return _pool


def _ready() -> None:
    render(new_figure(1, 1), "svg")


def drawn(draw: Callable[..., bytes], *args, **kwargs) -> bytes:
    """`draw(*args, **kwargs)`, in a drawing process when there are any (see the module)."""
    global _pool
    pool = _started()
    if pool is None:
        return draw(*args, **kwargs)
    try:
        return pool.submit(draw, *args, **kwargs).result()
    except BrokenProcessPool:  # a drawing process died (killed, out of memory): a new pool next time
        with _lock:
            if _pool is pool:
                _pool = None
        return draw(*args, **kwargs)


def fahrplan(
    strategy: Strategy,
    fmt: str,
    today: date,
    *,
    dependencies: bool = False,
    critical: bool = False,
    baseline: Baseline | None = None,
    baseline_label: str = "Basisplan",
    paper: str = "a3",
) -> bytes:
    """The Umsetzungsfahrplan as SVG, PNG or PDF (with its table), analysed where it is drawn."""
    analysis = analyse(strategy)
    fig = gantt_chart(
        strategy,
        analysis,
        today=today,
        dependencies=dependencies,
        critical=critical,
        baseline=baseline,
        baseline_label=baseline_label,
    )
    table = gantt_table(strategy, analysis, today) if fmt == "pdf" else None
    return render(fig, fmt, *gantt_text(strategy, analysis, today), table, paper=paper)
