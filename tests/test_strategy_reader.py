"""The one strategy reader (services.strategies.read_measures / read_strategy): every page, the
portfolio and every change read stored strategies through it."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from planner.domain.months import Month
from planner.domain.strategy import Measure, Owner, OwnerRole, Rating, Status, Strategy
from planner.extensions import db
from planner.services import strategies as service
from planner.services.whole_strategy import import_strategy


def _strategy(organisation: str, n: int) -> Strategy:
    measures = [
        Measure(
            key=f"{organisation[:1].lower()}{i}",
            title=f"Maßnahme {i} von {organisation}",
            dimension="Digitalisierungsstrategie",
            description=f"Beschreibung {i}",
            goal="Ziel",
            further_dimensions=["IT-Bereitstellung"],
            subdimensions=[],
            urgency=Rating.HOCH,
            feasibility=Rating.GERING if i % 2 else None,
            status=Status.IN_UMSETZUNG if i % 2 else Status.GEPLANT,
            owners=[Owner(f"Leitung {i}"), Owner("Team IT", OwnerRole.SUPPORT)],
            actors=["Amt 10"],
            start=Month(2026, 1 + i),
            end=Month(2026, 3 + i),
            # the last one depends on every earlier one, listed backwards: the reader sorts them
            depends_on=[f"{organisation[:1].lower()}{k}" for k in reversed(range(i))] if i == n - 1 else [],
            budget=1000.5 * (i + 1),
            funding_call="Pakt ÖGD" if i == 0 else None,
        )
        for i in range(n)
    ]
    return Strategy(organisation=organisation, title=f"Strategie {organisation}", measures=measures)


def _import(app, strategy: Strategy) -> int:
    with app.app_context():
        row = import_strategy(db.session, strategy)
        db.session.commit()
        return row.id


@pytest.mark.db
def test_read_strategy_gives_back_what_was_stored(app):
    stored = _strategy("Aamt", 4)
    strategy_id = _import(app, stored)
    with app.app_context():
        row = service.load_strategy_row(db.session, strategy_id, core=False)
        read = service.read_strategy(db.session, row)
    assert read.organisation == "Aamt" and read.title == "Strategie Aamt"
    assert read.measures == [
        m if m.key != "a3" else Measure(**{**vars(m), "depends_on": ["a0", "a1", "a2"]}) for m in stored.measures
    ]


@pytest.mark.db
def test_read_measures_reads_many_strategies_in_three_statements(app):
    first, second = _import(app, _strategy("Bamt", 3)), _import(app, _strategy("Camt", 5))
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        read = service.read_measures(db.session, [second, first, 999])
    assert len(statements) == 3  # measures, owners with their names, dependencies
    assert [m.key for m in read[first]] == ["b0", "b1", "b2"]
    assert [m.key for m in read[second]] == ["c0", "c1", "c2", "c3", "c4"]
    assert read[999] == []  # a strategy without measures (or none) has an empty list
    assert read[first][0].owners == [Owner("Leitung 0"), Owner("Team IT", OwnerRole.SUPPORT)]
    assert read[second][4].depends_on == ["c0", "c1", "c2", "c3"]


@pytest.mark.db
def test_read_measures_leaves_out_what_a_reader_does_not_need(app):
    strategy_id = _import(app, _strategy("Damt", 2))
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        read = service.read_measures(
            db.session, [strategy_id], owners=False, dependencies=False, only=("start", "budget")
        )[strategy_id]
    assert len(statements) == 1
    assert [(m.key, m.start, m.budget, m.status) for m in read] == [
        ("d0", Month(2026, 1), 1000.5, Status.GEPLANT),
        ("d1", Month(2026, 2), 2001.0, Status.IN_UMSETZUNG),
    ]
    # what was not asked for stays empty
    assert all(m.description == "" and m.end is None and m.owners == [] and m.urgency is None for m in read)
    assert read[1].depends_on == []


@pytest.mark.db
def test_the_reader_sees_what_the_session_has_not_written_yet(app):
    """A change reads the strategy after editing rows (the Planungsvorschlag's take-over): pending
    changes are flushed first."""
    strategy_id = _import(app, _strategy("Eamt", 2))
    with app.app_context():
        row = service.load_strategy_row(db.session, strategy_id)
        row.measures[0].title = "Neuer Titel"
        row.measures[1].budget = Decimal("NaN") if db.engine.dialect.name == "postgresql" else None
        read = service.read_strategy(db.session, row)
        db.session.rollback()
    assert read.measures[0].title == "Neuer Titel"
    assert read.measures[1].budget is None  # NaN (stored by the API before issue 23) reads as none


def test_pages_and_the_portfolio_have_no_other_reader():
    """The readers the reader replaced stay gone."""
    for name in ("core_to_domain", "read_core", "load_core", "measure_to_domain", "measure_from_columns", "_measure"):
        assert not hasattr(service, name), name
