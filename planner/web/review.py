"""The biennial strategy review — the one review of a strategy version: prepare it (the review pack
and a proposed decision per measure), hold the meeting (change decisions, a changed one with its
reason; date, participants, minutes), finalise it after a confirmation (which settles the measures
decided abgeschlossen or verwerfen in this version), print it (the pack with the paper decision
sheet, or with the decisions taken: one PDF, read from the same review as the page), and make the
Fortschreibung from it (proposed dates shown for confirmation before the version is created).
The URLs of the former review form (/strategien/<id>/review, /review.pdf) lead here."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .. import models
from ..domain.fortschreibung import default_end, default_name, default_start
from ..domain.german import german_date
from ..domain.verstetigung import ANSWER_FIELDS, SOFT_CRITERIA, STRATEGY
from ..domain.verstetigung_versions import FortschreibungError
from ..extensions import db
from ..services import fortschreibung
from ..services import review as service
from ..services import verstetigung as records
from ..services import verstetigung_review as pack_service
from ..services.strategies import ValidationFailed
from ..services.whole_strategy import strategy_to_domain
from . import clock
from .access import actor_name, get_strategy_or_404, may_write
from .downloads import download
from .filters import strategy_file_stem
from .forms import save_unchanged
from .forms.review import ContinueForm, FinaliseForm, meeting_form
from .forms.verstetigung import EvaluationForm
from .verstetigung.common import read_only
from .verstetigung.evaluations import evaluation_page

bp = Blueprint("review", __name__, url_prefix="/strategien/<int:strategy_id>/strategiereviews")


DEFAULT_K = 2  # per-lead limit of the proposed dates, changeable on the form


def _review_or_404(row: models.Strategy, review_id: int):
    review = service.get_review(db.session, row, review_id)
    if review is None:
        abort(404)
    return review


def _writable(row: models.Strategy) -> bool:
    return may_write(row.organisation_id) and records.successor_id(db.session, row.id) is None


@bp.get("")
def index(strategy_id: int):
    """The reviews of this version; prepare a new one."""
    row = get_strategy_or_404(strategy_id)
    return render_template(
        "review/index.html",
        row=row,
        reviews=service.reviews_of(db.session, row),
        open_review=service.open_review(db.session, row),
        writable=_writable(row),
        read_only=read_only(row),
    )


@bp.post("/vorbereiten")
def prepare(strategy_id: int):
    """Prepare a review: every measure gets a proposed decision from status, schedule state and evaluation."""
    row = get_strategy_or_404(strategy_id, write=True)
    try:
        review = service.prepare(db.session, row, clock.today(), actor_name(row.organisation_id))
    except service.ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("review.index", strategy_id=strategy_id))
    db.session.commit()
    flash("Das Strategiereview wurde vorbereitet: je Maßnahme ist eine Entscheidung vorgeschlagen.", "success")
    return redirect(url_for("review.meeting", strategy_id=strategy_id, review_id=review.id))


def _meeting_page(row, review, form=None, status: int = 200, general: list[str] | None = None):
    lines = service.lines(review)
    editable = not review.finalised and _writable(row)
    if form is None and editable:
        form = meeting_form(lines, formdata=None)
        form.held_on.data = german_date(review.held_on) if review.held_on else ""
        form.participants.data = review.participants
        form.minutes.data = review.minutes
        form.lock_version.data = review.lock_version
        for line in lines:
            form[f"d_{line.id}"].data = line.decision.value if line.decision else ""
            form[f"n_{line.id}"].data = line.note
    today = review.held_on or clock.today()
    extras = service.pack_extras(db.session, row, today, draw=False)
    return render_template(
        "review/sitzung.html",
        pack=pack_service.review_pack(db.session, row, today, current=review),
        shown=pack_service.SHOWN,
        extras=extras,
        fahrplan_src=url_for("roadmap.chart", strategy_id=row.id, chart="fahrplan", fmt="svg"),
        radar_src=url_for("maturity.radar", strategy_id=row.id, fmt="svg") if extras.radar_text else None,
        row=row,
        review=review,
        lines=lines,
        form=form if editable else None,
        general=general or [],
        changed=[line for line in lines if line.changed],
        read_only=read_only(row),
        successor=records.successor_id(db.session, row.id),
    ), status


@bp.get("/<int:review_id>")
def meeting(strategy_id: int, review_id: int):
    """The review meeting: proposed decisions, changeable with a note; date, participants, minutes."""
    row = get_strategy_or_404(strategy_id)
    return _meeting_page(row, _review_or_404(row, review_id))


@bp.post("/<int:review_id>")
def save(strategy_id: int, review_id: int):
    """Save the meeting's record; with "abschliessen", save and then ask to confirm the finalisation."""
    row = get_strategy_or_404(strategy_id, write=True)
    review = _review_or_404(row, review_id)
    if review.finalised:
        return _meeting_page(row, review, status=409, general=["Das Strategiereview ist bereits abgeschlossen."])
    form = meeting_form(service.lines(review), formdata=request.form)
    if not form.validate_all(clock.today()):
        return _meeting_page(row, review, form, 422)
    finishing = request.form.get("aktion") == "abschliessen"
    if finishing:  # what finalising needs is asked for here, where it is typed
        missing = [
            what
            for what, given in (("das Datum der Sitzung", form.held()), ("die Teilnehmenden", form.participants.data))
            if not given or (isinstance(given, str) and not given.strip())
        ]
        if missing:
            return _meeting_page(row, review, form, 422, ["Zum Abschließen fehlen " + " und ".join(missing) + "."])

    def write() -> None:
        service.save(
            db.session,
            review,
            held_on=form.held(),
            participants=(form.participants.data or "").strip(),
            minutes=(form.minutes.data or "").strip(),
            decisions=form.decisions(),
        )

    try:
        refused = save_unchanged(form.lock_version, "strategy_reviews", review, write)
    except service.ReviewError as exc:
        db.session.rollback()
        review = _review_or_404(row, review_id)
        return _meeting_page(row, review, form, 422, [str(exc)])
    if refused is not None:  # someone else saved the meeting after this form was filled
        return _meeting_page(row, _review_or_404(row, review_id), form, 422, [refused])
    db.session.commit()
    if finishing:  # saved; finalising needs its confirmation
        return redirect(url_for("review.finalise", strategy_id=strategy_id, review_id=review_id))
    flash("Das Strategiereview wurde gespeichert.", "success")
    return redirect(url_for("review.meeting", strategy_id=strategy_id, review_id=review_id))


def _finalise_page(row, review, form: FinaliseForm, status: int = 200, general: list[str] | None = None):
    return render_template(
        "review/abschliessen.html",
        row=row,
        review=review,
        form=form,
        settled=service.settlement(review),
        missing=service.missing_for_finalising(review),
        general=general or [],
    ), status


@bp.route("/<int:review_id>/abschliessen", methods=["GET", "POST"])
def finalise(strategy_id: int, review_id: int):
    """Finalise the review after a confirmation: what it settles in this version is listed first."""
    row = get_strategy_or_404(strategy_id, write=True)
    review = _review_or_404(row, review_id)
    if review.finalised:
        flash("Das Strategiereview ist bereits abgeschlossen.", "info")
        return redirect(url_for("review.meeting", strategy_id=strategy_id, review_id=review_id))
    if request.method == "GET":
        form = FinaliseForm(formdata=None)
        form.lock_version.data = review.lock_version
        return _finalise_page(row, review, form)
    form = FinaliseForm()
    if not form.validate():
        return _finalise_page(row, review, form, 422)
    try:
        refused = save_unchanged(
            form.lock_version,
            "strategy_reviews",
            review,
            lambda: service.finalise(db.session, review, actor_name(row.organisation_id)),
        )
    except (service.ReviewError, ValidationFailed) as exc:
        db.session.rollback()
        problems = [str(p) for p in exc.problems] if isinstance(exc, ValidationFailed) else [str(exc)]
        return _finalise_page(row, _review_or_404(row, review_id), form, 422, problems)
    if refused is not None:
        return _finalise_page(row, _review_or_404(row, review_id), form, 409, [refused])
    db.session.commit()
    flash("Das Strategiereview wurde abgeschlossen.", "success")
    return redirect(url_for("review.meeting", strategy_id=strategy_id, review_id=review_id))


@bp.get("/<int:review_id>.pdf")
def pdf(strategy_id: int, review_id: int):
    """The review pack with exactly the meeting's decisions and notes, as PDF."""
    row = get_strategy_or_404(strategy_id)
    review = _review_or_404(row, review_id)
    pdf = service.review_document(db.session, row, review, review.held_on or clock.today(), request.url_root)
    return download(
        pdf,
        "application/pdf",
        f"strategiereview-{strategy_file_stem(row)}-{review.id}.pdf",
    )


# --- Fortschreibung from the finalised review -----------------------------------------------------


def _continue_page(row, review, form, cont=None, status: int = 200, general: list[str] | None = None):
    return render_template(
        "review/fortschreibung.html",
        row=row,
        review=review,
        form=form,
        cont=cont,
        lines=service.lines(review),
        general=general or [],
        titles={m.key: m.title for m in row.measures},
    ), status


@bp.route("/<int:review_id>/fortschreibung", methods=["GET", "POST"])
def continuation(strategy_id: int, review_id: int):
    """The next version from the finalised review: first the proposed dates, then, confirmed, the version."""
    row = get_strategy_or_404(strategy_id, write=True)
    review = _review_or_404(row, review_id)
    if not review.finalised:
        flash("Bitte das Strategiereview zuerst abschließen.", "error")
        return redirect(url_for("review.meeting", strategy_id=strategy_id, review_id=review_id))
    if request.method == "GET":
        form = ContinueForm(formdata=None)
        start = default_start(review.held_on or clock.today())
        form.version.data = default_name(start)
        form.start.data, form.end.data = start.german(), default_end(start).german()
        form.k.data = DEFAULT_K
        form.keep_rest.data = True
        form.vision.data, form.mission.data = row.vision, row.mission
        form.by.data = actor_name(row.organisation_id)
        return _continue_page(row, review, form)
    form = ContinueForm()
    if not form.validate_all():
        return _continue_page(row, review, form, status=422)
    try:
        cont = fortschreibung.from_review(
            db.session,
            row,
            review,
            today=clock.today(),
            version=form.version.data,
            start=form.start_month,
            end=form.end_month,
            max_parallel=form.k.data,
        )
        if cont.undecided and not form.keep_rest.data:
            raise FortschreibungError(
                "Für "
                + ("1 Maßnahme" if len(cont.undecided) == 1 else f"{len(cont.undecided)} Maßnahmen")
                + " gibt es im Review keine Entscheidung: bitte „alle übrigen behalten“ wählen oder im Review"
                " entscheiden."
            )
        if request.form.get("aktion") != "anlegen":  # first the proposed dates, for confirmation
            return _continue_page(row, review, form, cont)
        new_row = fortschreibung.create(
            db.session,
            row,
            cont,
            vision=(form.vision.data or "").strip(),
            mission=(form.mission.data or "").strip(),
            by=form.by.data.strip(),
        )
    except records.AlreadyContinued as exc:
        db.session.rollback()
        return _continue_page(row, review, form, status=409, general=[str(exc)])
    except FortschreibungError as exc:
        db.session.rollback()
        return _continue_page(row, review, form, status=422, general=[str(exc)])
    except ValidationFailed as exc:
        db.session.rollback()
        return _continue_page(row, review, form, status=422, general=[str(p) for p in exc.problems])
    db.session.commit()
    flash(
        f"Die Version „{new_row.version}“ wurde angelegt. Die bisherige Version ist jetzt schreibgeschützt.", "success"
    )
    return redirect(url_for("strategies.detail", strategy_id=new_row.id))


# --- the former review form's URLs ---------------------------------------------------------------

legacy = Blueprint("review_legacy", __name__, url_prefix="/strategien/<int:strategy_id>")


@legacy.route("/review", methods=["GET", "POST"])
def old_page(strategy_id: int):
    """The former review form (issue 6): its reviews are reviews now; 303 so a POST becomes a GET."""
    get_strategy_or_404(strategy_id)
    return redirect(url_for("review.index", strategy_id=strategy_id), 303 if request.method == "POST" else 301)


@legacy.get("/review.pdf")
def old_pdf(strategy_id: int):
    """The former pack PDF: the PDF of the review in preparation (else the latest), else the reviews."""
    row = get_strategy_or_404(strategy_id)
    current = service.open_review(db.session, row) or next(iter(service.reviews_of(db.session, row)), None)
    if current is None:
        flash("Noch kein Strategiereview: bitte zuerst ein Review vorbereiten.", "info")
        return redirect(url_for("review.index", strategy_id=strategy_id))
    return redirect(url_for("review.pdf", strategy_id=strategy_id, review_id=current.id))


# --- correcting an evaluation (until a finalised review used it) ----------------------------------

corrections = Blueprint("evaluation_correction", __name__, url_prefix="/strategien/<int:strategy_id>/evaluationen")


def _fill(form: EvaluationForm, record) -> None:
    form.kind.data = record.kind.value
    form.due.data = str(record.due) if record.due else ""
    form.performed.data = german_date(record.performed)
    form.by.data = record.by
    for f in ANSWER_FIELDS:
        value = getattr(record, f)
        form[f].data = value.value if value else ""
    for f in SOFT_CRITERIA:
        soft = getattr(record, f)
        form[f"{f}_rating"].data = str(soft.rating) if soft and soft.rating else ""
        form[f"{f}_text"].data = soft.text if soft else ""
    for f in ("went_well", "went_badly", "citizen_survey", "staff_survey", "notes"):
        form[f].data = getattr(record, f)
    form.outcome.data = record.outcome.value if record.outcome else ""


@corrections.route("/<int:evaluation_id>/korrektur", methods=["GET", "POST"])
def correct(strategy_id: int, evaluation_id: int):
    """Correct a recorded evaluation (the Verlauf keeps the old values) until a finalised review used it."""
    row = get_strategy_or_404(strategy_id, write=True, superseded_ok=True)
    ev = records.get_evaluation(db.session, row, evaluation_id)
    if ev is None:
        abort(404)
    key = ev.measure.key if ev.measure is not None else STRATEGY
    back = url_for("verstetigung.evaluations.detail", strategy_id=strategy_id, evaluation_id=evaluation_id)
    locked = service.evaluation_locked(db.session, ev)
    if locked is not None:
        flash(
            "Diese Evaluation wurde in einem abgeschlossenen Strategiereview verwendet und bleibt unverändert.", "error"
        )
        return redirect(back)
    strategy = strategy_to_domain(row)
    refused = None
    if request.method == "GET":
        form = EvaluationForm(formdata=None)
        _fill(form, records.evaluation_to_domain(ev, key))
        form.lock_version.data = ev.lock_version
    else:
        form = EvaluationForm()
        if form.validate_all(clock.today()):
            record = form.to_record(key)
            try:
                refused = save_unchanged(
                    form.lock_version,
                    "verstetigung_evaluations",
                    ev,
                    lambda: service.correct_evaluation(db.session, ev, record),
                )
            except service.ReviewError as exc:
                db.session.rollback()
                flash(str(exc), "error")
                return redirect(back)
            if refused is None:
                db.session.commit()
                flash("Die Korrektur wurde gespeichert; der Verlauf zeigt die bisherigen Angaben.", "success")
                return redirect(back)
            ev = records.get_evaluation(db.session, row, evaluation_id)
    status = 200 if request.method == "GET" else 422
    return evaluation_page(row, strategy, key, form, status, correcting=ev, general=[refused] if refused else [])
