"""The Fahrplan as MS Project XML (MSPDI), read back with MPXJ (an independent Java reader, from PyPI)
and converted by GNOME Planner's MS Project import (msp2planner.xsl from Debian's `planner`, run with
xsltproc)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import STEINFURT, run

from planner.domain.catalogue import catalogue
from planner.domain.holidays import easter_sunday, is_workday, public_holidays
from planner.domain.months import Month
from planner.domain.strategy import Status
from planner.formats.mspdi import NAMESPACE, dated_measures, measure_months, roadmap_mspdi
from planner.formats.strategy_file import load_strategy


@pytest.fixture(scope="module")
def mpxj_reader():
    """MPXJ's reader on a JVM started once per test process (JPype cannot restart it)."""
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("Java fehlt: .ci/run installiert default-jre-headless")
        pytest.skip("no Java runtime")
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

    if not jpype.isJVMStarted():
        jpype.startJVM()
    from org.mpxj.reader import UniversalProjectReader

    return UniversalProjectReader()


MSP2PLANNER = Path("/usr/share/planner/stylesheets/msp2planner.xsl")


@pytest.fixture(scope="module")
def msp2planner():
    """GNOME Planner's MS Project import stylesheet and xsltproc (Debian: planner, xsltproc)."""
    if shutil.which("xsltproc") is None or not MSP2PLANNER.exists():
        if os.environ.get("CI"):
            pytest.fail("xsltproc oder msp2planner.xsl fehlt: .ci/run installiert xsltproc und planner")
        pytest.skip("no xsltproc or GNOME Planner")

    def convert(path: Path) -> ET.Element:
        done = subprocess.run(["xsltproc", str(MSP2PLANNER), str(path)], capture_output=True, check=True)
        return ET.fromstring(done.stdout)

    return convert


def _month(java_datetime) -> str:
    return f"{java_datetime.getYear():04d}-{java_datetime.getMonthValue():02d}"


def test_steinfurt_read_back_by_mpxj(tmp_path, mpxj_reader):
    strategy = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    out = tmp_path / "plan.xml"
    result = run("roadmap", STEINFURT, "-o", out, "--heute", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert "19 Maßnahmen mit Termin" in result.output

    project = mpxj_reader.read(str(out))
    tasks = list(project.getTasks())
    by_key = {}
    for task in tasks:
        notes = str(task.getNotes() or "")
        if notes.startswith("ID: "):
            by_key[notes.splitlines()[0][4:]] = task
    dated = dated_measures(strategy)
    assert len(dated) == 19 and set(by_key) == {m.key for m in dated}
    for m in dated:
        task = by_key[m.key]
        first, last = measure_months(strategy, m)
        assert str(task.getName()) == m.title
        assert (_month(task.getStart()), _month(task.getFinish())) == (str(first), str(last)), m.key
        if m.end is not None:
            assert str(last) == str(m.end)
        # under the summary task of its dimension
        parent = task.getParentTask()
        assert bool(parent.getSummary()) and str(parent.getName()) == catalogue().dimension(m.dimension).name
        # owners as resources assigned to the measure
        assigned = sorted(str(a.getResource().getName()) for a in task.getResourceAssignments())
        assert assigned == sorted(o.name for o in m.owners)
    # every dependency between dated measures is a finish-to-start link
    expected = {(p, m.key) for m in dated for p in m.depends_on if p in by_key}
    assert expected, "Steinfurt has dependencies between dated measures"
    links = set()
    key_of = {int(t.getUniqueID()): k for k, t in by_key.items()}
    for key, task in by_key.items():
        for relation in task.getPredecessors():
            assert str(relation.getType()) == "FS"
            links.add((key_of[int(relation.getPredecessorTask().getUniqueID())], key))
    assert links == expected
    summaries = [t for t in tasks if t.getSummary() and int(t.getOutlineLevel()) == 1]
    assert [str(t.getName()) for t in summaries] == [
        d.name for d in catalogue().dimensions if any(catalogue().dimension(m.dimension) is d for m in dated)
    ]
    names = {str(r.getName()) for r in project.getResources() if r.getName() is not None}
    assert names == {o.name for m in dated for o in m.owners}


def test_backlog_and_dropped_measures_get_no_task(tmp_path):
    strategy = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    out = tmp_path / "plan.xml"
    assert run("roadmap", STEINFURT, "-o", out).exit_code == 0
    names = [e.text for e in ET.parse(out).getroot().iter(f"{{{NAMESPACE}}}Name")]
    undated = [m for m in strategy.measures if m not in dated_measures(strategy)]
    assert undated and not any(m.title in names for m in undated)


@pytest.mark.db
def test_download_on_the_fahrplan_page(client, steinfurt_id):
    page = client.get(f"/strategien/{steinfurt_id}/fahrplan").get_data(as_text=True)
    assert f"/strategien/{steinfurt_id}/fahrplan.xml" in page and "MS-Project-XML" in page
    response = client.get(f"/strategien/{steinfurt_id}/fahrplan.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert "attachment" in response.headers["Content-Disposition"]
    root = ET.fromstring(response.data)
    tasks = root.findall(f"{{{NAMESPACE}}}Tasks/{{{NAMESPACE}}}Task")
    assert len(tasks) == 1 + 19 + len(
        {m.dimension for m in dated_measures(load_strategy(STEINFURT.read_text("utf-8")))}
    )


def _workdays(first: date, last: date) -> int:
    return sum(1 for n in range((last - first).days + 1) if is_workday(date.fromordinal(first.toordinal() + n)))


def test_gnome_planner_imports_the_planned_tasks(tmp_path, msp2planner):
    """GNOME Planner makes a task without <Milestone>0</Milestone> a milestone at the project start
    and schedules a task without a constraint from the project start."""
    strategy = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    out = tmp_path / "plan.xml"
    assert run("roadmap", STEINFURT, "-o", out, "--heute", "2026-11-30").exit_code == 0
    project = msp2planner(out)
    tasks = list(project.iter("task"))
    assert tasks and all(t.get("type") == "normal" for t in tasks)
    assert all(t.get("work") != "NaN" for t in tasks)
    by_key = {t.get("note").splitlines()[0][4:]: t for t in tasks if t.get("note", "").startswith("ID: ")}
    dated = dated_measures(strategy)
    assert set(by_key) == {m.key for m in dated}
    for m in dated:
        task = by_key[m.key]
        first, last = measure_months(strategy, m)
        start = date(first.year, first.month, 1)
        while not is_workday(start):
            start = date.fromordinal(start.toordinal() + 1)
        stamp = start.strftime("%Y%m%dT080000Z")
        assert task.get("start") == stamp, m.key
        assert task.get("end")[:6] == f"{last.year:04d}{last.month:02d}", m.key
        constraint = task.find("constraint")
        assert constraint is not None and constraint.attrib == {"type": "start-no-earlier-than", "time": stamp}
        end = date(int(task.get("end")[:4]), int(task.get("end")[4:6]), int(task.get("end")[6:8]))
        assert int(task.get("duration")) == _workdays(start, end) * 8 * 3600, m.key


def test_progress_read_back_by_mpxj(tmp_path, mpxj_reader):
    """A measure in Umsetzung carries its actual start and a percent complete, a finished one 100 %
    and its actual finish; a planned one neither."""
    strategy = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    by_key = {m.key: m for m in strategy.measures}
    running = by_key["onboarding"]  # 01/2023 – 07/2023
    strategy.measures = [
        replace(m, status=Status.IN_UMSETZUNG, actual_start=Month(2023, 2), end=Month(2027, 6))
        if m is running
        else replace(m, status=Status.ABGESCHLOSSEN, actual_start=Month(2023, 1), actual_end=Month(2023, 5))
        if m.key == "schulungskonzept"
        else m
        for m in strategy.measures
    ]
    out = tmp_path / "plan.xml"
    out.write_bytes(roadmap_mspdi(strategy, date(2026, 12, 7)))
    tasks = {}
    for task in mpxj_reader.read(str(out)).getTasks():
        notes = str(task.getNotes() or "")
        if notes.startswith("ID: "):
            tasks[notes.splitlines()[0][4:]] = task
    onboarding = tasks["onboarding"]
    assert _month(onboarding.getActualStart()) == "2023-02"
    percent = float(onboarding.getPercentageComplete().doubleValue())
    assert 80 < percent < 100  # 02/2023 – 06/2027, seen on 07.12.2026
    finished = tasks["schulungskonzept"]
    assert float(finished.getPercentageComplete().doubleValue()) == 100
    assert (_month(finished.getActualStart()), _month(finished.getActualFinish())) == ("2023-01", "2023-05")
    planned = tasks["kommunikationskonzept"]
    assert planned.getActualStart() is None
    assert float(planned.getPercentageComplete().doubleValue()) == 0


def test_nationwide_public_holidays():
    assert [easter_sunday(y) for y in (2023, 2024, 2025, 2026, 2027)] == [
        date(2023, 4, 9),
        date(2024, 3, 31),
        date(2025, 4, 20),
        date(2026, 4, 5),
        date(2027, 3, 28),
    ]
    assert public_holidays(2026)[date(2026, 5, 14)] == "Christi Himmelfahrt"
    assert public_holidays(2026)[date(2026, 5, 25)] == "Pfingstmontag"
    assert len(public_holidays(2026)) == 9
    assert not is_workday(date(2023, 5, 1)) and is_workday(date(2023, 5, 2)) and not is_workday(date(2023, 5, 6))


def test_holidays_are_calendar_exceptions_read_back_by_mpxj(tmp_path, mpxj_reader):
    """The project calendar knows the nationwide public holidays; a task does not start on one."""
    strategy = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    strategy.measures = [replace(m, start=Month(2023, 5)) if m.key == "onboarding" else m for m in strategy.measures]
    out = tmp_path / "plan.xml"
    out.write_bytes(roadmap_mspdi(strategy, date(2026, 12, 7)))
    project = mpxj_reader.read(str(out))
    calendar = project.getDefaultCalendar()
    from java.time import LocalDate

    assert not calendar.isWorkingDate(LocalDate.of(2023, 4, 7))  # Karfreitag
    assert not calendar.isWorkingDate(LocalDate.of(2024, 10, 3))
    assert calendar.isWorkingDate(LocalDate.of(2024, 10, 4))
    names = {str(e.getName()) for e in calendar.getCalendarExceptions()}
    assert {"Karfreitag", "Tag der Deutschen Einheit", "1. Weihnachtstag"} <= names
    onboarding = next(t for t in project.getTasks() if str(t.getNotes() or "").startswith("ID: onboarding\n"))
    assert onboarding.getStart().toLocalDate().toString() == "2023-05-02"  # 1 May is a holiday
