"""A measure's actual progress: status and actual months, status history, indicators and their values."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for

from ... import models
from ...charts.common import MIMETYPES, render
from ...charts.indicator import indicator_chart as draw_indicator_chart
from ...charts.indicator import indicator_text
from ...domain.evaluation_calendar import late_note
from ...domain.german import german_date
from ...domain.strategy import Status
from ...domain.verstetigung import OUTCOME_LABELS, Indicator, adherence, calendar
from ...extensions import db
from ...services import verstetigung as service
from ...services.strategies import ValidationFailed
from ...services.whole_strategy import strategy_to_domain
from .. import clock
from ..access import get_strategy_or_404
from ..forms import parse_month_field
from ..forms.verstetigung import IndicatorForm, ProgressForm, ValueForm, parse_date_field, parse_number_field
from .common import measure_row, read_only, user_name

bp = Blueprint("progress", __name__)
OUTCOME_BY_VALUE = {o.value: label for o, label in OUTCOME_LABELS.items()}


def _progress_form(row: models.Strategy, measure) -> ProgressForm:
    """The progress form prefilled with the measure's status and actual months, today and who records."""
    form = ProgressForm(formdata=None)
    form.status.data = measure.status.value
    form.actual_start.data = measure.actual_start.german() if measure.actual_start else ""
    form.actual_end.data = measure.actual_end.german() if measure.actual_end else ""
    form.changed_on.data = german_date(clock.today())
    form.by.data = user_name(row)
    return form


def _measure_page(
    row: models.Strategy,
    key: str,
    progress_form: ProgressForm | None = None,
    indicator_form: IndicatorForm | None = None,
    value_forms: dict | None = None,
    status: int = 200,
):
    strategy = strategy_to_domain(row)
    measure = strategy.measure(key)
    indicators = service.indicators_of(db.session, measure_row(row, key))
    value_forms = value_forms or {}
    for ind in indicators:
        value_forms.setdefault(ind.id, ValueForm(formdata=None, prefix=f"wert-{ind.id}"))
    return render_template(
        "verstetigung/massnahme.html",
        late=late_note(measure, clock.today()),
        row=row,
        strategy=strategy,
        measure=measure,
        history=strategy.status_history.get(key, []),
        adherence=adherence(measure),
        slots=[d for d in calendar(strategy, clock.today()) if d.subject == key],
        evaluations=service.evaluations_of(db.session, row, key),
        indicators=indicators,
        progress_form=progress_form or _progress_form(row, measure),
        indicator_form=indicator_form or IndicatorForm(formdata=None),
        value_forms=value_forms,
        read_only=read_only(row),
        outcomes=OUTCOME_BY_VALUE,
    ), status


@bp.get("/massnahmen/<key>/verstetigung")
def page(strategy_id: int, key: str):
    """A measure's actual progress, status history, evaluations and indicators."""
    row = get_strategy_or_404(strategy_id)
    measure_row(row, key)
    return _measure_page(row, key)


@bp.post("/massnahmen/<key>/fortschritt")
def record(strategy_id: int, key: str):
    """Record status and actual months; the status change goes into the history with who and when."""
    row = get_strategy_or_404(strategy_id, write=True)
    measure_row(row, key)
    form = ProgressForm()
    if not form.validate_all(clock.today()):
        return _measure_page(row, key, progress_form=form, status=422)
    try:
        changed = service.record_progress(
            db.session,
            row,
            key,
            status=Status(form.status.data),
            actual_start=parse_month_field(form.actual_start),
            actual_end=parse_month_field(form.actual_end),
            on=parse_date_field(form.changed_on),
            by=form.by.data.strip(),
            note=(form.note.data or "").strip(),
        )
    except ValidationFailed as exc:
        db.session.rollback()
        form.status.errors = [p.message for p in exc.problems] or ["Die Änderung ist nicht gültig."]
        return _measure_page(row, key, progress_form=form, status=422)
    db.session.commit()
    flash("Der Stand wurde gespeichert." if changed else "Keine Änderung.", "success")
    return redirect(url_for("verstetigung.progress.page", strategy_id=strategy_id, key=key))


@bp.post("/massnahmen/<key>/indikatoren")
def add_indicator(strategy_id: int, key: str):
    """Add an indicator (name, unit, baseline, target) to a measure."""
    row = get_strategy_or_404(strategy_id, write=True, superseded_ok=True)
    measure = measure_row(row, key)
    form = IndicatorForm()
    if not form.validate_all():
        return _measure_page(row, key, indicator_form=form, status=422)
    name = form.name.data.strip()
    unit = (form.unit.data or "").strip()
    indicator = Indicator(name, unit, parse_number_field(form.baseline), parse_number_field(form.target))
    service.add_indicator(db.session, measure, indicator)
    db.session.commit()
    flash(f"Der Indikator „{name}“ wurde angelegt.", "success")
    return redirect(url_for("verstetigung.progress.page", strategy_id=strategy_id, key=key) + "#indikatoren")


def _indicator_or_404(row: models.Strategy, key: str, indicator_id: int):
    ind = service.get_indicator(db.session, measure_row(row, key), indicator_id)
    if ind is None:
        abort(404)
    return ind


@bp.post("/massnahmen/<key>/indikatoren/<int:indicator_id>/werte")
def add_value(strategy_id: int, key: str, indicator_id: int):
    """Add a measured value to an indicator."""
    row = get_strategy_or_404(strategy_id, write=True, superseded_ok=True)
    ind = _indicator_or_404(row, key, indicator_id)
    form = ValueForm(prefix=f"wert-{ind.id}")
    if not form.validate_all():
        return _measure_page(row, key, value_forms={ind.id: form}, status=422)
    service.add_value(db.session, ind, parse_date_field(form.measured), parse_number_field(form.value))
    db.session.commit()
    flash("Der Messwert wurde gespeichert.", "success")
    return redirect(url_for("verstetigung.progress.page", strategy_id=strategy_id, key=key) + "#indikatoren")


@bp.get("/massnahmen/<key>/indikatoren/<int:indicator_id>.<fmt>")
def indicator_chart(strategy_id: int, key: str, indicator_id: int, fmt: str):
    """The indicator's small chart as SVG or PNG."""
    if fmt not in ("svg", "png"):
        abort(404)
    row = get_strategy_or_404(strategy_id)
    ind = service.indicator_to_domain(_indicator_or_404(row, key, indicator_id))
    data = render(draw_indicator_chart(ind), fmt, *indicator_text(ind))
    return Response(data, mimetype=MIMETYPES[fmt], headers={"Cache-Control": "no-cache"})
