"""What finalising a review settles in the reviewed version (services.review.settlement), on unsaved
rows: abgeschlossen → finished with the review's month as actual end when none is recorded,
verwerfen → dropped, every other decision (and no decision) leaves the measure as it is."""

from __future__ import annotations

from datetime import date

from planner import models
from planner.domain.months import Month
from planner.domain.strategy import Status
from planner.models import review as rm
from planner.services.review import settlement


def _review(*rows: tuple[str, str, str | None, str | None]) -> rm.Review:
    """A review of 07.12.2026 with (key, status, actual end, decision) per measure."""
    return rm.Review(
        held_on=date(2026, 12, 7),
        decisions=[
            rm.ReviewDecisionRow(
                decision=decision,
                proposed="behalten",
                measure=models.Measure(key=key, title=key.title(), status=status, actual_end=end),
            )
            for key, status, end, decision in rows
        ],
    )


def test_abgeschlossen_finishes_and_verwerfen_drops():
    settled = settlement(
        _review(
            ("agora", "in_umsetzung", None, "abgeschlossen"),
            ("konzept", "in_umsetzung", "2025-03", "abgeschlossen"),
            ("whiteboard", "geplant", None, "verwerfen"),
            ("chatbot", "backlog", None, "backlog"),
            ("schulungen", "in_umsetzung", None, "anpassen"),
            ("portal", "geplant", None, None),
        )
    )
    by_key = {s.key: s for s in settled}
    assert set(by_key) == {"agora", "konzept", "whiteboard"}
    assert (by_key["agora"].status, by_key["agora"].actual_end, by_key["agora"].end_set) == (
        Status.ABGESCHLOSSEN,
        Month(2026, 12),
        True,
    )
    assert (by_key["konzept"].actual_end, by_key["konzept"].end_set) == (Month(2025, 3), False)  # recorded end kept
    assert (by_key["whiteboard"].status, by_key["whiteboard"].actual_end) == (Status.VERWORFEN, None)


def test_what_is_already_so_is_left_alone_but_a_finished_measure_gets_its_missing_end():
    settled = settlement(
        _review(
            ("done", "abgeschlossen", "2024-05", "abgeschlossen"),
            ("dropped", "verworfen", None, "verwerfen"),
            ("no-end", "abgeschlossen", None, "abgeschlossen"),
        )
    )
    assert [(s.key, s.actual_end) for s in settled] == [("no-end", Month(2026, 12))]
