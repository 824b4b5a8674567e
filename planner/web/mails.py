"""The mails planner sends (issue 28), rendered from templates/mail/: the Statusabfrage by link, its
reminder, and the daily reminders and weekly digest of `planner remind`; their absolute links
(PLANNER_BASE_URL), the opt-out link every mail carries, and delivery through the outbox
(services/mail.py). Works in a request and in the command line (an app context is enough)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, render_template, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from ..domain.german import german_date
from ..extensions import db
from ..services import mail
from ..services.status_links import VALID_DAYS

OPT_OUT_SALT = "planner-mail-abbestellen"


def settings() -> tuple[mail.Settings | None, str | None]:
    """The mail settings, or None and the German reason mail is off."""
    return mail.settings_or_none(current_app.config)


def absolute(endpoint: str, **values) -> str:
    """The absolute address of a page: under PLANNER_BASE_URL when set, else this request's host."""
    base = current_app.config.get("BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=OPT_OUT_SALT)


def opt_out_url(address: str) -> str:
    """The opt-out page of an address: signed, so that nobody can switch off someone else's mails."""
    return absolute("status_link.opt_out", signed=_serializer().dumps(address.strip().lower()))


def address_of(signed: str) -> str | None:
    """The address of an opt-out link, None when the link was not made here."""
    try:
        value = _serializer().loads(signed)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def _render(template: str, **context) -> tuple[str, str]:
    return (
        render_template(f"mail/{template}.txt", **context),
        render_template(f"mail/{template}.html", **context),
    )


def status_request(row, link, secret: str, *, reminder: bool = False) -> mail.Content:
    """The mail of one owner's link: their open measures and the personal link."""
    office = row.organisation.name
    url = absolute("status_link.answer", secret=secret)
    opt_out = opt_out_url(link.person.email)
    subject = f"{office}: {'Erinnerung – ' if reminder else ''}Statusabfrage zur Digitalisierungsstrategie"
    text, html = _render(
        "status_request",
        office=office,
        strategy=row.title,
        person=link.person,
        measures=[lm.measure for lm in link.measures],
        url=url,
        until=german_date(link.expires_at.date()),
        days=VALID_DAYS,
        reminder=reminder,
        opt_out=opt_out,
        subject=subject,
    )
    return mail.Content(link.person.email, subject, text, html, opt_out)


def reminder(address: str, name: str, offices: list[str], owner_items: list, lead_items: list) -> mail.Content:
    """One mail with everything a run of `planner remind` has for one person."""
    subject = f"{', '.join(offices)}: " + (
        "Wochenübersicht und Erinnerungen" if any(i.kind == "digest" for i in lead_items) else "Erinnerung"
    )
    opt_out = opt_out_url(address)
    text, html = _render(
        "reminder",
        name=name,
        offices=offices,
        owner_items=owner_items,
        lead_items=lead_items,
        opt_out=opt_out,
        subject=subject,
    )
    return mail.Content(address, subject, text, html, opt_out)


def deliver() -> mail.Delivery | None:
    """Send what waits in the outbox; None when mail is off."""
    configured, _reason = settings()
    if configured is None:
        return None
    return mail.deliver(db.session, configured, opt_out_of=opt_out_url)
