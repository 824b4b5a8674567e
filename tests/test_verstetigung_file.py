"""The Verstetigung parts of the strategy file (round trip, German errors), the database round trip,
and the pure Fortschreibung and version comparison."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from conftest import DATA

from planner.domain.fortschreibung import successor
from planner.domain.months import Month
from planner.domain.strategy import Status
from planner.domain.verstetigung import (
    EvaluationAnswer,
    EvaluationRecord,
    Indicator,
    IndicatorValue,
    Kind,
    Outcome,
    ReviewDecision,
    Soft,
    StatusChange,
    review_from_evaluation,
)
from planner.domain.verstetigung_versions import FortschreibungError, compare_versions
from planner.extensions import db
from planner.formats.strategy_file import StrategyFileError, dump_strategy, load_strategy
from planner.services.strategies import load_strategy_row
from planner.services.whole_strategy import import_strategy, strategy_to_domain

M = Month.parse


def recorded():
    """The sample strategy with every kind of Verstetigung record."""
    s = load_strategy((DATA / "sample.yaml").read_text(encoding="utf-8"))
    konzept = s.measure("konzept")
    konzept.status, konzept.actual_start, konzept.actual_end = Status.ABGESCHLOSSEN, M("2024-02"), M("2024-05")
    s.status_history["konzept"] = [
        StatusChange(date(2024, 2, 1), Status.IN_UMSETZUNG, "Annika Feldhues"),
        StatusChange(date(2024, 5, 31), Status.ABGESCHLOSSEN, "Annika Feldhues", "fertig"),
    ]
    s.indicators["konzept"] = [
        Indicator("Schulungen je Mitarbeitendem", "Anzahl", 0.5, 2, [IndicatorValue(date(2025, 6, 30), 1.25)])
    ]
    s.evaluations = [
        EvaluationRecord(
            "konzept",
            Kind.PROZESS,
            date(2024, 6, 12),
            due=M("2024-06"),
            by="Annika Feldhues",
            done=EvaluationAnswer.JA,
            schedule_kept=EvaluationAnswer.NEIN,
            staff=EvaluationAnswer.TEILWEISE,
            cooperation=Soft(4, "gut"),
            went_well="Personalrat früh beteiligt\nund informiert",
            went_badly="Räume zu spät",
            outcome=Outcome.OKR,
        ),
        EvaluationRecord(
            "strategy", Kind.PROZESS, date(2026, 1, 20), by="Lenkungskreis", direction="ja", decisions="Chatbot prüfen"
        ),
    ]
    return s


def test_file_round_trip_is_lossless():
    s = recorded()
    s.reviews = [review_from_evaluation(s.evaluations[1])]  # what reading makes of the former review form's record
    text = dump_strategy(s)
    assert "actual_end: 2024-05" in text and "status_history:" in text and "evaluations:" in text
    again = load_strategy(text)
    assert again == s
    assert dump_strategy(again) == text


def test_a_meeting_of_the_former_review_form_is_read_as_a_review():
    """Files before issue 24 kept the review meeting as a strategy evaluation with Beschlüsse: read, it
    is a finalised review (its texts the minutes); written and read again, still one."""
    s = recorded()
    old_file = dump_strategy(s)
    assert "reviews:" not in old_file
    read = load_strategy(old_file)
    assert len(read.reviews) == 1
    review = read.reviews[0]
    assert (review.held_on, review.participants, review.finalised) == (date(2026, 1, 20), "Lenkungskreis", True)
    assert review.minutes == (
        "Kernfrage 1: Entwickeln wir uns in die gewünschte Richtung?:\nja\n\nBeschlüsse:\nChatbot prüfen"
    )
    assert read.evaluations == s.evaluations  # the strategy's process evaluation stays
    again = load_strategy(dump_strategy(read))
    assert again.reviews == read.reviews
    # a measure's evaluation, or one without Beschlüsse, is no review
    assert review_from_evaluation(s.evaluations[0]) is None
    assert review_from_evaluation(EvaluationRecord("strategy", Kind.PROZESS, date(2026, 1, 20), direction="ja")) is None


def test_files_without_records_are_written_as_before():
    text = (DATA / "sample.yaml").read_text(encoding="utf-8")
    dumped = dump_strategy(load_strategy(text))
    for key in ("actual_start", "actual_end", "status_history", "indicators", "evaluations", "history"):
        assert key not in dumped


def errors(data) -> list[str]:
    with pytest.raises(StrategyFileError) as info:
        load_strategy(yaml.safe_dump(data, allow_unicode=True))
    return info.value.messages


def test_german_errors_name_measure_and_field():
    data = yaml.safe_load(dump_strategy(recorded()))
    data["measures"][0]["actual_start"] = "2024-07"  # after the actual end
    data["measures"][0]["status_history"][0]["date"] = "2024-02-30"
    data["evaluations"][0]["subject"] = "gibtsnicht"
    data["evaluations"][1]["kind"] = "ergebnis"
    assert errors(data) == ["Feld „evaluations.1.kind“: „ergebnis“ ist nicht erlaubt; erlaubt sind: prozess, wirkung."]
    data["evaluations"][1]["kind"] = "prozess"
    found = errors(data)
    assert any("Maßnahme „konzept“, Feld „actual_end“" in e and "vor dem tatsächlichen Beginn" in e for e in found)
    assert any("„2024-02-30“ ist kein Datum" in e and "status_history.0.date" in e for e in found)
    assert any("keine Maßnahme mit der ID „gibtsnicht“" in e for e in found)


@pytest.mark.db
def test_database_round_trip(app):
    s = recorded()
    with app.app_context():
        row = import_strategy(db.session, s)
        db.session.commit()
        again = strategy_to_domain(load_strategy_row(db.session, row.id))
    assert again == s


# --- Fortschreibung and comparison (pure) ---------------------------------------------------------------


def decisions(**chosen):
    base = {
        "schulungen": (ReviewDecision.BEHALTEN, ""),
        "awareness": (ReviewDecision.ANPASSEN, "später"),
        "chatbot": (ReviewDecision.BEHALTEN, ""),
    }
    return base | {k: (ReviewDecision(v), "") for k, v in chosen.items()}


def next_version(old, chosen, version, day):
    return successor(old, chosen, review_day=day, today=day, version=version).strategy


def test_next_version_carries_unfinished_and_backlog():
    old = recorded()
    old.measure("chatbot").deferrals = 1
    new = next_version(old, decisions(), "2026", date(2026, 2, 10))
    # konzept is finished, its impact evaluation pending: carried as finished, with its records
    assert [m.key for m in new.measures] == ["konzept", "schulungen", "awareness", "chatbot"]
    assert new.measure("konzept").status is Status.ABGESCHLOSSEN
    assert new.measure("chatbot").deferrals == 2  # kept in the backlog: deferred once more
    assert new.measure("awareness").depends_on == []
    assert (new.vision, new.mission, new.adopted) == (old.vision, old.mission, None)  # a draft
    assert (new.window_start, new.window_end) == (M("2026-03"), M("2028-02"))  # from the month after the review
    assert [r.subject for r in new.evaluations] == ["konzept", "strategy"]  # konzept's and the review
    assert "konzept" in new.indicators
    assert new.history[-1].version == "2024" and new.history[-1].replaced == date(2026, 2, 10)
    assert new.history[-1].reviewed == date(2026, 2, 10)
    assert old.measure("chatbot").deferrals == 1  # the old version is untouched


def test_next_version_drop_and_errors():
    old = recorded()
    new = next_version(old, decisions(chatbot="verwerfen"), "2026", date(2026, 2, 10))
    assert new.measure("chatbot") is None
    with pytest.raises(FortschreibungError, match="andere Bezeichnung"):
        next_version(old, decisions(), "2024", date.today())


def test_compare_versions_field_by_field():
    old = recorded()
    new = next_version(old, decisions(chatbot="verwerfen"), "2026", date(2026, 2, 10))
    new.adopted = M("2026-03")
    new.measure("awareness").end = M("2026-09")
    new.measure("awareness").owners = []
    from planner.domain.strategy import Measure

    new.measures.append(Measure("portal", "Bürgerportal", "Bürger*innenzentrierung"))
    diff = compare_versions(old, new)
    assert [m.key for m in diff.added] == ["portal"]
    assert [(m.key, why.split(" ")[0]) for m, why in diff.dropped] == [("chatbot", "in")]
    changed = {c.key: {f.field: (f.before, f.after) for f in c.changes} for c in diff.changed}
    assert changed["awareness"]["planned"] == ("02/2024 – 06/2024", "03/2026 – 09/2026")  # anpassen: re-planned
    assert changed["awareness"]["owners"] == ("IT-Sicherheitsbeauftragte (Lead)", "–")
    assert changed["awareness"]["depends_on"] == ("Entwicklung eines Schulungskonzepts", "–")
    # schulungen only lost its finished prerequisite
    assert changed["schulungen"] == {"depends_on": ("Entwicklung eines Schulungskonzepts", "–")}
    assert [m.key for m in diff.unchanged] == ["konzept"]  # carried as finished, unchanged
    assert {f.field for f in diff.strategy} == {"version", "adopted", "window"}


def test_indicator_chart_text_and_empty_chart():
    from planner.charts.common import render
    from planner.charts.indicator import indicator_chart, indicator_text

    ind = Indicator("Bearbeitungszeit", "Tage", 21, 10, [IndicatorValue(date(2025, 1, 15), 18.5)])
    title, desc = indicator_text(ind)
    assert title == "Indikator Bearbeitungszeit"
    assert desc == "Ausgangswert 21 Tage; Zielwert 10 Tage; Messwerte: 15.01.2025 18,5 Tage."
    svg = render(indicator_chart(ind), "svg", title, desc).decode()
    assert "Zielwert 10" in svg and "18,5" in svg
    empty = render(indicator_chart(Indicator("Neu")), "svg").decode()  # no legend warning, no data
    assert "noch keine Messwerte" in empty
