"""What a Steckbrief shows, built from the domain objects: one code path for file and database.

`select_measures` applies the filters (measure, dimension, owner, status) and names unknown
values in German; `sheet_view` turns a measure into display values (texts, not objects),
`bundle_view` adds the cover data. The PDF (Jinja → WeasyPrint) and the Word file both read
these views, so both show the same content.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

from ..domain.catalogue import catalogue
from ..domain.german import berlin_today, german_date, money, number
from ..domain.graph import build_graph
from ..domain.months import format_range
from ..domain.schedule_state import State, schedule_state
from ..domain.strategy import Measure, Rating, Status, Strategy
from ..domain.verstetigung import Indicator, TrackedStrategy

UNKNOWN = "unbekannt"
RATING_STEPS = len(Rating)


class FilterError(ValueError):
    """A filter value that names nothing in the strategy; the message is German and lists what exists."""


@dataclass(frozen=True)
class SheetFilter:
    """Which measures a bundle holds; every given criterion must match (AND)."""

    measure: str | None = None
    dimension: str | None = None
    owner: str | None = None
    status: str | None = None
    state: str | None = None  # schedule state value (abschluss_ueberfaellig, …) on `today`
    today: date | None = None  # the day the schedule state is computed for (default: today)


@dataclass(frozen=True)
class Scale:
    """Dringlichkeit or Machbarkeit: the text and the filled steps of the visual scale."""

    label: str
    rank: int  # 0 = unknown
    steps: int = RATING_STEPS

    @property
    def known(self) -> bool:
        return self.rank > 0

    @property
    def words(self) -> str:
        """The rating in words, for Word and screen readers: 'mittel (3 von 5)' or 'unbekannt'."""
        return f"{self.label} ({self.rank} von {self.steps})" if self.known else self.label


@dataclass(frozen=True)
class Link:
    """Another measure named under Schnittstellen."""

    key: str
    title: str
    planned: str


@dataclass(frozen=True)
class OwnerView:
    name: str
    role: str


@dataclass(frozen=True)
class IndicatorView:
    """An indicator for the impact evaluation, as one line of text."""

    name: str
    text: str  # "Ausgangswert 14 Tage · Ziel 7 Tage · zuletzt 10 Tage (15.03.2024)"


@dataclass
class SheetView:
    """Every field of one Steckbrief as display values."""

    key: str
    title: str
    description: str
    goal: str
    dimension: str
    dimension_index: int | None
    dimension_colour: str
    further_dimensions: list[str]
    subdimensions: list[str]
    target_stage: str
    urgency: Scale
    feasibility: Scale
    status: str
    status_value: str
    second_loop: bool
    owners: list[OwnerView]
    actors: list[str]
    requirements: list[str]
    planned: str
    depends_on: list[Link]
    basis_for: list[Link]
    examples: list[str]
    steps: list[str]
    budget: str
    funding_call: str
    actual: str = ""  # tatsächliche Umsetzung, when recorded
    schedule: str = ""  # the schedule state on the bundle's date: "Abschluss überfällig seit 23 Monaten"
    schedule_value: str = ""  # its state value, for the badge's style
    schedule_date: str = ""  # the day it was computed for, 30.11.2026
    indicators: list[IndicatorView] = field(default_factory=list)
    density: int = 0
    origin: str = ""  # "Übernommen als Vorlage aus …" for a measure copied from another office

    @property
    def anchor(self) -> str:
        return f"m-{self.key}"

    @property
    def display_title(self) -> str:
        """The title with Steinfurt's star for measures added in the second evaluation loop."""
        return f"*{self.title}" if self.second_loop else self.title


@dataclass
class BundleView:
    """A set of Steckbriefe with what the cover page and footer need."""

    organisation: str
    title: str
    version: str
    vision: str
    mission: str
    principles: list[str]
    generated: date
    selection: str  # German description of the filter, "" for the whole strategy
    sheets: list[SheetView] = field(default_factory=list)
    single: bool = False

    @property
    def generated_text(self) -> str:
        return german_date(self.generated)

    @property
    def has_second_loop(self) -> bool:
        return any(s.second_loop for s in self.sheets)


# --- filters ---------------------------------------------------------------------------


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


_STATUS_WORDS = {
    **{_fold(s.value): s for s in Status},
    **{_fold(s.label): s for s in Status},
    **{_fold(s.value.replace("_", " ")): s for s in Status},
}


def parse_status(text: str) -> Status:
    """A status from its value or German label ('in Umsetzung', 'in_umsetzung', 'Backlog')."""
    status = _STATUS_WORDS.get(_fold(text))
    if status is None:
        known = ", ".join(f"„{s.label}“" for s in Status)
        raise FilterError(f"Unbekannter Status „{text}“. Möglich sind: {known}.")
    return status


def parse_state(text: str) -> State:
    """A schedule state from its value or German label ('abschluss_ueberfaellig', 'Abschluss überfällig')."""
    wanted = _fold(text)
    for state in State:
        if wanted in (_fold(state.value), _fold(state.label)):
            return state
    known = ", ".join(f"„{s.label}“" for s in State)
    raise FilterError(f"Unbekannter Zeitstand „{text}“. Möglich sind: {known}.")


def parse_dimension(text: str) -> str:
    """The canonical dimension name of a name or alias ('Bürgerzentrierung')."""
    name = catalogue().canonical_dimension(text)
    if name is None:
        known = ", ".join(f"„{d}“" for d in catalogue().dimension_names)
        raise FilterError(f"Unbekannte Dimension „{text}“. Möglich sind: {known}.")
    return name


def owner_names(strategy: Strategy) -> list[str]:
    """Every distinct person or unit named as Verantwortliche, sorted."""
    return sorted({o.name for m in strategy.measures for o in m.owners}, key=str.casefold)


def _owner_match(strategy: Strategy, text: str) -> set[str]:
    """Owner names meant by `text`: the exact name (any case), else names containing it
    ("Lukas Bäumer" finds "IT-Service (Lukas Bäumer)")."""
    wanted = _fold(text)
    names = owner_names(strategy)
    exact = {n for n in names if _fold(n) == wanted}
    return exact or {n for n in names if wanted and wanted in _fold(n)}


def select_measures(strategy: Strategy, flt: SheetFilter) -> list[Measure]:
    """The measures the filter selects, in the strategy's order; FilterError for unknown values
    or a combination that selects nothing."""
    measures = list(strategy.measures)
    parts: list[str] = []
    if flt.measure:
        m = strategy.measure(flt.measure)
        if m is None:
            raise FilterError(f"Keine Maßnahme mit der ID „{flt.measure}“ in „{strategy.title}“.")
        measures = [m]
    if flt.dimension:
        dim = parse_dimension(flt.dimension)
        measures = [m for m in measures if catalogue().canonical_dimension(m.dimension) == dim]
        parts.append(f"Dimension {dim}")
    if flt.owner:
        names = _owner_match(strategy, flt.owner)
        if not names:
            known = ", ".join(f"„{n}“" for n in owner_names(strategy)) or "keine"
            raise FilterError(
                f"Niemand namens „{flt.owner.strip()}“ ist für eine Maßnahme verantwortlich. Verantwortliche: {known}."
            )
        measures = [m for m in measures if any(o.name in names for o in m.owners)]
        parts.append(f"Verantwortlich: {', '.join(sorted(names))}")
    if flt.status:
        status = parse_status(flt.status)
        measures = [m for m in measures if m.status is status]
        parts.append(f"Status: {status.label}")
    if flt.state:
        state = parse_state(flt.state)
        measures = [m for m in measures if schedule_state(m, flt.today or berlin_today()).state is state]
        parts.append(f"Zeitstand: {state.label}")
    if not strategy.measures:
        raise FilterError(f"„{strategy.title}“ enthält noch keine Maßnahmen.")
    if not measures:
        raise FilterError(f"Keine Maßnahme passt zur Auswahl ({'; '.join(parts)}).")
    return measures


def describe_filter(strategy: Strategy, flt: SheetFilter) -> str:
    """German description of a valid filter, e.g. 'Verantwortlich: Annika Feldhues'."""
    parts = []
    if flt.dimension:
        parts.append(f"Dimension {parse_dimension(flt.dimension)}")
    if flt.owner:
        parts.append(f"Verantwortlich: {', '.join(sorted(_owner_match(strategy, flt.owner)))}")
    if flt.status:
        parts.append(f"Status: {parse_status(flt.status).label}")
    if flt.state:
        parts.append(f"Zeitstand: {parse_state(flt.state).label}")
    return " · ".join(parts)


# --- views -----------------------------------------------------------------------------


def _scale(rating: Rating | None) -> Scale:
    return Scale(rating.label, rating.rank) if rating else Scale(UNKNOWN, 0)


def _indicator(ind: Indicator) -> IndicatorView:
    unit = f" {ind.unit}" if ind.unit else ""
    parts = []
    if ind.baseline is not None:
        parts.append(f"Ausgangswert {number(ind.baseline)}{unit}")
    if ind.target is not None:
        parts.append(f"Ziel {number(ind.target)}{unit}")
    if latest := ind.latest:
        parts.append(f"zuletzt {number(latest.value)}{unit} ({german_date(latest.measured)})")
    return IndicatorView(ind.name, " · ".join(parts) or "noch nicht gemessen")


def _actual(m: Measure) -> str:
    if m.actual_start is None:
        return ""
    if m.actual_end is None:
        return f"seit {m.actual_start.german()}"
    return format_range(m.actual_start, m.actual_end)


def _planned(m: Measure) -> str:
    """'01/2023 – 04/2023', 'ab 04/2023', or why there is no range."""
    if m.planned_range:
        return m.planned_range
    return "im Backlog" if m.status is Status.BACKLOG else "kein Zeitraum angegeben"


def _link(m: Measure) -> Link:
    return Link(m.key, m.title, _planned(m))


# How many lines fit under the header of one A4 sheet at the normal type size (9.5 pt), and how
# many characters fit on a line of the wide left and the narrow right column. The estimate only
# picks the starting size: the PDF renderer checks the real page breaks and sets a sheet that still
# runs over one step smaller (another layout pass). Calibrated against the real page breaks of 149
# sheets (bench strategies, tests): it never started too large, and 8 sheets one step too small.
_COLUMN_LINES = 52
_LEFT_CHARS = 58
_RIGHT_CHARS = 42
# type size relative to density 0: 9.5, 8.6, 7.8, 7.0 pt (static/steckbriefe.css)
_SCALE = (1.0, 0.905, 0.82, 0.74)


def _lines(text: str, width: int) -> int:
    return math.ceil(len(text) / width) if text else 1


def estimate_density(s: SheetView) -> int:
    """0 (normal) to 3 (smallest type, columns balanced) from the lines the sheet needs."""
    left = (
        _lines(s.description, _LEFT_CHARS)
        + _lines(s.goal, _LEFT_CHARS)
        + 2  # Dringlichkeit, Machbarkeit
        + 4
        + _lines(", ".join(s.subdimensions), _LEFT_CHARS - 20)
        + sum(_lines(x, _LEFT_CHARS - 3) for x in s.steps)
        + sum(_lines(f"{i.name}: {i.text}", _LEFT_CHARS - 3) for i in s.indicators)
        + (2 if s.indicators else 0)
        + 5 * 2  # section headings
    )
    right = (
        sum(_lines(f"{o.name} ({o.role})", _RIGHT_CHARS - 2) for o in s.owners)
        + sum(_lines(a, _RIGHT_CHARS - 2) for a in s.actors)
        + sum(_lines(r, _RIGHT_CHARS - 2) for r in s.requirements)
        + (2 if s.actual else 1)
        + sum(_lines(f"{x.title} ({x.planned})", _RIGHT_CHARS - 2) for x in s.depends_on + s.basis_for)
        + 2 * 2  # Grundlage für, Abhängigkeit von
        + sum(_lines(x, _RIGHT_CHARS - 2) for x in s.examples)
        + 6 * 2.5  # section headings, two of them on two lines
    )
    title = _lines(s.title, 45) * 1.6
    for density, scale in enumerate(_SCALE):
        # smaller type: more characters on a line and more lines on the page
        capacity = _COLUMN_LINES / scale / scale
        # from density 2 on, the two columns are balanced: the content is shared evenly
        need = title * scale + (max(left, right) if density < 2 else (left + right) / 2 + 4)
        if need <= capacity:
            return density
    return len(_SCALE) - 1


def sheet_view(strategy: TrackedStrategy, measure: Measure, graph=None, today: date | None = None) -> SheetView:
    """The Steckbrief of one measure on `today` (default: today); dependencies in both directions from the one graph."""
    graph = graph if graph is not None else build_graph(strategy.measures)
    by_key = {m.key: m for m in strategy.measures}
    dim = catalogue().dimension(measure.dimension)
    prerequisites = [by_key[k] for k in graph.predecessors(measure.key)] if measure.key in graph else []
    dependents = [by_key[k] for k in graph.successors(measure.key)] if measure.key in graph else []
    order = {m.key: i for i, m in enumerate(strategy.measures)}
    view = SheetView(
        key=measure.key,
        title=measure.title,
        description=measure.description,
        goal=measure.goal,
        dimension=dim.name if dim else measure.dimension,
        dimension_index=dim.index if dim else None,
        dimension_colour=dim.colour if dim else "#4a4a4a",
        further_dimensions=list(measure.further_dimensions),
        subdimensions=list(measure.subdimensions),
        target_stage=f"Stufe {measure.target_stage}" if measure.target_stage is not None else "",
        urgency=_scale(measure.urgency),
        feasibility=_scale(measure.feasibility),
        status=measure.status.label,
        status_value=measure.status.value,
        second_loop=measure.second_loop,
        owners=[OwnerView(o.name, o.role.label) for o in measure.owners],
        actors=list(measure.actors),
        requirements=list(measure.requirements),
        planned=_planned(measure),
        depends_on=[_link(m) for m in sorted(prerequisites, key=lambda m: order[m.key])],
        basis_for=[_link(m) for m in sorted(dependents, key=lambda m: order[m.key])],
        examples=list(measure.examples),
        steps=list(measure.steps),
        budget=money(measure.budget) if measure.budget is not None else "",
        funding_call=measure.funding_call or "",
        actual=_actual(measure),
        indicators=[_indicator(i) for i in strategy.indicators.get(measure.key, [])],
        schedule=(state := schedule_state(measure, today or berlin_today())).text,
        schedule_value=state.state.value,
        schedule_date=german_date(today or berlin_today()),
    )
    view.density = estimate_density(view)
    return view


def bundle_view(
    strategy: TrackedStrategy, flt: SheetFilter | None = None, *, generated: date | None = None
) -> BundleView:
    """The Steckbriefe the filter selects (all by default) with the strategy's cover data."""
    flt = flt or SheetFilter()
    measures = select_measures(strategy, flt)
    graph = build_graph(strategy.measures)
    generated = generated or berlin_today()
    return BundleView(
        organisation=strategy.organisation,
        title=strategy.title,
        version=strategy.version,
        vision=strategy.vision,
        mission=strategy.mission,
        principles=list(strategy.principles),
        generated=generated,
        selection=describe_filter(strategy, flt),
        sheets=[sheet_view(strategy, m, graph, generated) for m in measures],
        single=bool(flt.measure),
    )
