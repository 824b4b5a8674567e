"""Accessibility details that axe-core does not check: error summary and page title after a failed
save, login autocomplete, English terms, row groups, and white chart labels on dimension colours."""

from __future__ import annotations

import re

import pytest
from conftest import PEINE, import_file
from test_web_foundation import MEASURE

from planner.domain.catalogue import catalogue


def _contrast(a: str, b: str) -> float:
    def lum(h: str) -> float:
        c = [int(h[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_white_labels_on_every_dimension_colour_reach_4_5_to_1():
    for d in catalogue().dimensions:
        assert _contrast(d.colour, "#ffffff") >= 4.5, (d.name, d.colour)


@pytest.mark.db
def test_failed_save_has_error_summary_linking_each_field_and_says_so_in_the_title(client, sample_id):
    response = client.post(f"/strategien/{sample_id}/massnahmen/neu", data={**MEASURE, "title": "", "start": "13/2024"})
    assert response.status_code == 422
    html = response.text
    assert re.search(r"<title>Fehler: ", html)
    summary = html[html.index('id="fehler"') : html.index("</div>", html.index('id="fehler"'))]
    assert 'tabindex="-1"' in html[html.index('<div class="problems"') : html.index('id="fehler"') + 40]
    assert '<a href="#title">Titel: Bitte ausfüllen.</a>' in summary
    assert re.search(r'<a href="#start">[^<]*: „13/2024“ ist kein Monat', summary)
    assert '<script src="/static/errors.js" defer>' in html
    # a page without errors has the plain title
    assert "<title>Fehler" not in client.get(f"/strategien/{sample_id}/massnahmen/neu").text


@pytest.mark.db
def test_login_fields_name_their_purpose(anonymous_client):
    html = anonymous_client.get("/anmelden").text
    assert re.search(r'<input[^>]*autocomplete="username"[^>]*name="username"', html)
    assert re.search(r'<input[^>]*autocomplete="current-password"[^>]*name="password"', html)


@pytest.mark.db
def test_english_terms_are_marked(client, sample_id):
    assert '(<span lang="en">Lead</span>)' in client.get(f"/strategien/{sample_id}/massnahmen/konzept").text
    assert '<span lang="en">Lessons Learned</span>' in client.get(f"/strategien/{sample_id}/wissensdatenbank").text


@pytest.mark.db
def test_dimension_rows_head_their_row_group(app, client):
    sid = import_file(app, PEINE)
    html = client.get(f"/strategien/{sid}/reifegrad").text
    heat = html[
        html.index('<table class="table heat">') : html.index("</table>", html.index('<table class="table heat">'))
    ]
    assert heat.count("<tbody>") == 8
    assert heat.count('scope="rowgroup"') == 8
