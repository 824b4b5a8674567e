"""Forms of the Land level: the measure atlas filter, copying a template, sharing, applications,
the rollout of a Landesmaßnahme, the Land's funds."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DecimalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...domain.catalogue import catalogue
from ...domain.landscape import OPERATION_LABELS, STATE_LABELS
from ...domain.schedule_state import State
from ...domain.strategy import STATUS_LABELS
from ...models import land as lm
from . import REQUIRED, CreatesOnce, GermanForm, choices, finite_number


class AtlasForm(GermanForm):
    """Search and filters of the measure atlas (GET, no CSRF: the address is the search)."""

    class Meta:
        csrf = False

    q = StringField("Suchbegriff", validators=[Optional(), Length(max=200, message="Höchstens 200 Zeichen.")])
    dimension = SelectField(
        "Dimension",
        choices=lambda: choices([("", "alle Dimensionen")] + [(d, d) for d in catalogue().dimension_names]),
        default="",
    )
    subdimension = SelectField(
        "Subdimension",
        choices=lambda: choices(
            [("", "alle Subdimensionen")]
            + [(s, f"{s} ({d.name})") for d in catalogue().dimensions for s in d.subdimensions]
        ),
        default="",
    )
    status = SelectField(
        "Status",
        choices=choices([("", "alle Status")] + [(s.value, label) for s, label in STATUS_LABELS.items()]),
        default="",
    )
    zeitstand = SelectField(
        "Zeitstand", choices=choices([("", "alle Zeitstände")] + [(s.value, s.label) for s in State]), default=""
    )
    von = StringField("Zeitraum von", validators=[Optional()], description="MM/JJJJ")
    bis = StringField("Zeitraum bis", validators=[Optional()], description="MM/JJJJ")


class CopyForm(GermanForm):
    """Copy a measure of another office into one of one's own strategies."""

    quelle = HiddenField(validators=[DataRequired(REQUIRED)])
    massnahme = HiddenField(validators=[DataRequired(REQUIRED)])
    ziel = SelectField("In meine Strategie", choices=[], validators=[DataRequired("Bitte eine Strategie wählen.")])


class SharingForm(GermanForm):
    """The office's decision to show a strategy to other health offices."""

    shared = BooleanField("Für andere Gesundheitsämter sichtbar (nur lesen)")


def _operation_choices():
    return choices([(k, v) for k, v in OPERATION_LABELS.items()])


def _state_choices():
    return choices([(k, v) for k, v in STATE_LABELS.items()])


class ApplicationForm(CreatesOnce, GermanForm):
    """One application of the office's landscape."""

    name = StringField(
        "Anwendung", validators=[DataRequired(REQUIRED), Length(max=200, message="Höchstens 200 Zeichen.")]
    )
    vendor = StringField("Hersteller", validators=[Optional(), Length(max=200, message="Höchstens 200 Zeichen.")])
    task_area = StringField(
        "Aufgabe",
        validators=[Optional(), Length(max=200, message="Höchstens 200 Zeichen.")],
        description="Wofür die Anwendung eingesetzt wird, z. B. Infektionsschutz, Trinkwasserüberwachung.",
    )
    operation = SelectField("Betrieb", choices=_operation_choices(), default="on_premise")
    interfaces = StringField(
        "Schnittstellen zu anderen Anwendungen",
        validators=[Optional(), Length(max=2000, message="Höchstens 2.000 Zeichen.")],
        description="Namen der Anwendungen, durch Semikolon getrennt, z. B. „DEMIS; E-Akte“.",
    )
    state = SelectField("Stand", choices=_state_choices(), default="im_einsatz")
    lock_version = HiddenField()


class LandscapeUploadForm(GermanForm):
    """A CSV or XLSX file with applications."""

    file = FileField(
        "Datei mit Anwendungen (CSV oder XLSX)",
        validators=[
            FileRequired("Bitte wählen Sie eine Datei aus."),
            FileAllowed(["csv", "xlsx", "txt"], "Bitte eine CSV- oder XLSX-Datei hochladen."),
        ],
        description="Spalten: Anwendung, Hersteller, Aufgabe, Betrieb, Schnittstellen, Stand – wie in der Vorlage.",
    )


MAX_BUDGET = Decimal("999999999999.99")


class BudgetForm(GermanForm):
    amount = DecimalField(
        "Mittel des Landes (€)",
        places=2,
        validators=[
            Optional(),
            finite_number,
            NumberRange(min=0, message="Die Mittel dürfen nicht negativ sein."),
            NumberRange(max=MAX_BUDGET, message="Der Betrag ist zu groß (höchstens 999.999.999.999,99 €)."),
        ],
        description="Ohne Tausenderpunkte, Cent mit Punkt, z. B. 65000000. Leer lassen, um die Angabe zu entfernen.",
    )
    source = StringField(
        "Quelle",
        validators=[Length(max=300, message="Höchstens 300 Zeichen.")],
        description="Woher der Betrag stammt, z. B. „Verwaltungsvereinbarung Pakt für den ÖGD, Ministeriumsseite“.",
    )
    lock_version = HiddenField()


NOT_TAKING_PART = ""


class RolloutForm(GermanForm):
    """Category and lead of a Landesmaßnahme; per coordinated office a status field
    (`status_<id>`, "" = takes no part) and a date field (`datum_<id>`), added per request."""

    category = SelectField("Art der Maßnahme", choices=choices(lm.LAND_MEASURE_CATEGORIES.items()))
    lead = StringField(
        "Federführung",
        validators=[Length(max=200, message="Höchstens 200 Zeichen.")],
        description="Wer die Maßnahme führt, z. B. „NLGA“ oder „Niedersachsen (ELFA-Koordination)“.",
    )
    lock_version = HiddenField()  # the measure's version it was filled from


def rollout_form(offices: list[tuple[int, str]]) -> RolloutForm:
    class Form(RolloutForm):
        pass

    states = [(NOT_TAKING_PART, "nimmt nicht teil"), *lm.ROLLOUT_STATES.items()]
    for office_id, name in offices:
        setattr(
            Form,
            f"status_{office_id}",
            SelectField(f"Stand: {name}", choices=choices(states), default=NOT_TAKING_PART),
        )
        setattr(
            Form,
            f"datum_{office_id}",
            StringField(f"Seit: {name}", validators=[Length(max=20, message="Höchstens 20 Zeichen.")]),
        )
    return Form()


class RoundForm(GermanForm):
    title = StringField(
        "Bezeichnung",
        validators=[DataRequired("Bitte eine Bezeichnung angeben."), Length(max=200, message="Höchstens 200 Zeichen.")],
        description="Z. B. „Applikationslandkarte Frühjahr 2027“.",
    )
    subject = SelectField("Was aktualisiert werden soll", choices=choices(lm.SURVEY_SUBJECTS.items()))
    due = StringField("Frist", description="TT.MM.JJJJ, z. B. 31.01.2027.")
    note = TextAreaField("Hinweis an die Ämter", description="Erscheint bei der Bitte auf der Startseite der Ämter.")


class CompareDatesForm(GermanForm):
    """Two dates whose application landscapes the comparison sets side by side (GET, no CSRF: the
    address is the comparison). The view parses and checks the dates (German errors on the fields)."""

    class Meta:
        csrf = False

    datum_von = StringField("Früherer Stichtag", description="TT.MM.JJJJ, z. B. 31.12.2025.")
    datum_bis = StringField("Späterer Stichtag", description="TT.MM.JJJJ; heute: der aktuelle Stand.")
