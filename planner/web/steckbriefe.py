"""Maßnahmensteckbriefe: the Steckbrief page of a measure, its PDF and Word file, and the
Steckbriefe of a strategy (all, or filtered by dimension, Verantwortliche, status) as a bundle."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, abort, render_template, request, url_for

from ..domain.catalogue import catalogue
from ..domain.schedule_state import State
from ..domain.strategy import Status, Strategy
from ..extensions import db
from ..services import atlas
from ..services import whole_strategy as whole
from ..steckbriefe import FilterError, SheetFilter, bundle_view, render, select_measures, word
from ..steckbriefe.context import owner_names
from . import clock
from .access import get_strategy_or_404
from .downloads import download
from .filters import file_stem
from .forms import choices
from .forms.steckbriefe import FilterForm

bp = Blueprint("steckbriefe", __name__, url_prefix="/strategien/<int:strategy_id>")


PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _filter_form(strategy: Strategy) -> FilterForm:
    form = FilterForm(request.args)
    form.dimension.choices = choices([("", "alle Dimensionen"), *((d, d) for d in catalogue().dimension_names)])
    form.verantwortlich.choices = choices([("", "alle Verantwortlichen"), *((n, n) for n in owner_names(strategy))])
    form.status.choices = choices([("", "jeder Status"), *((s.value, s.label) for s in Status)])
    form.zeitstand.choices = choices([("", "jeder Zeitstand"), *((s.value, s.label) for s in State)])
    return form


def _sheet_filter(measure: str | None = None) -> SheetFilter:
    """The filter in the query string (dimension, verantwortlich, status)."""
    args = request.args
    return SheetFilter(
        measure=measure,
        dimension=(args.get("dimension") or "").strip() or None,
        owner=(args.get("verantwortlich") or "").strip() or None,
        status=(args.get("status") or "").strip() or None,
        state=(args.get("zeitstand") or "").strip() or None,
        today=clock.today(),
    )


def _query(flt: SheetFilter) -> dict[str, str]:
    pairs = (
        ("dimension", flt.dimension),
        ("verantwortlich", flt.owner),
        ("status", flt.status),
        ("zeitstand", flt.state),
    )
    return {k: v for k, v in pairs if v}


def _slug(text: str) -> str:
    return file_stem(text)[:60] or "auswahl"


def _file(data: bytes, mimetype: str, name: str) -> Response:
    return download(data, mimetype, name, headers={"Cache-Control": "no-cache"})


def _index(row, strategy: Strategy, flt: SheetFilter, error: str | None = None, status: int = 200):
    measures = [] if error else select_measures(strategy, flt)
    return (
        render_template(
            "steckbriefe/index.html",
            row=row,
            strategy=strategy,
            form=_filter_form(strategy),
            measures=measures,
            owners=owner_names(strategy),
            query=_query(flt),
            error=error,
        ),
        status,
    )


@bp.get("/steckbriefe")
def index(strategy_id: int):
    """The Steckbriefe of a strategy: filter by dimension, Verantwortliche or status; download."""
    row = get_strategy_or_404(strategy_id)
    strategy = whole.strategy_to_domain(row)
    flt = _sheet_filter()
    if not strategy.measures:
        return render_template(
            "steckbriefe/index.html",
            row=row,
            strategy=strategy,
            form=_filter_form(strategy),
            measures=[],
            owners=[],
            query={},
            error=None,
        )
    try:
        select_measures(strategy, flt)
    except FilterError as exc:
        return _index(row, strategy, flt, str(exc), 400)
    return _index(row, strategy, flt)


def _bundle(strategy_id: int, fmt: str):
    row = get_strategy_or_404(strategy_id)
    strategy = whole.strategy_to_domain(row)
    flt = _sheet_filter()
    try:
        bundle = _with_origins(row, bundle_view(strategy, flt, generated=clock.today()))
    except FilterError as exc:
        return _index(row, strategy, flt, str(exc), 400)
    name = "-".join(["steckbriefe", _slug(row.organisation.name), *(_slug(v) for v in _query(flt).values())])
    if fmt == "pdf":
        return _file(render.bundle_pdf(bundle), PDF, f"{name}.pdf")

    return _file(word.bundle_docx(bundle), DOCX, f"{name}.docx")


@bp.get("/steckbriefe.pdf")
def bundle_pdf(strategy_id: int):
    """Cover, contents and one Steckbrief per page as a PDF (all measures or the filtered ones)."""
    return _bundle(strategy_id, "pdf")


@bp.get("/steckbriefe.docx")
def bundle_docx(strategy_id: int):
    """The same bundle as an editable Word file."""
    return _bundle(strategy_id, "docx")


def _single(strategy_id: int, key: str):
    row = get_strategy_or_404(strategy_id)
    strategy = whole.strategy_to_domain(row)
    if strategy.measure(key) is None:
        abort(404)
    flt = SheetFilter(measure=key, today=clock.today())
    return row, strategy, _with_origins(row, bundle_view(strategy, flt, generated=clock.today()))


def _with_origins(row, bundle):
    """The sheets with the origin of measures copied from another office (kept in the database)."""
    origins = atlas.origins_by_key(db.session, row.id)
    if origins:
        bundle.sheets = [replace(s, origin=origins[s.key].text) if s.key in origins else s for s in bundle.sheets]
    return bundle


@bp.get("/massnahmen/<key>/steckbrief")
def page(strategy_id: int, key: str):
    """The Steckbrief of one measure as a page; printing it gives one A4 page."""
    row, strategy, bundle = _single(strategy_id, key)

    def href(other: str) -> str:
        return url_for("steckbriefe.page", strategy_id=strategy_id, key=other)

    return render_template("steckbriefe/page.html", row=row, strategy=strategy, s=bundle.sheets[0], href=href)


@bp.get("/massnahmen/<key>/steckbrief.pdf")
def measure_pdf(strategy_id: int, key: str):
    """The Steckbrief of one measure as a one-page PDF."""
    _, _, bundle = _single(strategy_id, key)
    return _file(render.bundle_pdf(bundle), PDF, f"steckbrief-{_slug(key)}.pdf")


@bp.get("/massnahmen/<key>/steckbrief.docx")
def measure_docx(strategy_id: int, key: str):
    """The Steckbrief of one measure as a Word file."""
    _, _, bundle = _single(strategy_id, key)
    return _file(word.bundle_docx(bundle), DOCX, f"steckbrief-{_slug(key)}.docx")
