"""The evaluation calendar: each rule of issue 6 with hand-computed dates, edge cases, the CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from conftest import DATA, STEINFURT

from planner.cli import main
from planner.domain.months import Month
from planner.domain.strategy import Measure, Status, Strategy
from planner.domain.verstetigung import (
    Answer,
    EvaluationRecord,
    Kind,
    Progress,
    Rules,
    adherence,
    calendar,
    calendar_report,
    progress,
    schedule_answer,
)
from planner.formats.strategy_file import dump_strategy, load_strategy

M = Month.parse
P, W = Kind.PROZESS, Kind.WIRKUNG


def measure(key="m", start=None, end=None, status=Status.GEPLANT, **kw) -> Measure:
    return Measure(key, key.title(), "Mitarbeitende", start=start and M(start), end=end and M(end), status=status, **kw)


def slots(strategy: Strategy, today: str) -> list[tuple[str, str, str, bool]]:
    return [(d.subject, d.kind.value, str(d.due), d.overdue) for d in calendar(strategy, date.fromisoformat(today))]


def only(*measures: Measure, adopted=None) -> Strategy:
    return Strategy("GA", "S", adopted=adopted and M(adopted), measures=list(measures))


def test_measure_with_end_process_next_month_and_impact_twelve_months_later():
    s = only(measure(start="2023-01", end="2023-04"))
    assert slots(s, "2023-03-10") == [("m", "prozess", "2023-05", False), ("m", "wirkung", "2024-04", False)]


def test_actual_end_wins_over_planned_end():
    s = only(measure(start="2023-01", end="2023-04", actual_end=M("2023-07")))
    assert slots(s, "2023-03-10") == [("m", "prozess", "2023-08", False), ("m", "wirkung", "2024-07", False)]


def test_december_end_rolls_over_the_year():
    s = only(measure(start="2023-02", end="2023-12"))
    assert [d for _, _, d, _ in slots(s, "2023-01-01")] == ["2024-01", "2024-12"]


def test_twelve_months_is_not_long_running_thirteen_is():
    twelve = only(measure(start="2023-01", end="2023-12"))
    assert [(k, d) for _, k, d, _ in slots(twelve, "2023-01-01")] == [("prozess", "2024-01"), ("wirkung", "2024-12")]
    thirteen = only(measure(start="2023-01", end="2024-01"))
    # yearly 12 months after the start (its end month, it still runs), then the completion ones
    assert [(k, d) for _, k, d, _ in slots(thirteen, "2023-01-01")] == [
        ("prozess", "2024-01"),
        ("prozess", "2024-02"),
        ("wirkung", "2025-01"),
    ]


def test_long_running_measure_yearly_while_it_runs():
    s = only(measure(start="2022-03", end="2025-06"))
    assert [(k, d) for _, k, d, _ in slots(s, "2022-01-01")] == [
        ("prozess", "2023-03"),
        ("prozess", "2024-03"),
        ("prozess", "2025-03"),
        ("prozess", "2025-07"),
        ("wirkung", "2026-06"),
    ]


def test_yearly_slot_after_the_end_is_not_listed():
    # 2023-01 .. 2024-12: start+24 = 2025-01 is after the end: only the completion evaluation that month
    s = only(measure(start="2023-01", end="2024-12"))
    assert [(k, d) for _, k, d, _ in slots(s, "2023-01-01")] == [
        ("prozess", "2024-01"),
        ("prozess", "2025-01"),
        ("wirkung", "2025-12"),
    ]


def test_open_ended_yearly_up_to_the_first_after_today():
    s = only(measure(start="2023-04", status=Status.FORTLAUFEND))
    assert [d for _, _, d, _ in slots(s, "2025-06-15")] == ["2024-04", "2025-04", "2026-04"]
    # a due month equal to today's month is listed and so is the next one
    assert [d for _, _, d, _ in slots(s, "2025-04-01")] == ["2024-04", "2025-04", "2026-04"]
    assert [d for _, _, d, _ in slots(s, "2025-03-31")] == ["2024-04", "2025-04"]
    # before the first one: just the first
    assert [d for _, _, d, _ in slots(s, "2023-05-01")] == ["2024-04"]


def test_open_ended_uses_actual_start():
    s = only(measure(start="2023-04", status=Status.FORTLAUFEND, actual_start=M("2023-06")))
    assert [d for _, _, d, _ in slots(s, "2024-01-01")] == ["2024-06"]


@pytest.mark.parametrize("status", [Status.BACKLOG, Status.VERWORFEN])
def test_backlog_and_dropped_have_none(status):
    assert slots(only(measure(start="2023-01", end="2023-04", status=status)), "2025-01-01") == []


def test_unplanned_has_none():
    assert slots(only(measure()), "2025-01-01") == []


def test_strategy_every_24_months_up_to_first_after_today_and_impact_after_60():
    s = only(adopted="2023-03")
    assert slots(s, "2027-06-01") == [
        ("strategy", "prozess", "2025-03", True),
        ("strategy", "prozess", "2027-03", True),
        ("strategy", "wirkung", "2028-03", False),
        ("strategy", "prozess", "2029-03", False),
    ]
    assert slots(s, "2023-03-01") == [
        ("strategy", "prozess", "2025-03", False),
        ("strategy", "wirkung", "2028-03", False),
    ]


def test_no_adoption_no_strategy_evaluations():
    assert slots(only(), "2030-01-01") == []


def test_overdue_only_before_todays_month_and_not_when_recorded():
    s = only(measure(start="2023-01", end="2023-04"))
    assert slots(s, "2023-05-31")[0] == ("m", "prozess", "2023-05", False)  # due this month: not yet overdue
    assert slots(s, "2023-06-01")[0] == ("m", "prozess", "2023-05", True)
    s.evaluations.append(EvaluationRecord("m", P, date(2023, 6, 20)))
    assert slots(s, "2023-07-01")[0] == ("m", "prozess", "2023-05", False)
    assert calendar(s, date(2023, 7, 1))[0].done


def test_record_with_due_fulfils_that_slot_only():
    s = only(measure(start="2022-01", end="2024-06"))
    s.evaluations.append(EvaluationRecord("m", P, date(2024, 8, 1), due=M("2024-07")))
    result = slots(s, "2024-09-01")
    assert result == [
        ("m", "prozess", "2023-01", True),
        ("m", "prozess", "2024-01", True),
        ("m", "prozess", "2024-07", False),
        ("m", "wirkung", "2025-06", False),
    ]


def test_record_without_due_fulfils_the_earliest_open_slot_of_its_kind():
    s = only(measure(start="2022-01", end="2024-06"))
    s.evaluations.append(EvaluationRecord("m", W, date(2024, 8, 1)))  # impact: only the impact slot
    s.evaluations.append(EvaluationRecord("m", P, date(2023, 2, 1)))
    result = slots(s, "2025-09-01")
    assert [o for *_, o in result] == [False, True, True, False]


def test_intervals_are_settings():
    s = only(measure(start="2023-01", end="2023-04"), adopted="2023-01")
    rules = Rules(process_after_end=2, impact_after_end=18, strategy_process=12, strategy_impact=36)
    got = [(d.subject, d.kind.value, str(d.due)) for d in calendar(s, date(2023, 1, 1), rules)]
    assert got == [
        ("m", "prozess", "2023-06"),
        ("strategy", "prozess", "2024-01"),
        ("m", "wirkung", "2024-10"),
        ("strategy", "wirkung", "2026-01"),
    ]


def test_report_has_exactly_the_stated_keys():
    report = calendar_report(only(measure(start="2023-01", end="2023-04")), date(2024, 1, 1))
    assert list(report) == ["evaluations"]
    assert report["evaluations"][0] == {"subject": "m", "kind": "prozess", "due": "2023-05", "overdue": True}


def test_adherence_and_schedule_prefill():
    late = measure(start="2023-01", end="2023-04", actual_start=M("2023-02"), actual_end=M("2023-06"))
    assert (adherence(late).start_delay, adherence(late).end_delay) == (1, 2)
    assert schedule_answer(late) is Answer.NEIN
    early = measure(start="2023-01", end="2023-04", actual_end=M("2023-04"))
    assert schedule_answer(early) is Answer.JA
    assert schedule_answer(measure(start="2023-01", end="2023-04")) is None


def test_progress_classes():
    today = date(2024, 3, 1)
    assert progress(measure(start="2023-01", end="2023-04", status=Status.ABGESCHLOSSEN), today) is Progress.ERLEDIGT
    assert progress(measure(start="2023-01", end="2023-04", status=Status.IN_UMSETZUNG), today) is Progress.VERSPAETET
    assert progress(measure(start="2024-01", end="2024-06", status=Status.IN_UMSETZUNG), today) is Progress.LAUFEND
    assert progress(measure(start="2024-01", end="2024-06"), today) is Progress.VERSPAETET  # should have started
    assert progress(measure(start="2024-05", end="2024-06"), today) is Progress.GEPLANT
    assert progress(measure(status=Status.BACKLOG), today) is Progress.BACKLOG
    assert progress(measure(status=Status.VERWORFEN), today) is Progress.VERWORFEN


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_json_on_the_sample(tmp_path):
    result = CliRunner().invoke(main, ["evaluations", str(DATA / "sample.yaml"), "--today", "2025-03-15", "--json"])
    assert result.exit_code == 0, result.output
    got = [(e["subject"], e["kind"], e["due"], e["overdue"]) for e in json.loads(result.output)["evaluations"]]
    # konzept 2024-01..04; schulungen open-ended from 2024-04; awareness 2024-02..06; chatbot backlog;
    # strategy adopted 2024-01
    assert got == [
        ("konzept", "prozess", "2024-05", True),
        ("awareness", "prozess", "2024-07", True),
        ("konzept", "wirkung", "2025-04", False),
        ("schulungen", "prozess", "2025-04", False),
        ("awareness", "wirkung", "2025-06", False),
        ("strategy", "prozess", "2026-01", False),
        ("strategy", "wirkung", "2029-01", False),
    ]


def test_cli_recorded_evaluation_and_actual_end_from_the_file(tmp_path):
    s = load_strategy((DATA / "sample.yaml").read_text(encoding="utf-8"))
    s.measure("konzept").actual_end = M("2024-06")
    s.evaluations.append(EvaluationRecord("awareness", P, date(2024, 7, 3), due=M("2024-07")))
    path = tmp_path / "s.yaml"
    path.write_text(dump_strategy(s), encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluations", str(path), "--today", "2025-03-15", "--json"])
    got = {(e["subject"], e["kind"]): (e["due"], e["overdue"]) for e in json.loads(result.output)["evaluations"]}
    assert got[("konzept", "prozess")] == ("2024-07", True)
    assert got[("konzept", "wirkung")] == ("2025-06", False)
    assert got[("awareness", "prozess")] == ("2024-07", False)


def test_cli_text_and_bad_date():
    runner = CliRunner()
    text = runner.invoke(main, ["evaluations", str(DATA / "sample.yaml"), "--today", "2025-03-15"])
    assert "ÜBERFÄLLIG" in text.output and "7 Evaluationen, davon 2 überfällig" in text.output
    bad = runner.invoke(main, ["evaluations", str(DATA / "sample.yaml"), "--today", "15.03.2025"])
    assert bad.exit_code == 2 and "kein Datum" in bad.output


@pytest.mark.skipif(not STEINFURT.exists(), reason="Steinfurt file not yet transcribed")
def test_steinfurt_evaluations_due_by_today_are_overdue():
    s = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    today = date(2026, 11, 25)
    entries = calendar(s, today)
    past = [d for d in entries if d.due < Month(2026, 11)]
    assert past and all(d.overdue for d in past)  # nothing is recorded in the source
    assert not any(d.overdue for d in entries if d.due >= Month(2026, 11))
    # the strategy (adopted 03/2023) was due for its first review in 03/2025
    if s.adopted is not None:
        assert ("strategy", P, s.adopted + 24) in {(d.subject, d.kind, d.due) for d in past}
