"""Import an edited Maßnahmenliste (XLSX) into an existing strategy: plan, preview, apply.

`plan_import` reads the workbook, merges it into the stored strategy (rows matched by id,
rows without id are new measures, measures missing from the file are kept unless chosen
for deletion), validates the result with the strategy file's checks and describes every
change field by field. Nothing is written. `apply_import` writes that plan in one
transaction, refusing it when the strategy changed since the preview (`fingerprint`).
The audit trail records every change, as for any other edit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import flag_modified

from .. import models
from ..domain.german import berlin_today
from ..domain.strategy import Measure, Strategy
from ..domain.verstetigung import actual_month_problems
from ..formats.measure_workbook import (
    ADDRESSES,
    BY_KEY,
    WorkbookError,
    assign_keys,
    measure_cells,
    read_workbook,
)
from ..formats.strategy_file import StrategyFileError, measure_to_dict, strategy_from_data, strategy_to_data
from . import strategies as core
from .whole_strategy import strategy_to_domain

STRATEGY_FIELD_LABELS = {
    "title": "Titel",
    "version": "Version",
    "adopted": "Beschlossen",
    "roadmap_window": "Fahrplanzeitraum",
    "vision": "Vision-Statement",
    "mission": "Mission-Statement",
    "principles": "Leitsätze",
}


class StaleImport(Exception):
    """The strategy changed since the preview was shown."""


@dataclass(frozen=True)
class FieldChange:
    """One field of one measure (or of the strategy): label, old and new value as shown in the list."""

    label: str
    old: str
    new: str


@dataclass
class MeasureChange:
    """A measure the import changes or adds, with its row in the workbook."""

    key: str
    title: str
    row: int
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What an import would do; `strategy` is the merged domain strategy it writes."""

    strategy: Strategy
    changed: list[MeasureChange]
    new: list[MeasureChange]
    missing: list[tuple[str, str]]  # (key, title) of measures not in the file
    deleted: list[str]
    strategy_changes: list[FieldChange]
    unchanged: int
    fingerprint: str
    notes: list[str] = field(default_factory=list)  # cells read in a way worth a look (see WorkbookContent.notes)

    @property
    def empty(self) -> bool:
        return not (self.changed or self.new or self.deleted or self.strategy_changes)


def fingerprint(row: models.Strategy) -> str:
    """The state the preview was made from: strategy and measure versions, measure ids."""
    parts = [
        f"s{row.id}:{row.lock_version}",
        *(f"m{m.id}:{m.lock_version}" for m in sorted(row.measures, key=lambda m: m.id)),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _measure_changes(old: Measure, new: Measure, today: date) -> list[FieldChange]:
    before, after = measure_to_dict(old), measure_to_dict(new)
    # the owners' addresses are a column of their own
    before[ADDRESSES], after[ADDRESSES] = (
        [o.pop("email", None) for o in before["owners"]],
        [o.pop("email", None) for o in after["owners"]],
    )
    shown_before, shown_after = measure_cells(old, today), measure_cells(new, today)
    # every field either side has: the file form leaves out actual months not recorded
    return [
        FieldChange(BY_KEY[key].header, _shown(shown_before[key]), _shown(shown_after[key]))
        for key in dict.fromkeys([*before, *after])
        if key in BY_KEY and before.get(key) != after.get(key)
    ]


def _strategy_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    changes = []
    for key, label in STRATEGY_FIELD_LABELS.items():
        if old.get(key) != new.get(key):
            a, b = old.get(key), new.get(key)
            if key == "principles":
                a, b = "\n".join(a or []), "\n".join(b or [])
            elif key == "roadmap_window":
                a = f"{a['from']} – {a['to']}" if a else None
                b = f"{b['from']} – {b['to']}" if b else None
            changes.append(FieldChange(label, _shown(a), _shown(b)))
    return changes


def plan_import(
    row: models.Strategy, data: bytes, delete: set[str] | frozenset[str] = frozenset(), today: date | None = None
) -> ImportPlan:
    """Merge the workbook into the stored strategy and describe the changes; raises WorkbookError."""
    today = today or berlin_today()
    # the stored addresses: an owner without one in the workbook keeps them (as in the strategy file)
    addresses = core.owner_addresses(object_session(row), row.organisation_id)
    current = core.with_owner_addresses(strategy_to_domain(row), addresses)
    current_data = strategy_to_data(current)
    content = read_workbook(data)
    for raw in content.measures:
        for o in raw.get("owners", ()):
            if not o.get("email") and o["name"] in addresses:
                o["email"] = addresses[o["name"]]
    by_key = {m.key: m for m in current.measures}
    assign_keys(content, set(by_key))
    in_file = {m.get("id") for m in content.measures}
    missing = [(m.key, m.title) for m in current.measures if m.key not in in_file]
    deleted = [key for key, _ in missing if key in delete]
    merged_measures = []
    for raw in content.measures:
        base = measure_to_dict(by_key[raw["id"]]) if raw.get("id") in by_key else {}
        merged_measures.append({**base, **raw})
    merged_measures += [measure_to_dict(by_key[key]) for key, _ in missing if key not in deleted]
    section = dict(current_data["strategy"])
    if content.strategy is not None:
        section.update(content.strategy)
        if "roadmap_window" not in content.strategy:
            section.pop("roadmap_window", None)
    data_out = {
        "format": current_data["format"],
        "organisation": current_data["organisation"],
        "strategy": section,
        "measures": merged_measures,
    }
    try:
        merged = strategy_from_data(data_out)
    except StrategyFileError as exc:
        raise WorkbookError(list(dict.fromkeys(content.where(p) for p in exc.problems))) from None
    # the rules of the Fortschritt form for what the file changes (stored rows are not judged again)
    progress = [
        p
        for m in merged.measures[: len(content.measures)]
        if (was := by_key.get(m.key)) is None
        or (was.status, was.actual_start, was.actual_end) != (m.status, m.actual_start, m.actual_end)
        for p in actual_month_problems(m, today, recording=was is not None and was.status != m.status)
    ]
    if progress:
        raise WorkbookError([content.where(p) for p in progress])
    changed, new, unchanged = [], [], 0
    for i, m in enumerate(merged.measures[: len(content.measures)]):
        if m.key in by_key:
            diff = _measure_changes(by_key[m.key], m, today)
            if diff:
                changed.append(MeasureChange(m.key, m.title, content.rows[i], diff))
            else:
                unchanged += 1
        else:
            shown = measure_cells(m, today)
            fields = [
                FieldChange(BY_KEY[key].header, "–", _shown(value))
                for key, value in shown.items()
                if key not in ("id", "title", "schedule_state") and value not in (None, "", 0, "nein")
            ]
            new.append(MeasureChange(m.key, m.title, content.rows[i], fields))
    strategy_changes = _strategy_changes(current_data["strategy"], section) if content.strategy is not None else []
    return ImportPlan(
        merged, changed, new, missing, deleted, strategy_changes, unchanged, fingerprint(row), content.notes
    )


def apply_import(session: Session, row: models.Strategy, plan: ImportPlan, seen: str) -> None:
    """Write the plan in the caller's transaction; StaleImport when the strategy moved on since `seen`."""
    if fingerprint(row) != seen or plan.fingerprint != seen:
        raise StaleImport
    merged = plan.strategy
    org = row.organisation
    for key in plan.deleted:
        core.delete_measure(session, row, key)
    if plan.strategy_changes:
        row.title, row.version, row.vision, row.mission = merged.title, merged.version, merged.vision, merged.mission
        row.adopted = str(merged.adopted) if merged.adopted else None
        row.window_start = str(merged.window_start) if merged.window_start else None
        row.window_end = str(merged.window_end) if merged.window_end else None
        row.principles = list(merged.principles)
    else:
        # bump the strategy's version anyway: a second import or edit based on the same state is refused
        flag_modified(row, "title")
    rows_by_key = {m.key: m for m in row.measures}
    touched = {c.key for c in plan.changed}
    persons = core.persons_by_name(session, org)
    for m in merged.measures:
        if m.key in touched:
            core._write_fields(session, rows_by_key[m.key], m, org, persons)
    position = max((m.position for m in row.measures), default=-1) + 1
    new_keys = {c.key for c in plan.new}
    for m in merged.measures:
        if m.key in new_keys:
            mrow = models.Measure(position=position, key=m.key, title=m.title, dimension=m.dimension)
            position += 1
            row.measures.append(mrow)
            core._write_fields(session, mrow, m, org, persons)
            rows_by_key[m.key] = mrow
    session.flush()
    for m in merged.measures:
        if m.key in touched or m.key in new_keys:
            core._write_dependencies(session, rows_by_key[m.key], m.depends_on, rows_by_key, new=m.key in new_keys)
    session.flush()
