"""Forms of the maturity pages: both kinds of assessment, targets, criteria import.

The assessment and target forms have one field per subdimension or criterion, so their
classes are built from the catalogue (and the criteria list) when a page is requested.
"""

from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from ...domain.catalogue import catalogue
from ...domain.maturity import DEFAULT_THRESHOLD, Answer, Assessment, Criterion, CriterionAnswer
from . import REQUIRED, CreatesOnce, GermanForm, choices

NO_DATA = ""
NONE_VALUE = "none"
_GERMAN_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")


def parse_date_field(field) -> date | None:
    """A date typed as 2022-06-09 (date picker) or 09.06.2022; a German error on the field otherwise."""
    text = (field.data or "").strip()
    if not text:
        field.errors.append("Bitte das Datum der Messung angeben.")
        return None
    try:
        if m := _GERMAN_DATE.match(text):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return date.fromisoformat(text)
    except ValueError:
        field.errors.append(f"„{text}“ ist kein Datum. Bitte als TT.MM.JJJJ angeben, z. B. 09.06.2022.")
        return None


def level_choices():
    return choices(
        [(NO_DATA, "keine Daten"), (NONE_VALUE, "– (Stufe 0 nicht erreicht)")]
        + [(k, f"Stufe {k}") for k in catalogue().stages]
    )


def _sub_field(i: int) -> str:
    return f"sub_{i}"


class _AssessmentBase(CreatesOnce, GermanForm):
    assessed_on = StringField(
        "Datum der Messung",
        description="Zeitpunkt der Datenübermittlung, z. B. 09.06.2022.",
        render_kw={"type": "date"},
    )
    note = TextAreaField("Notiz", description="Z. B. Quelle oder Anlass der Messung.", validators=[Optional()])
    lock_version = HiddenField()  # a change: the version it was filled from


def result_sheet_form(formdata=None) -> FlaskForm:
    """Date, note and one select per subdimension (keine Daten, –, Stufe 0–4)."""

    class ResultSheetForm(_AssessmentBase):
        pass

    for i, sub in enumerate(catalogue().subdimension_names):
        setattr(ResultSheetForm, _sub_field(i), SelectField(sub, choices=level_choices, default=NO_DATA))
    return ResultSheetForm(formdata=formdata) if formdata is not None else ResultSheetForm()


def subdimension_fields(form: FlaskForm):
    """(dimension, [(subdimension, field), …]) in the model's order, for the templates."""
    names = catalogue().subdimension_names
    fields = {s: getattr(form, _sub_field(i)) for i, s in enumerate(names)}
    return [(d, [(s, fields[s]) for s in d.subdimensions]) for d in catalogue().dimensions]


def fill_result_sheet(form: FlaskForm, a: Assessment) -> None:
    form.assessed_on.data = a.date.isoformat()
    form.note.data = a.note
    for i, sub in enumerate(catalogue().subdimension_names):
        field = getattr(form, _sub_field(i))
        field.data = NO_DATA if sub not in a.levels else NONE_VALUE if a.levels[sub] is None else str(a.levels[sub])


def result_sheet_from_form(form: FlaskForm) -> Assessment | None:
    """The assessment typed in; None (with errors on the fields) when invalid."""
    valid = form.validate()
    when = parse_date_field(form.assessed_on)
    levels: dict[str, int | None] = {}
    for i, sub in enumerate(catalogue().subdimension_names):
        field = getattr(form, _sub_field(i))
        if field.errors:  # not one of the offered choices: already marked, nothing to convert
            continue
        if field.data == NONE_VALUE:
            levels[sub] = None
        elif field.data not in (NO_DATA, None):
            levels[sub] = int(field.data)
    if not levels:
        form.assessed_on.errors.append("Bitte mindestens für eine Subdimension eine Stufe angeben.")
    if not valid or when is None or not levels:
        return None
    return Assessment(date=when, levels=levels, note=(form.note.data or "").strip())


# --- criteria answers ------------------------------------------------------------------------


def answer_choices():
    return choices([(a.value, a.label) for a in Answer] + [(NO_DATA, "nicht beantwortet")])


def criteria_form(criteria: list[Criterion], formdata=None) -> FlaskForm:
    """Date, threshold, note and one answer (radio buttons) per criterion."""

    class CriteriaForm(_AssessmentBase):
        threshold = IntegerField(
            "Schwelle in Prozent",
            default=round(DEFAULT_THRESHOLD * 100),
            description="Eine Stufe ist erfüllt, wenn mindestens so viel Prozent der beeinflussbaren Kriterien "
            "„Trifft zu“ sind (Standard: 80).",
            validators=[
                InputRequired(REQUIRED),
                NumberRange(min=1, max=100, message="Die Schwelle muss zwischen 1 und 100 Prozent liegen."),
            ],
        )

    for i, c in enumerate(criteria):
        setattr(CriteriaForm, f"c_{i}", RadioField(c.text, choices=answer_choices, default=NO_DATA))
    form = CriteriaForm(formdata=formdata) if formdata is not None else CriteriaForm()
    form.criteria = criteria
    return form


def criteria_fields(form: FlaskForm):
    """(dimension, subdimension, stage, [(criterion, field)]) groups in the model's order."""
    groups = []
    cat = catalogue()
    for sub in cat.subdimension_names:
        for stage in cat.stages:
            items = [
                (c, getattr(form, f"c_{i}"))
                for i, c in enumerate(form.criteria)
                if c.subdimension == sub and c.stage == stage
            ]
            if items:
                groups.append((cat.dimension(cat.dimension_of(sub)), sub, stage, items))
    return groups


def fill_criteria(form: FlaskForm, a: Assessment) -> None:
    form.assessed_on.data = a.date.isoformat()
    form.note.data = a.note
    form.threshold.data = round(a.effective_threshold * 100)
    given = {(x.subdimension, x.stage, x.criterion): x.answer.value for x in a.answers}
    for i, c in enumerate(form.criteria):
        getattr(form, f"c_{i}").data = given.get((c.subdimension, c.stage, c.text), NO_DATA)


def criteria_assessment_from_form(form: FlaskForm) -> Assessment | None:
    """The criteria assessment typed in; None (with errors on the fields) when invalid."""
    valid = form.validate()
    when = parse_date_field(form.assessed_on)
    answers = []
    for i, c in enumerate(form.criteria):
        field = getattr(form, f"c_{i}")
        if not field.errors and field.data not in (NO_DATA, None):
            answers.append(CriterionAnswer(c.subdimension, c.stage, c.text, Answer(field.data)))
    if not answers:
        form.assessed_on.errors.append("Bitte mindestens ein Kriterium beantworten.")
    incomplete = _unanswered_in_answered_subdimensions(form, {a.subdimension for a in answers})
    if not valid or when is None or not answers or incomplete:
        return None
    threshold = form.threshold.data / 100
    return Assessment(
        date=when,
        answers=answers,
        threshold=None if threshold == DEFAULT_THRESHOLD else threshold,
        note=(form.note.data or "").strip(),
    )


def _unanswered_in_answered_subdimensions(form: FlaskForm, answered: set[str]) -> bool:
    """Mark every open criterion of a subdimension that is otherwise answered; True when there is one.

    An open criterion would simply not count, so a half-answered stage could pass the 80 % rule
    on the few answers given: a subdimension is answered completely or not at all."""
    found = False
    for i, c in enumerate(form.criteria):
        field = getattr(form, f"c_{i}")
        if c.subdimension in answered and field.data in (NO_DATA, None):
            field.errors.append(
                f"Bitte beantworten: Andere Kriterien von „{c.subdimension}“ sind beantwortet. Ein offenes "
                "Kriterium zählte nicht mit und ließe die Stufe zu hoch erscheinen – wenn es außerhalb des "
                "Einflusses des Gesundheitsamts liegt, „nicht beeinflussbar“ wählen."
            )
            found = True
    return found


# --- targets and criteria import --------------------------------------------------------------


def targets_form(formdata=None) -> FlaskForm:
    """One select per subdimension: the stage the strategy aims at."""

    class TargetsForm(GermanForm):
        # the strategy's version: the targets are part of the strategy (a change bumps it)
        lock_version = HiddenField()

    for i, sub in enumerate(catalogue().subdimension_names):
        setattr(
            TargetsForm,
            _sub_field(i),
            SelectField(
                sub,
                choices=lambda: choices((k, f"Stufe {k}") for k in catalogue().stages),
                default=str(catalogue().minimum_stage),
            ),
        )
    return TargetsForm(formdata=formdata) if formdata is not None else TargetsForm()


def fill_targets(form: FlaskForm, targets: dict[str, int]) -> None:
    for i, sub in enumerate(catalogue().subdimension_names):
        getattr(form, _sub_field(i)).data = str(targets[sub])


def targets_from_form(form: FlaskForm) -> dict[str, int] | None:
    if not form.validate():
        return None
    return {sub: int(getattr(form, _sub_field(i)).data) for i, sub in enumerate(catalogue().subdimension_names)}


class CriteriaImportForm(GermanForm):
    """A criteria catalogue to import."""

    file = FileField(
        "Kriterienkatalog (CSV oder XLSX)",
        validators=[
            FileRequired("Bitte wählen Sie eine Datei aus."),
            FileAllowed(["csv", "xlsx"], "Bitte eine CSV- oder XLSX-Datei hochladen."),
        ],
    )
