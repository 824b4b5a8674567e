"""Year-month values: the granularity of every plan in a strategy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
# MM/JJJJ, M/JJJJ (pages, Steckbriefe) and MM.JJJJ (how Excel users often type a month)
_GERMAN = re.compile(r"^\s*(\d{1,2})\s*[/.]\s*(\d{4})\s*$")
# a full German date (30.06.2027): the month is what counts, the day must exist
_GERMAN_DAY = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
# The years a plan can name: every way in (forms, files, workbook, API) refuses others with this
# message, and the stored and file form's JSON Schema pattern below says the same.
MIN_YEAR, MAX_YEAR = 1900, 2200
MONTH_PATTERN = r"^(19\d\d|2[01]\d\d|2200)-(0[1-9]|1[0-2])$"  # JJJJ-MM within MIN_YEAR..MAX_YEAR
# what the API also reads (the typed forms that parse() takes), as a JSON Schema pattern
TYPED_MONTH_PATTERN = (
    r"^\s*((19\d\d|2[01]\d\d|2200)-(0?[1-9]|1[0-2])|((0?[1-9]|[12]\d|3[01])\.)?(0?[1-9]|1[0-2])\s*[/.]\s*"
    r"(19\d\d|2[01]\d\d|2200))\s*$"
)


def year_problem(year: int) -> str | None:
    """Why a year cannot be part of a plan, in German; None when it can."""
    if MIN_YEAR <= year <= MAX_YEAR:
        return None
    return f"Das Jahr {year} liegt nicht zwischen {MIN_YEAR} und {MAX_YEAR}."


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, e.g. Month(2023, 4) for April 2023."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"Monat {self.month} liegt nicht zwischen 1 und 12")
        if problem := year_problem(self.year):
            raise ValueError(problem)

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse 'YYYY-MM' or the German '04/2023', '4/2023', '04.2023' and '30.04.2023' (a day of the month)."""
        text = str(text)
        if m := _ISO.match(text):
            return cls(int(m.group(1)), int(m.group(2)))
        if m := _GERMAN.match(text):
            return cls(int(m.group(2)), int(m.group(1)))
        if m := _GERMAN_DAY.match(text):
            day, month, year = (int(g) for g in m.groups())
            if problem := year_problem(year):
                raise ValueError(problem)
            try:
                date(year, month, day)
            except ValueError:
                raise ValueError(f"„{text.strip()}“ ist kein Datum.") from None
            return cls(year, month)
        raise ValueError(month_problem(text))

    @classmethod
    def from_index(cls, index: int) -> Month:
        """Inverse of `index`."""
        return cls(index // 12, index % 12 + 1)

    @property
    def index(self) -> int:
        """Months since year 0: makes month arithmetic plain integer arithmetic."""
        return self.year * 12 + self.month - 1

    def __add__(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __sub__(self, other: Month) -> int:
        return self.index - other.index

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def german(self) -> str:
        """The way the documents write it: 04/2023."""
        return f"{self.month:02d}/{self.year:04d}"


def year_out_of_range(text: str) -> str | None:
    """For a text in a month's form whose year no plan can name, the German reason; else None."""
    if m := _ISO.match(text):
        return year_problem(int(m.group(1)))
    if m := _GERMAN.match(text):
        return year_problem(int(m.group(2)))
    if m := _GERMAN_DAY.match(text):
        return year_problem(int(m.group(3)))
    return None


def month_problem(text: object) -> str:
    """Why a text is no month a plan can name, in German: a year out of range, or no month at all."""
    text = str(text)
    return year_out_of_range(text) or f"„{text}“ ist kein Monat (erwartet MM/JJJJ oder JJJJ-MM, z. B. 04/2023)."


def month_of(day: date) -> Month:
    """The month a day falls in."""
    return Month(day.year, day.month)


def months_inclusive(start: Month, end: Month) -> int:
    """Number of months from start to end, both included (01/2023-04/2023 is 4)."""
    return end - start + 1


def format_range(start: Month | None, end: Month | None) -> str:
    """German display of a planned range: '01/2023 – 04/2023', 'ab 04/2023' or ''."""
    if start is None:
        return ""
    if end is None:
        return f"ab {start.german()}"
    return f"{start.german()} – {end.german()}"


def parse_month(text: str | None) -> Month | None:
    """The month of a stored or file value ('2023-04'); None when there is none.

    A strategy names few months many times (every start and end): each text is parsed once."""
    if not text:
        return None
    return _parsed_month(text) if isinstance(text, str) else Month.parse(text)


@lru_cache(maxsize=4096)
def _parsed_month(text: str) -> Month:
    return Month.parse(text)  # Month is immutable: one value serves every caller


def month_text(month: Month | None) -> str | None:
    """The stored and file form of a month ('2023-04'); None when there is none."""
    return str(month) if month is not None else None
