"""The measure workbook's upload and its confirmation (web/measure_list.py)."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired

from . import GermanForm, MultiCheckboxField


class WorkbookUploadForm(GermanForm):
    """The edited Maßnahmenliste."""

    file = FileField(
        "Maßnahmenliste (Excel-Arbeitsmappe)",
        validators=[
            FileRequired("Bitte wählen Sie eine Datei aus."),
            FileAllowed(["xlsx"], "Bitte eine Excel-Arbeitsmappe (.xlsx) hochladen."),
        ],
        description="Eine Maßnahmenliste, die planner erzeugt hat (Download auf der Strategieseite), mit Ihren Änderungen.",
    )


class WorkbookConfirmForm(GermanForm):
    """The confirmation of a preview: the workbook, the state it was planned on, measures to delete."""

    workbook = HiddenField(validators=[DataRequired()])
    seen = HiddenField(validators=[DataRequired()])
    delete = MultiCheckboxField("Löschen", choices=[])
