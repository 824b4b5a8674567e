"""Domain rules of the strategy review: the proposed decision per measure and the dates of the
measures carried over into the next version."""

from __future__ import annotations

from datetime import date

from planner.domain.months import Month
from planner.domain.review import (
    ReviewDecision,
    carry_dates,
    default_end,
    default_name,
    default_start,
    final_decisions,
    propose_decision,
    proposed_targets,
)
from planner.domain.schedule import schedule_conflicts
from planner.domain.schedule_state import schedule_state
from planner.domain.strategy import Measure, Owner, OwnerRole, Status, Strategy
from planner.domain.verstetigung import Decision, Outcome

TODAY = date(2026, 11, 30)


def m(
    key,
    status=Status.GEPLANT,
    start=None,
    end=None,
    *,
    actual_start=None,
    actual_end=None,
    lead="A",
    deps=(),
    deferrals=0,
):
    return Measure(
        key=key,
        title=key.title(),
        dimension="Personal",
        status=status,
        start=Month.parse(start) if start else None,
        end=Month.parse(end) if end else None,
        actual_start=Month.parse(actual_start) if actual_start else None,
        actual_end=Month.parse(actual_end) if actual_end else None,
        owners=[Owner(lead, OwnerRole.LEAD)] if lead else [],
        depends_on=list(deps),
        deferrals=deferrals,
    )


def proposed(measure, outcome=None):
    return propose_decision(measure, schedule_state(measure, TODAY), outcome).decision


def test_finished_measure_is_abgeschlossen_whatever_the_evaluation_says():
    done = m("a", Status.ABGESCHLOSSEN, "2025-01", "2025-06", actual_end="2025-08")
    assert proposed(done) is ReviewDecision.ABGESCHLOSSEN
    assert proposed(done, Outcome.VERWERFEN) is ReviewDecision.ABGESCHLOSSEN
    # an actual end recorded without the status: done too
    assert (
        proposed(m("b", Status.IN_UMSETZUNG, "2025-01", "2025-06", actual_end="2025-07"))
        is ReviewDecision.ABGESCHLOSSEN
    )


def test_evaluation_outcome_decides_for_unfinished_measures():
    running = m("a", Status.IN_UMSETZUNG, "2026-01", "2027-06", actual_start="2026-01")
    assert proposed(running) is ReviewDecision.BEHALTEN
    assert proposed(running, Outcome.FORTFUEHREN) is ReviewDecision.BEHALTEN
    assert proposed(running, Outcome.VERWERFEN) is ReviewDecision.VERWERFEN
    for outcome in (Outcome.ANPASSEN, Outcome.NEU_AUSRICHTEN, Outcome.TEAM_AENDERN, Outcome.OKR):
        assert proposed(running, outcome) is ReviewDecision.ANPASSEN
    # the outcome outweighs the schedule: an overdue measure the evaluation says to continue is kept
    overdue = m("b", Status.GEPLANT, "2023-01", "2023-04")
    assert proposed(overdue) is ReviewDecision.ANPASSEN
    assert proposed(overdue, Outcome.FORTFUEHREN) is ReviewDecision.BEHALTEN


def test_schedule_state_decides_without_evaluation():
    assert proposed(m("a", Status.GEPLANT, "2027-03", "2027-09")) is ReviewDecision.BEHALTEN  # planned
    late_end = propose_decision(
        m("b", Status.GEPLANT, "2023-01", "2023-04"),
        schedule_state(m("b", Status.GEPLANT, "2023-01", "2023-04"), TODAY),
    )
    assert late_end.decision is ReviewDecision.ANPASSEN
    assert late_end.reason == "Abschluss überfällig seit 43 Monaten: Termine anpassen"
    assert proposed(m("c", Status.GEPLANT)) is ReviewDecision.BACKLOG  # no dates at all
    assert proposed(m("d", Status.BACKLOG)) is ReviewDecision.BACKLOG
    question = m("e", Status.BACKLOG, deferrals=2)
    assert "noch relevant?" in propose_decision(question, schedule_state(question, TODAY)).reason
    assert proposed(m("f", Status.VERWORFEN)) is ReviewDecision.VERWERFEN


def test_defaults_of_the_next_version():
    start = default_start(TODAY)
    assert start == Month(2026, 12)
    assert default_end(start) == Month(2028, 11)  # two years
    assert default_name(start) == "Fortschreibung 12/2026"


def test_measures_without_a_decision_are_kept():
    a, b = m("a", start="2027-01", end="2027-03"), m("b", start="2027-01", end="2027-03")
    decisions, rest = final_decisions([a, b], {"a": (ReviewDecision.BACKLOG, "später")})
    assert decisions == {"a": (Decision.BACKLOG, "später"), "b": (Decision.BEHALTEN, decisions["b"][1])}
    assert rest == [b]


def _strategy(*measures):
    return Strategy("GA", "S", measures=list(measures))


def test_carried_dates_keep_durations_follow_dependencies_and_the_lead_limit():
    start, end = Month(2026, 12), Month(2028, 11)
    s = _strategy(
        m("konzept", start="2023-01", end="2023-04"),  # 4 months, overdue, not begun
        m("schulung", start="2023-05", end="2023-10", deps=["konzept"]),  # 6 months, after konzept
        m("parallel", start="2023-01", end="2023-03", lead="A"),  # same lead as konzept
        m("andere", start="2023-01", end="2023-02", lead="B"),
        m("spaeter", start="2027-06", end="2027-08", lead="B"),  # already in the period: stays
    )
    plan = carry_dates(s, start, end, max_parallel=1)
    got = {d.key: (d.new_start, d.new_end) for d in plan.dates}
    assert got["konzept"][0] == start or got["parallel"][0] == start
    # durations kept
    for d in plan.dates:
        before = s.measure(d.key)
        assert d.new_end - d.new_start == before.end - before.start
    # lead A runs one at a time: konzept and parallel do not overlap
    k, p = got["konzept"], got["parallel"]
    assert k[1] < p[0] or p[1] < k[0]
    # schulung starts after konzept's end month is reached
    assert got["schulung"][0] >= got["konzept"][1]
    assert got["spaeter"] == (Month(2027, 6), Month(2027, 8))
    assert got["andere"] == (start, start + 1)
    assert plan.outside == []
    assert schedule_conflicts(plan.apply(s.measures)) == []


def test_begun_measure_runs_its_remaining_months_from_the_new_start():
    start, end = Month(2026, 12), Month(2028, 11)
    s = _strategy(
        m("laeuft", Status.IN_UMSETZUNG, "2026-01", "2027-05", actual_start="2026-02"),  # 6 months left
        m("ueberzogen", Status.IN_UMSETZUNG, "2025-01", "2025-12", actual_start="2025-01", lead="B"),
        m("staendig", Status.FORTLAUFEND, "2024-01", None, actual_start="2024-01", lead="C"),
    )
    got = {d.key: (d.new_start, d.new_end) for d in carry_dates(s, start, end, 2).dates}
    assert got["laeuft"] == (start, Month(2027, 5))
    assert got["ueberzogen"] == (start, start + 2)  # end passed: three months proposed
    assert got["staendig"] == (start, None)  # open-ended stays open-ended


def test_plan_reports_measures_beyond_the_period():
    start, end = Month(2026, 12), Month(2027, 5)
    s = _strategy(m("a", start="2023-01", end="2023-06"), m("b", start="2023-01", end="2023-06"))
    plan = carry_dates(s, start, end, max_parallel=1)
    assert [d.key for d in plan.outside] == ["b"] or [d.key for d in plan.outside] == ["a"]


def test_targets_proposed_from_the_latest_assessment_at_least_stage_3():
    levels = {"Verantwortlichkeiten": 1, "Sensibilisierung": 3, "Partizipation": None, "Digitalisierungsbudget": 4}
    got = proposed_targets(levels, {"Sensibilisierung": 3})
    assert got["Verantwortlichkeiten"] == 3  # 1 + 1 is below the minimum
    assert got["Sensibilisierung"] == 4  # reached: one stage above
    assert got["Partizipation"] == 3  # "–"
    assert got["Digitalisierungsbudget"] == 4  # the top stage
    assert proposed_targets(None, {"Sensibilisierung": 4})["Sensibilisierung"] == 4


def test_versions_grouped_as_one_strategy():
    from planner.domain.review import version_groups

    # 1 → 3 → 5 (5 is current); 2 alone; 4 → 6 but 6 is not in the list (another organisation's)
    assert version_groups([1, 2, 3, 4, 5], {1: 3, 3: 5, 4: 6}) == [(2, []), (4, []), (5, [3, 1])]
