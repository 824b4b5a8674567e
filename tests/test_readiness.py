"""Readiness for the current funding call (planner/domain/readiness.py): why an office is "nicht
prüfbar" and the forecast from its targets and planned measures."""

from __future__ import annotations

from datetime import date

from planner.domain import portfolio as p
from planner.domain import readiness as r
from planner.domain.catalogue import catalogue
from planner.domain.funding import find_call
from planner.domain.maturity import Assessment
from planner.domain.months import Month
from planner.domain.strategy import Measure, Status
from planner.domain.whole_strategy import WholeStrategy as Strategy

TODAY = date(2026, 12, 7)
CALL3 = find_call("foerderaufruf-3")
CAT = catalogue()
START, END = Month(2025, 1), Month(2026, 6)


def sheet(when: date, default: int | None) -> Assessment:
    return Assessment(date=when, levels=dict.fromkeys(CAT.subdimension_names, default))


def measure(key: str, subs: list[str], start=START, end=END, status=Status.GEPLANT, aim=None):
    return Measure(key, f"Maßnahme {key}", CAT.dimensions[0].name, status=status, start=start, end=end,
                   subdimensions=subs, target_stage=aim)  # fmt: skip


def test_current_call_is_the_latest_started():
    assert r.current_call(TODAY).id == "foerderaufruf-3"
    assert r.current_call(date(2024, 1, 1)).id == "foerderaufruf-2"
    assert r.current_call(date(2020, 1, 1)).id == "foerderaufruf-1"


def test_reasons_for_not_checkable():
    none = p.office(1, "Ohne", None, None, [], TODAY)
    x = r.readiness(none, CALL3)
    assert x.met is None and "Keine Reifegradmessung" in x.reason and x.forecast is None
    assert x.forecast_label == "keine Prognose"
    one = p.office(2, "Eine", None, None, [sheet(date(2024, 5, 1), 1)], TODAY)
    assert "Nur eine Messung (01.05.2024)" in r.readiness(one, CALL3).reason
    # two assessments, both before the call: the later one is the baseline, nothing after it
    two = p.office(3, "Zwei", None, None, [sheet(date(2022, 5, 1), 0), sheet(date(2024, 5, 1), 1)], TODAY)
    reason = r.readiness(two, CALL3).reason
    assert "letzte Messung (01.05.2024)" in reason and "01.09.2024" in reason
    checked = p.office(4, "Geprüft", None, None, [sheet(date(2024, 5, 1), 0), sheet(date(2026, 5, 1), 3)], TODAY)
    assert r.readiness(checked, CALL3).met is True and r.readiness(checked, CALL3).reason == ""


def test_forecast_from_planned_measures_and_targets():
    dims = CAT.dimensions
    # measures on every subdimension of three dimensions, no stated aim: the target (stage 3)
    planned = [measure(f"m{i}", list(d.subdimensions)) for i, d in enumerate(dims[:3])]
    late = measure("spaet", list(dims[3].subdimensions), end=Month(2027, 3))  # ends after the call
    dropped = measure("weg", list(dims[4].subdimensions), status=Status.VERWORFEN)
    low = measure("niedrig", list(dims[5].subdimensions), aim=1)  # aims at stage 1 only
    s = Strategy(organisation="A", title="S", measures=[*planned, late, dropped, low])
    o = p.office(1, "A", 1, s, [sheet(date(2024, 5, 1), 1)], TODAY)
    x = r.readiness(o, CALL3)
    assert x.met is None and x.forecast is not None
    lifted = {lift.subdimension for lift in x.lifts}
    assert lifted == {sub for d in dims[:3] for sub in d.subdimensions}
    assert all(lift.after == 3 for lift in x.lifts)
    assert x.forecast_met is True and x.forecast_label == "voraussichtlich erfüllt"
    assert "1 → 3" in x.lifts[0].text
    # the 3rd call's alternatives one by one, budget and manual rules left out
    reasons = x.forecast_reasons
    assert len(reasons) == 2 and reasons[0].startswith("erfüllt: 3 Dimensionen um mindestens 2 Stufen verbessert")
    assert "weitere Dimension" in reasons[1]
    # a target of 2 in one subdimension keeps its dimension at 2: +1 only, and only two dimensions +2,
    # but the "further dimension at stage 3" alternative still holds
    s2 = Strategy(organisation="B", title="S", measures=planned, targets={dims[0].subdimensions[0]: 2})
    y = r.readiness(p.office(2, "B", 2, s2, [sheet(date(2024, 5, 1), 1)], TODAY), CALL3)
    assert {lift.after for lift in y.lifts} == {2, 3} and y.forecast_met is True
    # nothing planned: forecast not met
    z = r.readiness(
        p.office(3, "C", 3, Strategy(organisation="C", title="S"), [sheet(date(2024, 5, 1), 1)], TODAY), CALL3
    )
    assert z.lifts == () and z.forecast_met is False and z.forecast_label == "voraussichtlich nicht erfüllt"


def test_a_finished_measure_counts_only_when_it_ended_after_the_latest_assessment():
    subs = list(CAT.dimensions[0].subdimensions)
    before = measure("a", subs, start=Month(2023, 1), end=Month(2023, 6), status=Status.ABGESCHLOSSEN)
    after = measure("b", subs, start=Month(2024, 1), end=Month(2024, 9), status=Status.ABGESCHLOSSEN)
    current = dict.fromkeys(CAT.subdimension_names, 1)
    _, lifts = r.forecast_levels(current, [before], {}, CALL3, date(2024, 5, 1))
    assert lifts == []
    _, lifts = r.forecast_levels(current, [after], {}, CALL3, date(2024, 5, 1))
    assert {x.subdimension for x in lifts} == set(subs)


def test_report_orders_and_counts():
    offices = [
        p.office(1, "Zeta", None, None, [sheet(date(2024, 5, 1), 0), sheet(date(2026, 5, 1), 3)], TODAY),
        p.office(2, "Alpha", None, None, [], TODAY),
        p.office(3, "Beta", None, None, [sheet(date(2024, 5, 1), 1), sheet(date(2026, 5, 1), 1)], TODAY),
    ]
    rep = r.readiness_report(offices, TODAY)
    assert rep.call.id == "foerderaufruf-3"
    assert [x.office.name for x in rep.rows] == ["Alpha", "Beta", "Zeta"]
    assert (rep.count(True), rep.count(False), rep.count(None)) == (1, 1, 1)
    assert rep.forecast_count(None) == 1  # Alpha: no forecast without an assessment
