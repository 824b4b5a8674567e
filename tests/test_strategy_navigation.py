"""Finding one's way around a strategy (issue 24, point 7): the strategy's pages grouped by job in
one declarative list (web/nav.py), one name per action, German time, the notice when the plan
period has ended and the action that fits an overdue measure on the start page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for
from lxml import html as lxml_html

from planner import models
from planner.domain import german
from planner.domain.lagebild import action_items, period_ended, status_recorded_after_end
from planner.domain.months import Month
from planner.domain.strategy import Measure, Status
from planner.domain.verstetigung import StatusChange, TrackedStrategy
from planner.extensions import db
from planner.models.auth import User
from planner.web import nav

ROOT = Path(__file__).resolve().parent.parent

# --- the navigation list ---------------------------------------------------------------------


def test_the_strategy_navigation_has_at_most_seven_groups_each_page_in_one():
    labels = [g.label for g in nav.STRATEGY_GROUPS]
    assert labels == ["Überblick", "Maßnahmen", "Fahrplan", "Reifegrad", "Verstetigung", "Ausgaben"]
    assert len(labels) <= nav.MAX_GROUPS
    listed = [link.endpoint for g in nav.STRATEGY_GROUPS for link in g.pages]
    assert len(listed) == len(set(listed))  # no page in two groups
    assert nav.group_of("roadmap.backlog").label == "Fahrplan"
    assert nav.group_of("measures.edit").label == "Maßnahmen"  # a measure's pages: Maßnahmen
    assert nav.group_of("verstetigung.progress.page").label == "Maßnahmen"
    assert nav.group_of("verstetigung.versions.comparison").label == "Verstetigung"
    assert nav.group_of("review.meeting").label == "Verstetigung"
    assert nav.group_of("maturity.assessment").label == "Reifegrad"
    assert nav.group_of("strategies.edit").label == "Überblick"
    assert nav.group_of("lagebild.start") is None


def test_the_lists_cannot_be_appended_to():
    assert isinstance(nav.STRATEGY_GROUPS, tuple) and isinstance(nav.MEASURE_DOWNLOADS, tuple)
    assert all(isinstance(g.pages, tuple) for g in nav.STRATEGY_GROUPS)
    assert all(isinstance(s.links, tuple) for s in nav.STRATEGY_DOWNLOADS)
    assert not hasattr(nav, "STRATEGY_SECTIONS")


# --- one name per action ---------------------------------------------------------------------

# the name used everywhere → names that must not come back (templates, code, guide, README)
ONE_NAME = {
    "Stand erfassen": ["Stand melden", "Status erfassen", "Fortschritt erfassen", "Status melden"],
    "Stand speichern": ["Fortschritt speichern"],
    "Stand und Evaluation": ["Fortschritt und Evaluation", "Fortschritt & Evaluation", "Stand & Evaluation"],
    "Fortschreibung erstellen": ["Fortschreibung anlegen"],
    "Neue Maßnahme": ["Maßnahme anlegen</a>"],
    "Termine anpassen": ["Termine ändern", "Zeitplan anpassen"],
}


def _texts():
    for pattern in ("templates/**/*.html", "planner/**/*.py", "docs/handbuch.md", "README.md"):
        for path in ROOT.glob(pattern):
            yield path, path.read_text(encoding="utf-8")


def test_each_action_has_one_name_everywhere():
    found = []
    for path, text in _texts():
        for name, others in ONE_NAME.items():
            for other in others:
                if other in text:
                    found.append(f"{path.relative_to(ROOT)}: „{other}“ (heißt „{name}“)")
    assert found == []


def test_the_name_check_finds_an_alternative(tmp_path):
    text = '<a href="/x">Stand melden</a>'
    assert [o for others in ONE_NAME.values() for o in others if o in text] == ["Stand melden"]


# --- German time -----------------------------------------------------------------------------


def test_timestamps_are_shown_in_berlin_through_one_filter():
    # 23:30 UTC on 30.11. is already 01.12. in Berlin: the day of a stored timestamp is Berlin's
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert german.german_date(late) == "01.12.2026"
    assert german.german_date(datetime(2026, 11, 30, 23, 30)) == "01.12.2026"  # naive = UTC
    assert german.timestamp(late) == "01.12.2026 00:30"
    assert german.german_date(date(2026, 11, 30)) == "30.11.2026"  # a date stays as it is
    assert isinstance(german.berlin_today(), date)
    # no template formats a time itself (strftime gives UTC): they use the `berlin` filter
    offenders = [
        str(p.relative_to(ROOT))
        for p in ROOT.glob("templates/**/*.html")
        if re.search(r"strftime\([^)]*%H", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    code = [
        str(p.relative_to(ROOT))
        for p in ROOT.glob("planner/**/*.py")
        if p.name != "german.py" and re.search(r"%H:%M|date\.today\(\)", p.read_text(encoding="utf-8"))
    ]
    assert code == []


# --- domain: plan period and the fitting action -----------------------------------------------


def _measure(**kw) -> Measure:
    base = dict(key="m", title="M", dimension="IT-Bereitstellung", status=Status.IN_UMSETZUNG)
    return Measure(**(base | kw))


def test_the_plan_period_has_ended_after_its_last_month():
    assert period_ended(Month(2024, 12), date(2026, 12, 7)) == Month(2024, 12)
    assert period_ended(Month(2024, 12), date(2024, 12, 31)) is None
    assert period_ended(None, date(2026, 12, 7)) is None


def test_a_status_recorded_after_the_end_asks_for_new_dates():
    m = _measure(start=Month(2023, 1), end=Month(2024, 6), actual_start=Month(2023, 2))
    now = Month(2026, 12)
    recorded = [StatusChange(date(2026, 12, 7), Status.IN_UMSETZUNG, "A")]
    before_end = [StatusChange(date(2024, 5, 2), Status.IN_UMSETZUNG, "A")]
    assert status_recorded_after_end(m, recorded, now)
    assert not status_recorded_after_end(m, before_end, now)  # recorded before the end passed
    assert not status_recorded_after_end(m, [], now)
    running = _measure(start=Month(2023, 1), end=Month(2027, 6))
    assert not status_recorded_after_end(running, recorded, now)  # the end has not passed

    other = _measure(key="n", title="N", start=Month(2023, 1), end=Month(2024, 6))
    strategy = TrackedStrategy(
        organisation="GA", title="S", measures=[m, other], window_end=Month(2024, 12), status_history={"m": recorded}
    )
    items = action_items(strategy, date(2026, 12, 7))
    assert [i.measure.key for i in items.to_reschedule] == ["m"]
    assert [i.measure.key for i in items.to_update] == ["n"]
    assert items.period_ended == Month(2024, 12)


# --- pages ------------------------------------------------------------------------------------


def _nav(text: str) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]]]:
    doc = lxml_html.fromstring(text)
    groups = [
        (" ".join(a.text_content().split()), a.get("aria-current"))
        for a in doc.xpath("//nav[@aria-label='Bereiche der Strategie']//a")
    ]
    pages = [
        (" ".join(a.text_content().split()), a.get("aria-current"))
        for a in doc.xpath("//nav[starts-with(@aria-label, 'Seiten im Bereich')]//a")
    ]
    return groups, pages


@pytest.mark.db
def test_the_navigation_marks_the_group_and_the_page(app, client, steinfurt_id):
    base = f"/strategien/{steinfurt_id}"
    groups, pages = _nav(client.get(base).text)
    assert [g for g, _ in groups] == ["Überblick", "Maßnahmen", "Fahrplan", "Reifegrad", "Verstetigung", "Ausgaben"]
    assert dict(groups)["Überblick"] == "page" and pages == []
    groups, pages = _nav(client.get(f"{base}/fahrplan").text)
    assert dict(groups)["Fahrplan"] == "page" and dict(groups)["Überblick"] is None
    assert pages[0] == ("Fahrplan", "page") and [p for p, _ in pages][1:] == [
        "Backlog",
        "Bewertung",
        "Abhängigkeiten",
        "Planungsvorschlag",
    ]
    groups, pages = _nav(client.get(f"{base}/backlog").text)
    assert dict(groups)["Fahrplan"] == "true" and dict(pages)["Backlog"] == "page"
    groups, pages = _nav(client.get(f"{base}/massnahmen/inventur-hardware").text)
    assert dict(groups)["Maßnahmen"] == "true"
    groups, pages = _nav(client.get(f"{base}/vergleich").text)
    assert dict(groups)["Verstetigung"] == "true"
    (verstetigung,) = [g for g in nav.STRATEGY_GROUPS if g.label == "Verstetigung"]
    assert [p for p, _ in pages] == [link.label for link in verstetigung.pages if link.endpoint in app.view_functions]
    assert {"Evaluationen", "Strategiereview", "Versionen", "Wissensdatenbank"} <= {p for p, _ in pages}
    groups, pages = _nav(client.get(f"{base}/reifegrad/ziele").text)
    assert dict(groups)["Reifegrad"] == "true" and dict(pages)["Ziele"] == "page"
    # each page of the list keeps its address and answers
    for group in nav.STRATEGY_GROUPS:
        for link in group.pages:
            with app.test_request_context():
                url = url_for(link.endpoint, strategy_id=steinfurt_id)
            assert client.get(url).status_code == 200, url


@pytest.mark.db
def test_the_ausgaben_page_lists_every_file(app, client, steinfurt_id):
    base = f"/strategien/{steinfurt_id}"
    page = client.get(f"{base}/ausgaben")
    assert page.status_code == 200
    doc = lxml_html.fromstring(page.text)
    assert doc.xpath("//h2/text()") == ["PDF", "Word", "Excel", "MS Project", "Kalender", "Strategiedatei"]
    links = doc.xpath("//main//ul[@class='downloads']//a/@href")
    assert f"{base}/fahrplan.pdf" in links and f"{base}/steckbriefe.docx" in links
    assert f"{base}/massnahmenliste.xlsx" in links and f"{base}/fahrplan.xml" in links
    assert f"{base}/evaluationen.ics" in links and f"{base}/export.yaml" in links
    for url in (
        f"{base}/massnahmenliste.xlsx",
        f"{base}/fahrplan.xml",
        f"{base}/evaluationen.ics",
        f"{base}/export.yaml",
    ):
        assert client.get(url).status_code == 200, url
    # the strategy page itself shows one way to the files, not a row of download buttons
    detail = lxml_html.fromstring(client.get(base).text)
    assert len(detail.xpath("//div[@class='page-head']//p[@class='actions']/a")) == 3
    assert client.get("/strategien/99999/ausgaben").status_code == 404


@pytest.mark.db
def test_steinfurt_on_07_12_2026_says_its_plan_period_has_ended(app, client, steinfurt_id):
    app.config["TODAY"] = "2026-12-07"
    for url in (f"/strategien/{steinfurt_id}", "/"):
        doc = lxml_html.fromstring(client.get(url).text)
        (notice,) = [p for p in doc.xpath("//p[@class='notice']") if "Planungszeitraum" in p.text_content()]
        assert "Planungszeitraum seit 12/2024 abgelaufen" in notice.text_content()
        assert notice.xpath(".//a/@href") == [f"/strategien/{steinfurt_id}/strategiereviews"]
    app.config["TODAY"] = "2024-12-15"
    assert "Planungszeitraum seit" not in client.get(f"/strategien/{steinfurt_id}").text


def _hb_rows(text: str, sid: int, part: str) -> dict[str, list[str]]:
    """Measure title → the action links' texts in one table of the Handlungsbedarf section."""
    doc = lxml_html.fromstring(text)
    heading = doc.xpath(f"//h3[@id='hb-{sid}-{part}']")
    if not heading:
        return {}
    table = heading[0].xpath("following-sibling::div[1]//table")[0]
    return {
        " ".join(r.xpath("./th")[0].text_content().split()): [
            (" ".join(a.text_content().split()), a.get("href")) for a in r.xpath("./td[last()]//a")
        ]
        for r in table.xpath(".//tbody/tr")
    }


@pytest.mark.db
def test_the_start_page_offers_new_dates_once_the_status_is_recorded(app, client, steinfurt_id):
    app.config["TODAY"] = "2026-12-07"
    base = f"/strategien/{steinfurt_id}"
    before = client.get("/").text
    status = _hb_rows(before, steinfurt_id, "massnahmen")
    assert status["Inventur Hardware"][0][0].startswith("Stand erfassen")
    assert "Inventur Hardware" not in _hb_rows(before, steinfurt_id, "termine")
    recorded = client.post(
        f"{base}/massnahmen/inventur-hardware/fortschritt",
        data={"status": "in_umsetzung", "actual_start": "11/2022", "changed_on": "07.12.2026", "by": "A. Feldhues"},
    )
    assert recorded.status_code == 302
    after = client.get("/").text
    assert "Inventur Hardware" not in _hb_rows(after, steinfurt_id, "massnahmen")
    (action,) = _hb_rows(after, steinfurt_id, "termine")["Inventur Hardware"]
    assert action[0].startswith("Termine anpassen")
    assert action[1] == f"{base}/massnahmen/inventur-hardware/bearbeiten"
    assert client.get(action[1]).status_code == 200
    # another measure whose status nobody recorded keeps the status action
    assert all(
        a[0].startswith("Stand erfassen")
        for links in _hb_rows(after, steinfurt_id, "massnahmen").values()
        for a in links
    )


@pytest.mark.db
def test_my_measures_offer_new_dates_once_the_status_is_recorded(app, client, client_as, make_user, steinfurt_id):
    app.config["TODAY"] = "2026-12-07"
    with app.app_context():
        org = db.session.scalar(sa.select(models.Strategy.organisation_id).where(models.Strategy.id == steinfurt_id))
    user = make_user("feldhues", roles={org: "bearbeiten"}, display_name="A. Feldhues")
    with app.app_context():
        person = db.session.scalar(sa.select(models.Person).where(models.Person.name == "Annika Feldhues"))
        person.user_id = user
        db.session.commit()
    me = client_as(user_id=user)

    def mine() -> dict[str, list[str]]:
        doc = lxml_html.fromstring(me.get("/").text)
        return {
            " ".join(r.xpath("./th")[0].text_content().split()): [a.get("href") for a in r.xpath("./td[last()]//a")]
            for r in doc.xpath("//section[@aria-labelledby='meine-h']//tbody/tr")
        }

    base = f"/strategien/{steinfurt_id}/massnahmen/schulungskonzept"
    assert mine()["Entwicklung eines Schulungskonzepts"] == [f"{base}/verstetigung"]  # Stand erfassen
    recorded = me.post(
        f"{base}/fortschritt",
        data={"status": "in_umsetzung", "actual_start": "02/2023", "changed_on": "07.12.2026", "by": "A. Feldhues"},
    )
    assert recorded.status_code == 302
    assert mine()["Entwicklung eines Schulungskonzepts"] == [f"{base}/bearbeiten"]  # Termine anpassen


@pytest.mark.db
def test_the_users_page_shows_the_last_login_in_german_time(app, client):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "admin"))
        user.last_login_at = datetime(2026, 11, 30, 23, 30)  # stored in UTC
        db.session.commit()
    text = client.get("/verwaltung/benutzer").text
    assert "01.12.2026 00:30" in text and "30.11.2026 23:30" not in text
