"""`planner check --json` roadmap keys and `planner roadmap FILE -o OUT`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml
from conftest import DATA, ROOT, run

SAMPLE = DATA / "sample.yaml"
ARTIFACTS = ROOT / "test-artifacts"


def test_check_json_reports_every_roadmap_key():
    result = run("check", "--json", SAMPLE)
    assert result.exit_code == 0, result.output  # a conflict is a finding, not an error
    report = json.loads(result.output)
    assert report["valid"] is True
    assert report["cycles"] == []
    assert report["conflicts"] == [
        {"measure": "awareness", "depends_on": "konzept", "starts": "2024-02", "prerequisite_ends": "2024-04"}
    ]
    assert report["order"] == ["konzept", "awareness", "schulungen"]
    assert report["waves"] == [["konzept"], ["awareness", "schulungen"]]
    assert report["critical_path"] == ["konzept", "awareness"]
    assert report["critical_path_months"] == 9  # 01-04 (4) + 02-06 (5)
    assert report["backlog"] == ["chatbot"]
    assert report["redundant_dependencies"] == []


def test_check_text_names_conflicts_and_critical_path():
    result = run("check", SAMPLE)
    assert result.exit_code == 0
    assert "Zeitkonflikte: 1" in result.output
    assert "awareness beginnt 02/2024, hängt ab von konzept (endet 04/2024)" in result.output
    assert "Kritischer Pfad (9 Monate): konzept → awareness" in result.output


def test_check_json_with_open_ended_prerequisite_and_redundant_link(tmp_path: Path):
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["measures"][2]["depends_on"] = ["konzept", "schulungen"]  # awareness needs the (open-ended) trainings too
    data["measures"][2]["start"] = "2024-03"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = json.loads(run("check", "--json", path).output)
    assert report["conflicts"] == [
        {"measure": "awareness", "depends_on": "konzept", "starts": "2024-03", "prerequisite_ends": "2024-04"},
        {"measure": "awareness", "depends_on": "schulungen", "starts": "2024-03", "prerequisite_ends": None},
    ]
    assert report["waves"] == [["konzept"], ["schulungen"], ["awareness"]]
    assert report["redundant_dependencies"] == [{"measure": "awareness", "depends_on": "konzept"}]


def test_roadmap_command_writes_svg_png_and_pdf(tmp_path: Path):
    for fmt, head in (("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF-")):
        out = tmp_path / f"fahrplan.{fmt}"
        result = run("roadmap", SAMPLE, "-o", out, "--heute", "2024-03-15", "--abhaengigkeiten")
        assert result.exit_code == 0, result.output
        assert "– 1 Zeitkonflikt\n" in result.output
        assert out.read_bytes().startswith(head)
    svg = (tmp_path / "fahrplan.svg").read_text(encoding="utf-8")
    assert "heute 15.03.2024" in svg and "Maßnahmen-Backlog" in svg
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "roadmap-cli-sample.png").write_bytes((tmp_path / "fahrplan.png").read_bytes())


def test_roadmap_pdf_text_is_searchable(tmp_path: Path):
    out = tmp_path / "fahrplan.pdf"
    assert run("roadmap", SAMPLE, "-o", out, "--heute", "2024-03-15").exit_code == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Umsetzungsfahrplan" in text and "Entwicklung eines Schulungskonzepts" in text


def test_roadmap_command_refuses_unknown_format_date_and_invalid_file(tmp_path: Path):
    result = run("roadmap", SAMPLE, "-o", tmp_path / "x.gif")
    assert result.exit_code == 2 and "bitte .svg, .png, .pdf oder .xml" in result.output
    result = run("roadmap", SAMPLE, "-o", tmp_path / "x.svg", "--heute", "15.03.2024")
    assert result.exit_code == 2 and "kein Datum" in result.output
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["measures"][0]["depends_on"] = ["awareness"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("roadmap", bad, "-o", tmp_path / "x.svg")
    assert result.exit_code == 1 and "Zyklus" in result.output and not (tmp_path / "x.svg").exists()


def test_check_json_names_every_cycle_of_a_refused_file(tmp_path: Path):
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    by_id = {m["id"]: m for m in data["measures"]}
    by_id["konzept"]["depends_on"] = ["awareness"]  # konzept ↔ awareness
    by_id["chatbot"]["depends_on"] = ["schulungen", "chatbot"]  # a self-loop, and chatbot → schulungen below
    by_id["schulungen"]["depends_on"] = ["konzept", "chatbot"]  # konzept → schulungen → ... chatbot → schulungen
    path = tmp_path / "zyklen.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("check", "--json", path)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False and report["errors"]
    # shortest first, each starting at its smallest id
    assert report["cycles"] == [["chatbot"], ["awareness", "konzept"], ["chatbot", "schulungen"]]


def test_check_json_of_broken_yaml_has_no_cycles_key(tmp_path: Path):
    path = tmp_path / "kaputt.yaml"
    path.write_text("measures: [\n", encoding="utf-8")
    result = run("check", "--json", path)
    assert result.exit_code == 1
    assert "cycles" not in json.loads(result.stdout)


def test_check_text_counts_in_german_singular_and_plural(tmp_path: Path):
    assert "Logische Reihenfolge: 2 Wellen" in run("check", SAMPLE).output
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    for measure in data["measures"]:
        measure.pop("depends_on", None)
    path = tmp_path / "flach.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("check", path)
    assert "Logische Reihenfolge: 1 Welle\n" in result.output and "Zeitkonflikte: keine" in result.output
