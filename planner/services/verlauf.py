"""The Verlauf (audit trail) for people: German labels of tables, fields and actions, stored
values as the pages write them, the lines of a Verlauf table and the message of an edit
conflict. Recording the trail is `audit.py`'s job."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from ..domain.german import timestamp
from ..domain.strategy import OwnerRole, Status
from ..domain.verstetigung import OUTCOME_LABELS, Kind
from ..domain.verstetigung_versions import MEASURE_FIELDS, STRATEGY_FIELDS
from ..models import Model
from ..models.auth import AuditEntry
from .audit import changes_since, class_of_table, history

TABLE_LABELS = {
    "organisations": "Organisation",
    "strategies": "Strategie",
    "measures": "Maßnahme",
    "measure_owners": "Verantwortliche(r)",
    "dependencies": "Abhängigkeit",
    "persons": "Person",
    "users": "Benutzer",
    "memberships": "Rolle",
    "coordinations": "Koordination",
    "maturity_assessments": "Reifegradmessung",
    "maturity_levels": "Reifegradstufe",
    "maturity_answers": "Kriterienantwort",
    "maturity_criteria": "Kriterium",
    "maturity_targets": "Zielstufe",
    "funding_participations": "Förderaufruf",
    "roadmap_baselines": "Basisplan",
    "roadmap_baseline_entries": "Basisplan-Eintrag",
    "verstetigung_status_changes": "Statusänderung",
    "verstetigung_evaluations": "Evaluation",
    "verstetigung_indicators": "Indikator",
    "verstetigung_indicator_values": "Indikatorwert",
    "verstetigung_history": "Frühere Version",
    "verstetigung_successions": "Fortschreibung",
    "strategy_resolutions": "Beschluss",
    "user_tokens": "Persönlicher Zugang",
    "shared_strategies": "Freigabe für andere Gesundheitsämter",
    "measure_origins": "Herkunft (Vorlage)",
    "applications": "Anwendung (Applikationslandkarte)",
    "strategy_reviews": "Strategiereview",
    "strategy_review_decisions": "Review-Entscheidung",
    "land_measure_offices": "Teilnehmendes Amt (Landesmaßnahme)",
    "land_measure_info": "Landesmaßnahme (Art, Federführung)",
    "land_budgets": "Mittel des Landes",
    "survey_rounds": "Erhebungsrunde",
    "survey_answers": "Antwort (Erhebungsrunde)",
    "survey_reminders": "Erinnerung (Erhebungsrunde)",
    "survey_snapshots": "Festgehaltene Anwendung (Erhebungsrunde)",
    "directory_group_roles": "Verzeichnisgruppe",
    "status_requests": "Statusabfrage per Mail",
    "status_links": "Persönlicher Link (Statusabfrage)",
    "status_link_measures": "Maßnahme im persönlichen Link",
}
# German labels of the columns: the domain's field labels (one source with the version
# comparison), plus the columns only the database has
FIELD_LABELS = {
    **MEASURE_FIELDS,
    **STRATEGY_FIELDS,
    "amount": "Betrag",
    "source": "Quelle",
    "subject": "Gegenstand",
    "due_on": "Frist",
    "closed_at": "Abgeschlossen am",
    "round_id": "Erhebungsrunde",
    "answered_at": "Beantwortet am",
    "answered_by": "Beantwortet von",
    "sent_at": "Erinnert am",
    "sent_by": "Erinnert von",
    "category": "Art",
    "lead": "Federführung",
    "status_on": "Stand seit",
    "name": "Name",
    "name_key": "Name (ohne Groß-/Kleinschreibung)",
    "start": "Geplanter Beginn",
    "end": "Geplantes Ende",
    "window_start": "Fahrplan von",
    "window_end": "Fahrplan bis",
    "person_id": "Person",
    "strategy_id": "Strategie",
    "measure_id": "Maßnahme",
    "organisation_id": "Organisation",
    "office_id": "Teilnehmendes Amt",
    "assessment_id": "Messung",
    "created_at": "Angelegt am",
    "role": "Rolle",
    "group_dn": "Verzeichnisgruppe (DN)",
    "group_key": "Verzeichnisgruppe (verglichen)",
    "directory_dn": "Verzeichniskonto (DN)",
    "directory_checked_at": "Im Verzeichnis geprüft am",
    "email": "E-Mail-Adresse",
    "prerequisite_id": "Voraussetzung",
    "dependent_id": "Abhängige Maßnahme",
    "position": "Position",
    "key": "Schlüssel",
    "note": "Notiz",
    "password_hash": "Passwort",
    "display_name": "Anzeigename",
    "username": "Benutzername",
    "is_admin": "Administrator",
    "active": "Aktiv",
    # Verstetigung: progress, evaluations, indicators, versions
    "actual_start": "Tatsächlicher Beginn",
    "actual_end": "Tatsächliches Ende",
    "changed_on": "Stand vom",
    "changed_by": "Erfasst von",
    "kind": "Art",
    "hint": "Beginnt mit",
    "token_hash": "Schlüssel (Prüfsumme)",
    "due": "Fällig",
    "performed_on": "Durchgeführt am",
    "evaluator": "Durchgeführt von",
    "done": "Fertig umgesetzt / etabliert",
    "schedule_kept": "Zeitplan eingehalten",
    "financial": "Finanzielle Ressourcen auskömmlich",
    "staff": "Personelle Ressourcen auskömmlich",
    "material": "Materielle Ressourcen auskömmlich",
    "cooperation_rating": "Zusammenarbeit (Bewertung)",
    "cooperation_text": "Zusammenarbeit",
    "participation_rating": "Beteiligung der Mitarbeitenden (Bewertung)",
    "participation_text": "Beteiligung der Mitarbeitenden",
    "communication_rating": "Kommunikation (Bewertung)",
    "communication_text": "Kommunikation",
    "went_well": "Was lief gut?",
    "went_badly": "Was lief nicht gut?",
    "outcome": "Ergebnis",
    "citizen_survey": "Bürgerbefragung",
    "staff_survey": "Mitarbeitendenbefragung",
    "direction": "Kernfrage 1 (Richtung)",
    "goals_reached": "Kernfrage 2 (Ziele)",
    "decisions": "Beschlüsse",
    "notes": "Anmerkungen",
    "unit": "Einheit",
    "baseline": "Ausgangswert",
    "target": "Zielwert",
    "indicator_id": "Indikator",
    "measured_on": "Gemessen am",
    "value": "Wert",
    "replaced_on": "Abgelöst am",
    "predecessor_id": "Vorgängerversion",
    "successor_id": "Nachfolgeversion",
    "reviewed_on": "Strategiereview vom",
    "decided_on": "Beschlossen am",
    "body": "Beschlossen durch",
    "reference": "Aktenzeichen oder Vorlage",
    "recorded_by": "Erfasst von",
    "created_by": "Angelegt von",
    # accounts, maturity, funding, baselines
    "session_version": "Sitzungsstand",
    "last_login_at": "Letzte Anmeldung",
    "last_used_at": "Zuletzt benutzt",
    "coordinator_id": "Koordinierende Organisation",
    "user_id": "Benutzer",
    "assessed_on": "Messung vom",
    "threshold": "Schwelle",
    "subdimension": "Subdimension",
    "stage": "Stufe",
    "text": "Text",
    "criterion": "Kriterium",
    "answer": "Antwort",
    "level": "Stufe",
    "call": "Förderaufruf",
    "granted": "Bewilligt (€)",
    "claim": "Angabe des Amts",
    "claimed_dimensions": "Dimensionen laut Angabe des Amts",
    "baseline_id": "Basisplan",
    "measure_key": "Maßnahme",
    # Land level: sharing, copied measures, application landscape
    "shared_at": "Freigegeben am",
    "shared_by": "Freigegeben von",
    "source_organisation": "Herkunft: Organisation",
    "source_strategy": "Herkunft: Strategie",
    "source_version": "Herkunft: Version",
    "source_key": "Herkunft: Maßnahme (Schlüssel)",
    "source_title": "Herkunft: Maßnahme",
    "source_strategy_id": "Herkunft: Strategie-Nr.",
    "copied_at": "Übernommen am",
    "vendor": "Hersteller",
    "task_area": "Aufgabe",
    "operation": "Betrieb",
    "interfaces": "Schnittstellen",
    "state": "Stand",
    # strategy review
    "held_on": "Sitzung am",
    "participants": "Teilnehmende",
    "minutes": "Protokoll",
    "finalised_at": "Abgeschlossen am",
    "finalised_by": "Abgeschlossen von",
    "review_id": "Strategiereview",
    "proposed": "Vorgeschlagene Entscheidung",
    "proposal_reason": "Begründung des Vorschlags",
    "decision": "Entscheidung",
    # mail (issue 28): persons' addresses, digests, status requests by link
    "mail_off": "Keine Mails (abbestellt)",
    "mail_digests": "Wochenübersicht und Erinnerungen per Mail",
    "reminded_at": "Erinnert am",
    "request_id": "Statusabfrage",
    "expires_at": "Gültig bis",
    "revoked_at": "Widerrufen am",
    "link_id": "Persönlicher Link",
}
ACTION_LABELS = {"insert": "angelegt", "update": "geändert", "delete": "gelöscht", "import": "importiert"}


def object_of(session: Session, table: str, object_id: str):
    """The object a Verlauf is about, while it still exists (None when it was deleted)."""
    cls = class_of_table().get(table)
    return session.get(cls, int(object_id)) if cls is not None and object_id.isdigit() else None


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


def table_label(table: str) -> str:
    return TABLE_LABELS.get(table, table)


def _labels(session: Session, wanted: dict[type, set[int]]) -> dict[tuple[type, int], str | None]:
    """Title or name of objects by class and id, one statement per class (a Verlauf of a hundred
    entries must not cost a hundred lookups)."""
    found: dict[tuple[type, int], str | None] = {}
    for cls, ids in wanted.items():
        key = inspect(cls).primary_key
        if len(key) != 1 or not ids:
            continue
        with session.no_autoflush:
            for target in session.scalars(sa.select(cls).where(key[0].in_(sorted(ids)))):
                label = getattr(target, "title", None) or getattr(target, "name", None)
                found[(cls, getattr(target, inspect(cls).get_property_by_column(key[0]).key))] = (
                    label if isinstance(label, str) else None
                )
    return found


def resolve_references(session: Session, entries: Iterable) -> dict[tuple[str, str], str]:
    """Readable names for foreign-key values in entries (a person's name, a measure's title)."""
    tables = {t.name: t for t in Model.metadata.sorted_tables}
    references: list[tuple[str, str, type]] = []
    for e in entries:
        table = tables.get(e.table_name)
        if table is None or e.field not in table.c:
            continue
        for fk in table.c[e.field].foreign_keys:
            cls = class_of_table().get(fk.column.table.name)
            for value in (e.old, e.new):
                if cls is not None and value is not None and value.isdigit():
                    references.append((e.field, value, cls))
    wanted: dict[type, set[int]] = {}
    for _, value, cls in references:
        wanted.setdefault(cls, set()).add(int(value))
    labels = _labels(session, wanted)
    return {(field, value): labels.get((cls, int(value))) or f"#{value}" for field, value, cls in references}


# stored enum values shown with the German labels the pages use ("lead" → "Lead")
_ENUM_LABELS = {
    **{("status", s.value): s.label for s in Status},
    **{("role", r.value): r.label for r in OwnerRole},
    **{("kind", k.value): k.label for k in Kind},
    **{("outcome", o.value): label for o, label in OUTCOME_LABELS.items()},
}
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MOMENT = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2})?")


def _german_date(value: str) -> str | None:
    """A stored month, date or timestamp in the way the pages write it (05/2023, 10.03.2024)."""
    if m := _MONTH.fullmatch(value):
        return f"{m[2]}/{m[1]}"
    if m := _DAY.fullmatch(value):
        return f"{m[3]}.{m[2]}.{m[1]}"
    if m := _MOMENT.fullmatch(value):
        return f"{m[3]}.{m[2]}.{m[1]} {m[4]}:{m[5]}"
    return None


def display(value: str | None, field: str, references: dict) -> str:
    """A stored value for people: names for ids, lists joined, nothing as a dash."""
    if value is None or value == "":
        return "–"
    if (field, value) in references:
        return references[(field, value)]
    if (field, value) in _ENUM_LABELS:
        return _ENUM_LABELS[(field, value)]
    if (when := _german_date(value)) is not None:
        return when
    if value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            return value
        return "; ".join(str(i) for i in items) if items else "–"
    return value


def describe_conflict(session: Session, table: str, object_id: int | str, version: int) -> list[str]:
    """German lines naming what others saved since `version`: field, their value, who and when."""
    entries = changes_since(session, table, object_id, version)
    references = resolve_references(session, entries)
    lines = []
    for e in entries:
        what = field_label(e.field)
        if e.table_name != table:
            what = f"{table_label(e.table_name)} {ACTION_LABELS.get(e.action, e.action)} – {what}"
        value = display(e.old if e.action == "delete" else e.new, e.field, references)
        lines.append(f"{what}: „{value}“ (von {e.username}, {timestamp(e.at)})")
    return lines


def conflict_message(lines: list[str]) -> str:
    """The refusal shown above the form."""
    head = (
        "Ihre Änderungen wurden nicht gespeichert: Jemand anderes hat diesen Datensatz inzwischen geändert. "
        "Ihre Eingaben stehen unten noch im Formular. Prüfen Sie sie und speichern Sie erneut, um die "
        "Änderungen der anderen Person zu überschreiben."
    )
    if not lines:
        return head
    return head + " Geändert wurde: " + "; ".join(lines) + "."


def imported_changes(entries: Iterable) -> dict[str, tuple[str, str, int]]:
    """Saves that imported a strategy (a strategy inserted with its measures in one save: a strategy
    file, a Fortschreibung): change id -> (table, id of the strategy, number of entries among `entries`)."""
    found: dict[str, tuple[str, str, int]] = {}
    counts: dict[str, int] = {}
    with_measures: set[str] = set()
    for e in entries:
        counts[e.change_id] = counts.get(e.change_id, 0) + 1
        if e.table_name == "strategies" and e.action == "insert":
            found[e.change_id] = ("strategies", e.object_id, 0)
        elif e.table_name == "measures" and e.action == "insert":
            with_measures.add(e.change_id)
    return {c: (t, i, counts[c]) for c, (t, i, _) in found.items() if c in with_measures}


@dataclass
class Row:
    """One line of a Verlauf table: an update of one field, or a whole object created or deleted."""

    at: datetime
    username: str
    table: str
    object_id: str
    action: str
    field: str
    old: str
    new: str
    name: str = ""  # the object's title or name, when it still exists and has one


def _object_names(session: Session, rows: list[Row]) -> None:
    """Name each row's object („Beschaffung Hardware“ instead of a database id) where it has a name."""
    classes = class_of_table()
    wanted: dict[type, set[int]] = {}
    for row in rows:
        if (cls := classes.get(row.table)) is not None and row.object_id.isdigit():
            wanted.setdefault(cls, set()).add(int(row.object_id))
    labels = _labels(session, wanted)
    for row in rows:
        cls = classes.get(row.table)
        label = labels.get((cls, int(row.object_id))) if cls is not None and row.object_id.isdigit() else None
        row.name = label or ""


# bookkeeping columns people do not read in a Verlauf: order, keys, counters, versions
INTERNAL_FIELDS = {"lock_version", "session_version", "position", "key", "name_key", "id", "change_id"}


def display_rows(session: Session, entries: list, limit_value: int = 120) -> list[Row]:
    """Verlauf lines, newest first: updates field by field; a created or deleted object as one line;
    everything one import wrote as one line "importiert (N Änderungen)"; internal fields left out."""
    references = resolve_references(session, entries)
    imports = imported_changes(entries)
    if imports:  # `entries` may hold only part of an import: count all of it
        counts = dict(
            session.execute(
                sa.select(AuditEntry.change_id, sa.func.count())
                .where(AuditEntry.change_id.in_(list(imports)))
                .group_by(AuditEntry.change_id)
            ).all()
        )
        imports = {c: (t, i, counts.get(c, n)) for c, (t, i, n) in imports.items()}
    rows: list[Row] = []
    grouped: dict[tuple, Row] = {}
    for e in entries:
        if e.change_id in imports:
            if e.change_id not in grouped:
                table, object_id, count = imports[e.change_id]
                row = Row(e.at, e.username, table, object_id, "import", "–", "–", f"{count} Änderungen")
                grouped[e.change_id] = row
                rows.append(row)
            continue
        if e.field in INTERNAL_FIELDS:
            continue
        value = display(e.old if e.action == "delete" else e.new, e.field, references)
        if e.action == "update":
            rows.append(
                Row(
                    e.at,
                    e.username,
                    e.table_name,
                    e.object_id,
                    e.action,
                    field_label(e.field),
                    display(e.old, e.field, references),
                    display(e.new, e.field, references),
                )
            )
            continue
        key = (e.change_id, e.table_name, e.object_id, e.action)
        shown = value if len(value) <= limit_value else value[: limit_value - 1].rstrip() + "…"
        # a created or deleted object: only the columns that hold something
        part = f"{field_label(e.field)}: {shown}" if value != "–" else "–"
        if key in grouped:
            row = grouped[key]
            # entries come newest first: put each earlier column in front, so columns read in table order
            if part == "–":
                pass
            elif e.action == "delete":
                row.old = part if row.old == "–" else f"{part}; {row.old}"
            else:
                row.new = part if row.new == "–" else f"{part}; {row.new}"
        else:
            row = Row(
                e.at,
                e.username,
                e.table_name,
                e.object_id,
                e.action,
                "–",
                part if e.action == "delete" else "–",
                part if e.action == "insert" else "–",
            )
            grouped[key] = row
            rows.append(row)
    _object_names(session, rows)
    return rows


def recent(session: Session, table: str, object_id: int | str, count: int = 8) -> list[Row]:
    """The last changes of an object for the Verlauf box on its page (the caller checked access)."""
    return display_rows(session, history(session, table, object_id, limit=60))[:count]
