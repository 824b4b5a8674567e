"""Backup of one organisation and restore into an empty database, driven by the metadata.

Which rows belong to an organisation follows from the foreign keys alone: the
organisation's row, every row whose foreign key points at a selected row (strategies,
measures, their owners and dependencies, assessments, baselines, ... including tables
other areas add later), rows with a plain `organisation_id` column (the audit trail),
and the rows those point at outside the organisation (the user accounts of its
members). Only EXCLUDED tables are left out, each for a stated reason.

Values are written by column type (dates as ISO text, decimals as text), and read back
the same way, so a restore gives the same rows with the same ids.

Password hashes are SECRET: an organisation's backup, which its `verwalten` members can
download, carries the member accounts (names, roles, administrator flag) without them, so
nobody can attack another person's password offline. Restored accounts have no password
until an administrator sets one (Verwaltung › Benutzer; `planner create-admin --username NAME`
for administrators). Only the command line, run by whoever operates the server and its
database, can include them (`planner backup --password-hashes`).
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..models import Model, utcnow
from . import cache

FORMAT = "planner-backup/1"
ROOT_TABLE = "organisations"
SECRET = {("users", "password_hash"): ""}  # (table, column): the value written instead
EXCLUDED = {
    "login_attempts": "Fehlgeschlagene Anmeldeversuche sind flüchtig (Ratenbegrenzung) und gehören keiner Organisation.",
    "user_tokens": "Persönliche Zugänge (API, Kalender-Abo) gehören einer Person, nicht der Organisation; "
    "nach einer Wiederherstellung legt jede Person neue an.",
    "revisions": "Änderungszähler des Zwischenspeichers; eine Wiederherstellung zählt als Änderung von allem.",
    "cache_entries": "Zwischengespeicherte Seitenteile und Diagramme werden bei Bedarf neu erstellt.",
    "kept_forms": "Nach Ablauf der Sitzung aufbewahrte Formulareingaben sind flüchtig und gehören einer Anmeldung, keiner Organisation.",
    "document_jobs": "Im Hintergrund erzeugte Dokumente (Landesbericht, Portfolio-PDF) werden bei Bedarf neu erstellt.",
    "form_submissions": "Einmal-Kennungen gesendeter Formulare (gegen doppeltes Anlegen) sind flüchtig und gehören einer Anmeldung.",
    "mail_outbox": "Ausgehende Mails sind flüchtig; wartende enthalten persönliche Links, die nicht in eine Sicherung gehören.",
    "mail_reminders": "Welche Erinnerungen verschickt wurden, zählt nur für den laufenden Betrieb (keine doppelten Mails).",
}


class RestoreError(ValueError):
    """The backup cannot be restored here; nothing was written."""


def tables() -> list[sa.Table]:
    return list(Model.metadata.sorted_tables)


def _scoped_by_column(table: sa.Table) -> bool:
    """A plain organisation_id column without a foreign key (the audit trail outlives its objects)."""
    return "organisation_id" in table.c and not table.c.organisation_id.foreign_keys


def coverage() -> dict[str, str]:
    """How each table of the metadata comes into a backup: 'organisation', 'referenced' or 'excluded'."""
    result: dict[str, str] = {}
    reachable = {ROOT_TABLE}
    for table in tables():
        if table.name in EXCLUDED:
            continue
        if (
            table.name in reachable
            or any(fk.column.table.name in reachable for fk in table.foreign_keys)
            or _scoped_by_column(table)
        ):
            reachable.add(table.name)
    referenced = {fk.column.table.name for t in tables() if t.name in reachable for fk in t.foreign_keys} - reachable
    for table in tables():
        if table.name in EXCLUDED:
            result[table.name] = "excluded"
        elif table.name in reachable:
            result[table.name] = "organisation"
        elif table.name in referenced:
            result[table.name] = "referenced"
    return result


def _encode(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else None
    if isinstance(value, float) and not math.isfinite(value):
        return None  # inf or nan is no number JSON could carry (stored before such input was refused)
    return value


def _decode(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, sa.Date):
        return date.fromisoformat(value)
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return Decimal(value)
    return value


def _pk(table: sa.Table) -> list[sa.Column]:
    return list(table.primary_key.columns)


def _key(table: sa.Table, row) -> tuple:
    return tuple(row[c.name] for c in _pk(table))


def collect(conn: Connection, organisation_id: int) -> dict[str, list[dict]]:
    """Every row of the organisation and the rows they point at, per table, ordered by primary key."""
    plan = coverage()
    selected: dict[str, dict[tuple, dict]] = {}
    for table in tables():
        if plan.get(table.name) != "organisation":
            continue
        if table.name == ROOT_TABLE:
            where = table.c.id == organisation_id
        elif _scoped_by_column(table):
            where = table.c.organisation_id == organisation_id
        else:
            conditions = []
            for fk in table.foreign_keys:
                ids = [k[0] for k in selected.get(fk.column.table.name, {})]
                if ids:
                    conditions.append(fk.parent.in_(ids))
            if not conditions:
                continue
            where = sa.or_(*conditions)
        rows = conn.execute(sa.select(table).where(where)).mappings().all()
        selected[table.name] = {_key(table, r): dict(r) for r in rows}
    # rows outside the organisation that selected rows point at (member accounts, a coordinating office)
    by_name = {t.name: t for t in tables()}
    changed = True
    while changed:
        changed = False
        for name in list(selected):
            table = by_name[name]
            for fk in table.foreign_keys:
                target = fk.column.table
                have = selected.setdefault(target.name, {})
                wanted = {r[fk.parent.name] for r in selected[name].values() if r[fk.parent.name] is not None}
                missing = [v for v in wanted if (v,) not in have]
                if missing:
                    for r in conn.execute(sa.select(target).where(fk.column.in_(missing))).mappings():
                        have[_key(target, r)] = dict(r)
                    changed = True
    return {name: [rows[k] for k in sorted(rows)] for name, rows in selected.items() if rows}


def export_organisation(conn: Connection, organisation_id: int, *, password_hashes: bool = False) -> dict:
    """The backup document of one organisation (JSON-serialisable); password hashes only when asked."""
    org = (
        conn.execute(
            sa.select(Model.metadata.tables[ROOT_TABLE]).where(
                Model.metadata.tables[ROOT_TABLE].c.id == organisation_id
            )
        )
        .mappings()
        .first()
    )
    if org is None:
        raise LookupError(organisation_id)
    data = collect(conn, organisation_id)
    by_name = {t.name: t for t in tables()}

    def value(table: str, column: sa.Column, row) -> Any:
        if (table, column.name) in SECRET and not password_hashes:
            return SECRET[(table, column.name)]
        return _encode(column, row[column.name])

    return {
        "format": FORMAT,
        "organisation": {"id": org["id"], "name": org["name"]},
        "exported_at": utcnow().isoformat(),
        "password_hashes": password_hashes,
        "tables": {
            name: [{c.name: value(name, c, row) for c in by_name[name].columns} for row in data[name]]
            for name in (t.name for t in tables())
            if name in data
        },
    }


def accounts_without_password(document: dict) -> list[str]:
    """User names in a backup whose accounts come without a password."""
    return [u.get("username", "") for u in document.get("tables", {}).get("users", []) if not u.get("password_hash")]


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False)


def restore(conn: Connection, document: dict) -> dict[str, int]:
    """Insert a backup into a database whose tables are all empty; ids stay the same. Rows per table."""
    if document.get("format") != FORMAT:
        raise RestoreError(f"Unbekanntes Format: {document.get('format')!r} (erwartet {FORMAT}).")
    by_name = {t.name: t for t in tables()}
    unknown = set(document["tables"]) - set(by_name)
    if unknown:
        raise RestoreError("Die Sicherung enthält unbekannte Tabellen: " + ", ".join(sorted(unknown)))
    for table in tables():
        if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar():
            raise RestoreError(
                f"Die Datenbank ist nicht leer (Tabelle {table.name}). Bitte in eine leere Datenbank einspielen."
            )
    counts = {}
    for table in tables():
        rows = document["tables"].get(table.name) or []
        if not rows:
            continue
        # a column the backup does not know (added after it was written) takes its default
        columns = [c for c in table.columns if c.name in rows[0]]
        conn.execute(sa.insert(table), [{c.name: _decode(c, row.get(c.name)) for c in columns} for row in rows])
        counts[table.name] = len(rows)
    if conn.dialect.name == "postgresql":
        _reset_sequences(conn)
    cache.bump(conn, [cache.EVERYTHING])  # whatever was kept of this database before counts no more
    return counts


def _reset_sequences(conn: Connection) -> None:
    """After inserting explicit ids, PostgreSQL's sequences must continue after the largest id."""
    for table in tables():
        pk = _pk(table)
        if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer):
            continue
        seq = conn.execute(
            sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}
        ).scalar()
        if seq:
            conn.execute(
                sa.text(f'SELECT setval(:s, COALESCE((SELECT MAX("{pk[0].name}") FROM "{table.name}"), 0) + 1, false)'),
                {"s": seq},
            )
