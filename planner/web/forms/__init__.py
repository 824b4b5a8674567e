"""Flask-WTF forms with German labels and messages: the shared base (GermanForm, field helpers,
the lock version, confirmation and upload forms) here, one module per area beside it
(strategies, maturity, roadmap, rounds, verstetigung, review, land, measure_list, steckbriefe,
auth, profile, admin). Views import their forms from here; no form class is defined in a view
module (tests/test_architecture.py)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    HiddenField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.validators import Length, StopValidation

from ...domain import normalise
from ...domain.catalogue import catalogue
from ...domain.months import Month
from ...domain.strategy import Rating
from ...domain.validation import MAX_AMOUNT, MAX_TEXT, email_problem, text_problem
from ...extensions import db
from ...services import submissions
from ...services.locking import EditConflict, unchanged_since

REQUIRED = "Bitte ausfüllen."
MAX_BUDGET = Decimal(str(MAX_AMOUNT))
LONG_TEXT = Length(max=MAX_TEXT, message=f"Der Text ist zu lang (höchstens {MAX_TEXT:_} Zeichen).".replace("_", "."))


def storable_text(form, field) -> None:
    """The one text rule (domain.validation.text_problem): no control characters; a single-line
    field (every text field but a text area) takes no line break either."""
    if isinstance(field.data, str) and (problem := text_problem(field.data, isinstance(field, TextAreaField))):
        raise StopValidation(problem)


def email_address(form, field) -> None:
    """An e-mail address (domain.validation.email_problem, the text rule included); empty is allowed."""
    if isinstance(field.data, str):
        field.data = field.data.strip()
        if field.data and (problem := email_problem(field.data)):
            raise StopValidation(problem)


def finite_number(form, field) -> None:
    """A number field must hold an ordinary number: not inf, nan or beyond the column (1e400)."""
    value = field.data
    if value is None:
        return
    if not Decimal(value).is_finite():
        field.errors[:] = [f"„{field.raw_data[0] if field.raw_data else value}“ ist keine gültige Zahl."]
        raise StopValidation()


class GermanForm(FlaskForm):
    """Base of every form: WTForms' own German messages ("Keine gültige Auswahl.").

    Flask-WTF hands translation to Flask-Babel, which planner does not use; without this the
    built-in messages of the fields stay English."""

    class Meta:
        locales = ("de_DE", "de")

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)

    def validate(self, extra_validators=None) -> bool:
        """Every text area without a length limit of its own takes at most MAX_TEXT characters
        (what a text column holds; the file imports enforce the same); every text field holds only
        characters that can be stored and written to files (`storable_text`)."""
        extra = {name: list(validators) for name, validators in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if isinstance(field, TextAreaField) and not any(isinstance(v, Length) for v in field.validators):
                extra.setdefault(name, []).append(LONG_TEXT)
            if isinstance(field, StringField) and not isinstance(field, PasswordField):
                extra.setdefault(name, []).append(storable_text)
        return super().validate(extra)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: accessible and usable without a mouse, unlike <select multiple>."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form) -> None:
        values = {str(c.value) for c in self.iter_choices()}
        for d in self.data or []:
            if str(d) not in values:
                raise ValidationError(f"„{d}“ ist keine gültige Auswahl.")


def lines(text: str | None) -> list[str]:
    """Non-empty, stripped lines of a textarea."""
    return [line.strip(" \t-•") for line in (text or "").splitlines() if line.strip(" \t-•")]


def parse_month_field(field) -> Month | None:
    """The month in a text field, or None; a German error on the field when malformed."""
    try:
        return normalise.month_value(field.data)
    except ValueError as exc:
        field.errors.append(str(exc))
        return None


def canonical(convert):
    """A field filter: the canonical value of what was sent ("Hoch" → "hoch"), or the value unchanged."""

    def apply(value):
        if not value:
            return value
        try:
            result = convert(value)
        except ValueError:
            return value
        return result.value if result is not None else ""

    return apply


def choices(pairs) -> list[SelectChoice]:
    """WTForms options from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def rating_choices() -> list[SelectChoice]:
    return choices([("", "unbekannt")] + [(r.value, r.value) for r in Rating])


def dimension_choices() -> list[SelectChoice]:
    return choices((d, d) for d in catalogue().dimension_names)


def subdimension_choices() -> list[SelectChoice]:
    return choices((s, f"{s} ({d.short})") for d in catalogue().dimensions for s in d.subdimensions)


MALFORMED_VERSION = (
    "Das Formular enthält keinen gültigen Bearbeitungsstand, deshalb wurde nichts gespeichert: so könnte eine "
    "gleichzeitige Änderung einer anderen Person überschrieben werden. Ihre Eingaben stehen unten; bitte prüfen Sie "
    "den aktuellen Stand und speichern Sie dann erneut."
)


class MissingVersion(Exception):
    """An edit form came back without a valid version."""


def seen_version(field: HiddenField) -> int | None:
    """The version (lock_version) an edit form was filled from; None when missing or malformed.

    A save without a valid version is refused, never treated as "no check"."""
    text = (field.data or "").strip() if isinstance(field.data, str) else str(field.data or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def save_unchanged(field: HiddenField, table: str, row, write: Callable[[], object]) -> str | None:
    """Run `write` (the save of `row`) only when `row` is still at the version the form was filled
    from (`field`, its hidden lock_version): None when saved, else the German refusal — the
    malformed-version or the edit-conflict message — with `field` set to the current version, so
    that the form keeps what was typed and the next save knows what it overwrites."""
    seen = seen_version(field)
    if seen is None:
        field.data = row.lock_version
        return MALFORMED_VERSION
    try:
        with unchanged_since(db.session, table, row, seen):
            write()
    except EditConflict as exc:
        field.data = exc.current_version if exc.current_version is not None else ""
        return exc.message
    return None


SENT_TWICE = "Dieses Formular wurde bereits gesendet und gespeichert; hier ist, was dabei angelegt wurde."


class CreatesOnce:
    """Mixin of a creating form: a one-time token (services/submissions.py), so that the form sent
    twice (a double click, a slow connection) creates once and the second submit is led to what
    the first created. The page shows the token when the form is new (`issue_token`) and keeps it
    when the form comes back with errors."""

    submission = HiddenField()

    def issue_token(self) -> None:
        if not submissions.valid(self.submission.data):
            self.submission.data = submissions.new_token()

    def sent_before(self) -> str | None:
        """The page of what this form created when it was sent before, else None."""
        return submissions.sent_before(db.session, self.submission.data, current_user.id)

    def record(self, target: str) -> None:
        """In the transaction of the save: note what this form creates (`target`, its page)."""
        submissions.record(db.session, self.submission.data, current_user.id, target)


class UploadForm(GermanForm):
    """A strategy file to import."""

    file = FileField(
        "Strategiedatei (YAML)",
        validators=[
            FileRequired("Bitte wählen Sie eine Datei aus."),
            FileAllowed(["yaml", "yml"], "Bitte eine YAML-Datei (.yaml oder .yml) hochladen."),
        ],
    )


class ConfirmForm(GermanForm):
    """An empty form: only the CSRF token, for confirmations like deleting."""
