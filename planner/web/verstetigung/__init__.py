"""Verstetigung pages, one blueprint per page group under the area's blueprint `verstetigung`:
evaluation calendar (+ ICS) in `calendar`, a measure's progress and indicators in `progress`,
evaluations and the knowledge base in `evaluations`, the Fortschreibung and the version comparison
in `versions`. The biennial strategy review is web/review.py.

Old versions (with a Fortschreibung) are read only; evaluations and indicator values may still be
added to them, since a finished measure's impact evaluation falls due after the next version began.
"""

from __future__ import annotations

from flask import Blueprint

from .. import nav
from . import calendar, evaluations, progress, versions
from .common import may_change, successor_of

bp = Blueprint("verstetigung", __name__, url_prefix="/strategien/<int:strategy_id>")
for child in (calendar.bp, progress.bp, evaluations.bp, versions.bp):
    bp.register_blueprint(child)

nav.STRATEGY_SECTIONS.extend(
    [
        ("verstetigung.calendar.index", "Evaluationen"),
        ("review.index", "Strategiereview"),
        ("verstetigung.evaluations.knowledge", "Wissensdatenbank"),
        ("verstetigung.versions.index", "Versionen"),
    ]
)
nav.STRATEGY_DOWNLOADS.append(("verstetigung.calendar.ics", "Evaluationstermine (ICS)"))
nav.MEASURE_DOWNLOADS.append(("verstetigung.progress.page", "Fortschritt & Evaluation"))


bp.add_app_template_global(successor_of, "successor_of")
bp.add_app_template_global(may_change, "may_change")
