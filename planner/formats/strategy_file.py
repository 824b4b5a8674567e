"""Load and dump the strategy file (YAML, format planner-strategy/1).

An invalid file is rejected as a whole: `load_strategy` raises StrategyFileError
with every problem, each in German and naming the measure and field at fault.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from typing import Any

import jsonschema_rs
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..domain.catalogue import catalogue
from ..domain.months import MONTH_PATTERN, month_problem, month_text, parse_month
from ..domain.normalise import normalise_strategy_data
from ..domain.strategy import Measure, Owner, OwnerRole, Rating, Status
from ..domain.validation import Problem, validate_measure, validate_strategy
from ..domain.whole_strategy import WholeStrategy
from .maturity_file import maturity_from_data, maturity_to_data
from .schema import FORMAT_ID, measure_schema, strategy_file_schema
from .verstetigung_file import measure_extras, verstetigung_from_data, verstetigung_to_data


class StrategyFileError(ValueError):
    """A strategy file that cannot be taken over; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @property
    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]


@cache
def _validator() -> Draft202012Validator:
    """The reference validator: its errors are translated into German."""
    return Draft202012Validator(strategy_file_schema())


@cache
def _fast_validator() -> jsonschema_rs.Draft202012Validator:
    """The same schema compiled once by jsonschema-rs (Rust): a valid file is passed in a
    fraction of the time; a file it doubts goes to the reference validator, which has the last word."""
    return jsonschema_rs.Draft202012Validator(strategy_file_schema())


def _schema_errors(data: Any) -> list[ValidationError]:
    try:
        if _fast_validator().is_valid(data):
            return []
    except ValueError:  # data it cannot take (e.g. a key that is no text): the reference decides
        pass
    return sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])


_TYPE_NAMES = {
    "string": "ein Text",
    "array": "eine Liste",
    "object": "ein Abschnitt mit Feldern",
    "integer": "eine ganze Zahl",
    "number": "eine Zahl",
    "boolean": "true oder false",
    "null": "leer (null)",
}


def _where(path: list, data: Any) -> tuple[str | None, str | None]:
    """The measure (its id, else its number) and the field a path into the file data points at."""
    measure = None
    field_path = [str(p) for p in path]
    if len(path) >= 2 and path[0] == "measures" and isinstance(path[1], int):
        entry = data["measures"][path[1]]
        ident = entry.get("id") if isinstance(entry, dict) else None
        measure = str(ident) if ident else f"Nr. {path[1] + 1}"
        field_path = [str(p) for p in path[2:]]
    return measure, ".".join(field_path) or None


_LEAVES = (str, int, bool, type(None))  # values that hold nothing further and are never non-finite


def _non_finite(node: Any, path: tuple = ()) -> Iterator[list]:
    """Paths of numbers that are none: .inf, .nan, 1.0e309 (YAML reads them as floats).
    Texts and whole numbers, nearly every value of a file, are passed over in place."""
    if isinstance(node, float):
        if not math.isfinite(node):
            yield list(path)
    elif isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(value, _LEAVES):
                yield from _non_finite(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if not isinstance(value, _LEAVES):
                yield from _non_finite(value, (*path, i))


def _schema_problem(error: ValidationError, data: Any) -> Problem:
    """Translate a JSON Schema error into German, naming measure and field."""
    measure, field = _where(list(error.absolute_path), data)
    value = error.instance
    v = error.validator
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        return Problem(f"Pflichtfeld „{missing}“ fehlt.", measure, field)
    if v == "additionalProperties":
        extra = sorted(set(value) - set(error.schema.get("properties", {}))) if isinstance(value, dict) else []
        return Problem(f"Unbekanntes Feld „{', '.join(extra)}“.", measure, field)
    if v == "const":
        return Problem(f"Das Format muss „{FORMAT_ID}“ sein, nicht „{value}“.", measure, field)
    if v == "enum":
        allowed = ", ".join("leer" if x is None else str(x) for x in error.validator_value)
        shown = "Leer (null)" if value is None else f"„{value}“"
        return Problem(f"{shown} ist nicht erlaubt; erlaubt sind: {allowed}.", measure, field)
    if v == "pattern" and error.validator_value == MONTH_PATTERN:
        return Problem(month_problem(value), measure, field)
    if v == "pattern":
        return Problem(f"„{value}“ ist keine gültige ID (Buchstaben, Ziffern, - _ .).", measure, field)
    if v == "type":
        return Problem(f"Erwartet ist {_TYPE_NAMES.get(error.validator_value, error.validator_value)}.", measure, field)
    if v == "anyOf":
        if isinstance(value, str) and any(s.get("pattern") == MONTH_PATTERN for s in error.validator_value):
            return Problem(month_problem(value), measure, field)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Problem(f"Der Wert {value} liegt außerhalb des erlaubten Bereichs.", measure, field)
        return Problem(f"Der Wert „{value}“ hat nicht die erwartete Form.", measure, field)
    if v in ("minimum", "maximum"):
        return Problem(f"Der Wert {value} liegt außerhalb des erlaubten Bereichs.", measure, field)
    if isinstance(value, str) and len(value) > 200:
        value = value[:200] + "…"
    if v == "minLength":
        return Problem("Das Feld darf nicht leer sein.", measure, field)
    if v == "maxLength":
        return Problem(
            f"Der Text ist zu lang: höchstens {error.validator_value:_} Zeichen, hier {len(error.instance):_}.".replace(
                "_", "."
            ),
            measure,
            field,
        )
    return Problem(f"Ungültiger Wert „{value}“.", measure, field)


def _rating(value: str | None) -> Rating | None:
    return Rating(value) if value is not None else None


def measure_from_dict(raw: dict[str, Any]) -> tuple[Measure, list[Problem]]:
    """A Measure from a schema-valid dict, canonicalising dimension names."""
    cat = catalogue()
    key = str(raw["id"])
    problems: list[Problem] = []

    def dim(name: str, field: str) -> str:
        canonical = cat.canonical_dimension(name)
        if canonical is None:
            problems.append(Problem(f"Unbekannte Dimension „{name}“.", key, field))
            return name
        return canonical

    def sub(name: str) -> str:
        canonical = cat.canonical_subdimension(name)
        if canonical is None:
            problems.append(Problem(f"Unbekannte Subdimension „{name}“.", key, "subdimensions"))
            return name
        return canonical

    measure = Measure(
        key=key,
        title=raw["title"],
        dimension=dim(raw["dimension"], "dimension"),
        description=raw.get("description", ""),
        goal=raw.get("goal", ""),
        further_dimensions=[dim(d, "further_dimensions") for d in raw.get("further_dimensions", [])],
        subdimensions=[sub(s) for s in raw.get("subdimensions", [])],
        target_stage=raw.get("target_stage"),
        urgency=_rating(raw.get("urgency")),
        feasibility=_rating(raw.get("feasibility")),
        status=Status(raw.get("status", Status.GEPLANT.value)),
        second_loop=raw.get("second_loop", False),
        owners=[
            Owner(o["name"], OwnerRole(o.get("role", "lead")), o.get("email") or None) for o in raw.get("owners", [])
        ],
        actors=list(raw.get("actors", [])),
        requirements=list(raw.get("requirements", [])),
        start=parse_month(raw.get("start")),
        end=parse_month(raw.get("end")),
        depends_on=list(raw.get("depends_on", [])),
        examples=list(raw.get("examples", [])),
        steps=list(raw.get("steps", [])),
        budget=raw.get("budget"),
        funding_call=raw.get("funding_call"),
        deferrals=raw.get("deferrals", 0),
        actual_start=parse_month(raw.get("actual_start")),
        actual_end=parse_month(raw.get("actual_end")),
    )
    return measure, problems


MAX_NODES = 1_000_000  # Kreis Steinfurt (25 measures) has 515; 1,000 measures with histories far below
MAX_DEPTH = 50


class _TooLarge(Exception):
    pass


def _normalise(node: Any, budget: list[int] | None = None, depth: int = 0) -> Any:
    """YAML reads 2022-06-09 as a date; the format treats dates and months as text.

    Anchors and aliases (&a, *a) let a few lines stand for billions of values: the copy counts
    its values and stops at MAX_NODES or MAX_DEPTH. Texts, numbers and nulls (nearly every value)
    are counted and copied in place."""
    budget = [MAX_NODES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise _TooLarge
    if isinstance(node, dict):
        if node and depth == MAX_DEPTH:
            raise _TooLarge  # its values would stand deeper than allowed
        out = {}
        for key, value in node.items():
            if isinstance(value, _SCALARS):
                budget[0] -= 1
            else:
                value = _normalise(value, budget, depth + 1)
            out[key if isinstance(key, str) else str(key)] = value
        if budget[0] < 0:
            raise _TooLarge
        return out
    if isinstance(node, list):
        if node and depth == MAX_DEPTH:
            raise _TooLarge
        out_list = []
        for value in node:
            if isinstance(value, _SCALARS):
                budget[0] -= 1
            else:
                value = _normalise(value, budget, depth + 1)
            out_list.append(value)
        if budget[0] < 0:
            raise _TooLarge
        return out_list
    if hasattr(node, "isoformat") and not isinstance(node, (int, float, bool)):
        return node.isoformat()
    return node


_SCALARS = (str, int, float, type(None))  # bool is an int: copied as they are


# PyYAML's messages are English: the German reason for the ones people run into
_YAML_REASONS = [
    ("'\\t'", "Tabulatorzeichen sind nicht erlaubt, bitte mit Leerzeichen einrücken"),
    ("cannot start any token", "ein Zeichen, mit dem kein Wert beginnen kann"),
    (
        "mapping values are not allowed",
        "ein Doppelpunkt an unerwarteter Stelle; Text mit „:“ bitte in Anführungszeichen",
    ),
    ("could not find expected ':'", "ein Doppelpunkt fehlt"),
    ("but got", "eine Liste [ ] oder Zuordnung { } wird nicht richtig geschlossen"),
    ("end of stream", "ein Anführungszeichen oder eine Klammer wird nicht geschlossen"),
    ("expected <block end>", "die Einrückung passt nicht zu den Zeilen davor"),
    ("did not find expected", "die Einrückung oder ein Listenzeichen „-“ passt nicht"),
    ("undefined alias", "ein Verweis (*…) auf einen unbekannten Anker (&…)"),
    ("escape", "eine unbekannte Escape-Sequenz mit „\\“ in doppelten Anführungszeichen"),
    ("unhashable", "ein ungültiger Feldname"),
]


def _yaml_reason(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.reader.ReaderError):
        return f"ein nicht erlaubtes Steuerzeichen an Position {exc.position}; ist es eine Textdatei?"
    problem = getattr(exc, "problem", None) or ""
    return next((german for english, german in _YAML_REASONS if english in problem), "ein Formfehler")


class _Loader(yaml.SafeLoader):
    """Dates stay text: an impossible one (2022-13-09) is then reported in German with its field
    instead of PyYAML raising a bare ValueError."""


# The same safe loader on libyaml (C): several times faster. A file it refuses is read again by
# the pure-Python loader above, whose messages (and lines) the German reasons are written for.
_CLoader = type("_CLoader", (getattr(yaml, "CSafeLoader", _Loader),), {"__doc__": _Loader.__doc__})

_Loader.yaml_implicit_resolvers = _CLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str) -> dict[str, Any]:
    """The YAML document as plain data; a syntax error names its line."""
    too_large = _too_large()
    try:
        data = yaml.load(text, Loader=_CLoader)  # a (C)SafeLoader subclass
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in (getattr(exc, "problem", None) or ""):
            raise too_large from None
        data = _python_parse(text)  # the same refusal, with the messages the reasons are written for
    except RecursionError:
        raise too_large from None
    if not isinstance(data, dict):
        raise StrategyFileError(
            [Problem("Die Datei enthält keine Strategie (erwartet ein YAML-Dokument mit Feldern).")]
        )
    try:
        return _normalise(data)
    except _TooLarge:
        raise too_large from None


def _too_large() -> StrategyFileError:
    return StrategyFileError(
        [
            Problem(
                f"Die Datei ist zu groß oder zu tief verschachtelt (höchstens {MAX_DEPTH} Ebenen und "
                f"{MAX_NODES:_} Werte, Verweise mit * mitgezählt).".replace("_", ".")
            )
        ]
    )


def _python_parse(text: str) -> Any:
    """Parse with the pure-Python loader; a syntax error becomes a German problem naming its line."""
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"Zeile {mark.line + 1}, Spalte {mark.column + 1}: " if mark else ""
        raise StrategyFileError([Problem(f"{where}Die Datei ist kein gültiges YAML ({_yaml_reason(exc)}).")]) from exc
    except RecursionError:
        raise _too_large() from None


def strategy_from_data(data: dict[str, Any]) -> WholeStrategy:
    """A validated Strategy from parsed file data; raises StrategyFileError.

    Typed forms (`start: 04/2025`, `urgency: Hoch`, `status: in Umsetzung`) are made canonical first."""
    not_numbers = [
        Problem("Der Wert ist keine gültige Zahl (unendlich oder nicht definiert).", *_where(path, data))
        for path in _non_finite(data)
    ]
    if not_numbers:
        raise StrategyFileError(not_numbers)
    data = normalise_strategy_data(data)
    errors = _schema_errors(data)
    if errors:
        problems = [_schema_problem(e, data) for e in errors]
        # measures without structural errors are still checked, so one upload shows every problem
        broken = {e.absolute_path[1] for e in errors if len(e.absolute_path) > 1 and e.absolute_path[0] == "measures"}
        measures = data.get("measures") if isinstance(data.get("measures"), list) else []
        for i, raw in enumerate(measures):
            if i not in broken and isinstance(raw, dict):
                measure, found = measure_from_dict(raw)
                problems.extend([*found, *validate_measure(measure)])
        raise StrategyFileError(list(dict.fromkeys(problems)))
    problems: list[Problem] = []
    measures = []
    for raw in data.get("measures", []):
        measure, found = measure_from_dict(raw)
        measures.append(measure)
        problems.extend(found)
    s = data["strategy"]
    window = s.get("roadmap_window") or {}
    strategy = WholeStrategy(
        organisation=data["organisation"]["name"],
        title=s["title"],
        version=str(s.get("version", "")),
        adopted=parse_month(s.get("adopted")),
        window_start=parse_month(window.get("from")),
        window_end=parse_month(window.get("to")),
        vision=s.get("vision", ""),
        mission=s.get("mission", ""),
        principles=list(s.get("principles", [])),
        measures=measures,
    )
    strategy.assessments, strategy.targets, strategy.funding, found = maturity_from_data(data)
    problems.extend(found)
    problems.extend(verstetigung_from_data(data, strategy))
    # validate_strategy re-reports unknown dimensions found above: keep each problem once
    problems = list(dict.fromkeys([*problems, *validate_strategy(strategy)]))
    if problems:
        raise StrategyFileError(problems)
    return strategy


def load_strategy(text: str) -> WholeStrategy:
    """Parse and validate a strategy file; raises StrategyFileError naming every problem."""
    return strategy_from_data(parse_yaml(text))


def measure_to_dict(m: Measure) -> dict[str, Any]:
    """The file form of a measure, keys in the documented order."""
    return {
        "id": m.key,
        "title": m.title,
        "description": m.description,
        "goal": m.goal,
        "dimension": m.dimension,
        "further_dimensions": list(m.further_dimensions),
        "subdimensions": list(m.subdimensions),
        "target_stage": m.target_stage,
        "urgency": m.urgency.value if m.urgency else None,
        "feasibility": m.feasibility.value if m.feasibility else None,
        "status": m.status.value,
        "second_loop": m.second_loop,
        "owners": [{"name": o.name, "role": o.role.value} | ({"email": o.email} if o.email else {}) for o in m.owners],
        "actors": list(m.actors),
        "requirements": list(m.requirements),
        "start": month_text(m.start),
        "end": month_text(m.end),
        "depends_on": list(m.depends_on),
        "examples": list(m.examples),
        "steps": list(m.steps),
        "budget": m.budget,
        "funding_call": m.funding_call,
        "deferrals": m.deferrals,
        # Verstetigung: written only when recorded, so files without them stay as they were
        **({"actual_start": month_text(m.actual_start)} if m.actual_start else {}),
        **({"actual_end": month_text(m.actual_end)} if m.actual_end else {}),
    }


def strategy_to_data(strategy: WholeStrategy) -> dict[str, Any]:
    """The file form of a whole strategy as plain data."""
    s: dict[str, Any] = {"title": strategy.title, "version": strategy.version, "adopted": month_text(strategy.adopted)}
    if strategy.window_start and strategy.window_end:
        s["roadmap_window"] = {"from": month_text(strategy.window_start), "to": month_text(strategy.window_end)}
    s.update(vision=strategy.vision, mission=strategy.mission, principles=list(strategy.principles))
    return {
        "format": FORMAT_ID,
        "organisation": {"name": strategy.organisation},
        "strategy": s,
        "measures": [measure_to_dict(m) | measure_extras(strategy, m.key) for m in strategy.measures],
        **maturity_to_data(strategy.assessments, strategy.targets, strategy.funding),
        **verstetigung_to_data(strategy),
    }


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line texts as literal blocks."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_data(data: dict[str, Any]) -> str:
    """YAML text of file data."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def dump_strategy(strategy: WholeStrategy) -> str:
    """The strategy as a planner-strategy/1 YAML document."""
    return dump_data(strategy_to_data(strategy))


def measure_problems(raw: Any) -> list[Problem]:
    """What is wrong with one measure in file form (as the API receives it), in German; empty when valid."""
    validator = Draft202012Validator(measure_schema())
    key = raw.get("id") if isinstance(raw, dict) else None
    return [
        replace(_schema_problem(e, raw), measure=str(key) if key else None)
        for e in sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.absolute_path)))
    ]
