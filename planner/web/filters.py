"""Template helpers: German labels for the domain's values, the catalogue for every page."""

from __future__ import annotations

from flask import Flask, current_app, g, url_for
from markupsafe import Markup

from ..documents.pdf import FILTERS
from ..domain import german
from ..domain.catalogue import catalogue
from ..domain.strategy import STATUS_LABELS, Rating, Status


def status_label(value: str | Status) -> str:
    """German label of a status value."""
    return STATUS_LABELS[Status(value) if isinstance(value, str) else value]


def rating_label(value: str | Rating | None) -> str:
    """German label of a rating; 'unbekannt' when unknown."""
    if value is None or value == "":
        return "unbekannt"
    return Rating(value).value if isinstance(value, str) else value.value


def number_label(value: float | None) -> str:
    """A number the German way (1.234,5); "–" when there is none."""
    return "–" if value is None else german.number(value)


def money_label(value: float | None) -> str:
    """An amount in euros (1.005.706 €); "–" when there is none."""
    return "–" if value is None else german.money(value)


def berlin_time(value) -> str:
    """A stored UTC timestamp as people in the office read it: 30.11.2026 14:05 (Europe/Berlin)."""
    return german.timestamp(value)


def dimension_colour(name: str) -> str:
    dim = catalogue().dimension(name)
    return dim.colour if dim else "#777777"


def file_stem(*parts: str | None) -> str:
    """A download's file name from words: "Kreis Steinfurt", "2023" → "kreis-steinfurt-2023"."""
    return german.slug(*parts)


def strategy_file_stem(row) -> str:
    """Organisation and version of a strategy, for the names of its downloads."""
    return file_stem(row.organisation.name, row.version) or f"strategie-{row.id}"


_PLACEHOLDER = "MEASURE-KEY-PLACEHOLDER"


def measure_url(strategy_id: int, key: str) -> str:
    """The address of a measure page: `url_for` once per strategy and page, the key put in with
    the route's own converter (a 300-measure table would otherwise build 300 addresses)."""
    cache = g.setdefault("measure_urls", {})
    if strategy_id not in cache:
        cache[strategy_id] = url_for("measures.detail", strategy_id=strategy_id, key=_PLACEHOLDER)
    converter = current_app.url_map.converters["default"](current_app.url_map)
    return cache[strategy_id].replace(_PLACEHOLDER, converter.to_url(key))


def striptags(text: str) -> str:
    return Markup(text).striptags()


def error_links(form) -> list[tuple[str, str, str]]:
    """Every error of a form as (field id, label, message), nested forms and lists included."""
    links: list[tuple[str, str, str]] = []

    def walk(fields) -> None:
        for f in fields:
            if f.type in ("FieldList", "FormField"):
                walk(f)
            elif f.type not in ("CSRFTokenField", "HiddenField"):
                label = striptags(str(f.label.text)) if f.label else f.name
                links.extend((f.id, label, str(e)) for e in f.errors if isinstance(e, str))

    if form is not None:
        walk(form)
    return links


def register(app: Flask) -> None:
    """Make the filters and the catalogue available to every template."""
    app.add_template_filter(status_label, "status")
    app.add_template_filter(rating_label, "rating")
    for name, function in FILTERS.items():  # en, month, date_de, counted: as in the documents
        app.add_template_filter(function, name)
    app.add_template_filter(number_label, "number")
    app.add_template_filter(money_label, "money")
    app.add_template_global(german.percent, "percent")
    app.add_template_global(error_links, "error_links")
    app.add_template_filter(dimension_colour, "dimension_colour")
    app.add_template_filter(berlin_time, "berlin")
    app.add_template_global(catalogue, "catalogue")
    app.add_template_global(measure_url, "measure_url")
