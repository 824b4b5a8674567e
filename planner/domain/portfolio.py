"""Landesebene: the portfolio of the offices a state office coordinates (pure domain).

Per office: its current strategy (version, adoption), measures by schedule state, overdue
evaluations, the next strategy review, and its maturity — the latest assessment's level per
dimension (the minimum rule of `maturity.dimension_levels`), the change since its first
assessment and how many dimensions reach stage 3. Across offices: per dimension how many
offices reach stage 3 and the median level. Funding calls are checked per office with the
same rule check as the strategy's own page (`funding.check_call`).

Two readings of "a dimension improved by two stages" (domain.md): planner's (the dimension's
level, the minimum of its subdimensions, rose by two) and the one funding bodies and offices
sometimes use (at least one subdimension of the dimension rose by two). `jump_readings`
gives both with the subdimensions behind each, so they can be reconciled.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from .catalogue import catalogue
from .funding import (
    CallCheck,
    FundingCall,
    FundingParticipation,
    RuleKind,
    check_call,
    funding_calls,
    measure_budgets,
)
from .german import german_date
from .lagebild import Review, next_review
from .maturity import Assessment, Level, LevelChange, baseline, by_date, compare_levels, dimension_levels, rank
from .months import Month, month_of
from .schedule_state import State, schedule_state
from .verstetigung import calendar
from .whole_strategy import WholeStrategy as Strategy


def minimum_stage() -> int:
    """Stage 3, the Mindestanforderung „Digitales Gesundheitsamt 2025“."""
    return catalogue().minimum_stage


# --- maturity of one office --------------------------------------------------------------


@dataclass(frozen=True)
class OfficeMaturity:
    """An office's latest and first assessment, as dimension levels (absent: no data)."""

    latest_date: date
    latest: dict[str, Level]
    first_date: date
    first: dict[str, Level]
    latest_subdimensions: dict[str, Level] = field(default_factory=dict)
    first_subdimensions: dict[str, Level] = field(default_factory=dict)
    # every assessment as (date, dimension levels), oldest first: the trend and "no progress" read it
    history: tuple[tuple[date, dict[str, Level]], ...] = ()

    @cached_property
    def readings(self) -> JumpReadings | None:
        """Both readings of a two-stage jump from the first to the latest assessment; None with one assessment."""
        if self.first_date == self.latest_date:
            return None
        return jump_readings(self.first_subdimensions, self.latest_subdimensions)

    def known(self, dimension: str) -> bool:
        return dimension in self.latest

    def level(self, dimension: str) -> Level:
        return self.latest.get(dimension)

    def change(self, dimension: str) -> int | None:
        """Stages gained since the first assessment ("–" counts as -1); None without data on
        either side or with a single assessment."""
        if self.first_date == self.latest_date or dimension not in self.latest or dimension not in self.first:
            return None
        return rank(self.latest[dimension]) - rank(self.first[dimension])

    def reaches(self, dimension: str, stage: int | None = None) -> bool:
        stage = minimum_stage() if stage is None else stage
        return dimension in self.latest and rank(self.latest[dimension]) >= stage

    @property
    def at_stage_3(self) -> int:
        """Number of dimensions at stage 3 or above in the latest assessment."""
        return sum(1 for d in catalogue().dimension_names if self.reaches(d))

    def levels_list(self, first: bool = False) -> list[Level]:
        """The 8 dimension levels in catalogue order, None for "–" and for no data (the JSON view)."""
        source = self.first if first else self.latest
        return [source.get(d) for d in catalogue().dimension_names]


def office_maturity(assessments: Iterable[Assessment]) -> OfficeMaturity | None:
    """The office's maturity from its assessments; None without any."""
    ordered = by_date(assessments)
    if not ordered:
        return None
    subs = [a.subdimension_levels() for a in ordered]
    dims = [dimension_levels(x) for x in subs]
    return OfficeMaturity(
        ordered[-1].date,
        dims[-1],
        ordered[0].date,
        dims[0],
        subs[-1],
        subs[0],
        tuple(zip((a.date for a in ordered), dims, strict=True)),
    )


# --- funding calls ---------------------------------------------------------------------


@dataclass(frozen=True)
class CallResult:
    """One call for one office: the check (None when there is no pair of assessments to compare)."""

    call: FundingCall
    check: CallCheck | None
    baseline: Assessment | None
    outcome: Assessment | None

    @property
    def maturity_results(self) -> list:
        """The results of the call's maturity rules (not the budget share, not the rules to check by hand)."""
        if self.check is None:
            return []
        return [r for r in self.check.results if r.rule.kind not in (RuleKind.BUDGET_SHARE, RuleKind.MANUAL)]

    @property
    def met(self) -> bool | None:
        """Whether the office meets the call's maturity rules from its baseline to its latest
        assessment; None without such a pair of assessments (or when a maturity rule cannot be
        checked). Budget shares and rules to check by hand are shown, not counted here."""
        return None if self.check is None else self.check.maturity_met


def call_result(strategy: Strategy | None, assessments: Sequence[Assessment], call: FundingCall) -> CallResult:
    """Check `call` for an office: from the assessment the strategy names for it (else the latest on
    or before the call starts, else the earliest) to its latest later assessment."""
    ordered = by_date(assessments)
    part = next((f for f in strategy.funding if f.call == call.id), None) if strategy else None
    base = None
    if part is not None and part.baseline is not None:
        base = next((a for a in ordered if a.date == part.baseline), None)
    base = base or baseline(ordered, call.start)
    outcome = ordered[-1] if ordered and base is not None and ordered[-1].date > base.date else None
    if base is None or outcome is None:
        return CallResult(call, None, base, outcome)
    check = check_call(
        call,
        baseline_levels=base.subdimension_levels(),
        baseline_label=f"Messung vom {german_date(base.date)}",
        outcome_levels=outcome.subdimension_levels(),
        outcome_label=f"Messung vom {german_date(outcome.date)}",
        measures=strategy.measures if strategy else [],
        granted=part.granted if part else None,
    )
    return CallResult(call, check, base, outcome)


# --- the two readings of "improved by two stages" ---------------------------------------


@dataclass(frozen=True)
class DimensionJump:
    """One dimension between two assessments, in both readings."""

    name: str
    dimension: LevelChange  # the dimension level (minimum rule) before and after
    subdimensions: tuple[LevelChange, ...]  # its subdimensions that gained at least `min_stages`
    min_stages: int

    @property
    def by_minimum(self) -> bool:
        """planner's reading: the dimension's level rose by `min_stages`."""
        return self.dimension.delta is not None and self.dimension.delta >= self.min_stages

    @property
    def by_subdimension(self) -> bool:
        """The other reading: at least one subdimension rose by `min_stages`."""
        return bool(self.subdimensions)


@dataclass(frozen=True)
class JumpReadings:
    dimensions: tuple[DimensionJump, ...]

    @property
    def by_minimum(self) -> list[DimensionJump]:
        return [d for d in self.dimensions if d.by_minimum]

    @property
    def by_subdimension(self) -> list[DimensionJump]:
        return [d for d in self.dimensions if d.by_subdimension]


def jump_readings(before: Mapping[str, Level], after: Mapping[str, Level], min_stages: int = 2) -> JumpReadings:
    """Both readings for two subdimension level mappings, dimensions in catalogue order."""
    comparison = compare_levels(before, after)
    subs = {c.name: c for c in comparison.subdimensions}
    out = []
    for dim, change in zip(catalogue().dimensions, comparison.dimensions, strict=True):
        jumped = tuple(subs[s] for s in dim.subdimensions if subs[s].delta is not None and subs[s].delta >= min_stages)
        out.append(DimensionJump(dim.name, change, jumped, min_stages))
    return JumpReadings(tuple(out))


# --- one office in the portfolio ----------------------------------------------------------


@dataclass
class Office:
    """One coordinated office with its figures on `today`."""

    organisation_id: int
    name: str
    strategy_id: int | None
    title: str
    version: str
    adopted: str  # "MM/JJJJ" or ""
    measures: int
    states: dict[State, int]
    overdue_evaluations: int
    review: Review | None
    maturity: OfficeMaturity | None
    calls: list[CallResult] = field(default_factory=list)
    window_end: Month | None = None  # the end of the current strategy's plan period
    strategy: Strategy | None = field(default=None, repr=False)  # for the readiness forecast
    # the strategy's funding entries and its measures' budgets per call id (domain/state_funding.py)
    funding: tuple[FundingParticipation, ...] = ()
    call_budgets: dict[str, float] = field(default_factory=dict)
    # running measures without a status report for more than REPORT_MONTHS (`unreported`)
    unreported: int = 0
    # what is derived from these figures (portfolio_progress.stuck_reasons per day, the digest of
    # services/portfolio.figures_digest): an office's figures are kept while it does not change,
    # and so is this
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def latest_date(self) -> date | None:
        return self.maturity.latest_date if self.maturity else None

    def below(self, dimension: str, stage: int | None = None) -> bool:
        """Below `stage` (default 3) in `dimension`: "–", a lower level or no data."""
        return not (self.maturity and self.maturity.reaches(dimension, stage))


def overdue_evaluations(strategy: Strategy, today: date) -> int:
    """Evaluations past their due month and not recorded (not those waiting for a measure's real dates)."""
    return sum(1 for d in calendar(strategy, today) if d.overdue and not d.done and not d.unclear)


# a running measure whose status nobody reported for longer than this needs a look
REPORT_MONTHS = 6


def unreported(strategy: Strategy, reports: Mapping[str, date], today: date) -> int:
    """Running measures (schedule state "läuft": started and within their planned months) whose
    last status report — or, with none, their start — lies more than REPORT_MONTHS months before
    today's month. Measures past their planned start or end count as "Status klären" instead.
    `reports`: per measure key the day of its latest status report (the status history)."""
    now = month_of(today)
    count = 0
    for m in strategy.measures:
        if schedule_state(m, now).state is not State.LAUFEND:
            continue
        reported = reports.get(m.key)
        since = month_of(reported) if reported else m.actual_start or m.start
        if since is not None and since + REPORT_MONTHS < now:
            count += 1
    return count


def latest_reports(strategy: Strategy) -> dict[str, date]:
    """The day of each measure's latest status report in the strategy's status history."""
    return {key: max(c.changed for c in changes) for key, changes in strategy.status_history.items() if changes}


def office(
    organisation_id: int,
    name: str,
    strategy_id: int | None,
    strategy: Strategy | None,
    assessments: Sequence[Assessment],
    today: date,
    calls: Sequence[FundingCall] | None = None,
    reports: Mapping[str, date] | None = None,
) -> Office:
    """An office's portfolio row from its current strategy (None: none yet) and its assessments.
    `reports`: the day of each measure's latest status report (default: from the strategy's
    status history; the portfolio reads only these days)."""
    states: dict[State, int] = {}
    if strategy is not None:
        now = month_of(today)
        for m in strategy.measures:
            s = schedule_state(m, now).state
            states[s] = states.get(s, 0) + 1
    calls = funding_calls() if calls is None else calls
    return Office(
        organisation_id=organisation_id,
        name=name,
        strategy_id=strategy_id,
        title=strategy.title if strategy else "",
        version=strategy.version if strategy else "",
        adopted=strategy.adopted.german() if strategy and strategy.adopted else "",
        measures=len(strategy.measures) if strategy else 0,
        states=states,
        overdue_evaluations=overdue_evaluations(strategy, today) if strategy else 0,
        review=next_review(strategy, today) if strategy else None,
        maturity=office_maturity(assessments),
        calls=[call_result(strategy, assessments, c) for c in calls],
        window_end=strategy.window_end if strategy else None,
        strategy=strategy,
        funding=tuple(strategy.funding) if strategy else (),
        call_budgets=measure_budgets(strategy.measures) if strategy else {},
        unreported=unreported(strategy, latest_reports(strategy) if reports is None else reports, today)
        if strategy
        else 0,
    )


# --- across offices ----------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionSummary:
    """One dimension across offices: offices with a level (not "–", not without data) in their
    latest assessment, how many of them reach stage 3, the median of those levels."""

    name: str
    index: int
    offices_assessed: int
    at_stage_3: int
    median: float | None


def dimension_summary(maturities: Iterable[OfficeMaturity | None]) -> list[DimensionSummary]:
    """Per dimension in catalogue order (the `dimensions` list of `planner portfolio --json`)."""
    maturities = [m for m in maturities if m is not None]
    stage = minimum_stage()
    out = []
    for dim in catalogue().dimensions:
        levels = [m.latest[dim.name] for m in maturities if m.latest.get(dim.name) is not None]
        out.append(
            DimensionSummary(
                dim.name,
                dim.index,
                len(levels),
                sum(1 for v in levels if v >= stage),
                statistics.median(levels) if levels else None,
            )
        )
    return out


# --- filters and sorting (the heat map's GET parameters) ----------------------------------

SORT_KEYS = ("name", "stufe3", "messung", "massnahmen", "ueberfaellig")


@dataclass(frozen=True)
class Filter:
    """Which offices to show: those below stage 3 in `below` (a dimension name), those whose
    level in `dimension` is `level` ("-" for "–", "k" for no data), sorted by `sort`."""

    below: str = ""
    dimension: str = ""
    level: str = ""
    sort: str = "name"
    descending: bool = False

    def keeps(self, o: Office) -> bool:
        if self.below and not o.below(self.below):
            return False
        if self.dimension and self.level:
            m = o.maturity
            if self.level == "k":
                return not (m and m.known(self.dimension))
            if not (m and m.known(self.dimension)):
                return False
            return (
                (m.level(self.dimension) is None) if self.level == "-" else m.level(self.dimension) == int(self.level)
            )
        return True


def _sort_key(sort: str):
    if sort in catalogue().dimension_names:
        return lambda o: (
            rank(o.maturity.level(sort)) if o.maturity and o.maturity.known(sort) else -2,
            o.name.casefold(),
        )
    return {
        "stufe3": lambda o: (o.maturity.at_stage_3 if o.maturity else -1, o.name.casefold()),
        "messung": lambda o: (o.latest_date or date.min, o.name.casefold()),
        "massnahmen": lambda o: (o.measures, o.name.casefold()),
        "ueberfaellig": lambda o: (
            o.states.get(State.ABSCHLUSS_UEBERFAELLIG, 0) + o.states.get(State.BEGINN_UEBERFAELLIG, 0),
            o.name.casefold(),
        ),
    }.get(sort, lambda o: (o.name.casefold(),))


def select(offices: Iterable[Office], f: Filter) -> list[Office]:
    """The offices the filter keeps, sorted."""
    return sorted((o for o in offices if f.keeps(o)), key=_sort_key(f.sort), reverse=f.descending)


# --- the JSON of `planner portfolio` -------------------------------------------------------


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def portfolio_json(offices: Sequence[Office]) -> dict:
    """{"offices": [...], "dimensions": [...]} as issue 16 specifies."""
    out = []
    for o in offices:
        m = o.maturity
        out.append(
            {
                "organisation": o.name,
                "strategy": o.title or None,
                "version": o.version or None,
                "measures": o.measures,
                "maturity": None
                if m is None
                else {
                    "date": m.latest_date.isoformat(),
                    "dimensions": m.levels_list(),
                    "first_date": m.first_date.isoformat(),
                    "first_dimensions": m.levels_list(first=True),
                    "at_stage_3": m.at_stage_3,
                },
                "funding": [{"call": c.call.id, "met": c.met} for c in o.calls],
            }
        )
    return {
        "offices": out,
        "dimensions": [
            {
                "name": d.name,
                "offices_assessed": d.offices_assessed,
                "at_stage_3": d.at_stage_3,
                "median": _number(d.median),
            }
            for d in dimension_summary(o.maturity for o in offices)
        ],
    }


__all__ = [
    "CallResult",
    "DimensionJump",
    "DimensionSummary",
    "Filter",
    "JumpReadings",
    "Office",
    "OfficeMaturity",
    "call_result",
    "dimension_summary",
    "jump_readings",
    "office",
    "office_maturity",
    "portfolio_json",
    "select",
]
