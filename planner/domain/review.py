"""The biennial strategy review as a meeting's record, and the Fortschreibung it leads to.

- Every measure (except those already dropped) gets a proposed decision — abgeschlossen,
  behalten, anpassen, verwerfen, in den Backlog — from its status, its schedule state
  (domain.schedule_state, the one definition) and the outcome of its latest evaluation
  (`propose_decision`). The meeting may change each one and add a note.
- The Fortschreibung takes the finalised review's decisions over: domain/fortschreibung.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from .months import Month
from .schedule_state import ScheduleState, State, schedule_state
from .strategy import Measure, Status, Strategy
from .verstetigung import EvaluationRecord, Outcome, ReviewDecision
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
