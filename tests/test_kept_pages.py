"""Whole read-only pages kept per reader while nothing changes (web/kept_pages.py): a warm page
costs the login check and one statement on the audit trail; each reader gets their own page,
CSRF token and session time; a flashed message or a restored form is never kept."""

from __future__ import annotations

import json
import re
import time

import pytest
import sqlalchemy as sa

from planner import models
from planner.extensions import db
from planner.models.session import KeptForm
from planner.web.placeholders import csrf_placeholder, timer_placeholder

pytestmark = pytest.mark.db

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
REMAINING = re.compile(r'data-remaining-seconds="(\d+)"')


def _org(app, sid: int) -> int:
    with app.app_context():
        return db.session.get(models.Strategy, sid).organisation_id


def _counting(app) -> list[str]:
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    return statements


def test_a_kept_page_costs_the_user_and_one_statement_on_the_trail(app, client_as, sample_id):
    reader = client_as(roles={_org(app, sample_id): "lesen"})
    page = f"/strategien/{sample_id}/massnahmen/chatbot"
    first = reader.get(page).text
    statements = _counting(app)
    second = reader.get(page).text
    assert len(statements) == 2 and "FROM users" in statements[0] and "audit_entries" in statements[1]
    # the same page; only the session's remaining seconds may have ticked on between the two requests
    assert REMAINING.sub("", second) == REMAINING.sub("", first)
    with app.test_request_context():
        markers = (csrf_placeholder(), timer_placeholder())
    assert not any(marker in text for marker in markers for text in (first, second))


def test_no_user_text_can_hold_a_placeholder(app, client_as, sample_id):
    """A measure titled with what a placeholder used to be (a fixed text) shows that text, to every
    reader, never a reader's CSRF token: the markers derive from the secret key (web/placeholders.py)."""
    app.config["WTF_CSRF_ENABLED"] = True
    title = "Titel planner-csrf-placeholder-7f3c und planner-remaining-seconds-5d1e"
    with app.app_context():
        measure = db.session.scalar(
            sa.select(models.Measure).where(models.Measure.strategy_id == sample_id, models.Measure.key == "chatbot")
        )
        measure.title = title
        db.session.commit()
    org = _org(app, sample_id)
    page = f"/strategien/{sample_id}/massnahmen/chatbot"
    for reader in (client_as(roles={org: "lesen"}), client_as(roles={org: "lesen"})):
        for _ in range(2):  # rendered, then kept
            text = reader.get(page).text
            assert title in text  # with a fixed marker, the title carried this reader's token instead
    with app.test_request_context():
        assert csrf_placeholder() != "planner-csrf-placeholder-7f3c"
        app.config["SECRET_KEY"] = "ein-anderes-geheimnis"
        other = csrf_placeholder()
    with app.test_request_context():
        app.config["SECRET_KEY"] = "test"
        assert csrf_placeholder() != other


def test_each_reader_gets_their_own_page_token_and_session_time(app, client_as, make_user, sample_id):
    app.config["WTF_CSRF_ENABLED"] = True
    org = _org(app, sample_id)
    first = client_as(user_id=make_user("erste", roles={org: "bearbeiten"}, display_name="Erste Person"))
    second = client_as(user_id=make_user("zweite", roles={org: "bearbeiten"}, display_name="Zweite Person"))
    with second.session_transaction() as session:
        session["seen"] = time.time() - 25  # idle for 25 s (the activity is refreshed after 30 s)
    page = f"/strategien/{sample_id}/massnahmen/chatbot"
    first.get(page)
    a, b = first.get(page).text, second.get(page).text
    b_again = second.get(page).text
    assert "Erste Person" in a and "Erste Person" not in b and "Zweite Person" in b
    assert TOKEN.search(a).group(1) != TOKEN.search(b).group(1)
    assert int(REMAINING.search(a).group(1)) >= 3595 and 3560 < int(REMAINING.search(b).group(1)) <= 3575
    # the kept page's token is the reader's own: a save with it goes through
    url = f"{page}/abhaengigkeiten"
    token = TOKEN.search(b_again).group(1)
    assert second.post(url, data={"csrf_token": token, "dep-prerequisite": "schulungen"}).status_code == 302
    assert "Nichttechnische und technische Schulungen" in first.get(page).text  # the change shows at once


def test_a_flashed_message_is_shown_once(app, client_as, sample_id):
    reader = client_as(roles={_org(app, sample_id): "lesen"})
    page = f"/strategien/{sample_id}"
    reader.get(page)
    with reader.session_transaction() as session:
        session["_flashes"] = [("success", "Gespeichert wie gewünscht.")]
    assert "Gespeichert wie gewünscht." in reader.get(page).text
    assert "Gespeichert wie gewünscht." not in reader.get(page).text


def test_a_restored_form_is_handed_over_once_and_never_kept(app, client_as, make_user, sample_id):
    user_id = make_user("leserin", roles={_org(app, sample_id): "lesen"})
    reader = client_as(user_id=user_id)
    page = f"/strategien/{sample_id}"
    with app.app_context():
        db.session.add(KeptForm(token="t" * 20, user_id=user_id, path=page, data=json.dumps([["title", "Entwurf"]])))
        db.session.commit()
    restored = f"{page}?wiederherstellen={'t' * 20}"
    assert "data-kept" in reader.get(restored).text
    assert "data-kept" not in reader.get(restored).text
    assert "data-kept" not in reader.get(page).text


def test_a_missing_strategy_is_not_kept(app, client_as, sample_id):
    reader = client_as(roles={_org(app, sample_id): "lesen"})
    assert reader.get("/strategien/9999").status_code == 404
    assert reader.get("/strategien/9999").status_code == 404
