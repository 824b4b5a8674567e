"""Handlungsbedarf, trend and office-against-Land figures (planner/domain/portfolio_progress.py)
and the `stuck`/`trend` parts of `planner portfolio --json`."""

from __future__ import annotations

import json
from datetime import date

from conftest import DATA, PEINE, STEINFURT, run

from planner.domain import portfolio as p
from planner.domain import portfolio_progress as pp
from planner.domain.catalogue import catalogue
from planner.domain.maturity import Assessment
from planner.domain.months import Month
from planner.domain.strategy import Measure, Status
from planner.domain.whole_strategy import WholeStrategy as Strategy

TODAY = date(2026, 12, 7)
NAMES = catalogue().dimension_names


def sheet(when: date, default: int | None, **by_dimension: int | None) -> Assessment:
    """Every subdimension at `default`, those of dimension dN at the value given as dN."""
    levels = {}
    for d in catalogue().dimensions:
        for s in d.subdimensions:
            levels[s] = by_dimension.get(f"d{d.index}", default)
    return Assessment(date=when, levels=levels)


def strategy(window_end: Month | None, measures: list[Measure] | None = None) -> Strategy:
    return Strategy(
        organisation="Amt",
        title="Strategie",
        window_start=Month(2023, 1),
        window_end=window_end,
        measures=measures or [],
    )


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert pp.months_before(date(2026, 12, 7), 24) == date(2024, 12, 7)
    assert pp.months_before(date(2026, 2, 28), 24) == date(2024, 2, 28)
    assert pp.months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert pp.months_before(date(2026, 1, 31), 2) == date(2025, 11, 30)


def test_each_reason_and_its_boundary():
    never = p.office(1, "Nie", None, None, [], TODAY)
    assert [r.code for r in pp.stuck_reasons(never, TODAY)] == ["keine_messung"]
    # exactly 24 months ago is not "more than 24 months"; one day earlier is
    on_edge = p.office(2, "Rand", None, None, [sheet(date(2024, 12, 7), 1)], TODAY)
    assert pp.stuck_reasons(on_edge, TODAY) == []
    old = p.office(3, "Alt", None, None, [sheet(date(2024, 12, 6), 1)], TODAY)
    assert [r.code for r in pp.stuck_reasons(old, TODAY)] == ["messung_aelter_24_monate"]
    assert "06.12.2024" in pp.stuck_reasons(old, TODAY)[0].text
    # two assessments, nothing higher: no progress (a lower dimension is no progress either)
    flat = [sheet(date(2025, 6, 1), 2), sheet(date(2026, 6, 1), 2, d3=1)]
    assert [r.code for r in pp.stuck_reasons(p.office(4, "Flach", None, None, flat, TODAY), TODAY)] == [
        "kein_fortschritt"
    ]
    # one dimension higher is progress, even from "–"
    up = [sheet(date(2025, 6, 1), 2, d4=None), sheet(date(2026, 6, 1), 2, d4=0)]
    rising = p.office(5, "Steigt", None, None, up, TODAY)
    assert pp.stuck_reasons(rising, TODAY) == [] and pp.improved_dimensions(rising) == [NAMES[4]]
    # a single assessment is not "no progress"
    assert pp.stuck_reasons(p.office(6, "Eine", None, None, [sheet(date(2026, 1, 1), 0)], TODAY), TODAY) == []


def test_plan_period_ended_before_this_month_and_stale_measures():
    recent = [sheet(date(2026, 1, 1), 2)]
    this_month = p.office(1, "A", 1, strategy(Month(2026, 12)), recent, TODAY)
    assert pp.stuck_reasons(this_month, TODAY) == []
    ended = p.office(2, "B", 2, strategy(Month(2026, 11)), recent, TODAY)
    reasons = pp.stuck_reasons(ended, TODAY)
    assert [r.code for r in reasons] == ["planungszeitraum_abgelaufen"] and "11/2026" in reasons[0].text
    overdue = Measure("a", "A", NAMES[0], status=Status.GEPLANT, start=Month(2025, 1), end=Month(2025, 6))
    stale = p.office(3, "C", 3, strategy(Month(2027, 12), [overdue]), recent, TODAY)
    codes = [r.code for r in pp.stuck_reasons(stale, TODAY)]
    assert codes == ["status_klaeren"]
    # the CLI lists only the four reasons of the issue
    assert pp.stuck_json([stale, ended], TODAY) == [{"organisation": "B", "reasons": ["planungszeitraum_abgelaufen"]}]


def test_running_measures_without_a_status_report_for_six_months():
    """A running measure counts from its latest status report, without one from its start; more
    than six months before today's month is too long. Measures past their plan are "Status
    klären" instead, not counted twice."""
    from planner.domain.verstetigung import StatusChange

    recent = [sheet(date(2026, 1, 1), 2)]

    def running(key: str, start: Month) -> Measure:
        return Measure(key, key.upper(), NAMES[0], status=Status.IN_UMSETZUNG, start=start, end=Month(2027, 6))

    measures = [running("lang", Month(2026, 1)), running("neu", Month(2026, 9)), running("gemeldet", Month(2025, 3))]
    s = strategy(Month(2027, 12), measures)
    # 05/2026 + 6 = 11/2026 < 12/2026: too long; 06/2026 + 6 = 12/2026: not yet
    reports = {"gemeldet": date(2026, 6, 30)}
    office = p.office(1, "A", 1, s, recent, TODAY, reports=reports)
    assert office.unreported == 1
    reasons = pp.stuck_reasons(office, TODAY)
    assert [r.code for r in reasons] == ["keine_statusmeldung"]
    assert reasons[0].text.startswith("1 laufende Maßnahme seit mehr als 6 Monaten ohne Statusmeldung")
    assert p.office(1, "A", 1, s, recent, TODAY, reports={**reports, "lang": date(2026, 8, 1)}).unreported == 0
    assert p.office(1, "A", 1, s, recent, TODAY, reports={"gemeldet": date(2026, 5, 31)}).unreported == 2
    # without `reports` the strategy's own status history is read (the CLI's files)
    s.status_history = {
        "lang": [
            StatusChange(date(2026, 3, 1), Status.IN_UMSETZUNG),
            StatusChange(date(2026, 10, 2), Status.IN_UMSETZUNG),
        ]
    }
    assert p.office(1, "A", 1, s, recent, TODAY).unreported == 1  # "gemeldet" (03/2025) is left
    # a measure past its planned end is "Status klären", not also this
    late = Measure("spaet", "Spät", NAMES[0], status=Status.IN_UMSETZUNG, start=Month(2024, 1), end=Month(2025, 6))
    codes = [
        r.code for r in pp.stuck_reasons(p.office(2, "B", 2, strategy(Month(2027, 12), [late]), recent, TODAY), TODAY)
    ]
    assert codes == ["status_klaeren"]
    # the CLI lists the four reasons of the issue only
    assert pp.stuck_json([office], TODAY) == []


def test_stuck_offices_sorted_and_counted():
    offices = [
        p.office(1, "Bremen", None, None, [], TODAY),
        p.office(2, "Aurich", 2, strategy(Month(2024, 1)), [], TODAY),
        p.office(3, "Celle", None, None, [sheet(date(2026, 1, 1), 2)], TODAY),  # nothing to do
        p.office(4, "Diepholz", 4, strategy(Month(2024, 1)), [sheet(date(2020, 1, 1), 1)], TODAY),
    ]
    stuck = pp.stuck_offices(offices, TODAY)
    assert [s.office.name for s in stuck] == ["Aurich", "Diepholz", "Bremen"]  # most reasons first, then A–Z
    assert [s.office.name for s in pp.stuck_offices(offices, TODAY, "name", False)] == ["Aurich", "Bremen", "Diepholz"]
    assert [s.office.name for s in pp.stuck_offices(offices, TODAY, "messung", True)][0] == "Diepholz"
    counts = pp.reason_counts(stuck)
    assert counts["keine_messung"] == 2 and counts["planungszeitraum_abgelaufen"] == 2
    assert counts["messung_aelter_24_monate"] == 1 and counts["kein_fortschritt"] == 0


def test_trend_carries_each_office_forward_to_every_years_end():
    offices = [
        p.office(1, "A", None, None, [sheet(date(2022, 5, 1), 1), sheet(date(2024, 3, 1), 3)], TODAY),
        p.office(2, "B", None, None, [sheet(date(2023, 12, 31), 2, d0=None)], TODAY),
        p.office(3, "C", None, None, [], TODAY),
    ]
    t = pp.trend(offices, TODAY)
    assert list(t) == NAMES
    years = [x.year for x in t[NAMES[0]]]
    assert years == [2022, 2023, 2024, 2025, 2026]
    first = {x.year: x for x in t[NAMES[0]]}
    assert (first[2022].assessed, first[2022].median, first[2022].at_stage_3) == (1, 1, 0)
    # B's "–" in dimension 0 is no level (the rule of the portfolio's dimension table)
    assert (first[2023].assessed, first[2023].median) == (1, 1)
    assert (first[2026].assessed, first[2026].median, first[2026].at_stage_3) == (1, 3, 1)
    other = {x.year: x for x in t[NAMES[1]]}
    assert (other[2023].assessed, other[2023].median) == (2, 1.5)
    assert (other[2024].assessed, other[2024].median, other[2024].at_stage_3) == (2, 2.5, 1)
    # the last year equals the portfolio's dimension table
    summary = p.dimension_summary(o.maturity for o in offices)
    for d in summary:
        last = t[d.name][-1]
        assert (last.assessed, last.median, last.at_stage_3) == (d.offices_assessed, d.median, d.at_stage_3)
    assert pp.trend([offices[2]], TODAY) == {n: [] for n in NAMES}


def test_against_land_gives_the_difference_to_the_median():
    land = [
        p.office(1, "A", None, None, [sheet(date(2024, 1, 1), 1)], TODAY),
        p.office(2, "B", None, None, [sheet(date(2024, 1, 1), 3)], TODAY),
    ]
    own = land[0].maturity.latest
    rows = pp.against_land(own, [o.maturity for o in land])
    assert [r.dimension for r in rows] == NAMES
    assert rows[0].median == 2 and rows[0].difference == -1 and rows[0].at_stage_3 == 1 and rows[0].assessed == 2
    none = pp.against_land({}, [o.maturity for o in land])
    assert not none[0].known and none[0].difference is None


def test_cli_stuck_and_trend():
    result = run("portfolio", PEINE, STEINFURT, DATA / "sample.yaml", "--today", "2026-12-07", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    stuck = {s["organisation"]: s["reasons"] for s in data["stuck"]}
    assert stuck["Landkreis Peine"] == ["messung_aelter_24_monate", "planungszeitraum_abgelaufen"]
    assert stuck["Gesundheitsamt Kreis Steinfurt"][0] == "keine_messung"
    assert set(data["trend"]) == set(NAMES)
    it = data["trend"]["IT-Bereitstellung"]
    assert [x["year"] for x in it] == [2022, 2023, 2024, 2025, 2026]
    assert set(it[0]) == {"year", "assessed", "median", "at_stage_3"}
    # Peine's IT-Bereitstellung: "–" in 2022 (no level), 2 from 07.11.2024 on, carried forward
    assert it[0]["assessed"] == 0 and it[0]["median"] is None
    assert it[2]["median"] == 2 and it[4] == {"year": 2026, "assessed": 1, "median": 2, "at_stage_3": 0}
    text = run("portfolio", PEINE, "--today", "2026-12-07")
    assert "Handlungsbedarf Landkreis Peine: Letzte Messung älter als 24 Monate" in text.output
