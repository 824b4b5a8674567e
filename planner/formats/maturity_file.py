"""The maturity sections of the strategy file: `assessments`, `targets` and `funding`.

```yaml
assessments:
  - date: 2022-06-09
    levels: {Verantwortlichkeiten: 2, Präferenzen: null}   # result sheet; null = "–"
  - date: 2024-11-07
    threshold: 0.8                                          # optional, default 0.8
    answers:                                                # criteria answers
      - {subdimension: Interaktion, stage: 0, criterion: "…", answer: trifft_zu}
targets: {Präferenzen: 2}          # subdimensions not listed: stage 3
funding:
  - {call: foerderaufruf-1, status: abgeschlossen, granted: 1005706.00, baseline: 2022-06-09,
     claim: "„in sieben von acht Dimensionen …“", claimed_dimensions: 7}   # optional: the office's own report
```
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..domain.catalogue import catalogue
from ..domain.funding import FundingParticipation, ParticipationStatus, find_call, funding_calls
from ..domain.german import german_date
from ..domain.maturity import Answer, Assessment, CriterionAnswer
from ..domain.validation import MAX_AMOUNT, MAX_TEXT, Problem

_stage = {"type": "integer", "minimum": 0, "maximum": 4}
_date = {"type": "string", "description": "Datum JJJJ-MM-TT"}


def schema_sections() -> dict[str, dict[str, Any]]:
    """JSON Schema of the three top-level sections (registered in schema.EXTRA_TOP_LEVEL)."""
    answer = {
        "type": "object",
        "required": ["subdimension", "stage", "criterion", "answer"],
        "additionalProperties": False,
        "properties": {
            "subdimension": {"type": "string", "minLength": 1},
            "stage": _stage,
            "criterion": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
            "answer": {"enum": [a.value for a in Answer]},
        },
    }
    assessment = {
        "type": "object",
        "required": ["date"],
        "additionalProperties": False,
        "properties": {
            "date": _date,
            "note": {"type": "string", "maxLength": MAX_TEXT},
            "threshold": {"anyOf": [{"type": "number", "exclusiveMinimum": 0, "maximum": 1}, {"type": "null"}]},
            "levels": {"type": "object", "additionalProperties": {"anyOf": [_stage, {"type": "null"}]}},
            "answers": {"type": "array", "items": answer},
        },
    }
    participation = {
        "type": "object",
        "required": ["call"],
        "additionalProperties": False,
        "properties": {
            "call": {"type": "string", "minLength": 1, "maxLength": 100},
            "status": {"enum": [s.value for s in ParticipationStatus]},
            "granted": {"anyOf": [{"type": "number", "minimum": 0, "maximum": MAX_AMOUNT}, {"type": "null"}]},
            "baseline": {"anyOf": [_date, {"type": "null"}]},
            "note": {"type": "string", "maxLength": MAX_TEXT},
            "claim": {"type": "string", "maxLength": MAX_TEXT},
            "claimed_dimensions": {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 8}, {"type": "null"}]},
        },
    }
    return {
        "assessments": {"type": "array", "items": assessment},
        "targets": {"type": "object", "additionalProperties": _stage},
        "funding": {"type": "array", "items": participation},
    }


def _parse_date(text: Any, field: str, problems: list[Problem]) -> date | None:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        problems.append(Problem(f"„{text}“ ist kein Datum im Format JJJJ-MM-TT (z. B. 2022-06-09).", field=field))
        return None


def _subdimension(name: str, field: str, problems: list[Problem]) -> str | None:
    canonical = catalogue().canonical_subdimension(str(name))
    if canonical is None:
        problems.append(Problem(f"Unbekannte Subdimension „{name}“.", field=field))
    return canonical


def _assessment(i: int, raw: dict[str, Any], problems: list[Problem]) -> Assessment | None:
    where = f"assessments.{i}"
    when = _parse_date(raw["date"], f"{where}.date", problems)
    has_levels, has_answers = "levels" in raw, "answers" in raw
    if has_levels == has_answers:
        problems.append(
            Problem(
                "Eine Messung braucht entweder „levels“ (Ergebnisblatt) oder „answers“ (Kriterien), nicht beides.",
                field=where,
            )
        )
        return None
    levels: dict[str, int | None] = {}
    for name, value in (raw.get("levels") or {}).items():
        sub = _subdimension(name, f"{where}.levels", problems)
        if sub is None:
            continue
        if sub in levels:
            problems.append(Problem(f"Die Subdimension „{sub}“ ist doppelt angegeben.", field=f"{where}.levels"))
        levels[sub] = value
    answers: list[CriterionAnswer] = []
    seen: set[tuple[str, int, str]] = set()
    for j, a in enumerate(raw.get("answers") or []):
        sub = _subdimension(a["subdimension"], f"{where}.answers.{j}.subdimension", problems)
        if sub is None:
            continue
        key = (sub, a["stage"], a["criterion"])
        if key in seen:
            problems.append(
                Problem(f"Das Kriterium „{a['criterion']}“ ist doppelt beantwortet.", field=f"{where}.answers.{j}")
            )
        seen.add(key)
        answers.append(CriterionAnswer(sub, a["stage"], a["criterion"], Answer(a["answer"])))
    if has_levels and raw.get("threshold") is not None:
        problems.append(
            Problem("Die Schwelle („threshold“) gilt nur für Kriterienbewertungen.", field=f"{where}.threshold")
        )
    if has_answers and not raw["answers"]:
        problems.append(Problem("Eine Kriterienbewertung braucht mindestens eine Antwort.", field=f"{where}.answers"))
    if when is None:
        return None
    return Assessment(
        date=when, levels=levels, answers=answers, threshold=raw.get("threshold"), note=raw.get("note", "")
    )


def maturity_from_data(
    data: dict[str, Any],
) -> tuple[list[Assessment], dict[str, int], list[FundingParticipation], list[Problem]]:
    """The maturity sections of schema-valid file data, with every problem found."""
    problems: list[Problem] = []
    assessments = [a for i, raw in enumerate(data.get("assessments") or []) if (a := _assessment(i, raw, problems))]
    targets: dict[str, int] = {}
    for name, stage in (data.get("targets") or {}).items():
        sub = _subdimension(name, "targets", problems)
        if sub is not None:
            targets[sub] = stage
    funding: list[FundingParticipation] = []
    for i, raw in enumerate(data.get("funding") or []):
        call = find_call(raw["call"])
        if call is None:
            known = ", ".join(c.id for c in funding_calls())
            problems.append(
                Problem(f"Unbekannter Förderaufruf „{raw['call']}“ (bekannt: {known}).", field=f"funding.{i}.call")
            )
            continue
        baseline = raw.get("baseline")
        funding.append(
            FundingParticipation(
                call=call.id,
                status=ParticipationStatus(raw.get("status", ParticipationStatus.BEWILLIGT.value)),
                granted=raw.get("granted"),
                baseline=_parse_date(baseline, f"funding.{i}.baseline", problems) if baseline is not None else None,
                note=raw.get("note", ""),
                claim=raw.get("claim", ""),
                claimed_dimensions=raw.get("claimed_dimensions"),
            )
        )
    problems.extend(validate_maturity(assessments, targets, funding))
    return assessments, targets, funding, problems


def validate_maturity(
    assessments: list[Assessment], targets: dict[str, int], funding: list[FundingParticipation]
) -> list[Problem]:
    """Cross-entry rules: one assessment per date, one entry per call, baselines that exist."""
    problems: list[Problem] = []
    dates = [a.date for a in assessments]
    for d in sorted({d for d in dates if dates.count(d) > 1}):
        problems.append(Problem(f"Für den {german_date(d)} gibt es mehr als eine Messung.", field="assessments"))
    calls = [f.call for f in funding]
    for c in sorted({c for c in calls if calls.count(c) > 1}):
        problems.append(Problem(f"Der Förderaufruf „{c}“ ist mehrfach angegeben.", field="funding"))
    for f in funding:
        if f.baseline is not None and f.baseline not in dates:
            problems.append(
                Problem(
                    f"Ausgangsmessung {german_date(f.baseline)} für „{f.call}“: keine Messung mit diesem Datum.",
                    field="funding",
                )
            )
    return problems


def maturity_to_data(
    assessments: list[Assessment], targets: dict[str, int], funding: list[FundingParticipation]
) -> dict[str, Any]:
    """The file form of the maturity sections; sections without content are left out."""
    out: dict[str, Any] = {}
    if assessments:
        out["assessments"] = [_assessment_to_dict(a) for a in sorted(assessments, key=lambda a: a.date)]
    if targets:
        order = catalogue().subdimension_names
        out["targets"] = {s: targets[s] for s in order if s in targets}
    if funding:
        out["funding"] = [_participation_to_dict(f) for f in funding]
    return out


def _assessment_to_dict(a: Assessment) -> dict[str, Any]:
    entry: dict[str, Any] = {"date": a.date.isoformat()}
    if a.note:
        entry["note"] = a.note
    if a.answers:
        if a.threshold is not None:
            entry["threshold"] = a.threshold
        entry["answers"] = [
            {"subdimension": x.subdimension, "stage": x.stage, "criterion": x.criterion, "answer": x.answer.value}
            for x in a.answers
        ]
    else:
        order = catalogue().subdimension_names
        entry["levels"] = {s: a.levels[s] for s in order if s in a.levels}
    return entry


def _participation_to_dict(f: FundingParticipation) -> dict[str, Any]:
    entry: dict[str, Any] = {"call": f.call, "status": f.status.value, "granted": f.granted}
    entry["baseline"] = f.baseline.isoformat() if f.baseline else None
    if f.note:
        entry["note"] = f.note
    if f.claim:
        entry["claim"] = f.claim
    if f.claimed_dimensions is not None:
        entry["claimed_dimensions"] = f.claimed_dimensions
    return entry
