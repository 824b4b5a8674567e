"""The evaluation calendar: each rule of issue 6 with hand-computed dates, edge cases, the CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import DATA, STEINFURT, run

from planner.domain.months import Month
from planner.domain.strategy import Measure, Status
from planner.domain.verstetigung import (
    STRATEGY,
    EvaluationAnswer,
    EvaluationRecord,
    Kind,
    Rules,
    TrackedStrategy,
    adherence,
    calendar,
    calendar_report,
    schedule_answer,
)
from planner.formats.strategy_file import dump_strategy, load_strategy

M = Month.parse
P, W = Kind.PROZESS, Kind.WIRKUNG


def measure(key="m", start=None, end=None, status=Status.GEPLANT, **kw) -> Measure:
    return Measure(key, key.title(), "Mitarbeitende", start=start and M(start), end=end and M(end), status=status, **kw)


def slots(strategy: TrackedStrategy, today: str) -> list[tuple[str, str, str, bool]]:
    return [(d.subject, d.kind.value, str(d.due), d.overdue) for d in calendar(strategy, date.fromisoformat(today))]


def only(*measures: Measure, adopted=None) -> TrackedStrategy:
    return TrackedStrategy("GA", "S", adopted=adopted and M(adopted), measures=list(measures))


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
    s = only(measure(start="2023-01", end="2023-04", status=Status.ABGESCHLOSSEN))
    assert slots(s, "2023-05-31")[0] == ("m", "prozess", "2023-05", False)  # due this month: not yet overdue
    assert slots(s, "2023-06-01")[0] == ("m", "prozess", "2023-05", True)
    s.evaluations.append(EvaluationRecord("m", P, date(2023, 6, 20)))
    assert slots(s, "2023-07-01")[0] == ("m", "prozess", "2023-05", False)
    assert calendar(s, date(2023, 7, 1))[0].done


def test_record_with_due_fulfils_that_slot_only():
    s = only(measure(start="2022-01", end="2024-06", status=Status.ABGESCHLOSSEN))
    s.evaluations.append(EvaluationRecord("m", P, date(2024, 8, 1), due=M("2024-07")))
    result = slots(s, "2024-09-01")
    assert result == [
        ("m", "prozess", "2023-01", True),
        ("m", "prozess", "2024-01", True),
        ("m", "prozess", "2024-07", False),
        ("m", "wirkung", "2025-06", False),
    ]


def test_record_without_due_fulfils_the_earliest_open_slot_of_its_kind():
    s = only(measure(start="2022-01", end="2024-06", status=Status.ABGESCHLOSSEN))
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
    report = calendar_report(
        only(measure(start="2023-01", end="2023-04", status=Status.ABGESCHLOSSEN)), date(2024, 1, 1)
    )
    assert list(report) == ["evaluations"]
    assert report["evaluations"][0] == {
        "subject": "m",
        "kind": "prozess",
        "due": "2023-05",
        "overdue": True,
        "state": "ueberfaellig",
    }
    waiting = calendar_report(only(measure(start="2023-01", end="2023-04")), date(2024, 1, 1))["evaluations"][0]
    assert (waiting["overdue"], waiting["state"]) == (False, "status_klaeren")


# --- "Status klären": no evaluation is due before the real dates are known ---------------------


def states(strategy: TrackedStrategy, today: str) -> list[tuple[str, str, str]]:
    return [(d.kind.value, str(d.due), d.state) for d in calendar(strategy, date.fromisoformat(today))]


def test_planned_end_passed_and_not_finished_waits_for_the_real_end():
    # planned 01/2023–04/2023, still in Umsetzung in 11/2026: Abschluss überfällig seit 31 Monaten
    s = only(measure(start="2023-01", end="2023-04", status=Status.IN_UMSETZUNG))
    assert states(s, "2026-11-30") == [
        ("prozess", "2023-05", "status_klaeren"),
        ("wirkung", "2024-04", "status_klaeren"),
    ]
    # in the month of the planned end itself nothing waits: the end has not passed
    assert states(s, "2023-04-30") == [("prozess", "2023-05", "offen"), ("wirkung", "2024-04", "offen")]
    # the month after, the end has passed: the completion evaluation waits instead of falling due
    assert states(s, "2023-05-01")[0] == ("prozess", "2023-05", "status_klaeren")


def test_recording_the_actual_end_turns_waiting_into_due():
    s = only(measure(start="2023-01", end="2023-04", status=Status.ABGESCHLOSSEN, actual_end=M("2026-11")))
    # actual end 11/2026: process evaluation 12/2026 (open, due next month), impact 11/2027; it ran
    # 01/2023–11/2026 (47 months), so the yearly ones while it ran (01/2024, 01/2025, 01/2026) are due too
    assert states(s, "2026-11-30") == [
        ("prozess", "2024-01", "ueberfaellig"),
        ("prozess", "2025-01", "ueberfaellig"),
        ("prozess", "2026-01", "ueberfaellig"),
        ("prozess", "2026-12", "offen"),
        ("wirkung", "2027-11", "offen"),
    ]
    assert states(s, "2027-01-04")[3] == ("prozess", "2026-12", "ueberfaellig")
    # finished on the planned end (no actual end recorded): due from the planned end as before
    planned = only(measure(start="2023-01", end="2023-04", status=Status.ABGESCHLOSSEN))
    assert states(planned, "2026-11-30") == [
        ("prozess", "2023-05", "ueberfaellig"),
        ("wirkung", "2024-04", "ueberfaellig"),
    ]


def test_yearly_evaluations_of_a_begun_measure_stay_due_those_of_one_never_begun_wait():
    # 01/2022–06/2024 (30 months): yearly 01/2023, 01/2024, then completion 07/2024 and impact 06/2025
    begun = only(measure(start="2022-01", end="2024-06", status=Status.IN_UMSETZUNG))
    assert states(begun, "2024-09-01") == [
        ("prozess", "2023-01", "ueberfaellig"),
        ("prozess", "2024-01", "ueberfaellig"),
        ("prozess", "2024-07", "status_klaeren"),
        ("wirkung", "2025-06", "status_klaeren"),
    ]
    never = only(measure(start="2022-01", end="2024-06"))  # still "geplant", no actual start
    assert [st for *_, st in states(never, "2024-09-01")] == ["status_klaeren"] * 4
    # start passed, end ahead, not begun (Beginn überfällig): the yearly one waits, the rest is open
    late_start = only(measure(start="2022-01", end="2024-06"))
    assert states(late_start, "2023-02-01") == [
        ("prozess", "2023-01", "status_klaeren"),
        ("prozess", "2024-01", "status_klaeren"),
        ("prozess", "2024-07", "offen"),
        ("wirkung", "2025-06", "offen"),
    ]
    with_actual_start = only(measure(start="2022-01", end="2024-06", actual_start=M("2022-03")))
    assert states(with_actual_start, "2023-04-01")[0] == ("prozess", "2023-03", "ueberfaellig")


def test_finished_open_ended_measure_without_actual_end_waits():
    s = only(measure(start="2023-01", status=Status.ABGESCHLOSSEN))
    assert {st for *_, st in states(s, "2026-11-30")} == {"status_klaeren"}
    ended = only(measure(start="2023-01", status=Status.ABGESCHLOSSEN, actual_end=M("2024-06")))
    assert states(ended, "2026-11-30") == [
        ("prozess", "2024-01", "ueberfaellig"),  # yearly while it ran (01/2023 + 12)
        ("prozess", "2024-07", "ueberfaellig"),
        ("wirkung", "2025-06", "ueberfaellig"),
    ]


def test_a_recorded_evaluation_is_done_even_while_the_status_is_unclear():
    s = only(measure(start="2023-01", end="2023-04", status=Status.IN_UMSETZUNG))
    s.evaluations.append(EvaluationRecord("m", P, date(2023, 6, 1)))
    assert states(s, "2026-11-30") == [("prozess", "2023-05", "erledigt"), ("wirkung", "2024-04", "status_klaeren")]
    assert calendar(s, date(2026, 11, 30))[0].subject != STRATEGY


def test_adherence_and_schedule_prefill():
    late = measure(start="2023-01", end="2023-04", actual_start=M("2023-02"), actual_end=M("2023-06"))
    assert (adherence(late).start_delay, adherence(late).end_delay) == (1, 2)
    assert schedule_answer(late) is EvaluationAnswer.NEIN
    early = measure(start="2023-01", end="2023-04", actual_end=M("2023-04"))
    assert schedule_answer(early) is EvaluationAnswer.JA
    assert schedule_answer(measure(start="2023-01", end="2023-04")) is None


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_json_on_the_sample(tmp_path):
    result = run("evaluations", str(DATA / "sample.yaml"), "--today", "2025-03-15", "--json")
    assert result.exit_code == 0, result.output
    got = [(e["subject"], e["kind"], e["due"], e["state"]) for e in json.loads(result.output)["evaluations"]]
    # konzept 2024-01..04 and awareness 2024-02..06 still "geplant" in 03/2025: their end passed
    # without being marked finished, so their evaluations wait ("Status klären"); schulungen
    # open-ended (fortlaufend) from 2024-04; chatbot backlog; strategy adopted 2024-01
    assert got == [
        ("konzept", "prozess", "2024-05", "status_klaeren"),
        ("awareness", "prozess", "2024-07", "status_klaeren"),
        ("konzept", "wirkung", "2025-04", "status_klaeren"),
        ("schulungen", "prozess", "2025-04", "offen"),
        ("awareness", "wirkung", "2025-06", "status_klaeren"),
        ("strategy", "prozess", "2026-01", "offen"),
        ("strategy", "wirkung", "2029-01", "offen"),
    ]
    assert not any(e["overdue"] for e in json.loads(result.output)["evaluations"])


def test_cli_recorded_evaluation_and_actual_end_from_the_file(tmp_path):
    s = load_strategy((DATA / "sample.yaml").read_text(encoding="utf-8"))
    s.measure("konzept").actual_end = M("2024-06")
    s.evaluations.append(EvaluationRecord("awareness", P, date(2024, 7, 3), due=M("2024-07")))
    path = tmp_path / "s.yaml"
    path.write_text(dump_strategy(s), encoding="utf-8")
    result = run("evaluations", str(path), "--today", "2025-03-15", "--json")
    got = {(e["subject"], e["kind"]): (e["due"], e["overdue"]) for e in json.loads(result.output)["evaluations"]}
    assert got[("konzept", "prozess")] == ("2024-07", True)
    assert got[("konzept", "wirkung")] == ("2025-06", False)
    assert got[("awareness", "prozess")] == ("2024-07", False)


def test_cli_text_and_bad_date():
    text = run("evaluations", str(DATA / "sample.yaml"), "--today", "2025-03-15")
    assert "Status klären" in text.output
    assert "7 Evaluationen, davon 0 überfällig, 4 warten auf den Status der Maßnahme (Status klären)" in text.output
    bad = run("evaluations", str(DATA / "sample.yaml"), "--today", "15.03.2025")
    assert bad.exit_code == 2 and "kein Datum" in bad.output


def test_steinfurt_at_2026_11_30_overdue_only_what_is_really_due():
    s = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    entries = calendar(s, date(2026, 11, 30))
    # nothing is recorded in the source and no measure is marked finished with an end: the only
    # overdue evaluation is the strategy's first review (adopted 03/2023 + 24 months)
    assert [(d.subject, d.kind, str(d.due)) for d in entries if d.overdue] == [("strategy", P, "2025-03")]
    waiting = {d.subject for d in entries if d.unclear}
    # the 17 measures whose planned end passed, Schulungen (start 04/2023, never begun) and the
    # AGORA registration (finished, open-ended, no actual end)
    assert len(waiting) == 19 and {"schulungen", "agora-anmeldung", "kommunikationskonzept"} <= waiting
    assert not any(d.overdue for d in entries if d.subject != STRATEGY)
