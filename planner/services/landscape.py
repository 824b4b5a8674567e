"""An office's application landscape in the database, and the state office's view across offices."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import models
from ..domain.landscape import (
    Application,
    InterfaceCandidate,
    MatrixRow,
    ProcurementCandidate,
    SharedApplication,
    interface_candidates,
    matrix,
    procurement_candidates,
    sample_landscape,
    shared_applications,
)
from ..models.auth import Coordination
from ..models.land import Application as ApplicationRow
from ..models.land import application_key
from .strategies import lock_row


def to_domain(row: ApplicationRow) -> Application:
    return Application(row.name, row.vendor, row.task_area, row.operation, list(row.interfaces or []), row.state)


def rows(session: Session, organisation_id: int) -> list[ApplicationRow]:
    """The organisation's applications by name."""
    return list(
        session.scalars(
            sa.select(ApplicationRow)
            .where(ApplicationRow.organisation_id == organisation_id)
            .order_by(sa.func.lower(ApplicationRow.name), ApplicationRow.id)
        )
    )


def get(session: Session, organisation_id: int, application_id: int) -> ApplicationRow | None:
    """One application of the organisation (None when it belongs to another)."""
    row = session.get(ApplicationRow, application_id)
    return row if row is not None and row.organisation_id == organisation_id else None


def name_taken(session: Session, organisation_id: int, name: str, except_id: int | None = None) -> bool:
    """Whether another application of the office has this name (the unique constraint's key)."""
    query = sa.select(ApplicationRow.id).where(
        ApplicationRow.organisation_id == organisation_id, ApplicationRow.name_key == application_key(name)
    )
    if except_id is not None:
        query = query.where(ApplicationRow.id != except_id)
    return session.scalar(query) is not None


def _write(row: ApplicationRow, app: Application) -> None:
    row.name = app.name.strip()
    row.name_key = application_key(app.name)
    row.vendor = app.vendor.strip()
    row.task_area = app.task_area.strip()
    row.operation = app.operation
    row.interfaces = list(app.interfaces)
    row.state = app.state


def save(session: Session, organisation_id: int, app: Application, row: ApplicationRow | None = None) -> ApplicationRow:
    """Create (row None) or update an application. A name taken by a concurrent save (case
    ignored) is refused by the unique constraint on name_key: the view runs again
    (web/errors.retry_on_conflict) and its check names it."""
    if row is None:
        row = ApplicationRow(organisation_id=organisation_id)
        session.add(row)
    _write(row, app)
    session.flush()
    return row


def import_applications(session: Session, organisation_id: int, apps: list[Application]) -> tuple[int, int]:
    """Take over a validated file: applications matched by name (case ignored) are updated,
    the others added; none is deleted. (changed, added). Imports into one office's landscape run
    one after the other (the organisation's row is locked): each reads what the one before wrote."""
    lock_row(session, models.Organisation.__table__, organisation_id)
    existing = {r.name_key: r for r in rows(session, organisation_id)}
    changed = added = 0
    for app in apps:
        row = existing.get(application_key(app.name))
        if row is None:
            added += 1
        elif to_domain(row) != app:
            changed += 1
        save(session, organisation_id, app, row)
    return changed, added


def insert_sample_landscapes(session: Session, offices: list[tuple[int, str]], rng) -> None:
    """A fictitious landscape for each new demo office (`planner demo-land`), in one bulk insert:
    (organisation id, name) pairs, the generator's random source."""
    rows = [
        {
            "organisation_id": organisation_id,
            "name": app.name,
            "vendor": app.vendor,
            "task_area": app.task_area,
            "operation": app.operation,
            "interfaces": list(app.interfaces),
            "state": app.state,
        }
        for organisation_id, name in offices
        for app in sample_landscape(rng, name)
    ]
    if rows:
        session.execute(sa.insert(ApplicationRow), rows)


@dataclass
class LandView:
    """What a coordinating office sees across the offices it coordinates."""

    offices: list[str]
    recorded: list[str]
    matrix: list[MatrixRow]
    procurement: list[ProcurementCandidate]
    shared: list[SharedApplication]
    interfaces: list[InterfaceCandidate]


def coordinated_offices(session: Session, coordinator_id: int) -> list[models.Organisation]:
    return list(
        session.scalars(
            sa.select(models.Organisation)
            .join(Coordination, Coordination.organisation_id == models.Organisation.id)
            .where(Coordination.coordinator_id == coordinator_id)
            .order_by(models.Organisation.name)
        )
    )


def land_view(session: Session, coordinator_id: int) -> LandView:
    """The landscapes of every office the organisation coordinates, read in two queries."""
    offices = coordinated_offices(session, coordinator_id)
    names = {o.id: o.name for o in offices}
    landscapes: dict[str, list[Application]] = {}
    for row in session.scalars(
        sa.select(ApplicationRow)
        .where(ApplicationRow.organisation_id.in_(names))
        .order_by(ApplicationRow.organisation_id, sa.func.lower(ApplicationRow.name))
    ):
        landscapes.setdefault(names[row.organisation_id], []).append(to_domain(row))
    ordered = {name: landscapes[name] for name in sorted(landscapes)}
    return LandView(
        offices=[o.name for o in offices],
        recorded=list(ordered),
        matrix=matrix(ordered),
        procurement=procurement_candidates(ordered),
        shared=shared_applications(ordered),
        interfaces=interface_candidates(ordered),
    )


def application_counts(session: Session, organisation_ids: list[int]) -> dict[int, int]:
    """Number of applications per organisation, in one query."""
    return dict(
        session.execute(
            sa.select(ApplicationRow.organisation_id, sa.func.count())
            .where(ApplicationRow.organisation_id.in_(organisation_ids))
            .group_by(ApplicationRow.organisation_id)
        ).all()
    )


def coordinators(session: Session, organisation_ids: list[int]) -> set[int]:
    """Those of the organisations that coordinate others (state offices)."""
    return set(
        session.scalars(
            sa.select(Coordination.coordinator_id).where(Coordination.coordinator_id.in_(organisation_ids)).distinct()
        )
    )
