"""The Verstetigung parts of the strategy file: per measure `actual_start`, `actual_end`,
`status_history` and `indicators`; at the top `evaluations`, `history` and `reviews`.

```yaml
measures:
  - id: konzept
    ...
    actual_start: 2024-02
    actual_end: 2024-05
    status_history:
      - {date: 2024-02-01, status: in_umsetzung, by: Annika Feldhues}
    indicators:
      - name: Schulungen je Mitarbeitendem
        unit: Anzahl
        baseline: 0.5
        target: 2
        values: [{date: 2025-06-30, value: 1.2}]
evaluations:
  - subject: konzept            # a measure id, or "strategy"
    kind: prozess               # prozess | wirkung
    due: 2024-06                # optional: the calendar month it fulfils
    date: 2024-06-12
    by: Annika Feldhues
    done: ja                    # ja | teilweise | nein (also schedule_kept, financial, staff, material)
    cooperation: {rating: 4, text: "…"}
    went_well: "…"
    went_badly: "…"
    outcome: fortfuehren
history:                        # earlier versions, oldest first, with their carry-over decisions
  - version: "2023"
    title: Digitalisierungsstrategie …
    adopted: 2023-03
    replaced: 2025-03-10
    reviewed: 2025-03-04        # the review the Fortschreibung was made from (calendar across versions)
    decisions: [{measure: chatbot, title: …, decision: behalten, note: "…"}]
resolution:                     # the Beschluss of this version; absent in a Fortschreibung: a draft
  date: 2025-05-20
  body: Kreistag
  reference: "Vorlage 2025/117"
reviews:                        # strategy review meetings of this version, oldest first
  - date: 2026-11-30
    participants: "Amtsleitung, Strategieteam, Digitalisierungsbeauftragte"
    minutes: "…"
    finalised: true
    decisions:                  # abgeschlossen | behalten | anpassen | verwerfen | backlog
      - {measure: chatbot, proposed: behalten, reason: "…", decision: anpassen, note: "…"}
```
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..domain.months import MONTH_PATTERN, month_text, parse_month
from ..domain.strategy import Status
from ..domain.validation import MAX_TEXT, Problem
from ..domain.verstetigung import (
    ANSWER_FIELDS,
    SOFT_CRITERIA,
    STRATEGY,
    TEXT_FIELDS,
    CarryOver,
    Decision,
    EvaluationAnswer,
    EvaluationRecord,
    Indicator,
    IndicatorValue,
    Kind,
    Outcome,
    Resolution,
    ReviewDecision,
    ReviewEntry,
    ReviewRecord,
    Soft,
    StatusChange,
    TrackedStrategy,
    VersionEntry,
    actual_month_problems,
    review_from_evaluation,
)

_MONTH = {"type": "string", "pattern": MONTH_PATTERN}
_DATE = {"type": "string", "description": "Datum JJJJ-MM-TT"}
_TEXT = {"type": "string", "maxLength": MAX_TEXT}
_NAME = {"type": "string", "maxLength": 200}  # a person: who recorded, who evaluated
_NUMBER = {"anyOf": [{"type": "number"}, {"type": "null"}]}
_ANSWER = {"enum": [a.value for a in EvaluationAnswer] + [None]}
_TEXTS = ("by", *TEXT_FIELDS)  # the file writes the evaluator beside the free texts


def _obj(required: list[str], props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "additionalProperties": False, "properties": props}


def measure_schema_fields() -> dict[str, dict[str, Any]]:
    """Extra keys of a measure (registered in schema.EXTRA_MEASURE)."""
    change = _obj(
        ["date", "status"], {"date": _DATE, "status": {"enum": [s.value for s in Status]}, "by": _NAME, "note": _TEXT}
    )
    value = _obj(["date", "value"], {"date": _DATE, "value": {"type": "number"}})
    indicator = _obj(
        ["name"],
        {
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "unit": {"type": "string", "maxLength": 50},
            "baseline": _NUMBER,
            "target": _NUMBER,
            "values": {"type": "array", "items": value},
        },
    )
    return {
        "actual_start": {"anyOf": [_MONTH, {"type": "null"}]},
        "actual_end": {"anyOf": [_MONTH, {"type": "null"}]},
        "status_history": {"type": "array", "items": change},
        "indicators": {"type": "array", "items": indicator},
    }


def schema_sections() -> dict[str, dict[str, Any]]:
    """Top-level `evaluations`, `history`, `reviews` and `resolution` (registered in schema.EXTRA_TOP_LEVEL)."""
    soft = _obj(
        [], {"rating": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 5}, {"type": "null"}]}, "text": _TEXT}
    )
    props: dict[str, Any] = {
        "subject": {"type": "string", "minLength": 1},
        "kind": {"enum": [k.value for k in Kind]},
        "due": {"anyOf": [_MONTH, {"type": "null"}]},
        "date": _DATE,
        "outcome": {"enum": [o.value for o in Outcome] + [None]},
    }
    props |= {f: _ANSWER for f in ANSWER_FIELDS} | {f: _TEXT for f in _TEXTS} | {f: soft for f in SOFT_CRITERIA}
    props["by"] = _NAME
    decision = _obj(
        ["measure", "decision"],
        {
            "measure": {"type": "string", "minLength": 1},
            "title": _TEXT,
            "decision": {"enum": [d.value for d in Decision]},
            "note": _TEXT,
        },
    )
    version = _obj(
        ["version", "title"],
        {
            "version": {"type": "string", "maxLength": 50},
            "title": {"type": "string", "maxLength": 300},
            "adopted": {"anyOf": [_MONTH, {"type": "null"}]},
            "replaced": {"anyOf": [_DATE, {"type": "null"}]},
            "reviewed": {"anyOf": [_DATE, {"type": "null"}]},
            "decisions": {"type": "array", "items": decision},
        },
    )
    choice = {"enum": [d.value for d in ReviewDecision]}
    review_decision = _obj(
        ["measure", "proposed"],
        {
            "measure": {"type": "string", "minLength": 1},
            "proposed": choice,
            "reason": _TEXT,
            "decision": {"enum": [d.value for d in ReviewDecision] + [None]},
            "note": _TEXT,
        },
    )
    review = _obj(
        [],
        {
            "date": {"anyOf": [_DATE, {"type": "null"}]},
            "participants": _TEXT,
            "minutes": _TEXT,
            "finalised": {"type": "boolean"},
            "decisions": {"type": "array", "items": review_decision},
        },
    )
    resolution = _obj(
        ["date", "body"],
        {"date": _DATE, "body": {"type": "string", "minLength": 1, "maxLength": 200}, "reference": _NAME},
    )
    return {
        "evaluations": {"type": "array", "items": _obj(["subject", "kind", "date"], props)},
        "history": {"type": "array", "items": version},
        "reviews": {"type": "array", "items": review},
        "resolution": resolution,
    }


# --- reading -------------------------------------------------------------------------------


def _date(text: Any, problems: list[Problem], measure: str | None, field: str) -> date | None:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        problems.append(Problem(f"„{text}“ ist kein Datum im Format JJJJ-MM-TT (z. B. 2024-06-12).", measure, field))
        return None


def _indicators(key: str, raw: list[dict[str, Any]], problems: list[Problem]) -> list[Indicator]:
    out = []
    for i, r in enumerate(raw):
        values = []
        for j, v in enumerate(r.get("values", [])):
            when = _date(v["date"], problems, key, f"indicators.{i}.values.{j}.date")
            if when is not None:
                values.append(IndicatorValue(when, float(v["value"])))
        out.append(Indicator(r["name"], r.get("unit", ""), r.get("baseline"), r.get("target"), values))
    return out


def _record(i: int, r: dict[str, Any], keys: set[str], problems: list[Problem]) -> EvaluationRecord | None:
    field = f"evaluations.{i}"
    if r["subject"] != STRATEGY and r["subject"] not in keys:
        problems.append(Problem(f"Evaluation Nr. {i + 1}: keine Maßnahme mit der ID „{r['subject']}“.", field=field))
        return None
    performed = _date(r["date"], problems, None, f"{field}.date")
    if performed is None:
        return None
    answers = {f: EvaluationAnswer(r[f]) if r.get(f) else None for f in ANSWER_FIELDS}
    texts = {f: r.get(f, "") for f in _TEXTS}
    soft = {f: Soft(r.get(f, {}).get("rating"), r.get(f, {}).get("text", "")) for f in SOFT_CRITERIA}
    return EvaluationRecord(
        subject=r["subject"],
        kind=Kind(r["kind"]),
        performed=performed,
        due=parse_month(r.get("due")),
        outcome=Outcome(r["outcome"]) if r.get("outcome") else None,
        **answers,
        **texts,
        **soft,
    )


def verstetigung_from_data(data: dict[str, Any], strategy: TrackedStrategy) -> list[Problem]:
    """Fill the strategy's Verstetigung fields from schema-valid file data; returns the problems found."""
    problems: list[Problem] = []
    keys = {m.key for m in strategy.measures}
    for raw in data.get("measures", []):
        key = str(raw["id"])
        if raw.get("indicators"):
            strategy.indicators[key] = _indicators(key, raw["indicators"], problems)
        changes = []
        for j, c in enumerate(raw.get("status_history", [])):
            when = _date(c["date"], problems, key, f"status_history.{j}.date")
            if when is not None:
                changes.append(StatusChange(when, Status(c["status"]), c.get("by", ""), c.get("note", "")))
        if changes:
            strategy.status_history[key] = changes
    for m in strategy.measures:
        problems.extend(actual_month_problems(m))
    strategy.evaluations = [
        rec for i, r in enumerate(data.get("evaluations", [])) if (rec := _record(i, r, keys, problems))
    ]
    for i, v in enumerate(data.get("history", [])):
        replaced = _date(v["replaced"], problems, None, f"history.{i}.replaced") if v.get("replaced") else None
        decisions = [
            CarryOver(d["measure"], d.get("title", ""), Decision(d["decision"]), d.get("note", ""))
            for d in v.get("decisions", [])
        ]
        reviewed = _date(v["reviewed"], problems, None, f"history.{i}.reviewed") if v.get("reviewed") else None
        strategy.history.append(
            VersionEntry(str(v["version"]), v["title"], parse_month(v.get("adopted")), replaced, decisions, reviewed)
        )
    if (r := data.get("resolution")) is not None:
        decided = _date(r["date"], problems, None, "resolution.date")
        if decided is not None:
            strategy.resolution = Resolution(decided, r["body"], r.get("reference", ""))
    for i, r in enumerate(data.get("reviews", [])):
        held = _date(r["date"], problems, None, f"reviews.{i}.date") if r.get("date") else None
        entries = []
        for d in r.get("decisions", []):
            if d["measure"] not in keys:
                problems.append(
                    Problem(
                        f"Das Strategiereview Nr. {i + 1} entscheidet über eine unbekannte Maßnahme „{d['measure']}“.",
                        None,
                        f"reviews.{i}.decisions",
                    )
                )
                continue
            decision = ReviewDecision(d["decision"]) if d.get("decision") else None
            entries.append(
                ReviewEntry(
                    d["measure"], ReviewDecision(d["proposed"]), d.get("reason", ""), decision, d.get("note", "")
                )
            )
        strategy.reviews.append(
            ReviewRecord(held, r.get("participants", ""), r.get("minutes", ""), bool(r.get("finalised")), entries)
        )
    # a meeting recorded with the former review form (a strategy evaluation with Beschlüsse) is a review
    # too; written back, the file has it under `reviews`, and reading that again adds nothing
    held = {r.held_on for r in strategy.reviews}
    for record in strategy.evaluations:
        if (converted := review_from_evaluation(record)) is not None and converted.held_on not in held:
            strategy.reviews.append(converted)
            held.add(converted.held_on)
    strategy.reviews.sort(key=lambda r: (r.held_on is None, r.held_on or date.min))
    if sum(1 for r in strategy.reviews if not r.finalised) > 1:
        problems.append(Problem("Höchstens ein Strategiereview kann in Vorbereitung sein.", None, "reviews"))
    return problems


# --- writing -------------------------------------------------------------------------------


def _num(value: float | None) -> float | int | None:
    """Whole numbers without a trailing .0, so a file written by hand stays as it was."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def measure_extras(strategy: TrackedStrategy, key: str) -> dict[str, Any]:
    """Status history and indicators of one measure in file form; empty ones left out."""
    out: dict[str, Any] = {}
    if changes := strategy.status_history.get(key):
        out["status_history"] = [
            {"date": c.changed.isoformat(), "status": c.status.value, "by": c.by, "note": c.note} for c in changes
        ]
    if indicators := strategy.indicators.get(key):
        out["indicators"] = [
            {
                "name": i.name,
                "unit": i.unit,
                "baseline": _num(i.baseline),
                "target": _num(i.target),
                "values": [{"date": v.measured.isoformat(), "value": _num(v.value)} for v in i.values],
            }
            for i in indicators
        ]
    return out


def _record_to_dict(r: EvaluationRecord) -> dict[str, Any]:
    out: dict[str, Any] = {
        "subject": r.subject,
        "kind": r.kind.value,
        "due": month_text(r.due),
        "date": r.performed.isoformat(),
    }
    for f in ANSWER_FIELDS:
        if (a := getattr(r, f)) is not None:
            out[f] = a.value
    for f in SOFT_CRITERIA:
        soft: Soft = getattr(r, f)
        if soft.rating is not None or soft.text:
            out[f] = {"rating": soft.rating, "text": soft.text}
    for f in _TEXTS:
        if getattr(r, f):
            out[f] = getattr(r, f)
    if r.outcome is not None:
        out["outcome"] = r.outcome.value
    return out


def verstetigung_to_data(strategy: TrackedStrategy) -> dict[str, Any]:
    """The top-level sections `evaluations` and `history`; empty ones left out."""
    out: dict[str, Any] = {}
    if strategy.evaluations:
        out["evaluations"] = [_record_to_dict(r) for r in strategy.evaluations]
    if strategy.history:
        out["history"] = [
            {
                "version": v.version,
                "title": v.title,
                "adopted": month_text(v.adopted),
                "replaced": v.replaced.isoformat() if v.replaced else None,
                **({"reviewed": v.reviewed.isoformat()} if v.reviewed else {}),
                "decisions": [
                    {"measure": d.measure, "title": d.title, "decision": d.decision.value, "note": d.note}
                    for d in v.decisions
                ],
            }
            for v in strategy.history
        ]
    if strategy.resolution is not None:
        r = strategy.resolution
        out["resolution"] = {"date": r.decided_on.isoformat(), "body": r.body, "reference": r.reference}
    if strategy.reviews:
        out["reviews"] = [
            {
                "date": r.held_on.isoformat() if r.held_on else None,
                "participants": r.participants,
                "minutes": r.minutes,
                "finalised": r.finalised,
                "decisions": [
                    {
                        "measure": d.measure,
                        "proposed": d.proposed.value,
                        "reason": d.reason,
                        "decision": d.decision.value if d.decision else None,
                        "note": d.note,
                    }
                    for d in r.decisions
                ],
            }
            for r in strategy.reviews
        ]
    return out
