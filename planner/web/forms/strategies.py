"""Forms of the core area: a strategy, a measure (Maßnahmensteckbrief) and its dependencies."""

from __future__ import annotations

from markupsafe import Markup
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...domain import normalise
from ...domain.funding import find_call, funding_calls
from ...domain.strategy import Measure, Owner, OwnerRole, Rating, Status, Strategy
from . import (
    MAX_BUDGET,
    REQUIRED,
    CreatesOnce,
    GermanForm,
    MultiCheckboxField,
    canonical,
    choices,
    dimension_choices,
    finite_number,
    lines,
    parse_month_field,
    rating_choices,
    subdimension_choices,
)


class MeasureForm(CreatesOnce, GermanForm):
    """Every field of a Maßnahmensteckbrief."""

    title = StringField("Titel", validators=[DataRequired(REQUIRED), Length(max=300)])
    description = TextAreaField("Kurzbeschreibung", validators=[Optional()])
    goal = TextAreaField("Ziel (SMART)", validators=[Optional()])
    dimension = SelectField("Dimension", choices=dimension_choices, validators=[InputRequired(REQUIRED)])
    further_dimensions = MultiCheckboxField("Weitere Dimensionen", choices=dimension_choices)
    subdimensions = MultiCheckboxField("Subdimensionen, auf die die Maßnahme zielt", choices=subdimension_choices)
    target_stage = SelectField(
        "Angestrebte Reifegradstufe",
        choices=choices([("", "keine Angabe")] + [(s, f"Stufe {s}") for s in range(5)]),
        validators=[Optional()],
        description="Die Stufe, die die gewählten Subdimensionen mit dieser Maßnahme erreichen sollen "
        "(Mindestanforderung: Stufe 3). Zählt in der Lückenanalyse.",
    )
    urgency = SelectField("Dringlichkeit", choices=rating_choices, filters=[canonical(normalise.rating_value)])
    feasibility = SelectField("Machbarkeit", choices=rating_choices, filters=[canonical(normalise.rating_value)])
    status = SelectField(
        "Status", choices=choices((s.value, s.label) for s in Status), filters=[canonical(normalise.status_value)]
    )
    second_loop = BooleanField("In der zweiten Evaluationsschleife hinzugefügt (*)")
    owners = TextAreaField(
        "Verantwortliche",
        description=Markup(
            'Eine Person oder Einheit je Zeile, Rolle in Klammern: „Annika Feldhues (<span lang="en">Lead</span>)“, '
            '„Andreas Heeke (<span lang="en">Support</span>)“. Ohne Angabe gilt <span lang="en">Lead</span>.'
        ),
    )
    owner_pick = SelectField(
        "Person oder Einheit der Organisation hinzufügen",
        choices=[],
        validate_choice=False,
        description="Wird beim Speichern unten an die Verantwortlichen angefügt. Eine neue Person oder Einheit "
        "einfach oben als Zeile eintragen: Sie wird beim Speichern in der Organisation angelegt.",
    )
    owner_pick_role = SelectField("Rolle", choices=choices((r.value, r.label) for r in OwnerRole), default="lead")
    actors = TextAreaField("Beteiligte Akteure", description="Ein Akteur je Zeile.")
    requirements = TextAreaField("Anforderungen", description="Eine Anforderung je Zeile.")
    start = StringField(
        "Geplanter Beginn", description="MM/JJJJ, z. B. 01/2023 (auch MM.JJJJ oder JJJJ-MM). Leer bei Backlog."
    )
    end = StringField("Geplantes Ende", description="MM/JJJJ. Leer lassen für fortlaufende Maßnahmen („ab …“).")
    depends_on = MultiCheckboxField("Abhängig von (diese Maßnahmen müssen vorher umgesetzt sein)", choices=[])
    examples = TextAreaField("Praxisbeispiele", description="Ein Beispiel je Zeile.")
    steps = TextAreaField("Operative Schritte", description="Ein Schritt je Zeile.")
    budget = DecimalField(
        "Budget (€)",
        places=2,
        validators=[
            Optional(),
            finite_number,
            NumberRange(min=0, message="Das Budget darf nicht negativ sein."),
            NumberRange(max=MAX_BUDGET, message="Das Budget ist zu groß (höchstens 999.999.999.999,99 €)."),
        ],
    )
    funding_call = StringField(
        "Förderaufruf",
        validators=[Optional(), Length(max=200)],
        description="Z. B. „1. Förderaufruf“, „3. Förderaufruf“ oder foerderaufruf-3: ordnet Budget und Maßnahme "
        "dem Aufruf zu (Reifegrad › Förderaufrufe).",
    )
    lock_version = HiddenField()

    def set_owner_choices(self, names: list[str]) -> None:
        """Offer the organisation's persons and units to pick as owners."""
        self.owner_pick.choices = choices([("", "– auswählen –"), *((n, n) for n in names)])

    def validate_owner_pick(self, field) -> None:
        """Only a person of the organisation can be picked (a new one is typed into the list)."""
        if field.data and field.data not in {c.value for c in field.iter_choices()}:
            raise ValidationError("Bitte eine Person der Organisation wählen oder den Namen oben eintragen.")

    def validate_funding_call(self, field) -> None:
        """A funding call must name one of the known calls, or the budget check could not count it."""
        text = (field.data or "").strip()
        if text and find_call(text) is None:
            known = ", ".join(f"„{c.name}“" for c in funding_calls())
            raise ValidationError(f"Unbekannter Förderaufruf „{text}“. Bekannt sind: {known}.")

    def set_dependency_choices(self, strategy: Strategy, own_key: str | None) -> None:
        """Offer every other measure of the strategy as a prerequisite."""
        self.depends_on.choices = choices((m.key, m.title) for m in strategy.measures if m.key != own_key)

    def fill_from(self, m: Measure) -> None:
        """Show a domain measure in the form."""
        self.title.data = m.title
        self.description.data = m.description
        self.goal.data = m.goal
        self.dimension.data = m.dimension
        self.further_dimensions.data = list(m.further_dimensions)
        self.subdimensions.data = list(m.subdimensions)
        self.target_stage.data = "" if m.target_stage is None else str(m.target_stage)
        self.urgency.data = m.urgency.value if m.urgency else ""
        self.feasibility.data = m.feasibility.value if m.feasibility else ""
        self.status.data = m.status.value
        self.second_loop.data = m.second_loop
        self.owners.data = "\n".join(f"{o.name} ({o.role.label})" for o in m.owners)
        self.actors.data = "\n".join(m.actors)
        self.requirements.data = "\n".join(m.requirements)
        self.start.data = m.start.german() if m.start else ""
        self.end.data = m.end.german() if m.end else ""
        self.depends_on.data = list(m.depends_on)
        self.examples.data = "\n".join(m.examples)
        self.steps.data = "\n".join(m.steps)
        self.budget.data = m.budget
        self.funding_call.data = m.funding_call or ""

    def validate_all(self) -> bool:
        """Validate the fields and the month texts, so every error shows at once."""
        valid = self.validate()
        parse_month_field(self.start)
        parse_month_field(self.end)
        return valid and not (self.start.errors or self.end.errors)

    def to_measure(self, key: str, deferrals: int = 0) -> Measure:
        """The domain measure typed into a form that passed validate_all."""
        start = parse_month_field(self.start)
        end = parse_month_field(self.end)
        owners = []
        for line in lines(self.owners.data):
            owners.append(Owner(*normalise.owner_line(line)))
        picked = (self.owner_pick.data or "").strip()
        if picked and picked not in {o.name for o in owners}:
            owners.append(Owner(picked, OwnerRole(self.owner_pick_role.data or "lead")))
        return Measure(
            key=key,
            title=self.title.data.strip(),
            dimension=self.dimension.data,
            description=(self.description.data or "").strip(),
            goal=(self.goal.data or "").strip(),
            further_dimensions=[d for d in self.further_dimensions.data or [] if d != self.dimension.data],
            subdimensions=list(self.subdimensions.data or []),
            target_stage=int(self.target_stage.data) if self.target_stage.data not in (None, "") else None,
            urgency=Rating(self.urgency.data) if self.urgency.data else None,
            feasibility=Rating(self.feasibility.data) if self.feasibility.data else None,
            status=Status(self.status.data),
            second_loop=bool(self.second_loop.data),
            owners=owners,
            actors=lines(self.actors.data),
            requirements=lines(self.requirements.data),
            start=start,
            end=end,
            depends_on=sorted(self.depends_on.data or []),
            examples=lines(self.examples.data),
            steps=lines(self.steps.data),
            budget=float(self.budget.data) if self.budget.data is not None else None,
            funding_call=(self.funding_call.data or "").strip() or None,
            deferrals=deferrals,
        )


class DependencyForm(GermanForm):
    """Add one prerequisite to a measure."""

    prerequisite = SelectField("Neue Abhängigkeit", choices=[], validators=[InputRequired(REQUIRED)])


class StrategyForm(CreatesOnce, GermanForm):
    """Title, version, roadmap window, vision, mission and guiding principles."""

    organisation = StringField("Organisation", validators=[DataRequired(REQUIRED), Length(max=200)])
    title = StringField("Titel der Strategie", validators=[DataRequired(REQUIRED), Length(max=300)])
    version = StringField("Version", validators=[Optional(), Length(max=50)])
    adopted = StringField("Beschlossen im Monat", description="MM/JJJJ, z. B. 03/2023.")
    window_start = StringField("Fahrplan von", description="MM/JJJJ; der Fahrplan gilt in der Regel zwei Jahre.")
    window_end = StringField("Fahrplan bis", description="MM/JJJJ")
    vision = TextAreaField("Vision-Statement")
    mission = TextAreaField("Mission-Statement")
    principles = TextAreaField("Leitsätze", description="Ein Leitsatz je Zeile.")
    lock_version = HiddenField()
