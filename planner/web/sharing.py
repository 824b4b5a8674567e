"""Sharing a strategy with other health offices (read-only): the office's managers decide."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, url_for

from ..extensions import db
from ..services import sharing as service
from .access import actor_name, get_strategy_or_404, may_manage, reads_shared, visible_organisation_ids
from .forms.land import SharingForm

bp = Blueprint("sharing", __name__)


@dataclass(frozen=True)
class Sharing:
    """What a strategy page shows of its sharing: read through another office's share, the
    managers' form, or whether it is shared."""

    reads_shared: bool
    shared: bool
    form: SharingForm | None  # for the office's managers


def sharing_of(row) -> Sharing:
    """The sharing state of a strategy for the current user (strategies/_sharing.html shows it)."""
    if reads_shared(row):
        return Sharing(True, True, None)
    shared = service.is_shared(db.session, row.id)
    form = None
    if may_manage(row.organisation_id):
        form = SharingForm(formdata=None)
        form.shared.data = shared
    return Sharing(False, shared, form)


def shared_by_others() -> list:
    """The strategies other offices share with the current user's (the strategies list shows them)."""
    return service.shared_by_others(db.session, visible_organisation_ids())


@bp.post("/strategien/<int:strategy_id>/freigabe")
def update(strategy_id: int):
    """Show the strategy to other health offices (read-only), or stop showing it."""
    row = get_strategy_or_404(strategy_id, write=True, superseded_ok=True, load=False)
    if not may_manage(row.organisation_id):
        abort(404)
    form = SharingForm()
    if not form.validate():
        abort(400)
    if service.set_shared(db.session, row.id, bool(form.shared.data), actor_name(row.organisation_id)):
        db.session.commit()
    message = (
        "Die Strategie ist jetzt für andere Gesundheitsämter sichtbar (nur lesen)."
        if form.shared.data
        else "Die Strategie ist nur noch für Ihr Amt und die koordinierende Stelle sichtbar."
    )
    flash(message, "success")
    return redirect(url_for("strategies.detail", strategy_id=row.id))
