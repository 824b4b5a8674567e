"""The whole strategy: the core and every area's data, as a strategy file holds it.

Export, import, backup of a strategy file, the Steckbriefe and the Fortschreibung work on it;
pages that show one area load the core (`domain/strategy.py`) and that area's part only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from .funding import FundingParticipation
from .maturity import Assessment
from .strategy import Strategy
from .verstetigung import TrackedStrategy


@dataclass
class WholeStrategy(TrackedStrategy):
    """A strategy with its Verstetigung records (`TrackedStrategy`) and its maturity data: the
    organisation's assessments, this strategy's targets per subdimension (absent: stage 3) and
    its part in funding calls."""

    assessments: list[Assessment] = field(default_factory=list)
    targets: dict[str, int] = field(default_factory=dict)
    funding: list[FundingParticipation] = field(default_factory=list)


def with_parts(strategy: Strategy, **parts) -> WholeStrategy:
    """The core strategy with the areas' parts added (keyword arguments named as the fields)."""
    core = {f.name: getattr(strategy, f.name) for f in fields(Strategy)}
    return WholeStrategy(**core, **parts)
