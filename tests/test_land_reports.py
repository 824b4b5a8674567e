"""Issue 27 (points 3 and 5): documents made in the background (the job page, its progress, the
download), the Landesbericht in Word and PDF, and the funding across the state against the Land's
budget with its export."""

from __future__ import annotations

import io
import time

import docx
import openpyxl
import pikepdf
import pytest
import sqlalchemy as sa
from conftest import PEINE, STEINFURT, import_file
from jobs_support import fetch_document
from pdf_a11y import assert_accessible_pdf

from planner import models
from planner.extensions import db
from planner.formats.strategy_file import load_strategy
from planner.models.jobs import DocumentJob
from planner.services import jobs, land_sample

pytestmark = pytest.mark.db

SECTION_HEADINGS = [
    "Überblick: Gesundheitsämter und Reifegrad",
    "Handlungsbedarf der Ämter",
    "Entwicklung",
    "Förderung im Land",
    "Bereitschaft für den aktuellen Förderaufruf",
    "Landesmaßnahmen",
]


@pytest.fixture
def land(app):
    """Peine (funding entries: 1st call granted 1.005.706 €, 2nd call no participation, 3rd call
    1.471.833 €) and Steinfurt, coordinated by the sample Landesstelle with the sample budget."""
    import_file(app, PEINE)
    import_file(app, STEINFURT)
    with app.app_context():
        row = land_sample.seed_sample_land(
            db.session, load_strategy(land_sample.SAMPLE_FILE.read_text(encoding="utf-8"))
        )
        db.session.commit()
        orgs = dict(db.session.execute(sa.select(models.Organisation.name, models.Organisation.id)).all())
        return {"land": row.organisation_id, **orgs}


def test_landesbericht_word_has_one_heading_per_section_and_the_funding(land, client_as):
    member = client_as({land["land"]: "lesen"})
    data = fetch_document(member, f"/landesebene/{land['land']}/landesbericht.docx").data
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings == SECTION_HEADINGS
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Mittel des Landes: 65.000.000 €" in text
    assert "2 Ämtern haben Handlungsbedarf" in text
    assert "3. Förderaufruf (01.09.2024 – 31.08.2026):" in text
    cells = {c.text for t in document.tables for r in t.rows for c in r.cells}
    assert "Letzte Messung älter als 24 Monate" in cells  # every sample office was last measured in 2024
    # the trend chart, with its alternative text
    (picture,) = document.inline_shapes
    assert picture._inline.docPr.get("descr").startswith("Digitalisierungsstrategie: 20")
    assert "Landkreis Peine" in cells and "abgeschlossen: 1.005.706 €" in cells
    assert "Clouddienst für den Austausch von Dateien mit schutzbedürftigen Daten" in cells
    # the header row of every table repeats and is read as a header
    assert all(t.rows[0]._tr.trPr is not None for t in document.tables)


def test_landesbericht_pdf_is_accessible_and_the_same_request_finds_the_same_job(land, client_as):
    member = client_as({land["land"]: "lesen"})
    url = f"/landesebene/{land['land']}/landesbericht.pdf"
    pdf = fetch_document(member, url)
    assert pdf.mimetype == "application/pdf"
    assert "Landesbericht" in pdf.headers["Content-Disposition"]
    types = assert_accessible_pdf(pdf.data, "Landesbericht Digitalisierung ÖGD – Landesstelle (Beispiel)")
    assert types["/Table"] >= 4 and types["/Figure"] == 1  # the trend chart (with alternative text, checked above)
    with pikepdf.open(io.BytesIO(pdf.data)) as document, document.open_outline() as outline:
        bookmarks = [item.title for item in outline.root[0].children] if outline.root else []
    assert bookmarks == SECTION_HEADINGS
    again = member.get(url)
    first = member.get(url)
    assert again.headers["Location"] == first.headers["Location"]  # nothing made twice for the same data
    page = member.get(first.headers["Location"]).get_data(as_text=True)
    assert "Fertig." in page and "herunterladen" in page and 'http-equiv="refresh"' not in page


def test_a_change_of_the_data_makes_a_new_document(land, client_as, app):
    from datetime import timedelta

    admin = client_as(is_admin=True)
    url = f"/landesebene/{land['land']}/landesbericht.docx"
    fetch_document(admin, url)
    before = admin.get(url).headers["Location"]
    with app.app_context():  # a document of eight days ago: deleted when the next one is asked for
        old = DocumentJob(
            id="0" * 32,
            kind="landesbericht_docx",
            organisation_id=land["land"],
            options={},
            fingerprint="0" * 64,
            title="alt",
            created_at=models.utcnow() - timedelta(days=8),
        )
        db.session.add(old)
        db.session.commit()
    response = admin.post(
        f"/landesebene/{land['land']}/foerderaufrufe/mittel",
        data={"amount": "70000000", "source": "", "lock_version": "1"},
    )
    assert response.status_code == 302
    assert admin.get(url).headers["Location"] != before
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentJob)) == 2


def test_job_page_while_waiting_and_progress_as_json(land, client_as, app, monkeypatch):
    """A job not yet done: the page reloads itself without JavaScript, has a live region, and the
    download is not offered (404 if asked for)."""
    monkeypatch.setitem(app.config, "JOB_WORKER", "process")  # nothing in this process takes the job
    # nor a worker thread of an earlier test's app: on PostgreSQL they share the queue, as instances do
    deadline = time.monotonic() + 30
    while any(t.is_alive() for t in list(jobs._threads.values())):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    member = client_as({land["land"]: "lesen"})
    started = member.get(f"/landesebene/{land['land']}/landesbericht.pdf")
    page_url = started.headers["Location"]
    page = member.get(page_url).get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert 'role="status" aria-live="polite"' in page and "<progress" in page
    assert "Wartet auf einen freien Platz" in page
    state = member.get(page_url + "/stand").get_json()
    assert state == {
        "state": "wartend",
        "progress": 0,
        "step": "Wartet auf einen freien Platz in der Warteschlange.",
        "error": "",
        "done": False,
        "failed": False,
        "download": None,
        "filename": None,
    }
    assert member.get(page_url + "/datei").status_code == 404
    # the queue holds the job: a worker started now (here: this process's thread) makes it
    monkeypatch.setitem(app.config, "JOB_WORKER", "thread")
    member.get(page_url)  # looking at a waiting job starts the worker
    deadline = time.monotonic() + 120
    while not member.get(page_url + "/stand").get_json()["done"]:
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_a_failing_document_says_so_in_german(land, client_as, app, monkeypatch):
    def broken(job, report):
        report(50, "Halb fertig.")
        raise RuntimeError("kaputt")

    monkeypatch.setitem(jobs.KINDS, "landesbericht_pdf", jobs.Kind("landesbericht_pdf", "Landesbericht (PDF)", broken))
    member = client_as({land["land"]: "lesen"})
    page_url = member.get(f"/landesebene/{land['land']}/landesbericht.pdf").headers["Location"]
    deadline = time.monotonic() + 60
    while not (state := member.get(page_url + "/stand").get_json())["failed"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert state["error"] == "Beim Erstellen ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut."
    page = member.get(page_url).get_data(as_text=True)
    assert "Nicht erstellt:" in page and "kaputt" not in page
    # a failed job is not found again: asking once more starts a new one
    assert member.get(f"/landesebene/{land['land']}/landesbericht.pdf").headers["Location"] != page_url


def test_jobs_are_seen_only_by_who_sees_the_organisation(land, client_as):
    member = client_as({land["land"]: "lesen"})
    page_url = member.get(f"/landesebene/{land['land']}/landesbericht.docx").headers["Location"]
    stranger = client_as({land["Landkreis Peine"]: "verwalten"})
    assert stranger.get(page_url).status_code == 404
    assert stranger.get(page_url + "/stand").status_code == 404
    assert stranger.get(page_url + "/datei").status_code == 404
    assert stranger.get(f"/landesebene/{land['land']}/landesbericht.pdf").status_code == 404
    assert member.get("/dokumente/" + "x" * 40).status_code == 404
    assert member.get(f"/landesebene/{land['land']}/landesbericht.odt").status_code == 404


def test_funding_across_the_state_against_the_budget(land, client_as):
    member = client_as({land["land"]: "lesen"})
    text = member.get(f"/landesebene/{land['land']}/foerderaufrufe").get_data(as_text=True)
    assert "Mittel des Landes: <strong>65.000.000 €</strong>" in text
    # Peine: 1st call 1.005.706 € (abgeschlossen), 3rd call 1.471.833 € (bewilligt); Steinfurt: no entries
    assert "Bewilligt über alle Aufrufe: <strong>2.477.539 €</strong> (3,8 %)" in text
    assert "01.07.2023 – 30.06.2025" in text  # the NLGA's second funding period, beside Peine's
    assert "Kein Amt hat zu diesem Aufruf eine Angabe." not in text
    assert "Mittel des Landes</a>" in text and "Mittel des Landes ändern" not in text  # read only


def test_funding_export_keeps_amounts_as_numbers(land, client_as):
    member = client_as({land["land"]: "lesen"})
    response = member.get(f"/landesebene/{land['land']}/foerderaufrufe.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    calls = book[book.sheetnames[0]]
    rows = list(calls.iter_rows(min_row=5, values_only=True))
    first = next(r for r in rows if r[0] == "1. Förderaufruf")
    assert first[2:4] == (1, 1) and first[6] == 1005706
    assert calls.cell(5 + rows.index(first), 7).number_format == '#,##0.00 "€"'


def test_budget_form_keeps_bad_input_and_needs_write_access(land, client_as, app):
    url = f"/landesebene/{land['land']}/foerderaufrufe/mittel"
    reader = client_as({land["land"]: "lesen"})
    page = reader.get(url).get_data(as_text=True)
    assert "65.000.000 €" in page and '<form method="post" class="form"' not in page
    assert reader.post(url, data={"amount": "1"}).status_code == 404
    editor = client_as({land["land"]: "bearbeiten"})
    bad = editor.post(url, data={"amount": "-5", "source": "Haushalt 2027", "lock_version": "1"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Die Mittel dürfen nicht negativ sein." in text and 'value="Haushalt 2027"' in text
    stale = editor.post(url, data={"amount": "5", "source": "", "lock_version": "0"})
    assert stale.status_code == 409 and "inzwischen geändert" in stale.get_data(as_text=True)
    assert editor.post(url, data={"amount": "", "source": "", "lock_version": "1"}).status_code == 302
    text = editor.get(f"/landesebene/{land['land']}/foerderaufrufe").get_data(as_text=True)
    assert "Die Mittel des Landes sind nicht hinterlegt." in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(models.land.LandBudget)) == 0


def test_atlas_export_has_every_match_and_is_the_askers_own(land, client_as, app):
    member = client_as({land["land"]: "lesen"})
    url = "/atlas.xlsx?dimension=IT-Sicherheit"
    page_url = member.get(url).headers["Location"]
    data = fetch_document(member, url).data
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book["Maßnahmen"]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    atlas = member.get("/atlas?dimension=IT-Sicherheit").get_data(as_text=True)
    total = int(atlas.split('<h2 id="treffer-h">')[1].split(" ")[0])
    assert len(rows) == total > 0
    assert {r[1] for r in rows} <= {"Landkreis Peine", "Gesundheitsamt Kreis Steinfurt", "Landesstelle (Beispiel)"}
    # the job is the asker's: another user with the same rights does not see it
    other = client_as({land["land"]: "lesen"})
    assert other.get(page_url).status_code == 404
    assert other.get(page_url + "/datei").status_code == 404
    # a malformed search is refused in German, nothing queued
    bad = member.get("/atlas.xlsx?von=13/2025")
    assert bad.status_code == 422


def test_land_landscape_export(land, client_as, app):
    with app.app_context():
        for office, name in (
            (land["Landkreis Peine"], "=SurvNet"),
            (land["Gesundheitsamt Kreis Steinfurt"], "SurvNet"),
        ):
            db.session.add(
                models.land.Application(organisation_id=office, name=name, vendor="RKI", task_area="Infektionsschutz")
            )
        db.session.commit()
    member = client_as({land["land"]: "lesen"})
    response = member.get(f"/organisationen/{land['land']}/landeslandkarte.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "Anwendungen je Amt",
        "Anwendungen",
        "Gemeinsame Beschaffung",
        "Gemeinsame Schnittstellen",
    ]
    entries = list(book["Anwendungen je Amt"].iter_rows(min_row=5, values_only=True))
    assert (
        "Gesundheitsamt Kreis Steinfurt",
        "SurvNet",
        "RKI",
        "Infektionsschutz",
        "On Premise",
        "im Einsatz",
        None,
    ) in entries
    assert any(e[1] == "=SurvNet" for e in entries)  # text, not a formula
    stranger = client_as({land["Landkreis Peine"]: "verwalten"})
    assert stranger.get(f"/organisationen/{land['land']}/landeslandkarte.xlsx").status_code == 404


def test_planner_worker_makes_the_queued_documents(land, client_as, app, database_url, tmp_path):
    """Production: the web processes only queue (PLANNER_JOB_WORKER=process); `planner worker`, a
    process of its own on the same database, makes the document; SIGTERM stops it."""
    import os
    import signal
    import subprocess
    import sys

    app.config["JOB_WORKER"] = "process"
    deadline = time.monotonic() + 30  # no worker thread of an earlier app on a shared queue
    while any(t.is_alive() for t in list(jobs._threads.values())):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    member = client_as({land["land"]: "lesen"})
    page_url = member.get(f"/landesebene/{land['land']}/landesbericht.docx").headers["Location"]
    assert member.get(page_url + "/stand").get_json()["state"] == "wartend"
    env = os.environ | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test",
        "PLANNER_JOB_WORKER": "process",
        "PLANNER_INSTANCE": str(tmp_path),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "planner.cli", "worker", "--threads", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (state := member.get(page_url + "/stand").get_json())["done"]:
            assert not state["failed"] and worker.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.3)
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    assert "planner worker: 1 Thread(s)" in output
    assert member.get(state["download"]).data.startswith(b"PK")
