"""Every maturity page through the Flask client: levels, assessments of both kinds, comparison,
targets, gaps, funding check, criteria import, downloads, and another organisation's ids."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest
from conftest import PEINE, domain, form_data, import_file, version_of
from openpyxl import load_workbook

from planner.extensions import db
from planner.formats.criteria import criteria_to_xlsx, parse_csv, sample_criteria
from planner.services import maturity as service
from planner.services.strategies import load_strategy_row

pytestmark = pytest.mark.db


@pytest.fixture
def peine_id(app) -> int:
    return import_file(app, PEINE)


def url(sid: int, path: str = "") -> str:
    return f"/strategien/{sid}/reifegrad{path}"


def entries(app, sid):
    with app.app_context():
        return service.maturity_for(db.session, load_strategy_row(db.session, sid)).entries


# --- overview, radar, heat table -------------------------------------------------------------


def test_overview_shows_levels_radar_and_heat_table(client, peine_id):
    html = client.get(url(peine_id)).text
    assert "Letzte Messung" in html and "07.11.2024" in html and "09.06.2022" in html
    assert f'src="{url(peine_id, "/radar.svg")}"' in html
    assert 'alt="Netzdiagramm der acht Dimensionen.' in html
    assert 'class="lvl lvl-4">4</td>' in html  # Organisation der IT-Beschaffung
    assert html.count('class="lvl lvl-none">–</td>') >= 10
    assert "Dimensionen auf Zielstufe</dt><dd>0 von 8" in html
    assert f'href="{url(peine_id)}"' in client.get(f"/strategien/{peine_id}").text  # the sub-navigation links here


def test_overview_without_assessments_explains_what_to_do(client, sample_id):
    html = client.get(url(sample_id)).text
    assert "Noch keine Reifegradmessung" in html
    assert url(sample_id, "/messungen/neu/ergebnisblatt") in html
    assert client.get(url(sample_id, "/radar.svg")).status_code == 200


def test_radar_svg_is_accessible_and_png_available(client, peine_id):
    response = client.get(url(peine_id, "/radar.svg"))
    assert response.mimetype == "image/svg+xml"
    svg = response.text
    assert 'role="img"' in svg and "<title" in svg
    assert "Letzte Messung 07.11.2024: Digitalisierungsstrategie 1" in svg
    assert "IT-Bereitstellung 2" in svg
    assert client.get(url(peine_id, "/radar.png")).mimetype == "image/png"
    assert client.get(url(peine_id, "/radar.gif")).status_code == 404


# --- assessment pages and the result sheet ------------------------------------------------------


def test_assessment_page_is_anlage_1_with_x_marks(client, app, peine_id):
    first, second = entries(app, peine_id)
    html = client.get(url(peine_id, f"/messungen/{first.id}")).text
    assert "Anlage 1 Ergebnis der Reifegradmessung" in html
    assert "Landkreis Peine, Zeitpunkt der Datenübermittlung: 09.06.2022" in html
    assert _row(html, "Organisation der IT-Beschaffung").count('class="mark on"') == 5
    row = _row(html, "Verantwortlichkeiten")
    assert row.count('class="mark on"') == 3 and '<td class="level">2</td>' in row
    # the dimension cell spans its subdimensions and shows the minimum
    assert '<td rowspan="4" class="level dim-level">–</td>' in _row(html, "IT-Arbeitsplatz")


def _row(html: str, name: str) -> str:
    start = html.index(f'class="sub">{name}<')
    return html[start : html.index("</tr>", start)]


def test_result_sheet_pdf_and_xlsx(client, app, peine_id):
    _, second = entries(app, peine_id)
    pdf = client.get(url(peine_id, f"/messungen/{second.id}/anlage-1.pdf"))
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    xlsx = client.get(url(peine_id, f"/messungen/{second.id}/anlage-1.xlsx"))
    assert "anlage-1-reifegrad-2024-11-07.xlsx" in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = {r[1]: r for r in sheet.iter_rows(min_row=6, values_only=True) if r[1]}
    assert rows["Verantwortlichkeiten"][2:7] == ("X", "X", "X", "X", None)
    assert rows["Verantwortlichkeiten"][7] == 3
    assert rows["Definition, Kommunikation und Umsetzung"][8] == 1  # Digitalisierungsstrategie = min(1, 3, 3)
    assert rows["Präferenzen"][7] == "–"
    assert sheet["A1"].value == "Digitales Gesundheitsamt 2025"


def test_another_organisations_assessment_answers_404(client, app, peine_id, sample_id):
    first, _ = entries(app, peine_id)
    for path in ("", "/bearbeiten", "/loeschen", "/anlage-1.pdf", "/anlage-1.xlsx"):
        assert client.get(url(sample_id, f"/messungen/{first.id}{path}")).status_code == 404
    for path in ("/bearbeiten", "/loeschen"):  # nor can it be changed or deleted through another strategy
        assert client.post(url(sample_id, f"/messungen/{first.id}{path}"), data=_sheet_form()).status_code == 404
    assert len(entries(app, peine_id)) == 2
    assert client.get(url(sample_id, f"/vergleich?von={first.id}")).status_code == 200  # ignored, not shown
    assert "09.06.2022" not in client.get(url(sample_id, f"/vergleich?von={first.id}")).text
    assert "09.06.2022" not in client.get(url(sample_id, f"/foerderung?basis={first.id}")).text
    assert client.get(url(9999)).status_code == 404


# --- entering assessments ------------------------------------------------------------------------


def _sheet_form(**levels) -> dict:
    data = {"assessed_on": "2025-03-01", "note": "Zwischenstand"}
    from planner.domain.catalogue import catalogue

    for i, sub in enumerate(catalogue().subdimension_names):
        data[f"sub_{i}"] = levels.get(sub, "")
    return data


def test_enter_result_sheet(client, app, sample_id):
    form = _sheet_form(Interaktion="2", Präferenzen="none", Schulungen="3")
    response = client.post(url(sample_id, "/messungen/neu/ergebnisblatt"), data=form)
    assert response.status_code == 302
    (entry,) = entries(app, sample_id)
    assert entry.assessment.levels == {"Schulungen": 3, "Interaktion": 2, "Präferenzen": None}
    assert entry.assessment.date == date(2025, 3, 1) and entry.assessment.note == "Zwischenstand"
    assert entry.assessment.dimension_levels() == {"Bürger*innenzentrierung": None}


def test_result_sheet_form_errors_keep_the_input_and_answer_422(client, app, sample_id):
    form = _sheet_form(Interaktion="2") | {"assessed_on": "31.02.2025"}
    response = client.post(url(sample_id, "/messungen/neu/ergebnisblatt"), data=form)
    assert response.status_code == 422
    assert "„31.02.2025“ ist kein Datum" in response.text
    assert 'value="31.02.2025"' in response.text
    assert '<option selected value="2">Stufe 2</option>' in response.text
    empty = client.post(url(sample_id, "/messungen/neu/ergebnisblatt"), data=_sheet_form())
    assert empty.status_code == 422 and "mindestens für eine Subdimension" in empty.text
    bad = client.post(url(sample_id, "/messungen/neu/ergebnisblatt"), data=_sheet_form(Interaktion="7"))
    assert bad.status_code == 422
    assert entries(app, sample_id) == []


def test_same_date_twice_is_refused_on_the_date_field(client, app, peine_id):
    response = client.post(
        url(peine_id, "/messungen/neu/ergebnisblatt"), data=_sheet_form(Interaktion="1") | {"assessed_on": "09.06.2022"}
    )
    assert response.status_code == 422
    assert "Zum 09.06.2022 gibt es bereits eine Messung" in response.text
    assert len(entries(app, peine_id)) == 2


def test_edit_result_sheet_prefills_and_saves(client, app, peine_id):
    first, _ = entries(app, peine_id)
    page = client.get(url(peine_id, f"/messungen/{first.id}/bearbeiten")).text
    assert 'value="2022-06-09"' in page
    assert '<option selected value="none">– (Stufe 0 nicht erreicht)</option>' in page
    form = _sheet_form(**{k: ("none" if v is None else str(v)) for k, v in first.assessment.levels.items()})
    form |= {"assessed_on": "2022-06-09", "sub_16": "3"}  # Identitäts- und Zugangsmanagement
    form |= {"lock_version": version_of(client, url(peine_id, f"/messungen/{first.id}/bearbeiten"))}
    assert client.post(url(peine_id, f"/messungen/{first.id}/bearbeiten"), data=form).status_code == 302
    changed = entries(app, peine_id)[0].assessment
    assert changed.levels["Identitäts- und Zugangsmanagement"] == 3
    assert changed.levels["IT-Arbeitsplatz"] is None and len(changed.levels) == 27


def _criteria_page_fields(html: str) -> list[str]:
    import re

    return sorted(set(re.findall(r'name="(c_\d+)"', html)), key=lambda n: int(n[2:]))


SEED_ANSWERS = [
    "trifft_zu", "trifft_zu", "trifft_zu", "trifft_nicht_zu", "in_umsetzung", "in_umsetzung", "in_umsetzung",
    "trifft_nicht_zu", "trifft_nicht_zu",  # Interaktion 0..4
    "trifft_nicht_zu", "trifft_zu", "trifft_nicht_zu", "in_umsetzung", "trifft_nicht_zu",  # Präferenzen 0..4
]  # fmt: skip


def test_criteria_answers_form_computes_the_seed_example(client, app, sample_id):
    page = client.get(url(sample_id, "/messungen/neu/kriterien")).text
    assert "Beispielkriterien zu Interaktion und Präferenzen" in page
    assert "nach „online“ abgeschnitten" in page  # the note on the truncated criterion
    fields = _criteria_page_fields(page)
    assert len(fields) == 14
    form = {"assessed_on": "2022-06-09", "threshold": "80"} | dict(zip(fields, SEED_ANSWERS, strict=True))
    response = client.post(url(sample_id, "/messungen/neu/kriterien"), data=form)
    assert response.status_code == 302
    (entry,) = entries(app, sample_id)
    assert entry.assessment.subdimension_levels() == {"Interaktion": 0, "Präferenzen": None}
    assert entry.assessment.threshold is None  # 80 % is the default and not stored
    html = client.get(response.headers["Location"]).text
    assert "Interaktion: Stufe 0" in html and "Präferenzen: Stufe –" in html
    assert "Was Stufe 1 zurückhält" in html and "FAQs zu den häufigsten Fragen" in html
    assert "Es fehlt noch 1 Kriterium mit „Trifft zu“ (1 von 2, nötig 2)" in html


def test_criteria_form_threshold_and_errors(client, app, sample_id):
    page = client.get(url(sample_id, "/messungen/neu/kriterien")).text
    fields = _criteria_page_fields(page)
    form = {"assessed_on": "2024-01-10", "threshold": "50"} | dict(zip(fields, SEED_ANSWERS, strict=True))
    assert client.post(url(sample_id, "/messungen/neu/kriterien"), data=form).status_code == 302
    (entry,) = entries(app, sample_id)
    assert entry.assessment.threshold == 0.5
    assert entry.assessment.subdimension_levels()["Interaktion"] == 1  # 1 of 2 at stage 1 is enough at 50 %
    bad = client.post(
        url(sample_id, "/messungen/neu/kriterien"), data={"assessed_on": "2024-02-01", "threshold": "150"}
    )
    assert bad.status_code == 422
    assert "zwischen 1 und 100 Prozent" in bad.text and "mindestens ein Kriterium" in bad.text
    edit = client.get(url(sample_id, f"/messungen/{entry.id}/bearbeiten")).text
    assert 'value="50"' in edit
    assert '<input checked id="c_3-2" name="c_3" type="radio" value="trifft_nicht_zu">' in edit  # the FAQs criterion


def test_delete_assessment_asks_first(client, app, peine_id):
    first, _ = entries(app, peine_id)
    page = client.get(url(peine_id, f"/messungen/{first.id}/loeschen"))
    assert "löschen?" in page.text
    assert client.post(url(peine_id, f"/messungen/{first.id}/loeschen")).status_code == 302
    assert [e.assessment.date for e in entries(app, peine_id)] == [date(2024, 11, 7)]
    # the funding entry that named it as baseline no longer does
    assert domain(app, peine_id).funding[0].baseline is None


# --- comparison, targets, gaps, funding ---------------------------------------------------------


def test_comparison_page(client, app, peine_id):
    html = client.get(url(peine_id, "/vergleich")).text
    assert "3 von 8 Dimensionen</strong> um mindestens 2 Stufen verbessert" in html
    assert "IT-Bereitstellung (– → 2)" in html and "Zusammenarbeit (0 → 2)" in html
    assert "keine Dimension" in html
    first, second = entries(app, peine_id)
    same = client.get(url(peine_id, f"/vergleich?von={first.id}&bis={first.id}")).text
    assert "zwei verschiedene Messungen" in same
    reverse = client.get(url(peine_id, f"/vergleich?von={second.id}&bis={first.id}")).text
    assert "0 von 8 Dimensionen" in reverse and 'class="delta-down">-3<' in reverse


def test_comparison_needs_two_assessments(client, sample_id):
    assert "mindestens zwei Messungen" in client.get(url(sample_id, "/vergleich")).text


def test_targets_form_saves_only_what_differs_from_stage_3(client, app, sample_id):
    from planner.domain.catalogue import catalogue

    page = client.get(url(sample_id, "/ziele")).text
    assert page.count('<option selected value="3">Stufe 3</option>') == 27
    form = {f"sub_{i}": "3" for i in range(27)} | {"lock_version": form_data(page)["lock_version"]}
    names = catalogue().subdimension_names
    form[f"sub_{names.index('Präferenzen')}"] = "2"
    form[f"sub_{names.index('Datenschutz')}"] = "4"
    assert client.post(url(sample_id, "/ziele"), data=form).status_code == 302
    assert domain(app, sample_id).targets == {"Präferenzen": 2, "Datenschutz": 4}
    form["lock_version"] = version_of(client, url(sample_id, "/ziele"))
    bad = client.post(url(sample_id, "/ziele"), data=form | {"sub_0": "9"})
    assert bad.status_code == 422 and "nicht gespeichert" in bad.text
    assert domain(app, sample_id).targets == {"Präferenzen": 2, "Datenschutz": 4}


def test_gaps_page(client, peine_id, sample_id):
    html = client.get(url(peine_id, "/luecken")).text
    assert 'Subdimensionen unter Ziel ohne Maßnahme <span class="count">(10)' in html
    assert "Präferenzen" in html and "Keine Maßnahme nennt diese Subdimension." in html
    assert "Dimensionen, die ihr Ziel im Fahrplanzeitraum nicht erreichen" in html
    sample = client.get(url(sample_id, "/luecken")).text
    assert "keine Messung" in sample
    assert 'Maßnahmen ohne Subdimension <span class="count">(3)' in sample
    assert "Nichttechnische und technische Schulungen" in sample


def test_funding_page_checks_rule_by_rule(client, app, peine_id):
    html = client.get(url(peine_id, "/foerderung")).text
    assert "1. Förderaufruf: 01.10.2022 – 30.09.2024" in html
    assert "1.005.706 €" in html and "1.471.833 €" in html
    assert "keine Teilnahme" in html
    assert "Ausgangsmessung: <strong>Messung vom 09.06.2022</strong>" in html
    assert "verglichen mit: <strong>Ziele der Strategie</strong>" in html
    assert "8 Dimensionen um mindestens 2 Stufen verbessert" in html
    assert "haben kein Budget" in html
    _, second = entries(app, peine_id)
    measured = client.get(url(peine_id, f"/foerderung?aufruf=foerderaufruf-1&vergleich={second.id}")).text
    assert "3 Dimensionen um mindestens 2 Stufen verbessert" in measured
    third = client.get(url(peine_id, "/foerderung?aufruf=foerderaufruf-3")).text
    assert "01.09.2024 – 30.08.2026" in third  # the NLGA's differing end date stays visible
    assert "In weiteren Dimensionen Stufe drei erreicht" in third
    assert "selbst prüfen" in third
    assert "Notstromversorgung" in third
    unknown = client.get(url(peine_id, "/foerderung?aufruf=gibtsnicht&basis=abc"))
    assert unknown.status_code == 200 and "1. Förderaufruf: 01.10.2022" in unknown.text


def test_funding_page_without_anything(client, sample_id):
    html = client.get(url(sample_id, "/foerderung")).text
    assert "keine Ausgangsmessung" in html and "Keiner Maßnahme ist der 1. Förderaufruf zugeordnet" in html


# --- criteria catalogue -----------------------------------------------------------------------------


def test_criteria_page_shows_the_sample_and_templates_download(client, sample_id):
    html = client.get(url(sample_id, "/kriterien")).text
    assert "Beispielkatalog (Peine-Folien)" in html and "(14 Kriterien)" in html
    xlsx = client.get(url(sample_id, "/kriterien/vorlage.xlsx"))
    book = load_workbook(io.BytesIO(xlsx.data))
    assert [c.value for c in book["Kriterien"][1]] == ["Subdimension", "Stufe", "Kriterium", "Hinweis"]
    assert book["Subdimensionen"].max_row >= 28
    csv_text = client.get(url(sample_id, "/kriterien/vorlage.csv")).data.decode("utf-8-sig")
    assert csv_text.startswith("Subdimension;Stufe;Kriterium;Hinweis")
    assert client.get(url(sample_id, "/kriterien/vorlage.pdf")).status_code == 404


def test_criteria_import_replaces_the_catalogue_all_or_nothing(client, app, sample_id):
    good = "Subdimension;Stufe;Kriterium\nSchulungen;0;Es gibt ein Schulungsangebot.\nSchulungen;1;Stufe 1 Text\n"
    response = client.post(
        url(sample_id, "/kriterien"),
        data={"file": (io.BytesIO(good.encode()), "katalog.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    html = client.get(url(sample_id, "/kriterien")).text
    assert "(2 Kriterien)" in html and "Katalog von Gesundheitsamt Musterstadt" in html
    bad = "Subdimension;Stufe;Kriterium\nSchulungen;0;Neu\nSchulungn;1;Tippfehler\nSchulungen;9;Stufe falsch\n"
    response = client.post(
        url(sample_id, "/kriterien"),
        data={"file": (io.BytesIO(bad.encode()), "katalog.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Zeile 3: Unbekannte Subdimension „Schulungn“." in response.text
    assert "Zeile 4: „9“ ist keine Stufe (erlaubt: 0 bis 4)." in response.text
    assert "(2 Kriterien)" in response.text  # the previous catalogue is untouched
    # the criteria form now offers the organisation's own criteria
    assert len(_criteria_page_fields(client.get(url(sample_id, "/messungen/neu/kriterien")).text)) == 2


def test_criteria_import_xlsx_and_wrong_file_type(client, sample_id):
    data = criteria_to_xlsx(sample_criteria())
    response = client.post(
        url(sample_id, "/kriterien"), data={"file": (io.BytesIO(data), "k.xlsx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    wrong = client.post(
        url(sample_id, "/kriterien"), data={"file": (io.BytesIO(b"x"), "k.pdf")}, content_type="multipart/form-data"
    )
    assert wrong.status_code == 422 and "CSV- oder XLSX-Datei" in wrong.text
    broken = client.post(
        url(sample_id, "/kriterien"),
        data={"file": (io.BytesIO(b"kein excel"), "k.xlsx")},
        content_type="multipart/form-data",
    )
    assert broken.status_code == 422 and "keine lesbare Excel-Arbeitsmappe" in broken.text


def test_measure_form_offers_subdimensions_target_stage_and_funding_call(client, sample_id):
    html = client.get(f"/strategien/{sample_id}/massnahmen/neu").text
    assert "Subdimensionen, auf die die Maßnahme zielt" in html and 'value="Präferenzen"' in html
    assert "Angestrebte Reifegradstufe" in html and "Zählt in der Lückenanalyse" in html
    assert "3. Förderaufruf" in html


# --- write access, and the measure form feeding the gap analysis and the funding check ---------


def test_data_changing_routes_need_write_access(client, app, peine_id, monkeypatch):
    from planner.web import access

    first, _ = entries(app, peine_id)
    monkeypatch.setattr(access, "may_write", lambda organisation_id: False)
    for path in ("", "/vergleich", "/ziele", "/luecken", "/foerderung", "/kriterien", f"/messungen/{first.id}"):
        assert client.get(url(peine_id, path)).status_code == 200, path
    for path in ("/messungen/neu/ergebnisblatt", "/messungen/neu/kriterien", f"/messungen/{first.id}/bearbeiten",
                 f"/messungen/{first.id}/loeschen"):  # fmt: skip
        assert client.get(url(peine_id, path)).status_code == 404, path
        assert client.post(url(peine_id, path), data=_sheet_form(Interaktion="1")).status_code == 404, path
    assert client.post(url(peine_id, "/ziele"), data={f"sub_{i}": "2" for i in range(27)}).status_code == 404
    upload = {"file": (io.BytesIO(b"Subdimension;Stufe;Kriterium\nSchulungen;0;x\n"), "k.csv")}
    assert client.post(url(peine_id, "/kriterien"), data=upload, content_type="multipart/form-data").status_code == 404
    assert len(entries(app, peine_id)) == 2 and domain(app, peine_id).targets == {}


def test_measure_form_links_subdimension_and_stage_into_gaps_and_funding(client, app, sample_id):
    client.post(url(sample_id, "/messungen/neu/ergebnisblatt"), data=_sheet_form(Präferenzen="none", Interaktion="0"))
    before = client.get(url(sample_id, "/luecken")).text
    uncovered = before[before.index('id="uncovered-h"') : before.index('id="covered-h"')]
    assert "Präferenzen" in uncovered
    form = {
        "title": "Newsletter für Bürger*innen",
        "dimension": "Bürger*innenzentrierung",
        "subdimensions": ["Präferenzen"],
        "target_stage": "3",
        "status": "geplant",
        "urgency": "",
        "feasibility": "",
        "start": "03/2025",
        "end": "09/2025",
        "budget": "12000.50",
        "funding_call": "3. Förderaufruf",
    }
    response = client.post(f"/strategien/{sample_id}/massnahmen/neu", data=form)
    assert response.status_code == 302, response.text
    measure = next(m for m in domain(app, sample_id).measures if m.title == form["title"])
    assert measure.subdimensions == ["Präferenzen"] and measure.target_stage == 3
    after = client.get(url(sample_id, "/luecken")).text
    uncovered = after[after.index('id="uncovered-h"') : after.index('id="covered-h"')]
    covered = after[after.index('id="covered-h"') : after.index('id="reach-h"')]
    assert "Präferenzen" not in uncovered
    assert "Newsletter für Bürger*innen" in covered and "Stufe 3" in covered
    funding = client.get(url(sample_id, "/foerderung?aufruf=foerderaufruf-3")).text
    assert "Newsletter für Bürger*innen" in funding and "12.000,50 €" in funding
    # the only budget of the call is outside IT-Sicherheit: 0 % of 12.000,50 €
    assert "0 € von 12.000,50 € für Maßnahmen der Dimension IT-Sicherheit: 0,0 %" in funding


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_result_sheet_pdf_reads_as_anlage_1(client, app, peine_id, tmp_path):
    first, second = entries(app, peine_id)
    path = tmp_path / "anlage1.pdf"
    path.write_bytes(client.get(url(peine_id, f"/messungen/{first.id}/anlage-1.pdf")).data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    lines = text.splitlines()
    assert lines[0].strip() == "Digitales Gesundheitsamt 2025"
    assert lines[1].strip() == "Anlage 1 Ergebnis der Reifegradmessung"

    def row(name: str) -> list[str]:
        line = next(x for x in lines if name in x)
        return line.split(name, 1)[1].split()

    # X marks and the level; the dimension's level (a cell spanning its rows) may share the line
    assert row("Verantwortlichkeiten")[:4] == ["X", "X", "X", "2"]
    assert row("Organisation der IT-Beschaffung")[:6] == ["X"] * 5 + ["4"]
    assert row("IT-Sicherheitsmanagement")[:1] == ["–"]
    assert row("Identitäts- und Zugangsmanagement")[:2] == ["X", "0"]
    assert "Landkreis Peine, Zeitpunkt der Datenübermittlung: 09.06.2022" in text
    assert "X: Mind. 80 % der beeinflussbaren Kriterien erreicht" in text


def test_criteria_catalogue_download(client, sample_id):
    sample = client.get(url(sample_id, "/kriterien/katalog.csv"))
    assert sample.mimetype == "text/csv" and "kriterienkatalog.csv" in sample.headers["Content-Disposition"]
    assert parse_csv(sample.data) == list(sample_criteria())
    own = "Subdimension;Stufe;Kriterium\nSchulungen;0;Es gibt ein Schulungsangebot.\n"
    client.post(
        url(sample_id, "/kriterien"),
        data={"file": (io.BytesIO(own.encode()), "k.csv")},
        content_type="multipart/form-data",
    )
    (only,) = parse_csv(client.get(url(sample_id, "/kriterien/katalog.csv")).data)
    assert (only.subdimension, only.stage, only.text) == ("Schulungen", 0, "Es gibt ein Schulungsangebot.")


def test_roles_reader_reads_other_organisation_sees_nothing(client_as, app, peine_id, sample_id):
    first, _ = entries(app, peine_id)
    with app.app_context():
        peine_org = load_strategy_row(db.session, peine_id).organisation_id
        sample_org = load_strategy_row(db.session, sample_id).organisation_id
    reader = client_as({peine_org: "lesen"})
    assert reader.get(url(peine_id)).status_code == 200
    assert reader.get(url(peine_id, f"/messungen/{first.id}/anlage-1.xlsx")).status_code == 200
    assert reader.get(url(peine_id, "/messungen/neu/ergebnisblatt")).status_code == 404
    assert reader.post(url(peine_id, f"/messungen/{first.id}/loeschen")).status_code == 404
    editor = client_as({peine_org: "bearbeiten"})
    assert editor.get(url(peine_id, f"/messungen/{first.id}/bearbeiten")).status_code == 200
    stranger = client_as({sample_org: "verwalten"})
    for path in ("", f"/messungen/{first.id}", f"/messungen/{first.id}/anlage-1.pdf", "/foerderung"):
        assert stranger.get(url(peine_id, path)).status_code == 404, path
    assert stranger.get(url(sample_id, f"/messungen/{first.id}")).status_code == 404
    assert len(entries(app, peine_id)) == 2


def test_measure_form_refuses_an_unknown_funding_call(client, app, sample_id):
    form = {"title": "Portal", "dimension": "Bürger*innenzentrierung", "status": "geplant", "urgency": "",
            "feasibility": "", "funding_call": "4. Förderaufruf"}  # fmt: skip
    response = client.post(f"/strategien/{sample_id}/massnahmen/neu", data=form)
    assert response.status_code == 422
    assert "Unbekannter Förderaufruf „4. Förderaufruf“. Bekannt sind: „1. Förderaufruf“" in response.text
    assert 'value="4. Förderaufruf"' in response.text
    assert (
        client.post(
            f"/strategien/{sample_id}/massnahmen/neu", data=form | {"funding_call": "foerderaufruf-3"}
        ).status_code
        == 302
    )


def test_criteria_form_refuses_a_half_answered_subdimension(client, app, sample_id):
    page = client.get(url(sample_id, "/messungen/neu/kriterien")).text
    fields = _criteria_page_fields(page)
    # only the two stage-0 criteria of Interaktion answered: the seven open ones would not count,
    # so they must be answered (or marked not influenceable) before the assessment is stored
    form = {"assessed_on": "2024-03-01", "threshold": "80", fields[0]: "trifft_zu", fields[1]: "trifft_zu"}
    response = client.post(url(sample_id, "/messungen/neu/kriterien"), data=form)
    assert response.status_code == 422
    # each beside its criterion and once more in the error summary at the top
    assert response.text.count("Andere Kriterien von „Interaktion“ sind beantwortet") == 14
    assert "Andere Kriterien von „Präferenzen“" not in response.text  # not answered at all: fine
    assert '<input checked id="c_0-0" name="c_0" type="radio" value="trifft_zu">' in response.text
    assert entries(app, sample_id) == []
    complete = form | dict.fromkeys(fields[2:9], "nicht_beeinflussbar")
    assert client.post(url(sample_id, "/messungen/neu/kriterien"), data=complete).status_code == 302
    (entry,) = entries(app, sample_id)
    assert entry.assessment.subdimension_levels() == {"Interaktion": 4}  # the rest is out of its influence


def test_editing_an_older_criteria_assessment_after_a_new_catalogue(client, app, sample_id):
    fields = _criteria_page_fields(client.get(url(sample_id, "/messungen/neu/kriterien")).text)
    form = {"assessed_on": "2022-06-09", "threshold": "80"} | dict(zip(fields, SEED_ANSWERS, strict=True))
    client.post(url(sample_id, "/messungen/neu/kriterien"), data=form)
    (entry,) = entries(app, sample_id)
    new = "Subdimension;Stufe;Kriterium\nInteraktion;0;Ein neues Kriterium.\nSchulungen;0;Es gibt Schulungen.\n"
    client.post(
        url(sample_id, "/kriterien"),
        data={"file": (io.BytesIO(new.encode()), "k.csv")},
        content_type="multipart/form-data",
    )
    page = client.get(url(sample_id, f"/messungen/{entry.id}/bearbeiten")).text
    assert "Ein neues Kriterium." not in page  # Interaktion was answered with the old criteria
    assert "Es gibt Schulungen." in page  # Schulungen was not answered: the catalogue's criterion is offered
    fields = _criteria_page_fields(page)
    assert len(fields) == 15
    again = {"assessed_on": "2022-06-09", "threshold": "80"} | dict(zip(fields, SEED_ANSWERS, strict=False))
    again |= {"lock_version": form_data(page)["lock_version"]}
    assert client.post(url(sample_id, f"/messungen/{entry.id}/bearbeiten"), data=again).status_code == 302
    assert entries(app, sample_id)[0].assessment.subdimension_levels() == {"Interaktion": 0, "Präferenzen": None}


def test_odd_input_never_ends_in_a_500(client, app, peine_id):
    first, _ = entries(app, peine_id)
    for path in (
        "/vergleich?von=abc&bis=-1",
        f"/vergleich?von={first.id}&bis=999999",
        "/luecken?messung=999999",
        "/foerderung?aufruf=&basis=&vergleich=xyz",
        "/foerderung?aufruf=foerderaufruf-2&basis=999999",
    ):
        assert client.get(url(peine_id, path)).status_code == 200, path
    for path in ("/messungen/999999", "/messungen/999999/bearbeiten", "/kriterien/vorlage.ods", "/radar.pdf"):
        assert client.get(url(peine_id, path)).status_code == 404, path
    posts = {
        "/messungen/neu/ergebnisblatt": {"assessed_on": "2025-01-01", "sub_0": "abc"},
        "/messungen/neu/kriterien": {"assessed_on": "", "threshold": "achtzig", "c_0": "vielleicht"},
        "/ziele": {"sub_3": "x"},
        "/kriterien": {},
    }
    for path, data in posts.items():
        response = client.post(url(peine_id, path), data=data)
        assert response.status_code == 422, path
        assert 'role="alert"' in response.text, path
        assert "Not a valid" not in response.text and "This field" not in response.text, path  # German only
    sheet = client.post(url(peine_id, "/messungen/neu/ergebnisblatt"), data=posts["/messungen/neu/ergebnisblatt"])
    assert "Keine gültige Auswahl." in sheet.text
    assert len(entries(app, peine_id)) == 2


def test_anlage_1_of_a_criteria_assessment_marks_each_met_stage(client, app, sample_id):
    fields = _criteria_page_fields(client.get(url(sample_id, "/messungen/neu/kriterien")).text)
    form = {"assessed_on": "2022-06-09", "threshold": "80"} | dict(zip(fields, SEED_ANSWERS, strict=True))
    client.post(url(sample_id, "/messungen/neu/kriterien"), data=form)
    (entry,) = entries(app, sample_id)
    xlsx = client.get(url(sample_id, f"/messungen/{entry.id}/anlage-1.xlsx"))
    cells = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(min_row=6, values_only=True))
    rows = {r[1]: r for r in cells if r[1]}
    # Präferenzen: stage 1 is met (1 of 1 "Trifft zu") above an unmet stage 0 – marked, level still "–"
    assert rows["Präferenzen"][2:9] == (None, "X", None, None, None, "–", None)
    assert rows["Interaktion"][2:9] == ("X", None, None, None, None, 0, "–")  # Bürger*innenzentrierung "–"
    assert rows["Schulungen"][7] == "k. A."
    legend = [r[0] for r in cells if r[0] and not r[1]]
    assert "X: Mind. 80 % der beeinflussbaren Kriterien erreicht" in legend
    pdf = client.get(url(sample_id, f"/messungen/{entry.id}/anlage-1.pdf"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
