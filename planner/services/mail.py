"""Sending mail (issue 28): the SMTP settings, composing a German mail with a plain-text and an
HTML part, the outbox and its delivery.

Every mail goes into the outbox first (`queue`), in the caller's transaction; `deliver` then sends
what is unsent through one SMTP connection (standard library smtplib) and commits after each mail.
A server that is down or refuses leaves the mails unsent with its answer (`last_error`): the next
delivery (`planner remind`, the next Statusabfrage) tries them again, and the lead's pages say so.
Nothing here touches the request.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import utcnow
from ..models.mail import OutboxMail

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TIMEOUT_SECONDS = 20
MAIL_OFF = "Der Mailversand ist nicht eingerichtet (PLANNER_SMTP_URL fehlt): es werden keine Mails verschickt."


class MailSettingsInvalid(ValueError):
    """PLANNER_SMTP_URL or PLANNER_MAIL_FROM cannot be used; the message says why, in German."""


@dataclass(frozen=True)
class Settings:
    """Where and how mail is sent."""

    scheme: str
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_config(cls, config) -> Settings | None:
        """The settings of the app's config (MAIL_SMTP_URL, MAIL_FROM); None: mail is off.
        Raises MailSettingsInvalid for a URL or sender that cannot work."""
        url = config.get("MAIL_SMTP_URL")
        if not url:
            return None
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES:
            raise MailSettingsInvalid(
                f"PLANNER_SMTP_URL: unbekanntes Schema „{parts.scheme}“ (smtp://, smtp+starttls:// oder smtps://)."
            )
        try:
            port = parts.port or SCHEMES[parts.scheme]
        except ValueError:
            raise MailSettingsInvalid("PLANNER_SMTP_URL: der Port ist keine Zahl.") from None
        if not parts.hostname:
            raise MailSettingsInvalid("PLANNER_SMTP_URL: der Mailserver (Host) fehlt.")
        sender = config.get("MAIL_FROM") or ""
        if "@" not in sender:
            raise MailSettingsInvalid("PLANNER_MAIL_FROM fehlt oder ist keine E-Mail-Adresse.")
        return cls(
            parts.scheme,
            parts.hostname,
            port,
            sender,
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
        )


def settings_or_none(config) -> tuple[Settings | None, str | None]:
    """(settings, None), or (None, German reason) when mail is off or misconfigured."""
    try:
        settings = Settings.from_config(config)
    except MailSettingsInvalid as exc:
        return None, str(exc)
    return settings, (None if settings is not None else MAIL_OFF)


@dataclass(frozen=True)
class Content:
    """One mail to one person: subject, plain text and HTML, and the opt-out address."""

    recipient: str
    subject: str
    text: str
    html: str
    opt_out: str | None = None


def compose(settings: Settings, mail: OutboxMail, opt_out: str | None = None) -> EmailMessage:
    """The message of an outbox row: plain text first, HTML as the alternative, German, no tracking."""
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = settings.sender
    message["To"] = mail.recipient
    message["Date"] = format_datetime(mail.created_at.replace(tzinfo=UTC))
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message["Content-Language"] = "de"
    message["Auto-Submitted"] = "auto-generated"
    if opt_out:
        message["List-Unsubscribe"] = f"<{opt_out}>"
    message.set_content(mail.body_text)
    message.add_alternative(mail.body_html, subtype="html")
    return message


def queue(session: Session, content: Content, organisation_id: int | None) -> OutboxMail:
    """Put a mail into the outbox (in the caller's transaction)."""
    row = OutboxMail(
        organisation_id=organisation_id,
        recipient=content.recipient,
        subject=content.subject[:300],
        body_text=content.text,
        body_html=content.html,
        attempts=0,
    )
    session.add(row)
    session.flush()
    return row


def _connect(settings: Settings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if settings.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    try:
        client.ehlo()
        if settings.scheme == "smtp+starttls":
            client.starttls(context=context)
            client.ehlo()
        if settings.username:
            client.login(settings.username, settings.password or "")
    except BaseException:
        client.close()
        raise
    return client


def describe_problem(exc: BaseException) -> str:
    """A server's refusal or a connection failure as a short German text (no secret in it)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = "; ".join(f"{code} {_text(msg)}" for code, msg in exc.recipients.values())
        return f"Empfänger abgelehnt: {answers}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"Anmeldung am Mailserver abgelehnt: {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"Der Mailserver hat abgelehnt: {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, (ConnectionError, socket.timeout, TimeoutError, OSError, smtplib.SMTPServerDisconnected)):
        return f"Der Mailserver ist nicht erreichbar ({type(exc).__name__}: {exc})."
    return f"Versand fehlgeschlagen ({type(exc).__name__})."


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


@dataclass
class Delivery:
    """What one delivery did: how many were sent, how many wait, the last problem."""

    sent: int = 0
    waiting: int = 0
    problem: str | None = None


def deliver(session: Session, settings: Settings, opt_out_of=None) -> Delivery:
    """Send every unsent mail of the outbox, oldest first, committing after each one.

    A connection that fails leaves them all waiting (their attempts counted, the answer kept); a
    refused mail waits with the server's answer while the others go. `opt_out_of(recipient)` gives
    the List-Unsubscribe address of a recipient."""
    waiting = list(session.scalars(sa.select(OutboxMail).where(OutboxMail.sent_at.is_(None)).order_by(OutboxMail.id)))
    result = Delivery()
    if not waiting:
        return result
    try:
        client = _connect(settings)
    except (smtplib.SMTPException, OSError) as exc:
        problem = describe_problem(exc)
        for mail in waiting:
            mail.attempts += 1
            mail.last_error = problem[:500]
        session.commit()
        return Delivery(0, len(waiting), problem)
    try:
        for mail in waiting:
            message = compose(settings, mail, opt_out_of(mail.recipient) if opt_out_of else None)
            try:
                client.send_message(message)
            except (smtplib.SMTPException, OSError) as exc:
                mail.attempts += 1
                mail.last_error = describe_problem(exc)[:500]
                result.waiting += 1
                result.problem = mail.last_error
                session.commit()
                if isinstance(exc, (smtplib.SMTPServerDisconnected, OSError)):
                    # the connection is gone: the rest waits for the next delivery
                    rest = waiting[waiting.index(mail) + 1 :]
                    for other in rest:
                        other.attempts += 1
                        other.last_error = mail.last_error
                    result.waiting += len(rest)
                    session.commit()
                    return result
                continue
            mail.sent_at = utcnow()
            mail.attempts += 1
            mail.last_error = None
            # a status request's text holds the personal link: once sent, the outbox forgets it
            mail.body_text = mail.body_html = ""
            result.sent += 1
            session.commit()
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
    return result


def waiting_mails(session: Session, organisation_id: int) -> tuple[int, str | None]:
    """How many mails of the organisation wait in the outbox, and the server's last answer."""
    rows = session.execute(
        sa.select(OutboxMail.last_error)
        .where(OutboxMail.organisation_id == organisation_id, OutboxMail.sent_at.is_(None))
        .order_by(OutboxMail.id.desc())
    ).all()
    return len(rows), next((r.last_error for r in rows if r.last_error), None)


def send_test(settings: Settings, recipient: str) -> str:
    """Send a test mail straight away (not through the outbox); returns the server's answer to it.
    Raises smtplib.SMTPException or OSError with the server's refusal."""
    message = EmailMessage()
    message["Subject"] = "planner: Testmail"
    message["From"] = settings.sender
    message["To"] = recipient
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message["Content-Language"] = "de"
    message.set_content(
        "Dies ist eine Testmail von planner.\n\nWenn Sie sie lesen, ist der Mailversand richtig eingerichtet.\n"
    )
    client = _connect(settings)
    try:
        code, answer = client.mail(Address(addr_spec=settings.sender).addr_spec)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, answer, settings.sender)
        code, answer = client.rcpt(recipient)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({recipient: (code, answer)})
        code, answer = client.data(message.as_bytes())
        if code != 250:
            raise smtplib.SMTPDataError(code, answer)
        return f"{code} {_text(answer)}"
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
