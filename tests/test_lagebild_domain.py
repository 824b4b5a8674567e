"""Handlungsbedarf (domain): which measures need an update, which evaluations are due, the next
review and stale indicators — plain objects, no fixtures."""

from __future__ import annotations

from datetime import date

from planner.domain.lagebild import action_items, next_review
from planner.domain.months import Month
from planner.domain.schedule_state import State
from planner.domain.strategy import Measure, Status
from planner.domain.verstetigung import STRATEGY, EvaluationRecord, Indicator, IndicatorValue, Kind, TrackedStrategy

TODAY = date(2026, 11, 30)


def m(key, status=Status.GEPLANT, start=None, end=None, actual_start=None, actual_end=None, depends_on=()):
    month = lambda text: Month.parse(text) if text else None  # noqa: E731
    return Measure(
        key=key,
        title=key.upper(),
        dimension="Mitarbeitende",
        status=status,
        start=month(start),
        end=month(end),
        actual_start=month(actual_start),
        actual_end=month(actual_end),
        depends_on=list(depends_on),
    )


def strategy(*measures, adopted="2023-03", **kw) -> TrackedStrategy:
    return TrackedStrategy("GA", "S", adopted=Month.parse(adopted) if adopted else None, measures=list(measures), **kw)


def test_overdue_measures_need_an_update_most_overdue_end_first():
    s = strategy(
        m("late-start", start="2026-10", end="2027-06"),
        m("late-end", Status.IN_UMSETZUNG, start="2023-01", end="2023-04"),
        m("later-end", start="2024-01", end="2024-07"),
        m("on-time", Status.IN_UMSETZUNG, start="2026-01", end="2026-11"),  # ends this month: not overdue
        m("starts-now", start="2026-11", end="2027-01"),  # starts this month: not overdue
        m("done", Status.ABGESCHLOSSEN, start="2023-01", end="2023-04", actual_end="2023-05"),
        m("backlog", Status.BACKLOG, start="2023-01", end="2023-02"),
    )
    items = action_items(s, TODAY).to_update
    assert [(i.measure.key, i.state.state, i.state.months_overdue) for i in items] == [
        ("late-end", State.ABSCHLUSS_UEBERFAELLIG, 43),
        ("later-end", State.ABSCHLUSS_UEBERFAELLIG, 28),
        ("late-start", State.BEGINN_UEBERFAELLIG, 1),
    ]


def test_inside_the_plan_period_nothing_is_overdue():
    s = strategy(m("a", start="2023-01", end="2023-04"), m("b", start="2023-05", end="2024-12"))
    items = action_items(s, date(2023, 1, 15))
    assert items.to_update == [] and items.evaluations == []


def test_evaluations_wait_for_the_real_end_of_unfinished_measures():
    s = strategy(
        m("unclear", Status.IN_UMSETZUNG, start="2023-01", end="2023-04"),
        m("finished", Status.ABGESCHLOSSEN, start="2026-01", end="2026-04", actual_end="2026-09"),
    )
    due = action_items(s, TODAY).evaluations
    # "unclear" has no evaluation listed (status check first); "finished" has its process evaluation
    assert [(d.subject, d.kind, str(d.due), d.overdue) for d in due] == [("finished", Kind.PROZESS, "2026-10", True)]
    # the impact evaluation (09/2027) is not due within three months
    assert all(d.subject != "unclear" for d in due)


def test_evaluations_due_within_three_months_are_listed_not_later_ones():
    s = strategy(m("x", Status.ABGESCHLOSSEN, start="2026-01", end="2026-12", actual_end="2026-11"))
    soon = action_items(s, TODAY).evaluations
    assert [(str(d.due), d.overdue) for d in soon] == [("2026-12", False)]
    assert action_items(s, date(2026, 8, 1)).evaluations == []


def test_conflicts_of_finished_dependents_are_history():
    s = strategy(
        m("pre", Status.IN_UMSETZUNG, start="2026-01", end="2027-06"),
        m("open", start="2027-01", end="2027-03", depends_on=["pre"]),
        m("closed", Status.ABGESCHLOSSEN, start="2026-02", end="2026-03", actual_end="2026-03", depends_on=["pre"]),
    )
    assert [(c.measure, c.depends_on) for c in action_items(s, TODAY).conflicts] == [("open", "pre")]


def test_next_review_counts_from_adoption_then_from_the_last_review():
    s = strategy(adopted="2023-03")
    review = next_review(s, TODAY)
    assert (str(review.due), review.after_review, review.overdue) == ("2025-03", False, True)
    s.evaluations = [EvaluationRecord(STRATEGY, Kind.PROZESS, date(2025, 6, 12))]
    review = next_review(s, TODAY)
    assert (str(review.due), str(review.since), review.after_review, review.overdue) == (
        "2027-06",
        "2025-06",
        True,
        False,
    )
    assert next_review(strategy(adopted=None), TODAY) is None
    # a review due this month is not overdue yet
    assert next_review(strategy(adopted="2024-11"), TODAY).overdue is False


def test_indicators_without_a_value_for_twelve_months():
    s = strategy(
        m("run", Status.IN_UMSETZUNG, start="2025-01", end="2027-01"),
        m("plan", start="2027-01", end="2027-06"),
        indicators={
            "run": [
                Indicator("fresh", values=[IndicatorValue(date(2026, 1, 10), 1.0)]),
                Indicator("old", values=[IndicatorValue(date(2025, 11, 29), 1.0)]),
                Indicator("never"),
            ],
            "plan": [Indicator("not yet running")],
        },
    )
    stale = action_items(s, TODAY).stale_indicators
    assert [(i.name, i.last) for i in stale] == [("old", date(2025, 11, 29)), ("never", None)]
