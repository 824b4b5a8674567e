"""Calendar subscription: a per-user ICS feed address with its own revocable token."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from auth_support import login
from conftest import DATA, STEINFURT, import_file
from icalendar import Calendar

from planner.extensions import db
from planner.models.token import UserToken

pytestmark = pytest.mark.db


def _org(app, sid: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.text("select organisation_id from strategies where id = :i"), {"i": sid})


def test_feed_shows_the_open_evaluations_of_every_visible_strategy(app, make_user, anonymous_client, tmp_path):
    app.config["TODAY"] = "2026-11-30"
    steinfurt = import_file(app, STEINFURT)
    other = tmp_path / "b.yaml"
    other.write_text((DATA / "sample.yaml").read_text("utf-8").replace("Gesundheitsamt Musterstadt", "Amt B"), "utf-8")
    b_sid = import_file(app, other)
    user = make_user("kalender", roles={_org(app, steinfurt): "lesen"})
    member = login(app.test_client(), user)

    page = member.post("/profil/zugaenge/kalender", data={"kal-name": "Outlook im Büro"})
    assert page.status_code == 201
    url = re.search(r"http://localhost(/kalender/plcal_[\w-]+\.ics)", page.get_data(as_text=True)).group(1)
    assert url not in member.get("/profil/zugaenge").get_data(as_text=True)  # shown once

    feed = anonymous_client.get(url)  # Outlook has no session: the address is the key
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    events = Calendar.from_ical(feed.data).walk("VEVENT")
    summaries = " ".join(str(e["summary"]) for e in events)
    with app.app_context():
        rows = db.session.execute(sa.text("select strategy_id, title from measures")).all()
    a_titles = [t for (s, t) in rows if s == steinfurt]
    b_titles = [t for (s, t) in rows if s == b_sid]
    assert events and "Strategie insgesamt" in summaries  # the biennial strategy review
    assert a_titles  # (measures whose status must be cleared first have no event yet: see the ICS rules)
    assert "Chatbot" not in summaries and b_titles  # B's own measure
    assert all(str(e["uid"]).startswith(f"planner-{steinfurt}-") for e in events)
    # the same as the strategy's own ICS download (one writer)
    single = Calendar.from_ical(member.get(f"/strategien/{steinfurt}/evaluationen.ics").data).walk("VEVENT")
    assert {str(e["uid"]) for e in single} == {str(e["uid"]) for e in events}


def test_feed_token_is_separate_and_revocable(app, client, anonymous_client):
    page = client.post("/profil/zugaenge/kalender", data={"kal-name": "Handy"})
    url = re.search(r"(/kalender/plcal_[\w-]+\.ics)", page.get_data(as_text=True)).group(1)
    secret = url.split("/")[-1][: -len(".ics")]
    assert anonymous_client.get(url).status_code == 200
    # a calendar token does not open the API, and an unknown address is not found
    assert anonymous_client.get("/api/v1/strategien", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert anonymous_client.get("/kalender/plcal_falsch.ics").status_code == 404
    with app.app_context():
        token_id = db.session.scalar(sa.select(UserToken.id).where(UserToken.kind == "kalender"))
    assert client.post(f"/profil/zugaenge/{token_id}/widerrufen").status_code == 302
    assert anonymous_client.get(url).status_code == 404


def test_a_deactivated_users_feed_stops(app, make_user, anonymous_client):
    user = make_user("weg", roles={})
    member = login(app.test_client(), user)
    page = member.post("/profil/zugaenge/kalender", data={"kal-name": "Alt"})
    url = re.search(r"(/kalender/plcal_[\w-]+\.ics)", page.get_data(as_text=True)).group(1)
    assert anonymous_client.get(url).status_code == 200
    with app.app_context():
        db.session.execute(sa.text("update users set active = false where id = :i"), {"i": user})
        db.session.commit()
    assert anonymous_client.get(url).status_code == 404
