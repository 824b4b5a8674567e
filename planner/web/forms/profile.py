"""The forms of one's profile (web/profile.py): personal tokens, mail notifications."""

from __future__ import annotations

from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Optional

from . import REQUIRED, GermanForm, email_address


class TokenForm(GermanForm):
    """The name of a new access key, so its owner can tell it apart later."""

    name = StringField(
        "Bezeichnung",
        validators=[DataRequired(REQUIRED), Length(max=100, message="Höchstens 100 Zeichen.")],
        description="Wofür der Zugang ist, z. B. „Excel-Abgleich“ oder „Outlook im Büro“.",
    )


class NotificationForm(GermanForm):
    """The user's address and whether the weekly digest and review reminders come by mail."""

    email = StringField(
        "E-Mail-Adresse",
        validators=[Optional(), email_address],
        description="Für die Wochenübersicht des Handlungsbedarfs und die Erinnerung an das Strategiereview.",
    )
    digests = BooleanField("Wochenübersicht (montags) und Erinnerungen per Mail erhalten")
