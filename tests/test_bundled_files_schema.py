"""Every bundled strategy file validates against the published JSON Schema with a third-party
validator (jsonschema, Draft 2020-12) as strict tools read YAML: no value may turn into a
timestamp, so dates are quoted (issue 26, point 10)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from planner.formats.schema import FORMAT_ID, strategy_file_schema

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "strategy-format.md"


def _timestamps(value: object, path: str = "") -> list[str]:
    """Where YAML read a timestamp: a strict JSON Schema validator refuses those."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _timestamps(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _timestamps(v, f"{path}[{i}]")]
    return [path] if isinstance(value, (date, datetime)) else []


def _strategy_files() -> list[Path]:
    candidates = sorted((ROOT / "strategies").glob("*.yaml")) + sorted((ROOT / "planner" / "data").glob("*.yaml"))
    return [p for p in candidates if (yaml.safe_load(p.read_text("utf-8")) or {}).get("format") == FORMAT_ID]


def _doc_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text("utf-8"), re.S)


def _problems(document: object) -> list[str]:
    validator = Draft202012Validator(strategy_file_schema())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_the_bundled_files_are_found():
    names = {p.name for p in _strategy_files()}
    assert {"steinfurt-2023.yaml", "peine-2024.yaml", "landesstelle-beispiel.yaml"} <= names


@pytest.mark.parametrize("path", _strategy_files(), ids=lambda p: p.name)
def test_bundled_strategy_file_is_valid_for_a_strict_validator(path):
    document = yaml.safe_load(path.read_text("utf-8"))
    assert _timestamps(document) == []
    assert _problems(document) == []


def test_the_documented_example_is_valid_for_a_strict_validator():
    blocks = [yaml.safe_load(b) for b in _doc_blocks()]
    assert blocks and all(_timestamps(b) == [] for b in blocks), [_timestamps(b) for b in blocks]
    examples = [b for b in blocks if isinstance(b, dict) and b.get("format") == FORMAT_ID]
    assert examples
    for example in examples:
        assert _problems(example) == []
