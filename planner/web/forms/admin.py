"""The administrator's forms: user accounts, roles, coordinations, directory groups, persons."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, StopValidation

from ... import models
from ...models.auth import ROLE_LABELS, ROLES
from ...services import directory_groups
from ...services.accounts import MIN_PASSWORD
from . import GermanForm, choices, email_address


class UserForm(GermanForm):
    """A user account."""

    username = StringField(
        "Benutzername",
        validators=[
            DataRequired("Bitte ausfüllen."),
            Length(max=100),
            Regexp(r"^[\w.@-]+$", message="Nur Buchstaben, Ziffern und . _ - @, keine Leerzeichen."),
        ],
    )
    display_name = StringField("Anzeigename", validators=[Optional(), Length(max=200)])
    password = PasswordField(
        "Passwort",
        validators=[Optional(), Length(min=MIN_PASSWORD, message=f"Mindestens {MIN_PASSWORD} Zeichen.")],
        description=f"Mindestens {MIN_PASSWORD} Zeichen. Leer lassen: beim Anlegen wird eines erzeugt und einmal "
        "angezeigt, beim Bearbeiten bleibt das bisherige. Ein neues Passwort beendet alle Sitzungen des Kontos "
        "und widerruft seine API- und Kalender-Tokens.",
    )
    is_admin = BooleanField("Administrator (sieht und verwaltet alle Organisationen)")
    active = BooleanField("Aktiv (darf sich anmelden)", default=True)
    lock_version = HiddenField()  # a change: the version of the account it was filled from


class MembershipForm(GermanForm):
    """A role in an organisation."""

    organisation = SelectField("Organisation", choices=[])
    role = SelectField("Rolle", choices=choices((r, ROLE_LABELS[r]) for r in ROLES))


class CoordinationForm(GermanForm):
    """An organisation this one (a state office) coordinates."""

    organisation = SelectField("Koordinierte Organisation", choices=[])


def _dn_rule(form, field) -> None:
    if isinstance(field.data, str) and (problem := directory_groups.dn_problem(field.data)):
        raise StopValidation(problem)


class DirectoryGroupForm(GermanForm):
    """A directory group that gives a role in an organisation."""

    group_dn = StringField(
        "Verzeichnisgruppe (DN)",
        validators=[DataRequired("Bitte ausfüllen."), Length(max=directory_groups.MAX_DN), _dn_rule],
        description="Der vollständige Name der Gruppe im Verzeichnis, z. B. CN=GA-Strategie,OU=Gruppen,DC=kreis,DC=de",
    )
    organisation = SelectField("Organisation", choices=[])
    role = SelectField("Rolle", choices=choices((r, ROLE_LABELS[r]) for r in ROLES))


class DirectoryRoleForm(GermanForm):
    """The role of one mapping."""

    role = SelectField("Rolle", choices=choices((r, ROLE_LABELS[r]) for r in ROLES))


class DirectoryFileForm(GermanForm):
    """A mapping file replacing the whole mapping."""

    file = FileField(
        "Datei verzeichnisgruppen.yaml",
        validators=[
            FileRequired("Bitte wählen Sie eine Datei aus."),
            FileAllowed(["yaml", "yml"], "Bitte eine YAML-Datei (.yaml oder .yml) hochladen."),
        ],
    )


class PersonForm(GermanForm):
    """A person or unit of the organisation and the login linked to it."""

    name = StringField("Name", validators=[DataRequired("Bitte ausfüllen."), Length(max=200)])
    kind = SelectField("Art", choices=choices(models.PERSON_KINDS.items()))
    email = StringField(
        "E-Mail-Adresse",
        validators=[Optional(), email_address],
        description="Für die Statusabfrage per Link und Erinnerungen an Evaluationen; sehen nur, wer bearbeiten darf.",
    )
    mail_off = BooleanField("Keine Mails an diese Adresse (abbestellt)")
    user = SelectField(
        "Verknüpftes Benutzerkonto",
        choices=[],
        description="Wer sich mit diesem Konto anmeldet, sieht auf der Startseite zuerst „Meine Maßnahmen“; "
        "„Erfasst von“ und „Durchgeführt von“ werden mit diesem Namen vorbelegt.",
    )
    lock_version = HiddenField()


class NewPersonForm(GermanForm):
    """A person or unit added on the organisation page."""

    name = StringField("Name", validators=[DataRequired("Bitte ausfüllen."), Length(max=200)])
    kind = SelectField("Art", choices=choices(models.PERSON_KINDS.items()))


class MergeForm(GermanForm):
    """The person another one is merged into."""

    target = SelectField("Zusammenführen mit", choices=[])
