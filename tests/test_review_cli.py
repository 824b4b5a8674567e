"""`planner review FILE --today … -o review.pdf`: the review pack of a strategy file with the
proposed decisions, written without building a Flask app; German errors for bad input."""

from __future__ import annotations

import subprocess

import flask
import pytest
from conftest import STEINFURT, run

import planner
from planner.formats.strategy_file import load_strategy


def test_review_pdf_of_a_strategy_file(tmp_path):
    out = tmp_path / "review.pdf"
    result = run("review", STEINFURT, "--today", "2026-11-30", "-o", out)
    assert result.exit_code == 0, result.output
    assert "25 Maßnahmen mit vorgeschlagener Entscheidung" in result.output
    text = "".join(
        subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True, check=True, text=True).stdout.split()
    )
    assert "Strategiereview30.11.2026" in text
    assert "EntwicklungeinesKommunikationskonzeptsanpassen–anpassen" in text  # decision, note, proposal
    assert "Zeitkonflikt(e)" not in text


def test_review_errors_are_german(tmp_path):
    bad = tmp_path / "kaputt.yaml"
    bad.write_text("title: [", encoding="utf-8")
    result = run("review", bad, "--today", "2026-11-30", "-o", tmp_path / "r.pdf")
    assert result.exit_code == 1 and "ungültig" in result.output
    result = run("review", STEINFURT, "--today", "30.11.2026", "-o", tmp_path / "r.pdf")
    assert result.exit_code == 2 and "ist kein Datum (JJJJ-MM-TT)" in result.output
    result = run("review", STEINFURT, "--today", "2026-11-30", "-o", tmp_path / "r.docx")
    assert result.exit_code == 2 and "bitte .pdf" in result.output
    assert not (tmp_path / "r.pdf").exists()


def test_review_pdf_builds_no_flask_app(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """The command reads its throwaway database through the services and renders the pack in the
    documents' Jinja environment: building an app (or any Flask object) fails it."""

    def no_app(*args, **kwargs):
        raise AssertionError("planner review built a Flask app")

    monkeypatch.setattr(planner, "create_app", no_app)
    monkeypatch.setattr(flask.Flask, "__init__", no_app)
    out = tmp_path / "review.pdf"
    result = run("review", STEINFURT, "--today", "2026-11-30", "-o", out)
    assert result.exit_code == 0, (result.output, result.exception)
    text = " ".join(
        subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True, check=True, text=True).stdout.split()
    )
    for heading in (
        "Strategiereview 30.11.2026",
        "Die zwei Kernfragen",
        "Umsetzungsstand je Dimension",
        "Umsetzungsfahrplan (Stand 30.11.2026)",
        "Plan und Umsetzung",
        "Sitzung und Entscheidungen",
        "Entscheidungsbogen für die Sitzung",
    ):
        assert heading in text
    assert all(" ".join(m.title.split()) in text for m in load_strategy(STEINFURT.read_text(encoding="utf-8")).measures)
