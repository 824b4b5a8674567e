"""Accept what people type: months, scales, statuses and roles in the forms they write them.

The one place that turns typed values into canonical ones. The strategy file loader calls
`normalise_strategy_data` before schema validation, the forms and the workbook import call
the value functions. Canonical values pass through unchanged; what cannot be recognised is
left as it was (the file's schema check then reports it) or raises ValueError with a German
message (forms, workbook).

Accepted:
- months: JJJJ-MM, MM/JJJJ, M/JJJJ, MM.JJJJ; a date or datetime (an Excel date cell) counts
  as its month; a YAML number 4.2025 (what `start: 04.2025` becomes) as 04/2025;
- Dringlichkeit and Machbarkeit, status and role regardless of case, with spaces
  ("Hoch", "gering / mittel", "in Umsetzung", "In_Umsetzung", "LEAD").
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

from .months import Month, year_out_of_range
from .strategy import STATUS_LABELS, OwnerRole, Rating, Status

MONTH_FORMS = "MM/JJJJ, z. B. 04/2025 (auch JJJJ-MM, M/JJJJ oder MM.JJJJ)"


@lru_cache(maxsize=4096)  # a file repeats few labels thousands of times
def _fold(text: str) -> str:
    """Case, surrounding and doubled spaces, spaces around '/' and between words ignored."""
    text = " ".join(str(text).split()).casefold()
    text = re.sub(r"\s*/\s*", "/", text)
    return text.replace(" ", "_").replace("-", "_")


_RATINGS = {_fold(r.value): r for r in Rating}
_STATUSES = {**{_fold(s.value): s for s in Status}, **{_fold(label): s for s, label in STATUS_LABELS.items()}}
_ROLES = {_fold(r.value): r for r in OwnerRole}


def month_text_of(value: Any) -> str | None:
    """The text a month value was typed as; None for an empty value.

    A YAML float (`04.2025` read as 4.2025, `10.2020` as 10.202) gets its lost zeros back."""
    if value is None:
        return None
    if isinstance(value, float) and not isinstance(value, bool):
        whole, _, fraction = repr(value).partition(".")
        return f"{whole}.{fraction.ljust(4, '0')}" if len(fraction) <= 4 else repr(value)
    text = str(value).strip()
    return text or None


def month_value(value: Any) -> Month | None:
    """The month of a typed value or a date cell; None when empty; ValueError in German when malformed."""
    if isinstance(value, date):  # a datetime (Excel date cell) too
        return Month(value.year, value.month)
    text = month_text_of(value)
    if text is None:
        return None
    try:
        return Month.parse(text)
    except ValueError:
        raise ValueError(
            year_out_of_range(text) or f"„{text}“ ist kein Monat. Bitte als {MONTH_FORMS} angeben."
        ) from None


def _allowed(values: list[str]) -> str:
    return ", ".join(values)


def rating_value(value: Any) -> Rating | None:
    """Dringlichkeit or Machbarkeit; None when empty (unknown)."""
    text = "" if value is None else str(value).strip()
    if not text or _fold(text) in ("unbekannt", "null"):
        return None
    found = _RATINGS.get(_fold(text))
    if found is None:
        raise ValueError(f"„{text}“ ist nicht erlaubt; erlaubt sind: {_allowed([r.value for r in Rating])} oder leer.")
    return found


def status_value(value: Any, default: Status = Status.GEPLANT) -> Status:
    """A status by value or German label; `default` when empty."""
    text = "" if value is None else str(value).strip()
    if not text:
        return default
    found = _STATUSES.get(_fold(text))
    if found is None:
        raise ValueError(f"„{text}“ ist nicht erlaubt; erlaubt sind: {_allowed([s.label for s in Status])}.")
    return found


def role_value(value: Any) -> OwnerRole:
    """Lead or Support; Lead when empty."""
    text = "" if value is None else str(value).strip()
    if not text:
        return OwnerRole.LEAD
    found = _ROLES.get(_fold(text))
    if found is None:
        raise ValueError(f"„{text}“ ist keine Rolle; erlaubt sind: Lead, Support.")
    return found


_OWNER_LINE = re.compile(r"^(?P<name>.+?)\s*(?:\(\s*(?P<role>lead|support)\s*\))?$", re.IGNORECASE)


def owner_line(text: str) -> tuple[str, OwnerRole]:
    """A Verantwortliche(r) as written in a form or a workbook cell: 'Annika Feldhues (Lead)'.

    Only (Lead) and (Support), in any case, are a role; other brackets belong to the name
    ('Amt 53 (Gesundheit)'), which is then Lead."""
    match = _OWNER_LINE.match(" ".join(text.split()))
    return match.group("name").strip(), role_value(match.group("role"))


# --- the strategy file ----------------------------------------------------------------


def _canonical(value: Any, convert) -> Any:
    """The canonical file form of a value, or the value itself when it is not recognised."""
    if value is None or value == "" or isinstance(value, bool | dict | list):
        return value
    try:
        result = convert(value)
    except ValueError:
        # keep it for the schema check, as text so the message quotes what was typed
        return month_text_of(value) if convert is month_value and isinstance(value, float) else value
    if isinstance(result, Month):
        return str(result)
    return result.value if result is not None else None


def _months(section: Any, *keys: str) -> None:
    if isinstance(section, dict):
        for key in keys:
            if key in section:
                section[key] = _canonical(section[key], month_value)


def normalise_strategy_data(data: Any) -> Any:
    """Parsed strategy file data with typed forms of months, scales, statuses and roles made canonical.

    Changes `data` in place and returns it; anything unrecognised is left for the schema check."""
    if not isinstance(data, dict):
        return data
    strategy = data.get("strategy")
    _months(strategy, "adopted")
    if isinstance(strategy, dict):
        _months(strategy.get("roadmap_window"), "from", "to")
    for measure in data.get("measures") or [] if isinstance(data.get("measures"), list) else []:
        if not isinstance(measure, dict):
            continue
        _months(measure, "start", "end", "actual_start", "actual_end")
        for key in ("urgency", "feasibility"):
            if key in measure and isinstance(measure[key], str):
                measure[key] = _canonical(measure[key], rating_value)
        if isinstance(measure.get("status"), str):
            measure["status"] = _canonical(measure["status"], status_value)
        for owner in measure.get("owners") or [] if isinstance(measure.get("owners"), list) else []:
            if isinstance(owner, dict) and isinstance(owner.get("role"), str):
                owner["role"] = _canonical(owner["role"], role_value)
    return data
