"""Gap analysis: where the measures of a strategy do not carry the maturity to its targets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from .catalogue import catalogue
from .maturity import Level, dimension_levels, effective_targets, level_label, rank
from .months import Month, month_of
from .strategy import Measure, Status, Strategy


@dataclass(frozen=True)
class SubdimensionGap:
    """A subdimension below its target and the measures that address it."""

    subdimension: str
    dimension: str
    current: Level
    known: bool
    target: int
    lifting: tuple[Measure, ...]
    too_low: tuple[Measure, ...]

    @property
    def current_label(self) -> str:
        return level_label(self.current) if self.known else "keine Daten"

    @property
    def uncovered(self) -> bool:
        """No open measure names this subdimension with an aim high enough (or no stated aim)."""
        return not self.lifting


@dataclass(frozen=True)
class DimensionShortfall:
    """A dimension whose planned measures cannot bring it to its target within the roadmap window."""

    dimension: str
    current: Level
    known: bool
    target: int
    reasons: tuple[str, ...]


@dataclass
class GapReport:
    """Everything the gap analysis found, for one strategy against one assessment."""

    assessed_on: date | None
    window: tuple[Month, Month] | None
    below_target: list[SubdimensionGap] = field(default_factory=list)
    without_subdimension: list[Measure] = field(default_factory=list)
    out_of_reach: list[DimensionShortfall] = field(default_factory=list)

    @property
    def uncovered(self) -> list[SubdimensionGap]:
        return [g for g in self.below_target if g.uncovered]


def _counts_for(measure: Measure, assessed_on: date | None) -> bool:
    """Open measures count; a finished one only when it ended after the assessment (effect not yet measured)."""
    if measure.status is Status.VERWORFEN:
        return False
    if measure.status is Status.ABGESCHLOSSEN:
        if assessed_on is None or measure.end is None:
            return False
        return measure.end > month_of(assessed_on)
    return True


def _aims_high_enough(measure: Measure, target: int) -> bool:
    # a measure without a stated aim is given the benefit of the doubt; the page says so
    return measure.target_stage is None or measure.target_stage >= target


def _in_window(measure: Measure, window_end: Month) -> bool:
    return measure.is_planned and measure.start <= window_end and (measure.end is None or measure.end <= window_end)


def _why_not_in_window(measure: Measure, window_end: Month) -> str:
    if measure.status is Status.BACKLOG:
        return f"„{measure.title}“ steht im Backlog"
    if measure.start is None:
        return f"„{measure.title}“ ist nicht eingeplant"
    if measure.start > window_end:
        return f"„{measure.title}“ beginnt erst {measure.start.german()}"
    return f"„{measure.title}“ endet erst {measure.end.german()}"


def gap_analysis(
    strategy: Strategy, levels: Mapping[str, Level], assessed_on: date | None, targets: Mapping[str, int]
) -> GapReport:
    """Subdimensions below target without a lifting measure, measures naming no subdimension,
    and dimensions the planned measures cannot bring to target within the roadmap window.

    `levels` are the current subdimension levels (a subdimension without data counts as below target).
    """
    cat = catalogue()
    eff = effective_targets(targets)
    window = (strategy.window_start, strategy.window_end) if strategy.window_start and strategy.window_end else None
    report = GapReport(assessed_on=assessed_on, window=window)
    open_measures = [m for m in strategy.measures if _counts_for(m, assessed_on)]
    report.without_subdimension = [
        m for m in strategy.measures if m.status is not Status.VERWORFEN and not m.subdimensions
    ]

    dims = dimension_levels(levels)
    gaps: dict[str, SubdimensionGap] = {}
    for dim in cat.dimensions:
        for s in dim.subdimensions:
            known = s in levels
            current = levels.get(s)
            if known and rank(current) >= eff[s]:
                continue
            naming = [m for m in open_measures if s in m.subdimensions]
            gap = SubdimensionGap(
                subdimension=s,
                dimension=dim.name,
                current=current,
                known=known,
                target=eff[s],
                lifting=tuple(m for m in naming if _aims_high_enough(m, eff[s])),
                too_low=tuple(m for m in naming if not _aims_high_enough(m, eff[s])),
            )
            gaps[s] = gap
            report.below_target.append(gap)

    for dim in cat.dimensions:
        dim_gaps = [gaps[s] for s in dim.subdimensions if s in gaps]
        if not dim_gaps:
            continue
        reasons = _window_reasons(dim_gaps, window)
        if reasons:
            target = min(eff[s] for s in dim.subdimensions)
            report.out_of_reach.append(
                DimensionShortfall(dim.name, dims.get(dim.name), dim.name in dims, target, tuple(reasons))
            )
    return report


def _window_reasons(dim_gaps: list[SubdimensionGap], window: tuple[Month, Month] | None) -> list[str]:
    """Why the subdimensions below target cannot reach it within the window; empty when they can."""
    reasons = []
    for g in dim_gaps:
        head = f"{g.subdimension} (jetzt {g.current_label}, Ziel {g.target})"
        if not g.lifting:
            if g.too_low:
                aims = ", ".join(f"„{m.title}“ (Stufe {m.target_stage})" for m in g.too_low)
                reasons.append(f"{head}: die Maßnahmen zielen nur auf eine niedrigere Stufe: {aims}.")
            else:
                reasons.append(f"{head}: keine Maßnahme zielt auf diese Subdimension.")
            continue
        if window is None:
            reasons.append(f"{head}: Die Strategie hat keinen Fahrplanzeitraum; der Zeitplan ist nicht prüfbar.")
            continue
        if not any(_in_window(m, window[1]) for m in g.lifting):
            why = "; ".join(_why_not_in_window(m, window[1]) for m in g.lifting)
            reasons.append(f"{head}: keine Maßnahme wird bis {window[1].german()} fertig – {why}.")
    return reasons
