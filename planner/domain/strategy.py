"""Strategy, measures and their scales: the product's core vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .months import Month, format_range, months_inclusive


class Rating(Enum):
    """Ordinal rating used for Dringlichkeit and Machbarkeit."""

    GERING = "gering"
    GERING_MITTEL = "gering/mittel"
    MITTEL = "mittel"
    MITTEL_HOCH = "mittel/hoch"
    HOCH = "hoch"

    @property
    def rank(self) -> int:
        """1 (gering) to 5 (hoch)."""
        return list(Rating).index(self) + 1

    @property
    def label(self) -> str:
        return self.value

    def __lt__(self, other: Rating) -> bool:
        return self.rank < other.rank


class Status(Enum):
    """Implementation status of a measure."""

    BACKLOG = "backlog"
    GEPLANT = "geplant"
    IN_UMSETZUNG = "in_umsetzung"
    ABGESCHLOSSEN = "abgeschlossen"
    FORTLAUFEND = "fortlaufend"
    VERWORFEN = "verworfen"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def in_roadmap(self) -> bool:
        """Takes part in the roadmap and its logical order: neither Backlog nor verworfen."""
        return self not in (Status.BACKLOG, Status.VERWORFEN)


STATUS_LABELS = {
    Status.BACKLOG: "Backlog",
    Status.GEPLANT: "geplant",
    Status.IN_UMSETZUNG: "in Umsetzung",
    Status.ABGESCHLOSSEN: "abgeschlossen",
    Status.FORTLAUFEND: "fortlaufend",
    Status.VERWORFEN: "verworfen",
}


class OwnerRole(Enum):
    """Role of a person or unit responsible for a measure."""

    LEAD = "lead"
    SUPPORT = "support"

    @property
    def label(self) -> str:
        return "Lead" if self is OwnerRole.LEAD else "Support"


# English words the German interface and documents use as terms: marked lang="en" (pages, PDF)
# or as English runs (Word), so that screen readers pronounce them in English
ENGLISH_TERMS = frozenset({"Lead", "Support", "Lessons Learned"})


@dataclass(frozen=True)
class Owner:
    """A person or unit responsible for a measure (Verantwortliche)."""

    name: str
    role: OwnerRole = OwnerRole.LEAD
    # the person's e-mail address, when a file or the API gives one (a property of the person, not of
    # this measure: it is not compared, and strategies read from the database leave it out)
    email: str | None = field(default=None, compare=False)


@dataclass
class Measure:
    """A Maßnahme with every field of its Steckbrief."""

    key: str
    title: str
    dimension: str
    description: str = ""
    goal: str = ""
    further_dimensions: list[str] = field(default_factory=list)
    subdimensions: list[str] = field(default_factory=list)
    target_stage: int | None = None
    urgency: Rating | None = None
    feasibility: Rating | None = None
    status: Status = Status.GEPLANT
    second_loop: bool = False
    owners: list[Owner] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    start: Month | None = None
    end: Month | None = None
    depends_on: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    budget: float | None = None
    funding_call: str | None = None
    deferrals: int = 0
    # Verstetigung (planner/domain/verstetigung.py): the months it really started and ended
    actual_start: Month | None = None
    actual_end: Month | None = None

    @property
    def is_planned(self) -> bool:
        """Has a start month and takes part in the roadmap."""
        return self.start is not None and self.status.in_roadmap

    @property
    def open_ended(self) -> bool:
        return self.start is not None and self.end is None

    @property
    def duration(self) -> int | None:
        """Months from start to end inclusive; None when unplanned or open-ended."""
        if self.start is None or self.end is None:
            return None
        return months_inclusive(self.start, self.end)

    @property
    def planned_range(self) -> str:
        """German display: '01/2023 – 04/2023', 'ab 04/2023' or ''."""
        return format_range(self.start, self.end)

    @property
    def lead_owners(self) -> list[Owner]:
        return [o for o in self.owners if o.role is OwnerRole.LEAD]


@dataclass
class Strategy:
    """A digitalisation strategy of one organisation, in one version: the core every area builds on.

    The areas add their data in subclasses of their own (`verstetigung.TrackedStrategy`,
    `whole_strategy.WholeStrategy`); the core knows none of them."""

    organisation: str
    title: str
    version: str = ""
    adopted: Month | None = None
    window_start: Month | None = None
    window_end: Month | None = None
    vision: str = ""
    mission: str = ""
    principles: list[str] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)

    def measure(self, key: str) -> Measure | None:
        """The measure with that key, or None."""
        return next((m for m in self.measures if m.key == key), None)

    def dependents(self, key: str) -> list[Measure]:
        """Measures that depend on the measure `key` ("Grundlage für")."""
        return [m for m in self.measures if key in m.depends_on]
