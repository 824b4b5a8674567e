"""Forms of the rounds over all measures: one small row form per measure (no CSRF of its own) inside
a page form that carries the CSRF token and the shared fields ("Stand vom", "Erfasst von")."""

from __future__ import annotations

from wtforms import Form, HiddenField, SelectField, StringField
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, Length, Optional

from ...domain.strategy import Measure, Rating, Status
from . import REQUIRED, GermanForm, choices, rating_choices, storable_text

NOTE_MAX = 300


class _RowMeta(DefaultMeta):
    locales = ("de_DE", "de")


class StatusRow(Form):
    """One measure in the Statusabfrage."""

    Meta = _RowMeta
    key = HiddenField()
    version = HiddenField()
    status = SelectField("Status", choices=choices((s.value, s.label) for s in Status))
    actual_start = StringField("Tatsächlicher Beginn")
    actual_end = StringField("Tatsächliches Ende")
    note = StringField(
        "Stand",
        validators=[Optional(), Length(max=NOTE_MAX, message=f"Höchstens {NOTE_MAX} Zeichen."), storable_text],
    )

    def fill(self, m: Measure, version: int) -> None:
        self.key.data = m.key
        self.version.data = str(version)
        self.status.data = m.status.value
        self.actual_start.data = m.actual_start.german() if m.actual_start else ""
        self.actual_end.data = m.actual_end.german() if m.actual_end else ""
        self.note.data = ""


class RatingRow(Form):
    """One measure in the Bewertungsworkshop."""

    Meta = _RowMeta
    key = HiddenField()
    version = HiddenField()
    urgency = SelectField("Dringlichkeit", choices=rating_choices)
    feasibility = SelectField("Machbarkeit", choices=rating_choices)

    def fill(self, m: Measure, version: int) -> None:
        self.key.data = m.key
        self.version.data = str(version)
        self.urgency.data = m.urgency.value if m.urgency else ""
        self.feasibility.data = m.feasibility.value if m.feasibility else ""


class StatusRoundForm(GermanForm):
    """The shared fields of a Statusabfrage and the CSRF token."""

    changed_on = StringField("Stand vom", description="TT.MM.JJJJ")
    by = StringField("Erfasst von", validators=[DataRequired(REQUIRED), Length(max=200)])


class RatingRoundForm(GermanForm):
    """The Bewertungsworkshop's CSRF token."""


def rating_of(value: str | None) -> Rating | None:
    return Rating(value) if value else None


def version_of(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None
