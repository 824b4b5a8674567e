"""What the Verstetigung page groups share: the strategy's row lookups, read-only messages,
(successor_of and may_change live in web/access.py)."""

from __future__ import annotations

from flask import abort

from ... import models
from ...extensions import db
from ...services import verstetigung as service
from ..access import actor_name, may_write


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
