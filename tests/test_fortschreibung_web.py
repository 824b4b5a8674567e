"""The Fortschreibung through the web (Flask client), the done-when check of issue 24: Steinfurt on
07.12.2026 — a finalised review, the Fortschreibung with its preview, the new version without an
evaluation the old version had not already owed (at most one per measure), no running measure
re-planned, no conflict; then the Beschluss (with the lost-update check)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from html import unescape

import pytest
from auth_support import form_data
from conftest import domain

from planner.domain.months import Month
from planner.domain.schedule import schedule_conflicts
from planner.domain.strategy import Status
from planner.domain.verstetigung import calendar
from planner.extensions import db
from planner.services import review as reviews
from planner.services import verstetigung as records
from planner.services.strategies import load_strategy_row

pytestmark = pytest.mark.db

REVIEW_DAY = date(2026, 12, 7)


@pytest.fixture
def finalised(app, steinfurt_id):
    """Steinfurt on 07.12.2026: the trainings run since 09/2023; a finalised review (the proposals,
    the whiteboard tool dropped). Returns (strategy id, review id)."""
    app.config["TODAY"] = REVIEW_DAY.isoformat()
    with app.app_context():
        row = load_strategy_row(db.session, steinfurt_id)
        records.record_progress(
            db.session,
            row,
            "schulungen",
            status=Status.IN_UMSETZUNG,
            actual_start=Month(2023, 9),
            actual_end=None,
            on=REVIEW_DAY,
            by="Annika Feldhues",
        )
        review = reviews.prepare(db.session, row, REVIEW_DAY, "Annika Feldhues")
        review.held_on = REVIEW_DAY
        review.participants = "Strategieteam, Amtsleitung"
        for d in review.decisions:
            if d.measure.key == "whiteboard-tool":
                d.decision, d.note = "verwerfen", "ersetzt durch Teams"
        reviews.finalise(db.session, review, "Annika Feldhues")
        db.session.commit()
        return steinfurt_id, review.id


def owed(strategy, day) -> Counter:
    return Counter(d.subject for d in calendar(strategy, day) if d.overdue)


def test_steinfurt_fortschreibung_follows_the_decisions(client, app, finalised):
    sid, review_id = finalised
    before = owed(domain(app, sid), REVIEW_DAY)
    assert before["schulungen"] == 3  # the old version owes three yearly evaluations of the trainings
    url = f"/strategien/{sid}/strategiereviews/{review_id}/fortschreibung"
    data = form_data(client.get(url).get_data(as_text=True))
    assert (data["start"], data["end"]) == ("01/2027", "12/2028")  # the month after the review, two years
    assert data["version"] == "Fortschreibung 01/2027"
    # the preview: every measure with what becomes of it and why, before anything is created
    preview = client.post(url, data=data | {"aktion": "vorschau"})
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    rows = [
        (unescape(t), cells) for t, cells in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", html, re.S)
    ]
    assert sorted(t for t, _ in rows) == sorted(m.title for m in domain(app, sid).measures)  # every measure
    assert all(re.search(r"<td>[^<–]+</td>\s*$", cells) for _, cells in rows)  # each with its reason
    trainings = next(cells for t, cells in rows if t == "Nichttechnische und technische Schulungen")
    assert "in Umsetzung, ab 04/2023, tatsächlich ab 09/2023" in trainings
    assert "läuft seit 09/2023, Beginn bleibt" in trainings
    assert "ersetzt durch Teams" in html and "nicht übernommen: verworfen" in html
    assert "Entfernte Abhängigkeiten" in html and "läuft bereits seit 09/2023" in html
    assert "Die neue Version hat keinen Zeitkonflikt." in html
    with app.app_context():
        assert records.successor_id(db.session, sid) is None  # nothing created yet
    created = client.post(url, data=data | {"aktion": "anlegen"})
    assert created.status_code == 302, created.get_data(as_text=True)
    new_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    new = domain(app, new_id)
    # no running measure re-planned, no conflict
    schulungen = new.measure("schulungen")
    assert (schulungen.status, schulungen.start, schulungen.actual_start) == (
        Status.IN_UMSETZUNG,
        Month(2023, 4),
        Month(2023, 9),
    )
    assert schedule_conflicts(new.measures) == []
    assert new.measure("whiteboard-tool") is None
    # no overdue evaluation the old version had not already owed, at most one per measure
    after = owed(new, REVIEW_DAY)
    assert after and all(n == 1 for n in after.values()), after
    assert set(after) <= set(before), (after, before)
    # the review is the strategy's process evaluation; the impact evaluation counts from 03/2023
    strategy_items = [(d.kind.value, str(d.due), d.state) for d in calendar(new, REVIEW_DAY) if d.subject == "strategy"]
    assert ("prozess", "2026-12", "erledigt") in strategy_items and ("wirkung", "2028-03", "offen") in strategy_items
    # the start page of the new version: a draft, nothing overdue beyond what was owed, no conflict
    start = client.get("/").get_data(as_text=True)
    section = start[start.index(f'id="hb-{new_id}"') :]
    section = section[: section.index("</section>")]
    assert "Zeitkonflikt" not in section
    assert section.count('badge-bad">überfällig<') == sum(after.values())
    page = client.get(f"/strategien/{new_id}").get_data(as_text=True)
    assert "Entwurf – Beschluss ausstehend" in page and "beschlossen" not in page
    assert f'href="/strategien/{new_id}/beschluss"' in page
    calendar_page = client.get(f"/strategien/{new_id}/evaluationen").get_data(as_text=True)
    assert "jährliche Evaluation nachholen (aus der Vorversion)" in calendar_page


def test_beschluss_with_lost_update_check(client, app, finalised):
    sid, review_id = finalised
    url = f"/strategien/{sid}/strategiereviews/{review_id}/fortschreibung"
    data = form_data(client.get(url).get_data(as_text=True))
    created = client.post(url, data=data | {"aktion": "anlegen"})
    new_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    app.config["TODAY"] = "2027-02-18"
    form = client.get(f"/strategien/{new_id}/beschluss")
    assert form.status_code == 200
    data = form_data(form.get_data(as_text=True))
    # bad input: German errors, input kept
    bad = client.post(f"/strategien/{new_id}/beschluss", data=data | {"decided_on": "31.02.2027", "body": "Kreistag"})
    assert bad.status_code == 422
    assert "kein gültiges Datum" in bad.get_data(as_text=True) and 'value="Kreistag"' in bad.get_data(as_text=True)
    future = client.post(f"/strategien/{new_id}/beschluss", data=data | {"decided_on": "01.03.2027", "body": "X"})
    assert future.status_code == 422 and "in der Zukunft" in future.get_data(as_text=True)
    missing = client.post(f"/strategien/{new_id}/beschluss", data=data | {"decided_on": "18.02.2027", "body": ""})
    assert missing.status_code == 422 and "beschließende Gremium" in missing.get_data(as_text=True)
    # someone else changed the strategy after this form was filled: refused, nothing lost
    edit = form_data(client.get(f"/strategien/{new_id}/bearbeiten").get_data(as_text=True))
    assert client.post(f"/strategien/{new_id}/bearbeiten", data=edit | {"vision": "Neu"}).status_code == 302
    stale = client.post(
        f"/strategien/{new_id}/beschluss",
        data=data | {"decided_on": "18.02.2027", "body": "Kreistag", "reference": "Vorlage 2027/017"},
    )
    assert stale.status_code == 422 and 'value="Vorlage 2027/017"' in stale.get_data(as_text=True)
    assert domain(app, new_id).resolution is None
    fresh = form_data(stale.get_data(as_text=True))  # the form now knows what it overwrites
    saved = client.post(f"/strategien/{new_id}/beschluss", data=fresh)
    assert saved.status_code == 302
    page = client.get(f"/strategien/{new_id}").get_data(as_text=True)
    assert "beschlossen 18.02.2027 (Kreistag, Vorlage 2027/017)" in page and "Entwurf" not in page
    new = domain(app, new_id)
    assert str(new.adopted) == "2027-02" and new.resolution.body == "Kreistag"
    # the strategy file carries the Beschluss and the review day of the history
    text = client.get(f"/strategien/{new_id}/export.yaml").get_data(as_text=True)
    assert "resolution:\n  date: '2027-02-18'\n  body: Kreistag\n  reference: Vorlage 2027/017" in text
    assert "reviewed: '2026-12-07'" in text
    # the old, read-only version takes no Beschluss
    assert client.get(f"/strategien/{sid}/beschluss").status_code == 409
    versions = client.get(f"/strategien/{new_id}/versionen").get_data(as_text=True)
    assert "beschlossen 18.02.2027 (Kreistag, Vorlage 2027/017)" in versions
