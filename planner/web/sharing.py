"""Sharing a strategy with other health offices (read-only): the office's managers decide."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for

from ..extensions import db
from ..services import sharing as service
from .access import actor_name, get_strategy_or_404, may_manage, reads_shared, visible_organisation_ids
from .forms.land import SharingForm

bp = Blueprint("sharing", __name__)


@bp.record_once
def _globals(state) -> None:
    state.app.add_template_global(lambda row: service.is_shared(db.session, row.id), "is_shared")
    state.app.add_template_global(reads_shared, "reads_shared")
    state.app.add_template_global(may_manage, "may_manage")
    state.app.add_template_global(_form, "sharing_form")
    state.app.add_template_global(
        lambda: service.shared_by_others(db.session, visible_organisation_ids()), "shared_by_others"
    )


def _form(row) -> SharingForm:
    form = SharingForm(formdata=None)
    form.shared.data = service.is_shared(db.session, row.id)
    return form


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
