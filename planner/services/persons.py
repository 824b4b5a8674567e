"""Persons (staff or units owning measures) as personal data: export and anonymisation (DSGVO Art. 15, 17).

A person's name can appear in the person row, as owner of measures, in free text of any
table of the organisation (actors, steps, notes, ...) and in the audit trail. Both
operations search every text column of every table that belongs to the organisation
(the same metadata walk as the backup), so other areas' tables are included.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import models
from ..models import Model, utcnow
from ..models.auth import AuditEntry
from . import backup

ANONYMOUS = "Anonymisierte Person"


def _text_columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON)) and not c.primary_key]


def _contains(value: Any, name: str) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return name in value
    return name in json.dumps(value, ensure_ascii=False)


def _replace(value: Any, name: str, replacement: str) -> Any:
    if isinstance(value, str):
        return value.replace(name, replacement)
    if isinstance(value, list):
        return [_replace(v, name, replacement) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, name, replacement) for k, v in value.items()}
    return value


def mentions(session: Session, person: models.Person) -> list[tuple[sa.Table, dict, str]]:
    """(table, row, column) of every text value in the organisation's data that contains the name."""
    found = []
    rows = backup.collect(session.connection(), person.organisation_id)
    by_name = {t.name: t for t in backup.tables()}
    for name, table_rows in rows.items():
        if name in ("persons", "audit_entries", "users"):
            continue
        table = by_name[name]
        columns = _text_columns(table)
        for row in table_rows:
            for column in columns:
                if _contains(row[column.name], person.name):
                    found.append((table, row, column.name))
    return found


def export_person(session: Session, person: models.Person) -> dict:
    """Everything stored about a person: the row, the measures owned, mentions in text, the audit trail."""
    owned = session.execute(
        sa.select(models.Strategy.title, models.Measure.title, models.MeasureOwner.role)
        .join(models.Measure, models.MeasureOwner.measure_id == models.Measure.id)
        .join(models.Strategy, models.Measure.strategy_id == models.Strategy.id)
        .where(models.MeasureOwner.person_id == person.id)
        .order_by(models.Strategy.id, models.Measure.position)
    ).all()
    trail = session.scalars(
        sa.select(AuditEntry)
        .where(
            sa.or_(
                sa.and_(AuditEntry.table_name == "persons", AuditEntry.object_id == str(person.id)),
                sa.and_(
                    AuditEntry.field == "person_id",
                    sa.or_(AuditEntry.new == str(person.id), AuditEntry.old == str(person.id)),
                ),
                AuditEntry.old.contains(person.name, autoescape=True),
                AuditEntry.new.contains(person.name, autoescape=True),
            ),
            AuditEntry.organisation_id == person.organisation_id,
        )
        .order_by(AuditEntry.id)
    ).all()
    return {
        "format": "planner-person-export/1",
        "exported_at": utcnow().isoformat(),
        "person": {
            "id": person.id,
            "name": person.name,
            "organisation": person.organisation.name,
            "email": person.email,
            "mail_off": person.mail_off,
        },
        "measures": [{"strategy": s, "measure": m, "role": r} for s, m, r in owned],
        "mentions": [
            {"table": t.name, "id": ",".join(str(row[c.name]) for c in t.primary_key.columns), "field": column}
            for t, row, column in mentions(session, person)
        ],
        "audit_trail": [
            {
                "at": e.at.isoformat(),
                "by": e.username,
                "table": e.table_name,
                "object": e.object_id,
                "action": e.action,
                "field": e.field,
                "old": e.old,
                "new": e.new,
            }
            for e in trail
        ],
    }


def anonymise_person(session: Session, person: models.Person) -> int:
    """Replace the name everywhere in the organisation's data and trail; returns how many values changed.

    The change itself is recorded in the trail, but with the values redacted.
    """
    name = person.name
    taken = set(
        session.scalars(sa.select(models.Person.name).where(models.Person.organisation_id == person.organisation_id))
    )
    n = 1
    while f"{ANONYMOUS} {n}" in taken:
        n += 1
    replacement = f"{ANONYMOUS} {n}"
    classes = {m.local_table.name: m.class_ for m in Model.registry.mappers}
    count = 0
    session.info["audit_redact"] = True
    try:
        for table, row, column in mentions(session, person):
            cls = classes.get(table.name)
            obj = session.get(cls, tuple(row[c.name] for c in table.primary_key.columns)) if cls else None
            if obj is None:
                continue
            attr = sa.inspect(cls).get_property_by_column(table.c[column]).key
            setattr(obj, attr, _replace(getattr(obj, attr), name, replacement))
            count += 1
        person.name = replacement
        count += 1
        email = person.email
        if email:  # the address goes too (issue 28), and with it the person's mails
            person.email = None
            count += 1
        session.flush()
    finally:
        session.info.pop("audit_redact", None)
    audit = AuditEntry.__table__
    for col in ("old", "new"):
        result = session.execute(
            sa.update(audit)
            .where(audit.c[col].contains(name, autoescape=True), audit.c.organisation_id == person.organisation_id)
            .values({col: sa.func.replace(audit.c[col], name, replacement)})
        )
        count += result.rowcount or 0
        if email:
            result = session.execute(
                sa.update(audit)
                .where(audit.c[col] == email, audit.c.organisation_id == person.organisation_id)
                .values({col: "(anonymisiert)"})
            )
            count += result.rowcount or 0
    return count


def person_of_user(session: Session, user_id: int, organisation_id: int) -> models.Person | None:
    """The person of the organisation linked to this login, if any."""
    return session.scalar(
        sa.select(models.Person).where(
            models.Person.user_id == user_id, models.Person.organisation_id == organisation_id
        )
    )


class PersonError(ValueError):
    """A person change that cannot be made; the message is German."""


def _base(name: str) -> str:
    """The name without a parenthesis, lower case: "IT-Service (Lukas Bäumer)" -> "it-service"."""
    return name.split("(")[0].strip().lower()


def possible_duplicates(persons: list[models.Person]) -> list[tuple[models.Person, models.Person]]:
    """Pairs that may name the same person or unit: "IT" / "IT-Service" / "IT-Service (Lukas Bäumer)"."""
    pairs = []
    for i, a in enumerate(persons):
        for b in persons[i + 1 :]:
            x, y = sorted((_base(a.name), _base(b.name)), key=len)
            if x and (x == y or y.startswith(x + "-") or y.startswith(x + " ")):
                pairs.append((a, b))
    return pairs


def link_user(session: Session, person: models.Person, user_id: int | None) -> None:
    """Link a login to this person; a login has at most one person per organisation."""
    if user_id is not None:
        for other in session.scalars(
            sa.select(models.Person).where(
                models.Person.organisation_id == person.organisation_id,
                models.Person.user_id == user_id,
                models.Person.id != person.id,
            )
        ):
            other.user_id = None
    person.user_id = user_id
    session.flush()


def rename(session: Session, person: models.Person, name: str) -> None:
    """Give a person another name; refused when the organisation has that name already."""
    name = name.strip()
    clash = session.scalar(
        sa.select(models.Person.id).where(
            models.Person.organisation_id == person.organisation_id,
            models.Person.name == name,
            models.Person.id != person.id,
        )
    )
    if clash is not None:
        raise PersonError(
            f"„{name}“ gibt es in dieser Organisation schon. Zum Zusammenführen bitte „Zusammenführen“ wählen."
        )
    person.name = name
    session.flush()


def merge(session: Session, source: models.Person, target: models.Person | None) -> int:
    """Merge `source` into `target`: its measures go to the target (a measure both own keeps one entry,
    Lead before Support), a linked login moves if the target has none; then `source` is deleted.
    Every change goes into the audit trail. Returns the number of measures moved."""
    if target is None or source.id == target.id or source.organisation_id != target.organisation_id:
        raise PersonError("Bitte eine andere Person derselben Organisation wählen.")
    owned = session.scalars(sa.select(models.MeasureOwner).where(models.MeasureOwner.person_id == source.id)).all()
    moved = 0
    for owner in owned:
        existing = session.scalar(
            sa.select(models.MeasureOwner).where(
                models.MeasureOwner.measure_id == owner.measure_id, models.MeasureOwner.person_id == target.id
            )
        )
        if existing is None:
            owner.person = target
        else:
            if owner.role == "lead":
                existing.role = "lead"
            owner.measure.owners.remove(owner)
        moved += 1
    if target.user_id is None and source.user_id is not None:
        target.user_id, source.user_id = source.user_id, None
    session.flush()
    session.delete(source)
    session.flush()
    return moved


def get_person(session: Session, organisation_id: int, person_id: int) -> models.Person | None:
    """The person of that id in the organisation, or None."""
    person = session.get(models.Person, person_id)
    return person if person is not None and person.organisation_id == organisation_id else None


def create_person(session: Session, organisation: models.Organisation, name: str, kind: str) -> models.Person:
    """A new person or unit; refused when the organisation has that name already."""
    name = name.strip()
    clash = session.scalar(
        sa.select(models.Person.id).where(models.Person.organisation_id == organisation.id, models.Person.name == name)
    )
    if clash is not None:
        raise PersonError(f"„{name}“ gibt es in dieser Organisation schon.")
    person = models.Person(organisation=organisation, name=name, kind=kind)
    session.add(person)
    session.flush()
    return person


def owned_measures(session: Session, person: models.Person) -> int:
    """How many measures name the person as responsible."""
    return session.scalar(
        sa.select(sa.func.count()).select_from(models.MeasureOwner).where(models.MeasureOwner.person_id == person.id)
    )
