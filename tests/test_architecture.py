"""The import rules of docs/architecture.md, read from the source with `ast` (nothing is imported):

- the domain imports neither flask nor sqlalchemy nor services, web, models or formats;
- the core vocabulary (domain/strategy.py) knows none of the areas that build on it;
- services never import web; models import no other layer;
- the renderers (formats, charts, documents) take domain values: they never import models,
  services, extensions or web, so the command line and the app write the same files;
- no import cycles between modules, TYPE_CHECKING imports included;
- no imports inside functions, but in the two entry points (LAZY_ENTRY_POINTS).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "planner"

# Entry points whose functions import what each command or the app needs, so that
# `planner check` loads no web stack (tests/test_cli_foundation.py): nothing in planner imports
# them (test_lazy_entry_points_are_not_imported_by_the_package), so no cycle can hide there.
LAZY_ENTRY_POINTS = {
    "planner": "create_app: flask and the web stack only when an app is built (planner/cli.py imports the package)",
    "planner.cli": "each command imports its own stack (`planner check` stays light)",
}


# the layers that turn domain values into files and pictures
RENDERERS = ("formats", "charts", "documents")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # an imported module of planner, or the top-level name of a library
    line: int
    in_function: bool


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files(root: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package but the Alembic migration scripts (run by Alembic, not imported)."""
    return {
        module_name(p, root): p
        for p in sorted(root.rglob("*.py"))
        if p.relative_to(root).parts[:2] != ("migrations", "versions")
    }


def _functions(tree: ast.AST) -> set[int]:
    """ids of import nodes inside a function or method."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inside |= {id(n) for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)}
    return inside


def imports_of(name: str, path: Path, modules: set[str]) -> list[Import]:
    """The imports of one module; `from . import x` names the module x when it is one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside = _functions(tree)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = (package[: len(package) - node.level + 1] if node.level else []) + (
                node.module.split(".") if node.module else []
            )
            prefix = ".".join(base)
            targets = [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in modules else prefix for a in node.names]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == "planner":
                while target not in modules and "." in target:
                    target = target.rsplit(".", 1)[0]
            else:
                target = target.split(".")[0]
            found.append(Import(name, target, node.lineno, id(node) in inside))
    return found


def all_imports(root: Path = PACKAGE) -> list[Import]:
    files = source_files(root)
    return [i for name, path in files.items() for i in imports_of(name, path, set(files))]


def cycles(imports: list[Import]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for i in imports:
        if i.target.startswith("planner") and i.target != i.module:
            graph.setdefault(i.module, set()).add(i.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def in_layer(module: str, layer: str) -> bool:
    return module == layer or module.startswith(layer + ".")


def violations(imports: list[Import]) -> list[str]:
    """Every broken rule, as readable lines."""
    out = []
    for i in imports:
        where = f"{i.module}:{i.line} imports {i.target}"
        if in_layer(i.module, "planner.domain") and (
            i.target in ("flask", "flask_login", "flask_wtf", "sqlalchemy", "werkzeug")
            or any(
                in_layer(i.target, f"planner.{layer}")
                for layer in ("services", "web", "models", "formats", "charts", "documents", "steckbriefe")
            )
        ):
            out.append(f"domain is pure Python: {where}")
        if (
            i.module == "planner.domain.strategy"
            and i.target.startswith("planner")
            and i.target != "planner.domain.months"
        ):
            out.append(f"the core vocabulary knows no area: {where}")
        if any(in_layer(i.module, f"planner.{layer}") for layer in RENDERERS) and any(
            in_layer(i.target, f"planner.{layer}") for layer in ("models", "services", "extensions", "web")
        ):
            out.append(f"renderers take domain values: {where}")
        if in_layer(i.module, "planner.services") and in_layer(i.target, "planner.web"):
            out.append(f"services never import web: {where}")
        if (
            in_layer(i.module, "planner.models")
            and i.target.startswith("planner")
            and not in_layer(i.target, "planner.models")
        ):
            out.append(f"models import no other layer: {where}")
        if i.in_function and i.module not in LAZY_ENTRY_POINTS:
            out.append(f"no imports inside functions: {where}")
    out += [f"import cycle: {' -> '.join(c)}" for c in cycles(imports)]
    return out


def test_the_package_keeps_the_import_rules():
    assert violations(all_imports()) == []


def test_lazy_entry_points_are_not_imported_by_the_package():
    imports = all_imports()
    importers = {(i.module, i.target) for i in imports if i.target in LAZY_ENTRY_POINTS and i.module != i.target}
    # the command line builds the app; every module of the package sits below the package itself
    assert {(m, t) for m, t in importers if not (m == "planner.cli" and t == "planner")} == set()


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "planner" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "planner"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"domain/rules.py": "import sqlalchemy\n"},
            "domain is pure Python: planner.domain.rules:1 imports sqlalchemy",
        ),
        (
            {"domain/rules.py": "from ..services import accounts\n", "services/accounts.py": ""},
            "domain is pure Python: planner.domain.rules:1 imports planner.services.accounts",
        ),
        (
            {"services/accounts.py": "from ..web.auth import login\n", "web/auth.py": ""},
            "services never import web: planner.services.accounts:1 imports planner.web.auth",
        ),
        (
            {"domain/strategy.py": "from .funding import Call\n", "domain/funding.py": ""},
            "the core vocabulary knows no area: planner.domain.strategy:1 imports planner.domain.funding",
        ),
        (
            {"formats/sheet.py": "from ..models import Measure\n", "models/__init__.py": ""},
            "renderers take domain values: planner.formats.sheet:1 imports planner.models",
        ),
        (
            {"charts/gantt.py": "from ..services.strategies import read_strategy\n", "services/strategies.py": ""},
            "renderers take domain values: planner.charts.gantt:1 imports planner.services.strategies",
        ),
        (
            {"documents/pdf.py": "from .. import extensions\n", "extensions.py": ""},
            "renderers take domain values: planner.documents.pdf:1 imports planner.extensions",
        ),
        (
            {"services/a.py": "def f():\n    from . import b\n", "services/b.py": ""},
            "no imports inside functions: planner.services.a:2 imports planner.services.b",
        ),
        (
            {"services/a.py": "from . import b\n", "services/b.py": "from .a import f\n"},
            "import cycle: planner.services.a -> planner.services.b",
        ),
    ],
)
def test_a_bad_import_is_caught(tmp_path: Path, files: dict[str, str], expected: str):
    root = _write(tmp_path, {"__init__.py": "", "domain/__init__.py": "", "services/__init__.py": "", **files})
    assert expected in violations(all_imports(root))


def form_classes_outside_forms(root: Path = PACKAGE) -> list[str]:
    """Classes of planner/web deriving from a form (a base named *Form) outside web/forms/."""
    found = []
    for name, path in source_files(root).items():
        if not in_layer(name, "planner.web") or in_layer(name, "planner.web.forms"):
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            bases = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in getattr(node, "bases", [])]
            if isinstance(node, ast.ClassDef) and any(b.endswith("Form") for b in bases):
                found.append(f"{name}.{node.name}")
    return found


def test_forms_live_in_web_forms(tmp_path: Path):
    """docs/architecture.md: the forms of every page are in planner/web/forms/."""
    assert form_classes_outside_forms() == []
    root = _write(
        tmp_path, {"__init__.py": "", "web/__init__.py": "", "web/page.py": "class F(GermanForm):\n    pass\n"}
    )
    assert form_classes_outside_forms(root) == ["planner.web.page.F"]
