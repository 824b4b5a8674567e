"""The personal tokens of one's profile (web/profile.py)."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from . import REQUIRED, GermanForm


class TokenForm(GermanForm):
    """The name of a new access key, so its owner can tell it apart later."""

    name = StringField(
        "Bezeichnung",
        validators=[DataRequired(REQUIRED), Length(max=100, message="Höchstens 100 Zeichen.")],
        description="Wofür der Zugang ist, z. B. „Excel-Abgleich“ oder „Outlook im Büro“.",
    )
