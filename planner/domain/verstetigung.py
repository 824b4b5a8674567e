"""Verstetigung (Steinfurt Verstetigungskonzept): the records a strategy keeps about its own
progress — status history, evaluations, indicators, earlier versions — and the evaluation
calendar that says which evaluation is due when.

The calendar rules (defaults, intervals are `Rules` settings):

- a measure with an end (the actual end when recorded, else the planned end) has a `prozess`
  evaluation the month after its end and a `wirkung` evaluation 12 months after its end;
- a measure running longer than 12 months (start to end inclusive), or open-ended, has a
  `prozess` evaluation every 12 months after its start while it runs: due months up to and
  including its end month; open-ended: up to the first one after today's month;
- backlog, unplanned (no start and no actual start/end) and dropped measures have none;
- the strategy has a `prozess` evaluation every 24 months after adoption (up to the first one
  after today's month) and a `wirkung` evaluation 60 months after the line's first adoption;
  a Fortschreibung made from a review (`history[-1].reviewed`) counts its process evaluations
  from that review, which is one of them;
- across versions: a carried measure's yearly evaluations missed before the review the version
  was made from become one item to catch up ("nachholen"); a finished measure needs none of them;
- an evaluation is overdue when its due month is before today's month and no such evaluation
  is recorded;
- "Status klären" instead of due or overdue: no evaluation is due before the real dates are
  known. While a measure's planned end has passed and it is not marked finished (schedule
  state `abschluss_ueberfaellig`), its completion and impact evaluations wait for the actual
  end; while its planned start has passed and it has not begun (status `geplant`, no actual
  start), its yearly evaluations wait too; a finished measure without any end (open-ended,
  no actual end recorded) waits for its actual end. Recording the status (finished, actual
  end) turns them into ordinary due or overdue evaluations.

"After today" means after today's month: a due month equal to today's month is listed and so
is the next one. The start of the yearly rhythm is the actual start when recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from .months import Month, month_of  # month_of: also imported from here by the pages
from .schedule_state import State, schedule_state
from .strategy import Measure, Status, Strategy
from .validation import Problem

STRATEGY = "strategy"  # the subject of strategy-level evaluations


class Kind(Enum):
    """Process evaluation or impact evaluation (Wirkungsevaluation)."""

    PROZESS = "prozess"
    WIRKUNG = "wirkung"

    @property
    def label(self) -> str:
        return "Prozessevaluation" if self is Kind.PROZESS else "Wirkungsevaluation"


class EvaluationAnswer(Enum):
    """Answer to a measurable criterion of the process evaluation (ja, teilweise, nein); the maturity
    criteria have their own answers (domain.maturity.Answer)."""

    JA = "ja"
    TEILWEISE = "teilweise"
    NEIN = "nein"

    @property
    def label(self) -> str:
        return self.value


class Outcome(Enum):
    """What a measure evaluation recommends for the Fortschreibung (Steinfurt's Stellschrauben)."""

    FORTFUEHREN = "fortfuehren"
    ANPASSEN = "anpassen"
    NEU_AUSRICHTEN = "neu_ausrichten"
    VERWERFEN = "verwerfen"
    TEAM_AENDERN = "team_aendern"
    OKR = "okr"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.FORTFUEHREN: "fortführen",
    Outcome.ANPASSEN: "Maßnahme anpassen",
    Outcome.NEU_AUSRICHTEN: "neu ausrichten",
    Outcome.VERWERFEN: "verwerfen",
    Outcome.TEAM_AENDERN: "Umsetzungsteam ändern",
    Outcome.OKR: "Prozess anpassen (z. B. OKR)",
}


class Decision(Enum):
    """The decision on a carried-over measure in a Fortschreibung."""

    BEHALTEN = "behalten"
    ANPASSEN = "anpassen"
    VERWERFEN = "verwerfen"
    ABGESCHLOSSEN = "abgeschlossen"  # from a review: done, stays behind in the old version
    BACKLOG = "backlog"  # from a review: carried over into the backlog

    @property
    def label(self) -> str:
        return "in den Backlog" if self is Decision.BACKLOG else self.value

    @property
    def carried(self) -> bool:
        """Whether the measure goes into the next version."""
        return self not in (Decision.VERWERFEN, Decision.ABGESCHLOSSEN)


class ReviewDecision(Enum):
    """What the review decides for a measure."""

    ABGESCHLOSSEN = "abgeschlossen"
    BEHALTEN = "behalten"
    ANPASSEN = "anpassen"
    VERWERFEN = "verwerfen"
    BACKLOG = "backlog"

    @property
    def label(self) -> str:
        return "in den Backlog" if self is ReviewDecision.BACKLOG else self.value

    @property
    def carry(self) -> Decision:
        """The decision the Fortschreibung records for a carried-over measure."""
        return Decision(self.value)


@dataclass
class ReviewEntry:
    """A review's decision on one measure: what was proposed and why, what was decided, a note."""

    measure: str
    proposed: ReviewDecision
    reason: str = ""
    decision: ReviewDecision | None = None
    note: str = ""


@dataclass
class ReviewRecord:
    """A strategy review meeting of one version (the strategy file's `reviews`): its date,
    participants, minutes, whether it was finalised, and the decision per measure."""

    held_on: date | None = None
    participants: str = ""
    minutes: str = ""
    finalised: bool = False
    decisions: list[ReviewEntry] = field(default_factory=list)


REVIEW_FORM_PARTS = (
    ("direction", "Kernfrage 1: Entwickeln wir uns in die gewünschte Richtung?"),
    ("goals_reached", "Kernfrage 2: Erreichen wir mit den gewählten Maßnahmen unsere Ziele?"),
    ("decisions", "Beschlüsse"),
    ("notes", "Weitere Perspektiven jenseits des Reifegradmodells"),
)


def review_from_evaluation(record: EvaluationRecord) -> ReviewRecord | None:
    """The review a strategy process evaluation with Beschlüsse stands for: the meeting recorded with
    the former review form (files and databases before issue 24). Its texts become the minutes; the
    evaluation stays what it is. None for any other evaluation."""
    if record.subject != STRATEGY or record.kind is not Kind.PROZESS or not record.decisions.strip():
        return None
    minutes = "\n\n".join(
        f"{title}:\n{getattr(record, name).strip()}"
        for name, title in REVIEW_FORM_PARTS
        if getattr(record, name).strip()
    )
    return ReviewRecord(record.performed, record.by, minutes, True, [])


SOFT_CRITERIA = {
    "cooperation": "Zusammenarbeit (ämterintern und -übergreifend)",
    "participation": "Beteiligung der Mitarbeitenden",
    "communication": "Kommunikation (im Team und mit Betroffenen)",
}
ANSWER_FIELDS = ("done", "schedule_kept", "financial", "staff", "material")  # the measurable criteria
TEXT_FIELDS = (  # the free texts of a record
    "went_well",
    "went_badly",
    "citizen_survey",
    "staff_survey",
    "direction",
    "goals_reached",
    "decisions",
    "notes",
)
RATINGS = {1: "sehr schlecht", 2: "schlecht", 3: "mittel", 4: "gut", 5: "sehr gut"}


@dataclass
class Soft:
    """One soft criterion: a rating 1 (sehr schlecht) to 5 (sehr gut) and a text."""

    rating: int | None = None
    text: str = ""


@dataclass
class EvaluationRecord:
    """A recorded evaluation of a measure or of the strategy."""

    subject: str  # measure key or STRATEGY
    kind: Kind
    performed: date
    due: Month | None = None  # the calendar slot it fulfils; None: the earliest open one
    by: str = ""
    # measurable criteria (process evaluation of a measure)
    done: EvaluationAnswer | None = None
    schedule_kept: EvaluationAnswer | None = None
    financial: EvaluationAnswer | None = None
    staff: EvaluationAnswer | None = None
    material: EvaluationAnswer | None = None
    # soft criteria
    cooperation: Soft = field(default_factory=Soft)
    participation: Soft = field(default_factory=Soft)
    communication: Soft = field(default_factory=Soft)
    # lessons learned
    went_well: str = ""
    went_badly: str = ""
    outcome: Outcome | None = None
    # impact evaluation: survey summaries
    citizen_survey: str = ""
    staff_survey: str = ""
    # strategy review: the two core questions and the decisions of the meeting
    direction: str = ""
    goals_reached: str = ""
    decisions: str = ""
    notes: str = ""


@dataclass
class IndicatorValue:
    """One measured value of an indicator."""

    measured: date
    value: float


@dataclass
class Indicator:
    """A quantitative indicator of a measure's impact (e.g. average process duration in days)."""

    name: str
    unit: str = ""
    baseline: float | None = None
    target: float | None = None
    values: list[IndicatorValue] = field(default_factory=list)

    @property
    def latest(self) -> IndicatorValue | None:
        return max(self.values, key=lambda v: v.measured) if self.values else None

    def progress(self) -> float | None:
        """Share of the way from baseline to target reached by the latest value (1.0 = target met)."""
        latest = self.latest
        if latest is None or self.baseline is None or self.target is None or self.target == self.baseline:
            return None
        return (latest.value - self.baseline) / (self.target - self.baseline)


@dataclass
class StatusChange:
    """A status a measure was given, by whom and when."""

    changed: date
    status: Status
    by: str = ""
    note: str = ""


@dataclass
class CarryOver:
    """The decision on one measure when the strategy was carried into its next version."""

    measure: str
    title: str
    decision: Decision
    note: str = ""


@dataclass
class VersionEntry:
    """An earlier version of the strategy and the decisions of its Fortschreibung."""

    version: str
    title: str
    adopted: Month | None = None
    replaced: date | None = None
    decisions: list[CarryOver] = field(default_factory=list)
    reviewed: date | None = None  # the day of the review the Fortschreibung was made from


@dataclass
class Resolution:
    """The Beschluss that adopted a strategy version: when, by which body (Kreistag,
    Gesundheitsausschuss, …), under which reference (optional)."""

    decided_on: date
    body: str
    reference: str = ""


@dataclass
class TrackedStrategy(Strategy):
    """A strategy with its Verstetigung records: evaluations, indicators and status history per
    measure key, and the earlier versions this one was carried over from."""

    evaluations: list[EvaluationRecord] = field(default_factory=list)
    indicators: dict[str, list[Indicator]] = field(default_factory=dict)
    status_history: dict[str, list[StatusChange]] = field(default_factory=dict)
    history: list[VersionEntry] = field(default_factory=list)
    reviews: list[ReviewRecord] = field(default_factory=list)
    resolution: Resolution | None = None

    @property
    def draft(self) -> bool:
        """A Fortschreibung not adopted yet: "Entwurf – Beschluss ausstehend"."""
        return bool(self.history) and self.adopted is None and self.resolution is None


# --- the calendar ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """Intervals of the evaluation calendar in months; the defaults are Steinfurt's."""

    process_after_end: int = 1
    impact_after_end: int = 12
    yearly: int = 12  # the rhythm while a measure runs, and what counts as long-running
    strategy_process: int = 24
    strategy_impact: int = 60


REASONS = {
    "ende": "nach Abschluss",
    "jaehrlich": "jährlich während der Umsetzung",
    "wirkung": "Wirkung frühestens ein Jahr nach Abschluss",
    "strategie": "Strategieevaluation alle zwei Jahre",
    "strategie-wirkung": "Wirkung der Strategie nach fünf Jahren",
    "nachholen": "jährliche Evaluation nachholen (aus der Vorversion)",
}


@dataclass(frozen=True)
class Due:
    """One evaluation in the calendar."""

    subject: str
    kind: Kind
    due: Month
    reason: str
    overdue: bool = False
    record: EvaluationRecord | None = None
    unclear: bool = False  # "Status klären": waits for the measure's real start or end (module docstring)

    @property
    def done(self) -> bool:
        return self.record is not None

    @property
    def state(self) -> str:
        """erledigt, ueberfaellig, status_klaeren or offen."""
        if self.done:
            return "erledigt"
        if self.unclear:
            return "status_klaeren"
        return "ueberfaellig" if self.overdue else "offen"

    def as_json(self) -> dict:
        """The CLI's form: subject, kind, due, overdue, state."""
        return {
            "subject": self.subject,
            "kind": self.kind.value,
            "due": str(self.due),
            "overdue": self.overdue,
            "state": self.state,
        }


def actual_month_problems(m: Measure, today: date | None = None, *, recording: bool = False) -> list[Problem]:
    """The rules for the months a measure really started and ended, whichever way they come in
    (Fortschritt form, Statusabfrage, Maßnahmenliste, strategy file): the end not before the start;
    neither in the future (when `today` is known: files read without a day skip this); and, when
    progress is being recorded (`recording`), a finished measure needs its end."""
    problems: list[Problem] = []
    start, end = m.actual_start, m.actual_end
    if start and end and end < start:
        problems.append(
            Problem(f"Das tatsächliche Ende {end.german()} liegt vor dem tatsächlichen Beginn {start.german()}.",
                    m.key, "actual_end")
        )  # fmt: skip
    if today is not None:
        for name, month in (("actual_start", start), ("actual_end", end)):
            if month and month > month_of(today):
                problems.append(
                    Problem(
                        f"{month.german()} liegt in der Zukunft; erfasst wird, was tatsächlich geschah.", m.key, name
                    )
                )
    if recording and m.status is Status.ABGESCHLOSSEN and end is None:
        problems.append(
            Problem("Für eine abgeschlossene Maßnahme bitte das tatsächliche Ende angeben.", m.key, "actual_end")
        )
    return problems


def actual_or_planned(m: Measure) -> tuple[Month | None, Month | None]:
    """Start and end of a measure: the actual months when recorded, else the planned ones."""
    return (m.actual_start or m.start, m.actual_end or m.end)


def has_evaluations(m: Measure) -> bool:
    """Backlog, dropped and unplanned measures have no evaluations."""
    if not m.status.in_roadmap:
        return False
    start, end = actual_or_planned(m)
    return start is not None or end is not None


def measure_slots(m: Measure, today: Month, rules: Rules = Rules()) -> list[tuple[Kind, Month, str]]:
    """The evaluation slots of one measure, by the rules in the module docstring."""
    if not has_evaluations(m):
        return []
    start, end = actual_or_planned(m)
    slots: list[tuple[Kind, Month, str]] = []
    if start is not None and end is None:  # open-ended: yearly, up to the first one after today
        due = start + rules.yearly
        while True:
            slots.append((Kind.PROZESS, due, "jaehrlich"))
            if due > today:
                break
            due = due + rules.yearly
        return slots
    if start is not None and end - start + 1 > rules.yearly:  # long-running: yearly while it runs
        due = start + rules.yearly
        while due <= end:
            slots.append((Kind.PROZESS, due, "jaehrlich"))
            due = due + rules.yearly
    slots.append((Kind.PROZESS, end + rules.process_after_end, "ende"))
    slots.append((Kind.WIRKUNG, end + rules.impact_after_end, "wirkung"))
    return slots


def first_adoption(s: Strategy) -> Month | None:
    """The first adoption of the strategy line: the earliest version's adoption month the version
    history knows (`history`), else this version's."""
    months = [v.adopted for v in getattr(s, "history", []) if v.adopted is not None]
    return months[0] if months else s.adopted


def boundary(s: Strategy) -> Month | None:
    """The month of the review this version was carried over from (None: the line's first version).
    Evaluations due up to then were owed by the earlier version."""
    history = getattr(s, "history", [])
    if not history:
        return None
    last = history[-1]
    day = last.reviewed or last.replaced
    return month_of(day) if day is not None else None


def strategy_slots(s: Strategy, today: Month, rules: Rules = Rules()) -> list[tuple[Kind, Month, str]]:
    """The strategy's own evaluations: the process evaluation every 24 months — after adoption, or,
    in a Fortschreibung, from the review it was made from (which is that evaluation) —, and the
    impact evaluation 60 months after the line's first adoption."""
    history = getattr(s, "history", [])
    reviewed = month_of(history[-1].reviewed) if history and history[-1].reviewed else None
    since = reviewed or s.adopted
    first = first_adoption(s)
    if since is None:
        return []
    slots: list[tuple[Kind, Month, str]] = []
    due = since if reviewed is not None else since + rules.strategy_process
    while True:
        slots.append((Kind.PROZESS, due, "strategie"))
        if due > today:
            break
        due = due + rules.strategy_process
    if first is not None:
        slots.append((Kind.WIRKUNG, first + rules.strategy_impact, "strategie-wirkung"))
    return slots


def _assign(slots: list[tuple[Kind, Month, str]], records: list[EvaluationRecord]) -> dict[int, EvaluationRecord]:
    """Which record fulfils which slot: its `due` month exactly, else the earliest open slot of its kind."""
    taken: dict[int, EvaluationRecord] = {}
    ordered = sorted(records, key=lambda r: (r.due is None, r.performed))
    for record in ordered:
        candidates = [i for i, (kind, due, _) in enumerate(slots) if kind is record.kind and i not in taken]
        if record.due is not None:
            candidates = [i for i in candidates if slots[i][1] == record.due]
        if candidates:
            taken[min(candidates, key=lambda i: slots[i][1])] = record
    return taken


def waiting_reasons(m: Measure, today: Month) -> set[str]:
    """The slot reasons of a measure that wait for its real dates ("Status klären"), see the module docstring."""
    state = schedule_state(m, today).state
    begun = m.actual_start is not None or m.status is not Status.GEPLANT
    waiting: set[str] = set()
    if state is State.ABSCHLUSS_UEBERFAELLIG:
        waiting |= {"ende", "wirkung"}
    if state in (State.ABSCHLUSS_UEBERFAELLIG, State.BEGINN_UEBERFAELLIG) and not begun:
        waiting.add("jaehrlich")
    if state is State.ABGESCHLOSSEN and m.end is None and m.actual_end is None:
        waiting |= {"jaehrlich", "ende", "wirkung"}  # finished, but when?
    return waiting


def _carried_over(
    slots: list[tuple[Kind, Month, str]], done: dict[int, EvaluationRecord], *, finished: bool, edge: Month
) -> tuple[list[tuple[Kind, Month, str]], dict[int, EvaluationRecord]]:
    """A measure's yearly evaluations missed before the version began (due up to the review
    month `edge`, not recorded): one item to catch up ("nachholen", the latest), none for a finished
    measure (its completion evaluation covers them) — never a pile of missed years."""
    missed = [i for i, (_, due, reason) in enumerate(slots) if reason == "jaehrlich" and due <= edge and i not in done]
    keep = set() if finished or not missed else {missed[-1]}
    out: list[tuple[Kind, Month, str]] = []
    records: dict[int, EvaluationRecord] = {}
    for i, (kind, due, reason) in enumerate(slots):
        if i in missed and i not in keep:
            continue
        if i in done:
            records[len(out)] = done[i]
        out.append((kind, due, "nachholen" if i in keep else reason))
    return out, records


def calendar(strategy: TrackedStrategy, today: date, rules: Rules = Rules()) -> list[Due]:
    """Every evaluation of the strategy and its measures, by due month (strategy first within a month)."""
    now = month_of(today)
    by_subject: dict[str, list[EvaluationRecord]] = {}
    for r in strategy.evaluations:
        by_subject.setdefault(r.subject, []).append(r)
    order = {STRATEGY: -1} | {m.key: i for i, m in enumerate(strategy.measures)}
    out: list[Due] = []
    subjects = [(STRATEGY, strategy_slots(strategy, now, rules), set())]
    subjects += [(m.key, measure_slots(m, now, rules), waiting_reasons(m, now)) for m in strategy.measures]
    edge = boundary(strategy)
    for subject, slots, waiting in subjects:
        done = _assign(slots, by_subject.get(subject, []))
        if edge is not None and subject != STRATEGY:
            slots, done = _carried_over(slots, done, finished=schedule_state(strategy.measure(subject), now).state
                                        is State.ABGESCHLOSSEN, edge=edge)  # fmt: skip
        for i, (kind, due, reason) in enumerate(slots):
            record = done.get(i)
            unclear = record is None and reason in waiting
            overdue = record is None and not unclear and due < now
            out.append(Due(subject, kind, due, REASONS[reason], overdue=overdue, record=record, unclear=unclear))
    out.sort(key=lambda d: (d.due.index, order.get(d.subject, 0), d.kind.value))  # ints: Month compares slowly
    return out


def calendar_report(strategy: TrackedStrategy, today: date, rules: Rules = Rules()) -> dict:
    """`planner evaluations --json`: {"evaluations": [{subject, kind, due, overdue, state}, ...]}."""
    return {"evaluations": [d.as_json() for d in calendar(strategy, today, rules)]}


# --- actual progress ---------------------------------------------------------------------


@dataclass(frozen=True)
class Adherence:
    """Planned against actual months; a positive delay means later than planned."""

    start_delay: int | None
    end_delay: int | None

    @property
    def kept(self) -> bool | None:
        """Schedule kept: ended no later than planned (None while unknown)."""
        if self.end_delay is not None:
            return self.end_delay <= 0
        return None


def adherence(m: Measure) -> Adherence:
    """Schedule adherence from planned and actual months."""
    start = m.actual_start - m.start if m.actual_start and m.start else None
    end = m.actual_end - m.end if m.actual_end and m.end else None
    return Adherence(start, end)


def schedule_answer(m: Measure) -> EvaluationAnswer | None:
    """The prefill of „Zeitplan eingehalten?“: ja / nein from planned vs actual end, else unknown."""
    kept = adherence(m).kept
    if kept is None:
        return None
    return EvaluationAnswer.JA if kept else EvaluationAnswer.NEIN


def calendar_lines(strategy: Strategy, entries: list[Due]) -> list[str]:
    """The calendar as German text lines, one evaluation each."""
    titles = {m.key: m.title for m in strategy.measures} | {STRATEGY: "Strategie"}
    lines = []
    for d in entries:
        state = {"erledigt": "erledigt", "ueberfaellig": "ÜBERFÄLLIG", "status_klaeren": "Status klären"}.get(
            d.state, "offen"
        )
        lines.append(f"{d.due.german()}  {d.kind.label:<19} {state:<13} {titles.get(d.subject, d.subject)}")
    overdue = sum(d.overdue for d in entries)
    unclear = sum(d.unclear for d in entries)
    lines.append(
        f"{len(entries)} Evaluationen, davon {overdue} überfällig"
        + (f", {unclear} warten auf den Status der Maßnahme (Status klären)" if unclear else "")
    )
    return lines
