"""`planner remind --today JJJJ-MM-TT` (issue 28): the daily run that tells people by mail what is due.

- Owners (persons with an address who have not opted out): their evaluations due within 14 days and
  those newly overdue, each once.
- Leads (users who may edit an organisation, with an address and the digest switched on): on Mondays
  the week's Handlungsbedarf of each current strategy (the start page's, domain/lagebild.py), and the
  strategy review once it comes due.

Everything one address gets in a run goes into one mail; what it told is recorded
(models/mail.SentReminder), so a second run on the same day sends nothing new. Mails go through the
outbox (services/mail.py): one the server refuses waits for the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from .. import models
from ..domain.german import german_date
from ..domain.lagebild import action_items, next_review
from ..domain.months import month_of
from ..domain.verstetigung import STRATEGY, calendar
from ..extensions import db
from ..models.auth import Membership, User
from ..models.mail import SentReminder
from ..services import mail
from ..services.evaluation_calendar import slot_names
from ..services.lagebild import current_strategy_ids
from ..services.status_links import reachable
from ..services.strategies import load_strategy_row
from ..services.whole_strategy import strategy_to_domain
from . import mails

DUE_WITHIN_DAYS = 14
LEAD_ROLES = ("bearbeiten", "verwalten")


@dataclass
class Item:
    """One line of a reminder: what, and where to act on it."""

    key: str
    kind: str  # faellig, ueberfaellig, digest, review
    text: str
    url: str
    link_text: str
    heading: str = ""
    lines: list[str] = field(default_factory=list)


@dataclass
class Recipient:
    address: str
    name: str
    offices: list[str] = field(default_factory=list)
    owner_items: list[Item] = field(default_factory=list)
    lead_items: list[Item] = field(default_factory=list)
    organisation_id: int | None = None

    def office(self, name: str) -> None:
        if name not in self.offices:
            self.offices.append(name)


@dataclass
class Run:
    """What a run did: mails put into the outbox, and the delivery (None when nothing was to send)."""

    queued: list[Recipient]
    delivery: mail.Delivery | None


def _leads(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == organisation_id,
                Membership.role.in_(LEAD_ROLES),
                User.active.is_(True),
                User.mail_digests.is_(True),
                User.email.is_not(None),
            )
            .order_by(User.id)
        )
    )


def collect(today: date) -> dict[str, Recipient]:
    """Everything not yet told, by address (lower case)."""
    told = set(db.session.scalars(sa.select(SentReminder.item)))
    out: dict[str, Recipient] = {}

    def recipient(address: str, name: str, org: models.Organisation) -> Recipient:
        r = out.setdefault(address.lower(), Recipient(address, name, organisation_id=org.id))
        r.office(org.name)
        return r

    for strategy_id, organisation_id in current_strategy_ids(db.session, None):
        row = load_strategy_row(db.session, strategy_id)
        if row is None:
            continue
        org = row.organisation
        strategy = strategy_to_domain(row)
        measures = {m.key: m for m in row.measures}
        for d, slot in slot_names(calendar(strategy, today)):
            if d.done or d.unclear or d.subject == STRATEGY or d.subject not in measures:
                continue
            day = date(d.due.year, d.due.month, 1)
            if d.overdue:
                kind, when = "ueberfaellig", f"überfällig seit {german_date(day)}"
            elif day <= today + timedelta(days=DUE_WITHIN_DAYS):
                kind, when = "faellig", f"fällig zum {german_date(day)}"
            else:
                continue
            mrow = measures[d.subject]
            url = mails.absolute(
                "verstetigung.evaluations.new_for_measure",
                strategy_id=row.id,
                key=d.subject,
                art=d.kind.value,
                faellig=str(d.due),
            )
            for owner in mrow.owners:
                person = owner.person
                key = f"person:{person.id}:eval:{row.id}:{slot}:{kind}"
                if not reachable(person) or key in told:
                    continue
                told.add(key)
                recipient(person.email, person.name, org).owner_items.append(
                    Item(key, kind, f"{d.kind.label} „{mrow.title}“ ({org.name}): {when}", url, "Evaluation erfassen")
                )
        leads = _leads(organisation_id)
        if not leads:
            continue
        items = action_items(strategy, today)
        review = next_review(strategy, today)
        year, week, weekday = today.isocalendar()
        for user in leads:
            r = None
            if weekday == 1:
                key = f"user:{user.id}:digest:{row.id}:{year}-W{week:02d}"
                if key not in told:
                    told.add(key)
                    r = r or recipient(user.email, user.label, org)
                    r.lead_items.append(_digest(key, row, items, today))
            if review is not None and review.due <= month_of(today):
                key = f"user:{user.id}:review:{row.id}:{review.due}"
                if key not in told:
                    told.add(key)
                    r = r or recipient(user.email, user.label, org)
                    state = (
                        f"überfällig seit {german_date(date(review.due.year, review.due.month, 1))}"
                        if review.overdue
                        else f"fällig zum {german_date(date(review.due.year, review.due.month, 1))}"
                    )
                    r.lead_items.append(
                        Item(
                            key,
                            "review",
                            f"Das Strategiereview von „{row.title}“ ist {state}.",
                            mails.absolute("review.index", strategy_id=row.id),
                            "Review vorbereiten",
                            heading=f"Strategiereview: {row.title}",
                        )
                    )
    return out


def _digest(key: str, row: models.Strategy, items, today: date) -> Item:
    lines = [f"Maßnahme aktualisieren: „{i.measure.title}“ – {i.state.text}" for i in items.to_update]
    lines += [
        f"Zeitkonflikt: „{row_title(row, c.measure)}“ beginnt {c.starts.german()}, "
        f"vor dem Ende von „{row_title(row, c.depends_on)}“"
        + (f" ({c.prerequisite_ends.german()})" if c.prerequisite_ends else " (offenes Ende)")
        for c in items.conflicts
    ]
    lines += [
        f"{d.kind.label} „{row_title(row, d.subject)}“: "
        + (
            f"überfällig seit {german_date(date(d.due.year, d.due.month, 1))}"
            if d.overdue
            else f"fällig zum {german_date(date(d.due.year, d.due.month, 1))}"
        )
        for d in items.evaluations
    ]
    lines += [f"Indikator ohne aktuellen Wert: {s.name} („{s.measure.title}“)" for s in items.stale_indicators]
    text = (
        f"Stand {german_date(today)}: {items.count} Punkt{'' if items.count == 1 else 'e'} Handlungsbedarf."
        if items.count
        else f"Stand {german_date(today)}: kein Handlungsbedarf – alle Maßnahmen liegen im Plan."
    )
    return Item(
        key,
        "digest",
        text,
        mails.absolute("lagebild.start") + f"#hb-{row.id}",
        "Handlungsbedarf ansehen",
        heading=f"Wochenübersicht: {row.title} ({row.organisation.name})",
        lines=lines,
    )


def row_title(row: models.Strategy, key: str) -> str:
    return next((m.title for m in row.measures if m.key == key), key)


def run(today: date) -> Run:
    """Queue one mail per address with what is new, record it, commit, then deliver the outbox."""
    recipients = collect(today)
    queued = []
    for r in recipients.values():
        if not r.owner_items and not r.lead_items:
            continue
        content = mails.reminder(r.address, r.name, r.offices, r.owner_items, r.lead_items)
        row = mail.queue(db.session, content, r.organisation_id)
        for item in r.owner_items + r.lead_items:
            db.session.add(SentReminder(item=item.key, sent_on=today, mail_id=row.id))
        queued.append(r)
    db.session.commit()
    return Run(queued, mails.deliver())
