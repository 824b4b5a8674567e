"""Forms of the Verstetigung pages: progress, evaluation, indicator, Fortschreibung,
knowledge-base search. German labels and messages; dates as TT.MM.JJJJ, months as MM/JJJJ."""

from __future__ import annotations

import math
import re
from datetime import date

from markupsafe import Markup
from wtforms import Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...domain import normalise
from ...domain.catalogue import catalogue
from ...domain.german import parse_day
from ...domain.months import Month
from ...domain.strategy import Measure, Status
from ...domain.verstetigung import (
    OUTCOME_LABELS,
    RATINGS,
    SOFT_CRITERIA,
    Decision,
    EvaluationAnswer,
    EvaluationRecord,
    Kind,
    Outcome,
    Soft,
    actual_month_problems,
)
from . import REQUIRED, CreatesOnce, GermanForm, canonical, choices, parse_month_field

ANSWER_CHOICES = [("", "keine Angabe")] + [(a.value, a.label) for a in EvaluationAnswer]
RATING_CHOICES = [("", "keine Angabe")] + [(str(k), f"{k} – {v}") for k, v in RATINGS.items()]


def parse_date_field(field: Field, required: bool = False) -> date | None:
    """The date in a text field (TT.MM.JJJJ or JJJJ-MM-TT); a German error on the field when malformed."""
    text = (field.data or "").strip()
    if not text:
        if required:
            field.errors.append("Bitte ein Datum angeben (TT.MM.JJJJ).")
        return None
    try:
        return parse_day(text)
    except ValueError:
        field.errors.append(f"„{text}“ ist kein gültiges Datum. Bitte als TT.MM.JJJJ angeben, z. B. 12.06.2024.")
        return None


def parse_number_field(field: Field) -> float | None:
    """A number typed the German way (1.234,5) or plainly (1234.5); a German error when it is none."""
    text = (field.data or "").strip().replace(" ", "")
    if not text:
        return None
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", text):
        text = text.replace(".", "")
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        field.errors.append(f"„{field.data}“ ist keine Zahl (z. B. 12,5).")
        return None
    if not math.isfinite(number):  # inf, nan, 1e309
        field.errors.append(f"„{field.data}“ ist keine gültige Zahl (z. B. 12,5).")
        return None
    return number


def check_actual_months(status: str, start_field: Field, end_field: Field, today: date) -> tuple:
    """The actual start and end typed into two fields, with German errors on the fields: the rules
    of `domain.verstetigung.actual_month_problems` as progress is recorded. Returns (start, end)."""
    start = parse_month_field(start_field)
    end = parse_month_field(end_field)
    try:
        recorded = Measure("", "", "", status=Status(status), actual_start=start, actual_end=end)
    except ValueError:  # an unknown status: the select field says so
        return start, end
    fields = {"actual_start": start_field, "actual_end": end_field}
    for problem in actual_month_problems(recorded, today, recording=True):
        if not (problem.field == "actual_end" and end is None and end_field.errors):
            fields[problem.field].errors.append(problem.message)
    return start, end


class ProgressForm(GermanForm):
    """Actual progress of a measure: status, actual start and end, who and when."""

    status = SelectField(
        "Status",
        choices=choices((s.value, s.label) for s in Status),
        default="geplant",
        filters=[canonical(normalise.status_value)],
    )
    actual_start = StringField("Tatsächlicher Beginn", description="MM/JJJJ, z. B. 02/2024.")
    actual_end = StringField("Tatsächliches Ende", description="MM/JJJJ; leer, solange die Maßnahme läuft.")
    changed_on = StringField("Stand vom", description="TT.MM.JJJJ")
    by = StringField("Erfasst von", validators=[DataRequired(REQUIRED), Length(max=200)])
    note = TextAreaField("Anmerkung", validators=[Optional()])

    def validate_all(self, today: date) -> bool:
        """Fields, months and their rules; every error at once."""
        valid = self.validate()
        check_actual_months(self.status.data, self.actual_start, self.actual_end, today)
        parse_date_field(self.changed_on, required=True)
        fields = (self.actual_start, self.actual_end, self.changed_on)
        return valid and not any(f.errors for f in fields)


class EvaluationForm(CreatesOnce, GermanForm):
    """A process or impact evaluation of a measure or of the strategy (Steinfurt's criteria)."""

    kind = HiddenField()
    due = HiddenField()
    lock_version = HiddenField()  # a correction: the version it was filled from
    performed = StringField("Datum der Evaluation", description="TT.MM.JJJJ, z. B. 12.06.2024.")
    by = StringField("Durchgeführt von", validators=[DataRequired(REQUIRED), Length(max=200)])
    done = SelectField("Ist die Maßnahme fertig umgesetzt bzw. etabliert?", choices=choices(ANSWER_CHOICES), default="")
    schedule_kept = SelectField("Wurde der Zeitplan eingehalten?", choices=choices(ANSWER_CHOICES), default="")
    financial = SelectField(
        "Waren die finanziellen Ressourcen auskömmlich?", choices=choices(ANSWER_CHOICES), default=""
    )
    staff = SelectField("Waren die personellen Ressourcen auskömmlich?", choices=choices(ANSWER_CHOICES), default="")
    material = SelectField("Waren die materiellen Ressourcen auskömmlich?", choices=choices(ANSWER_CHOICES), default="")
    cooperation_rating = SelectField(
        f"{SOFT_CRITERIA['cooperation']}: Bewertung", choices=choices(RATING_CHOICES), default=""
    )
    cooperation_text = TextAreaField(f"{SOFT_CRITERIA['cooperation']}: Beschreibung")
    participation_rating = SelectField(
        f"{SOFT_CRITERIA['participation']}: Bewertung", choices=choices(RATING_CHOICES), default=""
    )
    participation_text = TextAreaField(f"{SOFT_CRITERIA['participation']}: Beschreibung")
    communication_rating = SelectField(
        f"{SOFT_CRITERIA['communication']}: Bewertung", choices=choices(RATING_CHOICES), default=""
    )
    communication_text = TextAreaField(f"{SOFT_CRITERIA['communication']}: Beschreibung")
    went_well = TextAreaField(Markup('<span lang="en">Lessons Learned</span>: Was lief gut?'))
    went_badly = TextAreaField(Markup('<span lang="en">Lessons Learned</span>: Was lief nicht gut?'))
    outcome = SelectField(
        "Ergebnis für die Fortschreibung",
        choices=choices([("", "noch offen")] + [(o.value, v) for o, v in OUTCOME_LABELS.items()]),
        default="",
    )
    citizen_survey = TextAreaField(
        "Bürgerbefragung: Zusammenfassung",
        description="Zufriedenheit mit den digitalen Leistungen, fehlende Angebote, Verbesserungsbedarfe.",
    )
    staff_survey = TextAreaField(
        "Befragung der Mitarbeitenden: Zusammenfassung",
        description="Prozessqualität der neuen Verfahren, Usability der neuen Werkzeuge.",
    )
    notes = TextAreaField("Weitere Anmerkungen")

    def validate_all(self, today: date) -> bool:
        valid = self.validate()
        performed = parse_date_field(self.performed, required=True)
        if performed and performed > today:
            self.performed.errors.append("Das Datum liegt in der Zukunft; erfasst werden durchgeführte Evaluationen.")
        if self.kind.data not in (Kind.PROZESS.value, Kind.WIRKUNG.value):
            self.kind.errors.append("Unbekannte Art der Evaluation.")
        if self.due.data:
            try:
                Month.parse(self.due.data)
            except ValueError:
                # a hidden field: say so, and drop the value, so that saving again works
                self.due.errors.append(
                    f"Der Fälligkeitsmonat „{self.due.data[:20]}“ ist ungültig und wurde entfernt; "
                    "bitte erneut speichern oder die Evaluation aus dem Kalender öffnen."
                )
                self.due.data = ""
        return valid and not (self.performed.errors or self.kind.errors or self.due.errors)

    def to_record(self, subject: str) -> EvaluationRecord:
        """The domain record of a form that passed validate_all."""
        answer = {
            f: EvaluationAnswer(getattr(self, f).data) if getattr(self, f).data else None
            for f in ("done", "schedule_kept", "financial", "staff", "material")
        }
        soft = {
            f: Soft(
                int(getattr(self, f"{f}_rating").data) if getattr(self, f"{f}_rating").data else None,
                (getattr(self, f"{f}_text").data or "").strip(),
            )
            for f in SOFT_CRITERIA
        }
        texts = {
            f: (getattr(self, f).data or "").strip()
            for f in ("went_well", "went_badly", "citizen_survey", "staff_survey", "notes")
        }
        return EvaluationRecord(
            subject=subject,
            kind=Kind(self.kind.data),
            performed=parse_date_field(self.performed),
            due=Month.parse(self.due.data) if self.due.data else None,
            by=self.by.data.strip(),
            outcome=Outcome(self.outcome.data) if self.outcome.data else None,
            **answer,
            **soft,
            **texts,
        )


class IndicatorForm(GermanForm):
    """A new indicator of a measure."""

    name = StringField(
        "Bezeichnung",
        validators=[DataRequired(REQUIRED), Length(max=200)],
        description="Z. B. durchschnittliche Bearbeitungszeit, Schulungen je Mitarbeitendem.",
    )
    unit = StringField("Einheit", validators=[Optional(), Length(max=50)], description="Z. B. Tage, Anzahl, %.")
    baseline = StringField("Ausgangswert")
    target = StringField("Zielwert")

    def validate_all(self) -> bool:
        valid = self.validate()
        parse_number_field(self.baseline)
        parse_number_field(self.target)
        return valid and not (self.baseline.errors or self.target.errors)


class ValueForm(GermanForm):
    """A measured value of an indicator."""

    measured = StringField("Gemessen am", description="TT.MM.JJJJ")
    value = StringField("Wert")

    def validate_all(self) -> bool:
        valid = self.validate()
        parse_date_field(self.measured, required=True)
        number = parse_number_field(self.value)
        if number is None and not self.value.errors:
            self.value.errors.append("Bitte einen Wert angeben.")
        return valid and not (self.measured.errors or self.value.errors)


DECISION_CHOICES = [("", "bitte wählen")] + [(d.value, d.label) for d in Decision]


class FortschreibungBase(GermanForm):
    """The next version: label, adoption month, vision and mission; decisions are added per measure."""

    version = StringField(
        "Bezeichnung der neuen Version", validators=[DataRequired(REQUIRED), Length(max=50)], description="Z. B. 2025."
    )
    adopted = StringField(
        "Beginn des neuen Zeitraums",
        description="MM/JJJJ; zwei Jahre ab hier. Beschlossen wird die neue Version danach.",
    )
    vision = TextAreaField("Vision-Statement")
    mission = TextAreaField("Mission-Statement")
    by = StringField("Fortgeschrieben von", validators=[DataRequired(REQUIRED), Length(max=200)])


def fortschreibung_form(measures, formdata=None) -> FortschreibungBase:
    """The form with a decision and a note for every measure to reconsider (fields d_<n>, n_<n>)."""

    class Form(FortschreibungBase):
        pass

    for i, m in enumerate(measures):
        setattr(
            Form,
            f"d_{i}",
            SelectField(
                f"Entscheidung zu „{m.title}“",
                choices=choices(DECISION_CHOICES),
                default="",
                validators=[DataRequired("Bitte eine Entscheidung wählen.")],
            ),
        )
        setattr(Form, f"n_{i}", StringField(f"Begründung zu „{m.title}“", validators=[Optional(), Length(max=500)]))
    form = Form() if formdata is None else Form(formdata=formdata)
    form.pending = list(measures)
    return form


def decision_rows(form: FortschreibungBase):
    """(measure, decision field, note field) for the template."""
    return [(m, form[f"d_{i}"], form[f"n_{i}"]) for i, m in enumerate(form.pending)]


def decisions_of(form: FortschreibungBase) -> dict[str, tuple[Decision, str]]:
    return {
        m.key: (Decision(form[f"d_{i}"].data), (form[f"n_{i}"].data or "").strip()) for i, m in enumerate(form.pending)
    }


class KnowledgeForm(GermanForm):
    """Search and filters of the knowledge base (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField("Suchbegriff")
    dimension = SelectField(
        "Dimension",
        choices=lambda: choices([("", "alle Dimensionen")] + [(d, d) for d in catalogue().dimension_names]),
        default="",
    )
    outcome = SelectField(
        "Ergebnis",
        choices=choices([("", "alle Ergebnisse")] + [(o.value, v) for o, v in OUTCOME_LABELS.items()]),
        default="",
    )
    scope = SelectField(
        "Umfang",
        choices=choices([("alle", "alle Strategien und Versionen"), ("diese", "diese Strategie (alle Versionen)")]),
        default="alle",
    )


class ResolutionForm(GermanForm):
    """The Beschluss that adopts a strategy version: date, body, optional reference. It changes the
    strategy (its adoption month), so it carries the strategy's lock version."""

    lock_version = HiddenField()
    decided_on = StringField("Datum des Beschlusses", description="TT.MM.JJJJ, z. B. 18.02.2027.")
    body = StringField(
        "Beschlossen durch",
        validators=[DataRequired("Bitte das beschließende Gremium angeben, z. B. Kreistag."), Length(max=200)],
        description="Gremium, z. B. Kreistag, Kreisausschuss oder Gesundheitsausschuss.",
        render_kw={"list": "gremien"},
    )
    reference = StringField(
        "Aktenzeichen oder Vorlage (optional)",
        validators=[Optional(), Length(max=200)],
        description="z. B. Vorlage 2027/017",
    )

    def validate_all(self, today: date) -> bool:
        valid = self.validate()
        self.day = parse_date_field(self.decided_on, required=True)
        if self.day and self.day > today:
            self.decided_on.errors.append("Das Datum liegt in der Zukunft; erfasst wird ein gefasster Beschluss.")
        return valid and not self.decided_on.errors
