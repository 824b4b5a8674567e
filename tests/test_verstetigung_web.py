"""Verstetigung pages through the Flask client: every page, the forms' German errors (422, input kept),
read-only old versions, objects of other strategies (404)."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date

import pytest
import sqlalchemy as sa
from auth_support import form_data
from conftest import DATA, STEINFURT, domain, import_file, version_of
from icalendar import Calendar

from planner.domain.verstetigung import calendar
from planner.extensions import db
from planner.models.auth import AuditEntry
from planner.services.strategies import load_strategy_row

pytestmark = pytest.mark.db

TODAY = "2025-03-15"


@pytest.fixture
def sid(app) -> int:
    app.config["TODAY"] = TODAY
    return import_file(app, DATA / "sample.yaml")


def text(response) -> str:
    return response.get_data(as_text=True)


def complete(client, sid, key="konzept", end="05/2024"):
    return client.post(
        f"/strategien/{sid}/massnahmen/{key}/fortschritt",
        data={
            "status": "abgeschlossen",
            "actual_start": "01/2024",
            "actual_end": end,
            "changed_on": "31.05.2024",
            "by": "Annika Feldhues",
            "note": "fertig",
        },
    )


def evaluate(client, sid, key="konzept", **extra):
    data = {
        "kind": "prozess",
        "due": "2024-06",
        "performed": "12.06.2024",
        "by": "Annika Feldhues",
        "done": "ja",
        "schedule_kept": "nein",
        "financial": "ja",
        "staff": "teilweise",
        "material": "ja",
        "cooperation_rating": "4",
        "cooperation_text": "gut abgestimmt",
        "went_well": "Frühe Beteiligung des Personalrats",
        "went_badly": "Schulungsräume zu spät gebucht",
        "outcome": "anpassen",
    } | extra
    return client.post(f"/strategien/{sid}/massnahmen/{key}/evaluation", data=data)


def test_calendar_page_lists_overdue_and_by_owner(client, sid):
    page = text(client.get(f"/strategien/{sid}/evaluationen"))
    # konzept (01–04/2024) and awareness (02–06/2024) are still "geplant" in 03/2025: their
    # evaluations wait for the status, nothing of theirs is overdue
    assert 'Status klären <span class="count">(2 Maßnahmen)</span>' in page
    assert 'Überfällig <span class="count">(0)</span>' in page
    assert "Abschluss überfällig seit 11 Monaten" in page  # konzept: 03/2025 − 04/2024
    assert "Entwicklung eines Schulungskonzepts" in page
    assert "Annika Feldhues" in page and "Strategieteam" in page  # by owner
    # recording the actual end turns the waiting evaluations into dated ones
    assert complete(client, sid).status_code == 302
    page = text(client.get(f"/strategien/{sid}/evaluationen"))
    assert 'Status klären <span class="count">(1 Maßnahme)</span>' in page
    assert 'Überfällig <span class="count">(1)</span>' in page  # process evaluation 06/2024
    assert "06/2024" in page and "abgeschlossen, 1 Monat später" in page


def test_ics_has_one_event_per_open_evaluation(client, sid):
    complete(client, sid)  # konzept ended 05/2024: its evaluations get dates
    response = client.get(f"/strategien/{sid}/evaluationen.ics")
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    events = [e for e in cal.walk("VEVENT")]
    # konzept process 06/2024 + impact 05/2025, schulungen yearly 04/2025, strategy 01/2026 and 01/2029;
    # awareness waits for its status and has no date
    assert len(events) == 5
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert "Überfällig seit 06/2024: Prozessevaluation: Entwicklung eines Schulungskonzepts" in summaries
    assert not any("Awareness" in x for x in summaries)
    first = next(e for e in events if "Schulungskonzepts" in str(e["SUMMARY"]) and "Prozess" in str(e["SUMMARY"]))
    # overdue: shown today (so it is in the current week), its due month named
    assert first.decoded("DTSTART").isoformat() == TODAY
    assert "fällig 06/2024, überfällig seit 06/2024" in str(first["DESCRIPTION"])
    impact = next(e for e in events if "Schulungskonzepts" in str(e["SUMMARY"]) and "Wirkung" in str(e["SUMMARY"]))
    assert impact.decoded("DTSTART").isoformat() == "2025-05-01"


def _events(client, sid) -> dict[str, object]:
    response = client.get(f"/strategien/{sid}/evaluationen.ics")
    return {str(e["UID"]): e for e in Calendar.from_ical(response.data).walk("VEVENT")}


def test_ics_events_keep_their_uid_when_the_date_moves(client, sid):
    """Issue 26, point 9: a calendar that reads the file again replaces the event instead of adding one."""
    complete(client, sid, end="05/2024")
    calendar = _events(client, sid)  # what Outlook holds after the first import
    before = {uid for uid, e in calendar.items() if "Schulungskonzepts" in str(e["SUMMARY"])}
    assert len(before) == 2  # process evaluation after the end, impact evaluation
    assert complete(client, sid, end="04/2024").status_code == 302  # the end moves a month earlier
    again = _events(client, sid)
    calendar.update(again)  # re-import: same UID, same event
    after = {uid: e for uid, e in calendar.items() if "Schulungskonzepts" in str(e["SUMMARY"])}
    assert set(after) == before
    impact = next(e for e in after.values() if "Wirkung" in str(e["SUMMARY"]))
    assert impact.decoded("DTSTART").isoformat() == "2025-04-01"
    assert set(again) == set(calendar)


def test_ics_events_keep_their_uid_after_a_fortschreibung(app, client, sid):
    complete(client, sid)  # konzept done: stays behind, its open evaluations listed by the new version
    before = _events(client, sid)
    ok = fortschreibung(client, sid)
    assert ok.status_code == 302
    after = _events(client, int(ok.headers["Location"].split("/")[2]))
    carried = domain(app, sid).measure("schulungen").title
    old = {u for u, e in before.items() if carried in str(e["SUMMARY"]) or "Schulungskonzepts" in str(e["SUMMARY"])}
    assert old and old <= set(after)


def test_ics_stamp_is_the_last_change_and_every_event_links_to_its_form(app, client, sid):
    complete(client, sid)
    first, second = _events(client, sid), _events(client, sid)
    assert {u: e.decoded("DTSTAMP") for u, e in first.items()} == {u: e.decoded("DTSTAMP") for u, e in second.items()}
    with app.app_context():  # the strategy's last change in the audit trail (the progress just recorded)
        changed = db.session.scalar(
            sa.select(sa.func.max(AuditEntry.at)).where(
                sa.or_(
                    sa.and_(AuditEntry.table_name == "strategies", AuditEntry.object_id == str(sid)),
                    AuditEntry.path.like(f"%|strategies:{sid}|%"),
                )
            )
        )
    assert {e.decoded("DTSTAMP") for e in first.values()} == {changed.replace(microsecond=0, tzinfo=UTC)}
    for event in first.values():
        assert str(event["URL"]).startswith(f"http://localhost/strategien/{sid}/")
    overdue = next(e for e in first.values() if "Überfällig" in str(e["SUMMARY"]))
    assert str(overdue["URL"]) == (
        f"http://localhost/strategien/{sid}/massnahmen/konzept/evaluation?art=prozess&faellig=2024-06"
    )
    assert client.get(str(overdue["URL"]).removeprefix("http://localhost")).status_code == 200
    strategy = next(e for e in first.values() if "Strategie insgesamt" in str(e["SUMMARY"]))
    assert "/evaluation?art=" in str(strategy["URL"])


def test_progress_errors_keep_input_then_status_history(client, app, sid):
    bad = client.post(
        f"/strategien/{sid}/massnahmen/konzept/fortschritt",
        data={
            "status": "abgeschlossen",
            "actual_start": "01/2024",
            "actual_end": "",
            "changed_on": "31.05.2024",
            "by": "Annika Feldhues",
        },
    )
    assert bad.status_code == 422
    assert "bitte das tatsächliche Ende angeben" in text(bad)
    assert 'value="Annika Feldhues"' in text(bad) and 'value="01/2024"' in text(bad)
    future = client.post(
        f"/strategien/{sid}/massnahmen/konzept/fortschritt",
        data={"status": "abgeschlossen", "actual_end": "01/2030", "changed_on": "31.05.2024", "by": "A"},
    )
    assert future.status_code == 422 and "liegt in der Zukunft" in text(future)
    assert complete(client, sid).status_code == 302
    s = domain(app, sid)
    m = s.measure("konzept")
    assert (m.status.value, str(m.actual_end)) == ("abgeschlossen", "2024-05")
    assert [(c.status.value, c.by) for c in s.status_history["konzept"]] == [("abgeschlossen", "Annika Feldhues")]
    page = text(client.get(f"/strategien/{sid}/massnahmen/konzept/verstetigung"))
    assert "nicht eingehalten" in page and "1 Monat später" in page and "31.05.2024" in page


def test_evaluation_form_prefills_schedule_and_keeps_input_on_error(client, app, sid):
    complete(client, sid)
    form = text(client.get(f"/strategien/{sid}/massnahmen/konzept/evaluation?art=prozess&faellig=2024-06"))
    assert '<option selected value="nein">' in form or '<option value="nein" selected>' in form
    bad = evaluate(client, sid, performed="31.02.2024")
    assert bad.status_code == 422
    assert "„31.02.2024“ ist kein gültiges Datum" in text(bad)
    assert "Schulungsräume zu spät gebucht" in text(bad)
    ok = evaluate(client, sid)
    assert ok.status_code == 302
    shown = text(client.get(ok.headers["Location"]))
    assert "Frühe Beteiligung des Personalrats" in shown and "Maßnahme anpassen" in shown and "4 – gut" in shown
    calendar_page = text(client.get(f"/strategien/{sid}/evaluationen"))
    assert 'Erledigt <span class="count">(1)</span>' in calendar_page


def test_impact_evaluation_and_strategy_evaluation(client, app, sid):
    form = text(client.get(f"/strategien/{sid}/massnahmen/konzept/evaluation?art=wirkung"))
    assert "Bürgerbefragung" in form and "Messbare Kriterien" not in form
    ok = client.post(
        f"/strategien/{sid}/massnahmen/konzept/evaluation",
        data={
            "kind": "wirkung",
            "performed": "01.03.2025",
            "by": "Team",
            "citizen_survey": "82 % zufrieden",
            "staff_survey": "Masken übersichtlich",
        },
    )
    assert ok.status_code == 302
    assert "82 % zufrieden" in text(client.get(ok.headers["Location"]))
    strat = client.post(
        f"/strategien/{sid}/evaluation",
        data={"kind": "wirkung", "performed": "01.03.2025", "by": "Team", "notes": "Vision näher"},
    )
    assert strat.status_code == 302
    assert [r.subject for r in domain(app, sid).evaluations] == ["konzept", "strategy"]


def test_indicators_chart_and_number_errors(client, app, sid):
    base = f"/strategien/{sid}/massnahmen/konzept"
    bad = client.post(f"{base}/indikatoren", data={"name": "Schulungen je Mitarbeitendem", "baseline": "viel"})
    assert bad.status_code == 422 and "„viel“ ist keine Zahl" in text(bad)
    assert (
        client.post(
            f"{base}/indikatoren",
            data={"name": "Schulungen je Mitarbeitendem", "unit": "Anzahl", "baseline": "0,5", "target": "2"},
        ).status_code
        == 302
    )
    ind = domain(app, sid).indicators["konzept"][0]
    assert (ind.baseline, ind.target) == (0.5, 2.0)
    with app.app_context():
        from planner.models.verstetigung import Indicator

        ind_id = db.session.scalar(db.session.query(Indicator.id).statement)
    prefix = f"wert-{ind_id}"
    bad_value = client.post(
        f"{base}/indikatoren/{ind_id}/werte", data={f"{prefix}-measured": "2025-13-01", f"{prefix}-value": "1,2"}
    )
    assert bad_value.status_code == 422 and "kein gültiges Datum" in text(bad_value)
    for when, value in (("30.06.2024", "0,9"), ("28.02.2025", "1,4")):
        assert (
            client.post(
                f"{base}/indikatoren/{ind_id}/werte", data={f"{prefix}-measured": when, f"{prefix}-value": value}
            ).status_code
            == 302
        )
    assert [v.value for v in domain(app, sid).indicators["konzept"][0].values] == [0.9, 1.4]
    svg = client.get(f"{base}/indikatoren/{ind_id}.svg")
    assert svg.mimetype == "image/svg+xml" and b'role="img"' in svg.data
    assert "Zielwert 2" in svg.get_data(as_text=True) and "28.02.2025 1,4" in svg.get_data(as_text=True)
    assert client.get(f"{base}/indikatoren/{ind_id}.png").data[:4] == b"\x89PNG"
    # the indicator belongs to konzept, not to awareness
    assert client.get(f"/strategien/{sid}/massnahmen/awareness/indikatoren/{ind_id}.svg").status_code == 404


def test_knowledge_base_search_and_filters(client, app, sid):
    complete(client, sid)
    evaluate(client, sid)
    evaluate(
        client,
        sid,
        key="awareness",
        went_well="Phishing-Test gut angenommen",
        went_badly="",
        outcome="fortfuehren",
        due="",
    )
    url = f"/strategien/{sid}/wissensdatenbank"
    assert "2 Treffer" in text(client.get(url))
    assert "1 Treffer" in text(client.get(url, query_string={"q": "personalrat"}))
    only_security = text(client.get(url, query_string={"dimension": "IT-Sicherheit"}))
    assert "1 Treffer" in only_security and "Phishing-Test" in only_security
    assert "Phishing" not in text(client.get(url, query_string={"outcome": "anpassen"}))
    assert "0 Treffer" in text(client.get(url, query_string={"q": "gibtsnicht"}))


def prepare_review(client, sid) -> str:
    """Prepare the strategy review; the URL of its page."""
    r = client.post(f"/strategien/{sid}/strategiereviews/vorbereiten")
    assert r.status_code == 302, text(r)
    return r.headers["Location"]


def test_review_pack_page_decisions_and_pdf(client, app, sid, tmp_path):
    complete(client, sid)
    evaluate(client, sid)
    url = prepare_review(client, sid)
    page = text(client.get(url))
    page = re.sub(r'<span lang="en">([^<]*)</span>', r"\1", page)  # "Lessons Learned" is marked as English
    for heading in (
        "Die zwei Kernfragen",
        "Vision und Mission",
        "Umsetzungsstand je Dimension",
        "Reifegradfortschritt",
        "Maßnahmen-Backlog",
        "Nicht abgeschlossene Maßnahmen",
        "Lessons Learned seit dem letzten Review",
        "Überfällige Evaluationen",
        "Entscheidungen je Maßnahme",
    ):
        assert heading in page, heading
    assert "Schulungsräume zu spät gebucht" in page and "Bisher kein abgeschlossenes Strategiereview." in page
    # the prepared review's PDF: the pack and the paper decision sheet with the meeting's five decisions
    pdf = client.get(url + ".pdf")
    assert pdf.data[:5] == b"%PDF-"
    path = tmp_path / "review.pdf"
    path.write_bytes(pdf.data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Entscheidungsbogen für die Sitzung" in out and "Entwicklung eines Awareness" in out
    sheet = " ".join(out[out.index("Entscheidungsbogen") :].split())
    for decision in ("abge", "behalten", "anpassen", "verwer", "in den"):
        assert decision in sheet, decision
    data = form_data(text(client.get(url))) | {
        "held_on": "10.03.2025",
        "participants": "Lenkungskreis",
        "minutes": "Chatbot streichen",
        "aktion": "abschliessen",
    }
    confirm = client.post(url, data=data).headers["Location"]
    assert client.post(confirm, data=form_data(text(client.get(confirm)))).status_code == 302
    # the finalised review's PDF has its decisions and no empty sheet
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=client.get(url + ".pdf").data, capture_output=True, check=True
    ).stdout.decode()
    assert "Teilnehmende: Lenkungskreis" in out and "Entscheidungsbogen" not in out
    # the next review's pack names it as the last one
    page = re.sub(r'<span lang="en">([^<]*)</span>', r"\1", text(client.get(prepare_review(client, sid))))
    assert "Letztes abgeschlossenes Strategiereview: 10.03.2025; Teilnehmende: Lenkungskreis." in page
    assert "Keine neuen Lessons Learned." in page  # lessons since the last review only


def test_backlog_deferred_twice_is_flagged(client, app, sid):
    with app.app_context():
        row = load_strategy_row(db.session, sid)
        next(m for m in row.measures if m.key == "chatbot").deferrals = 2
        db.session.commit()
    page = text(client.get(prepare_review(client, sid)))
    assert "2-mal" in page and "noch relevant?" in page


def fortschreibung(client, sid, **extra):
    data = {
        "version": "2026",
        "adopted": "04/2025",
        "vision": "Neue Vision",
        "mission": "Mission bleibt",
        "by": "Strategieteam",
        "d_0": "behalten",
        "d_1": "anpassen",
        "n_1": "Termin verschieben",
        "d_2": "behalten",
    } | extra
    return client.post(f"/strategien/{sid}/fortschreibung", data=data)


def test_fortschreibung_carries_over_and_makes_the_old_version_read_only(client, app, sid):
    complete(client, sid)  # konzept done: stays behind
    evaluate(client, sid)
    form = text(client.get(f"/strategien/{sid}/fortschreibung"))
    # schulungen (fortlaufend), awareness (geplant), chatbot (backlog) must be decided
    assert form.count("Entscheidung zu") == 3 and "Neue Vision" not in form
    # an evaluation's outcome suggests the decision
    evaluate(client, sid, key="awareness", outcome="verwerfen", due="")
    form = text(client.get(f"/strategien/{sid}/fortschreibung"))
    assert "empfiehlt: <strong>verwerfen</strong>" in form
    assert '<option selected value="verwerfen">' in form or '<option value="verwerfen" selected>' in form
    missing = fortschreibung(client, sid, d_2="")
    assert missing.status_code == 422 and "Bitte eine Entscheidung wählen." in text(missing)
    assert 'value="Strategieteam"' in text(missing)
    same = fortschreibung(client, sid, version="2024")
    assert same.status_code == 422 and "andere Bezeichnung" in text(same)
    ok = fortschreibung(client, sid)
    assert ok.status_code == 302
    new_id = int(ok.headers["Location"].split("/")[2])
    new = domain(app, new_id)
    # konzept is done; its impact evaluation is pending, so it is carried as finished
    assert [m.key for m in new.measures] == ["konzept", "schulungen", "awareness", "chatbot"]
    assert new.measure("konzept").status.value == "abgeschlossen"
    assert new.measure("chatbot").deferrals == 1
    assert new.vision == "Neue Vision" and new.version == "2026" and str(new.window_start) == "2025-04"
    assert new.adopted is None  # a draft until its Beschluss
    assert new.measure("awareness").depends_on == []  # its prerequisite konzept is done
    assert [(d.measure, d.decision.value) for d in new.history[0].decisions] == [
        ("konzept", "abgeschlossen"),
        ("schulungen", "behalten"),
        ("awareness", "anpassen"),
        ("chatbot", "behalten"),
    ]
    old = domain(app, sid)
    assert old.measure("konzept").status.value == "abgeschlossen" and len(old.evaluations) == 2
    # the old version is read only, with a German message instead of an error page
    refused = complete(client, sid, key="awareness")
    assert refused.status_code == 409 and "schreibgeschützt" in text(refused) and "2026" in text(refused)
    edit = client.post(f"/strategien/{sid}/massnahmen/awareness/bearbeiten", data={"title": "x"})
    assert edit.status_code == 409
    assert client.post(f"/strategien/{sid}/strategiereviews/vorbereiten").status_code == 409
    assert fortschreibung(client, sid, version="2027").status_code == 409
    # the new version's calendar still shows the finished measure's open evaluations
    cal = text(client.get(f"/strategien/{new_id}/evaluationen"))
    assert "Entwicklung eines Schulungskonzepts" in cal
    ics = Calendar.from_ical(client.get(f"/strategien/{new_id}/evaluationen.ics").data)
    assert any("Schulungskonzepts" in str(e["SUMMARY"]) for e in ics.walk("VEVENT"))
    # the old, read-only version lists none: its open items live in its successor
    old_cal = text(client.get(f"/strategien/{sid}/evaluationen"))
    assert "Evaluationskalender der neuen Version „2026“" in old_cal
    assert "Überfällig <span" not in old_cal and "Status klären <span" not in old_cal
    assert not Calendar.from_ical(client.get(f"/strategien/{sid}/evaluationen.ics").data).walk("VEVENT")
    # a finished measure's impact evaluation is recorded in the new version, where it was carried
    late = client.post(
        f"/strategien/{new_id}/massnahmen/konzept/evaluation",
        data={"kind": "wirkung", "performed": "01.03.2025", "by": "Team"},
    )
    assert late.status_code == 302
    assert not [d for d in calendar(domain(app, new_id), date(2025, 3, 15)) if d.subject == "konzept" and not d.done]
    # versions page and comparison
    versions = text(client.get(f"/strategien/{new_id}/versionen"))
    assert "schreibgeschützt" in versions and "Termin verschieben" in versions
    diff = text(client.get(ok.headers["Location"]))
    assert "Entwicklung eines Schulungskonzepts</a> – abgeschlossen" not in diff  # carried, not dropped
    assert "Vision-Statement" in diff and "Neue Vision" in diff
    assert "Zurückgestellt (Anzahl)" in diff  # chatbot 0 -> 1
    assert "Abhängig von" in diff  # awareness lost its done prerequisite
    back = text(client.get(f"/strategien/{sid}/vergleich", query_string={"mit": new_id}))
    assert "2024 → 2026" in back


def test_objects_of_other_strategies_are_404(client, app, sid):
    other = import_file(app, DATA / "sample.yaml")
    complete(client, sid)
    ok = evaluate(client, sid)
    ev_id = int(ok.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"/strategien/{other}/evaluationen/{ev_id}").status_code == 404
    assert client.get(f"/strategien/{sid}/massnahmen/gibtsnicht/verstetigung").status_code == 404
    assert client.post(f"/strategien/{sid}/massnahmen/gibtsnicht/evaluation", data={}).status_code == 404
    assert client.get(f"/strategien/{sid}/vergleich", query_string={"mit": other}).status_code == 404
    assert client.get("/strategien/999/evaluationen").status_code == 404


def test_reader_may_not_record(app, sid, client_as):
    reader = client_as(roles={1: "lesen"})
    assert reader.get(f"/strategien/{sid}/evaluationen").status_code == 200
    assert complete(reader, sid).status_code == 404
    assert evaluate(reader, sid).status_code == 404


def test_steinfurt_calendar_keeps_status_klaeren_apart_from_overdue(client, app):
    app.config["TODAY"] = "2026-11-25"
    sid = import_file(app, STEINFURT)
    page = text(client.get(f"/strategien/{sid}/evaluationen"))
    # only the first biennial strategy review (adopted 03/2023, due 03/2025) is really overdue;
    # 17 measures past their planned end, Schulungen (never begun) and the AGORA registration
    # (finished, no end) wait for their status
    assert 'Überfällig <span class="count">(1)</span>' in page
    assert 'Status klären <span class="count">(19 Maßnahmen)</span>' in page
    assert "Abschluss überfällig seit 43 Monaten" in page
    assert "(tatsächliches Ende fehlt)" in page


def test_review_pack_shows_maturity_progress(client, app):
    app.config["TODAY"] = TODAY
    from conftest import ROOT

    sid = import_file(app, ROOT / "strategies" / "peine-2024.yaml")
    page = text(client.get(prepare_review(client, sid)))
    assert "Dimensionsstufen 09.06.2022 und 07.11.2024" in page
    assert "+3" in page  # IT-Bereitstellung: – to 2


def test_status_changed_in_the_measure_form_goes_into_the_history(client, app, sid):
    form = {
        "title": "Entwicklung eines Awareness-Konzepts",
        "dimension": "IT-Sicherheit",
        "status": "in_umsetzung",
        "urgency": "hoch",
        "feasibility": "hoch",
        "start": "02/2024",
        "end": "06/2024",
        "owners": "IT-Sicherheitsbeauftragte (Lead)",
        "depends_on": ["konzept"],
    }
    url = f"/strategien/{sid}/massnahmen/awareness/bearbeiten"
    assert client.post(url, data=form | {"lock_version": version_of(client, url)}).status_code == 302
    history = domain(app, sid).status_history["awareness"]
    assert [(c.status.value, c.by) for c in history] == [("in_umsetzung", "admin")]
    # an edit without a status change adds nothing; recording progress adds exactly one entry
    form["goal"] = "Sensibilisierung"
    assert client.post(url, data=form | {"lock_version": version_of(client, url)}).status_code == 302
    complete(client, sid, key="awareness", end="06/2024")
    # editing the measure in its form keeps the actual months recorded here
    form |= {"status": "abgeschlossen", "lock_version": version_of(client, url)}
    assert client.post(url, data=form).status_code == 302
    assert str(domain(app, sid).measure("awareness").actual_end) == "2024-06"
    entries = domain(app, sid).status_history["awareness"]  # ordered by date: the progress form's 31.05.2024 first
    assert sorted((c.status.value, c.by) for c in entries) == [
        ("abgeschlossen", "Annika Feldhues"),
        ("in_umsetzung", "admin"),
    ]


def test_knowledge_base_shows_only_visible_organisations(client, app, sid, client_as, tmp_path):
    other_file = tmp_path / "andere.yaml"
    other_file.write_text(
        (DATA / "sample.yaml")
        .read_text(encoding="utf-8")
        .replace("Gesundheitsamt Musterstadt", "Gesundheitsamt Anderswo"),
        encoding="utf-8",
    )
    other = import_file(app, other_file)
    evaluate(client, sid, due="")
    evaluate(client, other, went_well="Geheimer Erfolg in Anderswo", due="")
    assert "2 Treffer" in text(client.get(f"/strategien/{sid}/wissensdatenbank"))  # the administrator sees both
    with app.app_context():
        org = load_strategy_row(db.session, sid).organisation_id
    reader = client_as(roles={org: "lesen"})
    page = text(reader.get(f"/strategien/{sid}/wissensdatenbank"))
    assert "1 Treffer" in page and "Anderswo" not in page
    assert reader.get(f"/strategien/{other}/wissensdatenbank").status_code == 404


def test_deleting_a_measure_deletes_its_records(client, app, sid):
    complete(client, sid)
    evaluate(client, sid)
    client.post(f"/strategien/{sid}/massnahmen/konzept/indikatoren", data={"name": "Quote", "target": "1"})
    assert client.post(f"/strategien/{sid}/massnahmen/konzept/loeschen", data={}).status_code == 302
    s = domain(app, sid)
    assert s.measure("konzept") is None
    assert s.evaluations == [] and s.indicators == {} and "konzept" not in s.status_history
    with app.app_context():
        from planner.models import verstetigung as vm

        for table in (vm.Evaluation, vm.Indicator, vm.StatusChange):
            assert db.session.query(table).count() == 0, table
