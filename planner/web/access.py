"""The one place every route asks "may the current user see or change this?".

Routes never load a strategy or organisation by id themselves: they call these functions.
An object the user may not see answers 404 (never 403, never its data). The users-and-roles
area fills in the rules here; until a rule says otherwise everything is visible.
"""

from __future__ import annotations

from flask import abort

from .. import models
from ..extensions import db
from ..services import strategies as service


def visible_organisation_ids() -> set[int] | None:
    """Ids of the organisations the current user may read; None means all of them."""
    return None


def may_write(organisation_id: int) -> bool:
    """Whether the current user may change data of this organisation (role bearbeiten or above)."""
    return True


def may_manage(organisation_id: int) -> bool:
    """Whether the current user administers this organisation (role verwalten)."""
    return True


def _check(organisation_id: int, write: bool) -> None:
    visible = visible_organisation_ids()
    if visible is not None and organisation_id not in visible:
        abort(404)
    if write and not may_write(organisation_id):
        abort(404)


def get_strategy_or_404(strategy_id: int, *, write: bool = False) -> models.Strategy:
    """The strategy row with everything loaded, or 404 if missing or not visible/writable."""
    row = service.load_strategy_row(db.session, strategy_id)
    if row is None:
        abort(404)
    _check(row.organisation_id, write)
    return row


def get_organisation_or_404(organisation_id: int, *, write: bool = False) -> models.Organisation:
    """The organisation row, or 404 if missing or not visible/writable."""
    row = db.session.get(models.Organisation, organisation_id)
    if row is None:
        abort(404)
    _check(row.id, write)
    return row
