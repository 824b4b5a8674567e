"""Forms of the roadmap pages, German labels and messages. Read-only views (chart options,
slip impact, proposal parameters) are GET forms without CSRF token: they change nothing and
their addresses can be bookmarked and shared."""

from __future__ import annotations

from markupsafe import Markup
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...domain.months import Month
from . import REQUIRED, GermanForm, choices


class GetForm(GermanForm):
    class Meta:
        csrf = False


OFF = (False, "false", "", "0")


class ViewForm(GetForm):
    """How the Fahrplan is drawn."""

    ansicht = HiddenField(default="1")
    # the page's own links say kritisch=0 / abhaengigkeiten=0: "0" must read as off
    kritisch = BooleanField("Kritischen Pfad hervorheben", false_values=OFF)
    abhaengigkeiten = BooleanField("Abhängigkeiten als Pfeile einzeichnen", false_values=OFF)
    basisplan = SelectField("Basisplan im Hintergrund zeigen", choices=[], validators=[Optional()])

    def apply_defaults(self) -> None:
        """A first visit (no `ansicht` in the address) highlights the critical path."""
        if not self.ansicht.raw_data:
            self.kritisch.data = True


class BaselineForm(GermanForm):
    """Freeze the current roadmap."""

    name = StringField(
        "Name des Basisplans",
        validators=[DataRequired(REQUIRED), Length(max=200, message="Höchstens 200 Zeichen.")],
        description="Zum Beispiel „Basisplan 2023“ oder „Stand Kreisausschuss 03/2023“.",
    )


class SlipForm(GetForm):
    """Which measure slips, by how many months."""

    massnahme = SelectField("Maßnahme, die sich verschiebt", choices=[], validators=[InputRequired(REQUIRED)])
    monate = IntegerField(
        "Verschiebung in Monaten",
        validators=[
            InputRequired("Bitte eine Zahl von Monaten angeben."),
            NumberRange(min=1, max=60, message="Bitte eine Zahl zwischen 1 und 60 angeben."),
        ],
    )


MODES = [
    ("geplant", "nicht vor dem bisher geplanten Beginn (nur verschieben, was muss)"),
    ("frueh", "so früh wie möglich ab Fahrplanbeginn (oder ab dem Monat unten)"),
]


EARLIEST_FROM, EARLIEST_TO = Month(2000, 1), Month(2100, 12)  # a plan's months, with room to move


class ProposalForm(GetForm):
    """Parameters of the scheduling proposal."""

    modus = RadioField("Frühester Beginn", choices=choices(MODES), default="geplant")
    ab = StringField("Frühestens ab (MM/JJJJ, optional)", description="Kein Vorschlag beginnt vor diesem Monat.")
    k = IntegerField(
        Markup('Höchstens so viele Maßnahmen gleichzeitig je <span lang="en">Lead</span> (optional)'),
        validators=[Optional(), NumberRange(min=1, max=50, message="Bitte eine Zahl zwischen 1 und 50 angeben.")],
        description="Leer lassen für unbegrenzt. Fortlaufende Maßnahmen zählen nicht mit.",
    )

    def earliest(self) -> Month | None:
        """The month typed into „ab“; a German error on the field when it is not one."""
        text = (self.ab.data or "").strip()
        if not text:
            return None
        try:
            month = Month.parse(text)
        except ValueError:
            self.ab.errors = [*self.ab.errors, f"„{text}“ ist kein Monat. Bitte als MM/JJJJ angeben, z. B. 04/2023."]
            return None
        if not EARLIEST_FROM <= month <= EARLIEST_TO:
            self.ab.errors = [
                *self.ab.errors,
                f"Bitte einen Monat zwischen {EARLIEST_FROM.german()} und {EARLIEST_TO.german()} angeben.",
            ]
            return None
        return month


class TakeOverForm(GermanForm):
    """Take over the proposal, for one measure (massnahme) or all moved ones; repeats the parameters."""

    modus = HiddenField()
    ab = HiddenField()
    k = HiddenField()
    massnahme = HiddenField()
