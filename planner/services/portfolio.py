"""Landesebene: the portfolio of a coordinating organisation, read in a fixed number of queries.

Whatever the number of offices, the figures are read in eight statements (offices, current
strategies, measures, evaluations, funding entries, assessments, their levels and criteria
answers) and computed by planner/domain/portfolio.py. The result is kept per process under
a key made of the coordinator, the day, the code and a fingerprint of the database state
(the newest audit entry, strategy, assessment and coordination, creation times and the
database URL): any change of any office —
every change through planner writes an audit entry in its transaction — gives a new key.

Views hand in the coordinator after checking access (web/access.py); nothing here touches the
request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from .. import models
from ..domain import portfolio as domain
from ..domain.funding import FundingParticipation, ParticipationStatus
from ..domain.maturity import Answer, Assessment, CriterionAnswer
from ..domain.months import parse_month
from ..domain.strategy import Measure
from ..domain.verstetigung import STRATEGY
from ..domain.whole_strategy import WholeStrategy
from ..models import land as lm
from ..models import maturity as mm
from ..models import verstetigung as vm
from ..models.auth import AuditEntry, Coordination
from .chart_cache import code_fingerprint
from .strategies import measure_from_row, read_measures
from .verstetigung import evaluation_to_domain

CACHE_SIZE = 16
FIGURES = ("further_dimensions", "start", "end", "actual_start", "actual_end", "budget", "funding_call")


@dataclass
class LandMeasure:
    """A measure of the state office's strategy with the offices taking part."""

    id: int
    measure: Measure
    offices: list[tuple[int, str]]

    @property
    def dimensions(self) -> list[str]:
        """The dimensions it serves: its dimension and its further dimensions."""
        return [self.measure.dimension, *[d for d in self.measure.further_dimensions if d != self.measure.dimension]]


@dataclass
class Portfolio:
    """Everything the portfolio pages, the export and the funding overview show."""

    coordinator_id: int
    coordinator: str
    today: date
    offices: list[domain.Office]
    strategy_id: int | None = None  # the state office's own current strategy
    land_measures: list[LandMeasure] = field(default_factory=list)

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
    rows = session.execute(
        sa.select(s)
        .where(s.c.organisation_id.in_(organisation_ids or [-1]))
        .where(~sa.exists().where(vm.Succession.predecessor_id == s.c.id))
        .order_by(s.c.organisation_id, s.c.id)
    ).all()
    return {r.organisation_id: r for r in rows}  # the newest wins


def _assessments(session: Session, organisation_ids: list[int]) -> dict[int, list[Assessment]]:
    """Per organisation its assessments (levels or criteria answers), in three statements."""
    a, lv, an = (t.__table__ for t in (mm.MaturityAssessment, mm.MaturityLevel, mm.MaturityAnswer))
    rows = session.execute(
        sa.select(a.c.id, a.c.organisation_id, a.c.assessed_on, a.c.threshold, a.c.kind)
        .where(a.c.organisation_id.in_(organisation_ids or [-1]))
        .order_by(a.c.organisation_id, a.c.assessed_on)
    ).all()
    ids = sa.select(a.c.id).where(a.c.organisation_id.in_(organisation_ids or [-1])).scalar_subquery()
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
    """Domain strategies (measures, evaluations, funding entries) of these rows, in three statements."""
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
            )
        )
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
        )
        for org, r in rows.items()
    }


def _land_measures(session: Session, strategy_id: int, names: dict[int, str]) -> list[LandMeasure]:
    """The state office's measures with the offices taking part (two statements)."""
    m, p = models.Measure.__table__, lm.LandMeasureOffice.__table__
    rows = session.execute(sa.select(m).where(m.c.strategy_id == strategy_id).order_by(m.c.position, m.c.id)).all()
    taking_part: dict[int, list[tuple[int, str]]] = {}
    for measure_id, office_id in session.execute(
        sa.select(p.c.measure_id, p.c.office_id).where(p.c.measure_id.in_([r.id for r in rows] or [-1]))
    ):
        if office_id in names:  # an office no longer coordinated is not shown
            taking_part.setdefault(measure_id, []).append((office_id, names[office_id]))
    return [
        LandMeasure(r.id, measure_from_row(r), sorted(taking_part.get(r.id, []), key=lambda x: x[1].casefold()))
        for r in rows
    ]


def compute(session: Session, coordinator: models.Organisation, today: date) -> Portfolio:
    """The portfolio of `coordinator` on `today`, read in a fixed number of statements."""
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
    strategies = _strategies(session, current, names)
    assessments = _assessments(session, ids)
    result = [
        domain.office(
            org,
            name,
            current[org].id if org in current else None,
            strategies.get(org),
            assessments.get(org, []),
            today,
        )
        for org, name in names.items()
    ]
    portfolio = Portfolio(coordinator.id, coordinator.name, today, result)
    if own is not None:
        portfolio.strategy_id = own.id
        portfolio.land_measures = _land_measures(session, own.id, names)
    return portfolio


def state_key(session: Session, coordinator_id: int, today: date) -> tuple:
    """What the cached portfolio depends on, in one statement."""
    newest = sa.select(
        sa.select(sa.func.max(AuditEntry.id)).scalar_subquery(),
        # creation times make the key unique to this database: a reset or a restore that reuses ids
        # does not reuse the key
        sa.select(sa.func.max(AuditEntry.at)).scalar_subquery(),
        sa.select(sa.func.min(models.Organisation.created_at)).scalar_subquery(),
        sa.select(sa.func.max(models.Strategy.created_at)).scalar_subquery(),
        sa.select(sa.func.max(models.Strategy.id)).scalar_subquery(),
        sa.select(sa.func.max(mm.MaturityAssessment.id)).scalar_subquery(),
        sa.select(sa.func.count()).where(Coordination.coordinator_id == coordinator_id).scalar_subquery(),
        sa.select(sa.func.max(Coordination.id)).scalar_subquery(),
    )
    url = session.get_bind().url.render_as_string(hide_password=True)
    return (code_fingerprint(), url, coordinator_id, today, *session.execute(newest).one())


_cache: OrderedDict[tuple, Portfolio] = OrderedDict()
_lock = threading.Lock()
_computing = threading.Lock()


def portfolio_and_key(session: Session, coordinator: models.Organisation, today: date) -> tuple[tuple, Portfolio]:
    """The portfolio, computed once per state of the database (per process), with that state's key
    (a view may keep what it renders from the portfolio under the same key)."""
    key = state_key(session, coordinator.id, today)
    with _lock:
        if (hit := _cache.get(key)) is not None:
            _cache.move_to_end(key)
            return key, hit
    # one computation at a time per process: threads asking for the same state meanwhile wait for it
    with _computing:
        with _lock:
            if (hit := _cache.get(key)) is not None:
                return key, hit
        result = compute(session, coordinator, today)
        with _lock:
            _cache[key] = result
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return key, result


def portfolio(session: Session, coordinator: models.Organisation, today: date) -> Portfolio:
    """The portfolio, computed once per state of the database (per process)."""
    return portfolio_and_key(session, coordinator, today)[1]


# --- Landesmaßnahmen: the offices taking part ----------------------------------------------------


def set_participants(session: Session, measure: models.Measure, office_ids: set[int]) -> None:
    """Name exactly these offices as taking part in the measure (an audited change). Who takes part
    is part of the Landesmaßnahme: the measure gets a new version (its forms check it)."""
    measure_id = measure.id
    flag_modified(measure, "title")
    existing = {
        r.office_id: r
        for r in session.scalars(sa.select(lm.LandMeasureOffice).where(lm.LandMeasureOffice.measure_id == measure_id))
    }
    for office_id, row in existing.items():
        if office_id not in office_ids:
            session.delete(row)
    for office_id in sorted(office_ids - set(existing)):
        session.add(lm.LandMeasureOffice(measure_id=measure_id, office_id=office_id))
    session.flush()
