"""The strategy's navigation, declared in one place: its groups, each group's pages, the
downloads of the Ausgaben page and the downloads of a measure.

A strategy's pages are grouped by job — Überblick · Maßnahmen · Fahrplan · Reifegrad ·
Verstetigung · Ausgaben — at most seven groups in the strategy's navigation; a group's further
pages are its own sub-navigation. Every page of a strategy belongs to one group (by its endpoint,
see `group_of`), so the current group is marked wherever the user is. Entries whose endpoint is
not registered are left out (an app without an area still renders), and entries that change
data are shown only to writers. No module adds to these lists: a new page is added here.

Nothing here reads the database: the templates get plain (label, url, current) tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app, request, url_for

MAX_GROUPS = 7


@dataclass(frozen=True)
class Link:
    """A page or a file: endpoint, German label, further url_for arguments; `write`: only for writers."""

    endpoint: str
    label: str
    args: tuple[tuple[str, str], ...] = ()
    write: bool = False
    note: str = ""  # one sentence on the Ausgaben page: what the file is for


@dataclass(frozen=True)
class Group:
    """A group of the strategy navigation: its pages (the first one is where the group opens) and
    the endpoints (names or prefixes ending in '.') of further pages that belong to it."""

    label: str
    pages: tuple[Link, ...]
    owns: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Shelf:
    """A kind of file on the Ausgaben page (PDF, Word, …) and its downloads."""

    label: str
    links: tuple[Link, ...]


STRATEGY_GROUPS: tuple[Group, ...] = (
    Group(
        "Überblick",
        (Link("strategies.detail", "Überblick"),),
        ("strategies.edit", "sharing."),
    ),
    Group(
        "Maßnahmen",
        (
            Link("steckbriefe.index", "Steckbriefe"),
            Link("rounds.status_query", "Statusabfrage"),
            Link("rounds.workshop", "Bewertungsworkshop"),
            Link("measure_list.upload", "Maßnahmenliste importieren", write=True),
        ),
        (
            "measures.",
            "steckbriefe.",
            "rounds.",
            "measure_list.",
            "verstetigung.progress.",
            "verstetigung.evaluations.new_for_measure",
        ),
    ),
    Group(
        "Fahrplan",
        (
            Link("roadmap.index", "Fahrplan"),
            Link("roadmap.backlog", "Backlog"),
            Link("roadmap.rating", "Bewertung"),
            Link("roadmap.dependencies", "Abhängigkeiten"),
            Link("roadmap.proposal", "Planungsvorschlag"),
        ),
        ("roadmap.",),
    ),
    Group(
        "Reifegrad",
        (
            Link("maturity.overview", "Übersicht"),
            Link("maturity.comparison", "Vergleich"),
            Link("maturity.targets", "Ziele"),
            Link("maturity.gaps", "Lückenanalyse"),
            Link("maturity.funding", "Förderaufrufe"),
            Link("maturity.criteria", "Kriterienkatalog"),
        ),
        ("maturity.",),
    ),
    Group(
        "Verstetigung",
        (
            Link("verstetigung.calendar.index", "Evaluationen"),
            Link("review.index", "Strategiereview"),
            Link("verstetigung.versions.index", "Versionen"),
            Link("verstetigung.evaluations.knowledge", "Wissensdatenbank"),
        ),
        ("verstetigung.", "review.", "review_legacy.", "evaluation_correction."),
    ),
    Group(
        "Ausgaben",
        (Link("strategies.downloads", "Ausgaben"),),
    ),
)

# the Ausgaben page: every file of a strategy, by kind
STRATEGY_DOWNLOADS: tuple[Shelf, ...] = (
    Shelf(
        "PDF",
        (
            Link(
                "roadmap.chart",
                "Fahrplan (PDF)",
                (("chart", "fahrplan"), ("fmt", "pdf")),
                note="Umsetzungsfahrplan auf einer Seite (A3 quer).",
            ),
            Link(
                "steckbriefe.bundle_pdf",
                "Alle Steckbriefe (PDF)",
                note="Deckblatt, Inhaltsverzeichnis und je Maßnahme eine Seite.",
            ),
            Link("review_legacy.old_pdf", "Strategiereview (PDF)", note="Bericht des letzten Strategiereviews."),
        ),
    ),
    Shelf(
        "Word",
        (Link("steckbriefe.bundle_docx", "Alle Steckbriefe (Word)", note="Die Steckbriefe zum Bearbeiten in Word."),),
    ),
    Shelf(
        "Excel",
        (
            Link(
                "measure_list.download",
                "Maßnahmenliste (Excel)",
                note="Alle Maßnahmen; bearbeitet wieder importierbar.",
            ),
            Link(
                "rounds.status_query_xlsx",
                "Statusabfrage (Excel)",
                note="Die Statusabfrage zum Verteilen an die Verantwortlichen.",
            ),
        ),
    ),
    Shelf(
        "MS Project",
        (
            Link(
                "roadmap.mspdi",
                "Fahrplan für MS Project (XML)",
                note="Für MS Project, ProjectLibre, GanttProject und OpenProject.",
            ),
        ),
    ),
    Shelf(
        "Kalender",
        (
            Link(
                "verstetigung.calendar.ics",
                "Evaluationstermine (ICS)",
                note="Die fälligen Evaluationen für Outlook und andere Kalender.",
            ),
        ),
    ),
    Shelf(
        "Strategiedatei",
        (
            Link(
                "strategies.export",
                "Strategiedatei (YAML)",
                note="Die ganze Strategie als Datei, zum Sichern und Importieren.",
            ),
        ),
    ),
)

MEASURE_DOWNLOADS: tuple[Link, ...] = (
    Link("steckbriefe.page", "Steckbrief"),
    Link("steckbriefe.measure_pdf", "Steckbrief (PDF)"),
    Link("steckbriefe.measure_docx", "Steckbrief (Word)"),
    Link("verstetigung.progress.page", "Stand und Evaluation"),
)


def group_of(endpoint: str | None) -> Group | None:
    """The group a page belongs to: the one listing it, else the one owning the longest
    matching endpoint name or prefix."""
    if endpoint is None:
        return None
    for group in STRATEGY_GROUPS:
        if any(link.endpoint == endpoint for link in group.pages):
            return group
    best, length = None, 0
    for group in STRATEGY_GROUPS:
        for owned in group.owns:
            hit = endpoint.startswith(owned) if owned.endswith(".") else endpoint == owned
            if hit and len(owned) > length:
                best, length = group, len(owned)
    return best


def _shown(link: Link, writable: bool) -> bool:
    return link.endpoint in current_app.view_functions and (writable or not link.write)


def _url(link: Link, **values) -> str:
    return url_for(link.endpoint, **values, **dict(link.args))


def strategy_navigation(strategy_id: int, writable: bool) -> dict:
    """What the strategy's navigation shows on this request: the groups as (label, url, current)
    with current "page", "true" or None, and the current group's pages as (label, url, current)."""
    current = group_of(request.endpoint)
    groups, pages = [], []
    for group in STRATEGY_GROUPS:
        shown = [link for link in group.pages if _shown(link, writable)]
        if not shown:
            continue
        mark = None
        if group is current:
            mark = "page" if request.endpoint == shown[0].endpoint else "true"
            if len(shown) > 1:
                pages = [
                    (
                        link.label,
                        _url(link, strategy_id=strategy_id),
                        "page" if request.endpoint == link.endpoint else None,
                    )
                    for link in shown
                ]
        groups.append((group.label, _url(shown[0], strategy_id=strategy_id), mark))
    return {"groups": groups, "pages": pages, "section": current.label if current else None}


def strategy_downloads(strategy_id: int) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The Ausgaben page's shelves as (kind, [(label, url, note)]), registered endpoints only."""
    out = []
    for shelf in STRATEGY_DOWNLOADS:
        links = [
            (link.label, _url(link, strategy_id=strategy_id), link.note) for link in shelf.links if _shown(link, True)
        ]
        if links:
            out.append((shelf.label, links))
    return out


def measure_downloads(strategy_id: int, key: str) -> list[tuple[str, str]]:
    """A measure page's links to its Steckbrief and progress as (label, url)."""
    return [
        (link.label, _url(link, strategy_id=strategy_id, key=key)) for link in MEASURE_DOWNLOADS if _shown(link, True)
    ]


def register(app: Flask) -> None:
    """Expose the navigation to templates (pure functions of the request; no database)."""
    app.add_template_global(strategy_navigation, "strategy_navigation")
    app.add_template_global(measure_downloads, "measure_downloads")
    # a template may ask whether an area is registered (`endpoint in current_app.view_functions`);
    # Flask does not put current_app into the template context by itself
    app.add_template_global(current_app, "current_app")
