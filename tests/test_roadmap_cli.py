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


def test_check_json_gives_the_schedule_state_of_every_measure_in_file_order():
    from conftest import STEINFURT

    report = json.loads(run("check", "--json", "--today", "2026-11-30", STEINFURT).output)
    assert report["today"] == "2026-11-30"
    schedule = report["schedule"]
    ids = [m["id"] for m in yaml.safe_load(STEINFURT.read_text(encoding="utf-8"))["measures"]]
    assert [e["measure"] for e in schedule] == ids
    by_id = {e["measure"]: e for e in schedule}
    # planned 01/2023–04/2023, still "geplant": 2026-11 − 2023-04 = 43 months
    assert by_id["kommunikationskonzept"] == {
        "measure": "kommunikationskonzept",
        "state": "abschluss_ueberfaellig",
        "months_overdue": 43,
    }
    assert by_id["schulungen"] == {"measure": "schulungen", "state": "beginn_ueberfaellig", "months_overdue": 43}
    assert by_id["chatbot"] == {"measure": "chatbot", "state": "backlog", "months_overdue": None}
    assert by_id["strategie-leitbild"]["state"] == "ohne_termin"
    assert by_id["externe-moderation"]["state"] == "abgeschlossen"
    assert sum(e["state"] == "abschluss_ueberfaellig" for e in schedule) == 17
    # inside the plan period nothing has passed its planned end
    early = json.loads(run("check", "--json", "--today", "2023-02-15", STEINFURT).output)["schedule"]
    assert not any(e["state"] == "abschluss_ueberfaellig" for e in early)
    assert {e["measure"]: e["months_overdue"] for e in early}["inventur-hardware"] == 3  # start 11/2022


def test_check_without_today_uses_todays_date_and_refuses_a_bad_one():
    from datetime import date

    report = json.loads(run("check", "--json", SAMPLE).output)
    assert report["today"] == date.today().isoformat()
    assert len(report["schedule"]) == report["measures"]
    result = run("check", "--json", "--today", "30.11.2026", SAMPLE)
    assert result.exit_code == 2
    assert "kein Datum" in result.output


def test_roadmap_pdf_is_a3_landscape_unless_a4_is_asked_for(tmp_path: Path):
    a3, a4 = tmp_path / "a3.pdf", tmp_path / "a4.pdf"
    assert run("roadmap", SAMPLE, "-o", a3, "--heute", "2024-03-15").exit_code == 0
    assert run("roadmap", SAMPLE, "-o", a4, "--heute", "2024-03-15", "--papier", "a4").exit_code == 0
    sizes = [subprocess.run(["pdfinfo", str(p)], capture_output=True, text=True, check=True).stdout for p in (a3, a4)]
    assert "1190.55 x 841.89 pts (A3)" in sizes[0] and "841.89 x 595.276 pts (A4)" in sizes[1]
    assert run("roadmap", SAMPLE, "-o", a4, "--papier", "a5").exit_code == 2


def test_english_options_and_their_german_aliases_give_the_same_files(tmp_path: Path):
    """The naming rule: English options (--today, --paper, --dependencies, --no-critical-path);
    the German ones (--heute, --papier, --abhaengigkeiten, --ohne-kritischen-pfad) still work."""
    english, german = tmp_path / "en.svg", tmp_path / "de.svg"
    args_en = ["--today", "2024-03-15", "--dependencies", "--no-critical-path", "--paper", "a4"]
    args_de = ["--heute", "2024-03-15", "--abhaengigkeiten", "--ohne-kritischen-pfad", "--papier", "a4"]
    assert run("roadmap", SAMPLE, "-o", english, *args_en).exit_code == 0
    assert run("roadmap", SAMPLE, "-o", german, *args_de).exit_code == 0
    assert english.read_bytes() == german.read_bytes()
    assert "heute 15.03.2024" in english.read_text(encoding="utf-8")
    with_path = run("roadmap", SAMPLE, "-o", tmp_path / "kritisch.svg", "--today", "2024-03-15", "--critical-path")
    assert with_path.exit_code == 0 and (tmp_path / "kritisch.svg").read_bytes() != english.read_bytes()
    for command in (["evaluations", SAMPLE], ["check", SAMPLE], ["convert", SAMPLE, "-o", tmp_path / "m.xlsx"]):
        for option in ("--today", "--heute"):
            result = run(*command, option, "2025-03-15")
            assert result.exit_code == 0, (command, option, result.output)
        assert run(*command, "--today", "15.03.2025").exit_code == 2, command
