"""Domain rules of the strategy review: the proposed decision per measure and the targets proposed
for the next version (its decision table: tests/test_fortschreibung_domain.py)."""

from __future__ import annotations

from datetime import date

from planner.domain.fortschreibung import proposed_targets
from planner.domain.months import Month
from planner.domain.review import ReviewDecision, propose_decision
from planner.domain.schedule_state import schedule_state
from planner.domain.strategy import Measure, Owner, OwnerRole, Status
from planner.domain.verstetigung import Outcome

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
