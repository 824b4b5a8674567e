"""Migration 0010_h24_one_review: a database with reviews of both kinds — issue 6's form (a strategy
process evaluation with Beschlüsse, and the per-measure decisions its Fortschreibung kept in the new
version's history) and issue 14's review meetings — arrives in the one set of review tables, nothing lost."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from planner.migrate import upgrade

pytestmark = pytest.mark.db

NOW = datetime(2025, 3, 10, 9, 0)


def _fill(table: sa.Table, values: dict) -> dict:
    """`values` plus a neutral value for every other required column."""
    out = dict(values)
    for c in table.columns:
        if c.name in out or c.nullable or c.primary_key or c.server_default is not None:
            continue
        kind = c.type.python_type if not isinstance(c.type, sa.JSON) else list
        out[c.name] = {str: "", int: 0, bool: False, list: [], datetime: NOW, date: NOW.date()}.get(kind, "")
    return out


def _insert(conn, md: sa.MetaData, table_name: str, **values) -> int:
    table = md.tables[table_name]
    return conn.execute(table.insert().values(**_fill(table, values)).returning(table.c.id)).scalar_one()


def test_reviews_of_both_kinds_arrive_in_the_one_review(migration_database_url):
    url = migration_database_url
    engine = sa.create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(url, "0008_h23_review")
    upgrade(url, "0008_h23_verstetigung")
    md = sa.MetaData()
    md.reflect(engine)
    with engine.begin() as conn:
        org = _insert(conn, md, "organisations", name="Kreis Steinfurt")
        v2023 = _insert(conn, md, "strategies", organisation_id=org, title="Strategie", version="2023")
        v2025 = _insert(conn, md, "strategies", organisation_id=org, title="Strategie", version="2025")
        v2027 = _insert(conn, md, "strategies", organisation_id=org, title="Strategie", version="2027")
        old = {k: _insert(conn, md, "measures", strategy_id=v2023, key=k, title=k) for k in ("chatbot", "agora")}
        mid = {k: _insert(conn, md, "measures", strategy_id=v2025, key=k, title=k) for k in ("chatbot", "portal")}
        # issue 6: the review form recorded a strategy process evaluation with Beschlüsse
        _insert(
            conn,
            md,
            "verstetigung_evaluations",
            strategy_id=v2023,
            kind="prozess",
            performed_on=date(2025, 2, 20),
            evaluator="Lenkungskreis",
            direction="Ja, mit Verzögerung",
            goals_reached="Teilweise",
            decisions="Chatbot weiterverfolgen",
            notes="Bürgerbefragung ergänzen",
        )
        # a measure's process evaluation is no review
        _insert(
            conn,
            md,
            "verstetigung_evaluations",
            strategy_id=v2023,
            measure_id=old["agora"],
            kind="prozess",
            performed_on=date(2024, 5, 1),
            decisions="",
        )
        # issue 6: the Fortschreibung 2023 → 2025 kept its per-measure decisions in the new version's history
        _insert(
            conn, md, "verstetigung_successions", predecessor_id=v2023, successor_id=v2025, created_by="A. Feldhues"
        )
        _insert(
            conn,
            md,
            "verstetigung_history",
            strategy_id=v2025,
            position=0,
            version="2023",
            title="Strategie",
            replaced_on=date(2025, 3, 10),
            decisions=[
                {"measure": "chatbot", "title": "Chatbot", "decision": "backlog", "note": "erst 2026"},
                {"measure": "agora", "title": "AGORA", "decision": "verwerfen", "note": "abgelöst"},
                {"measure": "weg", "title": "Gelöschte Maßnahme", "decision": "behalten", "note": ""},
            ],
        )
        # issue 14: a finalised review meeting of 2025, then the Fortschreibung 2025 → 2027 made from it
        review = _insert(
            conn,
            md,
            "strategy_reviews",
            strategy_id=v2025,
            state="abgeschlossen",
            held_on=date(2026, 12, 7),
            participants="Strategieteam",
            minutes="Protokoll",
            lock_version=1,
        )
        for i, (k, d) in enumerate((("chatbot", "anpassen"), ("portal", "behalten"))):
            _insert(
                conn,
                md,
                "strategy_review_decisions",
                review_id=review,
                measure_id=mid[k],
                position=i,
                proposed="behalten",
                proposal_reason="läuft",
                decision=d,
                note=f"Notiz {k}",
            )
        _insert(conn, md, "verstetigung_successions", predecessor_id=v2025, successor_id=v2027, created_by="x")
        _insert(
            conn,
            md,
            "verstetigung_history",
            strategy_id=v2027,
            position=1,
            version="2025",
            title="Strategie",
            decisions=[{"measure": "chatbot", "title": "Chatbot", "decision": "anpassen", "note": "Notiz chatbot"}],
        )
    upgrade(url)

    with engine.connect() as conn:
        rows = (
            conn.execute(
                sa.text(
                    "select id, strategy_id, state, held_on, participants, minutes from strategy_reviews order by id"
                )
            )
            .mappings()
            .all()
        )
        decisions = conn.execute(
            sa.text(
                "select r.strategy_id, m.key, d.decision, d.note from strategy_review_decisions d "
                "join strategy_reviews r on r.id = d.review_id join measures m on m.id = d.measure_id"
            )
        ).all()
    engine.dispose()

    by_strategy = {}
    for r in rows:
        by_strategy.setdefault(r["strategy_id"], []).append(r)
    assert all(r["state"] == "abgeschlossen" for r in rows)
    # the 2023 version: the meeting of the form and the decisions of its Fortschreibung
    meeting, carried = sorted(by_strategy[v2023], key=lambda r: r["minutes"].startswith("Entscheidungen"))
    assert str(meeting["held_on"]).startswith("2025-02-20")
    assert meeting["participants"] == "Lenkungskreis"
    for text in ("Ja, mit Verzögerung", "Teilweise", "Chatbot weiterverfolgen", "Bürgerbefragung ergänzen"):
        assert text in meeting["minutes"]
    assert {(s, k, d, n) for s, k, d, n in decisions if s == v2023} == {
        (v2023, "chatbot", "backlog", "erst 2026"),
        (v2023, "agora", "verwerfen", "abgelöst"),
    }
    assert "Gelöschte Maßnahme: behalten" in carried["minutes"]  # a decision on a measure gone is kept too
    # the 2025 version keeps exactly its own review (its Fortschreibung came from it: nothing doubled)
    assert len(by_strategy[v2025]) == 1
    assert {(k, d, n) for s, k, d, n in decisions if s == v2025} == {
        ("chatbot", "anpassen", "Notiz chatbot"),
        ("portal", "behalten", "Notiz portal"),
    }
    assert v2027 not in by_strategy
