"""The Fortschreibung of a stored strategy — the one service behind the web page and `planner
continue`: the next version from the decisions of the latest finalised review (the decision table
in domain/fortschreibung.py), previewed before it is stored; and the Beschluss that adopts a version.
Views hand in the rows they loaded; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import models
from ..domain.fortschreibung import Fortschreibung, successor
from ..domain.months import Month, month_of, month_text
from ..domain.verstetigung import Resolution, ReviewDecision
from ..domain.verstetigung_versions import FortschreibungError
from ..models import review as rm
from ..models import verstetigung as vm
from . import review as reviews
from . import verstetigung as records
from .maturity import maturity_for
from .whole_strategy import import_strategy, strategy_to_domain


def _review_text(review: rm.Review) -> str:
    parts = []
    if review.participants.strip():
        parts.append(f"Teilnehmende: {review.participants.strip()}")
    if review.minutes.strip():
        parts.append(review.minutes.strip())
    return "\n".join(parts)


def preview(
    session: Session,
    row: models.Strategy,
    decisions: Mapping[str, tuple[ReviewDecision, str]],
    *,
    review_day: date,
    today: date,
    version: str,
    start: Month | None = None,
    end: Month | None = None,
    max_parallel: int | None = None,
    review_text: str = "",
) -> Fortschreibung:
    """The next version of `row` from `decisions` (measure key → decision, note), not stored."""
    if records.successor_id(session, row.id) is not None:
        raise records.AlreadyContinued("Diese Version wurde bereits fortgeschrieben.")
    latest = maturity_for(session, row).latest
    levels = latest.assessment.subdimension_levels() if latest is not None else None
    return successor(
        strategy_to_domain(row),
        decisions,
        review_day=review_day,
        today=today,
        version=version,
        start=start,
        end=end,
        max_parallel=max_parallel,
        latest_levels=levels,
        review_text=review_text,
    )


def from_review(
    session: Session,
    row: models.Strategy,
    review: rm.Review | None = None,
    *,
    today: date,
    version: str,
    start: Month | None = None,
    end: Month | None = None,
    max_parallel: int | None = None,
) -> Fortschreibung:
    """The next version from a finalised review (default: the latest), its decisions read through
    services/review.py; the period starts the month after the review's day."""
    review = review or reviews.latest_finalised(session, row)
    if review is None or not review.finalised:
        raise FortschreibungError("Die Fortschreibung setzt ein abgeschlossenes Strategiereview voraus.")
    return preview(
        session,
        row,
        reviews.decided(review),
        review_day=review.held_on or today,
        today=today,
        version=version,
        start=start,
        end=end,
        max_parallel=max_parallel,
        review_text=_review_text(review),
    )


def create(
    session: Session, row: models.Strategy, result: Fortschreibung, *, vision: str, mission: str, by: str
) -> models.Strategy:
    """Store the next version through the import path; the old one becomes read only."""
    new = result.strategy
    new.vision, new.mission = vision, mission
    new_row = import_strategy(session, new)
    records.add_succession(session, row, new_row, by)
    return new_row


# --- Beschluss ------------------------------------------------------------------------------------


def resolution_row(session: Session, row: models.Strategy) -> vm.Resolution | None:
    return session.scalar(sa.select(vm.Resolution).where(vm.Resolution.strategy_id == row.id))


def record_resolution(session: Session, row: models.Strategy, resolution: Resolution, by: str) -> None:
    """Record (or correct) the Beschluss of a version: it is then adopted in the month of the Beschluss."""
    if records.successor_id(session, row.id) is not None:
        raise FortschreibungError("Diese Version ist schreibgeschützt: Sie wurde bereits fortgeschrieben.")
    stored = resolution_row(session, row)
    if stored is None:
        stored = vm.Resolution(strategy_id=row.id)
        session.add(stored)
    stored.decided_on = resolution.decided_on
    stored.body = resolution.body
    stored.reference = resolution.reference
    stored.recorded_by = by
    row.adopted = month_text(month_of(resolution.decided_on))
    session.flush()


def adoption_text(session: Session, row: models.Strategy) -> str | None:
    """What a page says about the adoption of a version: "beschlossen 18.02.2027 (Kreistag)",
    "beschlossen 03/2023", "Entwurf – Beschluss ausstehend" (a Fortschreibung without Beschluss),
    or None (nothing known). One statement."""
    res = sa.select(vm.Resolution).where(vm.Resolution.strategy_id == row.id)
    one = session.execute(
        sa.select(
            res.with_only_columns(vm.Resolution.decided_on).scalar_subquery(),
            res.with_only_columns(vm.Resolution.body).scalar_subquery(),
            res.with_only_columns(vm.Resolution.reference).scalar_subquery(),
            sa.exists().where(vm.Succession.successor_id == row.id),
            sa.exists().where(vm.HistoryEntry.strategy_id == row.id),
        )
    ).one()
    decided_on, body, reference, continued, has_history = one
    if decided_on is not None:
        return f"beschlossen {decided_on.strftime('%d.%m.%Y')} ({body}{f', {reference}' if reference else ''})"
    if row.adopted:
        return f"beschlossen {Month.parse(row.adopted).german()}"
    return DRAFT if continued or has_history else None


DRAFT = "Entwurf – Beschluss ausstehend"
