"""The Steckbrief PDF read back with pdftotext: every field, cover and contents, one measure per page, filters."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import DATA, STEINFURT
from test_steckbriefe_context import full_strategy

from planner.formats.strategy_file import load_strategy
from planner.steckbriefe import SheetFilter, bundle_view
from planner.steckbriefe.render import bundle_pdf, document_html, overflowing, render_document

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")

GENERATED = date(2026, 11, 25)


def pages(pdf: bytes, tmp_path: Path, raw: bool = False) -> list[str]:
    """The text of every page; hyphenation at line ends undone, whitespace collapsed.

    `raw`: in content order (the tagged reading order) instead of pdftotext's physical layout,
    which interleaves the two columns of a sheet line by line."""
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    mode = ["-raw"] if raw else []
    text = subprocess.run(["pdftotext", *mode, str(path), "-"], check=True, capture_output=True, text=True).stdout
    result = []
    for page in text.split("\f")[:-1]:
        page = re.sub(r"[\u2010\u00ad]\n", "", page)  # WeasyPrint hyphenates with U+2010
        result.append(re.sub(r"\s+", " ", page).strip())
    return result


def _head(page: str) -> str:
    """The page's running header, kicker and title (up to the status tag)."""
    return page.split("Status:")[0]


def _bundle(strategy, flt=None):
    return bundle_view(strategy, flt or SheetFilter(), generated=GENERATED)


@pytest.fixture(scope="module")
def full_pages(tmp_path_factory) -> list[str]:
    return pages(bundle_pdf(_bundle(full_strategy())), tmp_path_factory.mktemp("pdf"))


@pytest.fixture(scope="module")
def full_pages_raw(tmp_path_factory) -> list[str]:
    return pages(bundle_pdf(_bundle(full_strategy())), tmp_path_factory.mktemp("pdf"), raw=True)


def test_cover_page(full_pages):
    cover = full_pages[0]
    for text in [
        "Gesundheitsamt Kreis Musterfurt",
        "Maßnahmensteckbriefe",
        "Digitalisierungsstrategie Gesundheitsamt Musterfurt",
        "Version 1.0",
        "Ein digitales, bürgernahes Gesundheitsamt.",
        "Schritt für Schritt, gemeinsam mit den Mitarbeitenden.",
        "Bürgerfreundlich",
        "Erstellt am 25.11.2026",
        "4 Maßnahmen",
    ]:
        assert text in cover, text
    assert "Seite 1 von" not in cover  # no page number on the cover


def test_contents_lists_every_measure_with_its_page(full_pages):
    toc = full_pages[1]
    assert toc.startswith("Gesundheitsamt Kreis Musterfurt") and "Inhalt" in toc
    for title, page in [
        ("*Entwicklung eines Schulungskonzepts für Mitarbeitende", 3),
        ("Nichttechnische und technische Schulungen", 4),
        ("Beschaffung und Einführung eines Chatbots", 6),
    ]:
        assert re.search(re.escape(title) + r" ?\.+ ?" + str(page) + r"\b", toc), (title, toc)
    assert "* in der zweiten Evaluationsschleife hinzugefügt" in toc


def test_one_measure_per_page_even_with_many_owners_and_long_texts(full_pages):
    assert len(full_pages) == 2 + 4
    titles = [m.title for m in full_strategy().measures]
    for page, title in zip(full_pages[2:], titles, strict=True):
        head = _head(page)
        assert sum(t in head for t in titles) == 1
        assert title in head
    crowded = full_pages[4]
    # all 16 owners and the last field of the sheet are on the page
    assert "Verantwortliche Person Nr. 15 aus dem Sachgebiet Überwachung (Support)" in crowded
    assert "Online-Terminvergabe der Kfz-Zulassung" in crowded
    assert "Seite 5 von 6" in crowded


def test_every_field_of_a_measure_page(full_pages, full_pages_raw):
    page = full_pages[2] + " | " + full_pages_raw[2]  # each text whole in one of the two readings
    for text in [
        "Maßnahmensteckbrief · Dimension Mitarbeitende",
        "*Entwicklung eines Schulungskonzepts für Mitarbeitende",
        "Status: in Umsetzung",
        "* in der zweiten Evaluationsschleife hinzugefügt",
        "Es wird ein Schulungskonzept erstellt. Dadurch wird schriftlich festgehalten, welche Themen zu schulen sind.",
        "Befähigung zur nachhaltigen Nutzung; Kompetenzentwicklung bei den Mitarbeitenden.",
        "Dringlichkeit: hoch (5 von 5)",
        "Machbarkeit: mittel (3 von 5)",
        "Prozessdigitalisierung",
        "Schulungen, Sensibilisierung",
        "Stufe 3",
        "12.500,50 €",
        "foerderaufruf-3",
        "1. Bedarfe erheben 2. Schulungsformate wählen 3. Schulungsplan abstimmen",
        "Annika Feldhues (Lead) • Andreas Heeke (Support)",
        "Haupt-/Personalamt • IT-Sicherheitsbeauftragter • Personalrat",
        "Beteiligung Personalrat • gesetzliche Anforderungen • Datenschutzkonformität",
        "Geplante Umsetzung: 01/2023 – 04/2023",
        "Grundlage für • Nichttechnische und technische Schulungen (ab 04/2023)",
        "Abhängigkeit von keine",
        "Praxisbeispiele",  # the footer line may come between heading and list in the physical order
        "• d.3-Schulungen (Grundlagen, Tipps & Tricks) • Miro",
        "tatsächlich: seit 02/2023",
        "Indikatoren für die Wirkungsevaluation",
        "Durchgeführte Schulungen je Mitarbeitender: Ausgangswert 0 Schulungen · Ziel 2,5 Schulungen · "
        "zuletzt 1,25 Schulungen (15.03.2024)",
        "Zufriedenheit mit den Schulungen: noch nicht gemessen",
        "Erstellt am 25.11.2026",
        "Seite 3 von 6",
    ]:
        assert text in page, text


def test_unknown_ratings_read_unbekannt_and_dependencies_show_both_ways(full_pages, full_pages_raw):
    chatbot = full_pages[5] + " | " + full_pages_raw[5]
    assert "Dringlichkeit: unbekannt" in chatbot and "Machbarkeit: unbekannt" in chatbot
    assert "im Backlog" in chatbot
    courses = full_pages[3]
    assert "Abhängigkeit von • Entwicklung eines Schulungskonzepts für Mitarbeitende (01/2023 – 04/2023)" in courses
    assert "Geplante Umsetzung: ab 04/2023" in courses


def test_owner_filter_all_steckbriefe_of_one_person(tmp_path):
    bundle = _bundle(full_strategy(), SheetFilter(owner="Annika Feldhues"))
    text = pages(bundle_pdf(bundle), tmp_path)
    assert len(text) == 2 + 2
    assert "Auswahl: Verantwortlich: Annika Feldhues" in text[0]
    assert "2 Maßnahmen" in text[0]
    heads = " ".join(_head(page) for page in text[2:])
    assert "Chatbot" not in heads and "Terminkalendertool" not in heads


def test_dimension_and_status_filters(tmp_path):
    by_dim = pages(bundle_pdf(_bundle(full_strategy(), SheetFilter(dimension="Bürgerzentrierung"))), tmp_path)
    assert len(by_dim) == 4 and "Auswahl: Dimension Bürger*innenzentrierung" in by_dim[0]
    by_status = pages(bundle_pdf(_bundle(full_strategy(), SheetFilter(status="fortlaufend"))), tmp_path)
    assert len(by_status) == 3 and "Nichttechnische und technische Schulungen" in by_status[2]


def test_single_measure_is_one_page_without_cover(tmp_path):
    text = pages(bundle_pdf(_bundle(full_strategy(), SheetFilter(measure="schulungen"))), tmp_path)
    assert len(text) == 1
    assert "Nichttechnische und technische Schulungen" in text[0]
    assert "Seite 1 von 1" in text[0] and "Erstellt am 25.11.2026" in text[0]
    assert "Inhalt" not in text[0]


def test_links_between_sheets_only_inside_a_bundle():
    html = document_html(_bundle(full_strategy()))
    assert 'href="#m-schulungskonzept"' in html
    single = document_html(_bundle(full_strategy(), SheetFilter(measure="schulungen")))
    assert 'href="#m-' not in single


def test_sample_strategy(tmp_path):
    strategy = load_strategy((DATA / "sample.yaml").read_text(encoding="utf-8"))
    text = pages(bundle_pdf(_bundle(strategy)), tmp_path)
    assert len(text) == 2 + len(strategy.measures)


@pytest.mark.skipif(not STEINFURT.exists(), reason="Steinfurt strategy file not yet transcribed")
def test_steinfurt_bundle_one_page_per_measure(tmp_path):
    strategy = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    bundle = _bundle(strategy)
    document = render_document(bundle)
    assert overflowing(document, bundle) == []
    text = pages(document.write_pdf(), tmp_path)
    assert len(text) == 2 + len(strategy.measures)
    for page, m in zip(text[2:], strategy.measures, strict=True):
        assert page.count("Maßnahmensteckbrief · Dimension") == 1
        # titles keep their case in the PDF's text and may break after a hyphen (which pdftotext then drops)
        assert re.sub(r"[\s-]", "", m.title) in re.sub(r"[\s-]", "", page)
    assert "Gesundheitsamt Kreis Steinfurt" in text[0]


def test_contents_start_under_their_heading_when_every_entry_opens_a_dimension(tmp_path):
    from planner.domain.catalogue import catalogue
    from planner.domain.strategy import Measure
    from planner.domain.verstetigung import TrackedStrategy

    dims = catalogue().dimension_names
    strategy = TrackedStrategy(
        organisation="Gesundheitsamt Beispiel",
        title="Dreißig Maßnahmen",
        measures=[Measure(key=f"m{i}", title=f"Maßnahme Nummer {i}", dimension=dims[i % len(dims)]) for i in range(30)],
    )
    text = pages(bundle_pdf(_bundle(strategy)), tmp_path)
    assert "Inhalt" in text[1] and "Maßnahme Nummer 0" in text[1]
    toc_pages = len(text) - 1 - 30
    assert toc_pages in (1, 2)
    assert "Maßnahme Nummer 0" in text[1 + toc_pages]


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo (poppler-utils) not installed")
def test_pdf_is_tagged_and_titled(tmp_path):
    path = tmp_path / "steckbriefe.pdf"
    path.write_bytes(bundle_pdf(_bundle(full_strategy())))
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Tagged:\s+yes", info)
    assert "Maßnahmensteckbriefe – Digitalisierungsstrategie Gesundheitsamt Musterfurt" in info
