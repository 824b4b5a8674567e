"""What the Verstetigung page groups share: the strategy's row lookups, read-only messages,
and the template globals successor_of / may_change."""

from __future__ import annotations

from flask import abort, g, request

from ... import models
from ...extensions import db
from ...services import verstetigung as service
from ..access import actor_name, may_write


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


def may_change(row: models.Strategy) -> bool:
    """Whether the current user may change this strategy: write access, and not a carried-over version."""
    return may_write(row.organisation_id) and service.successor_id(db.session, row.id) is None


def user_name(row: models.Strategy) -> str:
    """Who records, to prefill "who" fields: the login's person in the organisation, else the login's name."""
    return actor_name(row.organisation_id)


def measure_row(row: models.Strategy, key: str) -> models.Measure:
    """The measure `key` of the strategy row, else 404."""
    measure = next((m for m in row.measures if m.key == key), None)
    if measure is None:
        abort(404)
    return measure


def read_only(row: models.Strategy) -> str | None:
    """Why the current user cannot change this strategy (German), or None."""
    if not may_write(row.organisation_id):
        return f"Sie haben für „{row.organisation.name}“ nur Leserechte."
    return service.read_only_message(db.session, row)
