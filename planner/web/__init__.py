"""The web interface: one blueprint per area, registered here."""

from __future__ import annotations

from flask import Flask

from ..extensions import csrf
from . import (
    admin,
    assets,
    atlas,
    auth,
    cached,
    calendar_feed,
    clock,
    documents,
    errors,
    filters,
    guide,
    lagebild,
    landscape,
    maturity,
    measure_list,
    measures,
    nav,
    portfolio,
    profile,
    review,
    roadmap,
    rounds,
    session_timeout,
    sharing,
    status_link,
    steckbriefe,
    strategies,
    surveys,
    verstetigung,
)
from .api import views as api


def register(app: Flask) -> None:
    """Attach every blueprint, the template filters and the error pages."""
    filters.register(app)
    clock.register(app)
    nav.register(app)
    errors.register(app)
    app.register_blueprint(lagebild.bp)
    app.register_blueprint(strategies.bp)
    app.register_blueprint(measures.bp)
    app.register_blueprint(assets.bp)
    app.register_blueprint(maturity.bp)
    app.register_blueprint(roadmap.bp)
    app.register_blueprint(verstetigung.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(review.corrections)
    app.register_blueprint(review.legacy)
    app.register_blueprint(steckbriefe.bp)
    app.register_blueprint(rounds.bp)
    app.register_blueprint(guide.bp)
    app.register_blueprint(measure_list.bp)
    app.register_blueprint(atlas.bp)
    app.register_blueprint(sharing.bp)
    app.register_blueprint(landscape.bp)
    app.register_blueprint(portfolio.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(surveys.bp)
    auth.init_app(app)
    session_timeout.init_app(app)
    cached.install(app)
    app.register_blueprint(admin.bp)
    app.register_blueprint(profile.bp)
    app.register_blueprint(calendar_feed.bp)
    app.register_blueprint(status_link.bp)
    status_link.redact_access_logs()
    csrf.exempt(api.bp)  # token-authenticated, never the session cookie (api/views.py)
    app.register_blueprint(api.bp)
    errors.retry_on_conflict(app)  # last: wraps every view registered above
