"""The public holidays that hold in every German Land (bundesweite Feiertage): the working days
of exported plans skip them. Holidays of single Länder are left out: a plan names months, not days."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache


def easter_sunday(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * ell) // 433
    month, day = divmod(h + ell - 7 * m + 90, 25)
    return date(year, month, (h + ell - 7 * m + 33 * month + 19) % 32)


@cache
def public_holidays(year: int) -> dict[date, str]:
    """The nationwide public holidays of a year, by day."""
    easter = easter_sunday(year)
    return {
        date(year, 1, 1): "Neujahr",
        easter - timedelta(days=2): "Karfreitag",
        easter + timedelta(days=1): "Ostermontag",
        date(year, 5, 1): "Tag der Arbeit",
        easter + timedelta(days=39): "Christi Himmelfahrt",
        easter + timedelta(days=50): "Pfingstmontag",
        date(year, 10, 3): "Tag der Deutschen Einheit",
        date(year, 12, 25): "1. Weihnachtstag",
        date(year, 12, 26): "2. Weihnachtstag",
    }


def is_workday(day: date) -> bool:
    """Monday to Friday and no nationwide public holiday."""
    return day.weekday() < 5 and day not in public_holidays(day.year)
