"""Landesebene: a coordinating organisation's portfolio of offices, its export, the funding calls
across offices, and the offices taking part in its own measures (Landesmaßnahmen).

Access: the coordinating organisation must be visible (its members, administrators); its
members read the offices it coordinates (web/access.py). Filters are GET parameters, so
the heat map filters and sorts without JavaScript.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup

from .. import models
from ..documents.pdf import html_pdf
from ..domain import portfolio as domain
from ..domain.catalogue import catalogue
from ..domain.funding import find_call, funding_calls
from ..domain.schedule_state import State
from ..extensions import db
from ..formats.portfolio_workbook import portfolio_workbook
from ..services import portfolio as service
from ..services.strategies import measure_id as find_measure_id
from .access import (
    coordinating_organisation_ids,
    get_organisation_or_404,
    get_strategy_or_404,
    may_write,
    reads_shared,
    visible_organisation_ids,
)
from .clock import today
from .downloads import download
from .forms import save_unchanged
from .forms.land import ParticipantsForm
from .kept_pages import kept_page

bp = Blueprint("portfolio", __name__, url_prefix="/landesebene")

# the schedule states shown as columns, most urgent first
STATE_COLUMNS = [
    State.ABSCHLUSS_UEBERFAELLIG,
    State.BEGINN_UEBERFAELLIG,
    State.LAUFEND,
    State.GEPLANT,
    State.OHNE_TERMIN,
    State.ABGESCHLOSSEN,
]
SORT_LABELS = {
    "name": "Name",
    "stufe3": "Dimensionen auf Stufe 3",
    "messung": "Letzte Messung",
    "massnahmen": "Maßnahmen",
    "ueberfaellig": "Überfällige Maßnahmen",
}
LEVEL_CHOICES = [("", "alle Stufen"), ("-", "–"), *[(str(s), f"Stufe {s}") for s in range(5)], ("k", "keine Daten")]


def _filter() -> domain.Filter:
    """The filter of the GET parameters; anything unknown is ignored."""
    names = catalogue().dimension_names
    below = request.args.get("unter", "")
    dimension = request.args.get("dimension", "")
    level = request.args.get("stufe", "")
    sort = request.args.get("sortierung", "name")
    return domain.Filter(
        below=below if below in names else "",
        dimension=dimension if dimension in names else "",
        level=level if level in {v for v, _ in LEVEL_CHOICES} else "",
        sort=sort if sort in (*domain.SORT_KEYS, *names) else "name",
        descending=request.args.get("absteigend") == "1",
    )


@bp.app_template_global()
def landesebene_links() -> bool:
    """Whether the navigation offers the Landesebene (a member of a coordinating organisation, or an administrator)."""
    ids = coordinating_organisation_ids()
    return ids is None or bool(ids)


@bp.get("/")
def index():
    """The coordinating organisations the user may see."""
    rows = service.coordinators(db.session, visible_organisation_ids())
    return render_template("landesebene/index.html", coordinators=rows)


# large page parts per (portfolio state, what is shown): rendered once, shared by every reader
_rendered: OrderedDict[tuple, Markup | bytes] = OrderedDict()
_rendered_lock = threading.Lock()
_producing: dict[tuple, threading.Lock] = {}
RENDERED_KEPT = 48


def _once(key: tuple, produce: Callable[[], Markup | bytes]) -> Markup | bytes:
    """What `produce` makes (a page part without user-specific content, an export), made once per key."""
    with _rendered_lock:
        if (hit := _rendered.get(key)) is not None:
            _rendered.move_to_end(key)
            return hit
        producing = _producing.setdefault(key, threading.Lock())
    with producing:  # threads asking for the same key meanwhile wait for the first one's result
        with _rendered_lock:
            if (hit := _rendered.get(key)) is not None:
                return hit
        value = produce()
        with _rendered_lock:
            _rendered[key] = value
            _producing.pop(key, None)
            while len(_rendered) > RENDERED_KEPT:
                _rendered.popitem(last=False)
    return value


def _render_once(key: tuple, template: str, **context) -> Markup:
    return _once((template, *key), lambda: Markup(render_template(template, **context)))


def _table_bodies(key: tuple, offices: list[domain.Office]) -> dict[str, Markup]:
    context = {"offices": offices, "states": STATE_COLUMNS, "stage": domain.minimum_stage()}
    return {
        "heat": _render_once(key, "landesebene/_heat_body.html", **context),
        "offices": _render_once(key, "landesebene/_offices_body.html", **context),
    }


@bp.get("/<int:organisation_id>")
@kept_page
def overview(organisation_id: int):
    """The portfolio: offices, maturity heat map, dimensions, Landesmaßnahmen."""
    org = get_organisation_or_404(organisation_id)
    key, p = service.portfolio_and_key(db.session, org, today())
    f = _filter()
    offices = domain.select(p.offices, f)
    return render_template(
        "landesebene/portfolio.html",
        p=p,
        f=f,
        offices=offices,
        bodies=_table_bodies((key, f), offices),
        states=STATE_COLUMNS,
        sort_labels=SORT_LABELS,
        level_choices=LEVEL_CHOICES,
        stage=domain.minimum_stage(),
        args={k: v for k, v in request.args.items() if k in ("unter", "dimension", "stufe")},
    )


@bp.get("/<int:organisation_id>/portfolio.xlsx")
def export_xlsx(organisation_id: int):
    org = get_organisation_or_404(organisation_id)
    key, p = service.portfolio_and_key(db.session, org, today())
    f = _filter()
    data = _once(("xlsx", key, f), lambda: portfolio_workbook(p, domain.select(p.offices, f)))
    return download(
        data,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"Portfolio {p.coordinator} {p.today.isoformat()}.xlsx",
    )


@bp.get("/<int:organisation_id>/portfolio.pdf")
def export_pdf(organisation_id: int):
    org = get_organisation_or_404(organisation_id)
    key, p = service.portfolio_and_key(db.session, org, today())
    f = _filter()

    def produce() -> bytes:
        html = render_template(
            "landesebene/portfolio_pdf.html",
            p=p,
            f=f,
            offices=domain.select(p.offices, f),
            states=STATE_COLUMNS,
            stage=domain.minimum_stage(),
        )
        return html_pdf(html, base_url=request.url_root)

    return download(
        _once(("pdf", key, f), produce), "application/pdf", f"Portfolio {p.coordinator} {p.today.isoformat()}.pdf"
    )


@bp.get("/<int:organisation_id>/foerderaufrufe")
@kept_page
def funding(organisation_id: int):
    """Funding calls across offices, rule by rule, and the two readings of a two-stage jump."""
    org = get_organisation_or_404(organisation_id)
    key, p = service.portfolio_and_key(db.session, org, today())
    calls = funding_calls()
    call = find_call(request.args.get("aufruf", "")) or calls[0]
    index = calls.index(call)
    template = "landesebene/_foerder_body.html"
    body = _once(
        (template, key, call.id),
        lambda: Markup(
            render_template(
                template,
                p=p,
                call=call,
                results=[(o, o.calls[index]) for o in p.offices],
                readings=[(o, o.maturity.readings) for o in p.offices if o.maturity and o.maturity.readings],
            )
        ),
    )
    return render_template("landesebene/foerderaufrufe.html", p=p, calls=calls, call=call, body=body)


@bp.route("/strategien/<int:strategy_id>/massnahmen/<key>/teilnehmende", methods=["GET", "POST"])
def participants(strategy_id: int, key: str):
    """The offices taking part in a measure of the state office (a Landesmaßnahme)."""
    row = get_strategy_or_404(strategy_id, load=False)
    if reads_shared(row):  # a Land-level page of the state office itself, not for readers of a shared strategy
        abort(404)
    measure_id = find_measure_id(db.session, row, key)
    if measure_id is None:
        abort(404)
    p = service.portfolio(db.session, row.organisation, today())
    form = ParticipantsForm()
    form.offices.choices = [(o.organisation_id, o.name) for o in p.offices]
    land = next((m for m in p.land_measures if m.id == measure_id), None)
    measure = db.session.get(models.Measure, measure_id)
    general, status = [], 200
    if request.method == "GET":
        form.offices.data = [i for i, _ in land.offices] if land else []
        form.lock_version.data = measure.lock_version
    elif form.validate_on_submit():
        chosen = set(form.offices.data or [])
        refused = save_unchanged(
            form.lock_version, "measures", measure, lambda: service.set_participants(db.session, measure, chosen)
        )
        if refused is None:
            db.session.commit()
            flash("Die teilnehmenden Gesundheitsämter sind gespeichert.", "success")
            return redirect(url_for("portfolio.overview", organisation_id=row.organisation_id) + "#landesmassnahmen")
        general, status = [refused], 422
        measure = db.session.get(models.Measure, measure_id)
    return render_template(
        "landesebene/teilnehmende.html",
        row=row,
        key=key,
        title=measure.title,
        form=form,
        general=general,
        may_change=may_write(row.organisation_id),
    ), status
