"""The exports of the Land pages as report tables (documents/report.py): the Maßnahmenatlas's
matches and the Land's application landscape. The workbook is `report.tables_workbook`; the
tables are plain data, so the same rows could go into a report section."""

from __future__ import annotations

from collections.abc import Sequence

from ..domain.landscape import OPERATION_LABELS, STATE_LABELS
from .report import Table


def atlas_table(rows: Sequence) -> Table:
    """The atlas's matches (services.atlas.AtlasRow), one row per measure."""
    return Table(
        "Maßnahmen",
        [
            "Maßnahme",
            "Gesundheitsamt",
            "Strategie",
            "Version",
            "Dimension",
            "Subdimensionen",
            "Status",
            "Zeitstand",
            "Geplant",
            "Ansprechpersonen",
        ],
        [
            [
                r.title,
                r.organisation,
                r.strategy,
                r.version,
                r.dimension,
                ", ".join(r.subdimensions),
                r.status.label,
                r.schedule.text,
                r.planned,
                ", ".join(r.contacts),
            ]
            for r in rows
        ],
        empty="Keine Maßnahme entspricht der Suche.",
    )


def landscape_tables(view) -> list[Table]:
    """The Land's landscape (services.landscape.LandView): every entry, the applications by number
    of offices, the joint procurement candidates, the common interfaces."""
    entries = [
        [
            office,
            app.name,
            app.vendor,
            app.task_area,
            OPERATION_LABELS.get(app.operation, app.operation),
            STATE_LABELS.get(app.state, app.state),
            ", ".join(app.interfaces),
        ]
        for row in view.matrix
        for office, app in row.cells.items()
    ]
    entries.sort(key=lambda e: (e[0].casefold(), e[1].casefold()))
    return [
        Table(
            "Anwendungen je Amt",
            ["Gesundheitsamt", "Anwendung", "Hersteller", "Aufgabe", "Betrieb", "Stand", "Schnittstellen"],
            entries,
        ),
        Table(
            "Anwendungen",
            ["Anwendung", "Hersteller", "Zahl der Ämter", "Ämter"],
            [[r.name, ", ".join(r.vendors), r.offices, ", ".join(sorted(r.cells))] for r in view.matrix],
        ),
        Table(
            "Gemeinsame Beschaffung",
            ["Aufgabe", "Zahl der Ämter", "Hersteller", "Ämter und Anwendungen"],
            [
                [
                    c.task_area,
                    len(c.offices),
                    ", ".join(c.vendors),
                    "; ".join(f"{o}: {', '.join(e)}" for o, e in c.offices.items()),
                ]
                for c in view.procurement
            ],
        ),
        Table(
            "Gemeinsame Schnittstellen",
            ["Schnittstelle", "Zahl der Ämter", "Ämter"],
            [[f"{i.pair[0]} ↔ {i.pair[1]}", len(i.offices), ", ".join(i.offices)] for i in view.interfaces],
        ),
    ]
