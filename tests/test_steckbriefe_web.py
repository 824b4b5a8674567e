"""Steckbrief pages and downloads through the Flask client: every page, filters, errors, access."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO

import pytest
from conftest import ROOT, STEINFURT, import_file
from docx import Document

pytestmark = pytest.mark.db


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")


def test_steckbrief_page_shows_every_field(client, sample_id):
    r = client.get(f"/strategien/{sample_id}/massnahmen/konzept/steckbrief")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    for text in [
        '<h1 class="sb-title" id="m-konzept-titel">Entwicklung eines Schulungskonzepts</h1>',
        "Ein Schulungskonzept wird erstellt.",
        "Kompetenzentwicklung bei den Mitarbeitenden.",
        "Dringlichkeit:",
        "hoch",
        "Machbarkeit:",
        "mittel",
        "Annika Feldhues",
        '(<span lang="en">Lead</span>)',
        "Andreas Heeke",
        '(<span lang="en">Support</span>)',
        "Haupt-/Personalamt",
        "Beteiligung Personalrat",
        "01/2024 – 04/2024",
        "Grundlage für",
        "Nichttechnische und technische Schulungen",
        "(ab 04/2024)",
        "Abhängigkeit von",
        "Status: geplant",
        "static/steckbriefe.css",
        "Alle Steckbriefe von Annika Feldhues",
    ]:
        assert text in html, text
    # links to the other measures' Steckbriefe and the downloads
    assert f'href="/strategien/{sample_id}/massnahmen/schulungen/steckbrief"' in html
    assert f"/strategien/{sample_id}/massnahmen/konzept/steckbrief.pdf" in html
    assert f"/strategien/{sample_id}/massnahmen/konzept/steckbrief.docx" in html
    assert "style=" not in html


def test_second_loop_and_unknown_feasibility(client, sample_id):
    html = client.get(f"/strategien/{sample_id}/massnahmen/awareness/steckbrief").get_data(as_text=True)
    assert "* in der zweiten Evaluationsschleife hinzugefügt" in html
    html = client.get(f"/strategien/{sample_id}/massnahmen/schulungen/steckbrief").get_data(as_text=True)
    assert re.search(
        r"Machbarkeit:</span>\s*<span[^>]*>.*?</span>\s*<span class=\"sb-rating-text\">unbekannt", html, re.S
    )


def test_downloads_are_linked_from_measure_and_strategy_pages(client, sample_id):
    measure = client.get(f"/strategien/{sample_id}/massnahmen/konzept").get_data(as_text=True)
    for label, url in [
        ("Steckbrief", "/massnahmen/konzept/steckbrief"),
        ("Steckbrief (PDF)", "/massnahmen/konzept/steckbrief.pdf"),
        ("Steckbrief (Word)", "/massnahmen/konzept/steckbrief.docx"),
    ]:
        assert re.search(rf'href="/strategien/{sample_id}{re.escape(url)}"[^>]*>{re.escape(label)}<', measure), label
    files = client.get(f"/strategien/{sample_id}/ausgaben").get_data(as_text=True)
    assert f'href="/strategien/{sample_id}/steckbriefe.pdf"' in files
    assert f'href="/strategien/{sample_id}/steckbriefe.docx"' in files
    strategy = client.get(f"/strategien/{sample_id}").get_data(as_text=True)
    assert f'href="/strategien/{sample_id}/steckbriefe"' in strategy  # the Maßnahmen group opens on them


@needs_pdftotext
def test_measure_pdf_is_one_page(client, sample_id, tmp_path):
    r = client.get(f"/strategien/{sample_id}/massnahmen/konzept/steckbrief.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert 'filename="steckbrief-konzept.pdf"' in r.headers["Content-Disposition"]
    text = _pdf_text(r.data, tmp_path)
    assert text.count("\f") == 1
    assert "Entwicklung eines Schulungskonzepts" in text and "Seite 1 von 1" in text


def test_measure_docx(client, sample_id):
    r = client.get(f"/strategien/{sample_id}/massnahmen/konzept/steckbrief.docx")
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    doc = Document(BytesIO(r.data))
    assert doc.paragraphs[0].text == "Entwicklung eines Schulungskonzepts"


@needs_pdftotext
def test_bundle_pdf_and_owner_filter(client, sample_id, tmp_path):
    r = client.get(f"/strategien/{sample_id}/steckbriefe.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = _pdf_text(r.data, tmp_path)
    assert text.count("\f") == 2 + 4 and "Gesundheitsamt Musterstadt" in text
    r = client.get(f"/strategien/{sample_id}/steckbriefe.pdf", query_string={"verantwortlich": "Annika Feldhues"})
    assert r.status_code == 200
    assert 'filename="steckbriefe-gesundheitsamt-musterstadt-annika-feldhues.pdf"' in r.headers["Content-Disposition"]
    text = _pdf_text(r.data, tmp_path)
    assert text.count("\f") == 2 + 2
    assert "Verantwortlich: Annika Feldhues" in text and "AWARENESS" not in text


def test_bundle_docx_by_dimension_and_status(client, sample_id):
    r = client.get(
        f"/strategien/{sample_id}/steckbriefe.docx",
        query_string={"dimension": "Mitarbeitende", "status": "fortlaufend"},
    )
    assert r.status_code == 200
    titles = [
        p.text
        for p in Document(BytesIO(r.data)).paragraphs
        if p.style.name == "Heading 1" and p.paragraph_format.page_break_before
    ]
    assert titles == ["Nichttechnische und technische Schulungen"]


def test_index_lists_filters_and_owner_links(client, sample_id):
    r = client.get(f"/strategien/{sample_id}/steckbriefe")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "4 Steckbriefe" in html
    assert "Alle Steckbriefe von Annika Feldhues" in html
    assert '<option value="Mitarbeitende">Mitarbeitende</option>' in html
    r = client.get(f"/strategien/{sample_id}/steckbriefe", query_string={"verantwortlich": "Annika Feldhues"})
    html = r.get_data(as_text=True)
    assert "2 Steckbriefe in der Auswahl" in html
    assert '<option selected value="Annika Feldhues">' in html
    assert f"/strategien/{sample_id}/steckbriefe.pdf?verantwortlich=Annika+Feldhues" in html
    assert "Beschaffung und Einführung eines Chatbots" not in html.split("Steckbriefe nach Verantwortlichen")[0]


@pytest.mark.parametrize(
    ("url", "query", "message"),
    [
        (
            "steckbriefe",
            {"verantwortlich": "Erika Mustermann"},
            "Niemand namens „Erika Mustermann“ ist für eine Maßnahme verantwortlich",
        ),
        ("steckbriefe.pdf", {"dimension": "Raumfahrt"}, "Unbekannte Dimension „Raumfahrt“"),
        ("steckbriefe.docx", {"status": "erledigt"}, "Unbekannter Status „erledigt“"),
        ("steckbriefe.pdf", {"status": "abgeschlossen"}, "Keine Maßnahme passt zur Auswahl (Status: abgeschlossen)"),
    ],
)
def test_unknown_filter_values_answer_in_german(client, sample_id, url, query, message):
    r = client.get(f"/strategien/{sample_id}/{url}", query_string=query)
    assert r.status_code == 400
    assert r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert message in html and 'role="alert"' in html


def test_unknown_measure_or_strategy_is_404(client, sample_id):
    for path in [
        "massnahmen/gibt-es-nicht/steckbrief",
        "massnahmen/gibt-es-nicht/steckbrief.pdf",
        "massnahmen/gibt-es-nicht/steckbrief.docx",
    ]:
        assert client.get(f"/strategien/{sample_id}/{path}").status_code == 404
    assert client.get("/strategien/9999/steckbriefe").status_code == 404
    assert client.get("/strategien/9999/steckbriefe.pdf").status_code == 404


def test_other_organisations_steckbriefe_are_404(app, client_as, sample_id):
    peine = import_file(app, ROOT / "strategies" / "peine-2024.yaml")
    from planner import models
    from planner.extensions import db

    with app.app_context():
        own_org = db.session.get(models.Strategy, sample_id).organisation_id
    reader = client_as(roles={own_org: "lesen"})
    assert reader.get(f"/strategien/{sample_id}/massnahmen/konzept/steckbrief").status_code == 200
    assert reader.get(f"/strategien/{peine}/steckbriefe").status_code == 404
    assert reader.get(f"/strategien/{peine}/steckbriefe.pdf").status_code == 404
    assert reader.get(f"/strategien/{peine}/massnahmen/projektstelle/steckbrief").status_code == 404
    assert reader.get(f"/strategien/{peine}/massnahmen/projektstelle/steckbrief.docx").status_code == 404


@pytest.mark.skipif(not STEINFURT.exists(), reason="Steinfurt strategy file not yet transcribed")
def test_steinfurt_owner_bundle(client, steinfurt_id):
    r = client.get(f"/strategien/{steinfurt_id}/steckbriefe.docx", query_string={"verantwortlich": "Annika Feldhues"})
    assert r.status_code == 200
    titles = [
        p.text
        for p in Document(BytesIO(r.data)).paragraphs
        if p.style.name == "Heading 1" and p.paragraph_format.page_break_before
    ]
    assert "Entwicklung eines Schulungskonzepts" in titles
    assert len(titles) >= 3


def test_strategy_without_measures(app, client, tmp_path):
    text = (ROOT / "tests" / "data" / "sample.yaml").read_text(encoding="utf-8")
    empty = tmp_path / "leer.yaml"
    empty.write_text(text[: text.index("measures:")] + "measures: []\n", encoding="utf-8")
    sid = import_file(app, empty)
    r = client.get(f"/strategien/{sid}/steckbriefe")
    assert r.status_code == 200
    assert "Diese Strategie enthält noch keine Maßnahmen." in r.get_data(as_text=True)
    r = client.get(f"/strategien/{sid}/steckbriefe.pdf")
    assert r.status_code == 400
    assert "enthält noch keine Maßnahmen" in r.get_data(as_text=True)


def test_indicators_and_actual_months_from_the_database(app, client, tmp_path):
    text = (ROOT / "tests" / "data" / "sample.yaml").read_text(encoding="utf-8")
    extra = (
        "    end: 2024-04\n"
        "    actual_start: 2024-02\n"
        "    actual_end: 2024-05\n"
        "    indicators:\n"
        "      - {name: Schulungen je Mitarbeitendem, unit: Anzahl, baseline: 0.5, target: 2,"
        " values: [{date: 2025-06-30, value: 1.2}]}\n"
    )
    path = tmp_path / "mit-indikatoren.yaml"
    path.write_text(text.replace("    end: 2024-04\n", extra, 1), encoding="utf-8")
    sid = import_file(app, path)
    html = client.get(f"/strategien/{sid}/massnahmen/konzept/steckbrief").get_data(as_text=True)
    assert "tatsächlich: 02/2024 – 05/2024" in html
    assert "Indikatoren für die Wirkungsevaluation" in html
    assert "Ausgangswert 0,5 Anzahl · Ziel 2 Anzahl · zuletzt 1,2 Anzahl (30.06.2025)" in html
    r = client.get(f"/strategien/{sid}/massnahmen/konzept/steckbrief.docx")
    texts = [p.text for p in Document(BytesIO(r.data)).paragraphs]
    assert "tatsächlich: 02/2024 – 05/2024" in texts
