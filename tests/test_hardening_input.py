"""Issue 23, hardening round 2: bad input gets a clear German error and loses nothing; nothing ends
in a 500, every API answer is strict JSON, every file written can be read, and each way in (form,
file, workbook, API) applies the same rules."""

from __future__ import annotations

import io
import json

import pytest
from auth_support import form_data
from conftest import DATA, domain
from test_api import api_token, auth
from test_measure_list_web import confirm, download, edit_cells, upload

from planner import models
from planner.extensions import db
from planner.formats.strategy_file import StrategyFileError, dump_data, load_strategy, parse_yaml

ESC_TITLE = "Steuerzeichen \u001b[31m Titel"


def strict_json(data: bytes):
    """json.loads as a strict parser does it: NaN and Infinity are no JSON."""

    def refuse(constant):
        raise ValueError(f"keine JSON-Zahl: {constant}")

    return json.loads(data, parse_constant=refuse)


@pytest.fixture
def api(app, sample_id):
    """The sample strategy, the admin's API token and the ETag of its measure `konzept`."""
    secret = api_token(app, 1)
    return {"sid": sample_id, "secret": secret}


def _etag(client, api, key="konzept"):
    return client.get(f"/api/v1/strategien/{api['sid']}/massnahmen/{key}", headers=auth(api["secret"])).headers["ETag"]


def _patch(client, api, body: str, key="konzept", etag=None):
    headers = auth(api["secret"], **{"If-Match": etag or _etag(client, api, key)})
    return client.patch(
        f"/api/v1/strategien/{api['sid']}/massnahmen/{key}", data=body, content_type="application/json", headers=headers
    )


def _post(client, api, body: str):
    return client.post(
        f"/api/v1/strategien/{api['sid']}/massnahmen",
        data=body,
        content_type="application/json",
        headers=auth(api["secret"]),
    )


# --- 1: NaN and Infinity ------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.db
def test_api_refuses_numbers_that_are_none_and_answers_only_strict_json(app, anonymous_client, api, number):
    c = anonymous_client
    before = domain(app, api["sid"])
    patched = _patch(c, api, '{"budget": NUMBER}'.replace("NUMBER", number))
    assert patched.status_code == 422, patched.text
    assert "budget" in strict_json(patched.data)["detail"]
    created = _post(
        c, api, '{"title": "Neu", "dimension": "IT-Bereitstellung", "budget": NUMBER}'.replace("NUMBER", number)
    )
    assert created.status_code == 422, created.text
    assert domain(app, api["sid"]) == before
    listed = c.get(f"/api/v1/strategien/{api['sid']}/massnahmen", headers=auth(api["secret"]))
    strict_json(listed.data)


# --- 2: no 500 on invalid input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"title": "a\\u0000b"}', "title"),
        ('{"title": "a\\ud800b"}', "title"),
        ('{"start": "0000-01"}', "start"),
        ('{"start": "9999-12", "end": "0001-01"}', "start"),
        ('{"end": "2201-01"}', "end"),
    ],
)
@pytest.mark.db
def test_api_invalid_text_and_years_are_a_german_422_naming_the_field(app, anonymous_client, api, body, field):
    before = domain(app, api["sid"])
    for response in (
        _patch(anonymous_client, api, body),
        _post(anonymous_client, api, body.replace("{", '{"dimension": "IT-Bereitstellung", "title": "x", ', 1)),
    ):
        assert response.status_code == 422, response.text
        assert f"„{field}“" in strict_json(response.data)["detail"]
    assert domain(app, api["sid"]) == before


@pytest.mark.db
def test_api_lone_surrogate_prerequisite_and_deep_nesting_are_refused(app, anonymous_client, api):
    c = anonymous_client
    headers = auth(api["secret"], **{"If-Match": _etag(c, api)})
    link = c.post(
        f"/api/v1/strategien/{api['sid']}/massnahmen/konzept/abhaengigkeiten",
        data='{"prerequisite": "a\\ud800"}',
        content_type="application/json",
        headers=headers,
    )
    assert link.status_code == 422, link.text
    assert "prerequisite" in strict_json(link.data)["detail"]
    nested = _patch(c, api, "[" * 10_000)
    assert nested.status_code == 400 and "JSON" in strict_json(nested.data)["detail"]


@pytest.mark.parametrize(
    ("line", "field"),
    [("start: 0000-01", "start"), ("actual_start: 9999-12", "actual_start"), ("deferrals: 3000000000", "deferrals")],
)
def test_strategy_file_refuses_impossible_years_and_counts_naming_the_field(line, field):
    data = parse_yaml((DATA / "sample.yaml").read_text(encoding="utf-8"))
    first = data["measures"][0]
    first.pop("end", None)
    first.pop(field, None)
    text = dump_data(data).replace(f"- id: {first['id']}\n", f"- id: {first['id']}\n  {line}\n", 1)
    assert line in text
    with pytest.raises(StrategyFileError) as refused:
        load_strategy(text)
    assert any(p.field == field for p in refused.value.problems), refused.value.messages


@pytest.mark.db
def test_measure_list_import_refuses_a_count_beyond_the_column_in_the_preview(app, client, sample_id):
    before = domain(app, sample_id)
    data = edit_cells(download(client, sample_id), (2, "Zurückgestellt (Anzahl)", 3_000_000_000))
    preview = upload(client, sample_id, data)
    assert preview.status_code == 422, preview.text[:2000]
    assert "Zurückgestellt" in preview.text and "Zeile 2" in preview.text
    assert domain(app, sample_id) == before


# --- 3, 4: control characters and line breaks ---------------------------------------------------


def test_one_text_rule():
    from planner.domain.validation import text_problem

    assert text_problem("Titel\tmit Tab") is None
    assert text_problem("zwei\nZeilen", multiline=True) is None
    assert "Zeilenumbruch" in text_problem("zwei\nZeilen")
    assert "Zeilenumbruch" in text_problem("zwei\r\nZeilen")
    assert "Steuerzeichen" in text_problem(ESC_TITLE, multiline=True)
    assert "Steuerzeichen" in text_problem("a\x00b", multiline=True)
    assert text_problem("a\ud800b", multiline=True) is not None


@pytest.mark.db
def test_control_characters_are_refused_by_form_api_and_landscape_file(app, client, anonymous_client, api):
    sid = api["sid"]
    before = domain(app, sid)
    url = f"/strategien/{sid}/massnahmen/konzept/bearbeiten"
    form = form_data(client.get(url).text)
    form["title"] = ESC_TITLE
    refused = client.post(url, data=form)
    assert refused.status_code == 422 and "Steuerzeichen" in refused.text
    form["title"] = "Zwei\nZeilen"
    refused = client.post(url, data=form)
    assert refused.status_code == 422 and "Zeilenumbruch" in refused.text
    response = _patch(anonymous_client, api, json.dumps({"title": ESC_TITLE}))
    assert response.status_code == 422 and "„title“" in response.json["detail"]
    assert domain(app, sid) == before
    with app.app_context():
        org = db.session.get(models.Strategy, sid).organisation_id
    csv_text = f"Anwendung;Hersteller\n{ESC_TITLE};Muster AG\n"
    land = client.post(
        f"/organisationen/{org}/applikationslandkarte/importieren",
        data={"file": (io.BytesIO(csv_text.encode()), "land.csv")},
        content_type="multipart/form-data",
    )
    assert land.status_code == 422 and "Zeile 2" in land.text and "Steuerzeichen" in land.text


@pytest.mark.db
def test_a_line_break_in_a_strategy_title_is_refused_by_form_and_workbook(app, client, sample_id):
    before = domain(app, sample_id)
    url = f"/strategien/{sample_id}/bearbeiten"
    form = form_data(client.get(url).text)
    form["title"] = "Strategie\nmit Umbruch"
    refused = client.post(url, data=form)
    assert refused.status_code == 422 and "Zeilenumbruch" in refused.text
    book = download(client, sample_id)
    from openpyxl import load_workbook

    from planner.formats.measure_workbook import SHEET_STRATEGY

    sheet = load_workbook(io.BytesIO(book))[SHEET_STRATEGY]
    row = next(r[0].row for r in sheet.iter_rows() if r[0].value == "Titel")
    preview = upload(client, sample_id, edit_cells(book, (row, 2, "Strategie\nmit Umbruch"), sheet=SHEET_STRATEGY))
    assert preview.status_code == 422 and "Zeilenumbruch" in preview.text
    assert domain(app, sample_id) == before


@pytest.mark.db
def test_every_writer_copes_with_control_characters_already_stored(app, client, sample_id):
    from docx import Document
    from icalendar import Calendar
    from openpyxl import load_workbook

    with app.app_context():
        strategy = db.session.get(models.Strategy, sample_id)
        strategy.title = "Strategie\nmit Umbruch \x1b[31m"
        measure = next(m for m in strategy.measures if m.key == "konzept")
        measure.title = ESC_TITLE
        measure.description = "Beschreibung \x07 mit Klingel\nund Zeile"
        org = strategy.organisation_id
        db.session.add(models.land.Application(organisation_id=org, name=ESC_TITLE, vendor="\x1b", interfaces=[]))
        db.session.commit()
    for url in (
        f"/strategien/{sample_id}/massnahmenliste.xlsx",
        f"/strategien/{sample_id}/statusabfrage.xlsx",
        f"/strategien/{sample_id}/steckbriefe.docx",
        f"/strategien/{sample_id}/massnahmen/konzept/steckbrief.docx",
        f"/strategien/{sample_id}/evaluationen.ics",
        f"/organisationen/{org}/applikationslandkarte.xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith(".xlsx"):
            book = load_workbook(io.BytesIO(response.data))
            assert not any("\x1b" in str(c.value) for sheet in book for row in sheet.iter_rows() for c in row), url
        elif url.endswith(".docx"):
            assert "\x1b" not in "".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs), url
        else:
            Calendar.from_ical(response.data)
            assert b"\x1b" not in response.data, url


@pytest.mark.db
def test_ics_of_a_strategy_with_a_line_break_in_its_title(app, client, sample_id):
    from icalendar import Calendar

    with app.app_context():
        db.session.get(models.Strategy, sample_id).title = "Zwei\nZeilen"
        db.session.commit()
    response = client.get(f"/strategien/{sample_id}/evaluationen.ics")
    assert response.status_code == 200
    Calendar.from_ical(response.data)


# --- 9: the workbook import previews what it saves and applies the form's rules -----------------


def _without_actual_start(app, sid):
    with app.app_context():
        strategy = db.session.get(models.Strategy, sid)
        m = next(m for m in strategy.measures if m.key == "konzept")
        m.actual_start, m.actual_end = None, None
        db.session.commit()


@pytest.mark.db
def test_measure_list_preview_lists_every_field_it_saves(app, client, sample_id):
    _without_actual_start(app, sample_id)
    data = edit_cells(download(client, sample_id), (2, "Tatsächlicher Beginn", "11/2026"))
    preview = upload(client, sample_id, data)
    assert preview.status_code == 200, preview.text[:3000]
    assert "Tatsächlicher Beginn" in preview.text and "11/2026" in preview.text
    assert confirm(client, sample_id, preview.text).status_code == 302
    assert str(domain(app, sample_id).measure("konzept").actual_start) == "2026-11"


@pytest.mark.db
def test_measure_list_refuses_an_actual_start_in_the_future_as_the_form_does(app, client, sample_id):
    _without_actual_start(app, sample_id)
    before = domain(app, sample_id)
    data = edit_cells(download(client, sample_id), (2, "Tatsächlicher Beginn", "01/2027"))
    preview = upload(client, sample_id, data)
    assert preview.status_code == 422, preview.text[:3000]
    assert "liegt in der Zukunft" in preview.text and "Zeile 2" in preview.text
    assert domain(app, sample_id) == before


# --- 10: API honesty ----------------------------------------------------------------------------


@pytest.mark.db
def test_null_is_allowed_in_the_schema_only_where_it_empties_a_field(app, anonymous_client, api):
    c = anonymous_client
    spec = c.get("/api/v1/openapi.json").get_json()
    change = spec["components"]["schemas"]["MeasureChange"]["properties"]

    def nullable(prop) -> bool:
        return prop.get("type") == "null" or any(s.get("type") == "null" for s in prop.get("anyOf", []))

    for name, prop in change.items():
        response = _patch(c, api, json.dumps({name: None}))
        if nullable(prop):
            assert response.status_code == 200, (name, response.text)
        else:
            assert response.status_code == 422, (name, response.text)
            assert "None" not in response.json["detail"], response.json["detail"]
    assert not nullable(change["title"]) and not nullable(change["dimension"])


@pytest.mark.db
def test_the_schema_names_allowed_dimensions_ids_and_month_forms(app, anonymous_client):
    spec = anonymous_client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert "IT-Bereitstellung" in json.dumps(schemas["NewMeasure"]["properties"]["dimension"])
    assert schemas["NewLink"]["properties"]["prerequisite"]["minLength"] == 1
    assert "pattern" in json.dumps(schemas["MeasureChange"]["properties"]["start"])


@pytest.mark.db
def test_ids_beyond_the_integer_range_are_404_for_every_method(app, anonymous_client, api):
    c = anonymous_client
    big = 2**31
    headers = auth(api["secret"], **{"If-Match": "*"})
    for method, url in (
        ("get", f"/api/v1/strategien/{big}/massnahmen/konzept"),
        ("patch", f"/api/v1/strategien/{big}/massnahmen/konzept"),
        ("post", f"/api/v1/strategien/{big}/massnahmen"),
        ("post", f"/api/v1/strategien/{big}/massnahmen/konzept/abhaengigkeiten"),
        ("delete", f"/api/v1/strategien/{big}/massnahmen/konzept/abhaengigkeiten/x"),
    ):
        response = getattr(c, method)(url, json={"title": "x"}, headers=headers)
        assert response.status_code == 404, (method, url, response.status_code)


@pytest.mark.db
def test_a_weak_etag_is_refused_saying_why(app, anonymous_client, api):
    etag = _etag(anonymous_client, api)
    response = _patch(anonymous_client, api, '{"goal": "neu"}', etag=f"W/{etag}")
    assert response.status_code == 412
    detail = response.json["detail"]
    assert "schwach" in detail and "Jemand anderes" not in detail


def test_a_budget_stored_as_nan_reads_as_none():
    """PostgreSQL's numeric holds NaN, which the API stored before this round: it reads as no budget."""
    from decimal import Decimal
    from types import SimpleNamespace

    from planner.services.strategies import measure_from_row

    columns = dict.fromkeys(c.name for c in models.Measure.__table__.columns)
    row = SimpleNamespace(**{**columns, "key": "a", "title": "A", "dimension": "IT-Sicherheit", "status": "geplant",
                             "second_loop": False, "deferrals": 0, "budget": Decimal("NaN")})  # fmt: skip
    assert measure_from_row(row).budget is None
    assert measure_from_row(SimpleNamespace(**{**vars(row), "budget": Decimal("12.5")})).budget == 12.5


@pytest.mark.db
def test_a_year_out_of_range_is_named_in_the_forms_too(client, sample_id):
    url = f"/strategien/{sample_id}/massnahmen/konzept/bearbeiten"
    form = form_data(client.get(url).text)
    form["start"] = "01/0000"
    refused = client.post(url, data=form)
    assert refused.status_code == 422 and "Das Jahr 0 liegt nicht zwischen 1900 und 2200." in refused.text


@pytest.mark.db
def test_charts_cope_with_control_characters_already_stored(app, client, sample_id):
    """No font has a glyph for ESC and XML cannot hold it: a chart leaves it out (it was a 500, or
    an SVG no browser shows)."""
    from xml.etree import ElementTree

    with app.app_context():
        strategy = db.session.get(models.Strategy, sample_id)
        strategy.title = "Strategie \x1b[31m"
        for m in strategy.measures:
            m.title = f"{m.title} {ESC_TITLE}"
        db.session.commit()
    for chart in ("fahrplan", "abhaengigkeiten"):
        svg = client.get(f"/strategien/{sample_id}/{chart}.svg")
        assert svg.status_code == 200 and b"\x1b" not in svg.data, chart
        ElementTree.fromstring(svg.data)
    for fmt in ("png", "pdf"):
        assert client.get(f"/strategien/{sample_id}/fahrplan.{fmt}").status_code == 200, fmt
