"""one review: the records of issue 6's Strategiereview form become strategy reviews (issue 24)

Two review features existed: issue 6's form recorded the meeting as a strategy process evaluation
(core questions, Beschlüsse as text) and its Fortschreibung kept the per-measure decisions in the
new version's history; issue 14's review meetings live in `strategy_reviews`. From now on only the
latter exists. This migration copies, without loss:

- every strategy process evaluation that carries Beschlüsse into a finalised review of its
  strategy (date, participants = the evaluator, the minutes made of core questions, Beschlüsse and
  further perspectives); the evaluation itself stays (it is the strategy's process evaluation);
- the carry-over decisions of a Fortschreibung (`verstetigung_history.decisions` of the new
  version) into a finalised review of the old version with one decision per measure, unless the old
  version already has a finalised review (then the Fortschreibung was made from it). A decision on a
  measure that no longer exists is kept in the minutes.

Revision ID: 0010_h24_one_review
Revises: 0008_h23_review, 0008_h23_verstetigung
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010_h24_one_review"
down_revision = ("0008_h23_review", "0008_h23_verstetigung")
branch_labels = None
depends_on = None

MIGRATED_BY = "Übernahme aus dem bisherigen Strategiereview"
DECISIONS = {"abgeschlossen", "behalten", "anpassen", "verwerfen", "backlog"}
LABELS = {"backlog": "in den Backlog"}

reviews = sa.table(
    "strategy_reviews",
    sa.column("id", sa.Integer),
    sa.column("strategy_id", sa.Integer),
    sa.column("state", sa.String),
    sa.column("held_on", sa.Date),
    sa.column("participants", sa.Text),
    sa.column("minutes", sa.Text),
    sa.column("created_at", sa.DateTime),
    sa.column("created_by", sa.String),
    sa.column("finalised_at", sa.DateTime),
    sa.column("finalised_by", sa.String),
    sa.column("lock_version", sa.Integer),
)
decision_rows = sa.table(
    "strategy_review_decisions",
    sa.column("review_id", sa.Integer),
    sa.column("measure_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("proposed", sa.String),
    sa.column("proposal_reason", sa.Text),
    sa.column("decision", sa.String),
    sa.column("note", sa.Text),
)
evaluations = sa.table(
    "verstetigung_evaluations",
    sa.column("strategy_id", sa.Integer),
    sa.column("measure_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("performed_on", sa.Date),
    sa.column("evaluator", sa.String),
    sa.column("direction", sa.Text),
    sa.column("goals_reached", sa.Text),
    sa.column("decisions", sa.Text),
    sa.column("notes", sa.Text),
    sa.column("created_at", sa.DateTime),
)
history = sa.table(
    "verstetigung_history",
    sa.column("strategy_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("version", sa.String),
    sa.column("replaced_on", sa.Date),
    sa.column("decisions", sa.JSON),
)
successions = sa.table(
    "verstetigung_successions",
    sa.column("predecessor_id", sa.Integer),
    sa.column("successor_id", sa.Integer),
    sa.column("created_at", sa.DateTime),
    sa.column("created_by", sa.String),
)
strategies = sa.table("strategies", sa.column("id", sa.Integer), sa.column("version", sa.String))
measures = sa.table(
    "measures", sa.column("id", sa.Integer), sa.column("strategy_id", sa.Integer), sa.column("key", sa.String)
)


def evaluation_minutes(direction: str, goals: str, decisions: str, notes: str) -> str:
    """The minutes of a review recorded with issue 6's form: its four texts under their headings."""
    parts = [
        ("Kernfrage 1: Entwickeln wir uns in die gewünschte Richtung?", direction),
        ("Kernfrage 2: Erreichen wir mit den gewählten Maßnahmen unsere Ziele?", goals),
        ("Beschlüsse", decisions),
        ("Weitere Perspektiven jenseits des Reifegradmodells", notes),
    ]
    return "\n\n".join(f"{title}:\n{text.strip()}" for title, text in parts if text and text.strip())


def _insert_review(conn, **values) -> int:
    values.setdefault("lock_version", 1)
    values.setdefault("state", "abgeschlossen")
    return conn.execute(reviews.insert().values(**values).returning(reviews.c.id)).scalar_one()


def upgrade() -> None:
    conn = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    # the versions whose Fortschreibung was made from a finalised review meeting
    finalised = {
        r.strategy_id for r in conn.execute(sa.select(reviews.c.strategy_id).where(reviews.c.state == "abgeschlossen"))
    }
    # 1. the meetings recorded as strategy process evaluations
    for ev in conn.execute(
        sa.select(evaluations).where(
            evaluations.c.measure_id.is_(None), evaluations.c.kind == "prozess", evaluations.c.decisions != ""
        )
    ).mappings():
        _insert_review(
            conn,
            strategy_id=ev["strategy_id"],
            held_on=ev["performed_on"],
            participants=ev["evaluator"] or "",
            minutes=evaluation_minutes(
                ev["direction"] or "", ev["goals_reached"] or "", ev["decisions"], ev["notes"] or ""
            ),
            created_at=ev["created_at"] or now,
            created_by=MIGRATED_BY,
            finalised_at=ev["created_at"] or now,
            finalised_by=ev["evaluator"] or MIGRATED_BY,
        )
    # 2. the per-measure decisions of a Fortschreibung, as a review of the old version
    for s in conn.execute(sa.select(successions)).mappings():
        old, new = s["predecessor_id"], s["successor_id"]
        if old in finalised:
            continue
        entries = (
            conn.execute(sa.select(history).where(history.c.strategy_id == new).order_by(history.c.position.desc()))
            .mappings()
            .all()
        )
        old_version = conn.execute(sa.select(strategies.c.version).where(strategies.c.id == old)).scalar()
        entry = next((e for e in entries if e["version"] == old_version), entries[0] if entries else None)
        if entry is None or not entry["decisions"]:
            continue
        ids = {
            m.key: m.id
            for m in conn.execute(sa.select(measures.c.key, measures.c.id).where(measures.c.strategy_id == old))
        }
        kept, lost = [], []
        for d in entry["decisions"]:
            decision = d.get("decision")
            if d.get("measure") in ids and decision in DECISIONS:
                kept.append(d)
            else:
                lost.append(d)
        minutes = "Entscheidungen aus der Fortschreibung übernommen."
        if lost:
            minutes += "\n\nWeitere Entscheidungen (Maßnahme nicht mehr vorhanden):\n" + "\n".join(
                f"- {d.get('title') or d.get('measure')}: {LABELS.get(d.get('decision'), d.get('decision'))}"
                + (f" ({d['note']})" if d.get("note") else "")
                for d in lost
            )
        when = s["created_at"] or now
        review_id = _insert_review(
            conn,
            strategy_id=old,
            held_on=entry["replaced_on"] or when.date(),
            participants=s["created_by"] or "",
            minutes=minutes,
            created_at=when,
            created_by=MIGRATED_BY,
            finalised_at=when,
            finalised_by=s["created_by"] or MIGRATED_BY,
        )
        for i, d in enumerate(kept):
            conn.execute(
                decision_rows.insert().values(
                    review_id=review_id,
                    measure_id=ids[d["measure"]],
                    position=i,
                    proposed=d["decision"],
                    proposal_reason="in der Fortschreibung entschieden",
                    decision=d["decision"],
                    note=d.get("note") or "",
                )
            )


def downgrade() -> None:
    conn = op.get_bind()
    migrated = sa.select(reviews.c.id).where(reviews.c.created_by == MIGRATED_BY)
    conn.execute(decision_rows.delete().where(decision_rows.c.review_id.in_(migrated)))
    conn.execute(reviews.delete().where(reviews.c.created_by == MIGRATED_BY))
