"""Landesebene over time: Handlungsbedarf, the trend per dimension, readiness for a funding call
and one office against its Land — computed from the portfolio (services/portfolio.py) by the
pure functions of planner/domain/portfolio_progress.py and planner/domain/readiness.py.

Each function returns plain data (dataclasses), so the pages, the CLI and a document (the
Landesbericht) render the same figures. Nothing here is kept: the portfolio is the one thing
computed once per state; what these functions add is linear in the number of offices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import models
from ..domain import portfolio_progress as progress
from ..domain.funding import FundingCall
from ..domain.maturity import Level
from ..domain.portfolio_progress import AgainstLand, StuckOffice, TrendPoint
from ..domain.readiness import ReadinessReport, readiness_report
from ..models.auth import Coordination
from . import portfolio as service


@dataclass(frozen=True)
class Handlungsbedarf:
    """The coordinator's offices that need attention on `today`, with their reasons."""

    coordinator_id: int
    coordinator: str
    today: date
    offices: int  # all coordinated offices
    stuck: list[StuckOffice]
    counts: dict[str, int]  # offices per reason code


def handlungsbedarf(
    session: Session,
    coordinator: models.Organisation,
    today: date,
    sort: str = "gruende",
    descending: bool = True,
    reason: str = "",
    portfolio: service.Portfolio | None = None,
) -> Handlungsbedarf:
    """Stuck offices sorted by `sort` (domain STUCK_SORTS), only those with `reason` when given
    (of `portfolio` when the caller has it already)."""
    p = portfolio or service.portfolio(session, coordinator, today)
    stuck = progress.stuck_offices(p.offices, today, sort, descending)
    counts = progress.reason_counts(stuck)
    if reason:
        stuck = [s for s in stuck if reason in s.codes]
    return Handlungsbedarf(p.coordinator_id, p.coordinator, today, len(p.offices), stuck, counts)


@dataclass(frozen=True)
class Trend:
    """The trend per dimension (catalogue order) across the coordinator's offices."""

    coordinator_id: int
    coordinator: str
    today: date
    offices: int
    assessed_offices: int  # offices with at least one assessment
    points: dict[str, list[TrendPoint]]

    @property
    def years(self) -> list[int]:
        first = next(iter(self.points.values()), [])
        return [p.year for p in first]


def trend(
    session: Session, coordinator: models.Organisation, today: date, portfolio: service.Portfolio | None = None
) -> Trend:
    """Per dimension and calendar year: offices with a level, median, offices at stage 3 (of
    `portfolio` when the caller has it already)."""
    p = portfolio or service.portfolio(session, coordinator, today)
    return Trend(
        p.coordinator_id,
        p.coordinator,
        today,
        len(p.offices),
        sum(1 for o in p.offices if o.maturity),
        progress.trend(p.offices, today),
    )


def readiness(
    session: Session, coordinator: models.Organisation, today: date, call: FundingCall | None = None
) -> ReadinessReport:
    """Every office's readiness for `call` (default: the current call on `today`)."""
    return readiness_report(service.portfolio(session, coordinator, today).offices, today, call)


@dataclass(frozen=True)
class LandComparison:
    """One office's latest dimension levels against the Land that coordinates it."""

    coordinator_id: int
    coordinator: str
    offices: int
    rows: list[AgainstLand]


def coordinators_of(session: Session, organisation_id: int) -> list[models.Organisation]:
    """The organisations that coordinate `organisation_id` (usually its Land), by name."""
    return list(
        session.scalars(
            sa.select(models.Organisation)
            .join(Coordination, Coordination.coordinator_id == models.Organisation.id)
            .where(Coordination.organisation_id == organisation_id)
            .order_by(models.Organisation.name)
        )
    )


def against_land(session: Session, organisation_id: int, own: dict[str, Level]) -> list[LandComparison]:
    """The office's levels (`own`: its latest assessment's dimension levels) against each Land
    coordinating it; empty when no Land coordinates the office."""
    out = []
    for coordinator in coordinators_of(session, organisation_id):
        # only the offices' assessments: an office's page does not wait for the Land's whole portfolio
        maturities = service.office_maturities(session, coordinator.id)
        rows = progress.against_land(own, maturities)
        out.append(LandComparison(coordinator.id, coordinator.name, len(maturities), rows))
    return out
