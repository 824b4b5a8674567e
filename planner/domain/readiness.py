"""Readiness of the coordinated offices for the current funding call (pure domain).

Per office the call's check as the portfolio makes it (`portfolio.CallResult`: from the call's
baseline to the latest later assessment) and, where that is "nicht prüfbar", the reason in German
and a forecast: the rule check from the same baseline to the levels the office's planned
measures would give by the call's end. A measure lifts each subdimension it names to the stage it
aims at (without a stated aim: the strategy's target for that subdimension, stage 3 by default);
it counts when it is not dropped, not in the backlog, has a start, and ends by the end of the
call's period (or runs open-ended from a start before that end); a finished measure counts only
when it ended after the latest assessment (its effect is not yet measured).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from .catalogue import catalogue
from .funding import CallCheck, FundingCall, Outcome, RuleKind, check_call, funding_calls
from .german import german_date
from .maturity import Level, effective_targets, level_label, rank
from .months import month_of
from .portfolio import CallResult, Office
from .strategy import Measure, Status


def current_call(today: date, calls: Sequence[FundingCall] | None = None) -> FundingCall:
    """The call that started most recently on or before `today` (the first call before any started)."""
    calls = funding_calls() if calls is None else calls
    started = [c for c in calls if c.start <= today]
    return max(started, key=lambda c: c.start) if started else calls[0]


@dataclass(frozen=True)
class Lift:
    """A subdimension the planned measures raise: from its latest level to the forecast stage."""

    subdimension: str
    before: Level
    known: bool
    after: int
    measures: tuple[str, ...]  # titles

    @property
    def text(self) -> str:
        before = level_label(self.before) if self.known else "k. A."
        return f"{self.subdimension} {before} → {self.after} ({', '.join(self.measures)})"


def _counts(m: Measure, call: FundingCall, assessed_on: date) -> bool:
    if m.status in (Status.VERWORFEN, Status.BACKLOG) or m.start is None:
        return False
    end = month_of(call.end)
    if m.start > end or (m.end is not None and m.end > end):
        return False
    if m.status is Status.ABGESCHLOSSEN:
        finished = m.actual_end or m.end
        return finished is not None and finished > month_of(assessed_on)
    return True


def forecast_levels(
    current: Mapping[str, Level],
    measures: Iterable[Measure],
    targets: Mapping[str, int],
    call: FundingCall,
    assessed_on: date,
) -> tuple[dict[str, Level], list[Lift]]:
    """The subdimension levels once the counting measures have their effect, and the lifts."""
    eff = effective_targets(targets)
    aims: dict[str, list[tuple[int, str]]] = {}
    for m in measures:
        if not _counts(m, call, assessed_on):
            continue
        for s in m.subdimensions:
            if s in eff:
                aims.setdefault(s, []).append((m.target_stage if m.target_stage is not None else eff[s], m.title))
    levels = dict(current)
    lifts = []
    for s in catalogue().subdimension_names:
        if s not in aims:
            continue
        best = max(a for a, _ in aims[s])
        if s in current and rank(current[s]) >= best:
            continue
        levels[s] = best
        titles = tuple(t for a, t in aims[s] if a == best)
        lifts.append(Lift(s, current.get(s), s in current, best, titles))
    return levels, lifts


@dataclass(frozen=True)
class Readiness:
    """One office and the current call: the check, why it cannot be checked, the forecast."""

    office: Office
    result: CallResult
    reason: str  # German, empty when the check is made
    forecast: CallCheck | None
    lifts: tuple[Lift, ...]

    @property
    def met(self) -> bool | None:
        return self.result.met

    @property
    def forecast_met(self) -> bool | None:
        return None if self.forecast is None else self.forecast.maturity_met

    @property
    def forecast_reasons(self) -> list[str]:
        """The forecast's maturity rules as "outcome: reason", the alternatives of a rule one by one."""
        if self.forecast is None:
            return []
        out = []
        for r in self.forecast.results:
            if r.rule.kind in (RuleKind.BUDGET_SHARE, RuleKind.MANUAL):
                continue
            for leaf in r.children or (r,):
                out.append(f"{leaf.outcome.label}: {leaf.reason}")
        return out

    @property
    def forecast_label(self) -> str:
        if self.forecast is None:
            return "keine Prognose"
        return {True: "voraussichtlich erfüllt", False: "voraussichtlich nicht erfüllt"}.get(
            self.forecast_met, "nicht prüfbar"
        )


def _reason(o: Office, r: CallResult, call: FundingCall) -> str:
    if r.met is not None:
        return ""
    m = o.maturity
    if m is None:
        return "Keine Reifegradmessung erfasst: Es gibt keine Ausgangsmessung."
    if r.outcome is None:
        if len(m.history) == 1:
            return (
                f"Nur eine Messung ({german_date(m.latest_date)}): Sie ist die Ausgangsmessung, "
                "eine spätere Messung zum Vergleich fehlt."
            )
        return (
            f"Die Ausgangsmessung des Aufrufs ist die letzte Messung ({german_date(r.baseline.date)}); "
            f"seit Beginn des Aufrufs am {german_date(call.start)} ist keine spätere Messung erfasst."
        )
    pending = [x.reason for x in r.maturity_results if x.outcome is Outcome.NICHT_PRUEFBAR]
    return "Nicht prüfbar: " + " ".join(pending)


def readiness(o: Office, call: FundingCall, calls: Sequence[FundingCall] | None = None) -> Readiness:
    """The office's readiness for `call` (one of the calls its portfolio row was checked against)."""
    calls = funding_calls() if calls is None else calls
    r = o.calls[[c.id for c in calls].index(call.id)]
    reason = _reason(o, r, call)
    forecast, lifts = None, []
    if reason and r.baseline is not None and o.maturity is not None:
        s = o.strategy
        current = o.maturity.latest_subdimensions
        levels, lifts = forecast_levels(
            current, s.measures if s else [], s.targets if s else {}, call, o.maturity.latest_date
        )
        part = next((f for f in s.funding if f.call == call.id), None) if s else None
        forecast = check_call(
            call,
            baseline_levels=r.baseline.subdimension_levels(),
            baseline_label=f"Messung vom {german_date(r.baseline.date)}",
            outcome_levels=levels,
            outcome_label=f"Prognose aus den geplanten Maßnahmen bis {german_date(call.end)}",
            measures=s.measures if s else [],
            granted=part.granted if part else None,
        )
    return Readiness(o, r, reason, forecast, tuple(lifts))


@dataclass(frozen=True)
class ReadinessReport:
    """The current call across offices, as a page or the Landesbericht shows it."""

    call: FundingCall
    today: date
    rows: tuple[Readiness, ...]

    def count(self, met: bool | None) -> int:
        return sum(1 for x in self.rows if x.met is met)

    def forecast_count(self, met: bool | None) -> int:
        """Among the offices not checkable: how many the forecast gives `met` (None: no forecast or not checkable)."""
        return sum(1 for x in self.rows if x.met is None and x.forecast_met is met)


def readiness_report(offices: Iterable[Office], today: date, call: FundingCall | None = None) -> ReadinessReport:
    """Readiness of every office for `call` (default: the current call on `today`); offices not
    checkable first, then not met, then met, each A–Z."""
    call = call or current_call(today)
    rows = [readiness(o, call) for o in offices]
    order = {None: 0, False: 1, True: 2}
    rows.sort(key=lambda x: (order[x.met], x.office.name.casefold()))
    return ReadinessReport(call, today, tuple(rows))


__all__ = [
    "Lift",
    "Readiness",
    "ReadinessReport",
    "current_call",
    "forecast_levels",
    "readiness",
    "readiness_report",
]
