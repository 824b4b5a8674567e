"""The Fahrplan's window: the plan period, widened to today and every dated measure (issue 13)."""

from __future__ import annotations

from datetime import date

from planner.domain.months import Month
from planner.domain.roadmap_view import roadmap_view
from planner.domain.strategy import Measure, Status, Strategy

M = Month.parse


def measure(key, start=None, end=None, status=Status.GEPLANT, **kw) -> Measure:
    return Measure(key, key.title(), "Mitarbeitende", start=start and M(start), end=end and M(end), status=status, **kw)


def strategy(*measures) -> Strategy:
    return Strategy("GA", "S", window_start=M("2023-01"), window_end=M("2024-12"), measures=list(measures))


def window(view) -> tuple[str, str]:
    return str(view.window_start), str(view.window_end)


def test_inside_the_plan_period_the_window_is_the_plan_period():
    view = roadmap_view(strategy(measure("a", "2023-01", "2023-04")), date(2023, 2, 15))
    assert window(view) == ("2023-01", "2024-12") and not view.widened
    # today in the last month of the plan period: still the plan period
    assert not roadmap_view(strategy(measure("a", "2023-01", "2023-04")), date(2024, 12, 31)).widened


def test_today_after_the_plan_period_widens_to_the_end_of_its_quarter():
    view = roadmap_view(strategy(measure("a", "2023-01", "2023-04")), date(2025, 1, 1))
    assert window(view) == ("2023-01", "2025-03") and view.widened
    assert (str(view.plan_start), str(view.plan_end)) == ("2023-01", "2024-12")


def test_a_measure_outside_the_plan_period_is_drawn_not_listed():
    early = measure("early", "2022-11", "2023-03")
    late = measure("late", "2025-05", "2025-08")
    view = roadmap_view(strategy(early, late), date(2023, 6, 1))
    assert window(view) == ("2022-10", "2025-09")
    assert [b.measure.key for b in view.bars] == ["early", "late"] and view.outside == []
    assert not view.bar("early").before_window and not view.bar("late").after_window


def test_only_a_measure_more_than_five_years_away_is_listed_apart():
    far = measure("far", "2031-01", "2031-03")
    view = roadmap_view(strategy(far), date(2023, 6, 1))
    assert window(view) == ("2023-01", "2029-12")  # plan end + 60 months, whole quarter
    assert view.outside == [far]


def test_overdue_bars_know_how_far_to_extend_and_finished_open_ended_ones_end():
    overdue = measure("overdue", "2023-01", "2023-04", status=Status.IN_UMSETZUNG)
    done_open = measure("done", "2023-01", None, status=Status.ABGESCHLOSSEN)
    done_open_with_end = measure("ended", "2023-01", None, status=Status.ABGESCHLOSSEN, actual_end=M("2023-09"))
    running = measure("running", "2023-01", None, status=Status.FORTLAUFEND)
    view = roadmap_view(strategy(overdue, done_open, done_open_with_end, running), date(2026, 11, 30))
    assert view.bar("overdue").overdue_to == M("2026-11")
    assert view.bar("done").completed and str(view.bar("done").end) == "2024-12"  # end unknown: the plan end
    assert view.bar("ended").completed and str(view.bar("ended").end) == "2023-09"
    assert not view.bar("done").after_window
    assert view.bar("running").overdue_to is None and view.bar("running").after_window
    # in the month of the planned end it is not overdue yet
    assert roadmap_view(strategy(overdue), date(2023, 4, 30)).bar("overdue").overdue_to is None
