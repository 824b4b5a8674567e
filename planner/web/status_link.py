"""Pages without an account (issue 28): an owner's answer to a Statusabfrage through the personal link
of a mail, and the opt-out page every mail links to.

Both authenticate by what is in the address (the link's secret, the signed address), never by the
session: a login in the same browser is ignored, so the Verlauf names the answer "per Link von
<Person>". The secret is looked up by its hash and never logged; the pages are never cached and send
no Referer, so the link does not leave the page.
"""

from __future__ import annotations

import logging
import re

import sqlalchemy as sa
from flask import Blueprint, current_app, g, render_template, request

from .. import models
from ..extensions import csrf, db
from ..models.auth import User
from ..services import audit, rounds
from ..services import status_links as service
from ..services.whole_strategy import strategy_to_domain
from .clock import today
from .forms.rounds import StatusRow
from .mails import address_of
from .rounds import status_rows

bp = Blueprint("status_link", __name__)
csrf.exempt(bp)  # the secret in the address is what a forged form cannot know

_SECRET_PATH = re.compile(r"(/rueckmeldung/|/mail/abbestellen/)[^\s\"?]+")


class RedactLinks(logging.Filter):
    """Leaves the secret of a personal link out of a log line (the access logs of the development
    server and gunicorn name the path of every request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SECRET_PATH.search(message):
            record.msg, record.args = _SECRET_PATH.sub(r"\1…", message), ()
        return True


def redact_access_logs() -> None:
    """Install the filter on the access loggers (once; called when the app is built)."""
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactLinks) for f in logger.filters):
            logger.addFilter(RedactLinks())


@bp.before_request
def _without_login():
    # a login of the same browser does not count here: the person of the link answers
    g._login_user = current_app.login_manager.anonymous_user()


@bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _refused(exc: service.LinkRefused):
    return render_template("status_link/refused.html", message=exc.message), exc.status


def _page(link, rows, problems: dict, status: int = 200, saved: list | None = None):
    row = link.request.strategy
    strategy = strategy_to_domain(row)
    measures = {m.key: m for m in strategy.measures}
    answered = [lm for lm in link.measures if lm.answered_at is not None]
    shown = [(r, measures[r.key.data]) for r in rows if r.key.data in measures]
    return render_template(
        "status_link/answer.html",
        link=link,
        row=row,
        rows=shown,
        answered=answered,
        problems=problems,
        saved=saved,
        day=today(),
    ), status


def _open_rows(link) -> list[StatusRow]:
    strategy = strategy_to_domain(link.request.strategy)
    rows = []
    for i, lm in enumerate(lm for lm in link.measures if lm.answered_at is None):
        r = StatusRow(prefix=f"m{i}")
        r.fill(strategy.measure(lm.measure.key), lm.measure.lock_version)
        rows.append(r)
    return rows


@bp.get("/rueckmeldung/<secret>")
def answer(secret: str):
    """The owner's measures of the round with status, actual months and a note each."""
    try:
        link = service.lookup(db.session, secret)
    except service.LinkRefused as exc:
        return _refused(exc)
    return _page(link, _open_rows(link), {})


@bp.post("/rueckmeldung/<secret>")
def save_answer(secret: str):
    """Save the owner's answers (all or nothing); each measure answers once."""
    try:
        link = service.lookup(db.session, secret)
    except service.LinkRefused as exc:
        return _refused(exc)
    row = link.request.strategy
    current = {m.key: m for m in strategy_to_domain(row).measures}
    sent = []
    i = 0
    while f"m{i}-key" in request.form:
        sent.append(request.form.get(f"m{i}-key", ""))
        i += 1
    if not sent:
        return _refused(
            service.LinkRefused("Es wurden keine Maßnahmen übermittelt. Bitte öffnen Sie den Link erneut.", 400)
        )
    mine = {lm.measure.key for lm in link.measures}
    if any(key not in mine for key in sent):
        return _refused(
            service.LinkRefused(
                "Dieser Link gilt nur für die Maßnahmen, nach denen Sie gefragt wurden; die Antwort wurde nicht "
                "gespeichert.",
                403,
            )
        )
    rows, inputs, problems = status_rows(current, today())
    if problems:
        return _page(link, rows, problems, status=422)
    try:
        service.answer(db.session, link, inputs, sent, on=today())
    except service.LinkRefused as exc:
        db.session.rollback()
        return _refused(exc)
    except rounds.RoundFailed as exc:
        db.session.rollback()
        link = service.lookup(db.session, secret)
        versions = {m.key: m.lock_version for m in link.request.strategy.measures}
        for r in rows:
            if r.key.data in exc.problems and r.key.data in versions:
                r.version.data = str(versions[r.key.data])
        return _page(link, rows, exc.problems, status=409)
    db.session.commit()
    titles = [current[k].title for k in sent if k in current]
    return _page(link, _open_rows(link), {}, saved=titles)


# --- opt-out --------------------------------------------------------------------------------------


def _recipients(address: str) -> tuple[list[models.Person], list[User]]:
    persons = list(db.session.scalars(sa.select(models.Person).where(sa.func.lower(models.Person.email) == address)))
    users = list(db.session.scalars(sa.select(User).where(sa.func.lower(User.email) == address)))
    return persons, users


@bp.route("/mail/abbestellen/<signed>", methods=["GET", "POST"])
def opt_out(signed: str):
    """Ask, then stop every mail to the address (reminders, digests, status requests)."""
    address = address_of(signed)
    if address is None:
        return render_template(
            "status_link/refused.html",
            message="Dieser Abbestell-Link ist nicht gültig. Bitte kopieren Sie ihn vollständig aus der Mail.",
        ), 404
    done = False
    if request.method == "POST":
        persons, users = _recipients(address)
        token = audit.actor.set((None, "per Abbestell-Link aus einer Mail"))
        try:
            for p in persons:
                p.mail_off = True
            for u in users:
                u.mail_digests = False
            db.session.commit()
        finally:
            audit.actor.reset(token)
        done = True
    return render_template("status_link/opt_out.html", address=address, done=done)
