"""A Land to try the Landesebene on: the bundled sample state office and generated demo offices.

`seed_sample_land` (run by `planner seed`): the clearly fictitious „Landesstelle (Beispiel)“
(planner/data/landesstelle-beispiel.yaml) coordinates every organisation loaded before it, and
each of its measures (Landesmaßnahmen) names them all as taking part.

`demo_land` (`planner demo-land --offices N`): N fictitious offices, each with a strategy of
about 60 measures and two result-sheet assessments, coordinated by a fictitious state office;
written with bulk inserts (a few statements per table, whatever N) and the same for the same
seed. More per-office data (e.g. an application landscape) plugs in as a generator in
OFFICE_GENERATORS: a function (session, offices, rng) called once with every new office as
(organisation id, name) — it should insert in bulk as well.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import models
from ..domain.catalogue import catalogue
from ..domain.months import Month
from ..domain.strategy import Status
from ..models import land as lm
from ..models import maturity as mm
from ..models.auth import Coordination
from . import landscape
from .whole_strategy import import_strategy

SAMPLE_FILE = Path(__file__).resolve().parent.parent / "data" / "landesstelle-beispiel.yaml"
SAMPLE_NAME = "Landesstelle (Beispiel)"
DEMO_COORDINATOR = "Landesstelle Demo (fiktiv)"
DEMO_OFFICE = "Gesundheitsamt Demo-{:03d} (fiktiv)"

OfficeGenerator = Callable[[Session, list[tuple[int, str]], random.Random], None]
OFFICE_GENERATORS: list[OfficeGenerator] = []  # filled below the generators (landscapes, funding)


def _coordinate(session: Session, coordinator_id: int, office_ids: list[int]) -> None:
    if office_ids:
        session.execute(
            sa.insert(Coordination), [{"coordinator_id": coordinator_id, "organisation_id": i} for i in office_ids]
        )


def seed_sample_land(session: Session, strategy) -> models.Strategy:
    """Import the sample state office's strategy; it coordinates every other organisation, and
    every office takes part in every one of its measures."""
    offices = list(session.scalars(sa.select(models.Organisation.id).order_by(models.Organisation.id)))
    row = import_strategy(session, strategy)
    session.flush()
    for office_id in offices:
        session.add(Coordination(coordinator_id=row.organisation_id, organisation_id=office_id))
        for m in row.measures:
            session.add(lm.LandMeasureOffice(measure_id=m.id, office_id=office_id))
    add_sample_budget(session, row.organisation_id)
    session.flush()
    return row


# the Lower Saxony figure (seed 004) as the sample Land's funds; a coordinator changes it on its funding page
SAMPLE_BUDGET = Decimal("65000000")
SAMPLE_BUDGET_SOURCE = "Beispielwert: Niedersachsen, bis zu 65 Mio. € (Ministeriumsseite zum Pakt für den ÖGD)"


def add_sample_budget(session: Session, coordinator_id: int) -> None:
    session.add(lm.LandBudget(coordinator_id=coordinator_id, amount=SAMPLE_BUDGET, source=SAMPLE_BUDGET_SOURCE))


def insert_sample_funding(session: Session, offices: list[tuple[int, str]], rng: random.Random) -> None:
    """Funding entries of the demo offices' strategies: about 9 in 10 applied to the 1st call, half
    to the 3rd; most applications granted, the amounts scaled to the sample Land's funds. Its own random sequence (the
    other generators draw the same as without it)."""
    own = random.Random(len(offices) * 7919 + 27)
    s = models.Strategy.__table__
    strategies = {
        org: sid
        for org, sid in session.execute(
            sa.select(s.c.organisation_id, s.c.id).where(s.c.organisation_id.in_([i for i, _ in offices]))
        )
    }
    # amounts such that the grants use about 70 % of the sample Land's funds, whatever the number of offices
    typical = float(SAMPLE_BUDGET) * 0.7 / (max(len(offices), 1) * 1.4)
    rows = []
    for office_id, _ in offices:
        if (strategy_id := strategies.get(office_id)) is None:
            continue
        for position, (call, chance) in enumerate((("foerderaufruf-1", 0.9), ("foerderaufruf-3", 0.5))):
            if own.random() > chance:
                continue
            status = own.choices(["bewilligt", "abgeschlossen", "beantragt"], [6, 3, 1])[0]
            granted = None if status == "beantragt" else Decimal(round(typical * own.uniform(0.5, 1.5), -3))
            rows.append(
                {
                    "strategy_id": strategy_id,
                    "position": position,
                    "call": call,
                    "status": status,
                    "granted": granted,
                    "note": "",
                }
            )
    if rows:
        session.execute(sa.insert(mm.FundingParticipation.__table__), rows)


# --- generated demo offices ------------------------------------------------------------------

TOPICS = [
    "Einführung einer elektronischen Akte",
    "Digitale Terminvergabe",
    "Schulungsprogramm",
    "Prozessaufnahme und -optimierung",
    "Beschaffung mobiler Endgeräte",
    "IT-Sicherheitskonzept",
    "Schnittstelle zur Fachsoftware",
    "Online-Antragsverfahren",
    "Dashboard für Kennzahlen",
    "Informationssicherheits-Schulung",
    "Datenschutzkonzept",
    "Videosprechstunde",
    "Wissensmanagement im Intranet",
    "Digitale Unterschrift",
    "Kollaborationsplattform",
]
STATUSES = [
    (Status.GEPLANT, 30),
    (Status.IN_UMSETZUNG, 30),
    (Status.ABGESCHLOSSEN, 25),
    (Status.FORTLAUFEND, 5),
    (Status.BACKLOG, 7),
    (Status.VERWORFEN, 3),
]


def _levels(rng: random.Random, before: dict[str, int | None] | None) -> dict[str, int | None]:
    out = {}
    for s in catalogue().subdimension_names:
        if before is None:
            out[s] = rng.choice([None, 0, 0, 1, 1, 2, 3])
        else:
            old = -1 if before[s] is None else before[s]
            new = min(4, old + rng.choice([0, 0, 1, 1, 2, 2, 3]))
            out[s] = None if new < 0 else new
    return out


def demo_land(session: Session, offices: int, seed: int = 16, measures: int = 60) -> tuple[int, list[int]]:
    """Write `offices` fictitious offices and a fictitious state office coordinating them.
    Returns (state office id, office ids). Raises ValueError (German) when the demo exists."""
    if session.scalar(sa.select(models.Organisation.id).where(models.Organisation.name == DEMO_COORDINATOR)):
        raise ValueError(f"„{DEMO_COORDINATOR}“ gibt es schon; die Demo-Daten werden nur einmal angelegt.")
    rng = random.Random(seed)
    cat = catalogue()
    names = [DEMO_OFFICE.format(i + 1) for i in range(offices)]
    org = models.Organisation.__table__
    session.execute(sa.insert(org), [{"name": n} for n in [DEMO_COORDINATOR, *names]])
    ids = dict(session.execute(sa.select(org.c.name, org.c.id).where(org.c.name.in_([DEMO_COORDINATOR, *names]))).all())
    coordinator = ids[DEMO_COORDINATOR]
    office_ids = [ids[n] for n in names]
    _coordinate(session, coordinator, office_ids)
    add_sample_budget(session, coordinator)

    st = models.Strategy.__table__
    strategies = []
    for n, i in zip(names, office_ids, strict=True):
        adopted = Month(rng.choice([2022, 2023, 2024]), rng.randint(1, 12))
        strategies.append(
            {
                "organisation_id": i,
                "title": f"Digitalisierungsstrategie {n.removeprefix('Gesundheitsamt ')}",
                "version": f"{adopted.year}",
                "adopted": str(adopted),
                "window_start": str(adopted),
                "window_end": str(adopted + 47),
                "vision": "Ein digitales, bürgernahes Gesundheitsamt (fiktives Beispiel).",
                "mission": "",
                "principles": [],
                "lock_version": 1,
            }
        )
    session.execute(sa.insert(st), strategies)
    strategy_ids = dict(
        session.execute(sa.select(st.c.organisation_id, st.c.id).where(st.c.organisation_id.in_(office_ids))).all()
    )

    rows = []
    statuses, weights = zip(*STATUSES, strict=True)
    for i in office_ids:
        count = max(1, measures + rng.randint(-5, 5)) if measures > 5 else measures
        for k in range(count):
            dim = rng.choice(cat.dimensions)
            status = rng.choices(statuses, weights)[0]
            start = Month(2023, 1) + rng.randint(0, 40)
            end = start + rng.randint(2, 18)
            planned = status is not Status.BACKLOG and rng.random() > 0.05
            rows.append(
                {
                    "strategy_id": strategy_ids[i],
                    "key": f"m{k + 1:03d}",
                    "position": k,
                    "title": f"{rng.choice(TOPICS)} ({dim.name}, Nr. {k + 1})",
                    "description": "",
                    "goal": "",
                    "dimension": dim.name,
                    "further_dimensions": [],
                    "subdimensions": [rng.choice(dim.subdimensions)],
                    "status": status.value,
                    "second_loop": False,
                    "actors": [],
                    "requirements": [],
                    "examples": [],
                    "steps": [],
                    "start": str(start) if planned else None,
                    "end": str(end) if planned else None,
                    "actual_end": str(end) if planned and status is Status.ABGESCHLOSSEN else None,
                    "deferrals": 0,
                    "lock_version": 1,
                }
            )
    session.execute(sa.insert(models.Measure.__table__), rows)

    a = mm.MaturityAssessment.__table__
    levels_by_key = {}
    assessments = []
    for i in office_ids:
        first = _levels(rng, None)
        second = _levels(rng, first)
        d1 = date(2022, rng.randint(3, 9), rng.randint(1, 28))
        d2 = date(2024, rng.randint(3, 11), rng.randint(1, 28))
        for when, levels in ((d1, first), (d2, second)):
            assessments.append(
                {"organisation_id": i, "assessed_on": when, "kind": "result_sheet", "note": "Fiktive Messung (Demo)"}
            )
            levels_by_key[(i, when)] = levels
    session.execute(sa.insert(a), assessments)
    level_rows = [
        {"assessment_id": aid, "subdimension": s, "level": v}
        for aid, org_id, when in session.execute(
            sa.select(a.c.id, a.c.organisation_id, a.c.assessed_on).where(a.c.organisation_id.in_(office_ids))
        )
        for s, v in levels_by_key[(org_id, when)].items()
    ]
    session.execute(sa.insert(mm.MaturityLevel.__table__), level_rows)

    offices_named = list(zip(office_ids, names, strict=True))
    for generate in OFFICE_GENERATORS:
        generate(session, offices_named, rng)
    return coordinator, office_ids


OFFICE_GENERATORS.extend([landscape.insert_sample_landscapes, insert_sample_funding])
