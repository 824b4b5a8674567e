"""Year-month values: the granularity of every plan in a strategy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
# MM/JJJJ, M/JJJJ (pages, Steckbriefe) and MM.JJJJ (how Excel users often type a month)
_GERMAN = re.compile(r"^\s*(\d{1,2})\s*[/.]\s*(\d{4})\s*$")
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"  # the stored and file form, JSON Schema pattern


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, e.g. Month(2023, 4) for April 2023."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"Monat {self.month} liegt nicht zwischen 1 und 12")
        if not 1900 <= self.year <= 2200:
            raise ValueError(f"Jahr {self.year} ist nicht plausibel")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse 'YYYY-MM' or the German '04/2023', '4/2023', '04.2023'."""
        text = str(text)
        if m := _ISO.match(text):
            return cls(int(m.group(1)), int(m.group(2)))
        if m := _GERMAN.match(text):
            return cls(int(m.group(2)), int(m.group(1)))
        raise ValueError(f"„{text}“ ist kein Monat (erwartet MM/JJJJ oder JJJJ-MM, z. B. 04/2023)")

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
    """The month of a stored or file value ('2023-04'); None when there is none."""
    return Month.parse(text) if text else None


def month_text(month: Month | None) -> str | None:
    """The stored and file form of a month ('2023-04'); None when there is none."""
    return str(month) if month is not None else None


def german_date(value: date) -> str:
    """A day the way the pages and documents write it: 09.06.2022."""
    return value.strftime("%d.%m.%Y")
