"""Funding across the state (issue 27): per funding call, which coordinated offices applied, which
were granted, the granted sums and the budgets their measures plan for the call, set against the
Land's funds (Lower Saxony: up to 65 M €, seed 004; configurable per Land, models/land.LandBudget).

Where the figures come from: each office's current strategy — its funding entries (status,
granted amount; the strategy's page "Förderaufrufe") and its measures' budgets naming the call.
An office without an entry for a call counts as "keine Angabe", not as not taking part.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .funding import FundingCall, FundingParticipation, ParticipationStatus, funding_calls
from .portfolio import Office

APPLIED = (ParticipationStatus.BEANTRAGT, ParticipationStatus.BEWILLIGT, ParticipationStatus.ABGESCHLOSSEN)
GRANTED = (ParticipationStatus.BEWILLIGT, ParticipationStatus.ABGESCHLOSSEN)


@dataclass(frozen=True)
class FundingOffice:
    """What the funding across the state needs of an office (a portfolio Office has the same)."""

    organisation_id: int
    name: str
    funding: tuple[FundingParticipation, ...] = ()
    call_budgets: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class OfficeCall:
    """One office and one call: its entry (None: no entry) and its measures' budgets for the call."""

    organisation_id: int
    name: str
    status: ParticipationStatus | None
    granted: float | None
    planned: float | None

    @property
    def status_label(self) -> str:
        return self.status.label if self.status else "keine Angabe"

    @property
    def applied(self) -> bool:
        return self.status in APPLIED

    @property
    def was_granted(self) -> bool:
        return self.status in GRANTED


@dataclass(frozen=True)
class CallFunding:
    """One call across the offices."""

    call: FundingCall
    offices: tuple[OfficeCall, ...]

    @property
    def applied(self) -> list[OfficeCall]:
        return [o for o in self.offices if o.applied]

    @property
    def granted(self) -> list[OfficeCall]:
        return [o for o in self.offices if o.was_granted]

    @property
    def not_taking_part(self) -> list[OfficeCall]:
        return [o for o in self.offices if o.status is ParticipationStatus.KEINE_TEILNAHME]

    @property
    def no_entry(self) -> list[OfficeCall]:
        return [o for o in self.offices if o.status is None]

    @property
    def granted_sum(self) -> float:
        return sum(o.granted or 0.0 for o in self.granted)

    @property
    def granted_without_amount(self) -> list[OfficeCall]:
        """Granted, but no amount recorded: the sum is a lower bound while there are any."""
        return [o for o in self.granted if o.granted is None]

    @property
    def planned_sum(self) -> float:
        return sum(o.planned or 0.0 for o in self.offices)


@dataclass(frozen=True)
class StateFunding:
    """All calls across the offices against the Land's budget (None: not set)."""

    calls: tuple[CallFunding, ...]
    budget: Decimal | None
    budget_source: str = ""

    @property
    def granted_sum(self) -> float:
        return sum(c.granted_sum for c in self.calls)

    @property
    def share(self) -> float | None:
        """The granted sum as a share of the budget."""
        if not self.budget:
            return None
        return self.granted_sum / float(self.budget)

    @property
    def remaining(self) -> float | None:
        return None if self.budget is None else float(self.budget) - self.granted_sum


def office_call(o: Office | FundingOffice, call: FundingCall) -> OfficeCall:
    entry = next((f for f in o.funding if f.call == call.id), None)
    return OfficeCall(
        o.organisation_id,
        o.name,
        entry.status if entry else None,
        entry.granted if entry else None,
        o.call_budgets.get(call.id),
    )


def state_funding(
    offices: Iterable[Office | FundingOffice],
    budget: Decimal | None = None,
    budget_source: str = "",
    calls: Iterable[FundingCall] | None = None,
) -> StateFunding:
    """Every call (default: the built-in ones) across `offices`, against `budget`."""
    offices = list(offices)
    calls = funding_calls() if calls is None else tuple(calls)
    return StateFunding(
        tuple(CallFunding(c, tuple(office_call(o, c) for o in offices)) for c in calls), budget, budget_source
    )
