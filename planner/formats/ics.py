"""iCalendar (ICS) files: a calendar of all-day events (for Outlook and other calendars)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

from ..domain.validation import one_line, writable

PRODID = "-//planner//Evaluationskalender//DE"


@dataclass(frozen=True)
class CalendarEvent:
    """One all-day event; `stamp` is its last revision (DTSTAMP), `url` an absolute link back."""

    uid: str
    day: date
    summary: str
    description: str
    categories: tuple[str, ...] = ()
    stamp: datetime | None = None
    url: str | None = None


def calendar_file(name: str, events: Iterable[CalendarEvent], stamp: datetime | None = None) -> bytes:
    """An iCalendar file named `name` with `events`; an event's DTSTAMP is its own `stamp` (its last
    revision, RFC 5545: the same content keeps the same stamp), else `stamp`, else now (UTC).

    Names, summaries and categories are single lines (a line break stored in a title is a space);
    no text keeps a control character, so every calendar reads the file."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", one_line(name))
    stamp = stamp or datetime.now(UTC).replace(microsecond=0)
    for e in events:
        event = Event()
        event.add("uid", e.uid)
        event.add("dtstamp", e.stamp or stamp)
        event.add("dtstart", e.day)
        event.add("dtend", e.day + timedelta(days=1))
        event.add("summary", one_line(e.summary))
        event.add("description", writable(e.description))
        if e.url:
            event.add("url", e.url)
        if e.categories:
            event.add("categories", [one_line(c) for c in e.categories])
        cal.add_component(event)
    return cal.to_ical()
