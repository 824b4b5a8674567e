"""JSON Schema of the strategy file, built from the domain's scales (one source of truth).

`docs/strategy.schema.json` is this schema written out; a test keeps the two equal
(`planner schema -o docs/strategy.schema.json` regenerates it).
"""

from __future__ import annotations

import json
from typing import Any

from ..domain.months import MONTH_PATTERN
from ..domain.strategy import OwnerRole, Rating, Status
from ..domain.validation import MAX_AMOUNT, MAX_COUNT, MAX_TEXT
from . import verstetigung_file
from .maturity_file import schema_sections as maturity_schema_sections

FORMAT_ID = "planner-strategy/1"
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"  # the id of a measure

_text = {"type": "string", "maxLength": MAX_TEXT}
_texts = {"type": "array", "items": _text}


def _short(length: int, required: bool = False) -> dict[str, Any]:
    """A text for a column of `length` characters."""
    return {"type": "string", **({"minLength": 1} if required else {}), "maxLength": length}


_month = {
    "type": "string",
    "pattern": MONTH_PATTERN,
    "description": "JJJJ-MM; planner also reads MM/JJJJ, M/JJJJ, MM.JJJJ and TT.MM.JJJJ and stores JJJJ-MM",
}
_optional_month = {"anyOf": [_month, {"type": "null"}]}
_rating = {"enum": [r.value for r in Rating] + [None]}

# Sections added by other capabilities register here, so this module stays the one
# place where the file's shape is described.
EXTRA_TOP_LEVEL: dict[str, dict[str, Any]] = {}
EXTRA_MEASURE: dict[str, dict[str, Any]] = {}
EXTRA_TOP_LEVEL.update(maturity_schema_sections())  # assessments, targets, funding
EXTRA_TOP_LEVEL.update(verstetigung_file.schema_sections())  # evaluations, history
EXTRA_MEASURE.update(verstetigung_file.measure_schema_fields())  # actual months, status history, indicators


def measure_schema() -> dict[str, Any]:
    """Schema of one entry under `measures`."""
    props: dict[str, Any] = {
        "id": {"type": "string", "pattern": KEY_PATTERN, "maxLength": 100},
        "title": _short(300, required=True),
        "description": _text,
        "goal": _text,
        "dimension": _short(100, required=True),
        "further_dimensions": _texts,
        "subdimensions": _texts,
        "target_stage": {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 4}, {"type": "null"}]},
        "urgency": _rating,
        "feasibility": _rating,
        "status": {"enum": [s.value for s in Status]},
        "second_loop": {"type": "boolean"},
        "owners": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "additionalProperties": False,
                "properties": {
                    "name": _short(200, required=True),
                    "role": {"enum": [r.value for r in OwnerRole]},
                    "email": _short(254),
                },
            },
        },
        "actors": _texts,
        "requirements": _texts,
        "start": _optional_month,
        "end": _optional_month,
        "depends_on": _texts,
        "examples": _texts,
        "steps": _texts,
        "budget": {"anyOf": [{"type": "number", "minimum": 0, "maximum": MAX_AMOUNT}, {"type": "null"}]},
        "funding_call": {"anyOf": [_short(200), {"type": "null"}]},
        "deferrals": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT},
    }
    props.update(EXTRA_MEASURE)
    return {
        "type": "object",
        "required": ["id", "title", "dimension"],
        "additionalProperties": False,
        "properties": props,
    }


def strategy_file_schema() -> dict[str, Any]:
    """The JSON Schema of a whole strategy file."""
    props: dict[str, Any] = {
        "format": {"const": FORMAT_ID},
        "organisation": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {"name": _short(200, required=True)},
        },
        "strategy": {
            "type": "object",
            "required": ["title"],
            "additionalProperties": False,
            "properties": {
                "title": _short(300, required=True),
                "version": _short(50),
                "adopted": _optional_month,
                "roadmap_window": {
                    "type": "object",
                    "required": ["from", "to"],
                    "additionalProperties": False,
                    "properties": {"from": _month, "to": _month},
                },
                "vision": _text,
                "mission": _text,
                "principles": _texts,
            },
        },
        "measures": {"type": "array", "items": measure_schema()},
    }
    props.update(EXTRA_TOP_LEVEL)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://planner.example/schema/planner-strategy-1.json",
        "title": "planner strategy file (planner-strategy/1)",
        "type": "object",
        "required": ["format", "organisation", "strategy"],
        "additionalProperties": False,
        "properties": props,
    }


def schema_json() -> str:
    """The schema as the text of docs/strategy.schema.json."""
    return json.dumps(strategy_file_schema(), ensure_ascii=False, indent=2) + "\n"
