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
from test_auth_isolation import FORMATS, PUBLIC_OR_GLOBAL, ApiCaller, _build, _urls, two_organisations  # noqa: F401
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


@pytest.fixture
def routes(app, client, two_organisations):  # noqa: F811
    """(endpoint, url, methods) for every route: those with parameters filled, those without as they are."""
    urls, unfilled = _urls(app, two_organisations, client)
    assert unfilled == []
    # the API reads a token, never the session: the administrator's client sends both
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {ApiCaller(app, 1).secret}"
    for rule in app.url_map.iter_rules():
        if not rule.arguments and rule.endpoint not in PUBLIC_OR_GLOBAL:
            urls.append((rule.endpoint, rule.rule, rule.methods - {"HEAD", "OPTIONS"}))
    assert len(urls) >= 60
    return urls


def _destructive_last(routes):
    """Deleting routes at the end, so that the others still find their objects."""
    return sorted(routes, key=lambda r: any(w in r[1] for w in ("loeschen", "entfernen", "anonymisieren")))


def test_source_args_are_found():
    assert {"mit", "art", "faellig", "von", "bis", "dimension"} <= set(SOURCE_ARGS)


def test_get_with_garbage_query_strings(client, routes):
    problems = []
    for _endpoint, url, methods in routes:
        if "GET" not in methods:
            continue
        if url.rsplit(".", 1)[-1] in FORMATS:
            # downloads (PDF, charts...) are slow to make: months and numbers in turn, in one request
            values = ("13/2024", "99999999999999999999999", "abc")
            query = {name: values[i % len(values)] for i, name in enumerate(SOURCE_ARGS)}
            problems += _problems("GET", f"{url}?{query}", client.get(url, query_string=query))
            continue
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


def test_ids_that_do_not_exist_are_german_404(app, client, routes):
    problems = []
    wrong_values = {"int": ["999999", "0", "99999999999999999999"], "default": ["gibt-es-nicht", "%C3%A4%C3%B6", ".."]}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_OR_GLOBAL or not rule.arguments:
            continue
        good = next(u for e, u, _m in routes if e == rule.endpoint)
        # the real values of this route's parameters, read back from its filled URL
        pattern = re.sub(r"<(?:([a-z]+):)?(\w+)>", lambda m: f"(?P<{m.group(2)}>[^/]+?)", re.escape(rule.rule))
        pattern = pattern.replace(r"\<", "<").replace(r"\>", ">")
        real = re.fullmatch(pattern, good).groupdict()
        for param in rule.arguments:
            kind = "int" if isinstance(rule._converters[param], IntegerConverter) else "default"
            for wrong in wrong_values[kind]:
                url = _build(rule, {**real, param: wrong})
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    response = client.open(url, method=method, data={})
                    problems += _problems(method, url, response)
                    if response.status_code != 404:
                        problems.append(f"{method} {url} -> {response.status_code} statt 404")
                    elif "Nicht gefunden" not in response.get_data(as_text=True):
                        problems.append(f"{method} {url}: 404 ohne deutsche Fehlerseite")
    assert problems == [], "\n".join(problems)


def test_post_empty_form(client, routes):
    problems = []
    for _endpoint, url, methods in _destructive_last(routes):
        if "POST" in methods:
            problems += _problems("POST", url, client.post(url, data={}))
            problems += _problems("POST", url + " (ohne Inhalt)", client.post(url))
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


def test_post_garbage_in_every_field(app, client, routes):
    """Every form of every page, each field filled with garbage; a refused form shows the input again."""
    problems = []
    seen = set()
    refused = 0
    for _endpoint, url, methods in _destructive_last(routes):
        if "GET" not in methods:
            continue
        for action, fields, _values, _enctype in _post_forms(client, url):
            if (action, tuple(fields)) in seen or action.endswith("/abmelden"):
                continue
            seen.add((action, tuple(fields)))
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
                        refused += 1
                        if value not in response.text:
                            problems.append(f"POST {action} [{name}={value[:30]!r}] -> 422 ohne die Eingabe")
    assert len(seen) >= 20 and refused >= 20
    assert problems == [], "\n".join(problems)


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


def test_broken_uploads_to_every_upload_route(client, routes):
    problems = []
    uploads = set()
    for _endpoint, url, methods in routes:
        if "GET" not in methods:
            continue
        for action, fields, values, enctype in _post_forms(client, url):
            files = [name for name, kind in fields.items() if kind == "file"]
            if enctype == "multipart/form-data" and files:
                uploads.add((action, files[0], tuple((n, v) for n, v in values if n not in files)))
    assert {a for a, _f, _v in uploads} >= {"/strategien/importieren"} and len(uploads) >= 2
    for action, field, others in sorted(uploads):
        for label, content in BROKEN_FILES.items():
            for ext in ("yaml", "yml", "csv", "xlsx", "txt", ""):
                data = {**dict(others), field: (io.BytesIO(content), f"{label}.{ext}" if ext else label)}
                response = client.post(action, data=data, content_type="multipart/form-data")
                problems += _problems("POST", f"{action} [{label}.{ext}]", response)
                if response.status_code == 200 or response.status_code == 302:
                    problems.append(f"POST {action} [{label}.{ext}] -> {response.status_code}: angenommen?")
        # a file field with no file in it and a file under a wrong name
        response = client.post(action, data=dict(others), content_type="multipart/form-data")
        problems += _problems("POST", f"{action} [ohne Datei]", response)
        response = client.post(
            action, data={"anders": (io.BytesIO(b"x"), "x.yaml")}, content_type="multipart/form-data"
        )
        problems += _problems("POST", f"{action} [falsches Feld]", response)
    assert problems == [], "\n".join(problems)


def test_upload_over_the_limit_is_a_german_413(client):
    big = io.BytesIO(b"x" * (16 * 1024 * 1024 + 1))
    response = client.post("/strategien/importieren", data={"file": (big, "gross.yaml")})
    assert response.status_code == 413
    assert "Datei zu groß" in response.text and not _problems("POST", "/strategien/importieren", response)


def test_login_with_garbage(anonymous_client):
    problems = []
    for value in [*GARBAGE, "//evil.example"]:
        url = "/anmelden?" + urlencode({"next": value})
        problems += _problems("GET", url, anonymous_client.get(url))
        response = anonymous_client.post(url, data={"username": value, "password": value})  # argon2: slow
        problems += _problems("POST", f"{url[:60]} [{value[:20]!r}]", response)
        assert response.status_code in (200, 400, 422, 429), response.status_code
    assert problems == [], "\n".join(problems)


def test_everything_is_still_there(client, routes, two_organisations):  # noqa: F811
    """After garbage of every kind (no deleting routes), every page still answers as before."""
    for _endpoint, url, methods in routes:
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
