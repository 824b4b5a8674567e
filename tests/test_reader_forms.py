"""Issue 10, defect 13: a `lesen` user is not shown forms they cannot submit.

Walks every page of the organisation (routes from app.url_map, as the isolation walk does)
as a reader and collects each POST form; a form whose target refuses the reader must not be
on the page."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sweep_support import PUBLIC_OR_GLOBAL, app, two_organisations, urls_of  # noqa: F401  (fixtures)

pytestmark = pytest.mark.db

ALWAYS_ALLOWED = {"/abmelden", "/passwort"}
DOWNLOADS = (".pdf", ".png", ".svg", ".docx", ".xlsx", ".csv", ".ics", ".yaml", ".json")


class PostForms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.actions: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self.actions.append(a.get("action"))


def _post_forms(html: str, url: str) -> set[str]:
    parser = PostForms()
    parser.feed(html)
    return {urlsplit(urljoin("http://localhost" + url, action or url)).path for action in parser.actions}


def test_readers_see_no_forms_they_cannot_submit(app, client, client_as, two_organisations):
    data = two_organisations
    urls, _ = urls_of(app, data, client)
    pages = [url for _e, url, methods in urls if "GET" in methods]
    pages += [
        r.rule
        for r in app.url_map.iter_rules()
        if not r.arguments and "GET" in r.methods and r.endpoint not in PUBLIC_OR_GLOBAL
    ]
    pages = [url for url in pages if not url.endswith(DOWNLOADS)]
    reader = client_as({data["a_org"]: "lesen"})
    # the walk reaches the pages that have forms for writers
    editor = client_as({data["a_org"]: "bearbeiten"})
    shown_to_editor = set()
    offenders, walked = [], 0
    for url in pages:
        response = reader.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        walked += 1
        for action in _post_forms(response.get_data(as_text=True), url) - ALWAYS_ALLOWED:
            status = reader.post(action, data={}).status_code
            if status in (403, 404, 405):
                offenders.append(f"{url}: Formular an {action} ({status})")
        editor_page = editor.get(url)
        if editor_page.mimetype == "text/html":
            shown_to_editor |= _post_forms(editor_page.get_data(as_text=True), url) - ALWAYS_ALLOWED
    assert walked >= 25
    assert len(shown_to_editor) >= 10  # writers do get forms on these pages: the walk can find them
    assert offenders == [], "\n".join(offenders)
