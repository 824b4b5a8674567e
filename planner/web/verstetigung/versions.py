"""Versions of a strategy: the list, the Fortschreibung (creating the next version) and the comparison."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ... import models
from ...domain.german import german_date
from ...domain.months import Month
from ...domain.roadmap_view import roadmap_view
from ...domain.strategy import Measure, Status
from ...domain.verstetigung import Resolution, ReviewDecision
from ...domain.verstetigung_versions import (
    SUGGESTED,
    FortschreibungError,
    carried_over,
    compare_versions,
    latest_outcomes,
)
from ...extensions import db
from ...services import fortschreibung
from ...services import review as review_records
from ...services import verstetigung as service
from ...services.strategies import ValidationFailed
from ...services.whole_strategy import strategy_to_domain
from .. import clock
from ..access import get_strategy_or_404, readable_versions
from ..forms import parse_month_field, save_unchanged
from ..forms.verstetigung import ResolutionForm, decision_rows, decisions_of, fortschreibung_form
from .common import read_only, user_name

bp = Blueprint("versions", __name__)


def _resolution_page(row, form, status: int = 200, general: list[str] | None = None):
    return render_template(
        "verstetigung/beschluss.html",
        row=row,
        form=form,
        adoption=fortschreibung.adoption_text(db.session, row),
        general=general or [],
    ), status


@bp.route("/beschluss", methods=["GET", "POST"])
def resolution(strategy_id: int):
    """Record the Beschluss of this version (date, body, reference): until then a Fortschreibung is a draft."""
    row = get_strategy_or_404(strategy_id, write=True)
    if request.method == "GET":
        form = ResolutionForm(formdata=None)
        stored = fortschreibung.resolution_row(db.session, row)
        if stored is not None:
            form.decided_on.data = german_date(stored.decided_on)
            form.body.data, form.reference.data = stored.body, stored.reference
        form.lock_version.data = row.lock_version
        return _resolution_page(row, form)
    form = ResolutionForm()
    if not form.validate_all(clock.today()):
        return _resolution_page(row, form, 422)
    decided = Resolution(form.day, form.body.data.strip(), (form.reference.data or "").strip())
    try:
        refused = save_unchanged(
            form.lock_version,
            "strategies",
            row,
            lambda: fortschreibung.record_resolution(db.session, row, decided, user_name(row)),
        )
    except FortschreibungError as exc:
        db.session.rollback()
        return _resolution_page(row, form, 409, [str(exc)])
    if refused is not None:
        return _resolution_page(row, form, 422, [refused])
    db.session.commit()
    flash(f"Der Beschluss wurde erfasst: {fortschreibung.adoption_text(db.session, row)}.", "success")
    return redirect(url_for("strategies.detail", strategy_id=strategy_id))


@bp.get("/versionen")
def index(strategy_id: int):
    """All versions of the strategy, the history of decisions, links to compare and to continue."""
    row = get_strategy_or_404(strategy_id)
    chain = readable_versions(row)
    return render_template(
        "verstetigung/versionen.html",
        row=row,
        chain=chain,
        adoptions={v.id: fortschreibung.adoption_text(db.session, v) for v in chain},
        strategy=strategy_to_domain(row),
        read_only=read_only(row),
        predecessor=service.predecessor_id(db.session, row.id),
    )


def _fortschreibung_page(row, form, outcomes, status: int = 200, general: list[str] | None = None):
    return render_template(
        "verstetigung/fortschreibung.html",
        row=row,
        form=form,
        rows=decision_rows(form),
        general=general or [],
        read_only=read_only(row),
        outcomes=outcomes,
    ), status


def _prefilled_form(row: models.Strategy, pending: list[Measure], outcomes: dict):
    """Vision and mission of this version, who and this month; the evaluations' outcomes suggest the decisions."""
    form = fortschreibung_form(pending, formdata=None)
    form.vision.data, form.mission.data = row.vision, row.mission
    form.by.data = user_name(row)
    form.adopted.data = (Month(clock.today().year, clock.today().month) + 1).german()
    for i, m in enumerate(pending):
        if m.key in outcomes:
            form[f"d_{i}"].data = SUGGESTED[outcomes[m.key].outcome].value
    return form


@bp.route("/fortschreibung", methods=["GET", "POST"])
def new_version(strategy_id: int):
    """Create the next version: vision and mission to edit, a decision per unfinished or backlog measure."""
    row = get_strategy_or_404(strategy_id, write=True)
    strategy = strategy_to_domain(row)
    pending = carried_over(strategy)
    outcomes = latest_outcomes(strategy)
    if request.method == "GET" and (done := review_records.latest_finalised(db.session, row)) is not None:
        # a finalised review decided already: its Fortschreibung takes the decisions over
        return redirect(url_for("review.continuation", strategy_id=strategy_id, review_id=done.id))
    if request.method == "GET":
        return _fortschreibung_page(row, _prefilled_form(row, pending, outcomes), outcomes)
    form = fortschreibung_form(pending)
    valid = form.validate()
    adopted = parse_month_field(form.adopted)
    if not (valid and not form.adopted.errors):
        return _fortschreibung_page(row, form, outcomes, 422)
    try:
        decided = {k: (ReviewDecision(d.value), note) for k, (d, note) in decisions_of(form).items()}
        result = fortschreibung.preview(
            db.session, row, decided, review_day=clock.today(), today=clock.today(), version=form.version.data,
            start=adopted,
        )  # fmt: skip
        new_row = fortschreibung.create(
            db.session,
            row,
            result,
            vision=(form.vision.data or "").strip(),
            mission=(form.mission.data or "").strip(),
            by=form.by.data.strip(),
        )
    except service.AlreadyContinued as exc:  # someone else was quicker (the strategy lock makes this rare)
        db.session.rollback()
        return _fortschreibung_page(row, form, outcomes, 409, [str(exc)])
    except FortschreibungError as exc:
        db.session.rollback()
        return _fortschreibung_page(row, form, outcomes, 422, [str(exc)])
    except ValidationFailed as exc:
        db.session.rollback()
        return _fortschreibung_page(row, form, outcomes, 422, [str(p) for p in exc.problems])
    db.session.commit()
    flash(
        f"Die Version „{new_row.version}“ wurde angelegt. Die bisherige Version ist jetzt schreibgeschützt.", "success"
    )
    _flash_outdated_months(new_row)
    return redirect(url_for("verstetigung.versions.comparison", strategy_id=new_row.id))


def _flash_outdated_months(new_row: models.Strategy) -> None:
    """Carried-over measures keep their months: say when they lie before the new roadmap window."""
    strategy = strategy_to_domain(new_row)
    view = roadmap_view(strategy, clock.today())
    before = [
        m
        for m in strategy.measures
        if m.is_planned and m.status is not Status.ABGESCHLOSSEN and m.end is not None and m.end < view.plan_start
    ]
    if before:
        many = len(before) != 1
        flash(
            f"{len(before)} übernommene Maßnahme{'n liegen' if many else ' liegt'} mit den bisher geplanten Monaten "
            f"vor dem neuen Planungszeitraum {view.plan_start.german()} – {view.plan_end.german()}. "
            "Bitte neu planen, z. B. mit dem Planungsvorschlag.",
            "warning",
        )


@bp.get("/vergleich")
def comparison(strategy_id: int):
    """This version against an earlier one (default: its predecessor), field by field."""
    row = get_strategy_or_404(strategy_id)
    chain = readable_versions(row)
    others = [r for r in chain if r.id != row.id]
    other_id = request.args.get("mit", type=int) or service.predecessor_id(db.session, row.id)
    other = next((r for r in others if r.id == other_id), None)
    if other_id is not None and other is None:
        abort(404)
    old_row = new_row = diff = None
    if other is not None:
        old_row, new_row = (other, row) if chain.index(other) < chain.index(row) else (row, other)
        diff = compare_versions(strategy_to_domain(old_row), strategy_to_domain(new_row))
    return render_template("verstetigung/vergleich.html", row=row, others=others, diff=diff, old=old_row, new=new_row)
