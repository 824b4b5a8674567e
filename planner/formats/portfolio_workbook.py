"""The portfolio of a state office as an Excel workbook: the report it sends to its ministry.

Sheets: "Ämter" (one row per office: strategy, version, adoption, measures by schedule state,
overdue evaluations, next review, latest assessment), "Reifegrad" (office × 8 dimensions:
latest level, change since the first assessment; stage 3 and above filled green),
"Dimensionen" (per dimension: offices with a level, at stage 3, median) and, when the state
office has a strategy, "Landesmaßnahmen". User text never becomes a formula (`text_only`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..domain.catalogue import catalogue
from ..domain.german import german_date
from ..domain.portfolio import DimensionSummary, Office
from ..domain.schedule_state import State
from .spreadsheet import text_only, text_row

HEAD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="D9E2EC")
REACHED_FILL = PatternFill("solid", fgColor="7FBF7F")
STATES = [
    State.ABSCHLUSS_UEBERFAELLIG,
    State.BEGINN_UEBERFAELLIG,
    State.LAUFEND,
    State.GEPLANT,
    State.OHNE_TERMIN,
    State.ABGESCHLOSSEN,
    State.BACKLOG,
    State.VERWORFEN,
]


def _head(ws, values: list[str], widths: list[int]) -> None:
    ws.append(values)
    for i, cell in enumerate(ws[ws.max_row], start=1):
        cell.font = HEAD
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(i)].width = widths[i - 1] if i <= len(widths) else 12
    ws.freeze_panes = f"B{ws.max_row + 1}"  # a coordinate, not ws.cell(): that would add an empty row
    ws.auto_filter.ref = f"A{ws.max_row}:{get_column_letter(len(values))}{ws.max_row}"


def _fit_filter(ws, columns: int) -> None:
    head = ws.auto_filter.ref.split(":")[0][1:]
    ws.auto_filter.ref = f"A{head}:{get_column_letter(columns)}{ws.max_row}"


def _date(value: date | None) -> str:
    return german_date(value) if value else ""


def _title(ws, title: str, subtitle: str) -> None:
    ws.append(text_row([title]))
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(text_row([subtitle]))
    ws.append([])


def portfolio_workbook(p, offices: Sequence[Office]) -> bytes:
    """The workbook of portfolio `p` (services.portfolio.Portfolio) with these offices (filtered, sorted)."""
    cat = catalogue()
    stage = cat.minimum_stage
    subtitle = f"{p.coordinator} – Stand {german_date(p.today)} – {len(offices)} von {len(p.offices)} Gesundheitsämtern"
    book = Workbook()

    ws = book.active
    ws.title = "Ämter"
    _title(ws, "Portfolio der Gesundheitsämter", subtitle)
    _head(
        ws,
        [
            "Gesundheitsamt",
            "Strategie",
            "Version",
            "Beschlossen",
            "Maßnahmen",
            *[s.label for s in STATES],
            "Evaluationen überfällig",
            "Nächste Überprüfung fällig",
            "Letzte Messung",
            f"Dimensionen auf Stufe {stage}",
        ],
        [34, 40, 16, 12, 11, *[12] * len(STATES), 13, 14, 13, 13],
    )
    for o in offices:
        ws.append(
            text_row(
                [
                    o.name,
                    o.title or "keine Strategie",
                    o.version,
                    o.adopted,
                    o.measures,
                    *[o.states.get(s, 0) for s in STATES],
                    o.overdue_evaluations,
                    (o.review.due.german() + (" (überfällig)" if o.review.overdue else "")) if o.review else "",
                    _date(o.latest_date),
                    o.maturity.at_stage_3 if o.maturity else None,
                ]
            )
        )
    _fit_filter(ws, 9 + len(STATES))

    ws = book.create_sheet("Reifegrad")
    _title(
        ws,
        "Reifegrad je Dimension (letzte Messung; Veränderung seit der ersten Messung)",
        f"{subtitle}. Stufe einer Dimension = niedrigste Stufe ihrer Subdimensionen; „–“ liegt unter Stufe 0 "
        f"(als Text, zählt in Mittelwerten nicht mit); grün: Stufe {stage} (Mindestanforderung) oder höher.",
    )
    columns = ["Gesundheitsamt", "Letzte Messung", "Erste Messung"]
    for d in cat.dimension_names:
        columns += [d, f"{d}: Veränderung"]
    _head(ws, columns, [34, 13, 13, *[14, 10] * len(cat.dimension_names)])
    for o in offices:
        m = o.maturity
        values: list = [o.name, _date(m.latest_date) if m else "keine Messung", _date(m.first_date) if m else ""]
        for d in cat.dimension_names:
            if m is None or not m.known(d):
                values += ["k. A.", None]
            else:
                change = m.change(d)
                level = m.level(d)
                # a stage is a number (Excel averages and filters it); "–" stays text, below stage 0
                values += ["–" if level is None else level, change]
        ws.append(text_row(values))
        if m is not None:
            for i, d in enumerate(cat.dimension_names):
                if m.reaches(d):
                    ws.cell(ws.max_row, 4 + 2 * i).fill = REACHED_FILL
    _fit_filter(ws, len(columns))

    ws = book.create_sheet("Dimensionen")
    _title(ws, "Dimensionen über alle Gesundheitsämter", f"{p.coordinator} – Stand {german_date(p.today)}")
    _head(
        ws,
        ["Dimension", "Ämter mit Stufe", f"davon Stufe {stage} oder höher", "Median der Stufen"],
        [36, 16, 22, 18],
    )
    summary: list[DimensionSummary] = p.dimensions
    for d in summary:
        ws.append([d.name, d.offices_assessed, d.at_stage_3, d.median])
    _fit_filter(ws, 4)

    if p.land_measures:
        ws = book.create_sheet("Landesmaßnahmen")
        _title(ws, "Landesmaßnahmen", f"{p.coordinator} – Stand {german_date(p.today)}")
        _head(
            ws,
            ["Maßnahme", "Dimensionen", "Status", "Zeitraum", "Teilnehmende Gesundheitsämter", "Anzahl"],
            [44, 40, 14, 20, 60, 9],
        )
        for lm in p.land_measures:
            ws.append(
                text_row(
                    [
                        lm.measure.title,
                        ", ".join(lm.dimensions),
                        lm.measure.status.label,
                        lm.measure.planned_range,
                        ", ".join(name for _, name in lm.offices),
                        len(lm.offices),
                    ]
                )
            )
        _fit_filter(ws, 6)

    text_only(book)  # office names and titles are user text: never a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
