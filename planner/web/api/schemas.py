"""Request and response bodies of the JSON API (pydantic models; the OpenAPI document is built from them).

A measure has the fields of a measure in the strategy file (docs/strategy-format.md), so what a
script reads from the API can go into a strategy file and back. Values of scales (status,
Dringlichkeit, role, months) are plain text here: the strategy file's checks decide, with the
same German messages as an import.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ...domain.catalogue import catalogue
from ...domain.months import TYPED_MONTH_PATTERN
from ...domain.validation import MAX_AMOUNT
from ...formats.schema import KEY_PATTERN

MonthText = Annotated[
    str,
    Field(pattern=TYPED_MONTH_PATTERN, description="Monat JJJJ-MM (auch MM/JJJJ oder TT.MM.JJJJ), Jahr 1900 bis 2200"),
]
Key = Annotated[str, Field(min_length=1, max_length=100, pattern=KEY_PATTERN)]


def _kept(extra: Any = None, **more: Any) -> Any:
    """A field that may be left out (it stays as it is) but is never null: no null default in the schema."""

    def schema(s: dict[str, Any]) -> None:
        s.pop("default", None)
        if extra is not None:
            extra(s)

    return Field(None, json_schema_extra=schema, **more)


def _dimension_names(schema: dict[str, Any]) -> None:
    schema["enum"] = list(catalogue().dimension_names)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Problem(BaseModel):
    """An error (RFC 9457 problem details); `detail` says in German what went wrong."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[str] | None = Field(None, description="Einzelne Fehler, jeweils mit Maßnahme und Feld")
    cycle: list[str] | None = Field(None, description="Die Maßnahmen (IDs) des Zyklus, den eine Abhängigkeit schlösse")


class StrategyRef(_Out):
    id: int
    title: str
    version: str
    organisation_id: int
    read_only: bool = Field(description="Fortgeschrieben: diese Version ist schreibgeschützt")


class Organisation(_Out):
    id: int
    name: str


class OrganisationDetail(Organisation):
    strategies: list[StrategyRef]


class Strategy(_Out):
    id: int
    organisation: Organisation
    title: str
    version: str
    adopted: str | None = Field(description="Monat JJJJ-MM")
    window_start: str | None
    window_end: str | None
    vision: str
    mission: str
    principles: list[str]
    measures: list[str] = Field(description="IDs der Maßnahmen in ihrer Reihenfolge")
    read_only: bool


class Version(_Out):
    id: int
    title: str
    version: str
    current: bool = Field(description="Die Version, nach der gefragt wurde")
    read_only: bool


class OwnerData(_In):
    name: str
    role: str | None = Field(None, description="lead oder support; ohne Angabe lead")
    email: str | None = Field(
        None, description="E-Mail-Adresse der Person (für Statusabfragen per Link); ohne Angabe bleibt die gespeicherte"
    )


class Owner(_Out):
    name: str
    role: str


class ScheduleState(_Out):
    state: str = Field(description="abschluss_ueberfaellig, beginn_ueberfaellig, laufend, geplant, ...")
    text: str = Field(description="Der Zustand als deutscher Text, z. B. „Abschluss überfällig seit 3 Monaten“")
    months_overdue: int | None
    months_late: int | None


class Measure(_Out):
    """A measure with every field of its Steckbrief."""

    id: str
    title: str
    description: str
    goal: str
    dimension: str
    further_dimensions: list[str]
    subdimensions: list[str]
    target_stage: int | None
    urgency: str | None
    feasibility: str | None
    status: str
    second_loop: bool
    owners: list[Owner]
    actors: list[str]
    requirements: list[str]
    start: str | None = Field(description="Monat JJJJ-MM")
    end: str | None
    depends_on: list[str]
    examples: list[str]
    steps: list[str]
    budget: float | None
    funding_call: str | None
    deferrals: int
    actual_start: str | None
    actual_end: str | None
    schedule_state: ScheduleState


class MeasureChange(_In):
    """Fields to set; a field left out stays as it is. null empties an optional field (Zielstufe,
    Dringlichkeit, Umsetzbarkeit, Beginn, Ende, Budget, Förderaufruf); a list is emptied with []."""

    title: str = _kept(min_length=1)
    description: str = _kept()
    goal: str = _kept()
    dimension: str = _kept(_dimension_names, min_length=1)
    further_dimensions: list[str] = _kept()
    subdimensions: list[str] = _kept()
    target_stage: int | None = Field(None, ge=0, le=4, description="Zielstufe 0 bis 4")
    urgency: str | None = None
    feasibility: str | None = None
    status: str = _kept()
    second_loop: bool = _kept()
    owners: list[OwnerData] = _kept()
    actors: list[str] = _kept()
    requirements: list[str] = _kept()
    start: MonthText | None = None
    end: MonthText | None = None
    depends_on: list[str] = _kept()
    examples: list[str] = _kept()
    steps: list[str] = _kept()
    budget: float | None = Field(None, ge=0, le=MAX_AMOUNT, description="Euro")
    funding_call: str | None = None


class NewMeasure(MeasureChange):
    """A new measure: title and dimension are required; the id is made from the title when left out."""

    id: Key = _kept(description="Buchstaben, Ziffern, - _ .; ohne Angabe aus dem Titel gebildet")
    title: str = Field(min_length=1)
    dimension: str = Field(min_length=1, json_schema_extra=_dimension_names)


class Link(_Out):
    measure: str = Field(description="Die abhängige Maßnahme")
    depends_on: str = Field(description="Ihre Voraussetzung")


class NewLink(_In):
    prerequisite: Key = Field(description="ID der Maßnahme, die vorher umgesetzt sein muss")


class Conflict(_Out):
    measure: str
    depends_on: str
    starts: str
    prerequisite_ends: str | None


class MeasureState(ScheduleState):
    measure: str


class Analysis(_Out):
    today: date
    cycles: list[list[str]]
    conflicts: list[Conflict]
    order: list[str]
    waves: list[list[str]]
    critical_path: list[str]
    critical_path_months: int
    redundant_dependencies: list[Link]
    backlog: list[str]
    schedule_states: list[MeasureState]


class DueEvaluation(_Out):
    subject: str = Field(description="ID der Maßnahme oder „strategy“ (die Strategie insgesamt)")
    kind: str
    due: str
    overdue: bool
    state: str = Field(description="Stand des Termins, z. B. offen, ueberfaellig, status_klaeren, erledigt")
    done: bool
    reason: str


class RecordedEvaluation(_Out):
    subject: str
    kind: str
    performed: date
    due: str | None
    by: str
    outcome: str | None
    went_well: str
    went_badly: str


class Evaluations(_Out):
    today: date
    calendar: list[DueEvaluation]
    recorded: list[RecordedEvaluation]


class Assessment(_Out):
    id: int
    date: date
    kind: str = Field(description="criteria (Kriterienbewertung) oder result_sheet (Ergebnisblatt)")
    note: str
    subdimension_levels: dict[str, int | None] = Field(description="Stufe je Subdimension (null: unter Stufe 0)")
    dimension_levels: dict[str, int | None]


class Assessments(_Out):
    organisation_id: int
    assessments: list[Assessment]
