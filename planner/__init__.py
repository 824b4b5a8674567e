"""planner: digitalisation strategy and roadmap of a Gesundheitsamt."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import config

if TYPE_CHECKING:  # importing flask here would load the web stack for `planner check`
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints."""
    from flask import Flask

    app = Flask(
        __name__,
        template_folder=str(config.ROOT / "templates"),
        static_folder=str(config.ROOT / "static"),
        instance_path=str(config.INSTANCE),
    )
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.update(test_config)

    from . import models  # noqa: F401  (every table, before the first query)
    from .extensions import csrf, db
    from .services import audit, verstetigung

    db.init_app(app)
    # invariants of every write, whichever page, command or test makes it: the audit trail
    # (with the chart cache's change counter) and the status history of measures
    audit.install()
    verstetigung.install_status_history()
    csrf.init_app(app)

    from .web import register

    register(app)
    return app
