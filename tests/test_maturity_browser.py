"""Maturity journeys in a real browser, with axe-core on every maturity page.

1. Enter two result sheets by hand, see the levels (dimension = minimum), compare them and
   check the 1st funding call rule by rule.
2. Peine's file: overview with radar and heat table, Anlage 1, comparison, funding call 3,
   targets, gap analysis.
3. Criteria: a faulty catalogue import is refused with line numbers; answering the seed's
   example gives Interaktion 0 and Präferenzen "–"; edit and delete pages.
"""

from __future__ import annotations

import re

import pytest
from a11y import assert_accessible
from conftest import DATA, PEINE, import_file
from playwright.sync_api import Page, expect

from planner.domain.catalogue import catalogue

pytestmark = pytest.mark.browser


def _fill_sheet(page: Page, when: str, levels: dict[str, str]) -> None:
    """Fill the result-sheet form: the date and one option label per subdimension."""
    page.get_by_label("Datum der Messung").fill(when)
    for sub, option in levels.items():
        page.get_by_label(sub, exact=True).select_option(label=option)


def test_enter_result_sheets_see_levels_compare_and_check_funding(page: Page, live_server, live_app, screenshot):
    sid = import_file(live_app, DATA / "sample.yaml")
    page.goto(f"{live_server.url}/strategien/{sid}")
    page.get_by_role("link", name="Reifegrad").first.click()
    expect(page.get_by_role("heading", name="Noch keine Reifegradmessung")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Ergebnisblatt erfassen").click()
    expect(page.get_by_role("heading", name="Ergebnisblatt erfassen")).to_be_visible()
    assert_accessible(page)
    # nothing entered: refused with a German message, status 422, still accessible
    page.get_by_label("Datum der Messung").fill("2022-06-09")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("nicht gespeichert")
    # once in the error summary (a link to the field) and once beside the field
    expect(page.get_by_role("link", name="Datum der Messung: Bitte mindestens für eine Subdimension")).to_be_visible()
    expect(page.get_by_text("mindestens für eine Subdimension")).to_have_count(2)
    assert_accessible(page)

    subs = catalogue().subdimension_names
    first = dict.fromkeys(subs, "Stufe 0") | {
        "Präferenzen": "– (Stufe 0 nicht erreicht)",
        "Verantwortlichkeiten": "Stufe 2",
    }
    _fill_sheet(page, "2022-06-09", first)
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Die Messung vom 09.06.2022 wurde gespeichert")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Anlage 1 Ergebnis der Reifegradmessung"))).to_be_visible()
    dims = page.locator("table.anlage1 tr.dim-start")
    # Digitalisierungsstrategie = min(0, 2, 0) = 0; Bürger*innenzentrierung = "–" (Präferenzen)
    expect(dims.filter(has_text="Digitalisierungsstrategie").locator("td.dim-level")).to_have_text("0")
    expect(dims.filter(has_text="Bürger*innenzentrierung").locator("td.dim-level")).to_have_text("–")
    verantwortlich = page.locator("table.anlage1 tr").filter(has_text="Verantwortlichkeiten")
    expect(verantwortlich.locator("td.mark.on")).to_have_count(3)
    assert_accessible(page)

    # a second sheet: Digitalisierungsstrategie 0 -> 3, three more dimensions 0 -> 2
    page.get_by_role("link", name="Reifegrad", exact=True).first.click()
    page.get_by_role("link", name="Ergebnisblatt erfassen").first.click()
    second = dict.fromkeys(subs, "Stufe 0") | {"Präferenzen": "Stufe 0"}
    for dim in ("Mitarbeitende", "IT-Sicherheit", "Zusammenarbeit"):
        second |= dict.fromkeys(catalogue().dimension(dim).subdimensions, "Stufe 2")
    second |= dict.fromkeys(catalogue().dimension("Digitalisierungsstrategie").subdimensions, "Stufe 3")
    _fill_sheet(page, "2024-11-07", second)
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Die Messung vom 07.11.2024 wurde gespeichert")).to_be_visible()

    page.get_by_role("link", name="Reifegrad", exact=True).first.click()
    expect(page.locator("table.heat")).to_be_visible()
    assert_accessible(page)
    screenshot("maturity-entered-overview")

    page.get_by_role("navigation", name="Seiten im Bereich Reifegrad").get_by_role("link", name="Vergleich").click()
    summary = page.locator(".summary")
    # Digitalisierungsstrategie 0 -> 3, Mitarbeitende, IT-Sicherheit, Zusammenarbeit 0 -> 2, Bürger*innen – -> 0
    expect(summary).to_contain_text("4 von 8 Dimensionen")
    expect(summary).to_contain_text("Stufe 3 erreicht: Digitalisierungsstrategie (neu)")
    assert_accessible(page)

    page.get_by_role("navigation", name="Seiten im Bereich Reifegrad").get_by_role("link", name="Förderaufrufe").click()
    page.get_by_label("Förderaufruf", exact=True).select_option("foerderaufruf-1")
    page.get_by_label("Ausgangsmessung", exact=True).select_option(label="09.06.2022")
    page.get_by_label("Verglichen mit").select_option(label="Messung vom 07.11.2024")
    page.get_by_role("button", name="Prüfen").click()
    rules = page.locator("table.rules")
    improved = rules.get_by_role("row", name=re.compile("mindestens drei Dimensionen"))
    expect(improved).to_contain_text("erfüllt")
    expect(improved).to_contain_text("4 Dimensionen um mindestens 2 Stufen verbessert")
    budget = rules.get_by_role("row", name=re.compile("IT-Sicherheit verwendet"))
    expect(budget).to_contain_text("nicht prüfbar")
    expect(budget).to_contain_text("Keiner Maßnahme ist der 1. Förderaufruf zugeordnet")
    screenshot("maturity-funding-entered")
    assert_accessible(page)


def test_peine_pages(page: Page, live_server, live_app, screenshot):
    sid = import_file(live_app, PEINE)
    base = f"{live_server.url}/strategien/{sid}/reifegrad"
    page.goto(base)
    expect(page.get_by_role("heading", name="Reifegrad nach dem Reifegradmodell ReDiGe")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Netzdiagramm der acht Dimensionen"))).to_be_visible()
    heat = page.locator("table.heat")
    expect(heat.get_by_role("row", name=re.compile("^Organisation der IT-Beschaffung"))).to_contain_text("4")
    assert_accessible(page)
    screenshot("maturity-peine-overview")

    page.get_by_role("link", name="Messung vom 09.06.2022", exact=True).click()
    expect(page.get_by_text("Landkreis Peine, Zeitpunkt der Datenübermittlung: 09.06.2022")).to_be_visible()
    assert_accessible(page)
    screenshot("maturity-peine-anlage1-2022")
    pdf = page.get_by_role("link", name="Anlage 1 als PDF").get_attribute("href")
    assert page.request.get(live_server.url + pdf).headers["content-type"] == "application/pdf"

    tabs = page.get_by_role("navigation", name="Seiten im Bereich Reifegrad")
    tabs.get_by_role("link", name="Vergleich").click()
    expect(page.locator(".summary")).to_contain_text("3 von 8 Dimensionen")
    expect(page.locator(".summary")).to_contain_text("IT-Bereitstellung (– → 2)")
    assert_accessible(page)
    screenshot("maturity-peine-comparison")

    tabs.get_by_role("link", name="Förderaufrufe").click()
    page.get_by_label("Förderaufruf", exact=True).select_option("foerderaufruf-3")
    page.get_by_role("button", name="Prüfen").click()
    expect(page.get_by_role("heading", name="3. Förderaufruf: 01.09.2024 – 31.08.2026")).to_be_visible()
    expect(page.get_by_text("1.471.833 €").first).to_be_visible()
    expect(page.locator("table.rules")).to_contain_text("selbst prüfen")
    assert_accessible(page)
    screenshot("maturity-peine-funding-3")

    tabs.get_by_role("link", name="Ziele").click()
    assert_accessible(page)
    page.get_by_label("Präferenzen", exact=True).select_option(label="Stufe 2")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Die Ziele wurden gespeichert")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Lückenanalyse"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("Präferenzen")
    assert_accessible(page)
    screenshot("maturity-peine-gaps")


def test_criteria_import_and_answers(page: Page, live_server, live_app, tmp_path, screenshot):
    sid = import_file(live_app, DATA / "sample.yaml")
    base = f"{live_server.url}/strategien/{sid}/reifegrad"
    page.goto(base + "/kriterien")
    expect(page.get_by_role("heading", name=re.compile("Beispielkatalog"))).to_be_visible()
    assert_accessible(page)
    bad = tmp_path / "katalog.csv"
    bad.write_text("Subdimension;Stufe;Kriterium\nSchulungen;0;Gut\nSchulungn;1;Tippfehler\nSchulungen;7;x\n", "utf-8")
    page.get_by_label("Kriterienkatalog (CSV oder XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Katalog importieren").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Zeile 3: Unbekannte Subdimension „Schulungn“.")
    expect(alert).to_contain_text("Zeile 4: „7“ ist keine Stufe (erlaubt: 0 bis 4).")
    expect(page.get_by_role("heading", name=re.compile("Beispielkatalog"))).to_be_visible()  # nothing taken over
    assert_accessible(page)

    page.get_by_role("link", name="Kriterien beantworten").click()
    page.get_by_label("Datum der Messung").fill("2024-11-07")
    answers = {  # the seed's answers (Peine slides), every criterion of both subdimensions
        "Die Kommunikation mit Bürger*innen erfolgt auch digital": "Trifft zu",
        "Eine Online-Verfügbarkeit und Web-Präsenz": "Trifft zu",
        "Mindestens eine digitale One-to-One-Kommunikation": "Trifft zu",
        "FAQs zu den häufigsten Fragen": "Trifft nicht zu",
        "Die digitale Two-to-Many-Kommunikation": "In Umsetzung",
        "Den Bürger*innen wird eine medienbruchfreie": "In Umsetzung",
        "Es wird eine Mischung aus Online- und Offline-Diensten": "In Umsetzung",
        "Beratungsgespräche und Angebote zur Gesundheitsförderung": "Trifft nicht zu",
        "Die individuellen Präferenzen von Bürger*innen": "Trifft nicht zu",
        "Die online verfügbaren Informationen werden regelmäßig": "Trifft nicht zu",
        "Ein alternativer Kanal": "Trifft zu",
        "Proaktive Push-Benachrichtigungen": "Trifft nicht zu",
        "Das Gesundheitsamt stellt Bürger*innen die gängigen Onlineanwendungen": "In Umsetzung",
        "Geschäftsprozesse und IT-Systeme werden": "Trifft nicht zu",
    }
    first_text, first_answer = next(iter(answers.items()))
    page.locator("fieldset.criterion").filter(has_text=first_text).get_by_label(first_answer, exact=True).check()
    page.get_by_role("button", name="Speichern").click()
    # half-answered: refused, the open criteria of Interaktion are marked, the answer given is kept
    expect(page.get_by_role("alert")).to_contain_text("nicht gespeichert")
    # the 8 open criteria: each marked at its fieldset (and listed once more in the error summary)
    open_criteria = page.locator("fieldset.criterion").filter(
        has_text="Andere Kriterien von „Interaktion“ sind beantwortet"
    )
    expect(open_criteria).to_have_count(8)
    assert_accessible(page)
    for text, answer in answers.items():
        group = page.locator("fieldset.criterion").filter(has_text=text)
        group.get_by_label(answer, exact=True).check()
    assert_accessible(page)
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", name="Interaktion: Stufe 0")).to_be_visible()
    expect(page.get_by_role("heading", name="Präferenzen: Stufe –")).to_be_visible()
    expect(page.get_by_text("FAQs zu den häufigsten Fragen").first).to_be_visible()
    assert_accessible(page)
    screenshot("maturity-criteria-assessment")

    page.get_by_role("link", name="Bearbeiten").click()
    expect(page.get_by_label("Schwelle in Prozent")).to_have_value("80")
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Löschen").click()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("löschen", re.I)).click()
    expect(page.get_by_text("wurde gelöscht")).to_be_visible()
