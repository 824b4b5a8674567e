"""The Landesbericht's sections on Handlungsbedarf, trend and readiness for the current call
(planner/documents/landesbericht.py), built from plain offices (pure; the documents themselves:
tests/test_land_reports.py)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from planner.documents import landesbericht as lb
from planner.domain import portfolio as p
from planner.domain import portfolio_progress as pp
from planner.domain.catalogue import catalogue
from planner.domain.maturity import Assessment
from planner.domain.readiness import readiness_report

TODAY = date(2026, 12, 7)
CAT = catalogue()


def sheet(when: date, default: int | None) -> Assessment:
    return Assessment(date=when, levels=dict.fromkeys(CAT.subdimension_names, default))


OFFICES = [
    p.office(1, "Zeta", None, None, [sheet(date(2024, 5, 1), 0), sheet(date(2026, 5, 1), 3)], TODAY),
    p.office(2, "Alpha", None, None, [], TODAY),
    p.office(3, "Beta", None, None, [sheet(date(2023, 5, 1), 1), sheet(date(2024, 10, 1), 1)], TODAY),
    p.office(4, "Gamma", None, None, [sheet(date(2026, 3, 1), 2)], TODAY),
]


def context(**kw) -> lb.Context:
    portfolio = SimpleNamespace(offices=OFFICES, today=TODAY, coordinator="Land", strategy_id=None)
    return lb.Context(portfolio, funding=None, **kw)


def rows(section, index):
    return section.tables[index].rows


def test_sections_without_their_data_are_left_out():
    ctx = context()
    assert lb.handlungsbedarf(ctx) is None and lb.development(ctx) is None and lb.readiness(ctx) is None


def test_handlungsbedarf_lists_the_stuck_offices_and_counts_per_reason():
    section = lb.handlungsbedarf(context(stuck=tuple(pp.stuck_offices(OFFICES, TODAY))))
    assert section.title == "Handlungsbedarf der Ämter"
    assert section.paragraphs[0].startswith("Stand 07.12.2026: 2 von 4 Ämtern haben Handlungsbedarf")
    counts = dict((label, n) for label, n in rows(section, 0))
    assert counts["Keine Reifegradmessung"] == 1
    assert counts["Letzte Messung älter als 24 Monate"] == 1 and counts["Kein Fortschritt seit der ersten Messung"] == 1
    assert counts["Planungszeitraum abgelaufen"] == 0
    offices = rows(section, 1)
    # Beta (two reasons) before Alpha (one); Zeta and Gamma need nothing
    assert [r[0] for r in offices] == ["Beta", "Alpha"]
    assert offices[0][1] == 2
    assert offices[0][2] == "Letzte Messung älter als 24 Monate; Kein Fortschritt seit der ersten Messung"
    assert "Letzte Messung am 01.10.2024" in offices[0][3]
    empty = lb.handlungsbedarf(context(stuck=()))
    assert empty.tables[1].rows == [] and empty.tables[1].empty == "Kein Amt hat Handlungsbedarf."


def test_development_has_one_row_per_dimension_and_year():
    section = lb.development(context(trend=pp.trend(OFFICES, TODAY)))
    table = section.tables[0]
    assert table.columns == ["Dimension", "Jahr", "Ämter mit Stufe", "Median", "Stufe 3 oder höher"]
    assert len(table.rows) == len(CAT.dimension_names) * 4  # 2023 to 2026
    first = CAT.dimension_names[0]
    by_year = {r[1]: r[2:] for r in table.rows if r[0] == first}
    assert by_year[2023] == [1, 1, 0]  # Beta only
    assert by_year[2024] == [2, 0.5, 0]  # Beta 1, Zeta 0 (carried forward to later years)
    assert by_year[2026] == [3, 2, 1]  # Beta 1, Zeta 3, Gamma 2
    assert section.paragraphs[1] == "Jahre 2023 bis 2026."
    assert section.figures == []  # no chart given
    charted = lb.development(context(trend=pp.trend(OFFICES, TODAY), trend_chart=b"png"))
    (figure,) = charted.figures
    assert figure.png == b"png" and figure.data_uri == "data:image/png;base64,cG5n"
    assert figure.description.startswith(f"{first}: 2023: Median 1, 0 von 1 auf Stufe 3")  # charts.trend.describe
    none = lb.development(context(trend=pp.trend([OFFICES[1]], TODAY), trend_chart=b"png"))
    assert none.figures == []
    assert none.tables[0].rows == [] and none.paragraphs[1] == "Für kein Amt ist eine Reifegradmessung erfasst."


def test_readiness_splits_checked_and_not_checkable_with_reason_and_forecast():
    report = readiness_report(OFFICES, TODAY)
    section = lb.readiness(context(readiness=report))
    assert section.title == "Bereitschaft für den aktuellen Förderaufruf"
    assert section.paragraphs[0].startswith(
        f"{report.call.name} ({report.call.start.strftime('%d.%m.%Y')} – {report.call.end.strftime('%d.%m.%Y')}): "
        "1 Amt erfüllt die Reifegrad-Regeln, 1 nicht; 2 nicht prüfbar – davon nach den geplanten Maßnahmen"
    )
    assert any(text.startswith("Regel: ") for text in section.paragraphs)
    checked = {r[0]: r for r in rows(section, 0)}
    assert checked["Zeta"][1:] == ["01.05.2024 → 01.05.2026", "ja"]
    assert checked["Beta"][1:] == ["01.05.2023 → 01.10.2024", "nein"]
    unchecked = {r[0]: r for r in rows(section, 1)}
    assert set(unchecked) == {"Alpha", "Gamma"}
    assert unchecked["Alpha"][1] == "keine Messung" and "keine Ausgangsmessung" in unchecked["Alpha"][2]
    assert unchecked["Alpha"][3] == "keine Prognose (ohne Ausgangsmessung)"
    assert unchecked["Gamma"][2].startswith("Nur eine Messung (01.03.2026)")
    assert unchecked["Gamma"][3].startswith(("voraussichtlich", "nicht prüfbar"))
    assert "Keine geplante Maßnahme hebt eine Subdimension." in unchecked["Gamma"][3]


def test_the_new_sections_are_in_the_report_in_order():
    keys = [b.__name__ for b in lb.SECTIONS]
    assert keys.index("handlungsbedarf") < keys.index("development") < keys.index("readiness")
