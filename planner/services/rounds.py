"""Rounds over all measures of a strategy in one save: the Statusabfrage (status, actual months and a
short "Stand" note per measure) and the Bewertungsworkshop (Dringlichkeit and Machbarkeit).

All or nothing: every row is checked (lost update per measure, the strategy's rules), and when one
row fails nothing is written; the caller rolls back and shows the German problems per row.
Nothing here touches the request.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from .. import models
from ..domain.months import Month
from ..domain.strategy import Rating, Status
from . import verlauf
from .strategies import ValidationFailed, read_strategy, save_measure, with_measure
from .verstetigung import record_progress


class RoundFailed(ValueError):
    """Some rows could not be saved; `problems` maps a measure key to its German messages."""

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in problems.items()))


@dataclass(frozen=True)
class StatusInput:
    """What was typed for one measure in the Statusabfrage."""

    key: str
    seen_version: int | None
    status: Status
    actual_start: Month | None
    actual_end: Month | None
    note: str = ""


@dataclass(frozen=True)
class RatingInput:
    """What was chosen for one measure in the Bewertungsworkshop."""

    key: str
    seen_version: int | None
    urgency: Rating | None
    feasibility: Rating | None


def _stale(session: Session, measure: models.Measure, seen: int | None) -> list[str]:
    """The lost-update refusal of one measure, naming what the other person changed; [] when current."""
    if seen is None or seen == measure.lock_version:
        return []
    lines = verlauf.describe_conflict(session, "measures", measure.id, seen)
    text = "Inzwischen von jemand anderem geändert"
    return [text + (": " + "; ".join(lines) if lines else "") + ". Bitte prüfen und erneut speichern."]


def save_status_round(
    session: Session, row: models.Strategy, inputs: list[StatusInput], *, on: date, by: str
) -> list[str]:
    """Record the status round; returns the keys of the measures that changed. Raises RoundFailed."""
    rows = {m.key: m for m in row.measures}
    strategy = read_strategy(session, row)  # once; kept up to date with each saved measure
    problems: dict[str, list[str]] = {}
    changed = []
    for given in inputs:
        mrow, now = rows.get(given.key), strategy.measure(given.key)
        if mrow is None or now is None:
            problems[given.key] = ["Diese Maßnahme gibt es nicht mehr."]
            continue
        same = (now.status, now.actual_start, now.actual_end) == (given.status, given.actual_start, given.actual_end)
        if same and not given.note:
            continue
        if stale := _stale(session, mrow, given.seen_version):
            problems[given.key] = stale
            continue
        try:
            record_progress(
                session,
                row,
                given.key,
                status=given.status,
                actual_start=given.actual_start,
                actual_end=given.actual_end,
                on=on,
                by=by,
                note=given.note,
                strategy=strategy,
            )
        except ValidationFailed as exc:
            problems[given.key] = [p.message for p in exc.problems] or ["Die Änderung ist nicht gültig."]
            continue
        updated = replace(now, status=given.status, actual_start=given.actual_start, actual_end=given.actual_end)
        strategy = with_measure(strategy, updated, given.key)
        changed.append(given.key)
    if problems:
        raise RoundFailed(problems)
    return changed


def save_ratings(session: Session, row: models.Strategy, inputs: list[RatingInput]) -> list[str]:
    """Store Dringlichkeit and Machbarkeit of many measures; returns the changed keys. Raises RoundFailed."""
    rows = {m.key: m for m in row.measures}
    strategy = read_strategy(session, row)  # once; kept up to date with each saved measure
    problems: dict[str, list[str]] = {}
    changed = []
    for given in inputs:
        mrow, now = rows.get(given.key), strategy.measure(given.key)
        if mrow is None or now is None:
            problems[given.key] = ["Diese Maßnahme gibt es nicht mehr."]
            continue
        if (now.urgency, now.feasibility) == (given.urgency, given.feasibility):
            continue
        if stale := _stale(session, mrow, given.seen_version):
            problems[given.key] = stale
            continue
        updated = replace(now, urgency=given.urgency, feasibility=given.feasibility)
        try:
            save_measure(session, row, updated, existing_key=now.key, current=strategy)
        except ValidationFailed as exc:
            problems[given.key] = [p.message for p in exc.problems] or ["Die Änderung ist nicht gültig."]
            continue
        strategy = with_measure(strategy, updated, now.key)
        changed.append(given.key)
    if problems:
        raise RoundFailed(problems)
    return changed
