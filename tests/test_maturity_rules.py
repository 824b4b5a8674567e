"""Gap analysis and funding-call checks (pure domain)."""

from __future__ import annotations

from datetime import date

from planner.domain.catalogue import catalogue
from planner.domain.funding import Outcome, RuleKind, check_call, find_call, funding_calls
from planner.domain.german import money
from planner.domain.maturity import effective_targets
from planner.domain.maturity_gaps import gap_analysis
from planner.domain.months import Month
from planner.domain.strategy import Measure, Status, Strategy

ALL = catalogue().subdimension_names


WINDOW = (Month(2024, 1), Month(2025, 12))
MARCH, DECEMBER = Month(2024, 3), Month(2024, 12)


def strategy(*measures: Measure, window=WINDOW) -> Strategy:
    return Strategy(
        "GA Test",
        "Test",
        window_start=window[0] if window else None,
        window_end=window[1] if window else None,
        measures=list(measures),
    )


def measure(key: str, subs: list[str], stage: int | None = 3, start=MARCH, end=DECEMBER, **kw) -> Measure:
    dim = catalogue().dimension_of(subs[0]) if subs else "Mitarbeitende"
    return Measure(key, key.title(), dim, subdimensions=subs, target_stage=stage, start=start, end=end, **kw)


# --- gap analysis ---------------------------------------------------------------------------


def test_subdimension_below_target_without_measure_is_uncovered():
    levels = dict.fromkeys(ALL, 3) | {"Interaktion": 1, "Präferenzen": None}
    report = gap_analysis(strategy(measure("chat", ["Interaktion"])), levels, date(2023, 12, 1), {})
    assert [g.subdimension for g in report.below_target] == ["Interaktion", "Präferenzen"]
    assert [g.subdimension for g in report.uncovered] == ["Präferenzen"]
    assert report.below_target[0].lifting[0].key == "chat"


def test_subdimension_without_data_counts_as_below_target():
    report = gap_analysis(strategy(), {"Interaktion": 3}, None, {})
    assert len(report.below_target) == 26
    assert report.below_target[0].current_label == "keine Daten"


def test_targets_change_what_is_a_gap():
    levels = dict.fromkeys(ALL, 3) | {"Präferenzen": 2}
    assert gap_analysis(strategy(), levels, None, {"Präferenzen": 2}).below_target == []
    report = gap_analysis(strategy(), levels, None, {"Datenschutz": 4})
    assert [(g.subdimension, g.target) for g in report.below_target] == [("Präferenzen", 3), ("Datenschutz", 4)]


def test_measure_aiming_too_low_does_not_lift():
    levels = dict.fromkeys(ALL, 3) | {"Schulungen": 1}
    report = gap_analysis(strategy(measure("kurs", ["Schulungen"], stage=2)), levels, None, {})
    gap = report.below_target[0]
    assert gap.uncovered and [m.key for m in gap.too_low] == ["kurs"]
    assert "niedrigere Stufe" in report.out_of_reach[0].reasons[0]


def test_discarded_and_earlier_finished_measures_do_not_lift():
    levels = dict.fromkeys(ALL, 3) | {"Schulungen": 1}
    old = measure("alt", ["Schulungen"], status=Status.ABGESCHLOSSEN, start=Month(2022, 1), end=Month(2022, 12))
    dropped = measure("weg", ["Schulungen"], status=Status.VERWORFEN)
    report = gap_analysis(strategy(old, dropped), levels, date(2023, 6, 1), {})
    assert report.uncovered[0].subdimension == "Schulungen"
    # finished after the assessment: its effect is not measured yet, so it still counts
    recent = measure("neu", ["Schulungen"], status=Status.ABGESCHLOSSEN, start=Month(2023, 1), end=Month(2023, 9))
    assert gap_analysis(strategy(recent), levels, date(2023, 6, 1), {}).uncovered == []


def test_measures_naming_no_subdimension_are_listed():
    report = gap_analysis(strategy(measure("x", []), measure("y", ["Schulungen"])), {}, None, {})
    assert [m.key for m in report.without_subdimension] == ["x"]


def test_dimension_out_of_reach_when_measures_end_after_the_window_or_sit_in_the_backlog():
    levels = dict.fromkeys(ALL, 3) | {"Schulungen": 1, "Interaktion": 0}
    late = measure("spaet", ["Schulungen"], end=Month(2026, 6))
    backlog = measure("spaeter", ["Interaktion"], status=Status.BACKLOG, start=None, end=None)
    report = gap_analysis(strategy(late, backlog), levels, None, {})
    assert report.uncovered == []
    out = {d.dimension: d for d in report.out_of_reach}
    assert set(out) == {"Mitarbeitende", "Bürger*innenzentrierung"}
    assert "endet erst 06/2026" in out["Mitarbeitende"].reasons[0]
    assert "12/2025" in out["Mitarbeitende"].reasons[0]
    assert "Backlog" in out["Bürger*innenzentrierung"].reasons[0]
    assert out["Mitarbeitende"].current == 1 and out["Mitarbeitende"].target == 3


def test_dimension_in_reach_with_a_measure_inside_the_window_and_open_ended_ones_count():
    levels = dict.fromkeys(ALL, 3) | {"Schulungen": 1, "Interaktion": 0}
    ongoing = measure("laufend", ["Interaktion"], status=Status.FORTLAUFEND, end=None)
    report = gap_analysis(strategy(measure("kurs", ["Schulungen"]), ongoing), levels, None, {})
    assert report.out_of_reach == []


def test_without_roadmap_window_the_schedule_cannot_be_checked():
    levels = dict.fromkeys(ALL, 3) | {"Schulungen": 1}
    report = gap_analysis(strategy(measure("kurs", ["Schulungen"]), window=None), levels, None, {})
    assert "keinen Fahrplanzeitraum" in report.out_of_reach[0].reasons[0]


# --- funding calls ---------------------------------------------------------------------------


def test_three_calls_with_periods_and_rules():
    calls = funding_calls()
    assert [c.id for c in calls] == ["foerderaufruf-1", "foerderaufruf-2", "foerderaufruf-3"]
    assert (calls[0].start, calls[0].end) == (date(2022, 10, 1), date(2024, 9, 30))
    assert (calls[1].start, calls[1].end) == (date(2023, 8, 1), date(2025, 7, 31))
    assert "01.07.2023 – 30.06.2025" in calls[1].period_note  # the NLGA dates stay visible
    assert (calls[2].start, calls[2].end) == (date(2024, 9, 1), date(2026, 8, 31))
    assert [r.kind for r in calls[0].rules] == [RuleKind.DIMENSIONS_IMPROVED, RuleKind.BUDGET_SHARE]
    assert calls[2].rules[0].kind is RuleKind.ANY_OF
    assert find_call("1. Förderaufruf") is calls[0] and find_call("Foerderaufruf-3") is calls[2]
    assert find_call("4. Förderaufruf") is None and find_call(None) is None


def _peine_check(peine: Strategy, call_id: str, outcome: dict | None, measures=None):
    call = find_call(call_id)
    before = peine.assessments[0].subdimension_levels()
    return check_call(
        call,
        baseline_levels=before,
        baseline_label="09.06.2022",
        outcome_levels=outcome,
        outcome_label="Vergleich",
        measures=peine.measures if measures is None else measures,
        granted=1005706.0,
    )


def test_peine_first_call_met_by_the_2024_sheet_but_budget_not_checkable(peine):
    check = _peine_check(peine, "foerderaufruf-1", peine.assessments[1].subdimension_levels())
    improved, budget = check.results
    assert improved.outcome is Outcome.ERFUELLT
    assert "3 Dimensionen um mindestens 2 Stufen verbessert" in improved.reason
    assert "IT-Bereitstellung (– → 2)" in improved.reason and "gefordert sind 3" in improved.reason
    assert budget.outcome is Outcome.NICHT_PRUEFBAR
    assert "kein Budget" in budget.reason and "1.005.706 €" in budget.reason
    assert check.outcome is Outcome.NICHT_PRUEFBAR


def test_dimension_rule_not_met_names_how_many_are_missing(peine):
    check = _peine_check(peine, "foerderaufruf-1", peine.assessments[0].subdimension_levels())
    assert check.results[0].outcome is Outcome.NICHT_ERFUELLT
    assert "es fehlen 3" in check.results[0].reason
    assert check.outcome is Outcome.NICHT_ERFUELLT


def test_targets_as_outcome(peine):
    check = _peine_check(peine, "foerderaufruf-1", effective_targets({}))
    assert check.results[0].outcome is Outcome.ERFUELLT
    assert "8 Dimensionen" in check.results[0].reason


def test_targets_as_outcome_never_lower_a_level_already_reached(peine):
    from planner.domain.maturity import planned_levels

    base = peine.assessments[1].subdimension_levels()  # 2024: Organisation der IT-Beschaffung at 4
    planned = planned_levels(base, {"Präferenzen": 2})
    assert planned["Organisation der IT-Beschaffung"] == 4  # target 3, reached 4: stays 4
    assert planned["Präferenzen"] == 2 and planned["Interaktion"] == 3 and planned["Datenschutz"] == 3
    assert planned_levels({}, {}) == effective_targets({})
    # a dimension above its target in the baseline does not count as a loss: one at 4 stays at 4
    base4 = dict.fromkeys(ALL, 4)
    call = find_call("foerderaufruf-1")
    check = check_call(
        call,
        baseline_levels=base4,
        baseline_label="a",
        outcome_levels=planned_levels(base4, {}),
        outcome_label="b",
        measures=[],
    )
    assert "0 Dimensionen um mindestens 2 Stufen verbessert" in check.results[0].reason
    from planner.domain.maturity import compare_levels

    assert {c.delta for c in compare_levels(base4, planned_levels(base4, {})).dimensions} == {0}


def test_third_call_any_of_and_stage_reached(peine):
    before = peine.assessments[1].subdimension_levels()
    after = dict(before, Schulungen=3, **{"Definition, Kommunikation und Umsetzung": 3})
    call = find_call("foerderaufruf-3")
    check = check_call(
        call, baseline_levels=before, baseline_label="a", outcome_levels=after, outcome_label="b", measures=[]
    )
    any_of = check.results[0]
    assert any_of.outcome is Outcome.ERFUELLT
    improved, reached = any_of.children
    assert improved.outcome is Outcome.NICHT_ERFUELLT  # +2 only in Digitalisierungsstrategie and Mitarbeitende
    assert reached.outcome is Outcome.ERFUELLT
    assert "Digitalisierungsstrategie (1 → 3)" in reached.reason and "Mitarbeitende (1 → 3)" in reached.reason
    assert [r.outcome for r in check.results[2:]] == [Outcome.HINWEIS, Outcome.HINWEIS]
    # nothing changes: no condition of the any_of holds
    same = check_call(
        call, baseline_levels=before, baseline_label="a", outcome_levels=before, outcome_label="b", measures=[]
    )
    assert same.results[0].outcome is Outcome.NICHT_ERFUELLT


def _budget_measures(security: float, other: float) -> list[Measure]:
    return [
        Measure("sec", "Awareness", "IT-Sicherheit", budget=security, funding_call="1. Förderaufruf"),
        Measure("hw", "Hardware", "IT-Bereitstellung", budget=other, funding_call="foerderaufruf-1"),
        Measure("x", "Anderer Aufruf", "IT-Sicherheit", budget=1e6, funding_call="foerderaufruf-3"),
        Measure("v", "Verworfen", "IT-Sicherheit", budget=1e6, funding_call="foerderaufruf-1", status=Status.VERWORFEN),
    ]


def _budget_result(measures, granted=None):
    call = find_call("foerderaufruf-1")
    return check_call(
        call,
        baseline_levels=None,
        baseline_label="",
        outcome_levels=None,
        outcome_label="",
        measures=measures,
        granted=granted,
    ).results[1]


def test_it_security_share_boundary_at_15_percent():
    exact = _budget_result(_budget_measures(15_000, 85_000))
    assert exact.outcome is Outcome.ERFUELLT
    assert "15.000 € von 100.000 €" in exact.reason and "15,0 %" in exact.reason
    below = _budget_result(_budget_measures(14_999, 85_001))
    assert below.outcome is Outcome.NICHT_ERFUELLT
    assert "es fehlen 1 €" in below.reason


def test_budget_details_name_uncounted_measures_and_deviation_from_granted():
    measures = _budget_measures(20_000, 80_000) + [
        Measure("o", "Ohne Budget", "Mitarbeitende", funding_call="foerderaufruf-1"),
        Measure(
            "f",
            "Schlösser",
            "IT-Bereitstellung",
            further_dimensions=["IT-Sicherheit"],
            budget=5,
            funding_call="foerderaufruf-1",
        ),
    ]
    result = _budget_result(measures, granted=200_000)
    text = " ".join(result.details)
    assert "Ohne Budget (nicht gezählt): Ohne Budget" in text
    assert "nur als weitere Dimension (nicht gezählt): Schlösser" in text
    assert "weicht von der bewilligten Summe (200.000 €) ab" in text


def test_rules_without_baseline_are_not_checkable():
    call = find_call("foerderaufruf-1")
    check = check_call(call, baseline_levels=None, baseline_label="", outcome_levels={}, outcome_label="", measures=[])
    assert check.results[0].outcome is Outcome.NICHT_PRUEFBAR
    assert "keine Ausgangsmessung" in check.results[0].reason
    assert "Keiner Maßnahme" in check.results[1].reason


def test_format_eur():
    assert money(1471833) == "1.471.833 €"
