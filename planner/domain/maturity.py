"""ReDiGe maturity: assessments, levels by the 80 % rule, comparison and targets.

A level is an int 0..4 or None for "–" (stage 0 not met), which ranks below 0.
A subdimension that an assessment says nothing about is simply absent from its
level mapping ("keine Daten"); it is never confused with "–".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from fractions import Fraction

from .catalogue import catalogue
from .german import german_date

Level = int | None
DEFAULT_THRESHOLD = 0.8
NONE_LABEL = "–"


class Answer(Enum):
    """How a criterion is answered; "nicht beeinflussbar" takes it out of the count."""

    TRIFFT_ZU = "trifft_zu"
    IN_UMSETZUNG = "in_umsetzung"
    TRIFFT_NICHT_ZU = "trifft_nicht_zu"
    NICHT_BEEINFLUSSBAR = "nicht_beeinflussbar"

    @property
    def label(self) -> str:
        return ANSWER_LABELS[self]

    @property
    def influenceable(self) -> bool:
        return self is not Answer.NICHT_BEEINFLUSSBAR


ANSWER_LABELS = {
    Answer.TRIFFT_ZU: "Trifft zu",
    Answer.IN_UMSETZUNG: "In Umsetzung",
    Answer.TRIFFT_NICHT_ZU: "Trifft nicht zu",
    Answer.NICHT_BEEINFLUSSBAR: "nicht beeinflussbar",
}


class AssessmentKind(Enum):
    """Criteria answered one by one, or only the resulting levels (a result sheet)."""

    CRITERIA = "criteria"
    RESULT_SHEET = "result_sheet"

    @property
    def label(self) -> str:
        return "Kriterienbewertung" if self is AssessmentKind.CRITERIA else "Ergebnisblatt"


@dataclass(frozen=True)
class Criterion:
    """One position of the criteria catalogue: a statement for a subdimension and stage."""

    subdimension: str
    stage: int
    text: str
    note: str = ""


@dataclass(frozen=True)
class CriterionAnswer:
    """A criterion as answered in one assessment (the text is kept with the answer)."""

    subdimension: str
    stage: int
    criterion: str
    answer: Answer


@dataclass
class Assessment:
    """A dated maturity assessment of an organisation: criteria answers or result-sheet levels."""

    date: date
    levels: dict[str, Level] = field(default_factory=dict)
    answers: list[CriterionAnswer] = field(default_factory=list)
    threshold: float | None = None
    note: str = ""

    @property
    def kind(self) -> AssessmentKind:
        return AssessmentKind.CRITERIA if self.answers else AssessmentKind.RESULT_SHEET

    @property
    def effective_threshold(self) -> float:
        return self.threshold if self.threshold is not None else DEFAULT_THRESHOLD

    def subdimension_levels(self) -> dict[str, Level]:
        """Level per subdimension with data, in catalogue order."""
        if self.kind is AssessmentKind.CRITERIA:
            return {s: r.level for s, r in evaluate_criteria(self.answers, self.effective_threshold).items()}
        order = catalogue().subdimension_names
        return {s: self.levels[s] for s in order if s in self.levels}

    def dimension_levels(self) -> dict[str, Level]:
        return dimension_levels(self.subdimension_levels())

    def met_stages(self) -> dict[str, frozenset[int]]:
        """Stages marked X on the result sheet: met stages (criteria) or 0..level (result sheet)."""
        if self.kind is AssessmentKind.CRITERIA:
            return {s: r.met_stages for s, r in evaluate_criteria(self.answers, self.effective_threshold).items()}
        return {
            s: frozenset(range(lvl + 1)) if lvl is not None else frozenset()
            for s, lvl in self.subdimension_levels().items()
        }


# --- levels ------------------------------------------------------------------


def _fraction(threshold: float) -> Fraction:
    # 0.8 * 3 is 2.4000000000000004 in floats; compare exactly instead
    return Fraction(repr(threshold)).limit_denominator(10_000)


@dataclass(frozen=True)
class StageResult:
    """How one stage of one subdimension fares under the threshold rule."""

    stage: int
    answers: tuple[CriterionAnswer, ...]
    threshold: float

    @property
    def influenceable(self) -> int:
        return sum(1 for a in self.answers if a.answer.influenceable)

    @property
    def fulfilled(self) -> int:
        return sum(1 for a in self.answers if a.answer is Answer.TRIFFT_ZU)

    @property
    def assessed(self) -> bool:
        """At least one criterion of the stage was answered."""
        return bool(self.answers)

    @property
    def required(self) -> int:
        """How many influenceable criteria must be "Trifft zu" to meet the stage."""
        return math.ceil(_fraction(self.threshold) * self.influenceable)

    @property
    def met(self) -> bool:
        """At least `threshold` of the influenceable criteria are "Trifft zu".

        A stage whose criteria are all not influenceable has nothing left to fail and is met;
        a stage without any answered criterion is not assessed and therefore not met.
        """
        return self.assessed and self.fulfilled >= self.required

    @property
    def share(self) -> float | None:
        """Fulfilled share of the influenceable criteria; None when none is influenceable."""
        return self.fulfilled / self.influenceable if self.influenceable else None

    @property
    def missing(self) -> int:
        """How many more "Trifft zu" the stage needs."""
        return max(0, self.required - self.fulfilled)

    @property
    def holding_back(self) -> tuple[CriterionAnswer, ...]:
        """Influenceable criteria not yet "Trifft zu" – empty when the stage is met."""
        if self.met:
            return ()
        return tuple(a for a in self.answers if a.answer.influenceable and a.answer is not Answer.TRIFFT_ZU)


@dataclass(frozen=True)
class SubdimensionResult:
    """All stages of a subdimension and the resulting (cumulative) level."""

    subdimension: str
    stages: tuple[StageResult, ...]

    @property
    def met_stages(self) -> frozenset[int]:
        return frozenset(r.stage for r in self.stages if r.met)

    @property
    def level(self) -> Level:
        return level_from_met(self.met_stages)

    @property
    def blocking_stage(self) -> StageResult | None:
        """The lowest unmet stage: the one that holds the level back (None when all are met)."""
        return next((r for r in self.stages if not r.met), None)


def level_from_met(met: Iterable[int]) -> Level:
    """Highest stage k with all stages 0..k met; None ("–") when stage 0 is not met.

    Stages are cumulative: a stage met above an unmet one does not count
    (stages 0 and 3 met, 1 and 2 not: level 0).
    """
    met = set(met)
    level = -1
    while level + 1 in met and level + 1 in catalogue().stages:
        level += 1
    return None if level < 0 else level


def evaluate_subdimension(
    subdimension: str, answers: Iterable[CriterionAnswer], threshold: float
) -> SubdimensionResult:
    """Stage by stage result of one subdimension's answers."""
    answers = [a for a in answers if a.subdimension == subdimension]
    stages = tuple(
        StageResult(stage, tuple(a for a in answers if a.stage == stage), threshold) for stage in catalogue().stages
    )
    return SubdimensionResult(subdimension, stages)


def evaluate_criteria(
    answers: Iterable[CriterionAnswer], threshold: float = DEFAULT_THRESHOLD
) -> dict[str, SubdimensionResult]:
    """Results of every subdimension that has answers, in catalogue order."""
    answers = list(answers)
    present = {a.subdimension for a in answers}
    return {s: evaluate_subdimension(s, answers, threshold) for s in catalogue().subdimension_names if s in present}


def rank(level: Level) -> int:
    """Order of levels: "–" is -1, below stage 0."""
    return -1 if level is None else level


def level_label(level: Level) -> str:
    """'–' or the stage number as text."""
    return NONE_LABEL if level is None else str(level)


def dimension_levels(sub_levels: Mapping[str, Level]) -> dict[str, Level]:
    """Dimension level = minimum of its subdimensions' levels, "–" lowest.

    A dimension with a subdimension at "–" is "–" even if others lack data; otherwise a
    dimension with any subdimension lacking data has no level (it is absent).
    """
    result: dict[str, Level] = {}
    for dim in catalogue().dimensions:
        known = [sub_levels[s] for s in dim.subdimensions if s in sub_levels]
        if any(v is None for v in known):
            result[dim.name] = None
        elif len(known) == len(dim.subdimensions):
            result[dim.name] = min(known)
    return result


def all_levels(sub_levels: Mapping[str, Level]) -> tuple[dict[str, Level], dict[str, Level]]:
    """All 27 subdimensions and all 8 dimensions, None for "–" and for no data (the JSON view)."""
    cat = catalogue()
    dims = dimension_levels(sub_levels)
    return (
        {s: sub_levels.get(s) for s in cat.subdimension_names},
        {d: dims.get(d) for d in cat.dimension_names},
    )


# --- comparison ----------------------------------------------------------------


@dataclass(frozen=True)
class LevelChange:
    """One subdimension or dimension in two assessments."""

    name: str
    before: Level
    after: Level
    before_known: bool
    after_known: bool

    @property
    def delta(self) -> int | None:
        """Stages gained (negative when lost); None when one side has no data. "–" counts as -1."""
        if not (self.before_known and self.after_known):
            return None
        return rank(self.after) - rank(self.before)


def _changes(names: Iterable[str], before: Mapping[str, Level], after: Mapping[str, Level]) -> list[LevelChange]:
    return [LevelChange(n, before.get(n), after.get(n), n in before, n in after) for n in names]


@dataclass(frozen=True)
class Comparison:
    """Change per subdimension and dimension between an earlier and a later state."""

    subdimensions: tuple[LevelChange, ...]
    dimensions: tuple[LevelChange, ...]

    def improved(self, min_stages: int = 2) -> list[LevelChange]:
        """Dimensions that gained at least `min_stages` stages."""
        return [c for c in self.dimensions if c.delta is not None and c.delta >= min_stages]

    def at_stage(self, stage: int = 3) -> list[LevelChange]:
        """Dimensions at `stage` or above afterwards."""
        return [c for c in self.dimensions if c.after_known and rank(c.after) >= stage]

    def newly_reached(self, stage: int = 3) -> list[LevelChange]:
        """Dimensions below `stage` before (or without data) and at or above it afterwards."""
        return [c for c in self.at_stage(stage) if not (c.before_known and rank(c.before) >= stage)]


def compare_levels(before: Mapping[str, Level], after: Mapping[str, Level]) -> Comparison:
    """Compare two subdimension level mappings; dimensions follow the minimum rule."""
    cat = catalogue()
    return Comparison(
        tuple(_changes(cat.subdimension_names, before, after)),
        tuple(_changes(cat.dimension_names, dimension_levels(before), dimension_levels(after))),
    )


def compare_assessments(earlier: Assessment, later: Assessment) -> Comparison:
    """Compare two assessments."""
    return compare_levels(earlier.subdimension_levels(), later.subdimension_levels())


# --- targets and the assessments of a strategy -------------------------------------


def default_target() -> int:
    """Stage 3, the minimum requirement "Digitales Gesundheitsamt 2025"."""
    return catalogue().minimum_stage


def effective_targets(targets: Mapping[str, int]) -> dict[str, int]:
    """A target for every subdimension: the given one, else the default (stage 3)."""
    return {s: targets.get(s, default_target()) for s in catalogue().subdimension_names}


def planned_levels(current: Mapping[str, Level], targets: Mapping[str, int]) -> dict[str, int]:
    """The levels once every subdimension meets its target: the target, or the current level when
    that is already higher (a plan never lowers what is reached). Used as the outcome of a funding check."""
    return {s: max(t, rank(current[s])) if s in current else t for s, t in effective_targets(targets).items()}


def dimension_targets(targets: Mapping[str, int]) -> dict[str, int]:
    """The stage each dimension reaches when every subdimension meets its target (the minimum)."""
    eff = effective_targets(targets)
    return {d.name: min(eff[s] for s in d.subdimensions) for d in catalogue().dimensions}


def by_date(assessments: Iterable[Assessment]) -> list[Assessment]:
    return sorted(assessments, key=lambda a: a.date)


def latest(assessments: Iterable[Assessment]) -> Assessment | None:
    """The most recent assessment."""
    ordered = by_date(assessments)
    return ordered[-1] if ordered else None


def baseline(assessments: Iterable[Assessment], start: date | None) -> Assessment | None:
    """The latest assessment on or before `start`; the earliest when none is that old (or no start)."""
    ordered = by_date(assessments)
    if not ordered:
        return None
    if start is not None:
        before = [a for a in ordered if a.date <= start]
        if before:
            return before[-1]
    return ordered[0]


def levels_report(assessments: Iterable[Assessment]) -> dict:
    """`planner maturity --json`: every assessment by date with all 27 subdimensions and all
    8 dimensions under their canonical names; null for "–" and for no data."""
    report = []
    for a in by_date(assessments):
        subs, dims = all_levels(a.subdimension_levels())
        report.append({"date": a.date.isoformat(), "subdimensions": subs, "dimensions": dims})
    return {"assessments": report}


def levels_text(assessments: Iterable[Assessment]) -> list[str]:
    """The same as readable lines: one block per assessment, dimensions with their subdimensions."""
    lines = []
    for a in by_date(assessments):
        subs = a.subdimension_levels()
        dims = dimension_levels(subs)
        lines.append(f"Messung vom {german_date(a.date)} ({a.kind.label})")
        for dim in catalogue().dimensions:
            shown = level_label(dims[dim.name]) if dim.name in dims else "keine Daten"
            lines.append(f"  {dim.name}: {shown}")
            for s in dim.subdimensions:
                lines.append(f"    {s}: {level_label(subs[s]) if s in subs else 'keine Daten'}")
    return lines
