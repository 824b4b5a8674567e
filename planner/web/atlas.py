"""Maßnahmenatlas: search the measures of every office the user may see; copy one as a template."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from .. import models
from ..documents.land_exports import atlas_table
from ..documents.report import tables_workbook
from ..domain import normalise
from ..domain.atlas import hint_text
from ..domain.german import german_date
from ..extensions import db
from ..models.auth import AuditEntry
from ..models.verstetigung import Succession
from ..services import atlas as service
from ..services import jobs
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


def _wanted(form: AtlasForm) -> tuple[service.AtlasFilter, list[str]]:
    """The search of the GET parameters, or the German errors that prevent it."""
    errors: list[str] = []
    if request.args and not form.validate():
        errors = [e for field in form for e in field.errors]
    similar = request.args.get("aehnlich", "")
    wanted = service.AtlasFilter(
        page=_page_number(request.args.get("seite")),
        similar_to=int(similar) if similar.isdigit() and len(similar) < 10 else None,
    )
    if not errors:
        wanted.period_from, wanted.period_to = _month(form.von, errors), _month(form.bis, errors)
        wanted.text = (form.q.data or "").strip()
        wanted.dimension, wanted.subdimension = form.dimension.data or "", form.subdimension.data or ""
        wanted.status, wanted.state = form.status.data or "", form.zeitstand.data or ""
    return wanted, errors


@bp.get("/atlas")
def index():
    """Measures of all offices the user may see, filtered by GET parameters, one page at a time."""
    form = AtlasForm(request.args)
    wanted, errors = _wanted(form)
    result = service.search(db.session, visible_strategy_ids(), wanted, clock.today())
    args = {k: v for k, v in request.args.items() if k != "seite" and v}
    return render_template(
        "atlas/index.html", form=form, errors=errors, result=result, args=args, copy_targets=bool(_targets())
    ), (422 if errors else 200)


ATLAS_XLSX = "atlas_xlsx"


@bp.get("/atlas.xlsx")
def export_xlsx():
    """Every match of the search (all pages) as a workbook, made in the background (24,000
    measures at 400 offices): the job's page, seen only by the user who asked."""
    form = AtlasForm(request.args)
    wanted, errors = _wanted(form)
    if errors:
        return render_template(
            "atlas/index.html",
            form=form,
            errors=errors,
            result=service.AtlasPage([], 0, 1, 1, 0),
            args={},
            copy_targets=False,
        ), 422
    visible = visible_strategy_ids()
    strategies = None if visible is None else sorted(db.session.scalars(visible))
    newest = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))
    job = jobs.request_document(
        current_app._get_current_object(),
        db.session,
        kind=ATLAS_XLSX,
        organisation_id=None,
        user_id=current_user.id,
        options={
            "heute": clock.today().isoformat(),
            "strategien": strategies,
            "suche": {k: v for k, v in request.args.items() if k != "seite" and v},
        },
        state=newest,
        title="Maßnahmenatlas – Treffer als Excel",
        requested_by=current_user.label,
    )
    return redirect(url_for("documents.status", job_id=job.id), 303)


def _atlas_xlsx(job, report: jobs.Report) -> tuple[bytes, str, str]:
    """The atlas export of a job (in the worker): the search again, on the strategies the user saw."""
    day = date.fromisoformat(job.options["heute"])
    with current_app.test_request_context(query_string=job.options["suche"]):
        form = AtlasForm(MultiDict(job.options["suche"]))
        wanted, errors = _wanted(form)
    if errors:
        raise jobs.JobError("Die Suche ist nicht gültig: " + "; ".join(errors))
    ids = job.options["strategien"]
    visible = None if ids is None else sa.select(models.Strategy.id).where(models.Strategy.id.in_(ids or [-1]))
    report(5, "Die Maßnahmen werden gesucht.")
    result = service.search(db.session, visible, wanted, day, everything=True)
    report(40, f"{result.total} Maßnahmen werden in die Tabelle geschrieben.")
    data = tables_workbook(
        "Maßnahmenatlas",
        f"Stand {german_date(day)}: {result.total} Maßnahmen in {result.offices} Ämtern",
        [atlas_table(result.rows)],
    )
    return data, f"Maßnahmenatlas {day.isoformat()}.xlsx", XLSX


jobs.register(ATLAS_XLSX, "Maßnahmenatlas (Excel)", _atlas_xlsx)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
