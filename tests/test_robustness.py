"""Bad input gets a clear German answer and loses nothing; nothing ends in a 500 or a stack trace.

Every route comes from app.url_map (URL parameters filled from real objects of a loaded
strategy, as in test_auth_isolation), so routes other areas add are covered without changes
here. Each route gets garbage query strings, ids that do not exist, an empty POST, garbage in
every field of its form and, where it takes files, broken uploads. The CLI gets missing,
binary and wrongly named files.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from auth_support import Forms
from conftest import DATA, STEINFURT, run
from sweep_support import (  # noqa: F401  (app, two_organisations: fixtures)
    FORMATS,
    PUBLIC_OR_GLOBAL,
    ApiCaller,
    World,
    app,
    build_two_organisations,
    build_url,
    endpoints_with_parameters,
    rules,
    two_organisations,
)
from werkzeug.routing import IntegerConverter

WEB = Path(__file__).resolve().parent.parent / "planner" / "web"
GARBAGE = [
    "abc",
    "13/2024",
    "00/0000",
    "-1",
    "1e309",
    "NaN",
    "ÄÖÜ äöü ß – „Zitat“ 🙂",
    "../../etc/passwd",
    "",
    " ",
    "x" * 5000,
    "<script>alert(1)</script>",
    "99999999999999999999999",
    "a\x00b",  # PostgreSQL refuses NUL characters in text
]
# for query strings: the kinds that reach different code (numbers, months, text, paths, length)
QUERY_GARBAGE = ["abc", "13/2024", "-1", "ÄÖÜ äöü ß – „Zitat“ 🙂", "../../etc/passwd", "", "x" * 5000]
QUERY_GARBAGE += ["99999999999999999999999", "a\x00b"]
# English text the user must never see: WTForms' built-in messages, Werkzeug's pages, Python errors,
# the messages of parsers (PyYAML, csv) passed through
ENGLISH = re.compile(
    r"Traceback|Not a valid|This field is required|Invalid|Field must|Number must|"
    r"File does not have|is not a valid|Internal Server Error|Bad Request|Method Not Allowed|"
    r"Not Found|The requested URL|CSRF token|found character|cannot start|but found|but got|"
    r"could not|field larger|not allowed|unexpected|expected|Error\b|Exception\b"
)


def _problems(method: str, url: str, response) -> list[str]:
    """Why this answer breaks the rule, if it does."""
    found = []
    if response.status_code >= 500:
        found.append(f"{method} {url[:200]} -> {response.status_code}")
    text = (
        response.get_data(as_text=True)
        if response.mimetype in ("text/html", "text/plain", "application/json", "application/problem+json")
        else ""
    )
    text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]*>", " ", text, flags=re.DOTALL)  # what the user reads
    if match := ENGLISH.search(text):
        found.append(f"{method} {url[:200]} -> {response.status_code}, englisch/Stacktrace: {match.group(0)!r}")
    return found


class _AllForms(Forms):
    """Every form of a page with its method, action, enctype and all field names (also unchecked)."""

    def __init__(self):
        super().__init__()
        self.meta: list[dict] = []
        self.names: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        a = dict(attrs)
        if tag == "form":
            self.meta.append(a)
            self.names.append({})
        elif self.names and tag in ("input", "select", "textarea") and a.get("name"):
            kind = a.get("type", tag) if tag == "input" else tag
            if kind != "submit":
                self.names[-1].setdefault(a["name"], kind)


def _forms(html: str) -> list[tuple[dict, dict[str, str], list[tuple[str, str]]]]:
    """(attributes, {name: type}, submitted values) of every form on the page."""
    parser = _AllForms()
    parser.feed(html)
    return list(zip(parser.meta, parser.names, parser.forms, strict=True))


def _query_names(html: str, path: str) -> set[str]:
    """Query parameters the page uses: fields of its GET forms and keys in its links to itself."""
    names = set()
    for attrs, fields, _ in _forms(html):
        if attrs.get("method", "get").lower() == "get":
            names |= set(fields)
    for href in re.findall(r'href="([^"]*\?[^"]*)"', html):
        href = href.replace("&amp;", "&")
        if urlsplit(href).path in ("", path):
            names |= {k for k, _ in parse_qsl(urlsplit(href).query, keep_blank_values=True)}
    return names


# every query parameter any route reads, from the source: request.args.get("x"), _entry_arg(m, "x", ...)
SOURCE_ARGS = sorted(
    {
        name
        for path in WEB.rglob("*.py")
        for name in re.findall(r'args\.get\(\s*"(\w+)"|_entry_arg\(\s*\w+,\s*"(\w+)"', path.read_text("utf-8"))
        for name in name
        if name
    }
)


def _destructive_last(endpoints: list[str]) -> list[str]:
    """Deleting routes at the end, so that the others still find their objects."""
    rule = {r.endpoint: r.rule for r in rules()}
    return sorted(endpoints, key=lambda e: any(w in rule[e] for w in ("loeschen", "entfernen", "anonymisieren")))


ROUTES = sorted({r.endpoint for r in rules() if r.endpoint not in PUBLIC_OR_GLOBAL})
METHODS = {r.endpoint: r.methods - {"HEAD", "OPTIONS"} for r in rules()}
READABLE = [e for e in ROUTES if "GET" in METHODS[e]]
WITH_PARAMETERS = endpoints_with_parameters()


class Routes(World):
    """The two offices with every route's URL (those without parameters as they are); the
    administrator's client also sends an API token (the API reads a token, never the session)."""

    def __init__(self, app, data):
        super().__init__(app, data)
        self.admin.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {ApiCaller(app, 1).secret}"
        for rule in app.url_map.iter_rules():
            if not rule.arguments and rule.endpoint not in PUBLIC_OR_GLOBAL:
                self.urls[rule.endpoint] = (rule.rule, rule.methods - {"HEAD", "OPTIONS"})


@pytest.fixture(scope="module")
def worlds(seeds):
    """worlds(name): the two offices on a copy of their own for one sweep (its cases run in order,
    deleting routes last); made on first use, shared by that sweep's cases."""
    made: dict[str, Routes] = {}

    def world(name: str) -> Routes:
        if name not in made:
            app, data = seeds.app("zwei-aemter", build_two_organisations)
            made[name] = Routes(app, data)
        return made[name]

    yield world
    for routes in made.values():
        seeds.release(routes.app)


@pytest.mark.db
def test_every_route_is_in_the_sweeps(worlds):
    routes = worlds("lesen")
    assert routes.unfilled == []
    assert sorted(routes.urls) == ROUTES and len(ROUTES) >= 60


def test_source_args_are_found():
    assert {"mit", "art", "faellig", "von", "bis", "dimension"} <= set(SOURCE_ARGS)


@pytest.mark.db
@pytest.mark.parametrize("endpoint", READABLE)
def test_get_with_garbage_query_strings(worlds, endpoint):
    routes = worlds("lesen")
    client, (url, _methods) = routes.admin, routes.urls[endpoint]
    problems = []
    if url.rsplit(".", 1)[-1] in FORMATS:
        # downloads (PDF, charts...) are slow to make: months and numbers in turn, in one request
        values = ("13/2024", "99999999999999999999999", "abc")
        query = {name: values[i % len(values)] for i, name in enumerate(SOURCE_ARGS)}
        problems += _problems("GET", f"{url}?{query}", client.get(url, query_string=query))
    else:
        page = client.get(url)
        problems += _problems("GET", url, page)
        names = set(SOURCE_ARGS)
        if page.mimetype == "text/html":
            names |= _query_names(page.get_data(as_text=True), url)
        for value in QUERY_GARBAGE:
            response = client.get(url, query_string={name: value for name in names})
            problems += _problems("GET", f"{url}?…={value[:30]}", response)
        # repeated and nameless parameters
        response = client.get(url + "?" + "&".join(f"{n}=1&{n}=x" for n in names) + "&=&&%ZZ")
        problems += _problems("GET", f"{url}?<doppelt>", response)
    assert problems == [], "\n".join(problems)


@pytest.mark.db
@pytest.mark.parametrize("endpoint", WITH_PARAMETERS)
def test_ids_that_do_not_exist_are_german_404(worlds, endpoint):
    routes = worlds("lesen")
    rule = next(r for r in routes.app.url_map.iter_rules() if r.endpoint == endpoint)
    problems = []
    wrong_values = {"int": ["999999", "0", "99999999999999999999"], "default": ["gibt-es-nicht", "%C3%A4%C3%B6", ".."]}
    good = routes.urls[endpoint][0]
    # the real values of this route's parameters, read back from its filled URL
    pattern = re.sub(r"<(?:([a-z]+):)?(\w+)>", lambda m: f"(?P<{m.group(2)}>[^/]+?)", re.escape(rule.rule))
    pattern = pattern.replace(r"\<", "<").replace(r"\>", ">")
    real = re.fullmatch(pattern, good).groupdict()
    for param in rule.arguments:
        kind = "int" if isinstance(rule._converters[param], IntegerConverter) else "default"
        for wrong in wrong_values[kind]:
            url = build_url(rule, {**real, param: wrong})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = routes.admin.open(url, method=method, data={})
                problems += _problems(method, url, response)
                if response.status_code != 404:
                    problems.append(f"{method} {url} -> {response.status_code} statt 404")
                elif "Nicht gefunden" not in response.get_data(as_text=True):
                    problems.append(f"{method} {url}: 404 ohne deutsche Fehlerseite")
    assert problems == [], "\n".join(problems)


@pytest.mark.db
@pytest.mark.parametrize("endpoint", _destructive_last([e for e in ROUTES if "POST" in METHODS[e]]))
def test_post_empty_form(worlds, endpoint):
    routes = worlds("leer")
    url = routes.urls[endpoint][0]
    problems = _problems("POST", url, routes.admin.post(url, data={}))
    problems += _problems("POST", url + " (ohne Inhalt)", routes.admin.post(url))
    assert problems == [], "\n".join(problems)


def _post_forms(client, url: str):
    """The POST forms of the page at url: (action, field names and types, submitted values)."""
    if url.rsplit(".", 1)[-1] in FORMATS:  # a download, no page
        return []
    page = client.get(url)
    if page.status_code != 200 or page.mimetype != "text/html":
        return []
    found = []
    for attrs, fields, values in _forms(page.get_data(as_text=True)):
        if attrs.get("method", "get").lower() == "post":
            action = attrs.get("action") or url
            found.append((action, fields, values, attrs.get("enctype", "")))
    return found


# what the garbage sweep's cases reached (in this worker): forms tried, refusals that showed the input
GARBAGE_SWEEP = {"forms": set(), "refused": 0, "cases": 0}


@pytest.mark.db
@pytest.mark.parametrize("endpoint", _destructive_last(READABLE))
def test_post_garbage_in_every_field(worlds, endpoint):
    """Every form of the page, each field filled with garbage; a refused form shows the input again.
    A form that several pages show is tried on the first of them."""
    routes = worlds("muell")
    client, url = routes.admin, routes.urls[endpoint][0]
    problems = []
    GARBAGE_SWEEP["cases"] += 1
    for action, fields, _values, _enctype in _post_forms(client, url):
        if (action, tuple(fields)) in GARBAGE_SWEEP["forms"] or action.endswith("/abmelden"):
            continue
        GARBAGE_SWEEP["forms"].add((action, tuple(fields)))
        for value in GARBAGE:
            data = {name: value for name, kind in fields.items() if kind != "file"}
            response = client.post(action, data=data)
            problems += _problems("POST", f"{action} [alle Felder={value[:30]!r}]", response)
        # one field garbage at a time, the others as the page had them
        for name, kind in fields.items():
            if kind == "file":
                continue
            for value in ("13/2024", "x" * 5000):
                form = {n: v for n, v in _values if n != name}
                form[name] = value
                response = client.post(action, data=form)
                problems += _problems("POST", f"{action} [{name}={value[:30]!r}]", response)
                # refused: the form comes back with what was typed in (text fields)
                if response.status_code == 422 and kind in ("text", "textarea"):
                    GARBAGE_SWEEP["refused"] += 1
                    if value not in response.text:
                        problems.append(f"POST {action} [{name}={value[:30]!r}] -> 422 ohne die Eingabe")
    assert problems == [], "\n".join(problems)


@pytest.mark.db
def test_the_garbage_sweep_reached_many_forms_and_refusals(worlds):
    """After the garbage cases (they run before this one, in this process)."""
    if GARBAGE_SWEEP["cases"] < len(READABLE):
        pytest.skip("nur ein Teil der Müll-Fälle lief (Auswahl mit -k)")
    assert len(GARBAGE_SWEEP["forms"]) >= 20 and GARBAGE_SWEEP["refused"] >= 20


BROKEN_FILES = {
    "leer": b"",
    "binaer": bytes(range(256)) * 8,
    "latin-1": "organisation: Gesundheitsamt Müllheim\ntitle: Straße\n".encode("latin-1"),
    "yaml-tabs": b"organisation: X\nmeasures:\n\t- id: a\n\t  title: B\n",
    "riesige-zeile": b"title: " + b"x" * 2_000_000 + b"\n",
    "xlsx-als-text": b"Das ist keine Excel-Datei\n",
    "csv-falsche-spalten": "foo;bar;baz\n1;2;3\nä;ö;ü\n".encode(),
    "csv-komma": b"a,b\n1,2\n",
    "yaml-liste": b"- 1\n- 2\n",
    "yaml-kaputt": b"organisation: [unclosed\n  title: {\n",
    "zip-muell": b"PK\x03\x04" + b"\x00" * 100,
    "yaml-tief": b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n",
    # "billion laughs": nine lines that stand for 9^9 values
    "yaml-anker": (
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))
    ).encode(),
    "csv-riesenfeld": b"Subdimension;Stufe;Kriterium\n" + b"x" * 200_000 + b";1;a\n",
}


@pytest.fixture(scope="module")
def uploads(worlds) -> tuple[Routes, list]:
    """Every upload form of every page: (action, file field, the form's other values)."""
    routes = worlds("dateien")
    found = set()
    for url, methods in routes.urls.values():
        if "GET" not in methods:
            continue
        for action, fields, values, enctype in _post_forms(routes.admin, url):
            files = [name for name, kind in fields.items() if kind == "file"]
            if enctype == "multipart/form-data" and files:
                found.add((action, files[0], tuple((n, v) for n, v in values if n not in files)))
    assert {a for a, _f, _v in found} >= {"/strategien/importieren"} and len(found) >= 2
    return routes, sorted(found)


@pytest.mark.db
@pytest.mark.parametrize("label", BROKEN_FILES)
def test_broken_uploads_to_every_upload_route(uploads, label):
    routes, actions = uploads
    problems = []
    content = BROKEN_FILES[label]
    for action, field, others in actions:
        for ext in ("yaml", "yml", "csv", "xlsx", "txt", ""):
            data = {**dict(others), field: (io.BytesIO(content), f"{label}.{ext}" if ext else label)}
            response = routes.admin.post(action, data=data, content_type="multipart/form-data")
            problems += _problems("POST", f"{action} [{label}.{ext}]", response)
            if response.status_code == 200 or response.status_code == 302:
                problems.append(f"POST {action} [{label}.{ext}] -> {response.status_code}: angenommen?")
    assert problems == [], "\n".join(problems)


@pytest.mark.db
def test_upload_forms_without_a_file_or_with_a_wrong_field(uploads):
    routes, actions = uploads
    problems = []
    for action, _field, others in actions:
        response = routes.admin.post(action, data=dict(others), content_type="multipart/form-data")
        problems += _problems("POST", f"{action} [ohne Datei]", response)
        response = routes.admin.post(
            action, data={"anders": (io.BytesIO(b"x"), "x.yaml")}, content_type="multipart/form-data"
        )
        problems += _problems("POST", f"{action} [falsches Feld]", response)
    assert problems == [], "\n".join(problems)


@pytest.mark.db
def test_upload_over_the_limit_is_a_german_413(client):
    big = io.BytesIO(b"x" * (16 * 1024 * 1024 + 1))
    response = client.post("/strategien/importieren", data={"file": (big, "gross.yaml")})
    assert response.status_code == 413
    assert "Datei zu groß" in response.text and not _problems("POST", "/strategien/importieren", response)


@pytest.mark.db
def test_login_with_garbage(anonymous_client):
    problems = []
    for value in [*GARBAGE, "//evil.example"]:
        url = "/anmelden?" + urlencode({"next": value})
        problems += _problems("GET", url, anonymous_client.get(url))
        response = anonymous_client.post(url, data={"username": value, "password": value})  # argon2: slow
        problems += _problems("POST", f"{url[:60]} [{value[:20]!r}]", response)
        assert response.status_code in (200, 400, 422, 429), response.status_code
    assert problems == [], "\n".join(problems)


@pytest.mark.db
def test_everything_is_still_there(app, client, two_organisations):
    """After garbage of every kind (no deleting routes), every page still answers as before."""
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {ApiCaller(app, 1).secret}"
    routes = Routes(app, two_organisations)
    for url, methods in routes.urls.values():
        if "POST" in methods and not any(w in url for w in ("loeschen", "entfernen", "anonymisieren", "abmelden")):
            for value in GARBAGE[:4]:
                client.post(url, data={"title": value, "name": value})
    text = client.get(f"/strategien/{two_organisations['a_sid']}").get_data(as_text=True)
    assert "Steinfurt" in text


# --- CLI ---------------------------------------------------------------------


def _cli(*args) -> tuple[int, str]:
    result = run(*args)
    return result.exit_code, result.output + (
        f"\n{result.exc_info}" if result.exception and not isinstance(result.exception, SystemExit) else ""
    )


@pytest.fixture
def bad_files(tmp_path):
    files = {}
    for label, content in BROKEN_FILES.items():
        # each as .yaml; the quick ones also with the wrong extension
        for ext in ("yaml", "json", "txt") if len(content) < 10_000 else ("yaml",):
            path = tmp_path / f"{label}.{ext}"
            path.write_bytes(content)
            files[f"{label}.{ext}"] = path
    files["verzeichnis"] = tmp_path
    files["fehlt"] = tmp_path / "gibt-es-nicht.yaml"
    return files


CLI_COMMANDS = {
    "check": lambda f, out: ["check", f],
    "check --json": lambda f, out: ["check", "--json", f],
    "import": lambda f, out: ["import", f],
    "roadmap": lambda f, out: ["roadmap", f, "-o", out / "fahrplan.svg"],
    "steckbriefe": lambda f, out: ["steckbriefe", f, "-o", out / "s.pdf"],
    "maturity": lambda f, out: ["maturity", f],
    "evaluations": lambda f, out: ["evaluations", f],
    "restore": lambda f, out: ["restore", f],
}


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("SECRET_KEY", "x")
    assert _cli("db", "upgrade")[0] == 0


def _cli_problems(command: str, args: list, label: str) -> list[str]:
    code, output = _cli(*args)
    found = []
    if code == 0:
        found.append(f"planner {command} [{label}]: Exit 0")
    if "Traceback" in output or "exc_info" in output or "Error" in output or "Usage" in output:
        found.append(f"planner {command} [{label}]: {output[-300:]!r}")
    elif not re.search(r"[äöüß„“]|nicht|Datei|ungültig|kein|bitte|fehlt|unbekannt", output, re.IGNORECASE):
        found.append(f"planner {command} [{label}]: keine deutsche Meldung: {output[-300:]!r}")
    return found


def test_cli_with_bad_files(bad_files, cli_env, tmp_path):
    problems = []
    some = ["fehlt", "verzeichnis", "leer.yaml", "binaer.json", "latin-1.txt", "yaml-tabs.yaml", "yaml-anker.yaml"]
    for command, make in CLI_COMMANDS.items():
        # every file for the commands that only read; the others share the same loading code
        for label in bad_files if command in ("check", "restore") else some:
            problems += _cli_problems(command, make(bad_files[label], tmp_path), label)
    assert problems == [], "\n".join(problems)


def test_cli_restore_of_damaged_backups(tmp_path, cli_env):
    import json

    from planner.services.backup import FORMAT

    problems = []
    for label, document in {
        "falscher-typ": {"format": FORMAT, "organisation": {"name": "A"}, "tables": {"strategies": [{"id": "x"}]}},
        "zeile-kein-objekt": {"format": FORMAT, "organisation": {"name": "A"}, "tables": {"organisations": ["x"]}},
        "ohne-organisation": {"format": FORMAT, "tables": {}},
        "fehlende-pflichtfelder": {"format": FORMAT, "organisation": {}, "tables": {"organisations": [{"id": 1}]}},
        "falsches-format": {"format": "anderes/9", "organisation": {}, "tables": {}},
        "liste": [1, 2],
    }.items():
        path = tmp_path / f"{label}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        problems += _cli_problems("restore", ["restore", path], label)
    assert problems == [], "\n".join(problems)


def test_cli_with_bad_output_paths(tmp_path, cli_env):
    problems = []
    for command, output in (
        ("roadmap", tmp_path / "fahrplan.exe"),
        ("roadmap", tmp_path / "fehlt" / "fahrplan.svg"),
        ("roadmap", tmp_path),
        ("steckbriefe", tmp_path / "s.txt"),
        ("steckbriefe", tmp_path / "fehlt" / "s.pdf"),
        ("steckbriefe", tmp_path),
    ):
        problems += _cli_problems(command, [command, DATA / "sample.yaml", "-o", output], output.name)
    problems += _cli_problems(
        "roadmap", ["roadmap", STEINFURT, "-o", tmp_path / "f.svg", "--heute", "13/2024"], "heute"
    )
    problems += _cli_problems("evaluations", ["evaluations", STEINFURT, "--today", "gestern"], "today")
    problems += _cli_problems("export", ["export", "--strategy", "abc"], "abc")
    problems += _cli_problems("backup", ["backup", "--organisation", "1", "-o", tmp_path / "fehlt" / "b.json"], "o")
    assert problems == [], "\n".join(problems)
