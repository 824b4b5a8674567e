"""Survey rounds (Erhebungsrunden) of a coordinating organisation (issue 27, point 8).

A round asks every coordinated office to bring its application landscape (or its maturity
assessment) up to date by a date. An office has answered when, after the round began, it changed
its landscape (or recorded an assessment) — read from the data — or confirmed that its entries
are current (`survey_answers`). The coordinator sees per office when it last updated its landscape
and its assessment, whether and how it answered, and the reminders sent; a reminder is recorded
and shown on the office's start page (e-mail is another part of planner). Closing a round keeps
each office's landscape as it was (`survey_snapshots`). One comparison (`compare_landscapes`) sets
two landscapes side by side; a side is a closed round's snapshot or the landscape reconstructed at
a date from the applications and the audit trail (`landscapes_at`), so a Land compares year to
year before it has closed two rounds.

Views check access (web/access.py) and hand in ids; every figure of a round is read in a fixed
number of statements whatever the number of offices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import models
from ..domain.german import day_end_utc, german_date
from ..models import land as lm
from ..models import maturity as mm
from ..models.auth import AuditEntry, Coordination


@dataclass
class OfficeAnswer:
    """One office in a round."""

    office_id: int
    name: str
    landscape_updated: datetime | None = None  # last change of its application landscape (UTC)
    applications: int = 0
    assessment_recorded: datetime | None = None  # when its newest assessment was recorded (UTC)
    latest_assessment: date | None = None
    confirmed: datetime | None = None
    confirmed_by: str = ""
    reminders: list[datetime] = field(default_factory=list)

    def answered(self, r: lm.SurveyRound) -> datetime | None:
        """When the office answered the round (None: not yet)."""
        updated = self.landscape_updated if r.subject == "landkarte" else self.assessment_recorded
        times = [t for t in (self.confirmed, updated if updated and updated >= r.created_at else None) if t]
        return min(times) if times else None

    def how(self, r: lm.SurveyRound) -> str:
        answered = self.answered(r)
        if answered is None:
            return ""
        if self.confirmed is not None and answered == self.confirmed:
            return "Angaben bestätigt" + (f" ({self.confirmed_by})" if self.confirmed_by else "")
        return "Applikationslandkarte aktualisiert" if r.subject == "landkarte" else "Reifegradmessung erfasst"


@dataclass
class RoundView:
    round: lm.SurveyRound
    offices: list[OfficeAnswer]

    @property
    def subject_label(self) -> str:
        return lm.SURVEY_SUBJECTS.get(self.round.subject, self.round.subject)

    @property
    def answered(self) -> list[OfficeAnswer]:
        return [o for o in self.offices if o.answered(self.round)]

    @property
    def open(self) -> list[OfficeAnswer]:
        return [o for o in self.offices if not o.answered(self.round)]


def coordinated(session: Session, coordinator_id: int) -> dict[int, str]:
    o = models.Organisation.__table__
    return dict(
        session.execute(
            sa.select(o.c.id, o.c.name)
            .join(Coordination, Coordination.organisation_id == o.c.id)
            .where(Coordination.coordinator_id == coordinator_id)
            .order_by(o.c.name)
        ).all()
    )


def rounds(session: Session, coordinator_id: int) -> list[lm.SurveyRound]:
    return list(
        session.scalars(
            sa.select(lm.SurveyRound)
            .where(lm.SurveyRound.coordinator_id == coordinator_id)
            .order_by(lm.SurveyRound.due_on.desc(), lm.SurveyRound.id.desc())
        )
    )


def get_round(session: Session, coordinator_id: int, round_id: int) -> lm.SurveyRound | None:
    r = session.get(lm.SurveyRound, round_id)
    return r if r is not None and r.coordinator_id == coordinator_id else None


def last_updates(session: Session, office_ids: list[int]) -> dict[int, OfficeAnswer]:
    """Per office: last landscape change, number of applications, newest assessment (four statements)."""
    ids = office_ids or [-1]
    out = {i: OfficeAnswer(i, "") for i in office_ids}
    a = lm.Application.__table__
    for org, count, created in session.execute(
        sa.select(a.c.organisation_id, sa.func.count(), sa.func.max(a.c.created_at))
        .where(a.c.organisation_id.in_(ids))
        .group_by(a.c.organisation_id)
    ):
        out[org].applications, out[org].landscape_updated = count, created
    # changes and deletions through planner are in the audit trail (bulk-inserted demo data is not)
    for org, at in session.execute(
        sa.select(AuditEntry.organisation_id, sa.func.max(AuditEntry.at))
        .where(AuditEntry.organisation_id.in_(ids), AuditEntry.table_name == "applications")
        .group_by(AuditEntry.organisation_id)
    ):
        current = out[org].landscape_updated
        out[org].landscape_updated = at if current is None or at > current else current
    m = mm.MaturityAssessment.__table__
    for org, recorded, assessed in session.execute(
        sa.select(m.c.organisation_id, sa.func.max(m.c.created_at), sa.func.max(m.c.assessed_on))
        .where(m.c.organisation_id.in_(ids))
        .group_by(m.c.organisation_id)
    ):
        out[org].assessment_recorded, out[org].latest_assessment = recorded, assessed
    return out


def round_view(session: Session, r: lm.SurveyRound) -> RoundView:
    """The round with every coordinated office: updates, answer, reminders (six statements)."""
    names = coordinated(session, r.coordinator_id)
    offices = last_updates(session, list(names))
    for office_id, name in names.items():
        offices[office_id].name = name
    for office_id, at, by in session.execute(
        sa.select(lm.SurveyAnswer.office_id, lm.SurveyAnswer.answered_at, lm.SurveyAnswer.answered_by).where(
            lm.SurveyAnswer.round_id == r.id
        )
    ):
        if office_id in offices:
            offices[office_id].confirmed, offices[office_id].confirmed_by = at, by
    for office_id, at in session.execute(
        sa.select(lm.SurveyReminder.office_id, lm.SurveyReminder.sent_at)
        .where(lm.SurveyReminder.round_id == r.id)
        .order_by(lm.SurveyReminder.sent_at)
    ):
        if office_id in offices:
            offices[office_id].reminders.append(at)
    return RoundView(r, [offices[i] for i in names])


def create_round(
    session: Session, coordinator_id: int, title: str, subject: str, due_on: date, note: str, by: str
) -> lm.SurveyRound:
    r = lm.SurveyRound(
        coordinator_id=coordinator_id, title=title, subject=subject, due_on=due_on, note=note, created_by=by
    )
    session.add(r)
    session.flush()
    return r


def remind(session: Session, view: RoundView, by: str) -> int:
    """Record a reminder for every office that has not answered; returns how many."""
    for o in view.open:
        session.add(lm.SurveyReminder(round_id=view.round.id, office_id=o.office_id, sent_by=by))
    session.flush()
    return len(view.open)


def confirm(session: Session, r: lm.SurveyRound, office_id: int, by: str) -> None:
    """The office confirms that its entries are current (once; a second confirmation changes nothing)."""
    exists = session.scalar(
        sa.select(lm.SurveyAnswer.id).where(lm.SurveyAnswer.round_id == r.id, lm.SurveyAnswer.office_id == office_id)
    )
    if exists is None:
        session.add(lm.SurveyAnswer(round_id=r.id, office_id=office_id, answered_by=by))
        session.flush()


def close(session: Session, r: lm.SurveyRound, now: datetime) -> None:
    """Close the round: keep each coordinated office's landscape as it is now (one insert)."""
    names = coordinated(session, r.coordinator_id)
    a = lm.Application.__table__
    rows = [
        {
            "round_id": r.id,
            "office_id": x.organisation_id,
            "name": x.name,
            "vendor": x.vendor or "",
            "task_area": x.task_area or "",
            "operation": x.operation or "",
            "state": x.state or "",
        }
        for x in session.execute(sa.select(a).where(a.c.organisation_id.in_(list(names) or [-1])))
    ]
    if rows:
        session.execute(sa.insert(lm.SurveySnapshot.__table__), rows)
    r.closed_at = now
    session.flush()


# --- year-to-year comparison of two landscapes ---------------------------------------------------

Offices = dict[int, dict[str, str]]  # office id -> application_key -> the name shown


@dataclass(frozen=True)
class Landscape:
    """The application landscapes of the coordinated offices at one point, one side of a comparison:
    per office that had at least one application, its applications by `application_key` with the
    name shown. Two sources: a closed round's snapshot (`snapshots`) and the reconstruction at a
    date (`landscapes_at`)."""

    label: str  # how the comparison names the side: the round's title or the date
    offices: Offices


@dataclass(frozen=True)
class ApplicationChange:
    name: str
    before: int  # offices using it on the earlier side
    after: int

    @property
    def delta(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class OfficeChange:
    name: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    earlier_label: str
    later_label: str
    applications: tuple[ApplicationChange, ...]  # every application on either side, most changed first
    offices: tuple[OfficeChange, ...]  # offices whose landscape changed between the two sides
    offices_before: int
    offices_after: int


def compare_landscapes(earlier: Landscape, later: Landscape, names: dict[int, str]) -> Comparison:
    """Two landscapes side by side: per application the number of offices, per office (named by
    `names`) the applications added and removed (names compared with case ignored)."""
    shown: dict[str, str] = {}
    counts: dict[str, list[int]] = {}
    for index, side in enumerate((earlier, later)):
        for apps in side.offices.values():
            for key, name in apps.items():
                shown.setdefault(key, name)
                counts.setdefault(key, [0, 0])[index] += 1
    applications = sorted(
        (ApplicationChange(shown[k], b, a) for k, (b, a) in counts.items()),
        key=lambda c: (-abs(c.delta), -c.after, c.name.casefold()),
    )
    offices = []
    for office_id in sorted(set(earlier.offices) | set(later.offices), key=lambda i: names.get(i, "").casefold()):
        before, after = earlier.offices.get(office_id, {}), later.offices.get(office_id, {})
        added = tuple(sorted((after[k] for k in after.keys() - before.keys()), key=str.casefold))
        removed = tuple(sorted((before[k] for k in before.keys() - after.keys()), key=str.casefold))
        if added or removed:
            offices.append(OfficeChange(names.get(office_id, "?"), added, removed))
    return Comparison(
        earlier.label, later.label, tuple(applications), tuple(offices), len(earlier.offices), len(later.offices)
    )


def snapshots(session: Session, closed: list[lm.SurveyRound]) -> list[Landscape]:
    """The landscapes the rounds kept when they were closed, in the order given (one statement)."""
    s = lm.SurveySnapshot.__table__
    taken: dict[int, Offices] = {r.id: {} for r in closed}
    for round_id, office_id, name in session.execute(
        sa.select(s.c.round_id, s.c.office_id, s.c.name).where(s.c.round_id.in_(list(taken) or [-1]))
    ):
        taken[round_id].setdefault(office_id, {})[lm.application_key(name)] = name
    return [Landscape(r.title, taken[r.id]) for r in closed]


def compare(session: Session, earlier: lm.SurveyRound, later: lm.SurveyRound) -> Comparison:
    """The landscapes of two closed rounds side by side (compare_landscapes); offices no longer
    coordinated keep their names."""
    names = coordinated(session, later.coordinator_id) | coordinated(session, earlier.coordinator_id)
    before, after = snapshots(session, [earlier, later])
    missing = (set(before.offices) | set(after.offices)) - set(names)
    if missing:
        o = models.Organisation.__table__
        names |= dict(session.execute(sa.select(o.c.id, o.c.name).where(o.c.id.in_(missing))).all())
    return compare_landscapes(before, after, names)


def landscapes_at(session: Session, office_ids: list[int], moments: list[datetime | None]) -> list[Offices]:
    """The offices' landscapes as they were just before each moment (naive UTC; None: now, the
    applications as they are), reconstructed from the `applications` rows and the audit trail in
    two statements whatever the number of offices and moments.

    What it knows: every insert, rename and delete made through planner (forms, import, API — any
    ORM flush) is in the trail with its time, the name before and after; a deleted application
    comes back from its delete entry (its name and `created_at`). A row written without a trail
    (bulk inserts such as the demo data, or restored rows) counts from its `created_at` on, with
    the name the trail gave it before its first recorded rename, else its current name.

    What it cannot know: a row removed without a trail (a bulk SQL delete, an office deleted with
    its rows) — without a delete entry its last recorded state holds at every later moment, and
    only "now" shows it gone; a row moved to another office (planner has no such path); changes
    to vendor, task or operation (the comparison looks at names only; a rename counts as one
    application removed and another added, as in the rounds' comparison); entries the trail shows
    anonymised. Times are those of the save, not of when the office began or stopped using the
    application."""
    ids = list(office_ids) or [-1]
    a = lm.Application.__table__
    current = {
        row.id: row
        for row in session.execute(
            sa.select(a.c.id, a.c.organisation_id, a.c.name, a.c.created_at).where(a.c.organisation_id.in_(ids))
        )
    }
    trail: dict[int, list] = {}
    if any(m is not None for m in moments):
        for entry in session.execute(
            sa.select(
                AuditEntry.object_id,
                AuditEntry.organisation_id,
                AuditEntry.action,
                AuditEntry.field,
                AuditEntry.old,
                AuditEntry.new,
                AuditEntry.at,
            )
            .where(
                AuditEntry.table_name == "applications",
                AuditEntry.organisation_id.in_(ids),
                AuditEntry.field.in_(("name", "created_at")),
            )
            .order_by(AuditEntry.at, AuditEntry.id)
        ):
            if entry.object_id.isdigit():
                trail.setdefault(int(entry.object_id), []).append(entry)
    lives = [_life(current.get(i), trail.get(i, [])) for i in current.keys() | trail.keys()]
    out = []
    for moment in moments:
        offices: Offices = {}
        if moment is None:
            for row in current.values():
                offices.setdefault(row.organisation_id, {})[lm.application_key(row.name)] = row.name
        else:
            for office_id, events in lives:
                name = None
                for at, shown in events:
                    if at >= moment:
                        break
                    name = shown
                if name is not None:
                    offices.setdefault(office_id, {})[lm.application_key(name)] = name
        out.append(offices)
    return out


def _life(row, entries: list) -> tuple[int, list[tuple[datetime, str | None]]]:
    """An application's office and its history: (from when, name; None: not in the landscape)."""
    named = [e for e in entries if e.field == "name"]
    events: list[tuple[datetime, str | None]] = []
    if not named or named[0].action != "insert":
        # it existed before its trail began (written without one): since it was created
        created = row.created_at if row is not None else _created_at(entries)
        name = named[0].old if named and named[0].old is not None else (row.name if row is not None else None)
        if created is not None and name is not None:
            events.append((created, name))
    events += [(e.at, None if e.action == "delete" else e.new) for e in named]
    if row is not None and events and events[-1][1] is None:
        events.append((row.created_at, row.name))  # written again without a trail (an id used again)
    events.sort(key=lambda e: e[0])
    return (row.organisation_id if row is not None else entries[0].organisation_id), events


def _created_at(entries: list) -> datetime | None:
    """`created_at` as an insert or delete entry recorded it."""
    for e in entries:
        text = (e.new or e.old) if e.field == "created_at" else None
        if text:
            try:
                return datetime.fromisoformat(text)
            except ValueError:
                return None
    return None


def date_label(day: date, today: date) -> str:
    """How a comparison names a date: 31.12.2025, today „07.12.2026 (heute)“."""
    return german_date(day) + (" (heute)" if day == today else "")


def compare_dates(session: Session, coordinator_id: int, earlier: date, later: date, today: date) -> Comparison:
    """The landscapes of the coordinated offices at the end of two days (Berlin) side by side;
    today (or later) is the landscape as it is now. Three statements (see landscapes_at)."""
    names = coordinated(session, coordinator_id)
    days = (earlier, later)
    before, after = landscapes_at(session, list(names), [None if d >= today else day_end_utc(d) for d in days])
    return compare_landscapes(
        Landscape(date_label(earlier, today), before), Landscape(date_label(later, today), after), names
    )


# --- the office's side: requests on its start page ----------------------------------------------


@dataclass(frozen=True)
class Request:
    """An open round of a coordinator of one of the user's offices."""

    round: lm.SurveyRound
    coordinator: str
    office_id: int
    office: str
    answered: datetime | None
    reminders: tuple[datetime, ...]


def requests_for(session: Session, office_ids: set[int] | None) -> list[Request]:
    """The open rounds addressed to these offices (None: every office), with answer and reminders."""
    if office_ids is not None and not office_ids:
        return []
    o = models.Organisation.__table__
    query = (
        sa.select(lm.SurveyRound, Coordination.organisation_id, o.c.name)
        .join(Coordination, Coordination.coordinator_id == lm.SurveyRound.coordinator_id)
        .join(o, o.c.id == Coordination.coordinator_id)
        .where(lm.SurveyRound.closed_at.is_(None))
        .order_by(lm.SurveyRound.due_on, lm.SurveyRound.id)
    )
    if office_ids is not None:
        query = query.where(Coordination.organisation_id.in_(list(office_ids)))
    found = session.execute(query).all()
    if not found:
        return []
    offices = {oid for _, oid, _ in found}
    office_names = dict(session.execute(sa.select(o.c.id, o.c.name).where(o.c.id.in_(offices))).all())
    round_ids = {r.id for r, _, _ in found}
    updates = last_updates(session, sorted(offices))
    confirmed = {
        (rid, oid): at
        for rid, oid, at in session.execute(
            sa.select(lm.SurveyAnswer.round_id, lm.SurveyAnswer.office_id, lm.SurveyAnswer.answered_at).where(
                lm.SurveyAnswer.round_id.in_(round_ids)
            )
        )
    }
    reminders: dict[tuple[int, int], list[datetime]] = {}
    for rid, oid, at in session.execute(
        sa.select(lm.SurveyReminder.round_id, lm.SurveyReminder.office_id, lm.SurveyReminder.sent_at)
        .where(lm.SurveyReminder.round_id.in_(round_ids))
        .order_by(lm.SurveyReminder.sent_at)
    ):
        reminders.setdefault((rid, oid), []).append(at)
    out = []
    for r, office_id, coordinator in found:
        u = updates[office_id]
        answer = OfficeAnswer(
            office_id,
            office_names[office_id],
            u.landscape_updated,
            u.applications,
            u.assessment_recorded,
            u.latest_assessment,
            confirmed.get((r.id, office_id)),
        )
        out.append(
            Request(
                r,
                coordinator,
                office_id,
                office_names[office_id],
                answer.answered(r),
                tuple(reminders.get((r.id, office_id), [])),
            )
        )
    return out
