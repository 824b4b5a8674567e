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


# --- views hand templates what they show (issue 25, 5) -----------------------------------------
#
# A template global is a pure helper (labels, links, formatting, permissions of the request): it
# never takes the database session, so no template runs a query of its own; views read what a page
# shows and pass it. Views never fetch helpers through `jinja_env.globals`, and no module adds to
# the navigation when it is imported: web/nav.py declares it whole.

QUERYING_GLOBALS_BEING_REPLACED: set[str] = set()


def _trees(root: Path = PACKAGE):
    for path in sorted(root.rglob("*.py")):
        yield module_name(path, root), ast.parse(path.read_text(encoding="utf-8"))


def _uses_the_database(node: ast.AST) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and n.id in ("db", "session", "Session"):
            return True
        if isinstance(n, ast.Attribute) and n.attr in ("session", "execute", "scalar", "scalars"):
            return True
        if isinstance(n, ast.arg) and n.arg == "session":
            return True
    return False


def template_global_problems(root: Path = PACKAGE) -> list[str]:
    """Template globals (registered with add_template_global, add_app_template_global or the
    app_template_global decorator) whose code reaches the database."""
    trees = list(_trees(root))
    functions: dict[str, list[ast.AST]] = {}
    for _, tree in trees:
        for f in tree.body:
            if isinstance(f, ast.FunctionDef):
                functions.setdefault(f.name, []).append(f)
    out = []
    for module, tree in trees:
        found: list[tuple[str, ast.AST, int]] = []
        for n in ast.walk(tree):
            registers = isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.args
            if registers and n.func.attr in ("add_template_global", "add_app_template_global"):
                target = n.args[0]
                name = n.args[1].value if len(n.args) > 1 and isinstance(n.args[1], ast.Constant) else None
                if isinstance(target, ast.Lambda):
                    found.append((name or "<lambda>", target, n.lineno))
                elif isinstance(target, ast.Name):
                    for f in functions.get(target.id, []):
                        found.append((name or target.id, f, n.lineno))
            if isinstance(n, ast.FunctionDef):
                for d in n.decorator_list:
                    call = d.func if isinstance(d, ast.Call) else d
                    if isinstance(call, ast.Attribute) and call.attr in ("app_template_global", "template_global"):
                        name = d.args[0].value if isinstance(d, ast.Call) and d.args else n.name
                        found.append((name, n, n.lineno))
        for name, body, line in found:
            if name not in QUERYING_GLOBALS_BEING_REPLACED and _uses_the_database(body):
                out.append(f"template global {name} reaches the database: {module}:{line}")
    return out


def view_problems(root: Path = PACKAGE) -> list[str]:
    """Lookups through jinja_env.globals, and additions to the navigation from other modules."""
    out = []
    for module, tree in _trees(root):
        for n in ast.walk(tree):
            looked_up = isinstance(n, ast.Attribute) and n.attr == "globals" and isinstance(n.value, ast.Attribute)
            if looked_up and n.value.attr == "jinja_env":
                out.append(f"a lookup through jinja_env.globals: {module}:{n.lineno}")
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
                owner = n.func.value
                while isinstance(owner, ast.Attribute):
                    owner = owner.value
                if (
                    n.func.attr in ("append", "extend", "insert")
                    and isinstance(owner, ast.Name)
                    and owner.id == "nav"
                    and module != "planner.web.nav"
                ):
                    out.append(f"a module adds to the navigation: {module}:{n.lineno}")
    return out


def test_template_globals_never_query():
    assert template_global_problems() == []


def test_views_hand_templates_what_they_show_and_the_navigation_is_one_list():
    assert view_problems() == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"web/a.py": "def f(row):\n    return db.session.get(X, row.id)\n\napp.add_template_global(f, 'f')\n"},
            "template global f reaches the database: planner.web.a:4",
        ),
        (
            {"web/a.py": "app.add_template_global(lambda row: service.is_shared(db.session, row.id), 'is_shared')\n"},
            "template global is_shared reaches the database: planner.web.a:1",
        ),
        (
            {"web/a.py": "@bp.app_template_global('recent')\ndef r(session):\n    return 1\n"},
            "template global recent reaches the database: planner.web.a:2",
        ),
    ],
)
def test_a_querying_template_global_is_caught(tmp_path: Path, files: dict[str, str], expected: str):
    assert expected in template_global_problems(_write(tmp_path, {"__init__.py": "", **files}))


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"web/a.py": "f = current_app.jinja_env.globals.get('successor_of')\n"},
            "a lookup through jinja_env.globals: planner.web.a:1",
        ),
        (
            {"web/a.py": "nav.STRATEGY_SECTIONS.append(('x.index', 'X'))\n"},
            "a module adds to the navigation: planner.web.a:1",
        ),
    ],
)
def test_a_view_rule_break_is_caught(tmp_path: Path, files: dict[str, str], expected: str):
    assert expected in view_problems(_write(tmp_path, {"__init__.py": "", **files}))


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
