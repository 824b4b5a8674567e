"""Verstetigung pages: evaluation calendar (+ ICS), a measure's progress, evaluations and indicators,
the knowledge base, the biennial strategy review (+ PDF), the Fortschreibung and the version comparison.

Old versions (with a Fortschreibung) are read only; evaluations and indicator values may still be
added to them, since a finished measure's impact evaluation falls due after the next version began.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from icalendar import Calendar, Event

from .. import models
from ..charts.common import MIMETYPES, render
from ..charts.indicator import indicator_chart, indicator_text
from ..documents.pdf import html_pdf
from ..domain.months import Month, german_date
from ..domain.roadmap_view import roadmap_view
from ..domain.schedule_state import State, schedule_state
from ..domain.strategy import Status
from ..domain.verstetigung import (
    OUTCOME_LABELS,
    RATINGS,
    SOFT_CRITERIA,
    STRATEGY,
    Indicator,
    Kind,
    adherence,
    calendar,
    month_of,
    schedule_answer,
)
from ..domain.verstetigung_versions import (
    SUGGESTED,
    FortschreibungError,
    carried_over,
    compare_versions,
    latest_outcomes,
)
from ..extensions import db
from ..services import verstetigung as service
from ..services import verstetigung_review as review_service
from ..services.strategies import ValidationFailed
from ..services.whole_strategy import strategy_to_domain
from . import clock, nav
from .access import actor_name, get_strategy_or_404, may_write, visible_organisation_ids
from .downloads import download
from .filters import strategy_file_stem
from .forms import parse_month_field
from .verstetigung_forms import (
    EvaluationForm,
    IndicatorForm,
    KnowledgeForm,
    ProgressForm,
    ReviewForm,
    ValueForm,
    decision_rows,
    decisions_of,
    fortschreibung_form,
    parse_date_field,
    parse_number_field,
)

bp = Blueprint("verstetigung", __name__, url_prefix="/strategien/<int:strategy_id>")

nav.STRATEGY_SECTIONS.extend(
    [
        ("verstetigung.kalender", "Evaluationen"),
        ("verstetigung.review", "Strategiereview"),
        ("verstetigung.wissen", "Wissensdatenbank"),
        ("verstetigung.versionen", "Versionen"),
    ]
)
nav.STRATEGY_DOWNLOADS.extend(
    [("verstetigung.review_pdf", "Strategiereview (PDF)"), ("verstetigung.kalender_ics", "Evaluationstermine (ICS)")]
)
nav.MEASURE_DOWNLOADS.append(("verstetigung.massnahme", "Fortschritt & Evaluation"))
OUTCOME_BY_VALUE = {o.value: label for o, label in OUTCOME_LABELS.items()}


@bp.app_template_global("successor_of")
def successor_of(row: models.Strategy) -> models.Strategy | None:
    """The version this strategy was carried over into (it is then read only), or None."""
    newer = _successors().get(row.id) if request.method == "GET" else service.successor_id(db.session, row.id)
    return db.session.get(models.Strategy, newer) if newer is not None else None


def _successors() -> dict[int, int]:
    """Predecessor id → successor id of every carried-over strategy, read once per page
    (a list of strategies asks for each one)."""
    if "verstetigung_successors" not in g:
        g.verstetigung_successors = service.successors(db.session)
    return g.verstetigung_successors


@bp.app_template_global("may_change")
def may_change(row: models.Strategy) -> bool:
    """Whether the current user may change this strategy: write access, and not a carried-over version."""
    return may_write(row.organisation_id) and service.successor_id(db.session, row.id) is None


@bp.app_template_filter("verst_num")
def number_label(value: float | None) -> str:
    """A number the German way: 1.234,5 (whole numbers without decimals)."""
    if value is None:
        return "–"
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def _user_name(row: models.Strategy) -> str:
    """Who records, to prefill "who" fields: the login's person in the organisation, else the login's name."""
    return actor_name(row.organisation_id)


def _measure_row(row: models.Strategy, key: str) -> models.Measure:
    measure = next((m for m in row.measures if m.key == key), None)
    if measure is None:
        abort(404)
    return measure


def _read_only(row: models.Strategy) -> str | None:
    if not may_write(row.organisation_id):
        return f"Sie haben für „{row.organisation.name}“ nur Leserechte."
    return service.read_only_message(db.session, row)


# --- calendar ------------------------------------------------------------------------------------


def _owners(measure) -> list[str]:
    leads = [o.name for o in measure.lead_owners] if measure else []
    return leads or ([o.name for o in measure.owners] if measure and measure.owners else ["ohne Verantwortliche"])


def _earlier_versions(row: models.Strategy, strategy, today: date) -> list[tuple[models.Strategy, object, str]]:
    """Open evaluations of finished measures that stayed in earlier versions (their impact evaluation
    often falls due after the Fortschreibung): (old version row, due entry, measure title)."""
    chain = service.version_chain(db.session, row)
    carried = {m.key for m in strategy.measures}
    out = []
    for old in chain[: chain.index(row)]:
        old_strategy = strategy_to_domain(old)
        for d in calendar(old_strategy, today):
            if d.subject != STRATEGY and d.subject not in carried and not d.done:
                out.append((old, d, old_strategy.measure(d.subject).title))
    return sorted(out, key=lambda e: e[1].due.index)


OPEN = ("offen", "ueberfaellig")  # Due.state of an evaluation that has a date to keep


def _open_entries(row: models.Strategy, strategy, today: date) -> list:
    """The calendar of a strategy; none for a carried-over (read-only) version: its open items
    live in its successor ("Offen aus früheren Versionen")."""
    if service.successor_id(db.session, row.id) is not None:
        return []
    return calendar(strategy, today)


@bp.get("/evaluationen")
def kalender(strategy_id: int):
    """Evaluation calendar: overdue, waiting for a status (Status klären), due soon, later and done; by owner."""
    row = get_strategy_or_404(strategy_id)
    strategy = strategy_to_domain(row)
    today = clock.today()
    entries = _open_entries(row, strategy, today)
    now = month_of(today)
    open_ = [d for d in entries if not d.done and not d.unclear]
    groups = {
        "ueberfaellig": [d for d in open_ if d.overdue],
        "demnaechst": [d for d in open_ if not d.overdue and d.due <= now + 6],
        "spaeter": [d for d in open_ if d.due > now + 6],
        "erledigt": [d for d in entries if d.done],
    }
    waiting: dict[str, list] = {}  # measure key → its evaluations waiting for the status
    for d in entries:
        if d.unclear:
            waiting.setdefault(d.subject, []).append(d)
    by_owner: dict[str, list] = {}
    for d in open_:
        names = ["Strategieteam"] if d.subject == STRATEGY else _owners(strategy.measure(d.subject))
        for name in names:
            by_owner.setdefault(name, []).append(d)
    superseded = successor_of(row)
    return render_template(
        "verstetigung/kalender.html",
        row=row,
        strategy=strategy,
        groups=groups,
        waiting=[(strategy.measure(key), items) for key, items in waiting.items()],
        today=today,
        superseded=superseded,
        by_owner=sorted(by_owner.items(), key=lambda kv: (kv[0] == "ohne Verantwortliche", kv[0].lower())),
        titles={m.key: m.title for m in strategy.measures} | {STRATEGY: "Strategie insgesamt"},
        earlier=[] if superseded else _earlier_versions(row, strategy, today),
    )


def calendar_events(cal, row: models.Strategy, today: date) -> None:
    """Add the open evaluations of a strategy (and those left in its earlier versions) to an iCalendar."""
    strategy = strategy_to_domain(row)
    titles = {m.key: m.title for m in strategy.measures} | {STRATEGY: "Strategie insgesamt"}
    stamp = datetime.now(UTC).replace(microsecond=0)
    superseded = service.successor_id(db.session, row.id) is not None
    # no date is due before the measure's status is clear: waiting evaluations get no event
    entries = [(row, d, titles.get(d.subject, d.subject)) for d in calendar(strategy, today) if d.state in OPEN]
    earlier = [e for e in _earlier_versions(row, strategy, today) if e[1].state in OPEN]
    for version, d, title in [] if superseded else entries + earlier:
        event = Event()
        event.add("uid", f"planner-{version.id}-{d.subject}-{d.kind.value}-{d.due}@planner")
        event.add("dtstamp", stamp)
        event.add("dtstart", date(d.due.year, d.due.month, 1))
        event.add("dtend", date(d.due.year, d.due.month, 2))
        prefix = "Überfällig: " if d.overdue else ""
        event.add("summary", f"{prefix}{d.kind.label}: {title}")
        event.add(
            "description",
            f"{d.reason}; fällig {d.due.german()} – {version.title}"
            + (f" (Version {version.version})" if version.version else ""),
        )
        event.add("categories", ["Evaluation"])
        cal.add_component(event)


def new_calendar(name: str):
    """An empty iCalendar named `name`."""
    cal = Calendar()
    cal.add("prodid", "-//planner//Evaluationskalender//DE")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    return cal


@bp.get("/evaluationen.ics")
def kalender_ics(strategy_id: int):
    """The open evaluations as an iCalendar file (for Outlook and other calendars)."""
    row = get_strategy_or_404(strategy_id)
    cal = new_calendar(f"Evaluationen – {row.title}")
    calendar_events(cal, row, clock.today())
    return download(cal.to_ical(), "text/calendar", f"evaluationen-{strategy_file_stem(row)}.ics")


# --- a measure: progress, evaluations, indicators -------------------------------------------------


def _late_note(measure, today: date) -> str | None:
    """Why an unfinished measure is overdue (its schedule state), or None."""
    state = schedule_state(measure, today).state
    if state is State.ABSCHLUSS_UEBERFAELLIG:
        return f"geplantes Ende {measure.end.german()} überschritten, kein tatsächliches Ende erfasst"
    if state is State.BEGINN_UEBERFAELLIG:
        return f"geplanter Beginn {measure.start.german()} überschritten, kein tatsächlicher Beginn erfasst"
    return None


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
    if progress_form is None:
        progress_form = ProgressForm(formdata=None)
        progress_form.status.data = measure.status.value
        progress_form.actual_start.data = measure.actual_start.german() if measure.actual_start else ""
        progress_form.actual_end.data = measure.actual_end.german() if measure.actual_end else ""
        progress_form.changed_on.data = german_date(clock.today())
        progress_form.by.data = _user_name(row)
    measure_row = _measure_row(row, key)
    indicators = service.indicators_of(db.session, measure_row)
    value_forms = value_forms or {}
    for ind in indicators:
        if ind.id not in value_forms:
            value_forms[ind.id] = ValueForm(formdata=None, prefix=f"wert-{ind.id}")
    slots = [d for d in calendar(strategy, clock.today()) if d.subject == key]
    return render_template(
        "verstetigung/massnahme.html",
        late=_late_note(measure, clock.today()),
        row=row,
        strategy=strategy,
        measure=measure,
        history=strategy.status_history.get(key, []),
        adherence=adherence(measure),
        slots=slots,
        evaluations=service.evaluations_of(db.session, row, key),
        indicators=indicators,
        progress_form=progress_form,
        indicator_form=indicator_form or IndicatorForm(formdata=None),
        value_forms=value_forms,
        read_only=_read_only(row),
        outcomes=OUTCOME_BY_VALUE,
    ), status


@bp.get("/massnahmen/<key>/verstetigung")
def massnahme(strategy_id: int, key: str):
    """A measure's actual progress, status history, evaluations and indicators."""
    row = get_strategy_or_404(strategy_id)
    _measure_row(row, key)
    return _measure_page(row, key)


@bp.post("/massnahmen/<key>/fortschritt")
def fortschritt(strategy_id: int, key: str):
    """Record status and actual months; the status change goes into the history with who and when."""
    row = get_strategy_or_404(strategy_id, write=True)
    _measure_row(row, key)
    form = ProgressForm()
    today = clock.today()
    if not form.validate_all(today):
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
    flash("Der Fortschritt wurde gespeichert." if changed else "Keine Änderung.", "success")
    return redirect(url_for("verstetigung.massnahme", strategy_id=strategy_id, key=key))


@bp.post("/massnahmen/<key>/indikatoren")
def indikator_neu(strategy_id: int, key: str):
    """Add an indicator (name, unit, baseline, target) to a measure."""
    row = get_strategy_or_404(strategy_id, write=True, superseded_ok=True)
    measure_row = _measure_row(row, key)
    form = IndicatorForm()
    if not form.validate_all():
        return _measure_page(row, key, indicator_form=form, status=422)
    service.add_indicator(
        db.session,
        measure_row,
        Indicator(
            form.name.data.strip(),
            (form.unit.data or "").strip(),
            parse_number_field(form.baseline),
            parse_number_field(form.target),
        ),
    )
    db.session.commit()
    flash(f"Der Indikator „{form.name.data.strip()}“ wurde angelegt.", "success")
    return redirect(url_for("verstetigung.massnahme", strategy_id=strategy_id, key=key) + "#indikatoren")


def _indicator_or_404(row: models.Strategy, key: str, indicator_id: int):
    ind = service.get_indicator(db.session, _measure_row(row, key), indicator_id)
    if ind is None:
        abort(404)
    return ind


@bp.post("/massnahmen/<key>/indikatoren/<int:indicator_id>/werte")
def indikator_wert(strategy_id: int, key: str, indicator_id: int):
    """Add a measured value to an indicator."""
    row = get_strategy_or_404(strategy_id, write=True, superseded_ok=True)
    ind = _indicator_or_404(row, key, indicator_id)
    form = ValueForm(prefix=f"wert-{ind.id}")
    if not form.validate_all():
        return _measure_page(row, key, value_forms={ind.id: form}, status=422)
    service.add_value(db.session, ind, parse_date_field(form.measured), parse_number_field(form.value))
    db.session.commit()
    flash("Der Messwert wurde gespeichert.", "success")
    return redirect(url_for("verstetigung.massnahme", strategy_id=strategy_id, key=key) + "#indikatoren")


@bp.get("/massnahmen/<key>/indikatoren/<int:indicator_id>.<fmt>")
def indikator_chart(strategy_id: int, key: str, indicator_id: int, fmt: str):
    """The indicator's small chart as SVG or PNG."""
    if fmt not in ("svg", "png"):
        abort(404)
    row = get_strategy_or_404(strategy_id)
    ind = service.indicator_to_domain(_indicator_or_404(row, key, indicator_id))
    data = render(indicator_chart(ind), fmt, *indicator_text(ind))
    return Response(data, mimetype=MIMETYPES[fmt], headers={"Cache-Control": "no-cache"})


# --- evaluations ------------------------------------------------------------------------------------


def _evaluation_page(row, strategy, subject: str, form: EvaluationForm, status: int = 200):
    measure = strategy.measure(subject) if subject != STRATEGY else None
    indicators = service.indicators_of(db.session, _measure_row(row, subject)) if measure else []
    return render_template(
        "verstetigung/evaluation_form.html",
        row=row,
        strategy=strategy,
        measure=measure,
        form=form,
        kind=Kind(form.kind.data) if form.kind.data in ("prozess", "wirkung") else Kind.PROZESS,
        adherence=adherence(measure) if measure else None,
        indicators=indicators,
        soft=[(f, label) for f, label in SOFT_CRITERIA.items()],
    ), status


def _evaluate(strategy_id: int, subject: str):
    # superseded_ok: a finished measure of an old version still gets its (impact) evaluation;
    # the form page itself is for those who may save it (readers are not shown a form they cannot send)
    row = get_strategy_or_404(strategy_id, write=True, superseded_ok=True)
    if subject != STRATEGY:
        _measure_row(row, subject)
    strategy = strategy_to_domain(row)
    today = clock.today()
    if request.method == "GET":
        form = EvaluationForm(formdata=None)
        form.kind.data = request.args.get("art") if request.args.get("art") in ("prozess", "wirkung") else "prozess"
        due = request.args.get("faellig", "")
        try:
            form.due.data = str(Month.parse(due)) if due else ""
        except ValueError:
            form.due.data = ""
        form.performed.data = german_date(today)
        form.by.data = _user_name(row)
        if subject != STRATEGY:
            measure = strategy.measure(subject)
            answer = schedule_answer(measure)
            form.schedule_kept.data = answer.value if answer else ""
            form.done.data = "ja" if measure.status is Status.ABGESCHLOSSEN else ""
        return _evaluation_page(row, strategy, subject, form)
    form = EvaluationForm()
    if not form.validate_all(today):
        return _evaluation_page(row, strategy, subject, form, 422)
    ev = service.save_evaluation(db.session, row, form.to_record(subject))
    db.session.commit()
    flash(f"Die {Kind(form.kind.data).label} wurde gespeichert.", "success")
    return redirect(url_for("verstetigung.evaluation", strategy_id=strategy_id, evaluation_id=ev.id))


@bp.route("/massnahmen/<key>/evaluation", methods=["GET", "POST"])
def evaluation_neu(strategy_id: int, key: str):
    """The measure evaluation form: measurable and soft criteria, lessons learned, outcome."""
    return _evaluate(strategy_id, key)


@bp.route("/evaluation", methods=["GET", "POST"])
def strategie_evaluation(strategy_id: int):
    """An evaluation of the strategy itself (e.g. the impact evaluation after five years)."""
    return _evaluate(strategy_id, STRATEGY)


@bp.get("/evaluationen/<int:evaluation_id>")
def evaluation(strategy_id: int, evaluation_id: int):
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
        soft=SOFT_CRITERIA,
        ratings=RATINGS,
    )


# --- knowledge base -------------------------------------------------------------------------------


@bp.get("/wissensdatenbank")
def wissen(strategy_id: int):
    """Lessons learned across strategies and versions: search, filter by dimension and outcome."""
    row = get_strategy_or_404(strategy_id)
    form = KnowledgeForm(request.args)
    if not form.validate():
        form = KnowledgeForm(formdata=None)
    chain = None
    if form.scope.data == "diese":
        chain = [r.id for r in service.version_chain(db.session, row)]
    found = service.lessons(
        db.session,
        visible_organisation_ids(),
        text=form.q.data or "",
        dimension=form.dimension.data or "",
        outcome=form.outcome.data or "",
        strategy_ids=chain,
    )
    return render_template("verstetigung/wissen.html", row=row, form=form, lessons=found, outcomes=OUTCOME_BY_VALUE)


# --- review ----------------------------------------------------------------------------------------


def _review_page(row, form: ReviewForm, status: int = 200):
    pack = review_service.review_pack(db.session, row, clock.today())
    return render_template(
        "verstetigung/review.html",
        row=row,
        pack=pack,
        form=form,
        shown=review_service.SHOWN,
        read_only=_read_only(row),
    ), status


def _next_review_due(row) -> Month | None:
    strategy = strategy_to_domain(row)
    open_slots = [
        d for d in calendar(strategy, clock.today()) if d.subject == STRATEGY and d.kind is Kind.PROZESS and not d.done
    ]
    return open_slots[0].due if open_slots else None


@bp.get("/review")
def review(strategy_id: int):
    """The review pack of the biennial strategy review, with the decisions section to fill in."""
    row = get_strategy_or_404(strategy_id)
    form = ReviewForm(formdata=None)
    form.performed.data = german_date(clock.today())
    form.by.data = _user_name(row)
    return _review_page(row, form)


@bp.post("/review")
def review_speichern(strategy_id: int):
    """Record the review meeting: answers to the core questions and the decisions."""
    row = get_strategy_or_404(strategy_id, write=True)
    form = ReviewForm()
    if not form.validate_all(clock.today()):
        return _review_page(row, form, 422)
    service.save_evaluation(db.session, row, form.to_record(_next_review_due(row)))
    db.session.commit()
    flash("Das Strategiereview wurde festgehalten.", "success")
    return redirect(url_for("verstetigung.review", strategy_id=strategy_id))


@bp.get("/review.pdf")
def review_pdf(strategy_id: int):
    """The review pack as PDF (WeasyPrint)."""
    row = get_strategy_or_404(strategy_id)
    pack = review_service.review_pack(db.session, row, clock.today())
    html = render_template("verstetigung/review_pdf.html", row=row, pack=pack, shown=review_service.SHOWN)
    pdf = html_pdf(html, base_url=request.url_root)
    return download(
        pdf,
        "application/pdf",
        f"strategiereview-{strategy_file_stem(row)}.pdf",
    )


# --- versions: Fortschreibung and comparison ----------------------------------------------------------


@bp.get("/versionen")
def versionen(strategy_id: int):
    """All versions of the strategy, the history of decisions, links to compare and to continue."""
    row = get_strategy_or_404(strategy_id)
    chain = service.version_chain(db.session, row)
    return render_template(
        "verstetigung/versionen.html",
        row=row,
        chain=chain,
        strategy=strategy_to_domain(row),
        read_only=_read_only(row),
        predecessor=service.predecessor_id(db.session, row.id),
    )


def _fortschreibung_page(row, form, outcomes, status: int = 200, general: list[str] | None = None):
    return render_template(
        "verstetigung/fortschreibung.html",
        row=row,
        form=form,
        rows=decision_rows(form),
        general=general or [],
        read_only=_read_only(row),
        outcomes=outcomes,
    ), status


@bp.route("/fortschreibung", methods=["GET", "POST"])
def fortschreibung(strategy_id: int):
    """Create the next version: vision and mission to edit, a decision per unfinished or backlog measure."""
    row = get_strategy_or_404(strategy_id, write=True)
    strategy = strategy_to_domain(row)
    pending = carried_over(strategy)
    outcomes = latest_outcomes(strategy)
    if request.method == "GET":
        form = fortschreibung_form(pending, formdata=None)
        form.vision.data, form.mission.data = row.vision, row.mission
        form.by.data = _user_name(row)
        form.adopted.data = Month(clock.today().year, clock.today().month).german()
        for i, m in enumerate(pending):  # the evaluations' outcomes suggest the decisions
            if m.key in outcomes:
                form[f"d_{i}"].data = SUGGESTED[outcomes[m.key].outcome].value
        return _fortschreibung_page(row, form, outcomes)
    form = fortschreibung_form(pending)
    valid = form.validate()
    adopted = parse_month_field(form.adopted)
    if not (valid and not form.adopted.errors):
        return _fortschreibung_page(row, form, outcomes, 422)
    try:
        new_row = review_service.create_successor(
            db.session,
            row,
            decisions_of(form),
            version=form.version.data,
            adopted=adopted,
            vision=(form.vision.data or "").strip(),
            mission=(form.mission.data or "").strip(),
            by=form.by.data.strip(),
            today=clock.today(),
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
    return redirect(url_for("verstetigung.vergleich", strategy_id=new_row.id))


def _flash_outdated_months(new_row: models.Strategy) -> None:
    """Carried-over measures keep their months: say when they lie before the new roadmap window."""
    strategy = strategy_to_domain(new_row)
    view = roadmap_view(strategy, clock.today())
    before = [m for m in strategy.measures if m.is_planned and m.end is not None and m.end < view.plan_start]
    if before:
        many = len(before) != 1
        flash(
            f"{len(before)} übernommene Maßnahme{'n liegen' if many else ' liegt'} mit den bisher geplanten Monaten "
            f"vor dem neuen Planungszeitraum {view.plan_start.german()} – {view.plan_end.german()}. "
            "Bitte neu planen, z. B. mit dem Planungsvorschlag.",
            "warning",
        )


@bp.get("/vergleich")
def vergleich(strategy_id: int):
    """This version against an earlier one (default: its predecessor), field by field."""
    row = get_strategy_or_404(strategy_id)
    chain = service.version_chain(db.session, row)
    others = [r for r in chain if r.id != row.id]
    other_id = request.args.get("mit", type=int) or service.predecessor_id(db.session, row.id)
    other = next((r for r in others if r.id == other_id), None)
    if other_id is not None and other is None:
        abort(404)
    diff = None
    if other is not None:
        old_row, new_row = (other, row) if chain.index(other) < chain.index(row) else (row, other)
        diff = compare_versions(strategy_to_domain(old_row), strategy_to_domain(new_row))
    else:
        old_row = new_row = None
    return render_template("verstetigung/vergleich.html", row=row, others=others, diff=diff, old=old_row, new=new_row)
