"""Landesebene figures (planner/domain/portfolio.py) and `planner portfolio`: per office the latest
and first dimension levels, stage 3, funding calls; per dimension offices at stage 3 and the
median; the two readings of "a dimension improved by two stages" (Peine 2022 → 2024)."""

from __future__ import annotations

import json
from datetime import date

from conftest import DATA, PEINE, STEINFURT, run

from planner.domain import portfolio as p
from planner.domain.catalogue import catalogue
from planner.domain.maturity import Assessment
from planner.domain.months import Month
from planner.domain.schedule_state import State
from planner.domain.strategy import Measure, Status
from planner.domain.whole_strategy import WholeStrategy as Strategy

TODAY = date(2026, 12, 1)


def sheet(when: date, default: int | None, **by_dimension: int | None) -> Assessment:
    """A result sheet: every subdimension at `default`, those of the named dimensions (index d0..d7) at their value."""
    cat = catalogue()
    levels = {}
    for d in cat.dimensions:
        for s in d.subdimensions:
            levels[s] = by_dimension.get(f"d{d.index}", default) if f"d{d.index}" in by_dimension else default
    return Assessment(date=when, levels=levels)


def test_peine_two_readings(peine):
    ordered = sorted(peine.assessments, key=lambda a: a.date)
    first, latest = ordered[0], ordered[-1]
    r = p.jump_readings(first.subdimension_levels(), latest.subdimension_levels())
    # planner's reading (minimum of the subdimensions): 3 dimensions, as domain.md says
    assert [d.name for d in r.by_minimum] == ["IT-Bereitstellung", "IT-Sicherheit", "Zusammenarbeit"]
    # at least one subdimension +2: 6 (Peine's paper claims seven of eight; domain.md: 6–7 by reading)
    by_sub = {d.name: [c.name for c in d.subdimensions] for d in r.by_subdimension}
    assert len(by_sub) == 6
    assert by_sub["Digitalisierungsstrategie"] == ["Digitalisierungsbudget"]
    assert by_sub["Mitarbeitende"] == ["Sensibilisierung", "Partizipation"]
    assert "Prozessdigitalisierung" not in by_sub and "Bürger*innenzentrierung" not in by_sub
    assert by_sub["Software, Daten, Interoperabilität"] == [
        "Einsatz von Fachanwendungen",
        "Anforderungen, Dokumentation und Fehlermanagement",
        "Datenschutz",
    ]
    # every dimension counted by the minimum is counted by the subdimension reading too
    assert {d.name for d in r.by_minimum} <= set(by_sub)
    # and the office's maturity gives the same readings
    m = p.office_maturity(peine.assessments)
    assert len(m.readings.by_minimum) == 3 and len(m.readings.by_subdimension) == 6


def test_office_maturity_latest_first_change_and_stage_3():
    a1 = sheet(date(2022, 6, 1), 1, d0=0, d4=None)
    a2 = sheet(date(2024, 6, 1), 3, d0=2, d4=1)
    m = p.office_maturity([a2, a1])  # any order
    assert m.first_date == date(2022, 6, 1) and m.latest_date == date(2024, 6, 1)
    names = catalogue().dimension_names
    assert m.levels_list() == [2, 3, 3, 3, 1, 3, 3, 3]
    assert m.levels_list(first=True) == [0, 1, 1, 1, None, 1, 1, 1]
    assert m.change(names[0]) == 2 and m.change(names[1]) == 2
    assert m.change(names[4]) == 2  # "–" counts as -1: – → 1 is two stages
    assert m.at_stage_3 == 6
    assert m.reaches(names[1]) and not m.reaches(names[0])
    assert p.office_maturity([]) is None
    single = p.office_maturity([a1])
    assert single.change(names[0]) is None and single.readings is None


def test_dimension_summary_counts_levels_and_median():
    names = catalogue().dimension_names
    ms = [
        p.office_maturity([sheet(date(2024, 1, 1), 3)]),
        p.office_maturity([sheet(date(2024, 1, 1), 1, d0=4)]),
        p.office_maturity([sheet(date(2024, 1, 1), 2, d0=None)]),
        None,  # an office without assessments counts nowhere
    ]
    summary = {d.name: d for d in p.dimension_summary(ms)}
    # "–" is not a level: Digitalisierungsstrategie has levels 3 and 4 only
    assert summary[names[0]].offices_assessed == 2 and summary[names[0]].at_stage_3 == 2
    assert summary[names[0]].median == 3.5
    assert summary[names[1]].offices_assessed == 3 and summary[names[1]].at_stage_3 == 1
    assert summary[names[1]].median == 2
    assert p.dimension_summary([None])[0].median is None


def _strategy(name: str, measures: list[Measure]) -> Strategy:
    return Strategy(
        organisation=name, title=f"Strategie {name}", version="1", adopted=Month(2023, 1), measures=measures
    )


def test_office_row_counts_schedule_states_and_review():
    measures = [
        Measure("a", "A", "IT-Sicherheit", status=Status.GEPLANT, start=Month(2025, 1), end=Month(2025, 6)),
        Measure("b", "B", "IT-Sicherheit", status=Status.IN_UMSETZUNG, start=Month(2026, 1), end=Month(2027, 6)),
        Measure("c", "C", "IT-Sicherheit", status=Status.ABGESCHLOSSEN, start=Month(2024, 1), end=Month(2024, 6)),
        Measure("d", "D", "IT-Sicherheit", status=Status.BACKLOG),
    ]
    o = p.office(1, "Amt A", 7, _strategy("Amt A", measures), [], TODAY)
    assert o.states == {State.ABSCHLUSS_UEBERFAELLIG: 1, State.LAUFEND: 1, State.ABGESCHLOSSEN: 1, State.BACKLOG: 1}
    assert o.measures == 4 and o.adopted == "01/2023"
    assert o.review.due == Month(2025, 1) and o.review.overdue
    assert o.maturity is None and all(c.met is None for c in o.calls)
    none = p.office(2, "Amt B", None, None, [], TODAY)
    assert none.measures == 0 and none.states == {} and none.review is None


def test_filter_and_sort():
    it = "IT-Sicherheit"
    d4 = catalogue().dimension(it).index
    offices = [
        p.office(1, "Nord", None, None, [sheet(date(2024, 1, 1), 3)], TODAY),
        p.office(2, "Süd", None, None, [sheet(date(2024, 1, 1), 3, **{f"d{d4}": 1})], TODAY),
        p.office(3, "Ost", None, None, [sheet(date(2024, 1, 1), 3, **{f"d{d4}": None})], TODAY),
        p.office(4, "West", None, None, [], TODAY),
    ]
    below = p.select(offices, p.Filter(below=it))
    assert [o.name for o in below] == ["Ost", "Süd", "West"]  # "–" and no data are below stage 3 too
    assert [o.name for o in p.select(offices, p.Filter(dimension=it, level="1"))] == ["Süd"]
    assert [o.name for o in p.select(offices, p.Filter(dimension=it, level="-"))] == ["Ost"]
    assert [o.name for o in p.select(offices, p.Filter(dimension=it, level="k"))] == ["West"]
    by_level = p.select(offices, p.Filter(sort=it, descending=True))
    assert [o.name for o in by_level] == ["Nord", "Süd", "Ost", "West"]
    assert [o.name for o in p.select(offices, p.Filter(sort="stufe3"))][0] == "West"


def test_funding_call_met_by_maturity_rules(peine):
    o = p.office(1, peine.organisation, None, peine, peine.assessments, TODAY)
    calls = {c.call.id: c for c in o.calls}
    first = calls["foerderaufruf-1"]
    # from the sheet the strategy names (09.06.2022) to the latest (07.11.2024): 3 dimensions +2
    assert first.baseline.date == date(2022, 6, 9) and first.outcome.date == date(2024, 11, 7)
    assert first.met is True
    # the budget rule cannot be checked (no budgets per measure): shown, not counted in `met`
    assert any(r.outcome.label == "nicht prüfbar" for r in first.check.results)
    # one assessment only: nothing to compare
    single = p.office(2, "X", None, peine, peine.assessments[:1], TODAY)
    assert all(c.met is None and c.check is None for c in single.calls)
    # a rule that fails: no dimension improved at all
    flat = [sheet(date(2022, 6, 1), 1), sheet(date(2024, 6, 1), 1)]
    assert {c.call.id: c.met for c in p.office(3, "Y", None, None, flat, TODAY).calls}["foerderaufruf-1"] is False


def test_cli_portfolio_json_shape():
    result = run("portfolio", PEINE, STEINFURT, DATA / "sample.yaml", "--today", "2026-12-01", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"offices", "dimensions", "stuck", "trend"}
    peine, steinfurt = data["offices"][0], data["offices"][1]
    assert set(peine) == {"organisation", "strategy", "version", "measures", "maturity", "funding"}
    assert peine["organisation"] == "Landkreis Peine" and peine["measures"] == 18
    assert peine["maturity"] == {
        "date": "2024-11-07",
        "dimensions": [1, 1, None, 2, 1, None, 2, 0],
        "first_date": "2022-06-09",
        "first_dimensions": [0, 0, None, None, None, None, 0, None],
        "at_stage_3": 0,
    }
    assert peine["funding"][0] == {"call": "foerderaufruf-1", "met": True}
    assert steinfurt["maturity"] is None and all(f["met"] is None for f in steinfurt["funding"])
    assert [d["name"] for d in data["dimensions"]] == catalogue().dimension_names
    assert data["dimensions"][0] == {
        "name": "Digitalisierungsstrategie",
        "offices_assessed": 1,
        "at_stage_3": 0,
        "median": 1,
    }
    assert data["dimensions"][2]["offices_assessed"] == 0 and data["dimensions"][2]["median"] is None


def test_cli_portfolio_german_errors_name_the_file(tmp_path):
    bad = tmp_path / "kaputt.yaml"
    bad.write_text("format: planner-strategy/1\norganisation: {}\n", encoding="utf-8")
    result = run("portfolio", PEINE, bad, "--json")
    assert result.exit_code == 1 and "kaputt.yaml" in result.output and "ungültig" in result.output
    missing = run("portfolio", PEINE, tmp_path / "fehlt.yaml")
    assert missing.exit_code == 2 and "fehlt.yaml" in missing.output and "gibt es nicht" in missing.output
    assert run("portfolio", PEINE, "--today", "morgen").exit_code == 2
    assert run("portfolio").exit_code == 2
