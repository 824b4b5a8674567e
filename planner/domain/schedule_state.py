"""Schedule state: where a measure stands today against its plan — the one definition.

Computed from the status, the planned and actual months and today's month; every page,
document, file and check that says whether a measure is on time uses `schedule_state`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from .months import Month, month_of
from .strategy import Measure, Status


class State(Enum):
    """The schedule states, in the order a Lagebild lists them (most urgent first)."""

    ABSCHLUSS_UEBERFAELLIG = "abschluss_ueberfaellig"
    BEGINN_UEBERFAELLIG = "beginn_ueberfaellig"
    LAUFEND = "laufend"
    GEPLANT = "geplant"
    OHNE_TERMIN = "ohne_termin"
    ABGESCHLOSSEN = "abgeschlossen"
    BACKLOG = "backlog"
    VERWORFEN = "verworfen"

    @property
    def label(self) -> str:
        """German name of the state, as a filter or a column heading shows it."""
        return STATE_LABELS[self]

    @property
    def overdue(self) -> bool:
        return self in (State.ABSCHLUSS_UEBERFAELLIG, State.BEGINN_UEBERFAELLIG)


STATE_LABELS = {
    State.ABSCHLUSS_UEBERFAELLIG: "Abschluss überfällig",
    State.BEGINN_UEBERFAELLIG: "Beginn überfällig",
    State.LAUFEND: "laufend",
    State.GEPLANT: "geplant",
    State.OHNE_TERMIN: "ohne Termin",
    State.ABGESCHLOSSEN: "abgeschlossen",
    State.BACKLOG: "Backlog",
    State.VERWORFEN: "verworfen",
}


def _months(n: int) -> str:
    return "1 Monat" if n == 1 else f"{n} Monaten"


@dataclass(frozen=True)
class ScheduleState:
    """A measure's state on a given month.

    `months_overdue` is set for the two overdue states (today's month minus the planned
    month); `months_late` for finished measures whose planned and actual end are both known
    (0 = on time, negative = early).
    """

    state: State
    months_overdue: int | None = None
    months_late: int | None = None

    @property
    def text(self) -> str:
        """The German badge text: 'Abschluss überfällig seit 23 Monaten', 'abgeschlossen, 2 Monate später'."""
        if self.state.overdue:
            return f"{self.state.label} seit {_months(self.months_overdue or 0)}"
        if self.state is State.ABGESCHLOSSEN and self.months_late is not None:
            if self.months_late <= 0:
                return "abgeschlossen, pünktlich"
            unit = "1 Monat" if self.months_late == 1 else f"{self.months_late} Monate"
            return f"abgeschlossen, {unit} später"
        return self.state.label


def schedule_state(m: Measure, today: date | Month) -> ScheduleState:
    """The schedule state of measure `m` in the month of `today` (see domain.md and issue 13)."""
    now = today if isinstance(today, Month) else month_of(today)
    if m.status is Status.VERWORFEN:
        return ScheduleState(State.VERWORFEN)
    if m.status is Status.BACKLOG:
        return ScheduleState(State.BACKLOG)
    if m.status is Status.ABGESCHLOSSEN or m.actual_end is not None:
        late = m.actual_end - m.end if m.actual_end is not None and m.end is not None else None
        return ScheduleState(State.ABGESCHLOSSEN, months_late=late)
    if m.start is None:
        return ScheduleState(State.OHNE_TERMIN)
    if m.end is not None and m.end < now:
        return ScheduleState(State.ABSCHLUSS_UEBERFAELLIG, months_overdue=now - m.end)
    if m.status is Status.GEPLANT and m.actual_start is None and m.start < now:
        return ScheduleState(State.BEGINN_UEBERFAELLIG, months_overdue=now - m.start)
    if m.status in (Status.IN_UMSETZUNG, Status.FORTLAUFEND) or m.actual_start is not None:
        return ScheduleState(State.LAUFEND)
    return ScheduleState(State.GEPLANT)
