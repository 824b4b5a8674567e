"""Rounds over all measures of a strategy: the Statusabfrage (form, print page, XLSX) and the
Bewertungsworkshop. Each is one form saved in one transaction (see services/rounds.py)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .. import models
from ..domain.german import german_date
from ..domain.schedule_state import State
from ..domain.strategy import Status
from ..extensions import db
from ..formats import status_round
from ..models.mail import StatusLink, StatusRequest
from ..services import mail as mail_service
from ..services import rounds as service
from ..services import status_links
from ..services.verstetigung import successor_id
from ..services.whole_strategy import strategy_to_domain
from . import mails
from .access import actor_name, get_strategy_or_404, may_write, successor_of
from .clock import schedule, today
from .downloads import download
from .filters import error_links, file_stem, strategy_file_stem
from .forms import ConfirmForm
from .forms.rounds import (
    RatingRoundForm,
    RatingRow,
    StatusRoundForm,
    StatusRow,
    rating_of,
    version_of,
)
from .forms.verstetigung import check_actual_months, parse_date_field

bp = Blueprint("rounds", __name__, url_prefix="/strategien/<int:strategy_id>")


def _version_state(row: models.Strategy) -> dict:
    """What the round pages show of the strategy's version: `newer` (the version it was carried over
    into, then read only) and `changeable` (the current user may save)."""
    newer = successor_of(row)
    return {"newer": newer, "changeable": may_write(row.organisation_id) and newer is None}


def _owner_filter(row: models.Strategy) -> tuple[list[models.Person], models.Person | None]:
    """The persons owning measures of this strategy, and the one chosen with ?person= (404 if foreign)."""
    owners: dict[int, models.Person] = {}
    for m in row.measures:
        for o in m.owners:
            owners.setdefault(o.person.id, o.person)
    chosen = None
    if person_id := request.args.get("person", ""):
        chosen = owners.get(int(person_id)) if person_id.isdigit() else None
        if chosen is None:
            abort(404)
    return sorted(owners.values(), key=lambda p: p.name.lower()), chosen


def _measures(row: models.Strategy, person: models.Person | None) -> list[models.Measure]:
    if person is None:
        return list(row.measures)
    return [m for m in row.measures if any(o.person_id == person.id for o in m.owners)]


# --- Statusabfrage --------------------------------------------------------------------------------


def _row_links(rows, problems: dict, first_field: str) -> list[tuple[str, str, str]]:
    """The errors of a round's rows for the page's error summary (`form_problems`): (field id,
    label with the measure's title, message); a problem of the whole row leads to its first field."""
    links = []
    for r, m, *_ in rows:
        links += [(id_, f"{label}: {m.title}", error) for id_, label, error in error_links(r)]
        links += [(getattr(r, first_field).id, m.title, str(p)) for p in problems.get(m.key) or []]
    return links


def _status_page(row, page_form, rows, problems: dict, status: int = 200):
    strategy = strategy_to_domain(row)
    persons, chosen = _owner_filter(row)
    lines = {line.key: line for line in status_round.lines(strategy, strategy.measures, today())}
    measures = {m.key: m for m in strategy.measures}
    shown = [(r, measures[r.key.data], lines[r.key.data]) for r in rows if r.key.data in measures]
    return render_template(
        "rounds/statusabfrage.html",
        row=row,
        form=page_form,
        rows=shown,
        problems=problems,
        row_links=_row_links(shown, problems, "status"),
        persons=persons,
        chosen=chosen,
        day=today(),
        by_mail=_by_mail(row),
        confirm=ConfirmForm(),
        **_version_state(row),
    ), status


def _by_mail(row: models.Strategy) -> dict | None:
    """The Statusabfrage per Mail on the page, for those who may edit: whether mail is on, who can be
    reached, the latest request with who answered, and mails waiting in the outbox."""
    if not may_write(row.organisation_id) or successor_id(db.session, row.id) is not None:
        return None  # readers, and an old version (its round is done in the successor)
    configured, off = mails.settings()
    latest = status_links.latest_request(db.session, row.id)
    waiting, problem = mail_service.waiting_mails(db.session, row.organisation_id)
    owners = status_links.owners_of(row)
    return {
        "off": off if configured is None else None,
        "reachable": [p for p in owners if status_links.reachable(p)],
        "unreachable": [p for p in owners if not status_links.reachable(p)],
        "request": latest,
        "answers": status_links.answers(latest) if latest is not None else [],
        "waiting": waiting,
        "problem": problem,
    }


def _delivered(sent_what: str) -> None:
    """Send the outbox now and say what happened, in German."""
    result = mails.deliver()
    if result is None:
        return
    if result.waiting:
        flash(
            f"{sent_what} Der Mailserver hat nicht angenommen: {result.problem} "
            f"{result.waiting} Mail{'' if result.waiting == 1 else 's'} warten und werden beim nächsten Versand "
            "(planner remind) erneut verschickt.",
            "error",
        )
    else:
        flash(f"{sent_what} {result.sent} Mail{'' if result.sent == 1 else 's'} verschickt.", "success")


@bp.post("/statusabfrage/per-mail")
def status_query_by_mail(strategy_id: int):
    """Start a Statusabfrage by mail: each owner with an address gets one mail with a personal link."""
    row = get_strategy_or_404(strategy_id, write=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    configured, off = mails.settings()
    if configured is None:
        flash(off, "error")
        return redirect(url_for("rounds.status_query", strategy_id=strategy_id))
    request_row, links, unreachable = status_links.start(db.session, row, by=actor_name(row.organisation_id))
    if not links:
        db.session.rollback()
        flash("Keine Person mit offenen Maßnahmen hat eine E-Mail-Adresse: es wurde nichts verschickt.", "error")
        return redirect(url_for("rounds.status_query", strategy_id=strategy_id))
    for link, secret in links:
        mail_service.queue(db.session, mails.status_request(row, link, secret), row.organisation_id)
    db.session.commit()
    _delivered(f"Die Statusabfrage per Mail ist gestartet ({len(links)} Person{'' if len(links) == 1 else 'en'}).")
    return redirect(url_for("rounds.status_query", strategy_id=strategy_id) + "#per-mail")


@bp.post("/statusabfrage/per-mail/<int:request_id>/erinnerung")
def status_query_reminder(strategy_id: int, request_id: int):
    """The one reminder to everyone who has not answered all their measures (with a new link)."""
    row = get_strategy_or_404(strategy_id, write=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    request_row = db.session.get(StatusRequest, request_id)
    if request_row is None or request_row.strategy_id != row.id:
        abort(404)
    configured, off = mails.settings()
    if configured is None:
        flash(off, "error")
        return redirect(url_for("rounds.status_query", strategy_id=strategy_id))
    try:
        links = status_links.remind(db.session, request_row)
    except status_links.LinkRefused as exc:
        flash(exc.message, "error")
        return redirect(url_for("rounds.status_query", strategy_id=strategy_id) + "#per-mail")
    for link, secret in links:
        mail_service.queue(db.session, mails.status_request(row, link, secret, reminder=True), row.organisation_id)
    db.session.commit()
    _delivered(f"Die Erinnerung ist verschickt ({len(links)} Person{'' if len(links) == 1 else 'en'}).")
    return redirect(url_for("rounds.status_query", strategy_id=strategy_id) + "#per-mail")


@bp.post("/statusabfrage/per-mail/links/<int:link_id>/widerrufen")
def revoke_status_link(strategy_id: int, link_id: int):
    """Revoke one person's link: it stops working at once."""
    row = get_strategy_or_404(strategy_id, write=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    link = db.session.get(StatusLink, link_id)
    if link is None or link.request.strategy_id != row.id:
        abort(404)
    status_links.revoke(db.session, link)
    db.session.commit()
    flash(f"Der Link von {link.person.name} wurde widerrufen.", "success")
    return redirect(url_for("rounds.status_query", strategy_id=strategy_id) + "#per-mail")


@bp.get("/statusabfrage")
def status_query(strategy_id: int):
    """All measures (or one owner's) with status, actual months and a "Stand" note, editable at once."""
    row = get_strategy_or_404(strategy_id)
    _persons, chosen = _owner_filter(row)
    form = StatusRoundForm(formdata=None)
    form.changed_on.data = german_date(today())
    form.by.data = actor_name(row.organisation_id)
    strategy = strategy_to_domain(row)
    rows = []
    # the measures that need an answer first (schedule state, most urgent first), then in the strategy's order
    order = list(State)
    measures = sorted(_measures(row, chosen), key=lambda m: order.index(schedule(strategy.measure(m.key)).state))
    for i, mrow in enumerate(measures):
        r = StatusRow(prefix=f"m{i}")
        r.fill(strategy.measure(mrow.key), mrow.lock_version)
        rows.append(r)
    return _status_page(row, form, rows, {})


@bp.post("/statusabfrage")
def save_status_query(strategy_id: int):
    """Save the whole round in one transaction: every row checked, nothing written when one fails."""
    row = get_strategy_or_404(strategy_id, write=True)
    form = StatusRoundForm()
    rows, inputs, problems = status_rows({m.key: m for m in strategy_to_domain(row).measures}, today())
    if not rows:
        flash("Es wurden keine Maßnahmen übermittelt. Bitte das Formular erneut öffnen.", "error")
        return redirect(url_for("rounds.status_query", strategy_id=strategy_id))
    valid = form.validate()
    on = parse_date_field(form.changed_on, required=True)
    if valid and on is not None and not problems:
        try:
            changed = service.save_status_round(db.session, row, inputs, on=on, by=form.by.data.strip())
        except service.RoundFailed as exc:
            db.session.rollback()
            problems = exc.problems
            _refresh_versions(rows, row, exc.problems)
        else:
            db.session.commit()
            flash(
                f"Die Statusabfrage wurde gespeichert: {len(changed)} Maßnahme{'' if len(changed) == 1 else 'n'} aktualisiert."
                if changed
                else "Keine Änderung.",
                "success",
            )
            return redirect(url_for("rounds.status_query", strategy_id=strategy_id, **_person_arg()))
    return _status_page(row, form, rows, problems, status=422)


def status_rows(current: dict, day) -> tuple[list[StatusRow], list, dict]:
    """The round's rows as sent (m0-…, m1-…), the changes to save and the keys of invalid rows."""
    rows, inputs, problems = [], [], {}
    i = 0
    while f"m{i}-key" in request.form:
        r = StatusRow(request.form, prefix=f"m{i}")
        i += 1
        if r.key.data not in current:
            continue
        r.validate()
        if _unchanged(r, current[r.key.data]):
            rows.append(r)  # shown again as typed, not checked: what is stored stays as it is
            continue
        start, end = check_actual_months(r.status.data, r.actual_start, r.actual_end, day)
        rows.append(r)
        if r.errors:
            problems[r.key.data] = []
            continue
        inputs.append(
            service.StatusInput(
                r.key.data, version_of(r.version.data), Status(r.status.data), start, end, (r.note.data or "").strip()
            )
        )
    return rows, inputs, problems


def _unchanged(r: StatusRow, m) -> bool:
    """Whether a row shows the measure as stored (no new status, months or note)."""
    typed = (r.status.data, (r.actual_start.data or "").strip(), (r.actual_end.data or "").strip())
    stored = (
        m.status.value,
        m.actual_start.german() if m.actual_start else "",
        m.actual_end.german() if m.actual_end else "",
    )
    return typed == stored and not (r.note.data or "").strip() and not r.errors


def _person_arg() -> dict:
    person = request.args.get("person", "")
    return {"person": person} if person.isdigit() else {}


def _refresh_versions(rows, row: models.Strategy, problems: dict) -> None:
    """After a refused save, rows that met someone else's change carry the current version: saving again
    (after checking) overwrites it, as on the measure form."""
    versions = {m.key: m.lock_version for m in row.measures}
    for r in rows:
        if r.key.data in problems and r.key.data in versions:
            r.version.data = str(versions[r.key.data])


def _round_lines(row: models.Strategy):
    strategy = strategy_to_domain(row)
    _persons, chosen = _owner_filter(row)
    keys = {m.key for m in _measures(row, chosen)}
    return status_round.lines(strategy, [m for m in strategy.measures if m.key in keys], today()), chosen


@bp.get("/statusabfrage/druck")
def status_query_print(strategy_id: int):
    """The status round as a printable page with empty columns to fill in."""
    row = get_strategy_or_404(strategy_id)
    lines, chosen = _round_lines(row)
    return render_template("rounds/statusabfrage_druck.html", row=row, lines=lines, chosen=chosen, day=today())


@bp.get("/statusabfrage.xlsx")
def status_query_xlsx(strategy_id: int):
    """The status round as XLSX for owners who answer by mail."""
    row = get_strategy_or_404(strategy_id)
    lines, chosen = _round_lines(row)
    title = f"Statusabfrage – {row.title}" + (f" – {chosen.name}" if chosen else "")
    data = status_round.to_xlsx(title, f"{row.organisation.name}, Stand {german_date(today())}", lines)
    stem = strategy_file_stem(row) + ("-" + file_stem(chosen.name) if chosen else "")
    return download(
        data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"statusabfrage-{stem}.xlsx"
    )


# --- Bewertungsworkshop ---------------------------------------------------------------------------


def _workshop_page(row, form, rows, problems: dict, status: int = 200):
    strategy = strategy_to_domain(row)
    measures = {m.key: m for m in strategy.measures}
    shown = [(r, measures[r.key.data]) for r in rows if r.key.data in measures]
    return render_template(
        "rounds/workshop.html",
        row=row,
        form=form,
        rows=shown,
        problems=problems,
        row_links=_row_links(shown, problems, "urgency"),
        **_version_state(row),
    ), status


@bp.get("/bewertungsworkshop")
def workshop(strategy_id: int):
    """Dringlichkeit and Machbarkeit of every measure in one table."""
    row = get_strategy_or_404(strategy_id)
    strategy = strategy_to_domain(row)
    rows = []
    for i, mrow in enumerate(row.measures):
        r = RatingRow(prefix=f"m{i}")
        r.fill(strategy.measure(mrow.key), mrow.lock_version)
        rows.append(r)
    return _workshop_page(row, RatingRoundForm(formdata=None), rows, {})


@bp.post("/bewertungsworkshop")
def save_workshop(strategy_id: int):
    """Save every rating in one transaction; then the Bewertung matrix shows the result."""
    row = get_strategy_or_404(strategy_id, write=True)
    form = RatingRoundForm()
    rows, inputs, problems = _rating_rows({m.key for m in row.measures})
    if not rows:
        flash("Es wurden keine Maßnahmen übermittelt. Bitte das Formular erneut öffnen.", "error")
        return redirect(url_for("rounds.workshop", strategy_id=strategy_id))
    if form.validate() and not problems:
        try:
            changed = service.save_ratings(db.session, row, inputs)
        except service.RoundFailed as exc:
            db.session.rollback()
            problems = exc.problems
            _refresh_versions(rows, row, exc.problems)
        else:
            db.session.commit()
            flash(
                f"Die Bewertung wurde gespeichert: {len(changed)} Maßnahme{'' if len(changed) == 1 else 'n'} geändert.",
                "success",
            )
            return redirect(url_for("roadmap.rating", strategy_id=strategy_id))
    return _workshop_page(row, form, rows, problems, status=422)


def _rating_rows(keys: set[str]) -> tuple[list[RatingRow], list, dict]:
    """The workshop's rows as sent, the ratings to save and the keys of invalid rows."""
    rows, inputs, problems = [], [], {}
    i = 0
    while f"m{i}-key" in request.form:
        r = RatingRow(request.form, prefix=f"m{i}")
        i += 1
        if r.key.data not in keys:
            continue
        rows.append(r)
        if not r.validate():
            problems[r.key.data] = []
            continue
        inputs.append(
            service.RatingInput(
                r.key.data, version_of(r.version.data), rating_of(r.urgency.data), rating_of(r.feasibility.data)
            )
        )
    return rows, inputs, problems
