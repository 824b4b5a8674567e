"""The web interface: one blueprint per area, registered here."""

from __future__ import annotations

from flask import Flask

from . import (
    admin,
    assets,
    auth,
    clock,
    errors,
    filters,
    guide,
    lagebild,
    maturity,
    measure_list,
    measures,
    nav,
    roadmap,
    rounds,
    session_timeout,
    steckbriefe,
    strategies,
    verstetigung,
)


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
    app.register_blueprint(steckbriefe.bp)
    app.register_blueprint(rounds.bp)
    app.register_blueprint(guide.bp)
    app.register_blueprint(measure_list.bp)
    auth.init_app(app)
    session_timeout.init_app(app)
    app.register_blueprint(admin.bp)
    errors.retry_on_conflict(app)  # last: wraps every view registered above
