"""The Statusabfrage by link (issue 28): each owner of open measures gets a personal link to a short
page where they answer status, actual months and a note per measure, without an account.

A link (models/mail.StatusLink) belongs to one request of one strategy and one person; it stores only
the hash of its secret (services/tokens.py), is valid for 21 days, can be revoked, and answers each
of its measures once. Answers are saved as in the Statusabfrage form (services/rounds.py: the
lost-update check per measure, all or nothing), named "per Link von <Person>" in the Verlauf.
Nothing here touches the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import models
from ..domain.strategy import Status
from ..models import utcnow
from ..models.mail import StatusLink, StatusLinkMeasure, StatusRequest
from . import audit, tokens
from .rounds import StatusInput, save_status_round
from .verstetigung import successor_id

VALID_DAYS = 21
CLOSED = (Status.ABGESCHLOSSEN.value, Status.VERWORFEN.value)


class LinkRefused(Exception):
    """The link or an answer through it is refused; `message` says why in German, `status` the HTTP code."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


def actor_name(person: models.Person) -> str:
    """How an answer by link is named in the Verlauf."""
    return f"per Link von {person.name}"[:100]


def open_measures(row: models.Strategy, person: models.Person) -> list[models.Measure]:
    """The person's measures of the strategy that are neither finished nor discarded."""
    return [m for m in row.measures if m.status not in CLOSED and any(o.person_id == person.id for o in m.owners)]


def owners_of(row: models.Strategy) -> list[models.Person]:
    """Every person owning an open measure of the strategy, by name."""
    found: dict[int, models.Person] = {}
    for m in row.measures:
        if m.status in CLOSED:
            continue
        for o in m.owners:
            found.setdefault(o.person_id, o.person)
    return sorted(found.values(), key=lambda p: p.name.lower())


def reachable(person: models.Person) -> bool:
    """Whether a mail can go to the person: an address and no opt-out."""
    return bool(person.email) and not person.mail_off


def create_link(
    session: Session, request: StatusRequest, person: models.Person, measures: list[models.Measure], now: datetime
) -> tuple[StatusLink, str]:
    """A new link of the person for these measures; returns it and its secret (never stored)."""
    secret, digest = tokens.new_secret("status")
    link = StatusLink(
        request=request,
        person=person,
        token_hash=digest,
        expires_at=now + timedelta(days=VALID_DAYS),
        measures=[StatusLinkMeasure(measure=m) for m in measures],
    )
    session.add(link)
    session.flush()
    return link, secret


def start(
    session: Session, row: models.Strategy, *, by: str, now: datetime | None = None
) -> tuple[StatusRequest, list[tuple[StatusLink, str]], list[models.Person]]:
    """Start a Statusabfrage by mail: one link per owner with an address (and open measures).
    Returns the request, the links with their secrets, and the owners who cannot be reached."""
    now = now or utcnow()
    request = StatusRequest(strategy=row, created_by=by[:200], created_at=now)
    session.add(request)
    links, unreachable = [], []
    for person in owners_of(row):
        if not reachable(person):
            unreachable.append(person)
            continue
        links.append(create_link(session, request, person, open_measures(row, person), now))
    return request, links, unreachable


def latest_request(session: Session, strategy_id: int) -> StatusRequest | None:
    return session.scalar(
        sa.select(StatusRequest)
        .where(StatusRequest.strategy_id == strategy_id)
        .order_by(StatusRequest.created_at.desc(), StatusRequest.id.desc())
        .limit(1)
    )


@dataclass
class OwnerAnswer:
    """One person in a request: how many of their measures were answered, when last, and their links."""

    person: models.Person
    measures: int
    answered: int
    last_answer: datetime | None
    links: list[StatusLink]

    @property
    def done(self) -> bool:
        return self.answered >= self.measures

    @property
    def open_link(self) -> StatusLink | None:
        """The person's newest link that still works."""
        now = utcnow()
        live = [link for link in self.links if link.revoked_at is None and link.expires_at > now]
        return live[-1] if live else None


def answers(request: StatusRequest) -> list[OwnerAnswer]:
    """Who answered in the request (a reminder's new link counts with the first)."""
    by_person: dict[int, OwnerAnswer] = {}
    for link in request.links:
        entry = by_person.setdefault(link.person_id, OwnerAnswer(link.person, 0, 0, None, []))
        entry.links.append(link)
    for entry in by_person.values():
        per_measure: dict[int, datetime | None] = {}
        for link in entry.links:
            for lm in link.measures:
                if lm.answered_at is not None or lm.measure_id not in per_measure:
                    per_measure[lm.measure_id] = lm.answered_at or per_measure.get(lm.measure_id)
        entry.measures = len(per_measure)
        done = [at for at in per_measure.values() if at is not None]
        entry.answered = len(done)
        entry.last_answer = max(done) if done else None
    return sorted(by_person.values(), key=lambda e: e.person.name.lower())


def remind(session: Session, request: StatusRequest, now: datetime | None = None) -> list[tuple[StatusLink, str]]:
    """The one reminder: each owner with unanswered measures gets a new link for them (the old one is
    revoked, since its secret is not stored); returns the new links. Raises LinkRefused when sent before."""
    if request.reminded_at is not None:
        raise LinkRefused("Die Erinnerung wurde bereits verschickt.", 409)
    now = now or utcnow()
    fresh = []
    for entry in answers(request):
        if entry.done or not reachable(entry.person):
            continue
        answered = {lm.measure_id for link in entry.links for lm in link.measures if lm.answered_at is not None}
        rest: dict[int, models.Measure] = {}
        for link in entry.links:
            if link.revoked_at is None:
                link.revoked_at = now
            for lm in link.measures:
                if lm.measure_id not in answered:
                    rest.setdefault(lm.measure_id, lm.measure)
        fresh.append(create_link(session, request, entry.person, list(rest.values()), now))
    request.reminded_at = now
    session.flush()
    return fresh


def revoke(session: Session, link: StatusLink, now: datetime | None = None) -> None:
    if link.revoked_at is None:
        link.revoked_at = now or utcnow()
        session.flush()


def lookup(session: Session, secret: str, now: datetime | None = None) -> StatusLink:
    """The link of a secret that still works; raises LinkRefused (unknown, revoked, expired)."""
    digest = tokens.digest_of(secret, "status")
    link = session.scalar(sa.select(StatusLink).where(StatusLink.token_hash == digest)) if digest else None
    if link is None:
        raise LinkRefused(
            "Dieser Link ist nicht gültig. Bitte prüfen Sie, ob er vollständig kopiert wurde, "
            "oder bitten Sie das Strategieteam um einen neuen Link.",
            404,
        )
    if link.revoked_at is not None:
        raise LinkRefused(
            "Dieser Link wurde widerrufen (zum Beispiel, weil eine Erinnerung mit einem neuen Link verschickt "
            "wurde). Bitte verwenden Sie den Link aus der neuesten Mail.",
            410,
        )
    if link.expires_at <= (now or utcnow()):
        raise LinkRefused(
            f"Dieser Link ist abgelaufen: er galt {VALID_DAYS} Tage lang. Bitte bitten Sie das Strategieteam "
            "um einen neuen Link.",
            410,
        )
    if successor_id(session, link.request.strategy_id) is not None:
        raise LinkRefused(
            "Die Strategie wurde inzwischen fortgeschrieben; dieser Link gilt nicht mehr. Bitte bitten Sie das "
            "Strategieteam um einen neuen Link.",
            410,
        )
    return link


def answer(
    session: Session, link: StatusLink, inputs: list[StatusInput], sent_keys: list[str], *, on: date
) -> list[str]:
    """Save the answers given through the link (all or nothing) and mark every sent measure answered.

    `sent_keys`: the measures in the form (answered unchanged too), `inputs` the changed ones.
    Refuses a measure outside the link (another owner's, another strategy's) and one already
    answered (LinkRefused); a row that met someone else's change raises RoundFailed."""
    mine = {lm.measure.key: lm for lm in link.measures}
    foreign = [k for k in sent_keys if k not in mine]
    if foreign:
        raise LinkRefused(
            "Dieser Link gilt nur für die Maßnahmen, nach denen Sie gefragt wurden; die Antwort wurde nicht "
            "gespeichert.",
            403,
        )
    repeated = [k for k in sent_keys if mine[k].answered_at is not None]
    if repeated:
        titles = ", ".join(f"„{mine[k].measure.title}“" for k in repeated)
        raise LinkRefused(
            f"Zu {titles} haben Sie bereits geantwortet; jede Maßnahme kann über den Link nur einmal "
            "beantwortet werden. Die Antwort wurde nicht gespeichert.",
            409,
        )
    person = link.person
    token = audit.actor.set((None, actor_name(person)))
    try:
        changed = save_status_round(session, link.request.strategy, inputs, on=on, by=person.name)
        now = utcnow()
        for key in sent_keys:
            mine[key].answered_at = now
        session.flush()
    finally:
        audit.actor.reset(token)
    return changed
