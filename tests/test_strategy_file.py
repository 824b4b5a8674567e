"""The strategy file: load, dump, lossless round trip, German errors naming measure and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import DATA, STEINFURT

from planner.formats.schema import schema_json
from planner.formats.strategy_file import StrategyFileError, dump_strategy, load_strategy

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (DATA / "sample.yaml").read_text(encoding="utf-8")


def errors_of(text: str) -> list[str]:
    with pytest.raises(StrategyFileError) as info:
        load_strategy(text)
    return info.value.messages


def edit(**changes) -> str:
    """The sample with fields of the measure 'awareness' changed."""
    data = yaml.safe_load(SAMPLE)
    measure = next(m for m in data["measures"] if m["id"] == "awareness")
    measure.update(changes)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_sample_loads_with_aliases_canonicalised():
    s = load_strategy(SAMPLE)
    assert s.organisation == "Gesundheitsamt Musterstadt"
    assert [m.key for m in s.measures] == ["konzept", "schulungen", "awareness", "chatbot"]
    assert s.measure("chatbot").dimension == "Bürger*innenzentrierung"
    assert s.measure("schulungen").open_ended
    assert s.measure("awareness").second_loop


def test_round_trip_is_lossless():
    s = load_strategy(SAMPLE)
    text = dump_strategy(s)
    assert load_strategy(text) == s
    assert dump_strategy(load_strategy(text)) == text


def test_steinfurt_round_trip_is_lossless():
    s = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    assert load_strategy(dump_strategy(s)) == s


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"dimension": "Weltraum"}, "Maßnahme „awareness“, Feld „dimension“: Unbekannte Dimension „Weltraum“."),
        (
            {"start": "2024-13"},
            "Maßnahme „awareness“, Feld „start“: „2024-13“ ist kein Monat (erwartet MM/JJJJ oder JJJJ-MM",
        ),
        ({"end": "2023-01"}, "Maßnahme „awareness“, Feld „end“: Das Ende 01/2023 liegt vor dem Beginn 02/2024."),
        ({"id": "konzept"}, "Maßnahme „konzept“, Feld „id“: Die ID „konzept“ kommt 2-mal vor."),
        (
            {"depends_on": ["gibtsnicht"]},
            "Maßnahme „awareness“, Feld „depends_on“: Unbekannte Abhängigkeit „gibtsnicht“.",
        ),
        ({"urgency": "sehr hoch"}, "Maßnahme „awareness“, Feld „urgency“: „sehr hoch“ ist nicht erlaubt"),
        ({"status": "fertig"}, "Maßnahme „awareness“, Feld „status“: „fertig“ ist nicht erlaubt"),
        ({"colour": "rot"}, "Maßnahme „awareness“: Unbekanntes Feld „colour“."),
        ({"owners": [{"role": "lead"}]}, "Maßnahme „awareness“, Feld „owners.0“: Pflichtfeld „name“ fehlt."),
    ],
)
def test_invalid_file_names_measure_and_field(changes, expected):
    messages = errors_of(edit(**changes))
    assert any(m.startswith(expected) for m in messages), messages


def test_cycle_is_named_with_its_measures():
    data = yaml.safe_load(SAMPLE)
    data["measures"][0]["depends_on"] = ["awareness"]
    messages = errors_of(yaml.safe_dump(data, allow_unicode=True))
    assert any("Zyklus" in m and "konzept" in m and "awareness" in m for m in messages), messages


def test_all_problems_are_reported_at_once():
    data = yaml.safe_load(SAMPLE)
    data["measures"][0]["dimension"] = "X"
    data["measures"][2]["end"] = "2020-01"
    assert len(errors_of(yaml.safe_dump(data, allow_unicode=True))) == 2


def test_yaml_syntax_error_names_the_line():
    messages = errors_of("format: planner-strategy/1\nstrategy: {title: [unclosed\n")
    assert messages[0].startswith("Zeile ")


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "42"])
def test_not_a_strategy_document(text):
    assert "keine Strategie" in errors_of(text)[0]


def test_wrong_format_id():
    assert any("planner-strategy/1" in m for m in errors_of(SAMPLE.replace("planner-strategy/1", "other/2")))


def test_schema_file_in_repo_matches_the_generated_schema():
    assert (ROOT / "docs" / "strategy.schema.json").read_text(encoding="utf-8") == schema_json()
    json.loads(schema_json())
