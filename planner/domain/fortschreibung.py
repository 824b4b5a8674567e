"""The Fortschreibung: the next version of a strategy, made from the decisions of its finalised
review — the decision table (issue 24), one home for the web and the command line.

| decision / state | in the next version |
|---|---|
| behalten, running (in Umsetzung) | same status, actual and planned start kept; a passed end gets a proposed new end inside the new period |
| behalten, planned in the future | dates unchanged |
| behalten, planned but the start has passed without a start | re-planned inside the new period, same length, after its prerequisites |
| behalten, ongoing (fortlaufend) | ongoing from its real start, no end |
| behalten, backlog | stays in the backlog (deferred once more: it was reconsidered) |
| anpassen | carried, re-planned from the new period's first month on (a running measure keeps its start) |
| in den Backlog | backlog, no dates, one more deferral |
| abgeschlossen | not an open measure any more; carried as finished while an evaluation of it is pending |
| verwerfen | not an open measure any more |
| no decision | kept exactly as it was ("alle übrigen behalten") |

Dependencies on finished or dropped measures are removed, and so are those of a running measure
on a prerequisite that is not done (it has begun regardless); the preview lists each. Measures
that have not begun are moved after their prerequisites (`planning.propose_schedule`), so the new
version has no schedule conflict. The plan period runs from the month after the review for two
years. The new version is a draft: no adoption month until its Beschluss is recorded.

Evaluations belong to the strategy line: the review is recorded as the strategy's process
evaluation; the version history (`history`) keeps the first adoption (the five-year impact
evaluation counts from it) and the review's day (the calendar's boundary between versions, see
`verstetigung.calendar`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum

from .catalogue import catalogue
from .german import german_date
from .maturity import Level, default_target, rank
from .months import Month, format_range, month_of
from .planning import begun, propose_schedule
from .schedule import schedule_conflicts
from .schedule_state import State, schedule_state
from .strategy import Measure, Status
from .validation import MAX_TEXT
from .verstetigung import (
    STRATEGY,
    CarryOver,
    Decision,
    EvaluationRecord,
    Kind,
    ReviewDecision,
    VersionEntry,
    calendar,
)
from .verstetigung_versions import FortschreibungError
from .whole_strategy import WholeStrategy

PERIOD_MONTHS = 24  # Steinfurt: "zeitlich begrenzte Gültigkeit von zwei Jahren"
UNKNOWN_REMAINDER = 3  # months proposed for a running measure whose planned end has passed


class Rule(Enum):
    """The row of the decision table a measure falls under."""

    RUNNING = "behalten, läuft"
    FUTURE = "behalten, geplant"
    MISSED = "behalten, Beginn verpasst"
    ONGOING = "behalten, fortlaufend"
    BACKLOG_KEPT = "behalten, Backlog"
    UNPLANNED = "behalten, ohne Termin"
    ADAPT = "anpassen"
    TO_BACKLOG = "in den Backlog"
    FINISHED = "abgeschlossen"
    DROPPED = "verwerfen"
    UNDECIDED = "ohne Entscheidung"
    DROPPED_BEFORE = "bereits verworfen"


def default_start(review_day: date) -> Month:
    """The new version starts the month after the review meeting."""
    return month_of(review_day) + 1


def default_end(start: Month) -> Month:
    """Two years from the start month: 01/2027 → 12/2028."""
    return start + (PERIOD_MONTHS - 1)


def default_name(start: Month) -> str:
    return f"Fortschreibung {start.german()}"


@dataclass(frozen=True)
class Line:
    """One measure of the old version in the preview: what the decision makes of it, and why."""

    key: str
    title: str
    decision: ReviewDecision | None
    note: str
    rule: Rule
    before: str  # status and dates in the old version (German)
    after: str  # status and dates in the new version, or why it is not carried
    reason: str  # why these dates (German)
    carried: bool
    changed: bool  # dates or status differ from the old version


@dataclass(frozen=True)
class RemovedDependency:
    measure: str
    prerequisite: str
    why: str


@dataclass
class Fortschreibung:
    """The next version and its preview, before anything is stored."""

    strategy: WholeStrategy
    lines: list[Line]
    removed: list[RemovedDependency]
    start: Month
    end: Month
    undecided: list[str] = field(default_factory=list)  # titles of measures without a decision
    targets_before: dict[str, int] = field(default_factory=dict)
    assessed: bool = False  # whether the targets come from an assessment

    @property
    def outside(self) -> list[Line]:
        """Carried measures whose proposed end lies after the period."""
        return [
            line
            for line in self.lines
            if line.carried
            and (m := self.strategy.measure(line.key)) is not None
            and m.status.in_roadmap
            and m.status is not Status.ABGESCHLOSSEN
            and (m.end or m.start or self.start) > self.end
        ]

    @property
    def conflicts(self):
        return schedule_conflicts(self.strategy.measures)

    @property
    def changed_targets(self) -> list[tuple[str, int, int]]:
        """(subdimension, target before, proposed) where the proposal changes the target."""
        floor = default_target()
        return [
            (s, self.targets_before.get(s, floor), t)
            for s, t in self.strategy.targets.items()
            if t != self.targets_before.get(s, floor)
        ]


def _dates(m: Measure) -> str:
    planned = format_range(m.start, m.end) or "ohne Termin"
    actual = ""
    if m.actual_start or m.actual_end:
        actual = ", tatsächlich " + (format_range(m.actual_start, m.actual_end) or f"bis {m.actual_end.german()}")
    return f"{m.status.label}, {planned}{actual}"


def _finished(m: Measure, today: Month) -> bool:
    return schedule_state(m, today).state is State.ABGESCHLOSSEN


def _rule(m: Measure, decision: ReviewDecision | None, now: Month) -> Rule:
    if decision is ReviewDecision.VERWERFEN:  # also when finalising the review marked it dropped already
        return Rule.DROPPED
    if m.status is Status.VERWORFEN:
        return Rule.DROPPED_BEFORE
    if decision is ReviewDecision.ABGESCHLOSSEN or _finished(m, now):
        return Rule.FINISHED
    if decision is None:
        return Rule.UNDECIDED
    if decision is ReviewDecision.BACKLOG:
        return Rule.TO_BACKLOG
    if decision is ReviewDecision.ANPASSEN:
        return Rule.ADAPT
    if m.status is Status.BACKLOG:
        return Rule.BACKLOG_KEPT
    if m.status is Status.FORTLAUFEND:
        return Rule.ONGOING
    if begun(m):
        return Rule.RUNNING
    if m.start is None:
        return Rule.UNPLANNED
    if schedule_state(m, now).state.overdue:
        return Rule.MISSED
    return Rule.FUTURE


def _length(m: Measure) -> int | None:
    return m.duration


def successor(
    old: WholeStrategy,
    decisions: Mapping[str, tuple[ReviewDecision, str]],
    *,
    review_day: date,
    today: date,
    version: str,
    start: Month | None = None,
    end: Month | None = None,
    max_parallel: int | None = None,
    latest_levels: Mapping[str, Level] | None = None,
    review_text: str = "",
) -> Fortschreibung:
    """The next version of `old` from the review's `decisions` (measure key → decision, note; a
    measure left out has none): the decision table in the module docstring. `review_day`: the day
    of the review meeting; `today`: the day of the Fortschreibung; the period `start`–`end`
    (default: the month after the review, two years); `max_parallel`: at most so many measures per
    lead owner at once in the proposed dates; `latest_levels`: the latest assessment's levels per
    subdimension, for the proposed targets; `review_text`: what the review's record says."""
    if not version.strip():
        raise FortschreibungError("Bitte eine Bezeichnung für die neue Version angeben.")
    if version.strip() == old.version.strip():
        raise FortschreibungError(f"Die neue Version braucht eine andere Bezeichnung als „{old.version}“.")
    start = start or default_start(review_day)
    end = end or default_end(start)
    if end < start:
        raise FortschreibungError("Das Ende des Zeitraums liegt vor seinem Beginn.")
    reviewed = month_of(review_day)
    titles = {m.key: m.title for m in old.measures}
    rules: dict[str, Rule] = {}
    carried: list[Measure] = []
    finished: list[Measure] = []
    reasons: dict[str, str] = {}
    for m in old.measures:
        decision = decisions.get(m.key, (None, ""))[0]
        rule = rules[m.key] = _rule(m, decision, reviewed)
        n = copy.deepcopy(m)
        if rule in (Rule.DROPPED, Rule.DROPPED_BEFORE):
            continue
        if rule is Rule.FINISHED:
            if decision is ReviewDecision.ABGESCHLOSSEN and n.actual_end is None and (n.start or n.actual_start):
                n.actual_end = reviewed  # decided finished in the review: it ended by then
                reasons[m.key] = f"im Review als abgeschlossen festgestellt, tatsächliches Ende {reviewed.german()}"
            n.status = Status.ABGESCHLOSSEN
            finished.append(n)
            continue
        if rule is Rule.TO_BACKLOG:
            n.status, n.start, n.end = Status.BACKLOG, None, None
            n.deferrals += 1
            reasons[m.key] = f"in den Backlog: ohne Termin, {n.deferrals}-mal zurückgestellt"
        elif rule is Rule.BACKLOG_KEPT:  # reconsidered and deferred once more
            n.deferrals += 1
            reasons[m.key] = f"bleibt im Backlog, {n.deferrals}-mal zurückgestellt"
        elif rule is Rule.UNDECIDED:
            reasons[m.key] = "ohne Entscheidung: unverändert übernommen (alle übrigen behalten)"
        elif rule is Rule.UNPLANNED:
            reasons[m.key] = "ohne Termin, unverändert"
        elif rule is Rule.FUTURE:
            reasons[m.key] = "geplant, Termine unverändert"
        elif rule is Rule.ONGOING:
            n.start = m.actual_start or m.start
            n.end = None
            since = n.start.german() if n.start else "–"
            reasons[m.key] = f"fortlaufend seit {since}, ohne Ende"
        elif rule in (Rule.RUNNING, Rule.ADAPT) and begun(m):  # a running measure is never re-planned
            since = (m.actual_start or m.start).german() if (m.actual_start or m.start) else "–"
            if m.end is None:
                reasons[m.key] = f"läuft seit {since}, Beginn bleibt, ohne geplantes Ende"
            elif m.end < start:
                n.end = start + (UNKNOWN_REMAINDER - 1)
                reasons[m.key] = (
                    f"läuft seit {since}, Beginn bleibt; geplantes Ende {m.end.german()} überschritten: "
                    f"neues Ende {n.end.german()} vorgeschlagen"
                )
            else:
                reasons[m.key] = f"läuft seit {since}, Termine bleiben"
        elif m.start is None:  # ADAPT of a measure without dates: nothing to move
            reasons[m.key] = "anpassen: ohne Termin, bitte im neuen Zeitraum planen"
        else:  # MISSED, or ADAPT of a measure that has not begun: from the period's first month on
            length = _length(m)
            n.start = start
            n.end = start + (length - 1) if length is not None else None
            reasons[m.key] = (
                "neu geplant ab Beginn des Zeitraums, gleiche Dauer"
                if rule is Rule.MISSED
                else "anpassen: neu geplant ab Beginn des Zeitraums"
            )
        carried.append(n)
    # dependencies: none on finished or dropped measures, none of a running one on an unfinished one
    gone = {k for k, r in rules.items() if r in (Rule.FINISHED, Rule.DROPPED, Rule.DROPPED_BEFORE)}
    present = {m.key for m in carried}
    removed: list[RemovedDependency] = []
    for n in carried:
        keep = []
        for k in n.depends_on:
            if k in gone or k not in present:
                why = {
                    Rule.FINISHED: "Voraussetzung abgeschlossen",
                    Rule.DROPPED: "Voraussetzung verworfen",
                    Rule.DROPPED_BEFORE: "Voraussetzung verworfen",
                }.get(rules.get(k), "Voraussetzung nicht übernommen")
                removed.append(RemovedDependency(n.title, titles.get(k, k), why))
            elif begun(n) and n.status.in_roadmap:
                since = (n.actual_start or n.start).german() if (n.actual_start or n.start) else ""
                removed.append(RemovedDependency(n.title, titles.get(k, k), f"läuft bereits seit {since}"))
            else:
                keep.append(k)
        n.depends_on = keep
    # dates: what has not begun follows its prerequisites (and the per-lead limit)
    draft = WholeStrategy(organisation=old.organisation, title=old.title, measures=carried)
    draft.window_start, draft.window_end = start, end
    proposal = propose_schedule(draft, max_parallel=max_parallel, keep_planned=True)
    for p in proposal.placements:
        if p.moved and not p.fixed:
            n = next(x for x in carried if x.key == p.key)
            n.start, n.end = p.proposed_start, p.proposed_end
            why = (
                f"nach „{titles.get(p.after, p.after)}“"
                if p.after
                else f"wegen Auslastung von {p.owner}"
                if p.owner
                else ""
            )
            reasons[p.key] = (reasons.get(p.key, "") + "; " if reasons.get(p.key) else "") + (
                f"verschoben {why}".strip()
            )
    # the record of the line: the review is the strategy's process evaluation
    decided = {k: v for k, v in decisions.items() if k in titles}
    entry = VersionEntry(
        old.version,
        old.title,
        old.adopted,
        today,
        [CarryOver(m.key, m.title, _carry(rules[m.key], decided.get(m.key)), decided.get(m.key, (None, ""))[1])
         for m in old.measures if rules[m.key] is not Rule.DROPPED_BEFORE],
        reviewed=review_day,
    )  # fmt: skip
    review_record = EvaluationRecord(
        STRATEGY,
        Kind.PROZESS,
        review_day,
        due=reviewed,
        # no `decisions`: a strategy evaluation with Beschlüsse is read as a review meeting of its own
        # version (the former review form); this one records the old version's review in the new one
        notes=(
            f"Strategiereview vom {german_date(review_day)}: Prozessevaluation der Strategie (Version {old.version})"
            + (f"\n{review_text}" if review_text else "")
        )[:MAX_TEXT],
    )
    new = WholeStrategy(
        organisation=old.organisation,
        title=old.title,
        version=version.strip(),
        adopted=None,  # a draft until its Beschluss
        window_start=start,
        window_end=end,
        vision=old.vision,
        mission=old.mission,
        principles=list(old.principles),
        measures=carried,
        assessments=list(old.assessments),
        targets=proposed_targets(latest_levels, old.targets),
        funding=list(old.funding),
        history=[*copy.deepcopy(old.history), entry],
    )
    # finished measures stay while an evaluation of them is pending
    keys_before = [m.key for m in old.measures]
    kept_records = [
        copy.deepcopy(r)
        for r in old.evaluations
        if (r.subject == STRATEGY and r.kind is Kind.WIRKUNG) or r.subject in present | {f.key for f in finished}
    ]
    new.evaluations = [*kept_records, review_record]
    trial = replace(new, measures=[*carried, *finished])
    pending = {d.subject for d in calendar(trial, today) if not d.done and d.subject != STRATEGY}
    still = [f for f in finished if f.key in pending]
    for f in still:
        f.depends_on = []
        reasons.setdefault(f.key, "abgeschlossen; bleibt für ausstehende Evaluationen in der neuen Version")
    order = {k: i for i, k in enumerate(keys_before)}
    new.measures = sorted([*carried, *still], key=lambda m: order[m.key])
    kept = {m.key for m in new.measures}
    new.evaluations = [r for r in new.evaluations if r.subject == STRATEGY or r.subject in kept]
    new.indicators = {k: copy.deepcopy(v) for k, v in old.indicators.items() if k in kept}
    new.status_history = {k: copy.deepcopy(v) for k, v in old.status_history.items() if k in kept}
    lines = []
    for m in old.measures:
        rule = rules[m.key]
        if rule is Rule.DROPPED_BEFORE:
            continue
        decision, note = decisions.get(m.key, (None, ""))
        n = new.measure(m.key)
        if n is None:
            after = "nicht übernommen: " + ("verworfen" if rule is Rule.DROPPED else "abgeschlossen, nichts mehr offen")
            reason = note or ("im Review verworfen" if rule is Rule.DROPPED else reasons.get(m.key, "abgeschlossen"))
        else:
            after, reason = _dates(n), reasons.get(m.key, "")
        lines.append(
            Line(
                m.key,
                m.title,
                decision,
                note,
                rule,
                _dates(m),
                after,
                reason,
                n is not None,
                n is None or (n.status, n.start, n.end) != (m.status, m.start, m.end),
            )
        )
    undecided = [line.title for line in lines if line.rule is Rule.UNDECIDED]
    return Fortschreibung(new, lines, removed, start, end, undecided, dict(old.targets), latest_levels is not None)


def _carry(rule: Rule, decided: tuple[ReviewDecision, str] | None) -> Decision:
    """The decision the version history records for a measure."""
    if decided is not None:
        return decided[0].carry
    return Decision.ABGESCHLOSSEN if rule is Rule.FINISHED else Decision.BEHALTEN


def latest_finalised_decisions(strategy) -> tuple[date | None, dict[str, tuple[ReviewDecision, str]], str] | None:
    """The latest finalised review of a strategy file (`reviews`): its day, its decisions (measure
    key → decision, note) and its minutes; None when the file has none."""
    done = [r for r in strategy.reviews if r.finalised]
    if not done:
        return None
    r = done[-1]
    return (
        r.held_on,
        {d.measure: (d.decision, d.note) for d in r.decisions if d.decision is not None},
        r.minutes,
    )


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
