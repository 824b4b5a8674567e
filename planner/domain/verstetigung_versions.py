"""What a Fortschreibung reconsiders, and the comparison of two versions, field by field (the next
version itself: domain/fortschreibung.py).

Steinfurt: at every Fortschreibung all backlog measures and all unfinished measures are
reconsidered; a measure pushed to the backlog again and again must be questioned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .german import money, number
from .months import Month, format_range
from .strategy import Measure, Status, Strategy
from .verstetigung import Decision, EvaluationRecord, Outcome, TrackedStrategy

FINISHED = (Status.ABGESCHLOSSEN, Status.VERWORFEN)
QUESTION_AFTER = 2  # deferred this often: "still relevant?"


def carried_over(strategy: Strategy) -> list[Measure]:
    """Measures a Fortschreibung must reconsider: the backlog and everything not finished."""
    return [m for m in strategy.measures if m.status not in FINISHED]


def still_relevant_question(m: Measure) -> bool:
    """Deferred twice or more: the review asks whether it is still relevant."""
    return m.deferrals >= QUESTION_AFTER


SUGGESTED = {
    Outcome.FORTFUEHREN: Decision.BEHALTEN,
    Outcome.ANPASSEN: Decision.ANPASSEN,
    Outcome.NEU_AUSRICHTEN: Decision.ANPASSEN,
    Outcome.TEAM_AENDERN: Decision.ANPASSEN,
    Outcome.OKR: Decision.ANPASSEN,
    Outcome.VERWERFEN: Decision.VERWERFEN,
}


def latest_outcomes(strategy: TrackedStrategy) -> dict[str, EvaluationRecord]:
    """Per measure its latest evaluation that recommends an outcome: it feeds the Fortschreibung."""
    out: dict[str, EvaluationRecord] = {}
    for r in sorted(strategy.evaluations, key=lambda r: r.performed):
        if r.outcome is not None:
            out[r.subject] = r
    return out


class FortschreibungError(ValueError):
    """A Fortschreibung that cannot be made; the message is German."""


# --- comparison ----------------------------------------------------------------------------------

MEASURE_FIELDS: dict[str, str] = {
    "title": "Titel",
    "description": "Kurzbeschreibung",
    "goal": "Ziel",
    "dimension": "Dimension",
    "further_dimensions": "Weitere Dimensionen",
    "subdimensions": "Subdimensionen",
    "target_stage": "Angestrebte Stufe",
    "urgency": "Dringlichkeit",
    "feasibility": "Machbarkeit",
    "status": "Status",
    "second_loop": "Zweite Evaluationsschleife",
    "owners": "Verantwortliche",
    "actors": "Beteiligte Akteure",
    "requirements": "Anforderungen",
    "planned": "Geplante Umsetzung",
    "actual": "Tatsächliche Umsetzung",
    "depends_on": "Abhängig von",
    "examples": "Praxisbeispiele",
    "steps": "Operative Schritte",
    "budget": "Budget",
    "funding_call": "Förderaufruf",
    "deferrals": "Zurückgestellt (Anzahl)",
}
STRATEGY_FIELDS: dict[str, str] = {
    "title": "Titel",
    "version": "Version",
    "adopted": "Beschlossen",
    "window": "Fahrplan-Zeitraum",
    "vision": "Vision-Statement",
    "mission": "Mission-Statement",
    "principles": "Leitsätze",
}


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, list):
        return "; ".join(_show(v) for v in value)
    if isinstance(value, Month):
        return value.german()
    if hasattr(value, "label"):
        return value.label
    if hasattr(value, "name") and hasattr(value, "role"):
        return f"{value.name} ({value.role.label})"
    if isinstance(value, float):
        return number(value)
    return str(value)


def measure_values(m: Measure, titles: dict[str, str]) -> dict[str, str]:
    """Every compared field of a measure as German display text."""
    raw: dict[str, Any] = {f: getattr(m, f) for f in MEASURE_FIELDS if hasattr(m, f)}
    raw["planned"] = format_range(m.start, m.end) or "nicht geplant"
    raw["actual"] = (
        format_range(m.actual_start, m.actual_end)
        if m.actual_start
        else (f"bis {m.actual_end.german()}" if m.actual_end else "")
    )
    raw["depends_on"] = [titles.get(k, k) for k in m.depends_on]
    raw["budget"] = money(m.budget) if m.budget is not None else None
    return {f: _show(raw[f]) for f in MEASURE_FIELDS}


def strategy_values(s: Strategy) -> dict[str, str]:
    raw: dict[str, Any] = {
        "title": s.title,
        "version": s.version,
        "adopted": s.adopted,
        "window": format_range(s.window_start, s.window_end),
        "vision": s.vision,
        "mission": s.mission,
        "principles": s.principles,
    }
    return {f: _show(raw[f]) for f in STRATEGY_FIELDS}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass
class MeasureChange:
    key: str
    title: str
    changes: list[FieldChange]


@dataclass
class VersionDiff:
    """What changed from one version to the next."""

    strategy: list[FieldChange] = field(default_factory=list)
    added: list[Measure] = field(default_factory=list)
    dropped: list[tuple[Measure, str]] = field(default_factory=list)  # with the reason, German
    changed: list[MeasureChange] = field(default_factory=list)
    unchanged: list[Measure] = field(default_factory=list)


def _changes(labels: dict[str, str], before: dict[str, str], after: dict[str, str]) -> list[FieldChange]:
    return [FieldChange(f, label, before[f], after[f]) for f, label in labels.items() if before[f] != after[f]]


def compare_versions(old: Strategy, new: Strategy) -> VersionDiff:
    """Measures added, dropped (with why) and changed field by field; the strategy's own fields too."""
    diff = VersionDiff(strategy=_changes(STRATEGY_FIELDS, strategy_values(old), strategy_values(new)))
    old_titles = {m.key: m.title for m in old.measures}
    new_titles = {m.key: m.title for m in new.measures}
    for m in new.measures:
        before = old.measure(m.key)
        if before is None:
            diff.added.append(m)
            continue
        changes = _changes(MEASURE_FIELDS, measure_values(before, old_titles), measure_values(m, new_titles))
        if changes:
            diff.changed.append(MeasureChange(m.key, m.title, changes))
        else:
            diff.unchanged.append(m)
    decided = {d.measure: d for v in new.history for d in v.decisions}
    for m in old.measures:
        if new.measure(m.key) is not None:
            continue
        if m.status is Status.ABGESCHLOSSEN:
            reason = "abgeschlossen – bleibt mit ihren Evaluationen in der alten Version"
        elif m.status is Status.VERWORFEN:
            reason = "war bereits verworfen"
        elif m.key in decided and decided[m.key].decision is Decision.ABGESCHLOSSEN:
            reason = "im Strategiereview als abgeschlossen festgestellt" + (
                f": {decided[m.key].note}" if decided[m.key].note else ""
            )
        elif m.key in decided and decided[m.key].decision is Decision.VERWERFEN:
            note = decided[m.key].note
            reason = "in der Fortschreibung verworfen" + (f": {note}" if note else "")
        else:
            reason = "nicht übernommen"
        diff.dropped.append((m, reason))
    return diff
