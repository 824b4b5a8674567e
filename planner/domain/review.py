"""The biennial strategy review as a meeting's record, and the Fortschreibung it leads to.

- Every measure (except those already dropped) gets a proposed decision — abgeschlossen,
  behalten, anpassen, verwerfen, in den Backlog — from its status, its schedule state
  (domain.schedule_state, the one definition) and the outcome of its latest evaluation
  (`propose_decision`). The meeting may change each one and add a note.
- The Fortschreibung takes the finalised review's decisions over; a measure without a
  decision is kept ("alle übrigen behalten"). The new period is two years from the new start
  month; carried-over unfinished measures get proposed dates (`carry_dates`): their remaining
  duration from the new start, then the Planungsvorschlag (dependencies, per-lead limit K).
- The targets of the next period are proposed from the latest assessment: one stage above the
  level reached, at least stage 3 (`proposed_targets`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from .catalogue import catalogue
from .maturity import Level, default_target, rank
from .months import Month
from .planning import Proposal, begun, propose_schedule
from .schedule_state import ScheduleState, State, schedule_state
from .strategy import Measure, Status, Strategy
from .verstetigung import Decision, EvaluationRecord, Outcome, ReviewDecision
from .verstetigung_versions import latest_outcomes

PERIOD_MONTHS = 24  # Steinfurt: "zeitlich begrenzte Gültigkeit von zwei Jahren"
LONG_UNSTARTED = 12  # planned start this many months ago and not begun: propose the backlog
UNKNOWN_REMAINDER = 3  # months proposed for a begun measure whose planned end has passed


@dataclass(frozen=True)
class Proposed:
    """A proposed decision and why (German, shown beside it)."""

    decision: ReviewDecision
    reason: str


def _months(n: int) -> str:
    return "1 Monat" if n == 1 else f"{n} Monaten"


OUTCOME_DECISIONS = {
    Outcome.FORTFUEHREN: ReviewDecision.BEHALTEN,
    Outcome.ANPASSEN: ReviewDecision.ANPASSEN,
    Outcome.NEU_AUSRICHTEN: ReviewDecision.ANPASSEN,
    Outcome.TEAM_AENDERN: ReviewDecision.ANPASSEN,
    Outcome.OKR: ReviewDecision.ANPASSEN,
    Outcome.VERWERFEN: ReviewDecision.VERWERFEN,
}


def propose_decision(m: Measure, state: ScheduleState, outcome: Outcome | None = None) -> Proposed:
    """The decision proposed for measure `m` in its schedule state `state`, given the outcome of its
    latest evaluation. A finished measure is abgeschlossen; otherwise the evaluation's outcome
    decides; without one, the schedule state: overdue → anpassen (new dates), not begun for a year
    or more or without any date → Backlog, running or planned → behalten."""
    if state.state is State.ABGESCHLOSSEN:
        return Proposed(ReviewDecision.ABGESCHLOSSEN, "umgesetzt (" + state.text + ")")
    if state.state is State.VERWORFEN:
        return Proposed(ReviewDecision.VERWERFEN, "bereits verworfen")
    if outcome is not None:
        return Proposed(OUTCOME_DECISIONS[outcome], f"Ergebnis der letzten Evaluation: {outcome.label}")
    if state.state is State.BACKLOG:
        if m.deferrals >= 2:
            return Proposed(
                ReviewDecision.BACKLOG, f"{m.deferrals}-mal zurückgestellt: ist die Maßnahme noch relevant?"
            )
        return Proposed(ReviewDecision.BACKLOG, "im Backlog, keine Evaluation")
    if state.state is State.OHNE_TERMIN:
        return Proposed(ReviewDecision.BACKLOG, "ohne geplanten Zeitraum")
    if state.state is State.BEGINN_UEBERFAELLIG and (state.months_overdue or 0) >= LONG_UNSTARTED:
        return Proposed(
            ReviewDecision.ANPASSEN, f"seit {_months(state.months_overdue or 0)} nicht begonnen: neu planen"
        )
    if state.state.overdue:
        return Proposed(ReviewDecision.ANPASSEN, f"{state.text}: Termine anpassen")
    return Proposed(ReviewDecision.BEHALTEN, state.text)


def reviewed_measures(strategy: Strategy) -> list[Measure]:
    """The measures a review decides on: every measure not dropped before."""
    return [m for m in strategy.measures if m.status is not Status.VERWORFEN]


def propose_decisions(strategy: Strategy, today: date | Month) -> dict[str, Proposed]:
    """Measure key → proposed decision, for every measure the review decides on."""
    outcomes: dict[str, EvaluationRecord] = latest_outcomes(strategy)
    out = {}
    for m in reviewed_measures(strategy):
        record = outcomes.get(m.key)
        out[m.key] = propose_decision(m, schedule_state(m, today), record.outcome if record else None)
    return out


# --- Fortschreibung ----------------------------------------------------------------------------


def default_start(today: date) -> Month:
    """The new version starts the month after the review meeting."""
    return Month(today.year, today.month) + 1


def default_end(start: Month) -> Month:
    """Two years from the start month: 12/2026 → 11/2028."""
    return start + (PERIOD_MONTHS - 1)


def default_name(start: Month) -> str:
    return f"Fortschreibung {start.german()}"


def final_decisions(
    pending: list[Measure], decided: Mapping[str, tuple[ReviewDecision, str]]
) -> tuple[dict[str, tuple[Decision, str]], list[Measure]]:
    """The Fortschreibung's decision for every measure it must reconsider: the review's, else
    behalten ("alle übrigen behalten"); and the measures that had none."""
    out: dict[str, tuple[Decision, str]] = {}
    rest = []
    for m in pending:
        if m.key in decided:
            decision, note = decided[m.key]
            out[m.key] = (decision.carry, note)
        else:
            out[m.key] = (Decision.BEHALTEN, "im Review ohne Entscheidung: alle übrigen behalten")
            rest.append(m)
    return out, rest


def remaining(m: Measure, start: Month) -> Measure:
    """A begun, unfinished measure from the new start: its remaining months (planned end minus the
    new start; when the planned end has passed, UNKNOWN_REMAINDER months); open-ended stays so.
    A measure that has not begun keeps its dates (the proposal moves it whole)."""
    if m.start is None or not begun(m) or m.status is Status.ABGESCHLOSSEN or m.actual_end is not None:
        return m
    if m.end is None:
        return replace(m, start=start)
    if m.start >= start:
        return m
    months = m.end - start + 1 if m.end >= start else min(UNKNOWN_REMAINDER, m.duration or UNKNOWN_REMAINDER)
    return replace(m, start=start, end=start + (months - 1))


@dataclass(frozen=True)
class CarriedDate:
    """A carried-over measure's dates before and as proposed for the new version."""

    key: str
    title: str
    start: Month | None
    end: Month | None
    new_start: Month
    new_end: Month | None
    after: str | None = None  # the prerequisite whose end set the start
    owner: str | None = None  # the lead owner whose limit delayed it

    @property
    def changed(self) -> bool:
        return (self.start, self.end) != (self.new_start, self.new_end)


@dataclass
class CarriedPlan:
    """The proposed dates of a new version's measures and what the proposal left open."""

    dates: list[CarriedDate]
    proposal: Proposal
    start: Month
    end: Month

    @property
    def outside(self) -> list[CarriedDate]:
        """Measures the proposal could not fit into the period."""
        return [d for d in self.dates if (d.new_end or d.new_start) > self.end]

    def apply(self, measures: list[Measure]) -> list[Measure]:
        by_key = {d.key: d for d in self.dates}
        return [
            replace(m, start=by_key[m.key].new_start, end=by_key[m.key].new_end) if m.key in by_key else m
            for m in measures
        ]


def carry_dates(strategy: Strategy, start: Month, end: Month, max_parallel: int | None) -> CarriedPlan:
    """Proposed dates for the measures of a new version that starts in `start`: begun measures run
    their remaining months from `start`; then the Planungsvorschlag places everything that has not
    begun no earlier than `start`, after its prerequisites and within the per-lead limit."""
    shifted = [remaining(m, start) for m in strategy.measures]
    moved = replace(strategy, measures=shifted, window_start=start, window_end=end)
    plan = propose_schedule(moved, max_parallel=max_parallel, keep_planned=True, earliest=start, today=start)
    before = {m.key: m for m in strategy.measures}
    dates = [
        CarriedDate(
            p.key,
            before[p.key].title,
            before[p.key].start,
            before[p.key].end,
            p.proposed_start,
            p.proposed_end,
            p.after,
            p.owner,
        )
        for p in plan.placements
    ]
    return CarriedPlan(dates, plan, start, end)


def proposed_targets(latest_levels: Mapping[str, Level] | None, targets: Mapping[str, int]) -> dict[str, int]:
    """Targets per subdimension for the next period: one stage above the latest assessment's level,
    at least stage 3 and never below the current target; without an assessment, the current ones."""
    top = max(catalogue().stages)
    floor = default_target()
    out = {}
    for s in catalogue().subdimension_names:
        current = targets.get(s, floor)
        if latest_levels is None or s not in latest_levels:
            out[s] = current
            continue
        out[s] = min(top, max(floor, current, rank(latest_levels[s]) + 1))
    return out


# --- versions as one strategy -------------------------------------------------------------------


def version_groups(ids: list[int], successors: Mapping[int, int]) -> list[tuple[int, list[int]]]:
    """Strategies as the list shows them: each current version (one without a successor among
    `ids`) with its earlier versions, newest first; in the order the current versions come in `ids`."""
    present = set(ids)
    predecessor = {new: old for old, new in successors.items() if old in present and new in present}
    groups = []
    for i in ids:
        if successors.get(i) in present:
            continue  # an earlier version: listed beneath its current one
        older, cur = [], i
        while cur in predecessor:
            cur = predecessor[cur]
            older.append(cur)
        groups.append((i, older))
    return groups
