"""Maßnahmensteckbriefe: one page per measure as web page, PDF (WeasyPrint) and Word (python-docx).

Everything starts from the domain Strategy, whether it comes from a strategy file (CLI)
or from the database (web): `bundle_view` → `bundle_pdf` / `bundle_docx`.
"""

from __future__ import annotations

from .context import BundleView, FilterError, SheetFilter, SheetView, bundle_view, select_measures, sheet_view

__all__ = [
    "BundleView",
    "FilterError",
    "SheetFilter",
    "SheetView",
    "bundle_view",
    "select_measures",
    "sheet_view",
]
