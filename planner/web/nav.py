"""Links other areas contribute to the strategy's sub-navigation and download buttons.

Each area appends (endpoint, German label) in its own blueprint module — or (endpoint, German
label, extra url_for arguments) for a route with more parameters; templates show only
endpoints that are registered. This keeps base templates free of area knowledge.
"""

from __future__ import annotations

from flask import Flask, current_app

STRATEGY_SECTIONS: list[tuple[str, str]] = []
STRATEGY_DOWNLOADS: list[tuple] = []  # (endpoint, label) or (endpoint, label, {url_for arguments})
MEASURE_DOWNLOADS: list[tuple] = []  # as STRATEGY_DOWNLOADS


def register(app: Flask) -> None:
    """Expose the link lists to templates."""
    app.add_template_global(lambda: STRATEGY_SECTIONS, "strategy_sections")
    app.add_template_global(lambda: STRATEGY_DOWNLOADS, "strategy_downloads")
    app.add_template_global(lambda: MEASURE_DOWNLOADS, "measure_downloads")
    # the templates show only registered endpoints (`endpoint in current_app.view_functions`);
    # Flask does not put current_app into the template context by itself
    app.add_template_global(current_app, "current_app")
