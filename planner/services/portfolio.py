"""Landesebene: the portfolio of a coordinating organisation, read in a fixed number of queries.

Whatever the number of offices, the figures are read in nine statements (offices, current
strategies, measures, evaluations, funding entries, targets, assessments, their levels and criteria
answers) and computed by planner/domain/portfolio.py. The result is kept per process
(services/cache.py) under the revisions of the state office, the offices it coordinates and
their strategies: a change in one office gives a new portfolio, a change elsewhere does not.

Views hand in the coordinator after checking access (web/access.py); nothing here touches the
request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from .. import models
from ..domain import portfolio as domain
from ..domain.funding import FundingParticipation, ParticipationStatus, find_call
from ..domain.maturity import Answer, Assessment, CriterionAnswer
from ..domain.months import parse_month
from ..domain.state_funding import FundingOffice
from ..domain.state_funding import state_funding as compute_funding
from ..domain.strategy import Measure
from ..domain.verstetigung import STRATEGY
from ..domain.whole_strategy import WholeStrategy
from ..models import land as lm
from ..models import maturity as mm
from ..models import verstetigung as vm
from ..models.auth import Coordination
from . import cache
from .strategies import measure_from_row, read_measures
from .verstetigung import evaluation_to_domain

# the columns the figures read besides the always-read ones (schedule state, evaluation calendar,
# funding rules, the readiness forecast)
FIGURES = (
    "further_dimensions",
    "start",
    "end",
    "actual_start",
    "actual_end",
    "budget",
    "funding_call",
    "subdimensions",
    "target_stage",
)


@dataclass(frozen=True)
class Rollout:
    """One office taking part in a Landesmaßnahme: its rollout status there and since when."""

    office_id: int
    name: str
    status: str  # a key of models.land.ROLLOUT_STATES
    since: date | None

    @property
    def label(self) -> str:
        return lm.ROLLOUT_STATES.get(self.status, self.status)


@dataclass
class LandMeasure:
    """A measure of the state office's strategy with its category, lead and the offices taking part."""

    id: int
    measure: Measure
    offices: list[tuple[int, str]]  # (id, name) of every office with a rollout row, by name
    category: str = "land"
    lead: str = ""
    rollout: list[Rollout] = field(default_factory=list)

    @property
    def dimensions(self) -> list[str]:
        """The dimensions it serves: its dimension and its further dimensions."""
        return [self.measure.dimension, *[d for d in self.measure.further_dimensions if d != self.measure.dimension]]

    @property
    def category_label(self) -> str:
        return lm.LAND_MEASURE_CATEGORIES.get(self.category, self.category)

    def counts(self) -> list[tuple[str, int]]:
        """(status label, number of offices) for the statuses that occur, in the order of ROLLOUT_STATES."""
        found = [r.status for r in self.rollout]
        return [(label, found.count(key)) for key, label in lm.ROLLOUT_STATES.items() if key in found]


@dataclass
class Portfolio:
    """Everything the portfolio pages, the export and the funding overview show."""

    coordinator_id: int
    coordinator: str
    today: date
    offices: list[domain.Office]
    strategy_id: int | None = None  # the state office's own current strategy
    land_measures: list[LandMeasure] = field(default_factory=list)
    # per office what its figures were made from (its name and revisions), for the next `compute`
    made_from: dict[int, tuple] = field(default_factory=dict)
    # a digest of everything above but the offices' strategies (`figures_digest`): the pages made of
    # these figures are kept under it, so a save that changes no figure (a title, a description)
    # makes none of them again
    figures: str = ""

    @cached_property
    def dimensions(self) -> list[domain.DimensionSummary]:
        return domain.dimension_summary(o.maturity for o in self.offices)

    def office(self, organisation_id: int) -> domain.Office | None:
        return next((o for o in self.offices if o.organisation_id == organisation_id), None)


def coordinators(session: Session, organisation_ids: set[int] | None) -> list[models.Organisation]:
    """The organisations among `organisation_ids` (None: all) that coordinate other organisations."""
    query = sa.select(models.Organisation).where(
        sa.exists().where(Coordination.coordinator_id == models.Organisation.id)
    )
    if organisation_ids is not None:
        query = query.where(models.Organisation.id.in_(list(organisation_ids) or [-1]))
    return list(session.scalars(query.order_by(models.Organisation.name)))


def _current_strategies(session: Session, organisation_ids: list[int]) -> dict[int, sa.Row]:
    """Per organisation its current strategy row (no Fortschreibung yet; the newest if several)."""
    s = models.Strategy.__table__
    # the columns the figures read (not the texts: vision, mission, …)
    columns = (s.c.id, s.c.organisation_id, s.c.title, s.c.version, s.c.adopted, s.c.window_start, s.c.window_end)
    rows = session.execute(
        sa.select(*columns)
        .where(s.c.organisation_id.in_(organisation_ids or [-1]))
        .where(~sa.exists().where(vm.Succession.predecessor_id == s.c.id))
        .order_by(s.c.organisation_id, s.c.id)
    ).all()
    return {r.organisation_id: r for r in rows}  # the newest wins


def _assessments(
    session: Session, organisation_ids: list[int], latest_only: bool = False
) -> dict[int, list[Assessment]]:
    """Per organisation its assessments (levels or criteria answers), in three statements; with
    `latest_only` only each organisation's latest."""
    a, lv, an = (t.__table__ for t in (mm.MaturityAssessment, mm.MaturityLevel, mm.MaturityAnswer))
    chosen = a.c.organisation_id.in_(organisation_ids or [-1])
    if latest_only:
        newer = a.alias("newer")
        chosen = sa.and_(
            chosen,
            ~sa.exists().where(newer.c.organisation_id == a.c.organisation_id, newer.c.assessed_on > a.c.assessed_on),
        )
    rows = session.execute(
        sa.select(a.c.id, a.c.organisation_id, a.c.assessed_on, a.c.threshold, a.c.kind)
        .where(chosen)
        .order_by(a.c.organisation_id, a.c.assessed_on)
    ).all()
    ids = sa.select(a.c.id).where(chosen).scalar_subquery()
    levels: dict[int, dict] = {}
    for assessment_id, sub, level in session.execute(
        sa.select(lv.c.assessment_id, lv.c.subdimension, lv.c.level).where(lv.c.assessment_id.in_(ids))
    ):
        levels.setdefault(assessment_id, {})[sub] = level
    answers: dict[int, list[CriterionAnswer]] = {}
    if any(r.kind == "criteria" for r in rows):
        for assessment_id, sub, stage, text, answer in session.execute(
            sa.select(an.c.assessment_id, an.c.subdimension, an.c.stage, an.c.criterion, an.c.answer)
            .where(an.c.assessment_id.in_(ids))
            .order_by(an.c.assessment_id, an.c.position)
        ):
            answers.setdefault(assessment_id, []).append(CriterionAnswer(sub, stage, text, Answer(answer)))
    out: dict[int, list[Assessment]] = {}
    for r in rows:
        out.setdefault(r.organisation_id, []).append(
            Assessment(
                date=r.assessed_on, levels=levels.get(r.id, {}), answers=answers.get(r.id, []), threshold=r.threshold
            )
        )
    return out


def _strategies(session: Session, rows: dict[int, sa.Row], names: dict[int, str]) -> dict[int, WholeStrategy]:
    """Domain strategies (measures, evaluations, funding entries, targets) of these rows, in four statements."""
    ids = [r.id for r in rows.values()]
    e, f, mt = vm.Evaluation.__table__, mm.FundingParticipation.__table__, models.Measure.__table__
    # only the columns the figures need (schedule state, evaluation calendar, funding rules)
    measures = read_measures(session, ids, owners=False, dependencies=False, only=FIGURES)
    evaluations: dict[int, list] = {}
    for r in session.execute(
        sa.select(e, mt.c.key.label("measure_key"))
        .outerjoin(mt, mt.c.id == e.c.measure_id)
        .where(e.c.strategy_id.in_(ids or [-1]))
        .order_by(e.c.performed_on, e.c.id)
    ):
        if r.measure_id is None or r.measure_key is not None:
            evaluations.setdefault(r.strategy_id, []).append(evaluation_to_domain(r, r.measure_key or STRATEGY))
    funding: dict[int, list[FundingParticipation]] = {}
    for r in session.execute(sa.select(f).where(f.c.strategy_id.in_(ids or [-1])).order_by(f.c.position)):
        funding.setdefault(r.strategy_id, []).append(
            FundingParticipation(
                call=r.call,
                status=ParticipationStatus(r.status),
                granted=float(r.granted) if r.granted is not None else None,
                baseline=r.baseline,
                note=r.note or "",
                claim=r.claim or "",
                claimed_dimensions=r.claimed_dimensions,
            )
        )
    targets: dict[int, dict[str, int]] = {}
    t = mm.MaturityTarget.__table__
    for strategy_id, sub, stage in session.execute(
        sa.select(t.c.strategy_id, t.c.subdimension, t.c.stage).where(t.c.strategy_id.in_(ids or [-1]))
    ):
        targets.setdefault(strategy_id, {})[sub] = stage
    return {
        org: WholeStrategy(
            organisation=names[org],
            title=r.title,
            version=r.version or "",
            adopted=parse_month(r.adopted),
            window_start=parse_month(r.window_start),
            window_end=parse_month(r.window_end),
            measures=measures.get(r.id, []),
            funding=funding.get(r.id, []),
            evaluations=evaluations.get(r.id, []),
            targets=targets.get(r.id, {}),
        )
        for org, r in rows.items()
    }


def _last_reports(session: Session, strategy_ids: list[int]) -> dict[int, dict[str, date]]:
    """Per strategy the day of each measure's latest status report (one statement)."""
    m, c = models.Measure.__table__, vm.StatusChange.__table__
    found: dict[int, dict[str, date]] = {}
    for strategy_id, key, day in session.execute(
        sa.select(m.c.strategy_id, m.c.key, sa.func.max(c.c.changed_on))
        .join(c, c.c.measure_id == m.c.id)
        .where(m.c.strategy_id.in_(strategy_ids or [-1]))
        .group_by(m.c.strategy_id, m.c.key)
    ):
        found.setdefault(strategy_id, {})[key] = day
    return found


def _land_measures(session: Session, strategy_id: int, names: dict[int, str]) -> list[LandMeasure]:
    """The state office's measures with category, lead and the offices taking part (three statements)."""
    m, p, info = models.Measure.__table__, lm.LandMeasureOffice.__table__, lm.LandMeasureInfo.__table__
    rows = session.execute(sa.select(m).where(m.c.strategy_id == strategy_id).order_by(m.c.position, m.c.id)).all()
    ids = [r.id for r in rows] or [-1]
    taking_part: dict[int, list[Rollout]] = {}
    for measure_id, office_id, status, since in session.execute(
        sa.select(p.c.measure_id, p.c.office_id, p.c.status, p.c.status_on).where(p.c.measure_id.in_(ids))
    ):
        if office_id in names:  # an office no longer coordinated is not shown
            taking_part.setdefault(measure_id, []).append(Rollout(office_id, names[office_id], status, since))
    kinds = {r.measure_id: r for r in session.execute(sa.select(info).where(info.c.measure_id.in_(ids)))}
    out = []
    for r in rows:
        rollout = sorted(taking_part.get(r.id, []), key=lambda x: x.name.casefold())
        kind = kinds.get(r.id)
        out.append(
            LandMeasure(
                r.id,
                measure_from_row(r),
                [(x.office_id, x.name) for x in rollout],
                kind.category if kind else "land",
                kind.lead if kind else "",
                rollout,
            )
        )
    return out


def compute(
    session: Session,
    coordinator: models.Organisation,
    today: date,
    read: dict[str, int] | None = None,
    previous: Portfolio | None = None,
) -> Portfolio:
    """The portfolio of `coordinator` on `today`, read in a fixed number of statements. With
    `read` (the revisions of `scopes`, read before) and the `previous` portfolio of the same day,
    the offices whose revisions are those `previous` was made from are taken from it: only the
    offices changed since are read and computed."""
    o = models.Organisation.__table__
    offices = session.execute(
        sa.select(o.c.id, o.c.name)
        .join(Coordination, Coordination.organisation_id == o.c.id)
        .where(Coordination.coordinator_id == coordinator.id)
        .order_by(o.c.name)
    ).all()
    names = {r.id: r.name for r in offices}
    ids = list(names)
    current = _current_strategies(session, [*ids, coordinator.id])
    own = current.pop(coordinator.id, None)

    made_from: dict[int, tuple] = {}
    kept: dict[int, domain.Office] = {}
    if read is not None:
        everything = read.get(cache.EVERYTHING)
        for org in ids:
            sid = current[org].id if org in current else None
            made_from[org] = (
                names[org],
                read.get(cache.organisation(org)),
                sid,
                read.get(cache.strategy(sid)),
                everything,
            )
        if previous is not None and previous.today == today:
            kept = {
                x.organisation_id: x
                for x in previous.offices
                if previous.made_from.get(x.organisation_id) == made_from[x.organisation_id]
            }
    missing = [org for org in ids if org not in kept]
    strategies = _strategies(session, {org: current[org] for org in missing if org in current}, names)
    assessments = _assessments(session, missing)
    reports = _last_reports(session, [current[org].id for org in missing if org in current])
    for org in missing:
        kept[org] = domain.office(
            org,
            names[org],
            current[org].id if org in current else None,
            strategies.get(org),
            assessments.get(org, []),
            today,
            reports=reports.get(current[org].id, {}) if org in current else {},
        )
    result = [kept[org] for org in names]
    portfolio = Portfolio(coordinator.id, coordinator.name, today, result, made_from=made_from)
    if own is not None:
        portfolio.strategy_id = own.id
        portfolio.land_measures = _land_measures(session, own.id, names)
    parts = (coordinator.id, coordinator.name, today, portfolio.strategy_id, portfolio.land_measures)
    portfolio.figures = _digest(repr(parts) + "".join(figures_digest(o) for o in result))
    return portfolio


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def figures_digest(office: domain.Office) -> str:
    """A digest of an office's figures as the portfolio pages show them: every field of its
    row but the strategy behind it (the readiness forecast reads that one). Worked out once per
    office object, which is kept while the office does not change."""
    if "figures" not in office.derived:
        office.derived["figures"] = _digest(repr(office))
    return office.derived["figures"]


def office_maturities(session: Session, coordinator_id: int) -> list[domain.OfficeMaturity | None]:
    """The latest maturity of every office `coordinator_id` coordinates (None: no assessment), in
    four statements: what the Land's median needs, without the offices' strategies and measures
    (only each office's latest assessment: first and latest are the same here)."""
    ids = list(
        session.scalars(sa.select(Coordination.organisation_id).where(Coordination.coordinator_id == coordinator_id))
    )
    assessments = _assessments(session, ids, latest_only=True)
    return [domain.office_maturity(assessments.get(i, [])) for i in ids]


def scopes(coordinator_id: int) -> tuple[list[str], list[sa.Select]]:
    """What the portfolio reads (services/cache.py): the state office and its strategies, the
    offices it coordinates and their strategies."""
    offices = sa.select(Coordination.organisation_id).where(Coordination.coordinator_id == coordinator_id)
    organisations = sa.or_(
        models.Strategy.organisation_id.in_(offices), models.Strategy.organisation_id == coordinator_id
    )
    return [cache.organisation(coordinator_id)], [
        sa.select(cache.scope_text("o", Coordination.organisation_id)).where(
            Coordination.coordinator_id == coordinator_id
        ),
        sa.select(cache.scope_text("s", models.Strategy.id)).where(organisations),
    ]


def state_key(session: Session, coordinator_id: int, today: date) -> tuple[str, str]:
    """The state of what the portfolio reads (the revisions of `scopes`, one statement) and the
    day: a document made in the background for the same state is the same document."""
    return cache.stamp(cache.revisions(session, *scopes(coordinator_id))), today.isoformat()


def portfolio_and_key(
    session: Session, coordinator: models.Organisation, today: date, read: dict[str, int] | None = None
) -> tuple[str, Portfolio]:
    """The portfolio, computed once per state of what it reads (kept per process), with that
    state's stamp (a view keeps what it renders from the portfolio under the same stamp).
    `read`: the revisions of `scopes` read before by the caller."""
    if read is None:
        read = cache.revisions(session, *scopes(coordinator.id))
    current = cache.stamp(read)
    options = {"coordinator": coordinator.id, "today": today}
    previous = cache.latest(session, "portfolio", options)

    def make() -> Portfolio:
        return compute(session, coordinator, today, read, previous if isinstance(previous, Portfolio) else None)

    return current, cache.cached(session, current, "portfolio", make, options, shared=False)


def portfolio(session: Session, coordinator: models.Organisation, today: date) -> Portfolio:
    """The portfolio, computed once per state of what it reads (per process)."""
    return portfolio_and_key(session, coordinator, today)[1]


# --- Landesmaßnahmen: the offices taking part ----------------------------------------------------


def land_measure(session: Session, strategy: models.Strategy, measure_id: int) -> LandMeasure | None:
    """The measure as a Landesmaßnahme (category, lead, offices taking part) when its organisation
    coordinates offices; None otherwise. For the measure's own page: a few statements."""
    if not session.scalar(sa.select(sa.exists().where(Coordination.coordinator_id == strategy.organisation_id))):
        return None
    o = models.Organisation.__table__
    names = dict(
        session.execute(
            sa.select(o.c.id, o.c.name)
            .join(Coordination, Coordination.organisation_id == o.c.id)
            .where(Coordination.coordinator_id == strategy.organisation_id)
        ).all()
    )
    p, info = lm.LandMeasureOffice.__table__, lm.LandMeasureInfo.__table__
    rollout = sorted(
        (
            Rollout(office_id, names[office_id], status, since)
            for office_id, status, since in session.execute(
                sa.select(p.c.office_id, p.c.status, p.c.status_on).where(p.c.measure_id == measure_id)
            )
            if office_id in names
        ),
        key=lambda r: r.name.casefold(),
    )
    kind = session.execute(sa.select(info).where(info.c.measure_id == measure_id)).first()
    row = session.execute(sa.select(models.Measure.__table__).where(models.Measure.id == measure_id)).one()
    return LandMeasure(
        measure_id,
        measure_from_row(row),
        [(r.office_id, r.name) for r in rollout],
        kind.category if kind else "land",
        kind.lead if kind else "",
        rollout,
    )


def set_rollout(
    session: Session,
    measure: models.Measure,
    rollout: dict[int, tuple[str, date | None]],
    category: str,
    lead: str,
) -> None:
    """The Landesmaßnahme's category and lead, and exactly these offices taking part, each with its
    rollout status and date (an audited change). Who takes part is part of the Landesmaßnahme: the
    measure gets a new version (its forms check it)."""
    measure_id = measure.id
    flag_modified(measure, "title")
    existing = {
        r.office_id: r
        for r in session.scalars(sa.select(lm.LandMeasureOffice).where(lm.LandMeasureOffice.measure_id == measure_id))
    }
    for office_id, row in existing.items():
        if office_id not in rollout:
            session.delete(row)
    for office_id, (status, since) in sorted(rollout.items()):
        row = existing.get(office_id)
        if row is None:
            session.add(
                lm.LandMeasureOffice(measure_id=measure_id, office_id=office_id, status=status, status_on=since)
            )
        elif (row.status, row.status_on) != (status, since):
            row.status, row.status_on = status, since
    info = session.get(lm.LandMeasureInfo, measure_id)
    if info is None:
        session.add(lm.LandMeasureInfo(measure_id=measure_id, category=category, lead=lead))
    elif (info.category, info.lead) != (category, lead):
        info.category, info.lead = category, lead
    session.flush()


# --- the Land's funding budget -------------------------------------------------------------------


def land_budget(session: Session, coordinator_id: int) -> lm.LandBudget | None:
    """The funds the coordinator's Land has for its offices (None: not set)."""
    return session.get(lm.LandBudget, coordinator_id)


def set_land_budget(session: Session, coordinator_id: int, amount, source: str) -> lm.LandBudget | None:
    """Set (amount None: remove) the Land's budget; an audited change."""
    row = session.get(lm.LandBudget, coordinator_id)
    if amount is None:
        if row is not None:
            session.delete(row)
        session.flush()
        return None
    if row is None:
        row = lm.LandBudget(coordinator_id=coordinator_id, amount=amount, source=source)
        session.add(row)
    else:
        row.amount, row.source = amount, source
    session.flush()
    return row


def state_funding(session: Session, p: Portfolio | models.Organisation):
    """The funding across the state of portfolio `p` — or of a coordinator, read on its own in
    five statements (the funding export does not need the whole portfolio) — against its Land's budget."""
    if isinstance(p, Portfolio):
        coordinator_id, offices = p.coordinator_id, p.offices
    else:
        coordinator_id, offices = p.id, funding_offices(session, p.id)
    budget = land_budget(session, coordinator_id)
    return compute_funding(offices, budget.amount if budget else None, budget.source if budget else "")


def funding_offices(session: Session, coordinator_id: int) -> list:
    """The coordinated offices with their current strategy's funding entries and measure budgets per call."""
    o = models.Organisation.__table__
    names = dict(
        session.execute(
            sa.select(o.c.id, o.c.name)
            .join(Coordination, Coordination.organisation_id == o.c.id)
            .where(Coordination.coordinator_id == coordinator_id)
            .order_by(o.c.name)
        ).all()
    )
    current = _current_strategies(session, list(names))
    by_strategy = {r.id: org for org, r in current.items()}
    ids = list(by_strategy) or [-1]
    f, m = mm.FundingParticipation.__table__, models.Measure.__table__
    funding: dict[int, list[FundingParticipation]] = {}
    for r in session.execute(sa.select(f).where(f.c.strategy_id.in_(ids)).order_by(f.c.position)):
        funding.setdefault(by_strategy[r.strategy_id], []).append(
            FundingParticipation(
                call=r.call,
                status=ParticipationStatus(r.status),
                granted=float(r.granted) if r.granted is not None else None,
            )
        )
    budgets: dict[int, dict[str, float]] = {}
    for strategy_id, call_text, amount in session.execute(
        sa.select(m.c.strategy_id, m.c.funding_call, sa.func.sum(m.c.budget))
        .where(m.c.strategy_id.in_(ids), m.c.budget.is_not(None), m.c.funding_call.is_not(None))
        .group_by(m.c.strategy_id, m.c.funding_call)
    ):
        if (call := find_call(call_text)) is not None:
            sums = budgets.setdefault(by_strategy[strategy_id], {})
            sums[call.id] = sums.get(call.id, 0.0) + float(amount)
    return [FundingOffice(org, name, tuple(funding.get(org, ())), budgets.get(org, {})) for org, name in names.items()]
