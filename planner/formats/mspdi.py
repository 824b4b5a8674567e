"""The Umsetzungsfahrplan as MS Project XML (MSPDI), the exchange format that MS Project,
ProjectLibre, GanttProject and OpenProject import.

One summary task per dimension (catalogue order, only dimensions with dated measures), one task
per dated measure (a start month, neither Backlog nor verworfen) from the first working day of its
start month to the last working day of its end month, finish-to-start links for the dependencies
between dated measures, and the owners as resources assigned to their measures. Measure tasks are
manually scheduled: the project tool shows the plan as it is, conflicts included, instead of
moving measures on import. An open-ended measure ("ab 04/2025") runs to the end of the roadmap
window and says so in its notes.

Working days are Monday to Friday without the nationwide public holidays, which the project
calendar lists as exceptions. Every task says it is no milestone and carries its work (duration times its owners), and a measure
task is constrained to start no earlier than its planned start: GNOME Planner's MS Project import
(msp2planner.xsl) otherwise makes every task a milestone at the project start. A measure that has
begun (in Umsetzung, fortlaufend, abgeschlossen, or with a recorded actual start) carries its
actual start (the recorded month, else the planned one) and a percent complete: 100 when
abgeschlossen (with its actual finish when recorded), else the share of its working days from the
actual start to the planned finish that lie before the day of the export (1–99).
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date, datetime, timedelta
from xml.etree import ElementTree as ET

from ..domain.catalogue import catalogue
from ..domain.german import berlin_today
from ..domain.holidays import is_workday, public_holidays
from ..domain.months import Month
from ..domain.roadmap_view import default_window
from ..domain.schedule import on_roadmap
from ..domain.strategy import Measure, Status, Strategy

NAMESPACE = "http://schemas.microsoft.com/project"
FINISH_TO_START = "1"
START_NO_EARLIER_THAN = 4
BEGUN = (Status.IN_UMSETZUNG, Status.FORTLAUFEND, Status.ABGESCHLOSSEN)
HOURS_PER_DAY = 8


def _first_workday(month: Month) -> date:
    day = date(month.year, month.month, 1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def _last_workday(month: Month) -> date:
    day = date(month.year, month.month, _calendar.monthrange(month.year, month.month)[1])
    while not is_workday(day):
        day -= timedelta(days=1)
    return day


def _workdays(start: date, finish: date) -> int:
    return sum(1 for n in range((finish - start).days + 1) if is_workday(start + timedelta(days=n)))


def _stamp(day: date, hour: int) -> str:
    return datetime(day.year, day.month, day.day, hour).isoformat()


def _duration(start: date, finish: date) -> str:
    return f"PT{_workdays(start, finish) * HOURS_PER_DAY}H0M0S"


def dated_measures(strategy: Strategy) -> list[Measure]:
    """The measures the export gives a task: those with a start month on the roadmap."""
    return [m for m in strategy.measures if on_roadmap(m)]


def measure_months(strategy: Strategy, m: Measure) -> tuple[Month, Month]:
    """First and last month of a measure's task (open-ended: until the roadmap window ends)."""
    assert m.start is not None
    return m.start, m.end or max(default_window(strategy)[1], m.start)


def _add(parent: ET.Element, tag: str, text: object | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    return element


def _work(start: date, finish: date, people: int) -> str:
    return f"PT{_workdays(start, finish) * HOURS_PER_DAY * people}H0M0S"


def _task(
    tasks: ET.Element, uid: int, name: str, level: int, outline: str, start: date, finish: date, people: int
) -> ET.Element:
    task = _add(tasks, "Task")
    for tag, value in (
        ("UID", uid),
        ("ID", uid),
        ("Name", name),
        ("Type", 1),  # fixed duration
        ("IsNull", 0),
        ("OutlineNumber", outline),
        ("OutlineLevel", level),
        ("Start", _stamp(start, 8)),
        ("Finish", _stamp(finish, 17)),
        ("Duration", _duration(start, finish)),
        ("DurationFormat", 7),  # days
        ("Work", _work(start, finish, people)),
        ("Milestone", 0),
    ):
        _add(task, tag, value)
    return task


def _progress(m: Measure, start: date, finish: date, today: date) -> tuple[date | None, date | None, int]:
    """Actual start, actual finish and percent complete of a measure's task (see the module docstring)."""
    if m.actual_start is None and m.status not in BEGUN:
        return None, None, 0
    began = _first_workday(m.actual_start) if m.actual_start else start
    if m.status is Status.ABGESCHLOSSEN:
        return began, _last_workday(m.actual_end) if m.actual_end else None, 100
    done = _workdays(began, min(today - timedelta(days=1), finish)) if today > began else 0
    share = round(100 * done / max(_workdays(began, finish), 1))
    return began, None, min(max(share, 1), 99)


def _calendar_element(project: ET.Element, years: range) -> None:
    calendars = _add(project, "Calendars")
    cal = _add(calendars, "Calendar")
    _add(cal, "UID", 1)
    _add(cal, "Name", "Standard")
    _add(cal, "IsBaseCalendar", 1)
    week = _add(cal, "WeekDays")
    for day_type in range(1, 8):  # 1 = Sunday ... 7 = Saturday
        day = _add(week, "WeekDay")
        _add(day, "DayType", day_type)
        working = day_type not in (1, 7)
        _add(day, "DayWorking", int(working))
        if working:
            times = _add(day, "WorkingTimes")
            for start, end in (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")):
                slot = _add(times, "WorkingTime")
                _add(slot, "FromTime", start)
                _add(slot, "ToTime", end)
    exceptions = _add(cal, "Exceptions")
    for year in years:
        for day, name in sorted(public_holidays(year).items()):
            exception = _add(exceptions, "Exception")
            _add(exception, "EnteredByOccurrences", 0)
            period = _add(exception, "TimePeriod")
            _add(period, "FromDate", _stamp(day, 0))
            _add(period, "ToDate", datetime(day.year, day.month, day.day, 23, 59).isoformat())
            _add(exception, "Occurrences", 1)
            _add(exception, "Name", name)
            _add(exception, "Type", 1)  # daily
            _add(exception, "DayWorking", 0)


def roadmap_mspdi(strategy: Strategy, today: date | None = None) -> bytes:
    """The roadmap as an MSPDI document (UTF-8 XML)."""
    today = today or berlin_today()
    measures = dated_measures(strategy)
    months = {m.key: measure_months(strategy, m) for m in measures}
    starts = [_first_workday(a) for a, _ in months.values()] or [today]
    finishes = [_last_workday(b) for _, b in months.values()] or [today]

    ET.register_namespace("", NAMESPACE)
    project = ET.Element(f"{{{NAMESPACE}}}Project")
    for tag, value in (
        ("SaveVersion", 14),
        ("Name", f"{strategy.title}.xml"),
        ("Title", strategy.title),
        ("Company", strategy.organisation),
        ("CreationDate", _stamp(today, 0)),
        ("ScheduleFromStart", 1),
        ("StartDate", _stamp(min(starts), 8)),
        ("FinishDate", _stamp(max(finishes), 17)),
        ("CalendarUID", 1),
        ("DefaultStartTime", "08:00:00"),
        ("DefaultFinishTime", "17:00:00"),
        ("MinutesPerDay", HOURS_PER_DAY * 60),
        ("MinutesPerWeek", HOURS_PER_DAY * 60 * 5),
        ("DaysPerMonth", 20),
    ):
        _add(project, tag, value)
    _calendar_element(project, range(min(starts).year, max(finishes).year + 1))

    tasks = _add(project, "Tasks")
    people = {m.key: len(m.owners) for m in measures}
    root = _task(tasks, 0, strategy.title, 0, "0", min(starts), max(finishes), 0)
    _add(root, "Summary", 1)
    uid_of: dict[str, int] = {}
    uid = 0
    cat = catalogue()
    by_dimension: dict[str, list[Measure]] = {}
    for m in measures:
        dim = cat.dimension(m.dimension)
        by_dimension.setdefault(dim.name if dim else m.dimension, []).append(m)
    names = [d.name for d in cat.dimensions] + sorted(set(by_dimension) - set(cat.dimension_names))
    measure_tasks: list[tuple[ET.Element, Measure]] = []
    for number, name in enumerate((n for n in names if n in by_dimension), start=1):
        group = sorted(by_dimension[name], key=lambda m: (months[m.key][0], months[m.key][1]))
        uid += 1
        summary = _task(
            tasks,
            uid,
            name,
            1,
            str(number),
            min(_first_workday(months[m.key][0]) for m in group),
            max(_last_workday(months[m.key][1]) for m in group),
            0,
        )
        _add(summary, "Summary", 1)
        for sub, m in enumerate(group, start=1):
            uid += 1
            uid_of[m.key] = uid
            first, last = months[m.key]
            start, finish = _first_workday(first), _last_workday(last)
            task = _task(tasks, uid, m.title, 2, f"{number}.{sub}", start, finish, people[m.key])
            _add(task, "Summary", 0)
            _add(task, "Manual", 1)
            actual_start, actual_finish, percent = _progress(m, start, finish, today)
            _add(task, "PercentComplete", percent)
            if actual_start is not None:
                _add(task, "ActualStart", _stamp(actual_start, 8))
            if actual_finish is not None:
                _add(task, "ActualFinish", _stamp(actual_finish, 17))
            _add(task, "ConstraintType", START_NO_EARLIER_THAN)
            _add(task, "ConstraintDate", _stamp(start, 8))
            notes = [f"ID: {m.key}", f"Status: {m.status.label}"]
            if m.end is None:
                notes.append(f"fortlaufend ab {first.german()}")
            if m.description:
                notes.append(m.description)
            _add(task, "Notes", "\n".join(notes))
            measure_tasks.append((task, m))
    for task, m in measure_tasks:
        for prerequisite in m.depends_on:
            if prerequisite in uid_of:
                link = _add(task, "PredecessorLink")
                _add(link, "PredecessorUID", uid_of[prerequisite])
                _add(link, "Type", FINISH_TO_START)
                _add(link, "CrossProject", 0)
                _add(link, "LinkLag", 0)
                _add(link, "LagFormat", 7)

    resources = _add(project, "Resources")
    resource_uid: dict[str, int] = {}
    for m in measures:
        for owner in m.owners:
            if owner.name not in resource_uid:
                resource_uid[owner.name] = len(resource_uid) + 1
                resource = _add(resources, "Resource")
                _add(resource, "UID", resource_uid[owner.name])
                _add(resource, "ID", resource_uid[owner.name])
                _add(resource, "Name", owner.name)
                _add(resource, "Type", 1)  # work
                _add(resource, "IsNull", 0)
    assignments = _add(project, "Assignments")
    number = 0
    for m in measures:
        for owner in m.owners:
            number += 1
            assignment = _add(assignments, "Assignment")
            _add(assignment, "UID", number)
            _add(assignment, "TaskUID", uid_of[m.key])
            _add(assignment, "ResourceUID", resource_uid[owner.name])
            _add(assignment, "Units", 1)
    ET.indent(project)
    return ET.tostring(project, encoding="utf-8", xml_declaration=True)
