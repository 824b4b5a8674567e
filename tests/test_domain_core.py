"""Unit tests of the pure domain: months, catalogue, scales, keys, validation."""

from __future__ import annotations

import pytest

from planner.domain.catalogue import catalogue
from planner.domain.german import make_key
from planner.domain.graph import build_graph, cycle_through, find_cycles
from planner.domain.months import Month, format_range, months_inclusive
from planner.domain.strategy import Measure, Rating, Status, Strategy
from planner.domain.validation import validate_strategy


def test_month_parse_both_spellings_and_arithmetic():
    assert Month.parse("2023-04") == Month(2023, 4)
    assert Month.parse("04/2023") == Month(2023, 4)
    assert Month(2023, 11) + 3 == Month(2024, 2)
    assert Month(2024, 2) - Month(2023, 11) == 3
    assert str(Month(2023, 1)) == "2023-01"
    assert Month(2023, 1).german() == "01/2023"


@pytest.mark.parametrize("text", ["2023-13", "2023-00", "13/2023", "2023", "April 2023", ""])
def test_month_rejects_malformed(text):
    with pytest.raises(ValueError):
        Month.parse(text)


def test_range_display_and_duration():
    assert months_inclusive(Month(2023, 1), Month(2023, 4)) == 4
    assert format_range(Month(2023, 1), Month(2023, 4)) == "01/2023 – 04/2023"
    assert format_range(Month(2023, 4), None) == "ab 04/2023"
    assert format_range(None, None) == ""


def test_catalogue_has_8_dimensions_and_27_subdimensions_in_model_order():
    cat = catalogue()
    assert len(cat.dimensions) == 8
    assert len(cat.subdimension_names) == 27
    assert cat.dimension_names[0] == "Digitalisierungsstrategie"
    assert cat.dimension_names[-1] == "Software, Daten, Interoperabilität"
    assert cat.minimum_stage == 3
    assert len({d.colour for d in cat.dimensions}) == 8


@pytest.mark.parametrize(
    "alias",
    [
        "Bürgerzentrierung",
        "BürgerInnenzentrierung",
        "Bürger:innen-Zentrierung",
        "Bürger*innenzentrierung",
        "BÜRGER-ZENTRIERUNG",
    ],
)
def test_citizen_dimension_aliases(alias):
    assert catalogue().canonical_dimension(alias) == "Bürger*innenzentrierung"


def test_other_aliases_and_subdimensions():
    cat = catalogue()
    assert cat.canonical_dimension("Software, Daten und Interoperabilität") == "Software, Daten, Interoperabilität"
    assert cat.canonical_dimension("Prozess-Digitalisierung") == "Prozessdigitalisierung"
    assert cat.canonical_dimension("Quatsch") is None
    assert cat.canonical_subdimension("identitäts- und zugangsmanagement") == "Identitäts- und Zugangsmanagement"
    assert cat.dimension_of("Präferenzen") == "Bürger*innenzentrierung"


def test_rating_is_ordinal():
    assert Rating.GERING < Rating.GERING_MITTEL < Rating.MITTEL < Rating.MITTEL_HOCH < Rating.HOCH
    assert Rating("gering/mittel").rank == 2
    assert [s.value for s in Status] == [
        "backlog",
        "geplant",
        "in_umsetzung",
        "abgeschlossen",
        "fortlaufend",
        "verworfen",
    ]


def test_make_key_transliterates_and_stays_unique():
    assert (
        make_key("Beschaffung und Einführung eines „Whiteboard Tool“")
        == "beschaffung-und-einfuehrung-eines-whiteboard-tool"
    )
    assert make_key("Größe", {"groesse"}) == "groesse-2"
    assert make_key("!!!") == "massnahme"


def _m(key, deps=(), start=None, end=None, **kw):
    return Measure(
        key=key,
        title=key.upper(),
        dimension="IT-Sicherheit",
        depends_on=list(deps),
        start=Month.parse(start) if start else None,
        end=Month.parse(end) if end else None,
        **kw,
    )


def test_open_ended_and_duration():
    m = _m("a", start="2023-04")
    assert m.open_ended and m.duration is None and m.planned_range == "ab 04/2023"
    assert _m("b", start="2023-01", end="2023-04").duration == 4


def test_cycles_are_named_from_smallest_key():
    graph = build_graph([_m("c", ["b"]), _m("b", ["a"]), _m("a", ["c"]), _m("d", ["d"])])
    # edges run prerequisite -> dependent: a -> b -> c -> a
    assert find_cycles(graph) == [["d"], ["a", "b", "c"]]


def test_cycle_through_finds_the_path_an_edge_would_close():
    graph = build_graph([_m("a"), _m("b", ["a"]), _m("c", ["b"])])
    # "a depends on c" would close a -> b -> c -> a
    assert cycle_through(graph, "c", "a") == ["a", "b", "c"]
    assert cycle_through(graph, "a", "c") is None
    assert cycle_through(graph, "a", "a") == ["a"]


def test_validate_strategy_reports_every_problem_with_measure_and_field():
    s = Strategy(
        organisation="GA",
        title="T",
        measures=[
            _m("a", ["x"]),
            _m("a"),
            _m("b", ["c"], start="2023-05", end="2023-02"),
            _m("c", ["b"]),
            Measure(key="d", title="D", dimension="Unsinn", subdimensions=["Nix"], target_stage=7),
        ],
    )
    problems = {(p.measure, p.field): p.message for p in validate_strategy(s)}
    assert "kommt 2-mal vor" in problems[("a", "id")]
    assert "Unbekannte Abhängigkeit „x“" in problems[("a", "depends_on")]
    assert "liegt vor dem Beginn" in problems[("b", "end")]
    assert "Zyklus: B (b) → C (c) → B (b)" in problems[("b", "depends_on")]
    assert "Unbekannte Dimension „Unsinn“" in problems[("d", "dimension")]
    assert "Unbekannte Subdimension „Nix“" in problems[("d", "subdimensions")]
    assert "Zielstufe 7" in problems[("d", "target_stage")]


def test_end_without_start_is_invalid():
    s = Strategy(organisation="GA", title="T", measures=[_m("a", end="2023-04")])
    assert [str(p) for p in validate_strategy(s)] == [
        "Maßnahme „a“, Feld „end“: Ein Ende ist angegeben, aber kein Beginn."
    ]
