"""The `planner` command: check, import, export, schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import DATA, STEINFURT, run

from planner.formats.strategy_file import load_strategy

SAMPLE = DATA / "sample.yaml"


def test_check_valid_file():
    result = run("check", SAMPLE)
    assert result.exit_code == 0, result.output
    assert "gültig – 4 Maßnahmen" in result.output


def test_check_json_has_valid_errors_and_count():
    result = run("check", "--json", SAMPLE)
    report = json.loads(result.output)
    assert result.exit_code == 0
    assert report["valid"] is True and report["errors"] == [] and report["measures"] == 4
    assert report["backlog"] == ["chatbot"]


def test_check_invalid_file_exits_1_with_german_message_on_stderr(tmp_path: Path):
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["measures"][0]["depends_on"] = ["awareness"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "planner.cli", "check", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Zyklus" in proc.stderr and proc.stdout == ""
    result = run("check", "--json", bad)
    report = json.loads(result.output.splitlines()[0])
    assert result.exit_code == 1 and report["valid"] is False and "Zyklus" in report["errors"][0]


def test_check_does_not_load_the_web_stack():
    code = (
        "import sys; from click.testing import CliRunner; from planner.cli import main;"
        f"r = CliRunner().invoke(main, ['check', {str(SAMPLE)!r}]); assert r.exit_code == 0, r.output;"
        "heavy = [m for m in ('flask', 'sqlalchemy', 'matplotlib', 'weasyprint') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_import_then_export_is_lossless(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("SECRET_KEY", "x")
    assert run("db", "upgrade").exit_code == 0
    result = run("import", SAMPLE)
    assert result.exit_code == 0 and "(ID 1)" in result.output, result.output
    out = tmp_path / "out.yaml"
    assert run("export", "--strategy", 1, "-o", out).exit_code == 0
    assert load_strategy(out.read_text(encoding="utf-8")) == load_strategy(SAMPLE.read_text(encoding="utf-8"))
    missing = run("export", "--strategy", 99)
    assert missing.exit_code == 1


def test_seed_loads_bundled_strategies_once(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'seed.db'}")
    monkeypatch.setenv("SECRET_KEY", "x")
    strategies = tmp_path / "strategies"
    strategies.mkdir()
    (strategies / "muster.yaml").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    run("db", "upgrade")
    first = run("seed", "--dir", strategies)
    assert first.exit_code == 0 and "muster.yaml" in first.output, first.output
    second = run("seed", "--dir", strategies)
    assert "bereits" in second.output


def test_bundled_strategies_are_valid():
    for path in sorted((Path(__file__).resolve().parent.parent / "strategies").glob("*.yaml")):
        result = run("check", path)
        assert result.exit_code == 0, (path, result.output)


def test_steinfurt_is_bundled():
    assert STEINFURT.exists()
