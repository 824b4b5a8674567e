"""The evaluation calendar's page rules: how due evaluations are grouped (overdue, soon, later,
done, waiting for a status, by owner), when the next strategy review falls due, and why an
unfinished measure is late. Pure: works on the domain Strategy and its calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .months import Month, month_of
from .schedule_state import State, schedule_state
from .strategy import Measure, Strategy
from .verstetigung import STRATEGY, Due, Kind, calendar

OPEN = ("offen", "ueberfaellig")  # Due.state of an evaluation that has a date to keep
NO_OWNER = "ohne Verantwortliche"
STRATEGY_TEAM = "Strategieteam"
SOON_MONTHS = 6  # "demnächst": due within this many months


@dataclass
class CalendarGroups:
    """The calendar page's sections."""

    groups: dict[str, list[Due]]  # ueberfaellig, demnaechst, spaeter, erledigt
    waiting: list[tuple[Measure, list[Due]]]  # "Status klären": measure → its waiting evaluations
    by_owner: list[tuple[str, list[Due]]]  # open evaluations per owner, sorted by name
    titles: dict[str, str] = field(default_factory=dict)  # subject → title


def owners_of(measure: Measure | None) -> list[str]:
    """The lead owners of a measure, else all its owners, else "ohne Verantwortliche"."""
    leads = [o.name for o in measure.lead_owners] if measure else []
    return leads or ([o.name for o in measure.owners] if measure and measure.owners else [NO_OWNER])


def subject_titles(strategy: Strategy) -> dict[str, str]:
    """Subject key → title; the strategy itself is "Strategie insgesamt"."""
    return {m.key: m.title for m in strategy.measures} | {STRATEGY: "Strategie insgesamt"}


def group_calendar(strategy: Strategy, entries: list[Due], today: date) -> CalendarGroups:
    """Overdue, due soon, later and done; those waiting for a status; open ones by owner."""
    now = month_of(today)
    open_ = [d for d in entries if not d.done and not d.unclear]
    groups = {
        "ueberfaellig": [d for d in open_ if d.overdue],
        "demnaechst": [d for d in open_ if not d.overdue and d.due <= now + SOON_MONTHS],
        "spaeter": [d for d in open_ if d.due > now + SOON_MONTHS],
        "erledigt": [d for d in entries if d.done],
    }
    waiting: dict[str, list[Due]] = {}  # measure key → its evaluations waiting for the status
    for d in entries:
        if d.unclear:
            waiting.setdefault(d.subject, []).append(d)
    by_owner: dict[str, list[Due]] = {}
    for d in open_:
        names = [STRATEGY_TEAM] if d.subject == STRATEGY else owners_of(strategy.measure(d.subject))
        for name in names:
            by_owner.setdefault(name, []).append(d)
    return CalendarGroups(
        groups=groups,
        waiting=[(strategy.measure(key), items) for key, items in waiting.items()],
        by_owner=sorted(by_owner.items(), key=lambda kv: (kv[0] == NO_OWNER, kv[0].lower())),
        titles=subject_titles(strategy),
    )


def next_review_due(strategy: Strategy, today: date) -> Month | None:
    """The due month of the next open strategy review (process evaluation of the strategy), or None."""
    open_slots = [
        d for d in calendar(strategy, today) if d.subject == STRATEGY and d.kind is Kind.PROZESS and not d.done
    ]
    return open_slots[0].due if open_slots else None


def late_note(measure: Measure, today: date) -> str | None:
    """Why an unfinished measure is overdue (its schedule state), or None."""
    state = schedule_state(measure, today).state
    if state is State.ABSCHLUSS_UEBERFAELLIG:
        return f"geplantes Ende {measure.end.german()} überschritten, kein tatsächliches Ende erfasst"
    if state is State.BEGINN_UEBERFAELLIG:
        return f"geplanter Beginn {measure.start.german()} überschritten, kein tatsächlicher Beginn erfasst"
    return None
