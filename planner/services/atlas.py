"""The measure atlas: every measure a user may see across offices, filtered and paged in a
fixed number of queries; and copying a measure of another office as a template."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import models
from ..domain.atlas import AtlasItem, Origin, as_template, similar_counts, similar_ids
from ..domain.catalogue import catalogue
from ..domain.german import make_key
from ..domain.months import Month, parse_month
from ..domain.schedule_state import ScheduleState, State, schedule_state
from ..domain.strategy import Measure, Status
from ..models.land import MeasureOrigin, SharedStrategy
from ..models.verstetigung import Succession
from . import strategies as strategy_service

PAGE_SIZE = 50


@dataclass
class AtlasFilter:
    """What the atlas is asked for; empty fields do not filter."""

    text: str = ""
    dimension: str = ""
    subdimension: str = ""
    status: str = ""
    state: str = ""
    period_from: Month | None = None
    period_to: Month | None = None
    page: int = 1
    similar_to: int | None = None  # a measure id: only the measures behind its "ähnliche Maßnahmen" hint


@dataclass
class AtlasRow:
    """One measure in the atlas with its office, its contact and where it stands."""

    id: int
    key: str
    title: str
    dimension: str
    subdimensions: list[str]
    status: Status
    planned: str
    schedule: ScheduleState
    strategy_id: int
    strategy: str
    version: str
    organisation_id: int
    organisation: str
    shared: bool
    contacts: list[str] = field(default_factory=list)
    similar: int = 0
    origin: Origin | None = None


@dataclass
class AtlasPage:
    rows: list[AtlasRow]
    total: int
    page: int
    pages: int
    offices: int
    similar_to: str = ""  # the title of the measure whose similar measures are shown


def _columns():
    m, s, o = models.Measure, models.Strategy, models.Organisation
    return (
        m.id, m.key, m.title, m.dimension, m.further_dimensions, m.subdimensions, m.status, m.start, m.end,
        m.actual_start, m.actual_end, s.id.label("strategy_id"), s.title.label("strategy"), s.version,
        o.id.label("organisation_id"), o.name.label("organisation"),
    )  # fmt: skip


def _base(visible: sa.Select | None, *columns) -> sa.Select:
    """Measures of the visible strategies that are current (not carried over into a Fortschreibung)."""
    m, s, o = models.Measure, models.Strategy, models.Organisation
    query = (
        sa.select(*columns)
        .join(s, s.id == m.strategy_id)
        .join(o, o.id == s.organisation_id)
        .where(s.id.not_in(sa.select(Succession.predecessor_id)))
    )
    return query.where(s.id.in_(visible)) if visible is not None else query


def _domain(r) -> Measure:
    """What the schedule state needs of a measure row."""
    return Measure(
        key="",
        title="",
        dimension=r.dimension,
        status=Status(r.status),
        start=parse_month(r.start),
        end=parse_month(r.end),
        actual_start=parse_month(r.actual_start),
        actual_end=parse_month(r.actual_end),
    )


def search(
    session: Session, visible: sa.Select | None, wanted: AtlasFilter, today: date, *, everything: bool = False
) -> AtlasPage:
    """One page of the measures matching `wanted` among the visible strategies (`visible`: a
    subquery of strategy ids, None for all), sorted by office, strategy and position;
    `everything`: all matches on one page, without the similar-measure counts (the export)."""
    m = models.Measure
    # a light first pass over every match; the page's rows are read in full afterwards
    light = [m.id, models.Organisation.id.label("organisation_id"), m.dimension, m.status, m.start, m.end]
    light += [m.actual_start, m.actual_end]
    light += [m.further_dimensions] if wanted.dimension else []
    light += [m.subdimensions] if wanted.subdimension else []
    query = _base(visible, *light)
    if wanted.text:
        pattern = "%" + wanted.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            sa.or_(*(sa.func.lower(c).like(pattern, escape="\\") for c in (m.title, m.description, m.goal)))
        )
    if wanted.status:
        query = query.where(m.status == wanted.status)
    if wanted.period_to is not None:
        query = query.where(m.start.is_not(None), m.start <= str(wanted.period_to))
    if wanted.period_from is not None:
        query = query.where(m.start.is_not(None), sa.or_(m.end.is_(None), m.end >= str(wanted.period_from)))
    query = query.order_by(models.Organisation.name, models.Strategy.title, models.Strategy.id, m.position, m.id)
    similar_title, allowed = "", None
    if wanted.similar_to is not None:
        similar_title, allowed = _similar_to(session, visible, wanted.similar_to)
    found = []
    for r in session.connection().execute(query):  # Core rows: no ORM bookkeeping for thousands
        if allowed is not None and r.id not in allowed:
            continue
        if (
            wanted.dimension
            and wanted.dimension != r.dimension
            and wanted.dimension not in (r.further_dimensions or [])
        ):
            continue
        if wanted.subdimension and wanted.subdimension not in (r.subdimensions or []):
            continue
        if wanted.state and schedule_state(_domain(r), today).state.value != wanted.state:
            continue
        found.append(r)
    if everything:
        return AtlasPage(
            _rows(session, [r.id for r in found], today), len(found), 1, 1, len({r.organisation_id for r in found})
        )
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(wanted.page, 1), pages)
    rows = _rows(session, [r.id for r in found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]], today)
    _similar(session, visible, rows)
    return AtlasPage(rows, len(found), page, pages, len({r.organisation_id for r in found}), similar_title)


def _candidates(session: Session, visible: sa.Select | None, subdimensions: set[str]) -> list[AtlasItem]:
    """Visible measures (not dropped) naming one of `subdimensions`, as the similarity rule reads them."""
    m = models.Measure
    query = _base(visible, m.id, models.Organisation.id, m.subdimensions, m.title).where(
        m.status != Status.VERWORFEN.value
    )
    return [
        AtlasItem(i, str(org), tuple(subs), title)
        for i, org, subs, title in session.connection().execute(query)
        if subs and not subdimensions.isdisjoint(subs)
    ]


def _similar_to(session: Session, visible: sa.Select | None, measure_id: int) -> tuple[str, set[int]]:
    """The title of a visible measure and the ids behind its hint; ("", empty) when it is not visible."""
    m = models.Measure
    row = (
        session.connection()
        .execute(_base(visible, m.id, models.Organisation.id, m.subdimensions, m.title).where(m.id == measure_id))
        .first()
    )
    if row is None:
        return "", set()
    item = AtlasItem(row[0], str(row[1]), tuple(row[2] or ()), row[3])
    return item.title, similar_ids(item, _candidates(session, visible, set(item.subdimensions)))


def _rows(session: Session, ids: list[int], today: date) -> list[AtlasRow]:
    """The page's measures in full, in the order of `ids`, with contacts, origins and sharing."""
    full = {r.id: r for r in session.execute(_base(None, *_columns()).where(models.Measure.id.in_(ids)))}
    chosen = [full[i] for i in ids]
    shared = set(
        session.scalars(
            sa.select(SharedStrategy.strategy_id).where(SharedStrategy.strategy_id.in_({r.strategy_id for r in chosen}))
        )
    )
    contacts: dict[int, list[str]] = {}
    owner, person = models.MeasureOwner, models.Person
    for measure_id, name in session.execute(
        sa.select(owner.measure_id, person.name)
        .join(person, person.id == owner.person_id)
        .where(owner.measure_id.in_(ids))
        .order_by(owner.measure_id, owner.role != "lead", owner.position, owner.id)
    ):
        contacts.setdefault(measure_id, []).append(name)
    origins = {
        o.measure_id: _origin(o)
        for o in session.scalars(sa.select(MeasureOrigin).where(MeasureOrigin.measure_id.in_(ids)))
    }
    result = []
    for r in chosen:
        measure = _domain(r)
        result.append(
            AtlasRow(
                id=r.id,
                key=r.key,
                title=r.title,
                dimension=r.dimension,
                subdimensions=list(r.subdimensions or []),
                status=Status(r.status),
                planned=measure.planned_range,
                schedule=schedule_state(measure, today),
                strategy_id=r.strategy_id,
                strategy=r.strategy,
                version=r.version or "",
                organisation_id=r.organisation_id,
                organisation=r.organisation,
                shared=r.strategy_id in shared,
                contacts=contacts.get(r.id, []),
                origin=origins.get(r.id),
            )  # fmt: skip
        )
    return result


def _similar(session: Session, visible: sa.Select | None, rows: list[AtlasRow]) -> None:
    """Mark the rows whose subdimensions and titles recur in other offices (one query)."""
    if not any(r.subdimensions for r in rows):
        return
    candidates = _candidates(session, visible, {s for r in rows for s in r.subdimensions})
    page = [AtlasItem(r.id, str(r.organisation_id), tuple(r.subdimensions), r.title) for r in rows]
    counts = similar_counts(page, candidates)
    for r in rows:
        r.similar = counts.get(r.id, 0)


def _origin(row: MeasureOrigin) -> Origin:
    return Origin(row.source_organisation, row.source_strategy, row.source_version, row.source_key, row.source_title)


def origin_of(session: Session, strategy_id: int, key: str) -> Origin | None:
    """Where the strategy's measure `key` was copied from, if it was."""
    row = session.scalar(
        sa.select(MeasureOrigin)
        .join(models.Measure, models.Measure.id == MeasureOrigin.measure_id)
        .where(models.Measure.strategy_id == strategy_id, models.Measure.key == key)
    )
    return _origin(row) if row is not None else None


def origins_by_key(session: Session, strategy_id: int) -> dict[str, Origin]:
    """The origins of the strategy's copied measures by measure key, in one query."""
    query = (
        sa.select(models.Measure.key, MeasureOrigin)
        .join(models.Measure, models.Measure.id == MeasureOrigin.measure_id)
        .where(models.Measure.strategy_id == strategy_id)
    )
    return {key: _origin(row) for key, row in session.execute(query)}


def dimension_choices() -> list[str]:
    return [d.name for d in catalogue().dimensions]


def subdimension_choices() -> list[tuple[str, str]]:
    """(subdimension, its dimension) in catalogue order."""
    return [(s, d.name) for d in catalogue().dimensions for s in d.subdimensions]


def state_choices() -> list[State]:
    return list(State)


def copy_measure(session: Session, source: models.Strategy, key: str, target: models.Strategy) -> models.Measure:
    """Copy the measure `key` of `source` into `target` as a template (domain.atlas.as_template)
    and record where it came from; raises LookupError when the source has no such measure and
    strategies.ValidationFailed when the target refuses it."""
    measure = next((m for m in strategy_service.read_strategy(session, source).measures if m.key == key), None)
    if measure is None:
        raise LookupError(key)
    current = strategy_service.read_strategy(session, target)
    copy = as_template(measure, make_key(measure.title, {m.key for m in current.measures}))
    row = strategy_service.save_measure(session, target, copy, current=current)
    session.add(
        MeasureOrigin(
            measure_id=row.id,
            source_organisation=source.organisation.name,
            source_strategy=source.title,
            source_version=source.version or "",
            source_key=measure.key,
            source_title=measure.title,
            source_strategy_id=source.id,
        )
    )
    session.flush()
    return row
