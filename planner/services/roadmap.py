"""Roadmap operations on a stored strategy: its analysis, baselines, taking over a scheduling
proposal. Callers hand in the strategy row they loaded (and checked access to); nothing here
touches the request. The charts are drawn in planner/charts from what `roadmap()` returns."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from .. import models
from ..domain.baseline import BaselineChange, Frozen, compare_to_baseline
from ..domain.graph import build_graph, implied_path
from ..domain.months import Month, month_text, parse_month
from ..domain.planning import Proposal, propose_schedule
from ..domain.schedule import Analysis, analyse
from ..domain.strategy import Measure, Status, Strategy
from ..domain.validation import validate_strategy
from ..models.roadmap import Baseline, BaselineEntry
from .strategies import ValidationFailed, read_strategy


class BaselineError(ValueError):
    """A baseline that cannot be created; the message is German."""


@dataclass
class Roadmap:
    """A strategy with its roadmap analysis: what every roadmap page starts from."""

    strategy: Strategy
    analysis: Analysis

    @property
    def titles(self) -> dict[str, str]:
        return {m.key: m.title for m in self.strategy.measures}

    @property
    def links(self) -> list[tuple[Measure, str]]:
        """Every dependency as (measure, key of its prerequisite), in measure order."""
        return [(m, p) for m in self.strategy.measures for p in m.depends_on]

    @property
    def conflict_pairs(self) -> set[tuple[str, str]]:
        """(prerequisite, dependent) of every dependency whose dates conflict."""
        return {(c.depends_on, c.measure) for c in self.analysis.conflicts}

    def redundant_links(self) -> list[tuple[str, str, list[str]]]:
        """(prerequisite, dependent, the longer path that already implies the link) of every redundant link."""
        graph = build_graph(self.strategy.measures)
        return [(p, d, implied_path(graph, p, d)) for p, d in self.analysis.redundant]


def roadmap(row: models.Strategy) -> Roadmap:
    """The domain strategy of the row and its analysis."""
    strategy = read_strategy(object_session(row), row)
    return Roadmap(strategy, analyse(strategy))


# --- baselines ---------------------------------------------------------------------------


def baselines(session: Session, row: models.Strategy) -> list[Baseline]:
    """The strategy's baselines, newest first."""
    return list(
        session.scalars(
            sa.select(Baseline)
            .where(Baseline.strategy_id == row.id)
            .order_by(Baseline.created_at.desc(), Baseline.id.desc())
        )
    )


def get_baseline(session: Session, row: models.Strategy, baseline_id: int) -> Baseline | None:
    """The baseline with that id if it belongs to this strategy (another strategy's id gives None)."""
    return session.scalar(sa.select(Baseline).where(Baseline.id == baseline_id, Baseline.strategy_id == row.id))


def create_baseline(session: Session, row: models.Strategy, name: str) -> Baseline:
    """Freeze every measure's status and planned months under `name`."""
    name = name.strip()
    if not name:
        raise BaselineError("Bitte geben Sie dem Basisplan einen Namen.")
    if session.scalar(sa.select(Baseline.id).where(Baseline.strategy_id == row.id, Baseline.name == name)):
        raise BaselineError(f"Einen Basisplan „{name}“ gibt es schon. Bitte wählen Sie einen anderen Namen.")
    baseline = Baseline(strategy_id=row.id, name=name)
    for i, m in enumerate(read_strategy(session, row).measures):
        baseline.entries.append(
            BaselineEntry(
                position=i,
                measure_key=m.key,
                title=m.title,
                status=m.status.value,
                start=month_text(m.start),
                end=month_text(m.end),
            )
        )
    session.add(baseline)
    session.flush()
    return baseline


def delete_baseline(session: Session, baseline: Baseline) -> None:
    session.delete(baseline)
    session.flush()


def frozen(baseline: Baseline) -> list[Frozen]:
    """The baseline's entries as domain values."""
    return [
        Frozen(
            e.measure_key,
            e.title,
            Status(e.status),
            parse_month(e.start),
            parse_month(e.end),
        )
        for e in baseline.entries
    ]


def baseline_dates(baseline: Baseline) -> dict[str, tuple[Month | None, Month | None]]:
    """Measure key → frozen (start, end), for the bars drawn behind the current ones."""
    return {f.key: (f.start, f.end) for f in frozen(baseline) if f.status.in_roadmap}


def baseline_changes(baseline: Baseline, strategy: Strategy) -> list[BaselineChange]:
    """What moved since the baseline was taken."""
    return compare_to_baseline(frozen(baseline), strategy.measures)


# --- scheduling proposal -----------------------------------------------------------------


def proposal(
    strategy: Strategy, max_parallel: int | None, keep_planned: bool, earliest: Month | None, today: Month | None = None
) -> Proposal:
    """The Planungsvorschlag; nothing that has not begun starts before `today`'s month."""
    return propose_schedule(
        strategy, max_parallel=max_parallel, keep_planned=keep_planned, earliest=earliest, today=today
    )


def take_over(session: Session, row: models.Strategy, plan: Proposal, keys: set[str] | None = None) -> list[str]:
    """Write the proposed months of the moved measures (only `keys`, when given); returns the keys written.

    Checked like every edit: a change that made the strategy invalid is refused whole.
    """
    chosen = [p for p in plan.moved if keys is None or p.key in keys]
    rows = {m.key: m for m in row.measures}
    for p in chosen:
        rows[p.key].start = str(p.proposed_start)
        rows[p.key].end = month_text(p.proposed_end)
    problems = validate_strategy(read_strategy(session, row))
    if problems:
        raise ValidationFailed(problems)
    session.flush()
    return [p.key for p in chosen]
