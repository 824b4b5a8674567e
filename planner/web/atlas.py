"""Maßnahmenatlas: search the measures of every office the user may see; copy one as a template."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .. import models
from ..domain import normalise
from ..domain.atlas import hint_text
from ..extensions import db
from ..models.verstetigung import Succession
from ..services import atlas as service
from ..services import strategies as strategy_service
from . import clock
from .access import (
    get_readable_strategy_or_404,
    get_strategy_or_404,
    may_write,
    visible_organisation_ids,
    visible_strategy_ids,
)
from .forms.land import AtlasForm, CopyForm

bp = Blueprint("atlas", __name__)


@bp.record_once
def _globals(state) -> None:
    state.app.add_template_global(hint_text, "atlas_hint")
    state.app.add_template_global(
        lambda strategy_id, key: service.origin_of(db.session, strategy_id, key), "measure_origin"
    )


def _month(field, errors: list[str]):
    try:
        return normalise.month_value(field.data)
    except ValueError as exc:
        errors.append(f"{field.label.text}: {exc}")
        return None


def _page_number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 7 else 1


def _id(text: str | None) -> int:
    """A strategy id from a form field; 404 for anything else (no id has ten digits)."""
    if not text or not text.isdigit() or len(text) > 9:
        abort(404)
    return int(text)


@bp.get("/atlas")
def index():
    """Measures of all offices the user may see, filtered by GET parameters, one page at a time."""
    form = AtlasForm(request.args)
    errors: list[str] = []
    if request.args and not form.validate():
        errors = [e for field in form for e in field.errors]
    wanted = service.AtlasFilter(page=_page_number(request.args.get("seite")))
    if not errors:
        wanted.period_from, wanted.period_to = _month(form.von, errors), _month(form.bis, errors)
        wanted.text = (form.q.data or "").strip()
        wanted.dimension, wanted.subdimension = form.dimension.data or "", form.subdimension.data or ""
        wanted.status, wanted.state = form.status.data or "", form.zeitstand.data or ""
    result = service.search(db.session, visible_strategy_ids(), wanted, clock.today())
    args = {k: v for k, v in request.args.items() if k != "seite" and v}
    return render_template(
        "atlas/index.html", form=form, errors=errors, result=result, args=args, copy_targets=bool(_targets())
    ), (422 if errors else 200)


def _targets() -> list[models.Strategy]:
    """Current strategies the user may add measures to."""
    visible = visible_organisation_ids()
    query = (
        sa.select(models.Strategy)
        .join(models.Organisation)
        .where(models.Strategy.id.not_in(sa.select(Succession.predecessor_id)))
        .order_by(models.Organisation.name, models.Strategy.title)
    )
    if visible is not None:
        query = query.where(models.Strategy.organisation_id.in_(visible))
    return [s for s in db.session.scalars(query) if may_write(s.organisation_id)]


def _copy_page(form: CopyForm, status: int = 200, problems: list[str] | None = None):
    source = get_readable_strategy_or_404(_id(form.quelle.data))
    measure = next(
        (m for m in strategy_service.read_strategy(db.session, source).measures if m.key == form.massnahme.data), None
    )
    if measure is None:
        abort(404)
    targets = [t for t in _targets() if t.id != source.id]
    form.ziel.choices = [
        (str(t.id), f"{t.organisation.name}: {t.title}" + (f" ({t.version})" if t.version else "")) for t in targets
    ]
    return render_template(
        "atlas/copy.html", form=form, source=source, measure=measure, targets=targets, problems=problems or []
    ), status


@bp.get("/atlas/vorlage")
def copy_form():
    """Confirm copying a measure of another strategy into one of one's own (choose which)."""
    form = CopyForm(formdata=None)
    form.quelle.data = request.args.get("quelle", "")
    form.massnahme.data = request.args.get("massnahme", "")
    return _copy_page(form)


@bp.post("/atlas/vorlage")
def copy():
    """Copy the measure as a template: every Steckbrief field but owners and dates; the origin kept."""
    form = CopyForm()
    targets = {str(t.id) for t in _targets()}
    form.ziel.choices = [(t, t) for t in targets]
    if not form.validate() or form.ziel.data not in targets:
        return _copy_page(form, 422)
    source = get_readable_strategy_or_404(_id(form.quelle.data))
    target = get_strategy_or_404(int(form.ziel.data), write=True)
    try:
        row = service.copy_measure(db.session, source, form.massnahme.data, target)
    except LookupError:
        abort(404)
    except strategy_service.ValidationFailed as exc:
        db.session.rollback()
        return _copy_page(form, 422, [str(p) for p in exc.problems])
    db.session.commit()
    flash(
        f"„{row.title}“ wurde als Vorlage in „{target.title}“ übernommen. Bitte Verantwortliche und Termine ergänzen.",
        "success",
    )
    return redirect(url_for("measures.detail", strategy_id=target.id, key=row.key))
