"""The core of a strategy in the database <-> the domain: the loader (strategy, measures, owners,
dependencies), the core import and measure edits. The areas build on this module and add their
parts themselves; `whole_strategy` assembles every area for a whole file (import, export)."""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from .. import models
from ..domain.months import month_text, parse_month
from ..domain.strategy import Measure, Owner, OwnerRole, Rating, Status, Strategy
from ..domain.validation import Problem, validate_strategy, window_problems
from .locking import unchanged_since

S = TypeVar("S", bound=Strategy)


class ValidationFailed(ValueError):
    """A change that would make the strategy invalid; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def lock_strategy(session: Session, strategy_id: int) -> None:
    """Serialise every change to one strategy until the transaction ends.

    Checks that span the whole strategy (no dependency cycle, one Fortschreibung per version,
    unique measure keys and baseline names) read the strategy first and write afterwards; two
    requests doing that at the same moment would both pass the check. See lock_row."""
    lock_row(session, models.Strategy.__table__, strategy_id)


def lock_row(session: Session, table: sa.Table, row_id: int) -> None:
    """Hold a lock on one row until the transaction ends, so that a second request doing the same
    waits and then reads what the first committed. PostgreSQL: a row lock (SELECT … FOR NO KEY
    UPDATE). SQLite has no row locks: a write (that changes nothing) takes the database's write
    lock, which is likewise held until the commit or rollback.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.update(table).where(table.c.id == row_id).values(id=table.c.id))
    else:
        # FOR NO KEY UPDATE: excludes the other changes of this row, but not inserts elsewhere
        # that merely reference it (a foreign key check takes the weaker KEY SHARE lock)
        session.execute(sa.select(table.c.id).where(table.c.id == row_id).with_for_update(key_share=True))


def _core_options():
    return (
        selectinload(models.Strategy.organisation),
        selectinload(models.Strategy.measures)
        .selectinload(models.Measure.owners)
        .selectinload(models.MeasureOwner.person),
        selectinload(models.Strategy.measures).selectinload(models.Measure.prerequisites),
    )


def load_strategy_row(
    session: Session, strategy_id: int, *, core: bool = True, fresh: bool = False
) -> models.Strategy | None:
    """The strategy row with its organisation (one statement); with `core` also its measures,
    owners and dependencies, in a fixed number of queries (five) whatever the number of measures.

    `fresh` overwrites what the session already holds (after `lock_strategy`: the committed state)."""
    query = (
        sa.select(models.Strategy).where(models.Strategy.id == strategy_id).execution_options(populate_existing=fresh)
    )
    return session.scalar(
        query.options(*_core_options()) if core else query.options(joinedload(models.Strategy.organisation))
    )


def _amount(value) -> float | None:
    """A stored amount; NaN (which PostgreSQL's numeric holds and the API took before issue 23)
    reads as none, so that every page, file and API answer stays readable."""
    return float(value) if value is not None and math.isfinite(value) else None


def measure_from_row(row) -> Measure:
    """A domain measure from a row of the measures table (anything with its columns as
    attributes), without owners and dependencies (`read_measures` adds them)."""
    return Measure(
        key=row.key,
        title=row.title,
        dimension=row.dimension,
        description=row.description or "",
        goal=row.goal or "",
        further_dimensions=list(row.further_dimensions or []),
        subdimensions=list(row.subdimensions or []),
        target_stage=row.target_stage,
        urgency=Rating(row.urgency) if row.urgency else None,
        feasibility=Rating(row.feasibility) if row.feasibility else None,
        status=Status(row.status),
        second_loop=row.second_loop or False,
        actors=list(row.actors or []),
        requirements=list(row.requirements or []),
        start=parse_month(row.start),
        end=parse_month(row.end),
        examples=list(row.examples or []),
        steps=list(row.steps or []),
        budget=_amount(row.budget),
        funding_call=row.funding_call,
        deferrals=row.deferrals or 0,
        actual_start=parse_month(row.actual_start),
        actual_end=parse_month(row.actual_end),
    )


# always read: what a measure cannot be shown without
_ALWAYS = ("id", "strategy_id", "key", "title", "dimension", "status")


def read_measures(
    session: Session,
    strategy_ids: list[int],
    *,
    owners: bool = True,
    dependencies: bool = True,
    only: tuple[str, ...] | None = None,
) -> dict[int, list[Measure]]:
    """The one reader of stored measures: per strategy id its domain measures in their stored
    order, read as plain rows (no ORM objects) in one statement, plus one for the owners with
    their names and one for the dependencies unless left out, whatever the number of strategies
    and measures. `only` names the further columns a reader needs, the others stay empty
    (the portfolio reads the few its figures need, for hundreds of offices).

    Every page, the portfolio and every change read strategies through here (`read_strategy`
    for one); pending changes of the session are flushed first (autoflush)."""
    m, o, p, d = (t.__table__ for t in (models.Measure, models.MeasureOwner, models.Person, models.Dependency))
    if not strategy_ids:
        return {}
    in_strategies = m.c.strategy_id.in_(strategy_ids) if len(strategy_ids) > 1 else m.c.strategy_id == strategy_ids[0]
    wanted = None if only is None else {*_ALWAYS, *only}
    # a column left out is read as NULL: no transfer, no decoding, and every row has every name
    columns = [c if wanted is None or c.name in wanted else sa.null().label(c.name) for c in m.c]
    out: dict[int, list[Measure]] = {i: [] for i in strategy_ids}
    by_id: dict[int, Measure] = {}
    for r in session.execute(sa.select(*columns).where(in_strategies).order_by(m.c.strategy_id, m.c.position, m.c.id)):
        out[r.strategy_id].append(measure := measure_from_row(r))  # row by row: the rows are not all kept
        by_id[r.id] = measure
    if not by_id:
        return out
    ids = sa.select(m.c.id).where(in_strategies).scalar_subquery()
    if owners:
        for measure_id, name, role in session.execute(
            sa.select(o.c.measure_id, p.c.name, o.c.role)
            .join(p, p.c.id == o.c.person_id)
            .where(o.c.measure_id.in_(ids))
            .order_by(o.c.measure_id, o.c.position, o.c.id)
        ):
            by_id[measure_id].owners.append(Owner(name, OwnerRole(role)))
    if dependencies:
        for dependent, prerequisite in session.execute(
            sa.select(d.c.dependent_id, d.c.prerequisite_id).where(d.c.dependent_id.in_(ids))
        ):
            if prerequisite in by_id:
                by_id[dependent].depends_on.append(by_id[prerequisite].key)
        for measure in by_id.values():
            if len(measure.depends_on) > 1:
                measure.depends_on.sort()
    return out


def read_strategy(session: Session, row: models.Strategy) -> Strategy:
    """The core domain strategy of a row (strategy fields, measures in their stored order, owners,
    dependencies) through `read_measures`: three statements. A row from
    `load_strategy_row(..., core=False)` is enough; an area that shows its own data adds it
    (`domain.whole_strategy.with_parts`), so a page loads only what it shows."""
    return _strategy(row, read_measures(session, [row.id])[row.id])


def measure_id(session: Session, strategy_id: int, key: str) -> int | None:
    """The id of the strategy's measure with that key."""
    m = models.Measure.__table__
    return session.execute(sa.select(m.c.id).where(m.c.strategy_id == strategy_id, m.c.key == key)).scalar_one_or_none()


def _strategy(row: models.Strategy, measures: list[Measure]) -> Strategy:
    return Strategy(
        organisation=row.organisation.name,
        title=row.title,
        version=row.version or "",
        adopted=parse_month(row.adopted),
        window_start=parse_month(row.window_start),
        window_end=parse_month(row.window_end),
        vision=row.vision or "",
        mission=row.mission or "",
        principles=list(row.principles or []),
        measures=measures,
    )


# --- strategies: the overview, create and edit ------------------------------------------------------


def organisations_with_strategies(session: Session, visible: set[int] | None) -> list[models.Organisation]:
    """The organisations (all when `visible` is None) with their strategies, by name."""
    query = sa.select(models.Organisation)
    if visible is not None:
        query = query.where(models.Organisation.id.in_(visible))
    return list(
        session.scalars(query.options(selectinload(models.Organisation.strategies)).order_by(models.Organisation.name))
    )


def measure_counts(session: Session, strategy_ids: list[int]) -> dict[int, int]:
    """Number of measures per strategy, in one query."""
    m = models.Measure
    return dict(
        session.execute(
            sa.select(m.strategy_id, sa.func.count()).where(m.strategy_id.in_(strategy_ids)).group_by(m.strategy_id)
        ).all()
    )


def find_organisation(session: Session, name: str) -> models.Organisation | None:
    return session.scalar(sa.select(models.Organisation).where(models.Organisation.name == name.strip()))


MONTH_FIELDS = ("adopted", "window_start", "window_end")


def _columns(fields: dict) -> dict:
    """Title, version, months (as Month or None), vision, mission and principles of the form as
    column values. The roadmap window is checked as in a strategy file
    (`domain.validation.window_problems`): raises ValidationFailed."""
    problems = window_problems(fields.get("window_start"), fields.get("window_end"))
    if problems:
        raise ValidationFailed(problems)
    return {name: month_text(value) if name in MONTH_FIELDS else value for name, value in fields.items()}


def create_strategy(session: Session, organisation: str, fields: dict) -> models.Strategy:
    """A new, empty strategy of the organisation (created when new); raises ValidationFailed."""
    columns = _columns(fields)
    row = models.Strategy(organisation=get_or_create_organisation(session, organisation.strip()), **columns)
    session.add(row)
    session.flush()
    return row


def update_strategy(session: Session, row: models.Strategy, fields: dict, seen: int) -> None:
    """Change the strategy's own fields, when nobody saved it after version `seen`: raises
    ValidationFailed, or locking.EditConflict (rolled back)."""
    columns = _columns(fields)
    with unchanged_since(session, "strategies", row, seen):
        for name, value in columns.items():
            setattr(row, name, value)


def get_or_create_organisation(session: Session, name: str) -> models.Organisation:
    """The organisation of that name, created when new."""
    org = session.scalar(sa.select(models.Organisation).where(models.Organisation.name == name))
    if org is None:
        org = models.Organisation(name=name)
        session.add(org)
        session.flush()
    return org


def get_or_create_person(
    session: Session, organisation: models.Organisation, name: str, known: dict[str, models.Person] | None = None
) -> models.Person:
    """The person (or unit) of that name in the organisation, created when new.

    `known` (name → person, from `persons_by_name`) spares one query per owner in bulk writes."""
    person = known.get(name) if known is not None else None
    if person is None:
        person = session.scalar(
            sa.select(models.Person).where(models.Person.organisation_id == organisation.id, models.Person.name == name)
        )
    if person is None:
        person = models.Person(organisation=organisation, name=name)
        session.add(person)
    if known is not None:
        known[name] = person
    return person


def persons_by_name(session: Session, organisation: models.Organisation) -> dict[str, models.Person]:
    """Every person of the organisation by name, loaded in one query."""
    if organisation.id is None:
        return {}
    rows = session.scalars(sa.select(models.Person).where(models.Person.organisation_id == organisation.id))
    return {p.name: p for p in rows}


def owner_addresses(session: Session, organisation_id: int | None) -> dict[str, str]:
    """The stored e-mail addresses of the organisation's persons by name (one query). Addresses are
    shown only to those who may edit (issue 28): callers decide."""
    if organisation_id is None:
        return {}
    rows = session.execute(
        sa.select(models.Person.name, models.Person.email).where(
            models.Person.organisation_id == organisation_id, models.Person.email.is_not(None)
        )
    )
    return {name: email for name, email in rows}


def with_owner_addresses(strategy: S, addresses: dict[str, str]) -> S:
    """A copy of the strategy whose owners carry their stored address (`owner_addresses`) where
    they have none (the strategy itself, perhaps kept by a reader, is not changed)."""

    def owner(o: Owner) -> Owner:
        return o if o.email or o.name not in addresses else replace(o, email=addresses[o.name])

    return replace(strategy, measures=[replace(m, owners=[owner(o) for o in m.owners]) for m in strategy.measures])


def _write_fields(
    session: Session,
    row: models.Measure,
    m: Measure,
    organisation: models.Organisation,
    persons: dict[str, models.Person] | None = None,
) -> None:
    row.key = m.key
    row.title = m.title
    row.description = m.description
    row.goal = m.goal
    row.dimension = m.dimension
    row.further_dimensions = list(m.further_dimensions)
    row.subdimensions = list(m.subdimensions)
    row.target_stage = m.target_stage
    row.urgency = m.urgency.value if m.urgency else None
    row.feasibility = m.feasibility.value if m.feasibility else None
    row.status = m.status.value
    row.second_loop = m.second_loop
    row.actors = list(m.actors)
    row.requirements = list(m.requirements)
    row.start = month_text(m.start)
    row.end = month_text(m.end)
    row.examples = list(m.examples)
    row.steps = list(m.steps)
    row.budget = Decimal(str(m.budget)) if m.budget is not None else None
    row.funding_call = m.funding_call
    row.deferrals = m.deferrals
    row.actual_start = month_text(m.actual_start)
    row.actual_end = month_text(m.actual_end)
    current = [(o.person.name, o.role) for o in row.owners]
    wanted = [(o.name, o.role.value) for o in m.owners]
    if current != wanted:
        if current:
            row.owners.clear()
            session.flush()
        for i, o in enumerate(m.owners):
            person = get_or_create_person(session, organisation, o.name, persons)
            row.owners.append(models.MeasureOwner(person=person, role=o.role.value, position=i))
    for o in m.owners:
        # an address given with the owner (file, API) is the person's; none given keeps the stored one
        if o.email:
            person = get_or_create_person(session, organisation, o.name, persons)
            if person.email != o.email:
                person.email = o.email


def _write_dependencies(
    session: Session, row: models.Measure, depends_on: list[str], rows_by_key: dict, *, new: bool = False
) -> None:
    # a measure created in this unit of work has no links yet: don't ask the database
    current = set() if new else {d.prerequisite.key for d in row.prerequisites}
    if current == set(depends_on):
        return
    for dep in list(row.prerequisites):
        if dep.prerequisite.key not in depends_on:
            dep.prerequisite.dependents.remove(dep)
            row.prerequisites.remove(dep)
    for key in depends_on:
        if key not in current:
            # back_populates puts the new link into both collections; appending again would list it twice
            session.add(models.Dependency(prerequisite=rows_by_key[key], dependent=row))


def import_core(session: Session, strategy: Strategy) -> models.Strategy:
    """Write the core of a validated domain strategy as a new strategy of its organisation
    (`whole_strategy.import_strategy` adds the areas' data)."""
    problems = validate_strategy(strategy)
    if problems:
        raise ValidationFailed(problems)
    org = get_or_create_organisation(session, strategy.organisation)
    row = models.Strategy(
        organisation=org,
        title=strategy.title,
        version=strategy.version,
        adopted=month_text(strategy.adopted),
        window_start=month_text(strategy.window_start),
        window_end=month_text(strategy.window_end),
        vision=strategy.vision,
        mission=strategy.mission,
        principles=list(strategy.principles),
    )
    session.add(row)
    rows_by_key = {}
    persons = persons_by_name(session, org)
    with session.no_autoflush:
        for i, m in enumerate(strategy.measures):
            mrow = models.Measure(position=i, key=m.key, title=m.title, dimension=m.dimension)
            row.measures.append(mrow)
            _write_fields(session, mrow, m, org, persons)
            rows_by_key[m.key] = mrow
    session.flush()
    for mrow in rows_by_key.values():
        # new rows have no links in the database: mark both collections as loaded and empty,
        # so adding links below costs no lazy load per measure
        set_committed_value(mrow, "prerequisites", [])
        set_committed_value(mrow, "dependents", [])
    with session.no_autoflush:
        for m in strategy.measures:
            _write_dependencies(session, rows_by_key[m.key], m.depends_on, rows_by_key, new=True)
    session.flush()
    return row


def with_measure(strategy: Strategy, measure: Measure, existing_key: str | None = None) -> Strategy:
    """A copy of the strategy with the measure put in place of `existing_key`, or added when
    `existing_key` is None and no measure has its key yet."""
    key = existing_key or measure.key
    if existing_key is None and strategy.measure(key) is None:
        return replace(strategy, measures=[*strategy.measures, measure])
    return replace(strategy, measures=[measure if m.key == key else m for m in strategy.measures])


def save_measure(
    session: Session,
    strategy_row: models.Strategy,
    measure: Measure,
    existing_key: str | None = None,
    *,
    current: Strategy | None = None,
) -> models.Measure:
    """Create (existing_key None) or update a measure; refuses a change that makes the strategy invalid.

    `current` is the row's domain strategy when the caller has built it already (validation
    looks at the core only)."""
    domain = current or read_strategy(session, strategy_row)
    if existing_key is None:
        domain = replace(domain, measures=[*domain.measures, measure])
    else:
        domain = replace(domain, measures=[measure if m.key == existing_key else m for m in domain.measures])
    problems = validate_strategy(domain)
    if problems:
        raise ValidationFailed(problems)
    rows_by_key = {m.key: m for m in strategy_row.measures}
    if existing_key is None:
        row = models.Measure(
            position=max((m.position for m in strategy_row.measures), default=-1) + 1,
            key=measure.key,
            title=measure.title,
            dimension=measure.dimension,
        )
        strategy_row.measures.append(row)
    else:
        row = rows_by_key[existing_key]
    _write_fields(session, row, measure, strategy_row.organisation)
    session.flush()
    _write_dependencies(session, row, measure.depends_on, rows_by_key)
    session.flush()
    return row


def delete_measure(session: Session, strategy_row: models.Strategy, key: str) -> None:
    """Remove a measure with its dependencies in both directions."""
    row = next(m for m in strategy_row.measures if m.key == key)
    # each Dependency sits in two collections; detach it from the other end first
    for dep in list(row.dependents):
        dep.dependent.prerequisites.remove(dep)
        row.dependents.remove(dep)
    for dep in list(row.prerequisites):
        dep.prerequisite.dependents.remove(dep)
        row.prerequisites.remove(dep)
    session.flush()
    strategy_row.measures.remove(row)
    session.delete(row)
    session.flush()


def with_dependency(measure: Measure, prerequisite: str) -> Measure:
    """A copy of the measure that also depends on `prerequisite`."""
    return replace(measure, depends_on=sorted({*measure.depends_on, prerequisite}))
