"""`planner steckbriefe FILE -o OUT.pdf|docx` with its filters and German errors."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO

import pytest
from conftest import DATA, run
from docx import Document

SAMPLE = str(DATA / "sample.yaml")


def _run(*args: str):
    return run("steckbriefe", *args)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_pdf_of_one_owner(tmp_path):
    out = tmp_path / "feldhues.pdf"
    result = _run(SAMPLE, "-o", str(out), "--owner", "Annika Feldhues")
    assert result.exit_code == 0, result.output
    assert "2 Maßnahmen" in result.output
    text = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True, text=True).stdout
    assert text.count("\f") == 2 + 2
    assert "Verantwortlich: Annika Feldhues" in text


def test_docx_of_one_measure(tmp_path):
    out = tmp_path / "konzept.docx"
    result = _run(SAMPLE, "-o", str(out), "--measure", "konzept")
    assert result.exit_code == 0, result.output
    assert "1 Maßnahme" in result.output
    doc = Document(BytesIO(out.read_bytes()))
    assert doc.paragraphs[0].text == "Entwicklung eines Schulungskonzepts"


def test_dimension_and_status_filters(tmp_path):
    out = tmp_path / "x.docx"
    assert _run(SAMPLE, "-o", str(out), "--dimension", "Bürgerzentrierung", "--status", "Backlog").exit_code == 0
    titles = [p.text for p in Document(BytesIO(out.read_bytes())).paragraphs if p.style.name == "Heading 1"]
    assert "Beschaffung und Einführung eines Chatbots" in titles


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["--owner", "Erika Mustermann"], "Niemand namens „Erika Mustermann“", 1),
        (["--dimension", "Raumfahrt"], "Unbekannte Dimension „Raumfahrt“", 1),
        (["--status", "erledigt"], "Unbekannter Status „erledigt“", 1),
        (["--measure", "nix"], "Keine Maßnahme mit der ID „nix“", 1),
    ],
)
def test_unknown_filter_values(tmp_path, args, message, code):
    out = tmp_path / "x.pdf"
    result = _run(SAMPLE, "-o", str(out), *args)
    assert result.exit_code == code
    assert message in result.output
    assert not out.exists()


def test_unknown_output_format(tmp_path):
    result = _run(SAMPLE, "-o", str(tmp_path / "x.odt"))
    assert result.exit_code == 2
    assert "bitte .pdf oder .docx" in result.output
