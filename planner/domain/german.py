"""German presentation of values, one style for pages, documents, charts and files: numbers
(1.234,5), money (1.005.706 € — always the € sign, never "EUR"), percentages, days (09.06.2022),
months (04/2023) and the ASCII spelling of German words in file names and keys (Ä → Ae, ß → ss).

Pure: no flask, no database. Templates reach these through Jinja filters (web/filters.py).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .months import Month, month_of

__all__ = [
    "INVALID",
    "make_key",
    "collation_key",
    "german_date",
    "money",
    "month",
    "month_of",
    "number",
    "percent",
    "slug",
    "timestamp",
    "transliterate",
]

BERLIN = "Europe/Berlin"  # the offices' time zone
INVALID = "ungültiger Wert"  # inf or nan, stored before such input was refused
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def _separators(text: str) -> str:
    """English separators (1,234.5) the German way (1.234,5)."""
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def number(value: float, decimals: int = 2) -> str:
    """A number the German way: 1.234,5 — whole numbers without decimals, others with at most
    `decimals` places (trailing zeros dropped); "ungültiger Wert" for inf and nan."""
    if not math.isfinite(value):
        return INVALID
    if value == int(value):
        return _separators(f"{int(value):,}")
    return _separators(f"{value:,.{decimals}f}".rstrip("0").rstrip("."))


def money(value: float) -> str:
    """An amount in euros: 1.005.706 € for whole euros, 12.500,50 € with cents."""
    if not math.isfinite(value):
        return INVALID
    cents = round(value * 100)
    if cents % 100 == 0:
        return f"{_separators(f'{cents // 100:,}')} €"
    return f"{_separators(f'{value:,.2f}')} €"


def percent(share: float, decimals: int = 1) -> str:
    """A share (0.15) as a German percentage: 15,0 %."""
    return f"{_separators(f'{share * 100:,.{decimals}f}')} %"


def month(value: Month | str | None) -> str:
    """04/2023 from a Month or its stored form '2023-04'; empty when there is none."""
    if not value:
        return ""
    return (Month.parse(value) if isinstance(value, str) else value).german()


def german_date(value: date | None) -> str:
    """A day the way pages, documents and files write it: 09.06.2022; empty when there is none.
    A stored timestamp gives its day in Berlin."""
    if isinstance(value, datetime):
        value = in_berlin(value).date()
    return value.strftime("%d.%m.%Y") if value else ""


def parse_day(text: str) -> date:
    """A date as people type it: TT.MM.JJJJ (or JJJJ-MM-TT); ValueError when it is none."""
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def in_berlin(value: datetime) -> datetime:
    """A stored timestamp in the offices' time zone; a naive value counts as UTC."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(BERLIN))


def day_end_utc(day: date) -> datetime:
    """The first moment after the day in the offices' time zone, as stored timestamps are written
    (naive UTC): what happened on 31.12.2025 in Berlin happened before day_end_utc(31.12.2025)."""
    start_of_next = datetime.combine(day + timedelta(days=1), time(), tzinfo=ZoneInfo(BERLIN))
    return start_of_next.astimezone(UTC).replace(tzinfo=None)


def berlin_today() -> date:
    """Today's date in the offices' time zone (between midnight and 1 or 2 a.m. UTC still says yesterday)."""
    return datetime.now(ZoneInfo(BERLIN)).date()


def timestamp(value: datetime | None) -> str:
    """A stored UTC timestamp as people in the office read it: 30.11.2026 14:05 (Europe/Berlin);
    a naive value counts as UTC. Empty when there is none."""
    if not value:
        return ""
    return in_berlin(value).strftime("%d.%m.%Y %H:%M")


def counted(n: int, one: str, many: str) -> str:
    """A count with its noun in the right number: '1 Zeitkonflikt', '2 Zeitkonflikte'."""
    return f"{n} {one if n == 1 else many}"


def transliterate(text: str) -> str:
    """German letters in ASCII: Ä → Ae, ä → ae, ß → ss (the other letters stay as they are)."""
    return text.translate(_UMLAUTS)


def slug(*parts: str | None, max_length: int = 80) -> str:
    """Lower-case ASCII words joined by hyphens: "Kreis Übach", "2023" → "kreis-uebach-2023"."""
    words = (re.sub(r"[^A-Za-z0-9]+", "-", transliterate(p)).strip("-").lower() for p in parts if p)
    return "-".join(w for w in words if w)[:max_length].strip("-")


def collation_key(text: str) -> str:
    """Sort key for German words (DIN 5007, variant 1): case ignored, ä sorts as a, ß as ss."""
    return text.casefold().translate(_COLLATE)


_COLLATE = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def make_key(title: str, taken: set[str] | frozenset[str] = frozenset(), max_length: int = 60) -> str:
    """A readable, unique id from a title: 'Entwicklung eines Schulungskonzepts' -> 'entwicklung-eines-schulungskonzepts'."""
    base = re.sub(r"[^a-z0-9]+", "-", transliterate(title).lower()).strip("-")[:max_length].strip("-")
    base = base or "massnahme"
    key, n = base, 2
    while key in taken:
        key = f"{base}-{n}"
        n += 1
    return key
