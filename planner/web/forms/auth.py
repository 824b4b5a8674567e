"""The login and the change of one's own password."""

from __future__ import annotations

from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ...services.accounts import MIN_PASSWORD
from . import GermanForm


class LoginForm(GermanForm):
    """Username and password."""

    username = StringField(
        "Benutzername",
        validators=[DataRequired("Bitte ausfüllen."), Length(max=100)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Passwort", validators=[DataRequired("Bitte ausfüllen.")], render_kw={"autocomplete": "current-password"}
    )


class PasswordChangeForm(GermanForm):
    """A user's own new password; the current one is asked for again."""

    current = PasswordField("Bisheriges Passwort", validators=[DataRequired("Bitte ausfüllen.")])
    password = PasswordField(
        "Neues Passwort",
        validators=[
            DataRequired("Bitte ausfüllen."),
            Length(
                min=MIN_PASSWORD, max=200, message=f"Das Passwort muss mindestens {MIN_PASSWORD} Zeichen lang sein."
            ),
        ],
        description=f"Mindestens {MIN_PASSWORD} Zeichen.",
    )
    confirm = PasswordField(
        "Neues Passwort wiederholen",
        validators=[
            DataRequired("Bitte ausfüllen."),
            EqualTo("password", "Die beiden neuen Passwörter stimmen nicht überein."),
        ],
    )
    revoke_tokens = BooleanField(
        "Auch meine API- und Kalender-Tokens widerrufen",
        description="Empfohlen, wenn jemand anderes Ihr Passwort kennen könnte: Skripte und Kalender brauchen "
        "danach einen neuen Zugang (Profil › Zugänge).",
    )
