"""The level rules of domain.md, Peine's result sheets and the seed's criteria example – no app, no database."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import DATA

from planner.domain.catalogue import catalogue
from planner.domain.maturity import (
    Answer,
    Assessment,
    CriterionAnswer,
    StageResult,
    baseline,
    compare_assessments,
    dimension_levels,
    dimension_targets,
    effective_targets,
    evaluate_criteria,
    latest,
    level_from_met,
    level_label,
    levels_report,
)
from planner.formats.strategy_file import load_strategy

EXAMPLE = DATA / "maturity-kriterien-beispiel.yaml"

T, U, N, X = Answer.TRIFFT_ZU, Answer.IN_UMSETZUNG, Answer.TRIFFT_NICHT_ZU, Answer.NICHT_BEEINFLUSSBAR


def stage(*answers: Answer, threshold: float = 0.8, sub: str = "Interaktion", n: int = 0) -> StageResult:
    return StageResult(n, tuple(CriterionAnswer(sub, n, f"K{i}", a) for i, a in enumerate(answers)), threshold)


def answers_for(sub: str, by_stage: dict[int, list[Answer]]) -> list[CriterionAnswer]:
    return [CriterionAnswer(sub, s, f"{sub} {s}.{i}", a) for s, items in by_stage.items() for i, a in enumerate(items)]


# --- rule 1: a stage is met at >= 80 % of the influenceable criteria "Trifft zu" -------------


def test_80_percent_boundary():
    assert stage(T, T, T, T, N).met  # 4/5 = 80 %: exactly the threshold
    assert not stage(T, T, T, N, N).met  # 3/5 = 60 %
    assert stage(*[T] * 8, N, N).met  # 8/10
    assert not stage(*[T] * 7, N, N).met  # 7/9 = 77.8 %
    assert not stage(T, T, N).met  # 2/3 = 66.7 %; 0.8 * 3 is 2.4000000000000004 in floats
    assert stage(T, T, T).met
    assert stage(T, T, T, T, N).required == 4
    assert stage(T, T, T, N, N).missing == 1


def test_in_umsetzung_does_not_count_as_fulfilled():
    assert not stage(T, T, T, U, U).met
    assert stage(T, T, T, U, U).fulfilled == 3


def test_threshold_is_a_setting():
    assert stage(T, N, threshold=0.5).met
    assert not stage(T, N).met
    assert not stage(T, T, T, T, N, threshold=0.9).met


def test_not_influenceable_criteria_do_not_count():
    result = stage(T, T, T, T, N, X, X, X)
    assert result.influenceable == 5 and result.met  # 4/5, the three X are left out
    assert not stage(T, T, T, U, X, X).met  # 3/4 = 75 %
    assert stage(T, T, T, T, X).share == 1.0


def test_stage_with_only_not_influenceable_criteria_is_met_and_an_unanswered_stage_is_not():
    assert stage(X, X).met
    empty = stage()
    assert not empty.assessed and not empty.met


def test_holding_back_names_the_influenceable_criteria_not_fulfilled():
    result = stage(T, U, N, X)
    assert [a.criterion for a in result.holding_back] == ["K1", "K2"]
    assert result.missing == 2  # 1 of 3, 3 needed (0.8 * 3 rounded up)
    assert stage(T, T, T, T, N).holding_back == ()


# --- rule 2: stages are cumulative; "–" below 0 --------------------------------------------


def test_cumulative_levels():
    assert level_from_met({0, 1, 2}) == 2
    assert level_from_met({0, 1, 2, 3, 4}) == 4
    assert level_from_met({1, 2, 3}) is None  # stage 0 not met: "–"
    assert level_from_met(set()) is None
    assert level_label(None) == "–" and level_label(0) == "0"


def test_a_stage_met_above_an_unmet_one_does_not_count():
    # Peine 2022, Identitäts- und Zugangsmanagement: X at stages 0 and 3 -> level 0
    assert level_from_met({0, 3}) == 0
    answers = answers_for(
        "Identitäts- und Zugangsmanagement", {0: [T, T], 1: [T, N, N], 2: [U, N], 3: [T, T, T, T, N], 4: [N]}
    )
    result = evaluate_criteria(answers)["Identitäts- und Zugangsmanagement"]
    assert result.met_stages == {0, 3}
    assert result.level == 0
    assert result.blocking_stage.stage == 1


# --- rule 3: dimension = minimum of its subdimensions, "–" lowest ----------------------------


def test_dimension_is_the_minimum_and_none_is_lowest():
    dims = dimension_levels({"Interaktion": 0, "Präferenzen": None})
    assert dims["Bürger*innenzentrierung"] is None
    dims = dimension_levels({"Sensibilisierung": 3, "Partizipation": 3, "Schulungen": 1})
    assert dims["Mitarbeitende"] == 1


def test_dimension_without_complete_data_has_no_level_unless_a_subdimension_is_none():
    assert "Mitarbeitende" not in dimension_levels({"Sensibilisierung": 3, "Partizipation": 3})
    assert dimension_levels({"Sensibilisierung": None})["Mitarbeitende"] is None


# --- the seed's criteria example (Interaktion 0, Präferenzen "–") ------------------------------


def test_seed_example_interaktion_0_praeferenzen_none():
    a = load_strategy(EXAMPLE.read_text(encoding="utf-8")).assessments[0]
    results = evaluate_criteria(a.answers, a.effective_threshold)
    interaktion, praeferenzen = results["Interaktion"], results["Präferenzen"]
    assert interaktion.level == 0
    assert interaktion.met_stages == {0}  # "Stufe erreicht" only under stage 0
    assert [s.fulfilled for s in interaktion.stages] == [2, 1, 0, 0, 0]
    assert interaktion.blocking_stage.stage == 1
    assert [c.criterion[:4] for c in interaktion.blocking_stage.holding_back] == ["FAQs"]
    assert praeferenzen.level is None
    # stage 1 alone is met (1 of 1 "Trifft zu"), but stage 0 is not: the slide's row
    # "Stufe nicht erreicht" is the cumulative view, and the level stays "–"
    assert praeferenzen.met_stages == {1}
    levels = a.subdimension_levels()
    assert levels == {"Interaktion": 0, "Präferenzen": None}
    assert a.dimension_levels() == {"Bürger*innenzentrierung": None}


# --- Peine's two result sheets, value by value ------------------------------------------------

PEINE_2022 = {
    "Definition, Kommunikation und Umsetzung": 0,
    "Verantwortlichkeiten": 2,
    "Digitalisierungsbudget": 0,
    "Sensibilisierung": 0,
    "Partizipation": 0,
    "Schulungen": 0,
    "Dokumentation": 0,
    "IT-Unterstützung": None,
    "Abteilungsübergreifende Prozesse": None,
    "Evaluation": 1,
    "IT-Arbeitsplatz": None,
    "Organisation der IT-Beschaffung": 4,
    "Bezug von IT-Infrastruktur": 4,
    "Anwendung IT-Service Prozesse": 1,
    "IT-Sicherheitsmanagement": None,
    "Umgang mit IT-Sicherheitsrisiken und Angriffen": None,
    "Identitäts- und Zugangsmanagement": 0,
    "Interaktion": 0,
    "Präferenzen": None,
    "Zusammenarbeit innerhalb des GAs": 0,
    "Zusammenarbeit zwischen GÄ und mit Landesstellen": 0,
    "Zusammenarbeit mit externen Stakeholdern": 1,
    "Einsatz von Fachanwendungen": 0,
    "Technische Interoperabilität": 0,
    "Datenanalyse, Berichterstattung": None,
    "Anforderungen, Dokumentation und Fehlermanagement": None,
    "Datenschutz": None,
}
PEINE_2024 = {
    "Definition, Kommunikation und Umsetzung": 1,
    "Verantwortlichkeiten": 3,
    "Digitalisierungsbudget": 3,
    "Sensibilisierung": 3,
    "Partizipation": 3,
    "Schulungen": 1,
    "Dokumentation": 0,
    "IT-Unterstützung": None,
    "Abteilungsübergreifende Prozesse": None,
    "Evaluation": 1,
    "IT-Arbeitsplatz": 2,
    "Organisation der IT-Beschaffung": 4,
    "Bezug von IT-Infrastruktur": 4,
    "Anwendung IT-Service Prozesse": 3,
    "IT-Sicherheitsmanagement": 1,
    "Umgang mit IT-Sicherheitsrisiken und Angriffen": 1,
    "Identitäts- und Zugangsmanagement": 2,
    "Interaktion": 0,
    "Präferenzen": None,
    "Zusammenarbeit innerhalb des GAs": 2,
    "Zusammenarbeit zwischen GÄ und mit Landesstellen": 2,
    "Zusammenarbeit mit externen Stakeholdern": 2,
    "Einsatz von Fachanwendungen": 3,
    "Technische Interoperabilität": 1,
    "Datenanalyse, Berichterstattung": 0,
    "Anforderungen, Dokumentation und Fehlermanagement": 1,
    "Datenschutz": 1,
}


def _sheet(peine, when: date) -> Assessment:
    return next(a for a in peine.assessments if a.date == when)


@pytest.mark.parametrize(("sub", "expected"), PEINE_2022.items())
def test_peine_2022_subdimension(peine, sub, expected):
    assert _sheet(peine, date(2022, 6, 9)).subdimension_levels()[sub] == expected


@pytest.mark.parametrize(("sub", "expected"), PEINE_2024.items())
def test_peine_2024_subdimension(peine, sub, expected):
    assert _sheet(peine, date(2024, 11, 7)).subdimension_levels()[sub] == expected


def test_peine_sheets_cover_all_27_subdimensions(peine):
    assert set(PEINE_2022) == set(PEINE_2024) == set(catalogue().subdimension_names)
    for a in peine.assessments:
        assert list(a.subdimension_levels()) == catalogue().subdimension_names


def test_peine_2022_dimensions_follow_the_minimum_rule(peine):
    dims = _sheet(peine, date(2022, 6, 9)).dimension_levels()
    assert dims["Digitalisierungsstrategie"] == 0  # min(0, 2, 0)
    assert dims["Mitarbeitende"] == 0  # min(0, 0, 0)
    assert dims["Prozessdigitalisierung"] is None  # IT-Unterstützung "–"
    assert dims["IT-Bereitstellung"] is None  # IT-Arbeitsplatz "–" despite two subdimensions at 4
    assert dims["IT-Sicherheit"] is None  # IT-Sicherheitsmanagement "–"
    assert dims["Bürger*innenzentrierung"] is None  # Präferenzen "–"
    assert dims["Zusammenarbeit"] == 0  # min(0, 0, 1)
    assert dims["Software, Daten, Interoperabilität"] is None  # Datenanalyse "–"
    assert len(dims) == 8


def test_peine_2024_dimensions_follow_the_minimum_rule(peine):
    dims = _sheet(peine, date(2024, 11, 7)).dimension_levels()
    assert dims["Digitalisierungsstrategie"] == 1  # min(1, 3, 3)
    assert dims["Mitarbeitende"] == 1  # min(3, 3, 1)
    assert dims["Prozessdigitalisierung"] is None  # IT-Unterstützung "–"
    assert dims["IT-Bereitstellung"] == 2  # min(2, 4, 4, 3)
    assert dims["IT-Sicherheit"] == 1  # min(1, 1, 2)
    assert dims["Bürger*innenzentrierung"] is None  # Präferenzen "–"
    assert dims["Zusammenarbeit"] == 2  # min(2, 2, 2)
    assert dims["Software, Daten, Interoperabilität"] == 0  # min(3, 1, 0, 1, 1)
    assert len(dims) == 8


def test_peine_comparison_2022_to_2024(peine):
    comparison = compare_assessments(_sheet(peine, date(2022, 6, 9)), _sheet(peine, date(2024, 11, 7)))
    deltas = {c.name: c.delta for c in comparison.dimensions}
    assert deltas == {
        "Digitalisierungsstrategie": 1,
        "Mitarbeitende": 1,
        "Prozessdigitalisierung": 0,
        "IT-Bereitstellung": 3,  # "–" counts as -1
        "IT-Sicherheit": 2,
        "Bürger*innenzentrierung": 0,
        "Zusammenarbeit": 2,
        "Software, Daten, Interoperabilität": 1,
    }
    assert [c.name for c in comparison.improved(2)] == ["IT-Bereitstellung", "IT-Sicherheit", "Zusammenarbeit"]
    assert comparison.at_stage(3) == []
    subs = {c.name: c.delta for c in comparison.subdimensions}
    assert subs["Digitalisierungsbudget"] == 3 and subs["IT-Arbeitsplatz"] == 3 and subs["Präferenzen"] == 0
    assert subs["Organisation der IT-Beschaffung"] == 0


def test_comparison_with_missing_data_has_no_delta():
    comparison = compare_assessments(Assessment(date(2022, 1, 1), {"Interaktion": 1}), Assessment(date(2023, 1, 1), {}))
    change = next(c for c in comparison.subdimensions if c.name == "Interaktion")
    assert change.before_known and not change.after_known and change.delta is None


def test_newly_reached_stage_3():
    before = dict.fromkeys(catalogue().subdimension_names, 2)
    after = dict(before, Sensibilisierung=3, Partizipation=3, Schulungen=4)
    comparison = compare_assessments(Assessment(date(2022, 1, 1), before), Assessment(date(2024, 1, 1), after))
    assert [c.name for c in comparison.newly_reached(3)] == ["Mitarbeitende"]
    assert comparison.improved(1) == comparison.newly_reached(3)


# --- targets and which assessment is which ----------------------------------------------------


def test_targets_default_to_stage_3_and_dimensions_take_the_minimum():
    eff = effective_targets({"Präferenzen": 2, "Interaktion": 4})
    assert len(eff) == 27 and eff["Datenschutz"] == 3 and eff["Präferenzen"] == 2
    dims = dimension_targets({"Präferenzen": 2, "Interaktion": 4})
    assert dims["Bürger*innenzentrierung"] == 2 and dims["IT-Sicherheit"] == 3


def test_baseline_is_the_latest_assessment_before_the_start(peine):
    assert baseline(peine.assessments, date(2024, 9, 1)).date == date(2022, 6, 9)
    assert baseline(peine.assessments, date(2025, 1, 1)).date == date(2024, 11, 7)
    assert baseline(peine.assessments, date(2020, 1, 1)).date == date(2022, 6, 9)  # none older: the earliest
    assert latest(peine.assessments).date == date(2024, 11, 7)
    assert baseline([], None) is None


def test_levels_report_names_all_27_and_all_8(peine):
    report = levels_report(peine.assessments)
    assert [a["date"] for a in report["assessments"]] == ["2022-06-09", "2024-11-07"]
    first = report["assessments"][0]
    assert first["subdimensions"] == PEINE_2022
    assert list(first["dimensions"]) == catalogue().dimension_names
    only_one = levels_report([Assessment(date(2023, 5, 1), {"Interaktion": 2})])["assessments"][0]
    assert only_one["subdimensions"]["Präferenzen"] is None  # no data -> null
    assert only_one["dimensions"]["Bürger*innenzentrierung"] is None
    assert len(only_one["subdimensions"]) == 27 and len(only_one["dimensions"]) == 8
