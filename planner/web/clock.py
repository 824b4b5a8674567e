"""The app's idea of today — one place every page, chart and document asks.

A deployment never sets it; tests, screenshots and demos fix the date with the `TODAY`
setting (environment `PLANNER_TODAY=JJJJ-MM-TT`), so a browser test can run "on"
30.11.2026 whatever the machine's clock says.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask import Flask, current_app

from ..domain.german import berlin_today
from ..domain.schedule_state import ScheduleState, State, schedule_state
from ..domain.strategy import Measure


def parse_today(configured: str | date | None) -> date | None:
    """A configured day (a date or JJJJ-MM-TT text); None when not set."""
    if isinstance(configured, date):
        return configured
    if configured:
        return date.fromisoformat(configured)
    return None


def today() -> date:
    """Today for the running app: the configured day when set, else the calendar's in Berlin."""
    return parse_today(current_app.config.get("TODAY")) or berlin_today()


def schedule(measure: Measure) -> ScheduleState:
    """The schedule state of a domain measure today (templates: `schedule(m)`)."""
    return schedule_state(measure, today())


def register(app: Flask) -> None:
    """`today()` and `schedule(m)` for every template."""
    app.add_template_global(today, "today")
    app.add_template_global(schedule, "schedule")


def selected_state(selected: str | None) -> str:
    """The schedule state chosen with `?zeitstand=` ("" = all; an unknown value shows all)."""
    return next((s.value for s in State if s.value == selected), "")


def schedule_filter(measures: list[Measure], selected: str | None) -> tuple[list[Measure], list, str]:
    """A list filtered by schedule state (`?zeitstand=`), the states present with their counts
    (most urgent first) and the valid selection ("" = all; an unknown value shows all)."""
    states = {m.key: schedule(m) for m in measures}
    counts = Counter(st.state for st in states.values())
    present = [(state, counts[state]) for state in State if counts[state]]
    chosen = next((s for s in State if s.value == selected), None)
    if chosen is None:
        return measures, present, ""
    return [m for m in measures if states[m.key].state is chosen], present, chosen.value
