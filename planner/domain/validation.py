"""Whole-strategy checks that every adapter (file, form, database) relies on."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from .catalogue import catalogue
from .graph import build_graph, find_cycles
from .months import Month
from .strategy import Measure, Strategy

# Limits every adapter (forms, files) enforces, from the database columns: a text column
# (vision, description, notes) takes at most MAX_TEXT characters, amounts are Numeric(14, 2).
MAX_TEXT = 20_000
MAX_AMOUNT = 999_999_999_999.99
# counts (deferrals, ...) are Integer columns: at most 2**31 - 1 in PostgreSQL
MAX_COUNT = 2**31 - 1

# The characters a text may hold, the one rule for every way in: no C0 control character but
# tab and the line breaks, no DEL, no lone surrogate (neither can be stored or written to an XLSX,
# DOCX or ICS file); single-line texts (titles, names) take no line break either.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LINE_BREAK = re.compile(r"[\n\r\x85\u2028\u2029]")
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def text_problem(value: str, multiline: bool = False) -> str | None:
    """Why a text cannot be stored, in German; None when it can."""
    if m := _CONTROL.search(value):
        return f"Der Text enthält ein Steuerzeichen (U+{ord(m.group()):04X}); bitte entfernen."
    if _SURROGATE.search(value):
        return "Der Text enthält ein ungültiges Zeichen (ein einzelnes UTF-16-Ersatzzeichen); bitte entfernen."
    if not multiline and _LINE_BREAK.search(value):
        return "Das Feld ist einzeilig: bitte ohne Zeilenumbruch."
    return None


# an e-mail address as mail servers take it (RFC 5321: at most 254 characters): one @, a local
# part and a domain with a dot, no blank, no angle bracket or comma (one address, not a list)
MAX_EMAIL = 254
_EMAIL = re.compile(r"[^@\s<>,;\"()\[\]]+@[^@\s<>,;\"()\[\]]+\.[^@\s<>,;\"()\[\].]{2,}")


def email_problem(value: str) -> str | None:
    """Why an e-mail address cannot be stored, in German (the text rule first); None when it can."""
    if problem := text_problem(value):
        return problem
    if len(value) > MAX_EMAIL:
        return f"Die E-Mail-Adresse ist zu lang (höchstens {MAX_EMAIL} Zeichen)."
    if not _EMAIL.fullmatch(value):
        return f"„{value}“ ist keine gültige E-Mail-Adresse (Form: name@amt.example)."
    return None


def writable(value: str) -> str:
    """A stored text as files can hold it: control characters (but tab and line breaks) and lone
    surrogates left out. For writers of data stored before `text_problem` refused them."""
    return _UNWRITABLE.sub("", value)


def one_line(value: str) -> str:
    """A single-line text for a file that needs one line (ICS, sheet names): line breaks become spaces."""
    return " ".join(writable(value).split())


@dataclass(frozen=True)
class Problem:
    """One reason a strategy is invalid, in German, naming the measure and field."""

    message: str
    measure: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.measure:
            where.append(f"Maßnahme „{self.measure}“")
        if self.field:
            where.append(f"Feld „{self.field}“")
        return f"{', '.join(where)}: {self.message}" if where else self.message


def validate_measure(m: Measure, keys: set[str] | None = None) -> list[Problem]:
    """Problems of one measure on its own (and its dependencies against `keys`)."""
    cat = catalogue()
    problems: list[Problem] = []

    def add(field: str, message: str) -> None:
        problems.append(Problem(message, m.key, field))

    if not m.title.strip():
        add("title", "Der Titel fehlt.")
    for name, value, multiline in _measure_texts(m):
        if problem := text_problem(value, multiline):
            add(name, problem)
    if cat.dimension(m.dimension) is None:
        add("dimension", f"Unbekannte Dimension „{m.dimension}“.")
    for d in m.further_dimensions:
        if cat.dimension(d) is None:
            add("further_dimensions", f"Unbekannte Dimension „{d}“.")
    for s in m.subdimensions:
        if cat.canonical_subdimension(s) is None:
            add("subdimensions", f"Unbekannte Subdimension „{s}“.")
    if m.target_stage is not None and m.target_stage not in cat.stages:
        add("target_stage", f"Zielstufe {m.target_stage} liegt nicht zwischen 0 und 4.")
    if m.end is not None and m.start is None:
        add("end", "Ein Ende ist angegeben, aber kein Beginn.")
    if m.start is not None and m.end is not None and m.end < m.start:
        add("end", f"Das Ende {m.end.german()} liegt vor dem Beginn {m.start.german()}.")
    if m.budget is not None and not math.isfinite(m.budget):
        add("budget", "Das Budget ist keine gültige Zahl (unendlich oder nicht definiert).")
    elif m.budget is not None and m.budget < 0:
        add("budget", "Das Budget darf nicht negativ sein.")
    elif m.budget is not None and m.budget > MAX_AMOUNT:
        add("budget", "Das Budget ist zu groß.")
    if m.deferrals < 0:
        add("deferrals", "Die Zahl der Zurückstellungen darf nicht negativ sein.")
    elif m.deferrals > MAX_COUNT:
        add("deferrals", f"Die Zahl der Zurückstellungen ist zu groß (höchstens {MAX_COUNT:_}).".replace("_", "."))
    for dep in m.depends_on:
        if dep == m.key:
            add("depends_on", "Eine Maßnahme kann nicht von sich selbst abhängen.")
        elif keys is not None and dep not in keys:
            add("depends_on", f"Unbekannte Abhängigkeit „{dep}“.")
    if len(set(m.depends_on)) != len(m.depends_on):
        add("depends_on", "Eine Abhängigkeit ist doppelt angegeben.")
    for o in m.owners:
        if o.email and (problem := email_problem(o.email)):
            add("owners", f"{o.name}: {problem}")
    return problems


def _measure_texts(m: Measure):
    """(field, text, multi-line) of every text of a measure; titles and names are single-line."""
    yield "id", m.key, False
    yield "title", m.title, False
    yield "description", m.description, True
    yield "goal", m.goal, True
    yield "funding_call", m.funding_call or "", False
    for o in m.owners:
        yield "owners", o.name, False
    for name in ("actors", "requirements", "examples", "steps"):
        for item in getattr(m, name):
            yield name, item, True


def describe_cycle(cycle: list[str], strategy: Strategy | None = None) -> str:
    """'a → b → a' with titles where known."""

    def name(key: str) -> str:
        m = strategy.measure(key) if strategy else None
        return f"{m.title} ({key})" if m else key

    return " → ".join(name(k) for k in [*cycle, cycle[0]])


def window_problems(start: Month | None, end: Month | None) -> list[Problem]:
    """The roadmap window needs both months or neither, and must not end before it begins."""
    if (start is None) != (end is None):
        return [Problem("Der Fahrplanzeitraum braucht Beginn und Ende.", field="strategy.roadmap_window")]
    if start is not None and end is not None and end < start:
        return [Problem("Das Ende des Fahrplanzeitraums liegt vor seinem Beginn.", field="strategy.roadmap_window")]
    return []


def validate_strategy(strategy: Strategy) -> list[Problem]:
    """Every problem that makes the strategy invalid; empty when it is valid."""
    problems: list[Problem] = []
    if not strategy.title.strip():
        problems.append(Problem("Der Titel der Strategie fehlt.", field="strategy.title"))
    if not strategy.organisation.strip():
        problems.append(Problem("Der Name der Organisation fehlt.", field="organisation.name"))
    texts = [
        ("strategy.title", strategy.title, False),
        ("organisation.name", strategy.organisation, False),
        ("strategy.version", strategy.version, False),
        ("strategy.vision", strategy.vision, True),
        ("strategy.mission", strategy.mission, True),
        *(("strategy.principles", p, True) for p in strategy.principles),
    ]
    problems.extend(Problem(p, field=name) for name, value, multiline in texts if (p := text_problem(value, multiline)))
    problems.extend(window_problems(strategy.window_start, strategy.window_end))
    counts = Counter(m.key for m in strategy.measures)
    for key, n in counts.items():
        if n > 1:
            problems.append(Problem(f"Die ID „{key}“ kommt {n}-mal vor.", key, "id"))
    keys = set(counts)
    for m in strategy.measures:
        problems.extend(validate_measure(m, keys))
    for cycle in find_cycles(build_graph(strategy.measures)):
        problems.append(
            Problem(
                f"Die Abhängigkeiten bilden einen Zyklus: {describe_cycle(cycle, strategy)}.", cycle[0], "depends_on"
            )
        )
    return problems
