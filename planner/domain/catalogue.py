"""The ReDiGe maturity model catalogue and the ordinal scales, loaded from one data file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "redige.yaml"


@dataclass(frozen=True)
class Dimension:
    """One of the eight dimensions of the maturity model."""

    name: str
    short: str
    colour: str
    aliases: tuple[str, ...]
    subdimensions: tuple[str, ...]
    index: int


@dataclass(frozen=True)
class Catalogue:
    """All dimensions in the model's order, with alias look-up."""

    dimensions: tuple[Dimension, ...]
    stages: tuple[int, ...]
    minimum_stage: int

    def dimension(self, name: str) -> Dimension | None:
        """The dimension called `name` or one of its aliases; None when unknown."""
        return _dimension_index(self).get(_fold(name))

    def canonical_dimension(self, name: str) -> str | None:
        """The canonical spelling of a dimension name or alias."""
        dim = self.dimension(name)
        return dim.name if dim else None

    def canonical_subdimension(self, name: str) -> str | None:
        """The canonical spelling of a subdimension name."""
        hit = _subdimension_index(self).get(_fold(name))
        return hit[1] if hit else None

    def dimension_of(self, subdimension: str) -> str | None:
        """The dimension a subdimension belongs to."""
        hit = _subdimension_index(self).get(_fold(subdimension))
        return hit[0] if hit else None

    @property
    def dimension_names(self) -> list[str]:
        return [d.name for d in self.dimensions]

    @property
    def subdimension_names(self) -> list[str]:
        return [s for d in self.dimensions for s in d.subdimensions]


@lru_cache(maxsize=4096)  # a file names few dimensions thousands of times
def _fold(text: str) -> str:
    """Compare names regardless of case, gender marks, hyphens and spacing."""
    text = text.casefold().replace("*innen", "").replace(":innen", "").replace("innen", "")
    return re.sub(r"[\s\-_*:&,]+|und", "", text)


@cache
def _dimension_index(cat: Catalogue) -> dict[str, Dimension]:
    index: dict[str, Dimension] = {}
    for dim in cat.dimensions:
        for name in (dim.name, *dim.aliases):
            index[_fold(name)] = dim
    return index


@cache
def _subdimension_index(cat: Catalogue) -> dict[str, tuple[str, str]]:
    return {_fold(s): (d.name, s) for d in cat.dimensions for s in d.subdimensions}


@cache
def catalogue() -> Catalogue:
    """The built-in ReDiGe catalogue."""
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    dims = tuple(
        Dimension(
            name=d["name"],
            short=d["short"],
            colour=d["colour"],
            aliases=tuple(d.get("aliases", [])),
            subdimensions=tuple(d["subdimensions"]),
            index=i,
        )
        for i, d in enumerate(raw["dimensions"])
    )
    return Catalogue(dimensions=dims, stages=tuple(raw["stages"]), minimum_stage=raw["minimum_stage"])
