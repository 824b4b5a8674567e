"""The maturity data checked against the source text itself (tests/data/peine-seed000-auszug.txt,
verbatim from seed 000), not against a second transcription: Peine's two result sheets cell by
cell, and the Interaktion/Präferenzen criteria example with its answers and stage results."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import DATA, PEINE

from planner.domain.catalogue import catalogue
from planner.domain.maturity import Answer, Assessment, CriterionAnswer, evaluate_criteria, level_from_met
from planner.formats.criteria import sample_criteria
from planner.formats.strategy_file import load_strategy

EXCERPT = DATA / "peine-seed000-auszug.txt"
EXAMPLE = DATA / "maturity-kriterien-beispiel.yaml"


def _sections() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in EXCERPT.read_text(encoding="utf-8").splitlines():
        if line.startswith("# === "):
            current = line[6:]
            sections[current] = []
        elif current and not line.startswith("#"):
            sections[current].append(line)
    return sections


def source_sheet(title: str) -> dict[str, tuple[tuple[bool, ...], int | None]]:
    """Subdimension -> (X marks of stages 0..4, stated level) from one Anlage 1 table.

    The extraction keeps the tab-separated cells: the subdimension name, five stage cells
    and the level ("-" for none). The dimension column is shifted in the 2024 table, so rows
    are found by the subdimension name, not by position."""
    names = set(catalogue().subdimension_names)
    rows = {}
    for line in _sections()[title]:
        cells = line.split("\t")
        hits = [i for i, c in enumerate(cells) if c.strip() in names]
        if not hits:
            continue
        i = hits[-1]
        marks = tuple(c.strip().lower() == "x" for c in cells[i + 1 : i + 6])
        stated = cells[i + 6].strip()
        rows[cells[i].strip()] = (marks, None if stated == "-" else int(stated))
    return rows


SHEETS = {"Anlage 1 2022-06-09": date(2022, 6, 9), "Anlage 1 2024-11-07": date(2024, 11, 7)}


@pytest.fixture(scope="module")
def sheets(peine):
    return {a.date: a for a in peine.assessments}


@pytest.mark.parametrize("title", SHEETS)
def test_every_subdimension_level_is_the_sources(sheets, title):
    source = source_sheet(title)
    assert set(source) == set(catalogue().subdimension_names)  # all 27 found in the text
    levels = sheets[SHEETS[title]].subdimension_levels()
    assert {s: lv for s, (_, lv) in source.items()} == levels


def test_x_marks_2022_follow_the_cumulative_rule():
    # every row of 2022 gives its stated level from its X marks – among them
    # Identitäts- und Zugangsmanagement with X at stages 0 and 3 only: level 0
    source = source_sheet("Anlage 1 2022-06-09")
    assert source["Identitäts- und Zugangsmanagement"][0] == (True, False, False, True, False)
    for sub, (marks, stated) in source.items():
        assert level_from_met(k for k, on in enumerate(marks) if on) == stated, sub


def test_x_marks_2024_deviate_where_the_strategy_file_says_so():
    # where marks and stated level disagree the file keeps the stated level and says why in a
    # comment; this pins the list, so a new deviation cannot slip in unnoticed
    source = source_sheet("Anlage 1 2024-11-07")
    deviating = {
        sub
        for sub, (marks, stated) in source.items()
        if level_from_met(k for k, on in enumerate(marks) if on) != stated
    }
    assert deviating == {
        "Organisation der IT-Beschaffung",  # four x, stated 4
        "Bezug von IT-Infrastruktur",  # four x, stated 4
        "Identitäts- und Zugangsmanagement",  # four x, stated 2
        "Präferenzen",  # one x, stated "-"
    }
    text = PEINE.read_text(encoding="utf-8")
    assert text.count("Vier X (Stufen 0–3), angegeben ist Stufe 4") == 2
    assert "Vier X, angegeben ist Stufe 2" in text and "Ein X bei Stufe 0, angegeben ist aber „-“" in text


@pytest.mark.parametrize("title", SHEETS)
def test_dimension_levels_are_the_minimum_of_the_source_levels(sheets, title):
    source = source_sheet(title)
    dims = sheets[SHEETS[title]].dimension_levels()
    for dim in catalogue().dimensions:
        levels = [source[s][1] for s in dim.subdimensions]
        expected = None if any(lv is None for lv in levels) else min(levels)
        assert dims[dim.name] == expected, dim.name


# --- the criteria example (Interaktion, Präferenzen) --------------------------------------------

_CELL = re.compile(r"<p>(?P<answer>Trifft zu|Trifft nicht zu|In Umsetzung)</p>\s*<p>(?P<text>.*?)</p>")
_ANSWER = {
    "Trifft zu": Answer.TRIFFT_ZU,
    "Trifft nicht zu": Answer.TRIFFT_NICHT_ZU,
    "In Umsetzung": Answer.IN_UMSETZUNG,
}


def source_example() -> tuple[list[CriterionAnswer], dict[str, list[bool]]]:
    """The example's answers (subdimension, stage, text, answer) and its row of "Stufe (nicht) erreicht"."""
    answers, reached, sub = [], {}, None
    for line in _sections()["Beispielkriterien"]:
        cells = line.split("\t")
        if cells[0] in ("Interaktion", "Präferenzen"):
            sub = cells[0]
        if any(c.strip() in ("Stufe erreicht", "Stufe nicht erreicht") for c in cells[1:]):
            reached[sub] = [c.strip() == "Stufe erreicht" for c in cells[1:6]]
            continue
        for stage, cell in enumerate(cells[1:6]):
            if m := _CELL.search(cell):
                text = " ".join(re.sub(r"</?i>", "", m.group("text")).split())
                answers.append(CriterionAnswer(sub, stage, text, _ANSWER[m.group("answer")]))
    return answers, reached


def test_the_built_in_sample_is_the_sources_criteria():
    answers, _ = source_example()
    assert len(answers) == 14
    assert sorted((a.subdimension, a.stage, a.criterion) for a in answers) == sorted(
        (c.subdimension, c.stage, c.text) for c in sample_criteria()
    )


def test_the_example_assessment_is_the_sources_answers():
    answers, _ = source_example()
    example = load_strategy(EXAMPLE.read_text(encoding="utf-8")).assessments[0]
    assert sorted(example.answers, key=repr) == sorted(answers, key=repr)


def test_the_example_computes_as_the_source_shows():
    answers, reached = source_example()
    results = evaluate_criteria(answers)
    assert results["Interaktion"].level == 0 and results["Präferenzen"].level is None
    for sub, row in reached.items():
        level = results[sub].level
        # the slide marks a stage "erreicht" when the (cumulative) level includes it
        assert row == [level is not None and k <= level for k in range(5)], sub
    assert Assessment(date(2024, 11, 7), answers=answers).dimension_levels() == {"Bürger*innenzentrierung": None}
