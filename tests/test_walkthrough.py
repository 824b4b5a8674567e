"""Findings of walking the product as its users do (strategy team, measure owner, admin)."""

from __future__ import annotations

import re

import pytest
from auth_support import form_data
from conftest import domain
from lxml import html as lxml_html

from planner.domain.months import Month


@pytest.mark.db
def test_saving_a_measure_that_now_starts_too_early_warns_and_the_page_names_the_conflict(client, steinfurt_id):
    base = f"/strategien/{steinfurt_id}/massnahmen/beschaffung-hardware"
    page = client.get(base).text
    assert "Zeitkonflikt" not in page
    data = form_data(client.get(f"{base}/bearbeiten").text)
    assert data["start"] == "05/2023"
    response = client.post(f"{base}/bearbeiten", data={**data, "start": "03/2023"}, follow_redirects=True)
    assert response.status_code == 200
    text = response.text
    assert "Die Maßnahme wurde gespeichert." in text
    assert "flash-warning" in text
    assert (
        "„Beschaffung Hardware“ beginnt 03/2023, hängt aber von „Anforderungsprofile an die Arbeitsplätze“ ab (endet 04/2023)"
        in text
    )
    # the prerequisite's page shows the same conflict
    other = client.get(f"/strategien/{steinfurt_id}/massnahmen/anforderungsprofile").text
    assert "Zeitkonflikt" in other and "beginnt 03/2023" in other


@pytest.mark.db
def test_saving_without_conflict_gives_no_warning(client, steinfurt_id):
    base = f"/strategien/{steinfurt_id}/massnahmen/beschaffung-hardware"
    data = form_data(client.get(f"{base}/bearbeiten").text)
    response = client.post(f"{base}/bearbeiten", data={**data, "start": "04/2023"}, follow_redirects=True)
    assert "Die Maßnahme wurde gespeichert." in response.text
    assert "flash-warning" not in response.text


@pytest.mark.db
def test_progress_page_calls_a_measure_past_its_planned_end_late_like_the_review(app, client, steinfurt_id):
    app.config["TODAY"] = "2024-03-15"
    page = client.get(f"/strategien/{steinfurt_id}/massnahmen/beschaffung-hardware/verstetigung").text
    assert "noch nicht beurteilbar" not in page
    # planned 05/2023–12/2023: 03/2024 − 12/2023 = 3 months, the same words on both pages
    assert "Abschluss überfällig seit 3 Monaten" in page and "geplantes Ende 12/2023 überschritten" in page
    prepared = client.post(f"/strategien/{steinfurt_id}/strategiereviews/vorbereiten").headers["Location"]
    review = client.get(prepared).text
    assert "Abschluss überfällig seit 3 Monaten" in review
    # a measure whose planned months have not come yet stays open
    app.config["TODAY"] = "2022-06-01"
    running = client.get(f"/strategien/{steinfurt_id}/massnahmen/prozessoptimierung-rpa/verstetigung").text
    assert "noch nicht beurteilbar" in running


@pytest.mark.db
def test_verlauf_of_a_measure_after_progress_and_evaluation_speaks_german(app, client, steinfurt_id):
    base = f"/strategien/{steinfurt_id}/massnahmen/beschaffung-hardware"
    progress = {"status": "abgeschlossen", "actual_start": "04/2023", "actual_end": "02/2024"}
    progress |= {"changed_on": "01.03.2024", "by": "IT-Service"}
    assert client.post(f"{base}/fortschritt", data=progress).status_code == 302
    evaluation = {"kind": "prozess", "due": "2024-03", "performed": "10.03.2024", "by": "IT-Service"}
    evaluation |= {"done": "ja", "schedule_kept": "nein", "went_well": "Frühe Abstimmung", "outcome": "fortfuehren"}
    assert client.post(f"{base}/evaluation", data=evaluation).status_code == 302
    page = client.get(base).text
    doc = lxml_html.fromstring(page)
    verlauf = " ".join(doc.xpath("//table[contains(@class,'audit-table')]")[0].itertext())
    for raw in ("verstetigung_", "actual_end", "performed_on", "schedule_kept", "went_well", "fortfuehren", "kind:"):
        assert raw not in verlauf, raw
    assert "Evaluation" in verlauf and "Statusänderung" in verlauf
    assert "Tatsächliches Ende" in verlauf and "02/2024" in verlauf
    assert "Durchgeführt am: 10.03.2024" in verlauf and "Ergebnis: fortführen" in verlauf
    assert "Art: Prozessevaluation" in verlauf
    assert "T20" not in verlauf and "2024-03-10" not in verlauf
    # a created evaluation lists only what was filled in
    assert "Bürgerbefragung" not in verlauf and "Kernfrage" not in verlauf


@pytest.mark.db
def test_verlauf_writes_dates_the_german_way_and_marks_shortened_values(client, steinfurt_id):
    from planner.services.verlauf import display

    assert display("2023-05", "start", {}) == "05/2023"
    assert display("2026-11-25T20:49:07.241980", "created_at", {}) == "25.11.2026 20:49"
    assert display("Planung 2023-05", "title", {}) == "Planung 2023-05"
    page = client.get(f"/strategien/{steinfurt_id}/massnahmen/beschaffung-hardware").text
    full = lxml_html.fromstring(page).xpath("//a[text()='Vollständigen Verlauf anzeigen']/@href")[0]
    history = client.get(full).text
    assert "Geplanter Beginn: 05/2023" in history
    assert "digitales Arbeiten s;" not in history  # cut without a mark before
    assert "…" in history


@pytest.mark.db
def test_backlog_never_deferred_again_is_not_called_zero_times_deferred(client, steinfurt_id, tmp_path):
    import subprocess

    prepared = client.post(f"/strategien/{steinfurt_id}/strategiereviews/vorbereiten").headers["Location"]
    page = client.get(prepared).text
    assert "0-mal" not in page
    assert "noch nie" in page
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(client.get(f"{prepared}.pdf").data)
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "0-mal" not in out and "Beschaffung und Einführung eines Chatbots" in out
    form = client.get(f"/strategien/{steinfurt_id}/fortschreibung").text
    assert "0-mal" not in form and "noch nie erneut zurückgestellt" in form


def _organisation_of(app, strategy_id: int) -> int:
    from planner import models
    from planner.extensions import db

    with app.app_context():
        return db.session.get(models.Strategy, strategy_id).organisation_id


@pytest.mark.db
def test_a_reader_is_offered_no_change_that_would_answer_404(app, client_as, steinfurt_id):
    org = _organisation_of(app, steinfurt_id)
    reader, editor = client_as({org: "lesen"}), client_as({org: "bearbeiten"})
    s = f"/strategien/{steinfurt_id}"
    pages = {
        "/": ["Neue Strategie anlegen", "/strategien/importieren"],
        s: ["Neue Maßnahme", "Strategie bearbeiten"],
        f"{s}/massnahmen/beschaffung-hardware": ["/bearbeiten", "/loeschen", "Abhängigkeit hinzufügen", "entfernen"],
        f"{s}/massnahmen/beschaffung-hardware/verstetigung": [
            "Stand speichern",
            "Prozessevaluation erfassen",
            "Neuen Indikator anlegen",
            "/evaluation?",
        ],
        f"{s}/fahrplan": ["Basisplan anlegen"],
        f"{s}/reifegrad": ["Ergebnisblatt erfassen", "Kriterien beantworten"],
        f"{s}/strategiereviews": ["Review vorbereiten"],
        f"{s}/versionen": ["Fortschreibung erstellen"],
    }
    for url, offers in pages.items():
        as_reader = reader.get(url)
        assert as_reader.status_code == 200, url
        as_editor = editor.get(url).text
        for offer in offers:
            assert offer in as_editor, (url, offer)
            assert offer not in as_reader.text, (url, offer)
    # and the reader is told why
    assert "nur Leserechte" in reader.get(f"{s}/strategiereviews").text
    # the links a reader would have seen indeed answer 404
    assert reader.get(f"{s}/massnahmen/beschaffung-hardware/bearbeiten").status_code == 404


def test_every_audited_column_has_a_german_label():
    import planner.models  # noqa: F401
    from planner.models import Model
    from planner.services.audit import NOT_AUDITED
    from planner.services.verlauf import FIELD_LABELS, TABLE_LABELS

    for table in Model.metadata.sorted_tables:
        if table.name in NOT_AUDITED:
            continue
        assert table.name in TABLE_LABELS, table.name
        missing = [c.name for c in table.columns if c.name not in FIELD_LABELS and c.name not in ("id", "lock_version")]
        assert not missing, (table.name, missing)


@pytest.mark.db
def test_fortschreibung_replans_missed_measures_into_the_new_period(app, client, steinfurt_id):
    app.config["TODAY"] = "2025-03-01"
    data = form_data(client.get(f"/strategien/{steinfurt_id}/fortschreibung").text)
    decisions = {k: "behalten" for k in data if re.fullmatch(r"d_\d+", k)}
    assert len(decisions) == 22
    data |= decisions | {"version": "2025", "adopted": "03/2025"}
    response = client.post(f"/strategien/{steinfurt_id}/fortschreibung", data=data, follow_redirects=True)
    assert response.status_code == 200
    text = response.text
    assert "Die Version „2025“ wurde angelegt." in text
    # the measures whose months passed without a start are re-planned inside the new period
    assert "vor dem neuen Planungszeitraum" not in text
    new_id = int(re.search(r'href="/strategien/(\d+)/versionen"', text).group(1))
    unfinished = [m for m in domain(app, new_id).measures if m.status.value in ("geplant", "in_umsetzung")]
    assert unfinished and all(m.start is None or m.start >= Month(2025, 3) for m in unfinished)


@pytest.mark.db
def test_the_old_version_says_it_was_carried_over_and_offers_no_edits(app, client, steinfurt_id):
    data = form_data(client.get(f"/strategien/{steinfurt_id}/fortschreibung").text)
    data |= {k: "behalten" for k in data if re.fullmatch(r"d_\d+", k)} | {"version": "2025", "adopted": "03/2025"}
    new_id = int(client.post(f"/strategien/{steinfurt_id}/fortschreibung", data=data).headers["Location"].split("/")[2])
    old = client.get(f"/strategien/{steinfurt_id}").text
    assert "Diese Version wurde fortgeschrieben" in old and f'href="/strategien/{new_id}"' in old
    assert "Strategie bearbeiten" not in old and "Neue Maßnahme" not in old
    measure = client.get(f"/strategien/{steinfurt_id}/massnahmen/chatbot").text
    assert "Diese Version wurde fortgeschrieben" in measure and "/bearbeiten" not in measure
    new = client.get(f"/strategien/{new_id}").text
    assert "fortgeschrieben" not in new and "Strategie bearbeiten" in new
    index = lxml_html.fromstring(client.get("/").text)
    rows = [" ".join(tr.itertext()) for tr in index.xpath("//tbody/tr")]
    # one strategy: the current version 2025, the old one folded beneath it as superseded
    steinfurt_rows = [r for r in rows if "Steinfurt" in r]
    assert len(steinfurt_rows) == 1
    assert "2025" in steinfurt_rows[0] and "Version 2023" in steinfurt_rows[0] and "abgelöst" in steinfurt_rows[0]


@pytest.mark.db
def test_new_dependency_has_no_preselected_measure(app, client, steinfurt_id):
    base = f"/strategien/{steinfurt_id}/massnahmen/beschaffung-hardware"
    doc = lxml_html.fromstring(client.get(base).text)
    options = doc.xpath("//select[@name='dep-prerequisite']/option")
    assert options[0].get("value") == "" and options[0].text == "bitte wählen"
    response = client.post(f"{base}/abhaengigkeiten", data={"dep-prerequisite": ""}, follow_redirects=True)
    assert "Bitte wählen Sie eine Maßnahme aus" in response.text
    assert "hängt jetzt von" not in response.text


@pytest.mark.db
def test_downloads_are_named_after_organisation_and_version(client, steinfurt_id):
    s = f"/strategien/{steinfurt_id}"
    stem = "gesundheitsamt-kreis-steinfurt-2023"
    for url, name in [
        (f"{s}/fahrplan.pdf", f"fahrplan-{stem}.pdf"),
        (f"{s}/evaluationen.ics", f"evaluationen-{stem}.ics"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'filename="{name}"' in response.headers["Content-Disposition"], url


def test_file_stem():
    from planner.web.filters import file_stem

    assert file_stem("Landkreis Peine", "Vorlage 2025/006") == "landkreis-peine-vorlage-2025-006"
    assert file_stem("Gesundheitsamt Köln-Süd", None) == "gesundheitsamt-koeln-sued"
    assert file_stem("", "   ") == ""


@pytest.mark.db
def test_a_carried_over_version_offers_no_plan_changes(app, client, client_as, steinfurt_id):
    s = f"/strategien/{steinfurt_id}"
    assert "Basisplan anlegen" in client.get(f"{s}/fahrplan").text
    assert "übernehmen</button>" in client.get(f"{s}/planungsvorschlag").text
    reader = client_as({_organisation_of(app, steinfurt_id): "lesen"})
    assert "übernehmen</button>" not in reader.get(f"{s}/planungsvorschlag").text
    data = form_data(client.get(f"{s}/fortschreibung").text)
    data |= {k: "behalten" for k in data if re.fullmatch(r"d_\d+", k)} | {"version": "2025", "adopted": "03/2025"}
    assert client.post(f"{s}/fortschreibung", data=data).status_code == 302
    assert "Basisplan anlegen" not in client.get(f"{s}/fahrplan").text
    assert "übernehmen</button>" not in client.get(f"{s}/planungsvorschlag").text


@pytest.mark.db
def test_verlauf_names_objects_instead_of_database_ids(client, steinfurt_id):
    page = client.get(f"/strategien/{steinfurt_id}/massnahmen/beschaffung-hardware").text
    table = lxml_html.fromstring(page).xpath("//table[contains(@class,'audit-table')]")[0]
    objects = [" ".join(td.itertext()).strip() for td in table.xpath(".//tbody/tr/td[3]")]
    assert "Maßnahme „Beschaffung Hardware“" in objects
    assert "Verantwortliche(r)" in objects  # an owner link has no name of its own: no database id either
    assert not any(re.search(r"\d", o) for o in objects), objects


@pytest.mark.db
def test_full_verlauf_page_names_the_measure_and_leads_back(client, steinfurt_id):
    base = f"/strategien/{steinfurt_id}/massnahmen/beschaffung-hardware"
    full = lxml_html.fromstring(client.get(base).text).xpath("//a[text()='Vollständigen Verlauf anzeigen']/@href")[0]
    doc = lxml_html.fromstring(client.get(full).text)
    assert doc.xpath("string(//h1)") == "Verlauf: Maßnahme „Beschaffung Hardware“"
    assert doc.xpath("//a[text()='Zur Maßnahme']/@href") == [base]


@pytest.mark.db
def test_progress_page_counts_months_in_proper_german(client, steinfurt_id):
    base = f"/strategien/{steinfurt_id}/massnahmen/beschaffung-hardware"
    progress = {"status": "abgeschlossen", "actual_start": "06/2023", "actual_end": "02/2024"}
    assert (
        client.post(f"{base}/fortschritt", data=progress | {"changed_on": "01.03.2024", "by": "IT"}).status_code == 302
    )
    page = client.get(f"{base}/verstetigung").text
    assert "Monat(e)" not in page
    assert "(2 Monate später)" in page and "Beginn 1 Monat später als geplant" in page
