"""Applikationslandkarte: an office's IT applications, and what the state office reads across
offices — the matrix application × office and candidates for joint procurement or a common
interface (NLGA slides, seed 003: synergies, common standards, joint procurement).

Pure Python; `sample_landscape` makes a deterministic fictitious landscape for demo offices.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .validation import text_problem

OPERATION_LABELS = {"on_premise": "On Premise", "rechenzentrum": "Rechenzentrum", "cloud": "Cloud"}
STATE_LABELS = {"im_einsatz": "im Einsatz", "geplant": "geplant", "wird_abgeloest": "wird abgelöst"}
MAX_NAME = 200
MAX_INTERFACES = 50


def _fold(text: str) -> str:
    """Spelling-insensitive form of a label: 'On-Premise', 'on premise', 'ON_PREMISE' alike."""
    return re.sub(r"[\s_\-]+", " ", text.strip().lower()).replace("ö", "oe")


_OPERATION_BY_TEXT = {_fold(k): k for k in OPERATION_LABELS} | {_fold(v): k for k, v in OPERATION_LABELS.items()}
_OPERATION_BY_TEXT |= {"rz": "rechenzentrum", "lokal": "on_premise", "vor ort": "on_premise"}
_STATE_BY_TEXT = {_fold(k): k for k in STATE_LABELS} | {_fold(v): k for k, v in STATE_LABELS.items()}
_STATE_BY_TEXT |= {"abloesung": "wird_abgeloest", "wird abgeloest": "wird_abgeloest", "in betrieb": "im_einsatz"}


def operation_value(text: str) -> str | None:
    """The stored value of an operation label ('Rechenzentrum', 'on premise', 'Cloud'), or None."""
    return _OPERATION_BY_TEXT.get(_fold(text))


def state_value(text: str) -> str | None:
    """The stored value of a state label ('im Einsatz', 'geplant', 'wird abgelöst'), or None."""
    return _STATE_BY_TEXT.get(_fold(text))


def split_interfaces(text: str) -> list[str]:
    """'DEMIS; E-Akte, SORMAS' -> ['DEMIS', 'E-Akte', 'SORMAS'] (semicolon, comma or line break)."""
    seen: dict[str, str] = {}
    for part in re.split(r"[;,\n]", text or ""):
        name = part.strip()
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


@dataclass
class Application:
    """One application (Fachverfahren) of an office."""

    name: str
    vendor: str = ""
    task_area: str = ""
    operation: str = "on_premise"
    interfaces: list[str] = field(default_factory=list)
    state: str = "im_einsatz"

    @property
    def operation_label(self) -> str:
        return OPERATION_LABELS.get(self.operation, self.operation)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)


def application_problems(app: Application) -> list[str]:
    """What is wrong with one application, in German; empty when it can be stored."""
    problems = []
    if not app.name.strip():
        problems.append("Der Name der Anwendung fehlt.")
    texts = (("Anwendung", app.name), ("Hersteller", app.vendor), ("Aufgabe", app.task_area))
    for label, value in texts:
        if len(value) > MAX_NAME:
            problems.append(f"{label}: höchstens {MAX_NAME} Zeichen.")
    for label, value in (*texts, *(("Schnittstellen", i) for i in app.interfaces)):
        if problem := text_problem(value):
            problems.append(f"{label}: {problem}")
    if app.operation not in OPERATION_LABELS:
        problems.append(f"Betrieb „{app.operation}“ ist unbekannt; erlaubt: {', '.join(OPERATION_LABELS.values())}.")
    if app.state not in STATE_LABELS:
        problems.append(f"Stand „{app.state}“ ist unbekannt; erlaubt: {', '.join(STATE_LABELS.values())}.")
    if len(app.interfaces) > MAX_INTERFACES:
        problems.append(f"Höchstens {MAX_INTERFACES} Schnittstellen je Anwendung.")
    if any(len(i) > MAX_NAME for i in app.interfaces):
        problems.append(f"Schnittstellen: jeder Name höchstens {MAX_NAME} Zeichen.")
    if any(i.strip().lower() == app.name.strip().lower() for i in app.interfaces):
        problems.append("Eine Anwendung hat keine Schnittstelle zu sich selbst.")
    return problems


def _key(name: str) -> str:
    return " ".join(name.lower().split())


# --- across offices ---------------------------------------------------------------------------


@dataclass
class MatrixRow:
    """One application (by name, case-insensitive) and, per office, how it is used there."""

    name: str
    vendors: list[str]
    cells: dict[str, Application]  # office -> the office's entry

    @property
    def offices(self) -> int:
        return len(self.cells)


def matrix(landscapes: Mapping[str, Sequence[Application]]) -> list[MatrixRow]:
    """Application × office: who uses what for which task; most widely used first."""
    rows: dict[str, MatrixRow] = {}
    for office, apps in landscapes.items():
        for app in apps:
            row = rows.setdefault(_key(app.name), MatrixRow(app.name, [], {}))
            row.cells[office] = app
            if app.vendor and app.vendor not in row.vendors:
                row.vendors.append(app.vendor)
    return sorted(rows.values(), key=lambda r: (-r.offices, r.name.lower()))


@dataclass
class ProcurementCandidate:
    """A task area several offices serve with different vendors: a joint procurement to look at."""

    task_area: str
    offices: dict[str, list[str]]  # office -> "Anwendung (Hersteller)" entries
    vendors: list[str]

    @property
    def applications(self) -> list[tuple[str, list[str]]]:
        """Each "Anwendung (Hersteller)" with the offices using it for the task, most used first:
        the candidate in a few lines, whatever the number of offices."""
        users: dict[str, list[str]] = {}
        for office, entries in self.offices.items():
            for entry in entries:
                users.setdefault(entry, [])
                if office not in users[entry]:
                    users[entry].append(office)
        return sorted(((e, sorted(o)) for e, o in users.items()), key=lambda x: (-len(x[1]), x[0].lower()))


@dataclass
class SharedApplication:
    """An application several offices use: a user group, a joint contract or common standard."""

    name: str
    offices: list[str]
    vendors: list[str]


@dataclass
class InterfaceCandidate:
    """The same link between two applications built in several offices: a common interface."""

    pair: tuple[str, str]
    offices: list[str]


def procurement_candidates(landscapes: Mapping[str, Sequence[Application]]) -> list[ProcurementCandidate]:
    """Task areas served in two or more offices by two or more vendors (applications being
    replaced count: that is when a joint procurement can start)."""
    areas: dict[str, ProcurementCandidate] = {}
    for office, apps in landscapes.items():
        for app in apps:
            if not app.task_area.strip():
                continue
            c = areas.setdefault(_key(app.task_area), ProcurementCandidate(app.task_area.strip(), {}, []))
            c.offices.setdefault(office, []).append(f"{app.name} ({app.vendor})" if app.vendor else app.name)
            vendor = app.vendor.strip() or app.name.strip()
            if vendor.lower() not in (v.lower() for v in c.vendors):
                c.vendors.append(vendor)
    found = [c for c in areas.values() if len(c.offices) >= 2 and len(c.vendors) >= 2]
    return sorted(found, key=lambda c: (-len(c.offices), c.task_area.lower()))


def shared_applications(landscapes: Mapping[str, Sequence[Application]]) -> list[SharedApplication]:
    """Applications (by name) in use or planned in two or more offices."""
    return [
        SharedApplication(r.name, sorted(r.cells), r.vendors)
        for r in matrix(landscapes)
        if sum(1 for a in r.cells.values() if a.state != "wird_abgeloest") >= 2
    ]


def interface_candidates(landscapes: Mapping[str, Sequence[Application]]) -> list[InterfaceCandidate]:
    """Links between the same two applications recorded in two or more offices."""
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for office, apps in landscapes.items():
        for app in apps:
            names.setdefault(_key(app.name), app.name)
            for other in app.interfaces:
                names.setdefault(_key(other), other)
                a, b = sorted((_key(app.name), _key(other)))
                pairs[(a, b)].add(office)
    found = [InterfaceCandidate((names[a], names[b]), sorted(o)) for (a, b), o in pairs.items() if len(o) >= 2]
    return sorted(found, key=lambda c: (-len(c.offices), c.pair))


# --- fictitious offices -----------------------------------------------------------------------

# (task area, [(application, vendor)]) — invented products, so no real vendor is misrepresented
_CATALOGUE: list[tuple[str, list[tuple[str, str]]]] = [
    ("Infektionsschutz", [("InfektA", "Beispiel Software GmbH"), ("MeldeFix", "Muster IT AG")]),
    ("Meldewesen (DEMIS)", [("DEMIS-Anbindung", "Land (Beispiel)")]),
    ("Trinkwasserüberwachung", [("AquaPlan", "Wasser IT GmbH"), ("HydroCheck", "Muster IT AG")]),
    ("Schuleingangsuntersuchung", [("KiGes", "Kinder Daten GmbH"), ("SchulMed", "Beispiel Software GmbH")]),
    ("Aktenführung", [("E-Akte Kommunal", "Kommunal IT eG"), ("DokuFlow", "Muster IT AG")]),
    ("Terminvergabe", [("Termin24", "Online Termin GmbH"), ("BürgerTermin", "Kommunal IT eG")]),
    ("Amtsärztlicher Dienst", [("GutachtenPro", "Beispiel Software GmbH")]),
    ("Hygieneüberwachung", [("HygMon", "Wasser IT GmbH"), ("InfektA Hygiene", "Beispiel Software GmbH")]),
    ("Zusammenarbeit", [("Teamraum", "Cloud Dienst (Beispiel)"), ("Kommunal Chat", "Kommunal IT eG")]),
]
_LINKS = [("InfektA", "DEMIS-Anbindung"), ("MeldeFix", "DEMIS-Anbindung"), ("InfektA", "E-Akte Kommunal")]
_LINKS += [("KiGes", "Termin24"), ("SchulMed", "BürgerTermin"), ("GutachtenPro", "DokuFlow")]


def sample_landscape(rng: random.Random, office_name: str) -> list[Application]:
    """A fictitious but plausible landscape for a demo office: one application for most task
    areas, a replacement under way here and there, interfaces between what it uses. The same
    `rng` state and office name give the same landscape (`office_name` only seeds variety)."""
    local = random.Random(f"{rng.random()}|{office_name}")
    apps: list[Application] = []
    for area, products in _CATALOGUE:
        if local.random() < 0.15:
            continue
        name, vendor = local.choice(products)
        operation = local.choices(list(OPERATION_LABELS), weights=(5, 4, 1))[0]
        state = local.choices(list(STATE_LABELS), weights=(8, 1, 1 if len(products) > 1 else 0))[0]
        apps.append(Application(name, vendor, area, operation, [], state))
        if state == "wird_abgeloest" and len(products) > 1:
            successor = next(p for p in products if p[0] != name)
            apps.append(Application(successor[0], successor[1], area, "rechenzentrum", [], "geplant"))
    used = {a.name for a in apps}
    for app in apps:
        app.interfaces = [b for a, b in _LINKS if a == app.name and b in used]
    return apps
