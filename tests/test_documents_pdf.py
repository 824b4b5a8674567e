"""Every PDF planner writes (page downloads and CLI) is a tagged PDF/UA-1 document; Anlage 1 reads
row by row."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import DATA, PEINE, STEINFURT, import_file, run
from jobs_support import fetch_document
from pdf_a11y import assert_accessible_pdf, structure

from planner import models
from planner.documents.pdf import DataTable, chart_pdf
from planner.extensions import db
from planner.services import accounts
from planner.web.roadmap import CHARTS

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")


# PDF routes that answer with the page of a job made in the background (services/jobs.py)
BACKGROUND = {"portfolio.export_pdf"}


def _pdf_routes(app) -> set[str]:
    """Endpoints of routes ending in .pdf, and each chart of the roadmap's one chart route (as "roadmap.chart:<chart>")."""
    fixed = {r.endpoint for r in app.url_map.iter_rules() if r.rule.endswith(".pdf")}
    return fixed | {f"roadmap.chart:{chart}" for chart in CHARTS}


def _sample_and_peine(app) -> dict:
    """The sample strategy, Peine's with an assessment, a review meeting; the sample's office coordinates Peine's."""
    from auth_support import admin_client

    client = admin_client(app)
    sample = import_file(app, DATA / "sample.yaml")
    peine = import_file(app, PEINE)
    page = client.get(f"/strategien/{peine}/reifegrad").get_data(as_text=True)
    assessment = re.search(r"/reifegrad/messungen/(\d+)\"", page).group(1)
    meeting = client.post(f"/strategien/{sample}/strategiereviews/vorbereiten").headers["Location"]
    with app.app_context():  # the sample's organisation coordinates Peine's: its portfolio
        orgs = {i: db.session.get(models.Strategy, i).organisation_id for i in (sample, peine)}
        accounts.add_coordination(db.session, orgs[sample], orgs[peine])
        db.session.commit()
    return {"sample": sample, "peine": peine, "assessment": assessment, "meeting": meeting, "orgs": orgs}


@pytest.fixture(scope="module")
def downloaded(seeds):
    """(app, every PDF download of the web interface: endpoint → (bytes, expected title)), made once."""
    from auth_support import admin_client

    app, ids = seeds.app("pdf-downloads", _sample_and_peine)
    client = admin_client(app)
    sample, peine, assessment, meeting, orgs = (
        ids["sample"],
        ids["peine"],
        ids["assessment"],
        ids["meeting"],
        ids["orgs"],
    )
    base = f"/strategien/{sample}"
    urls = {
        "roadmap.chart:fahrplan": (f"{base}/fahrplan.pdf", "Umsetzungsfahrplan"),
        "roadmap.chart:bewertung": (f"{base}/bewertung.pdf", "Maßnahmenbewertung"),
        "roadmap.chart:abhaengigkeiten": (f"{base}/abhaengigkeiten.pdf", "Abhängigkeiten"),
        "steckbriefe.bundle_pdf": (f"{base}/steckbriefe.pdf", "Maßnahmensteckbriefe"),
        "steckbriefe.measure_pdf": (f"{base}/massnahmen/konzept/steckbrief.pdf", "Maßnahmensteckbrief: "),
        "review_legacy.old_pdf": (f"{base}/review.pdf", "Strategiereview – "),  # leads to the review's PDF
        "review.pdf": (f"{meeting}.pdf", "Strategiereview – "),
        "portfolio.export_pdf": (f"/landesebene/{orgs[sample]}/portfolio.pdf", "Portfolio der Gesundheitsämter – "),
        "maturity.sheet_pdf": (
            f"/strategien/{peine}/reifegrad/messungen/{assessment}/anlage-1.pdf",
            "Ergebnis der Reifegradmessung",
        ),
    }
    result = {}
    for endpoint, (url, title) in urls.items():
        response = fetch_document(client, url) if endpoint in BACKGROUND else client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        assert response.mimetype == "application/pdf", url
        result[endpoint] = (response.data, title)
    yield app, result
    seeds.release(app)


@pytest.fixture
def downloads(downloaded):
    return downloaded[1]


@pytest.mark.db
def test_every_pdf_download_is_tagged_pdf_ua(downloaded, downloads):
    assert set(downloads) == _pdf_routes(downloaded[0]), "a PDF route is not covered by this test"
    for endpoint, (data, title) in downloads.items():
        types = assert_accessible_pdf(data, title)
        assert types["/Table"] >= 1 and types["/TH"] >= 1, (endpoint, types)
        if endpoint.startswith("roadmap."):
            assert types["/Figure"] == 1, (endpoint, types)


@pytest.mark.db
def test_chart_pdf_has_chart_then_its_data(downloads, tmp_path):
    path = tmp_path / "fahrplan.pdf"
    path.write_bytes(downloads["roadmap.chart:fahrplan"][0])
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    chart, data = text.split("Daten des Diagramms", 1)
    assert "Umsetzungsfahrplan" in chart
    assert "Maßnahmen im Fahrplan" in data
    assert "Konzept" in data  # a measure of the sample strategy, as a table row


@pytest.mark.db
def test_anlage_1_reads_row_by_row(downloads, tmp_path):
    path = tmp_path / "anlage-1.pdf"
    path.write_bytes(downloads["maturity.sheet_pdf"][0])
    # -raw: the text in the order the page content is written (the reading order of the PDF)
    lines = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True)
    lines = lines.stdout.splitlines()
    # a subdimension, its X marks and its level on one line; the dimension as a line of its own before it
    assert re.search(r"^Organisation der IT-Beschaffung( X){5} 4$", "\n".join(lines), re.M), lines
    dimension = lines.index(next(line for line in lines if line.startswith("IT-Bereitstellung")))
    assert lines[dimension + 1].startswith("IT-Arbeitsplatz X")


def test_cli_pdfs_are_tagged(tmp_path):
    fahrplan = tmp_path / "fahrplan.pdf"
    assert run("roadmap", STEINFURT, "-o", fahrplan, "--heute", "2024-03-01").exit_code == 0
    types = assert_accessible_pdf(fahrplan.read_bytes(), "Umsetzungsfahrplan")
    assert types["/Figure"] == 1 and types["/Table"] >= 1
    steckbriefe = tmp_path / "steckbriefe.pdf"
    assert run("steckbriefe", STEINFURT, "-o", steckbriefe).exit_code == 0
    assert_accessible_pdf(steckbriefe.read_bytes(), "Maßnahmensteckbriefe")


def test_chart_pdf_without_table():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    types = assert_accessible_pdf(chart_pdf(svg, "Ein Diagramm", "Ein schwarzes Quadrat."), "Ein Diagramm")
    assert types["/Figure"] == 1 and types["/Table"] == 0


def test_data_table_groups_are_row_groups(tmp_path: Path):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    table = DataTable("Werte", ["Name", "Wert"], [("Gruppe A", [["a", "1"]]), ("Gruppe B", [["b", "2"]])])
    path = tmp_path / "t.pdf"
    path.write_bytes(chart_pdf(svg, "Diagramm", "Beschreibung", table))
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert text.index("Gruppe A") < text.index("a 1") < text.index("Gruppe B") < text.index("b 2")


def test_header_cells_carry_the_scope_of_their_th():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    table = DataTable("Werte", ["Name", "Wert"], [("Gruppe A", [["a", "1"]])])
    with pikepdf.open(io.BytesIO(chart_pdf(svg, "Diagramm", "Beschreibung", table))) as pdf:
        scopes = [str(e.A.Scope) for e in structure(pdf) if str(e.S) == "/TH"]
    # the two column heads, the group (scope="rowgroup"), the row's name
    assert scopes == ["/Column", "/Column", "/Row", "/Row"], scopes
