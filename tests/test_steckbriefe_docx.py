"""The Word file: every field, real headings and tables, one measure per page, filters."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from docx import Document
from docx.oxml.ns import qn
from test_steckbriefe_context import full_strategy

from planner.steckbriefe import SheetFilter, bundle_view
from planner.steckbriefe.word import bundle_docx

GENERATED = date(2026, 11, 25)


def _doc(flt: SheetFilter | None = None):
    return Document(BytesIO(bundle_docx(bundle_view(full_strategy(), flt, generated=GENERATED))))


def _tables_text(doc) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def test_cover_and_contents():
    doc = _doc()
    texts = [p.text for p in doc.paragraphs]
    for text in [
        "Gesundheitsamt Kreis Musterfurt",
        "Maßnahmensteckbriefe",
        "Digitalisierungsstrategie Gesundheitsamt Musterfurt",
        "Version 1.0",
        "Ein digitales, bürgernahes Gesundheitsamt.",
        "Schritt für Schritt, gemeinsam mit den Mitarbeitenden.",
        "Erstellt am 25.11.2026",
        "Inhalt",
        "*Entwicklung eines Schulungskonzepts für Mitarbeitende (Mitarbeitende)",
    ]:
        assert text in texts, text
    assert doc.core_properties.author == "Gesundheitsamt Kreis Musterfurt"
    footer = doc.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("Erstellt am 25.11.2026\tSeite ")
    assert "PAGE" in footer._p.xml and "NUMPAGES" in footer._p.xml
    # the cover page has neither header nor footer
    assert doc.sections[0].different_first_page_header_footer
    assert doc.sections[0].first_page_footer.paragraphs[0].text == ""


def test_one_heading_per_measure_each_on_a_new_page():
    doc = _doc()
    titles = [
        p
        for p in doc.paragraphs
        if p.style.name == "Heading 1"
        and p.text not in {"Vision-Statement", "Mission-Statement", "Leitsätze", "Inhalt"}
    ]
    assert [p.text for p in titles] == [
        "*Entwicklung eines Schulungskonzepts für Mitarbeitende",
        "Nichttechnische und technische Schulungen",
        "Beschaffung und Einführung eines vollumfänglichen Terminkalendertools für alle Abteilungen des Gesundheitsamts",
        "Beschaffung und Einführung eines Chatbots",
    ]
    assert all(p.paragraph_format.page_break_before for p in titles)


def test_every_field_in_headings_tables_and_lists():
    doc = _doc(SheetFilter(measure="schulungskonzept"))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    heading2 = [t for s, t in paragraphs if s == "Heading 2"]
    assert heading2 == [
        "Beschreibung",
        "Ziel",
        "Bewertung und Einordnung",
        "Verantwortliche für die Maßnahme",
        "Beteiligte Akteure",
        "Anforderungen",
        "Geplante Umsetzung",
        "Schnittstellen zu anderen Maßnahmen",
        "Praxisbeispiele",
        "Operative Schritte",
        "Indikatoren für die Wirkungsevaluation",
    ]
    texts = [t for _, t in paragraphs]
    for text in [
        "Es wird ein Schulungskonzept erstellt. Dadurch wird schriftlich festgehalten, welche Themen zu schulen sind.",
        "Befähigung zur nachhaltigen Nutzung; Kompetenzentwicklung bei den Mitarbeitenden.",
        "01/2023 – 04/2023",
        "Haupt-/Personalamt",
        "Personalrat",
        "Datenschutzkonformität",
        "gesetzliche Anforderungen",
        "Nichttechnische und technische Schulungen (ab 04/2023)",
        "d.3-Schulungen (Grundlagen, Tipps & Tricks)",
        "Miro",
        "Bedarfe erheben",
        "Schulungsplan abstimmen",
        "tatsächlich: seit 02/2023",
        "Durchgeführte Schulungen je Mitarbeitender: Ausgangswert 0 Schulungen · Ziel 2,5 Schulungen · "
        "zuletzt 1,25 Schulungen (15.03.2024)",
    ]:
        assert text in texts, text
    assert ("List Number", "Bedarfe erheben") in paragraphs
    assert ("List Bullet", "Personalrat") in paragraphs
    assert [t for s, t in paragraphs if s == "Heading 3"] == ["Grundlage für", "Abhängigkeit von"]
    facts, owners = _tables_text(doc)
    assert dict(map(tuple, facts)) == {
        "Dimension": "Mitarbeitende",
        "Status": "in Umsetzung · * in der zweiten Evaluationsschleife hinzugefügt",
        "Angabe": "Wert",
        "Dringlichkeit": "hoch (5 von 5)",
        "Machbarkeit": "mittel (3 von 5)",
        "Geplante Umsetzung": "01/2023 – 04/2023",
        # planned end 04/2023, not finished: 11/2026 − 04/2023 = 43 months
        "Stand am 25.11.2026": "Abschluss überfällig seit 43 Monaten",
        "Weitere Dimensionen": "Prozessdigitalisierung",
        "Subdimensionen": "Schulungen, Sensibilisierung",
        "Angestrebte Stufe": "Stufe 3",
        "Budget": "12.500,50 €",
        "Förderaufruf": "foerderaufruf-3",
    }
    assert owners == [["Name", "Rolle"], ["Annika Feldhues", "Lead"], ["Andreas Heeke", "Support"]]
    # both tables have a marked header row (read with every cell, repeated on a new page)
    for table in doc.tables[:2]:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr is None or r._tr.trPr.find(qn("w:tblHeader")) is None for r in table.rows[1:])
    # the English roles are English runs
    lead = doc.tables[1].rows[1].cells[1].paragraphs[0].runs[0]
    assert lead._r.rPr.find(qn("w:lang")).get(qn("w:val")) == "en-GB"
    # a single Steckbrief has no cover and starts on page one
    assert "Inhalt" not in texts
    assert doc.paragraphs[0].style.name == "Heading 1" and not doc.paragraphs[0].paragraph_format.page_break_before


def test_unknown_ratings_and_numbering_restarts_per_measure():
    doc = _doc()
    facts = [dict(map(tuple, t)) for t in _tables_text(doc) if t[0][0] == "Angabe"]
    assert facts[3]["Dringlichkeit"] == "unbekannt"
    assert facts[3]["Geplante Umsetzung"] == "im Backlog"
    # every numbered list (contents, steps of each measure) starts its own numbering
    num_ids = [
        p._p.pPr.numPr.numId.val for p in doc.paragraphs if p.style.name == "List Number" and p._p.pPr.numPr is not None
    ]
    assert len(set(num_ids)) == 3  # contents, steps of the first and of the crowded measure


def test_owner_filter():
    doc = _doc(SheetFilter(owner="Annika Feldhues"))
    texts = [p.text for p in doc.paragraphs]
    assert "Auswahl: Verantwortlich: Annika Feldhues" in texts
    titles = [p.text for p in doc.paragraphs if p.style.name == "Heading 1" and p.paragraph_format.page_break_before]
    assert titles == [
        "*Entwicklung eines Schulungskonzepts für Mitarbeitende",
        "Nichttechnische und technische Schulungen",
    ]
