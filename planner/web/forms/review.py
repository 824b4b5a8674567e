"""Forms of the strategy review meeting and of the Fortschreibung made from it. German labels and
messages; dates as TT.MM.JJJJ, months as MM/JJJJ."""

from __future__ import annotations

from datetime import date

from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...domain.review import ReviewDecision
from . import REQUIRED, GermanForm, choices, parse_month_field
from .verstetigung import parse_date_field

DECISION_CHOICES = [("", "keine Entscheidung")] + [(d.value, d.label) for d in ReviewDecision]


class MeetingBase(GermanForm):
    """Date, participants and minutes of the review meeting; a decision and a note per measure are added."""

    held_on = StringField("Datum der Sitzung", description="TT.MM.JJJJ")
    participants = TextAreaField(
        "Teilnehmende", description="Z. B. Strategieteam, Amtsleitung, Digitalisierungsbeauftragte"
    )
    minutes = TextAreaField("Protokoll", description="Kernfragen, Beschlüsse, weitere Perspektiven")
    lock_version = HiddenField()

    def validate_all(self, today: date) -> bool:
        """Valid fields; a date not in the future; a decision that differs from the proposal with its reason."""
        valid = self.validate()
        when = parse_date_field(self.held_on)
        if when and when > today:
            self.held_on.errors.append("Das Datum liegt in der Zukunft.")
        unexplained = False
        for i, proposed in self.proposals.items():
            decision, note = self[f"d_{i}"], self[f"n_{i}"]
            if decision.data and decision.data != proposed.value and not (note.data or "").strip():
                note.errors = [
                    *note.errors,
                    f"Bitte begründen, warum statt „{proposed.label}“ anders entschieden wird.",
                ]
                unexplained = True
        return valid and not self.held_on.errors and not unexplained

    def held(self) -> date | None:
        return parse_date_field(self.held_on)

    def decisions(self) -> dict[int, tuple[ReviewDecision | None, str]]:
        return {
            i: (
                ReviewDecision(self[f"d_{i}"].data) if self[f"d_{i}"].data else None,
                (self[f"n_{i}"].data or "").strip(),
            )
            for i in self.line_ids
        }


def meeting_form(lines, formdata=None) -> MeetingBase:
    """The meeting form with a decision (d_<row id>) and a note (n_<row id>) per measure."""

    class Form(MeetingBase):
        pass

    for line in lines:
        setattr(
            Form,
            f"d_{line.id}",
            SelectField(f"Entscheidung zu „{line.title}“", choices=choices(DECISION_CHOICES), default=""),
        )
        setattr(
            Form,
            f"n_{line.id}",
            StringField(
                f"Notiz zu „{line.title}“",
                validators=[Optional(), Length(max=500)],
                description="Pflicht, wenn die Entscheidung vom Vorschlag abweicht.",
            ),
        )
    form = Form() if formdata is None else Form(formdata=formdata)
    form.line_ids = [line.id for line in lines]
    form.proposals = {line.id: line.proposed for line in lines}
    return form


class FinaliseForm(GermanForm):
    """The confirmation of finalising a review (a server-side step: works without JavaScript)."""

    lock_version = HiddenField()


class ContinueForm(GermanForm):
    """The next version from a finalised review: name, period, per-lead limit, vision and mission."""

    version = StringField("Bezeichnung der neuen Version", validators=[DataRequired(REQUIRED), Length(max=50)])
    start = StringField("Beginn des Zeitraums", description="MM/JJJJ")
    end = StringField("Ende des Zeitraums", description="MM/JJJJ; Vorgabe: zwei Jahre")
    k = IntegerField(
        "Höchstens parallele Maßnahmen je Federführung",
        validators=[Optional(), NumberRange(min=1, max=20, message="Bitte eine Zahl von 1 bis 20 angeben.")],
        description="Für den Terminvorschlag der übernommenen Maßnahmen; leer: ohne Grenze.",
    )
    keep_rest = BooleanField("Alle übrigen Maßnahmen (ohne Entscheidung im Review) behalten", default=True)
    vision = TextAreaField("Vision-Statement")
    mission = TextAreaField("Mission-Statement")
    by = StringField("Fortgeschrieben von", validators=[DataRequired(REQUIRED), Length(max=200)])

    def validate_all(self) -> bool:
        valid = self.validate()
        self.start_month = parse_month_field(self.start)
        self.end_month = parse_month_field(self.end)
        if not self.start.errors and self.start_month is None:
            self.start.errors.append("Bitte den Beginn angeben (MM/JJJJ).")
        if not self.end.errors and self.end_month is None:
            self.end.errors.append("Bitte das Ende angeben (MM/JJJJ).")
        if self.start_month and self.end_month and self.end_month < self.start_month:
            self.end.errors.append("Das Ende liegt vor dem Beginn.")
        return valid and not self.start.errors and not self.end.errors
