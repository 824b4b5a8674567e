"""Measure atlas rules: similar measures across offices and a measure copied as a template.

Pure functions (no database, no web): the service hands in plain items, the page shows the
hint "ähnliche Maßnahmen in N Ämtern" when several offices plan measures on the same
subdimension with similar titles — a candidate for a joint measure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import lru_cache

from .strategy import Measure, Status

SIMILAR = 0.75  # ratio of the sorted title words at or above which two titles count as similar
_WORD = re.compile(r"[a-z0-9]+")
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# words that carry no meaning of their own in measure titles
_STOP = frozenset(
    [
        "der",
        "die",
        "das",
        "des",
        "dem",
        "den",
        "ein",
        "eine",
        "eines",
        "einer",
        "einem",
        "einen",
        "und",
        "oder",
        "fuer",
        "zur",
        "zum",
        "zu",
        "von",
        "vom",
        "im",
        "in",
        "am",
        "an",
        "auf",
        "mit",
        "bei",
        "nach",
        "ueber",
        "als",
        "sowie",
    ]
)


@lru_cache(maxsize=65536)
def title_words(title: str) -> tuple[str, ...]:
    """The meaningful words of a title, lower case, umlauts spelled out, sorted."""
    words = _WORD.findall(title.lower().translate(_TRANSLIT))
    return tuple(sorted(w for w in words if w not in _STOP))


def title_similarity(a: str, b: str) -> float:
    """0..1: how alike two titles are, word order and filler words ignored (difflib's ratio of
    the sorted meaningful words)."""
    wa, wb = title_words(a), title_words(b)
    if not wa or not wb:
        return 0.0
    if wa == wb:
        return 1.0
    matcher = SequenceMatcher(None, " ".join(wa), " ".join(wb), autojunk=False)
    # the cheap upper bounds first: most pairs are far apart
    for bound in (matcher.real_quick_ratio, matcher.quick_ratio):
        if (upper := bound()) < SIMILAR:
            return upper
    return matcher.ratio()


@dataclass(frozen=True)
class AtlasItem:
    """What the similarity hint needs of a measure: its id, its office, subdimensions and title."""

    id: int
    office: str
    subdimensions: tuple[str, ...]
    title: str


def _alike(a: tuple[str, ...], b: tuple[str, ...], threshold: float) -> bool:
    """Whether two titles' word tuples are similar. Titles without a common word are not
    compared at all: they never are what a reader would call the same measure, and skipping
    them keeps the atlas fast with thousands of measures."""
    if not a or not b or not set(a) & set(b):
        return False
    return _words_similarity(a, b) >= threshold


@lru_cache(maxsize=262144)
def _words_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    return title_similarity(" ".join(a), " ".join(b))


def similar_offices(item: AtlasItem, others: Iterable[AtlasItem], threshold: float = SIMILAR) -> set[str]:
    """The offices (the item's own included) that plan a measure on one of the item's
    subdimensions with a title similar to the item's. A measure without subdimensions has none."""
    subs = set(item.subdimensions)
    found = {item.office}
    if not subs:
        return found
    words = title_words(item.title)
    for other in others:
        if other.id == item.id or other.office in found or not subs & set(other.subdimensions):
            continue
        if _alike(words, title_words(other.title), threshold):
            found.add(other.office)
    return found


def similar_counts(page: Iterable[AtlasItem], candidates: Iterable[AtlasItem]) -> dict[int, int]:
    """For each item of `page`: in how many offices similar measures are planned, when more than one.

    Candidates are grouped by subdimension and title first, so each distinct title is compared once."""
    offices_by_title: dict[str, dict[tuple[str, ...], set[str]]] = {}
    for c in candidates:
        words = title_words(c.title)
        for s in c.subdimensions:
            offices_by_title.setdefault(s, {}).setdefault(words, set()).add(c.office)
    counts: dict[int, int] = {}
    for item in page:
        words = title_words(item.title)
        found = {item.office}
        for s in item.subdimensions:
            for other, offices in offices_by_title.get(s, {}).items():
                if not offices <= found and _alike(words, other, SIMILAR):
                    found |= offices
        if len(found) > 1:
            counts[item.id] = len(found)
    return counts


def similar_ids(item: AtlasItem, candidates: Iterable[AtlasItem]) -> set[int]:
    """The ids of the measures behind the item's hint (`similar_counts`): candidates sharing a
    subdimension with the item whose titles are alike, and the item itself. Their offices are
    the N of "ähnliche Maßnahmen in N Ämtern"."""
    words = title_words(item.title)
    subs = set(item.subdimensions)
    found = {item.id}
    for c in candidates:
        if subs & set(c.subdimensions) and (c.id == item.id or _alike(words, title_words(c.title), SIMILAR)):
            found.add(c.id)
    return found


def hint_text(offices: int) -> str:
    """The German hint for a joint measure candidate."""
    return f"ähnliche Maßnahmen in {offices} Ämtern"


def as_template(measure: Measure, key: str) -> Measure:
    """A copy of another office's measure to start one's own from: every Steckbrief field but the
    owners and the dates. Status, dependencies and the deferral count describe the source's own
    plan (its strategy's keys, its progress), so the copy starts as a fresh "geplant" measure."""
    return replace(
        measure,
        key=key,
        owners=[],
        start=None,
        end=None,
        actual_start=None,
        actual_end=None,
        depends_on=[],
        status=Status.BACKLOG if measure.status is Status.BACKLOG else Status.GEPLANT,
        second_loop=False,
        deferrals=0,
        further_dimensions=list(measure.further_dimensions),
        subdimensions=list(measure.subdimensions),
        actors=list(measure.actors),
        requirements=list(measure.requirements),
        examples=list(measure.examples),
        steps=list(measure.steps),
    )


@dataclass(frozen=True)
class Origin:
    """Where a measure copied as a template came from."""

    organisation: str
    strategy: str
    version: str
    key: str
    title: str

    @property
    def text(self) -> str:
        """German one-liner for the measure page and the Steckbrief."""
        version = f" ({self.version})" if self.version else ""
        return f"Übernommen als Vorlage aus „{self.title}“ – {self.organisation}, {self.strategy}{version}"
