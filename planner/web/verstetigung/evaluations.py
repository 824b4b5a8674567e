"""Evaluations of a measure or of the strategy (form and recorded evaluation), and the knowledge base."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ... import models
from ...domain.german import german_date
from ...domain.months import Month
from ...domain.strategy import Status, Strategy
from ...domain.verstetigung import RATINGS, SOFT_CRITERIA, STRATEGY, Kind, adherence, schedule_answer
from ...extensions import db
from ...services import review as review_service
from ...services import verstetigung as service
from ...services.whole_strategy import strategy_to_domain
from .. import clock
from ..access import get_strategy_or_404, may_write, visible_organisation_ids
from ..forms import SENT_TWICE
from ..forms.verstetigung import EvaluationForm, KnowledgeForm
from .common import measure_row, user_name
from .progress import OUTCOME_BY_VALUE

bp = Blueprint("evaluations", __name__)
KINDS = ("prozess", "wirkung")


def evaluation_page(row, strategy, subject: str, form: EvaluationForm, status: int = 200, **extra):
    """The evaluation form of a measure (or the whole strategy): new, or a correction (`correcting`)."""
    measure = strategy.measure(subject) if subject != STRATEGY else None
    indicators = service.indicators_of(db.session, measure_row(row, subject)) if measure else []
    return render_template(
        "verstetigung/evaluation_form.html",
        row=row,
        strategy=strategy,
        measure=measure,
        form=form,
        kind=Kind(form.kind.data) if form.kind.data in KINDS else Kind.PROZESS,
        adherence=adherence(measure) if measure else None,
        indicators=indicators,
        soft=[(f, label) for f, label in SOFT_CRITERIA.items()],
        **extra,
    ), status


def _prefilled_form(row: models.Strategy, strategy: Strategy, subject: str) -> EvaluationForm:
    """A new evaluation form: kind and due month from the address (?art=, ?faellig=), today, who records,
    and for a measure whether its schedule was kept and whether it is done."""
    form = EvaluationForm(formdata=None)
    form.kind.data = request.args.get("art") if request.args.get("art") in KINDS else "prozess"
    due = request.args.get("faellig", "")
    try:
        form.due.data = str(Month.parse(due)) if due else ""
    except ValueError:
        form.due.data = ""
    form.performed.data = german_date(clock.today())
    form.by.data = user_name(row)
    if subject != STRATEGY:
        measure = strategy.measure(subject)
        answer = schedule_answer(measure)
        form.schedule_kept.data = answer.value if answer else ""
        form.done.data = "ja" if measure.status is Status.ABGESCHLOSSEN else ""
    return form


def _evaluate(strategy_id: int, subject: str):
    # superseded_ok: a finished measure of an old version still gets its (impact) evaluation;
    # the form page itself is for those who may save it (readers are not shown a form they cannot send)
    row = get_strategy_or_404(strategy_id, write=True, superseded_ok=True)
    if subject != STRATEGY:
        measure_row(row, subject)
    strategy = strategy_to_domain(row)
    if request.method == "GET":
        form = _prefilled_form(row, strategy, subject)
        form.issue_token()
        return evaluation_page(row, strategy, subject, form)
    form = EvaluationForm()
    if (done := form.sent_before()) is not None:  # the same form again: to the evaluation it recorded
        flash(SENT_TWICE, "info")
        return redirect(done)
    if not form.validate_all(clock.today()):
        return evaluation_page(row, strategy, subject, form, 422)
    ev = service.save_evaluation(db.session, row, form.to_record(subject))
    form.record(url_for("verstetigung.evaluations.detail", strategy_id=strategy_id, evaluation_id=ev.id))
    db.session.commit()
    flash(f"Die {Kind(form.kind.data).label} wurde gespeichert.", "success")
    return redirect(url_for("verstetigung.evaluations.detail", strategy_id=strategy_id, evaluation_id=ev.id))


@bp.route("/massnahmen/<key>/evaluation", methods=["GET", "POST"])
def new_for_measure(strategy_id: int, key: str):
    """The measure evaluation form: measurable and soft criteria, lessons learned, outcome."""
    return _evaluate(strategy_id, key)


@bp.route("/evaluation", methods=["GET", "POST"])
def new_for_strategy(strategy_id: int):
    """An evaluation of the strategy itself (e.g. the impact evaluation after five years)."""
    return _evaluate(strategy_id, STRATEGY)


@bp.get("/evaluationen/<int:evaluation_id>")
def detail(strategy_id: int, evaluation_id: int):
    """One recorded evaluation."""
    row = get_strategy_or_404(strategy_id)
    ev = service.get_evaluation(db.session, row, evaluation_id)
    if ev is None:
        abort(404)
    key = ev.measure.key if ev.measure is not None else STRATEGY
    return render_template(
        "verstetigung/evaluation.html",
        row=row,
        ev=ev,
        record=service.evaluation_to_domain(ev, key),
        measure=ev.measure,
        correctable=may_write(row.organisation_id) and review_service.evaluation_locked(db.session, ev) is None,
        soft=SOFT_CRITERIA,
        ratings=RATINGS,
    )


@bp.get("/wissensdatenbank")
def knowledge(strategy_id: int):
    """Lessons learned across strategies and versions: search, filter by dimension and outcome."""
    row = get_strategy_or_404(strategy_id)
    form = KnowledgeForm(request.args)
    if not form.validate():
        form = KnowledgeForm(formdata=None)
    chain = [r.id for r in service.version_chain(db.session, row)] if form.scope.data == "diese" else None
    found = service.lessons(
        db.session,
        visible_organisation_ids(),
        text=form.q.data or "",
        dimension=form.dimension.data or "",
        outcome=form.outcome.data or "",
        strategy_ids=chain,
    )
    return render_template("verstetigung/wissen.html", row=row, form=form, lessons=found, outcomes=OUTCOME_BY_VALUE)
