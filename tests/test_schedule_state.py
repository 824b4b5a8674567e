"""Schedule state: every state and every boundary, plain objects, no fixtures."""

from __future__ import annotations

from datetime import date

import pytest

from planner.domain.months import Month
from planner.domain.schedule_state import ScheduleState, State, schedule_state
from planner.domain.strategy import Measure, Status

TODAY = date(2026, 11, 30)  # month 2026-11


def measure(status=Status.GEPLANT, start=None, end=None, actual_start=None, actual_end=None) -> Measure:
    month = lambda text: Month.parse(text) if text else None  # noqa: E731
    return Measure(
        key="m",
        title="M",
        dimension="Strategie",
        status=status,
        start=month(start),
        end=month(end),
        actual_start=month(actual_start),
        actual_end=month(actual_end),
    )


@pytest.mark.parametrize(
    ("m", "expected"),
    [
        (measure(Status.VERWORFEN, "2023-01", "2023-02"), ScheduleState(State.VERWORFEN)),
        (measure(Status.BACKLOG, "2023-01", "2023-02"), ScheduleState(State.BACKLOG)),  # backlog with dates
        (measure(Status.ABGESCHLOSSEN), ScheduleState(State.ABGESCHLOSSEN)),
        (
            measure(Status.ABGESCHLOSSEN, "2023-01", "2023-04", actual_end="2023-04"),
            ScheduleState(State.ABGESCHLOSSEN, months_late=0),
        ),
        (
            measure(Status.ABGESCHLOSSEN, "2023-01", "2023-04", actual_end="2023-07"),
            ScheduleState(State.ABGESCHLOSSEN, months_late=3),
        ),
        # an actual end recorded means finished, whatever the status says
        (
            measure(Status.GEPLANT, "2023-01", "2023-04", actual_end="2023-03"),
            ScheduleState(State.ABGESCHLOSSEN, months_late=-1),
        ),
        (measure(Status.GEPLANT), ScheduleState(State.OHNE_TERMIN)),
        (measure(Status.IN_UMSETZUNG), ScheduleState(State.OHNE_TERMIN)),
        # end month before today's month: overdue by the months between
        (measure(Status.GEPLANT, "2023-01", "2024-12"), ScheduleState(State.ABSCHLUSS_UEBERFAELLIG, months_overdue=23)),
        (
            measure(Status.IN_UMSETZUNG, "2026-01", "2026-10"),
            ScheduleState(State.ABSCHLUSS_UEBERFAELLIG, months_overdue=1),
        ),
        # end month = today's month: not yet overdue
        (measure(Status.IN_UMSETZUNG, "2026-01", "2026-11"), ScheduleState(State.LAUFEND)),
        # start month before today's month, never started
        (measure(Status.GEPLANT, "2026-10", "2027-03"), ScheduleState(State.BEGINN_UEBERFAELLIG, months_overdue=1)),
        # open-ended, never started
        (measure(Status.GEPLANT, "2025-11"), ScheduleState(State.BEGINN_UEBERFAELLIG, months_overdue=12)),
        # start month = today's month: planned
        (measure(Status.GEPLANT, "2026-11", "2027-03"), ScheduleState(State.GEPLANT)),
        (measure(Status.GEPLANT, "2027-01", "2027-03"), ScheduleState(State.GEPLANT)),
        # an actual start recorded means running, whatever the status says
        (measure(Status.GEPLANT, "2026-10", "2027-03", actual_start="2026-10"), ScheduleState(State.LAUFEND)),
        (measure(Status.FORTLAUFEND, "2023-01"), ScheduleState(State.LAUFEND)),  # open-ended, running
        (measure(Status.IN_UMSETZUNG, "2027-01", "2027-03"), ScheduleState(State.LAUFEND)),
        # running but past the planned end: the end is overdue
        (
            measure(Status.FORTLAUFEND, "2023-01", "2023-12"),
            ScheduleState(State.ABSCHLUSS_UEBERFAELLIG, months_overdue=35),
        ),
    ],
)
def test_schedule_state(m, expected):
    assert schedule_state(m, TODAY) == expected
    assert schedule_state(m, Month(2026, 11)) == expected


def test_today_inside_the_plan_period_shows_nothing_overdue():
    m = measure(Status.GEPLANT, "2023-01", "2024-12")
    assert schedule_state(m, date(2022, 12, 31)).state is State.GEPLANT
    assert schedule_state(m, date(2023, 1, 1)).state is State.GEPLANT
    assert schedule_state(m, date(2023, 2, 1)) == ScheduleState(State.BEGINN_UEBERFAELLIG, months_overdue=1)
    assert schedule_state(m, date(2025, 1, 1)) == ScheduleState(State.ABSCHLUSS_UEBERFAELLIG, months_overdue=1)


@pytest.mark.parametrize(
    ("state", "text"),
    [
        (ScheduleState(State.ABSCHLUSS_UEBERFAELLIG, months_overdue=23), "Abschluss überfällig seit 23 Monaten"),
        (ScheduleState(State.BEGINN_UEBERFAELLIG, months_overdue=1), "Beginn überfällig seit 1 Monat"),
        (ScheduleState(State.ABGESCHLOSSEN, months_late=0), "abgeschlossen, pünktlich"),
        (ScheduleState(State.ABGESCHLOSSEN, months_late=-2), "abgeschlossen, pünktlich"),
        (ScheduleState(State.ABGESCHLOSSEN, months_late=1), "abgeschlossen, 1 Monat später"),
        (ScheduleState(State.ABGESCHLOSSEN, months_late=4), "abgeschlossen, 4 Monate später"),
        (ScheduleState(State.ABGESCHLOSSEN), "abgeschlossen"),
        (ScheduleState(State.OHNE_TERMIN), "ohne Termin"),
        (ScheduleState(State.LAUFEND), "laufend"),
        (ScheduleState(State.GEPLANT), "geplant"),
        (ScheduleState(State.BACKLOG), "Backlog"),
        (ScheduleState(State.VERWORFEN), "verworfen"),
    ],
)
def test_badge_text(state, text):
    assert state.text == text


def test_every_state_has_a_label():
    assert all(s.label for s in State)
    assert [s for s in State if s.overdue] == [State.ABSCHLUSS_UEBERFAELLIG, State.BEGINN_UEBERFAELLIG]
