"""The Fortschreibung's decision table (domain/fortschreibung.py), one test per row, and the
evaluation calendar across versions (domain/verstetigung.py): the review as the strategy's process
evaluation, the impact evaluation from the first adoption, one "nachholen" item per measure,
pending evaluations of finished measures carried."""

from __future__ import annotations

from datetime import date

import pytest

from planner.domain.fortschreibung import Rule, default_end, default_name, default_start, successor
from planner.domain.months import Month
from planner.domain.schedule import schedule_conflicts
from planner.domain.strategy import Measure, Owner, OwnerRole, Status
from planner.domain.verstetigung import (
    STRATEGY,
    EvaluationRecord,
    Kind,
    ReviewDecision,
    VersionEntry,
    calendar,
)
from planner.domain.verstetigung_versions import FortschreibungError
from planner.domain.whole_strategy import WholeStrategy

REVIEW = date(2026, 12, 7)  # the review meeting; the new period is 01/2027 – 12/2028
START, END = Month(2027, 1), Month(2028, 12)
M = Month.parse


def m(key, status=Status.GEPLANT, start=None, end=None, *, actual_start=None, actual_end=None, deps=(), lead="A",
      deferrals=0):  # fmt: skip
    return Measure(
        key=key,
        title=key.title(),
        dimension="Mitarbeitende",
        status=status,
        start=M(start) if start else None,
        end=M(end) if end else None,
        actual_start=M(actual_start) if actual_start else None,
        actual_end=M(actual_end) if actual_end else None,
        owners=[Owner(lead, OwnerRole.LEAD)],
        depends_on=list(deps),
        deferrals=deferrals,
    )


def strategy(*measures, adopted="2023-03", evaluations=(), history=()):
    return WholeStrategy(
        organisation="Kreis",
        title="Digitalisierungsstrategie",
        version="2023",
        adopted=M(adopted) if adopted else None,
        window_start=M("2023-01"),
        window_end=M("2024-12"),
        measures=list(measures),
        evaluations=list(evaluations),
        history=list(history),
    )


def carry(old, decided: dict, **kw):
    decisions = {k: (ReviewDecision(v), "") if isinstance(v, str) else v for k, v in decided.items()}
    return successor(old, decisions, review_day=REVIEW, today=REVIEW, version="2027", **kw)


def line(result, key):
    return next(x for x in result.lines if x.key == key)


def test_period_from_the_month_after_the_review_for_two_years():
    assert default_start(REVIEW) == START and default_end(START) == END
    assert default_name(START) == "Fortschreibung 01/2027"
    result = carry(strategy(m("a", start="2027-03", end="2027-05")), {"a": "behalten"})
    assert (result.start, result.end) == (START, END)
    assert (result.strategy.window_start, result.strategy.window_end) == (START, END)


def test_behalten_running_keeps_status_and_both_starts_and_a_passed_end_gets_a_new_end():
    old = strategy(
        m("laeuft", Status.IN_UMSETZUNG, "2023-04", "2025-06", actual_start="2023-09"),
        m("offen", Status.IN_UMSETZUNG, "2023-04", None, actual_start="2023-09"),  # Steinfurt's Schulungen
        m("bis2027", Status.IN_UMSETZUNG, "2026-01", "2027-05", actual_start="2026-02"),
    )
    result = carry(old, {"laeuft": "behalten", "offen": "behalten", "bis2027": "behalten"})
    new = result.strategy
    laeuft = new.measure("laeuft")
    assert (laeuft.status, laeuft.start, laeuft.actual_start) == (Status.IN_UMSETZUNG, M("2023-04"), M("2023-09"))
    assert START <= laeuft.end <= END  # proposed inside the new period
    assert "neues Ende" in line(result, "laeuft").reason and line(result, "laeuft").rule is Rule.RUNNING
    offen = new.measure("offen")
    assert (offen.start, offen.end, offen.actual_start) == (M("2023-04"), None, M("2023-09"))
    assert (new.measure("bis2027").start, new.measure("bis2027").end) == (M("2026-01"), M("2027-05"))


def test_behalten_planned_in_the_future_keeps_its_dates():
    result = carry(strategy(m("spaeter", start="2027-06", end="2027-08")), {"spaeter": "behalten"})
    assert line(result, "spaeter").rule is Rule.FUTURE
    assert (result.strategy.measure("spaeter").start, result.strategy.measure("spaeter").end) == (
        M("2027-06"),
        M("2027-08"),
    )
    assert not line(result, "spaeter").changed


def test_behalten_with_a_missed_start_is_replanned_inside_the_period_same_length_after_its_prerequisites():
    old = strategy(
        m("konzept", start="2023-01", end="2023-04"),
        m("schulung", start="2023-05", end="2023-10", deps=["konzept"]),
    )
    result = carry(old, {"konzept": "behalten", "schulung": "behalten"})
    new = result.strategy
    konzept, schulung = new.measure("konzept"), new.measure("schulung")
    assert line(result, "schulung").rule is Rule.MISSED
    assert (konzept.start, konzept.end) == (START, START + 3)  # four months, as before
    assert schulung.start >= konzept.end and schulung.end - schulung.start == 5
    assert "nach „Konzept“" in line(result, "schulung").reason
    assert schedule_conflicts(new.measures) == []


def test_behalten_ongoing_runs_from_its_real_start_without_end():
    old = strategy(m("staendig", Status.FORTLAUFEND, "2023-01", "2024-12", actual_start="2023-03"))
    result = carry(old, {"staendig": "behalten"})
    n = result.strategy.measure("staendig")
    assert line(result, "staendig").rule is Rule.ONGOING
    assert (n.status, n.start, n.end) == (Status.FORTLAUFEND, M("2023-03"), None)


def test_behalten_backlog_stays_in_the_backlog_deferred_once_more():
    result = carry(strategy(m("chatbot", Status.BACKLOG, deferrals=1)), {"chatbot": "behalten"})
    n = result.strategy.measure("chatbot")
    assert line(result, "chatbot").rule is Rule.BACKLOG_KEPT
    assert (n.status, n.start, n.deferrals) == (Status.BACKLOG, None, 2)
    assert line(result, "chatbot").reason == "bleibt im Backlog, 2-mal zurückgestellt"


def test_anpassen_replans_from_the_first_month_with_the_note():
    old = strategy(m("portal", start="2026-10", end="2027-03"))  # not begun, planned into the new period
    result = carry(old, {"portal": (ReviewDecision.ANPASSEN, "kleiner zuschneiden")})
    n = result.strategy.measure("portal")
    assert (n.start, n.end) == (START, START + 5)
    assert line(result, "portal").note == "kleiner zuschneiden" and line(result, "portal").rule is Rule.ADAPT
    # a running measure decided "anpassen" keeps its start
    running = strategy(m("laeuft", Status.IN_UMSETZUNG, "2024-01", "2025-01", actual_start="2024-02"))
    kept = carry(running, {"laeuft": "anpassen"}).strategy.measure("laeuft")
    assert (kept.start, kept.actual_start, kept.status) == (M("2024-01"), M("2024-02"), Status.IN_UMSETZUNG)


def test_in_den_backlog_means_no_dates_and_one_more_deferral():
    old = strategy(m("rpa", start="2024-01", end="2024-07", deferrals=1))
    result = carry(old, {"rpa": "backlog"})
    n = result.strategy.measure("rpa")
    assert (n.status, n.start, n.end, n.deferrals) == (Status.BACKLOG, None, None, 2)


def test_abgeschlossen_is_no_open_measure_but_stays_while_an_evaluation_is_pending():
    old = strategy(
        m("agora", Status.ABGESCHLOSSEN, "2023-01", None),  # finished, end unknown: the review's month
        m("moderation", Status.ABGESCHLOSSEN),  # finished long ago, no dates, nothing pending
        m("fertig", start="2023-01", end="2023-06", actual_start="2023-01", actual_end="2023-06"),
        m("folge", start="2027-02", end="2027-04", deps=["fertig"]),
        evaluations=[
            EvaluationRecord("fertig", Kind.PROZESS, date(2023, 7, 10), due=M("2023-07")),
            EvaluationRecord("fertig", Kind.WIRKUNG, date(2024, 6, 10), due=M("2024-06")),
        ],
    )
    result = carry(old, {"agora": "abgeschlossen", "moderation": "abgeschlossen", "folge": "behalten"})
    new = result.strategy
    agora = new.measure("agora")
    assert (agora.status, agora.actual_end) == (Status.ABGESCHLOSSEN, M("2026-12"))
    assert new.measure("moderation") is None and new.measure("fertig") is None  # nothing pending
    assert new.measure("folge").depends_on == []
    assert [(r.measure, r.prerequisite, r.why) for r in result.removed] == [
        ("Folge", "Fertig", "Voraussetzung abgeschlossen")
    ]
    due = [(d.subject, d.kind, d.due) for d in calendar(new, REVIEW) if d.subject == "agora"]
    assert due == [("agora", Kind.PROZESS, M("2027-01")), ("agora", Kind.WIRKUNG, M("2027-12"))]


def test_verwerfen_is_no_open_measure_and_its_dependents_lose_the_dependency():
    old = strategy(m("whiteboard", start="2024-01", end="2024-02"), m("nutzung", start="2027-03", end="2027-04",
                                                                       deps=["whiteboard"]))  # fmt: skip
    result = carry(old, {"whiteboard": (ReviewDecision.VERWERFEN, "ersetzt durch Teams"), "nutzung": "behalten"})
    assert result.strategy.measure("whiteboard") is None
    assert line(result, "whiteboard").after == "nicht übernommen: verworfen"
    assert line(result, "whiteboard").reason == "ersetzt durch Teams"
    assert result.strategy.measure("nutzung").depends_on == []
    assert result.removed[0].why == "Voraussetzung verworfen"
    decided = {d.measure: d.decision.value for d in result.strategy.history[-1].decisions}
    assert decided == {"whiteboard": "verwerfen", "nutzung": "behalten"}


def test_no_decision_keeps_the_measure_exactly_as_it_was():
    old = strategy(m("alt", start="2023-01", end="2023-04"), m("neu", start="2027-02", end="2027-03"))
    result = carry(old, {})
    assert result.undecided == ["Alt", "Neu"]
    assert line(result, "alt").rule is Rule.UNDECIDED
    for key in ("alt", "neu"):
        before, after = old.measure(key), result.strategy.measure(key)
        assert (after.status, after.start, after.end) == (before.status, before.start, before.end)


def test_a_running_measure_keeps_its_start_and_drops_a_dependency_on_a_replanned_one():
    """Steinfurt: the trainings run since 09/2023 although their concept was never done."""
    old = strategy(
        m("schulungskonzept", start="2023-01", end="2023-04"),
        m("schulungen", Status.IN_UMSETZUNG, "2023-04", None, actual_start="2023-09", deps=["schulungskonzept"]),
    )
    result = carry(old, {"schulungskonzept": "anpassen", "schulungen": "behalten"})
    new = result.strategy
    assert new.measure("schulungen").start == M("2023-04")
    assert new.measure("schulungen").depends_on == []
    assert result.removed[0].why == "läuft bereits seit 09/2023"
    assert result.conflicts == []


def test_a_draft_without_adoption_and_errors_in_german():
    result = carry(strategy(m("a", start="2027-02", end="2027-03")), {})
    assert result.strategy.adopted is None and result.strategy.draft
    with pytest.raises(FortschreibungError, match="andere Bezeichnung"):
        successor(strategy(), {}, review_day=REVIEW, today=REVIEW, version="2023")
    with pytest.raises(FortschreibungError, match="vor seinem Beginn"):
        carry(strategy(), {}, start=M("2027-05"), end=M("2027-01"))


# --- the calendar across versions ------------------------------------------------------------------


def test_the_review_is_the_process_evaluation_and_the_impact_evaluation_counts_from_the_first_adoption():
    old = strategy(m("a", start="2027-02", end="2027-03"), history=[VersionEntry("2021", "Erste", M("2021-06"))])
    new = carry(old, {}).strategy
    strategy_items = [(d.kind, d.due, d.state) for d in calendar(new, REVIEW) if d.subject == STRATEGY]
    assert strategy_items == [
        (Kind.WIRKUNG, M("2026-06"), "ueberfaellig"),  # five years from 06/2021, not from the new version
        (Kind.PROZESS, M("2026-12"), "erledigt"),  # the review itself
        (Kind.PROZESS, M("2028-12"), "offen"),  # the next review, two years on
    ]


def test_missed_yearly_evaluations_of_a_carried_measure_become_one_item_to_catch_up():
    old = strategy(
        m("schulungen", Status.IN_UMSETZUNG, "2023-04", None, actual_start="2023-09"),
        evaluations=[EvaluationRecord("schulungen", Kind.PROZESS, date(2024, 9, 20), due=M("2024-09"))],
    )
    owed = [d.due for d in calendar(old, REVIEW) if d.subject == "schulungen" and d.overdue]
    assert owed == [M("2025-09"), M("2026-09")]  # the old version owes two yearly evaluations
    new = carry(old, {"schulungen": "behalten"}).strategy
    items = [(d.due, d.state, d.reason) for d in calendar(new, REVIEW) if d.subject == "schulungen"]
    assert items == [
        (M("2024-09"), "erledigt", "jährlich während der Umsetzung"),
        (M("2026-09"), "ueberfaellig", "jährliche Evaluation nachholen (aus der Vorversion)"),
        (M("2027-09"), "offen", "jährlich während der Umsetzung"),
    ]


def test_the_same_next_version_whether_or_not_finalising_settled_the_old_version():
    """Finalising a review may already mark "abgeschlossen" measures finished (actual end = the
    review's month) and "verwerfen" ones dropped in the old version: the successor is the same."""
    decided = {"fertig": "abgeschlossen", "weg": (ReviewDecision.VERWERFEN, "ersetzt"), "rest": "behalten"}
    unsettled = strategy(
        m("fertig", start="2023-01", end="2023-06"), m("weg", start="2024-01", end="2024-02"),
        m("rest", start="2027-02", end="2027-03", deps=["weg"]),
    )  # fmt: skip
    settled = strategy(
        m("fertig", Status.ABGESCHLOSSEN, "2023-01", "2023-06", actual_end="2026-12"),
        m("weg", Status.VERWORFEN, "2024-01", "2024-02"),
        m("rest", start="2027-02", end="2027-03", deps=["weg"]),
    )
    one, other = carry(unsettled, decided), carry(settled, decided)
    assert one.strategy.measures == other.strategy.measures
    assert one.strategy.history[-1].decisions == other.strategy.history[-1].decisions
    assert [(x.key, x.rule, x.after) for x in one.lines] == [(x.key, x.rule, x.after) for x in other.lines]
    assert one.removed == other.removed


def test_a_version_made_before_reviews_were_recorded_keeps_its_strategy_rhythm():
    """A Fortschreibung made by an earlier planner (history without `reviewed`, adopted set): the
    strategy's evaluations count from its adoption as before; its carried measures' missed yearly
    evaluations still collapse into one item (the boundary is the day it replaced the old version)."""
    older = VersionEntry("2023", "Alt", M("2023-03"), date(2025, 3, 10))
    s = strategy(
        m("schulungen", Status.IN_UMSETZUNG, "2023-04", None, actual_start="2023-09"),
        adopted="2025-03",
        history=[older],
    )
    items = calendar(s, REVIEW)
    assert [(d.kind, d.due) for d in items if d.subject == STRATEGY] == [
        (Kind.PROZESS, M("2027-03")),  # two years after the adoption, as before
        (Kind.WIRKUNG, M("2028-03")),  # five years from the line's first adoption 03/2023
    ]
    yearly = [(d.due, d.reason) for d in items if d.subject == "schulungen"]
    assert yearly[0] == (M("2024-09"), "jährliche Evaluation nachholen (aus der Vorversion)")
    assert [due for due, _ in yearly[1:]] == [M("2025-09"), M("2026-09"), M("2027-09")]


def test_the_review_is_recorded_as_the_strategy_evaluation_not_as_a_meeting_of_the_new_version():
    result = carry(strategy(m("a", start="2027-02", end="2027-03")), {}, review_text="Teilnehmende: Strategieteam")
    (record,) = [r for r in result.strategy.evaluations if r.subject == STRATEGY]
    assert (record.kind, record.performed, record.due) == (Kind.PROZESS, REVIEW, M("2026-12"))
    assert record.decisions == ""  # with Beschlüsse it would read as a review meeting of the new version
    assert record.notes.startswith("Strategiereview vom 07.12.2026") and "Strategieteam" in record.notes
    assert result.strategy.reviews == []
