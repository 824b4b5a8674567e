"""Baselines: a frozen copy of the roadmap, and what moved since."""

from __future__ import annotations

from dataclasses import dataclass

from .months import Month, format_range
from .strategy import Measure, Status


@dataclass(frozen=True)
class Frozen:
    """A measure as the baseline froze it."""

    key: str
    title: str
    status: Status
    start: Month | None
    end: Month | None


@dataclass(frozen=True)
class BaselineChange:
    """How one measure differs from the baseline; `what` says it in German."""

    key: str
    title: str
    before: str  # planned range in the baseline, German ('' when unplanned)
    after: str  # planned range now
    start_delta: int | None  # months later (+) or earlier (-); None when not comparable
    end_delta: int | None
    what: str
    current: bool  # the measure still exists


def _planned(status: Status, start: Month | None) -> bool:
    return start is not None and status.in_roadmap


def _delta(a: Month | None, b: Month | None) -> int | None:
    return b - a if a is not None and b is not None else None


def _months(n: int) -> str:
    return f"{abs(n)} Monat" + ("" if abs(n) == 1 else "e")


def compare_to_baseline(frozen: list[Frozen], measures: list[Measure]) -> list[BaselineChange]:
    """Every measure whose plan differs from the baseline, in the current order, then removed ones."""
    before = {f.key: f for f in frozen}
    changes = []
    for m in measures:
        f = before.get(m.key)
        now = format_range(m.start, m.end) if _planned(m.status, m.start) else ""
        if f is None:
            changes.append(BaselineChange(m.key, m.title, "", now, None, None, "neu seit dem Basisplan", True))
            continue
        was = format_range(f.start, f.end) if _planned(f.status, f.start) else ""
        if was == now:
            continue
        if not now:
            what = {Status.BACKLOG: "in den Backlog verschoben", Status.VERWORFEN: "verworfen"}.get(
                m.status, "ohne Termin"
            )
        elif not was:
            what = "neu eingeplant"
        else:
            what = _describe(f, m)
        changes.append(
            BaselineChange(
                m.key,
                m.title,
                was,
                now,
                _delta(f.start, m.start) if was and now else None,
                _delta(f.end, m.end) if was and now else None,
                what,
                True,
            )
        )
    current = {m.key for m in measures}
    for f in frozen:
        if f.key not in current:
            was = format_range(f.start, f.end) if _planned(f.status, f.start) else ""
            changes.append(BaselineChange(f.key, f.title, was, "", None, None, "gelöscht", False))
    return changes


def _describe(f: Frozen, m: Measure) -> str:
    parts = []
    ds = _delta(f.start, m.start)
    if ds:
        parts.append(f"Beginn {_months(ds)} {'später' if ds > 0 else 'früher'}")
    if f.end is not None and m.end is None:
        parts.append("jetzt fortlaufend")
    elif f.end is None and m.end is not None:
        parts.append(f"endet jetzt {m.end.german()}")
    else:
        de = _delta(f.end, m.end)
        if de:
            parts.append(f"Ende {_months(de)} {'später' if de > 0 else 'früher'}")
    return ", ".join(parts) or "geändert"
