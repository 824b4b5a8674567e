"""The review meeting and the Fortschreibung made from it, through the web pages (Flask client):
prepare (proposed decisions), change decisions with notes, finalise (audit trail), the PDF prints
exactly these decisions, the Fortschreibung takes them over with proposed dates inside the new period."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from html import unescape

import pytest
from auth_support import form_data
from conftest import domain
from pdf_a11y import assert_accessible_pdf

from planner.domain.months import Month
from planner.domain.schedule import schedule_conflicts

pytestmark = pytest.mark.db


@pytest.fixture
def steinfurt(app, steinfurt_id):
    app.config["TODAY"] = "2026-11-30"
    return steinfurt_id


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, check=True, capture_output=True).stdout.decode()


def _prepare(client, sid) -> str:
    r = client.post(f"/strategien/{sid}/strategiereviews/vorbereiten")
    assert r.status_code == 302
    return r.headers["Location"]


def _decision_fields(html: str) -> dict[str, str]:
    return {k: v for k, v in form_data(html).items() if k.startswith("d_")}


def test_prepare_proposes_a_decision_per_measure(client, steinfurt):
    url = _prepare(client, steinfurt)
    html = client.get(url).get_data(as_text=True)
    fields = _decision_fields(html)
    assert len(fields) == 25  # every measure: none of Steinfurt's was dropped before
    assert "Vorschlag: anpassen – Abschluss überfällig seit 43 Monaten: Termine anpassen" in html
    assert sorted(set(fields.values())) == ["abgeschlossen", "anpassen", "backlog"]
    # a second prepared review is refused while one is open
    r = client.post(f"/strategien/{steinfurt}/strategiereviews/vorbereiten", follow_redirects=True)
    assert "bereits ein Strategiereview in Vorbereitung" in r.get_data(as_text=True)


def _meeting(client, url, **changes):
    data = form_data(client.get(url).get_data(as_text=True))
    data.update(changes)
    return client.post(url, data=data)


def _finalise(client, url, **changes):
    """Save the meeting with "abschliessen" and confirm on the confirmation page."""
    r = _meeting(client, url, aktion="abschliessen", **changes)
    assert r.status_code == 302 and r.headers["Location"] == url + "/abschliessen", r.get_data(as_text=True)
    confirm = r.headers["Location"]
    return client.post(confirm, data=form_data(client.get(confirm).get_data(as_text=True)))


def test_change_finalise_pdf_and_continue(client, app, steinfurt):
    url = _prepare(client, steinfurt)
    html = client.get(url).get_data(as_text=True)
    ids = {unescape(t): i for i, t in re.findall(r'<label for="d_(\d+)">Entscheidung zu „(.*?)“</label>', html)}
    titles = {m.key: m.title for m in domain(app, steinfurt).measures}
    whiteboard, chatbot = ids[titles["whiteboard-tool"]], ids[titles["chatbot"]]
    # finalising without participants: a German error, nothing lost
    r = _meeting(
        client,
        url,
        **{f"d_{whiteboard}": "verwerfen", f"n_{whiteboard}": "ersetzt durch Teams", "aktion": "abschliessen"},
    )
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert "Zum Abschließen fehlen die Teilnehmenden." in text
    assert "ersetzt durch Teams" in text
    r = _meeting(
        client,
        url,
        participants="Strategieteam, Amtsleitung",
        minutes="Beide Kernfragen besprochen.",
        **{
            f"d_{whiteboard}": "verwerfen",
            f"n_{whiteboard}": "ersetzt durch Teams",
            f"d_{chatbot}": "behalten",
            f"n_{chatbot}": "Förderung beantragt",
            "aktion": "abschliessen",
        },
    )
    # saved, then the confirmation (a page of its own: no JavaScript needed) lists what finalising settles
    assert r.status_code == 302 and r.headers["Location"].endswith("/abschliessen")
    confirm = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Strategiereview abschließen?" in confirm
    assert "verworfen" in confirm and titles["whiteboard-tool"] in unescape(confirm)
    page = client.get(url).get_data(as_text=True)
    assert 'name="d_' in page  # not finalised before the confirmation
    r = client.post(r.headers["Location"], data=form_data(confirm))
    assert r.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "abgeschlossen" in page and 'name="d_' not in page  # read only now
    # the PDF prints exactly these decisions and notes
    pdf = client.get(url + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert_accessible_pdf(pdf.data, "Strategiereview – Digitalisierungsstrategie")
    text = " ".join(pdf_text(pdf.data).split())
    assert "Teilnehmende: Strategieteam, Amtsleitung" in text
    assert "verwerfen ersetzt durch Teams anpassen (geändert)" in text
    assert "behalten Förderung beantragt in den Backlog (geändert)" in text
    assert "Zeitkonflikt(e)" not in text
    # the audit trail has the review
    review_id = url.rstrip("/").split("/")[-1]
    verlauf = client.get(f"/verwaltung/verlauf/strategy_reviews/{review_id}").get_data(as_text=True)
    assert "Review-Entscheidung" in verlauf and "Abgeschlossen von" in verlauf and "ersetzt durch Teams" in verlauf
    # the Fortschreibung: defaults, proposed dates, then the version
    fort = url + "/fortschreibung"
    data = form_data(client.get(fort).get_data(as_text=True))
    assert data["version"] == "Fortschreibung 12/2026"
    assert (data["start"], data["end"]) == ("12/2026", "11/2028")
    r = client.post(fort, data=data | {"aktion": "vorschau"})
    assert r.status_code == 200
    preview = r.get_data(as_text=True)
    assert (
        "Vorschau: jede Maßnahme in der neuen Version" in preview
        and "Die neue Version hat keinen Zeitkonflikt." in preview
    )
    r = client.post(fort, data=data | {"aktion": "anlegen"})
    assert r.status_code == 302, r.get_data(as_text=True)
    new_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    new = domain(app, new_id)
    assert (new.window_start, new.window_end) == (Month(2026, 12), Month(2028, 11))
    keys = {m.key for m in new.measures}
    assert "whiteboard-tool" not in keys  # verwerfen
    # finished: carried (as finished) only while an evaluation of it is pending
    assert "externe-moderation" not in keys or new.measure("externe-moderation").status.value == "abgeschlossen"
    assert new.measure("chatbot").status.value == "geplant" or new.measure("chatbot").status.value == "backlog"
    planned = [m for m in new.measures if m.start is not None and m.status.value not in ("backlog", "abgeschlossen")]
    assert planned
    for m in planned:
        assert Month(2026, 12) <= m.start and (m.end or m.start) <= Month(2028, 11), m.key
    assert schedule_conflicts(new.measures) == []
    # the list shows one strategy with its earlier version folded beneath
    listing = client.get("/strategien").get_data(as_text=True)
    assert listing.count(f'href="/strategien/{new_id}"') == 1
    assert "1 frühere Version" in listing
    # the old version is read only: its 409 page links to the successor
    old_page = client.get(f"/strategien/{steinfurt}").get_data(as_text=True)
    assert "Abgelöst durch" in old_page and f'href="/strategien/{new_id}"' in old_page
    r = client.post(f"/strategien/{steinfurt}/strategiereviews/vorbereiten")
    assert r.status_code == 409
    assert f'href="/strategien/{new_id}">Zur neuen Version' in r.get_data(as_text=True)
    # finalising settled the old version: Whiteboard dropped there, with the review's note in its history
    old = domain(app, steinfurt)
    assert old.measure("whiteboard-tool").status.value == "verworfen"
    assert old.status_history["whiteboard-tool"][-1].note == "Strategiereview vom 30.11.2026: verworfen"


def test_evaluation_correctable_until_a_finalised_review_uses_it(client, steinfurt):
    base = f"/strategien/{steinfurt}"
    data = form_data(client.get(f"{base}/massnahmen/whiteboard-tool/evaluation").get_data(as_text=True))
    data.update(performed="01.11.2026", by="Annika Feldhues", went_well="Schnell eingeführt", outcome="fortfuehren")
    r = client.post(f"{base}/massnahmen/whiteboard-tool/evaluation", data=data)
    assert r.status_code == 302
    ev_url = r.headers["Location"]
    ev_id = ev_url.rstrip("/").split("/")[-1]
    assert "Evaluation korrigieren" in client.get(ev_url).get_data(as_text=True)
    fix = f"{base}/evaluationen/{ev_id}/korrektur"
    data = form_data(client.get(fix).get_data(as_text=True))
    assert data["went_well"] == "Schnell eingeführt" and data["outcome"] == "fortfuehren"
    bad = client.post(fix, data=data | {"performed": "31.02.2026"})  # a bad date: German error, input kept
    assert bad.status_code == 422 and "kein gültiges Datum" in bad.get_data(as_text=True)
    r = client.post(fix, data=data | {"went_well": "Schnell eingeführt, gut angenommen"})
    assert r.status_code == 302
    assert "gut angenommen" in client.get(ev_url).get_data(as_text=True)
    verlauf = client.get(f"/verwaltung/verlauf/verstetigung_evaluations/{ev_id}").get_data(as_text=True)
    assert "Schnell eingeführt, gut angenommen" in verlauf
    # the review proposes "behalten" from the evaluation; once finalised, the evaluation is fixed
    url = _prepare(client, steinfurt)
    assert "Vorschlag: behalten – Ergebnis der letzten Evaluation: fortführen" in client.get(url).get_data(as_text=True)
    assert _finalise(client, url, participants="Strategieteam").status_code == 302
    assert "Evaluation korrigieren" not in client.get(ev_url).get_data(as_text=True)
    r = client.post(fix, data=data | {"went_well": "später geändert"}, follow_redirects=True)
    assert "bleibt unverändert" in r.get_data(as_text=True)
    assert "später geändert" not in client.get(ev_url).get_data(as_text=True)


def test_the_review_travels_in_the_strategy_file_and_the_cli_prints_its_decisions(client, app, steinfurt, tmp_path):
    """Export after the meeting: the file holds the review (`reviews`); imported again it is the
    same review, and `planner review` prints its decisions instead of proposals."""
    from conftest import run

    url = _prepare(client, steinfurt)
    html = client.get(url).get_data(as_text=True)
    ids = {unescape(t): i for i, t in re.findall(r'<label for="d_(\d+)">Entscheidung zu „(.*?)“</label>', html)}
    titles = {m.key: m.title for m in domain(app, steinfurt).measures}
    whiteboard = ids[titles["whiteboard-tool"]]
    r = _finalise(
        client,
        url,
        participants="Strategieteam, Amtsleitung",
        held_on="30.11.2026",
        **{f"d_{whiteboard}": "verwerfen", f"n_{whiteboard}": "ersetzt durch Teams"},
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    text = client.get(f"/strategien/{steinfurt}/export.yaml").get_data(as_text=True)
    assert "reviews:" in text and "ersetzt durch Teams" in text
    path = tmp_path / "mit-review.yaml"
    path.write_text(text, encoding="utf-8")
    reviews = domain(app, steinfurt).reviews
    assert len(reviews) == 1 and reviews[0].finalised
    entry = next(d for d in reviews[0].decisions if d.measure == "whiteboard-tool")
    assert (entry.decision.value, entry.note) == ("verwerfen", "ersetzt durch Teams")
    out = tmp_path / "review.pdf"
    result = run("review", path, "--today", "2026-12-01", "-o", out)
    assert result.exit_code == 0, result.output
    assert "mit den Entscheidungen des Strategiereviews vom 30.11.2026" in result.output
    printed = "".join(pdf_text(out.read_bytes()).split())
    assert "ersetztdurchTeams" in printed
    # the command line prints the same document as the page's PDF: one pack, one template, one environment
    served = client.get(url + ".pdf")
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    web, cli = pdf_text(served.data).split(), pdf_text(out.read_bytes()).split()
    assert len(web) == len(cli) > 1000
    # word for word, but who finalised: an imported review is stamped by the importer (here: the command line)
    assert [(w, c) for w, c in zip(web, cli, strict=True) if w != c] == [("Administration)", "System)")]
    assert "Umsetzungsstand je Dimension" in pdf_text(served.data)
    # an unknown measure in a file's review is named
    bad = tmp_path / "kaputt.yaml"
    bad.write_text(text.replace("measure: whiteboard-tool", "measure: gibt-es-nicht", 1), encoding="utf-8")
    result = run("review", bad, "--today", "2026-12-01", "-o", tmp_path / "r.pdf")
    assert result.exit_code == 1 and "unbekannte Maßnahme „gibt-es-nicht“" in result.output, result.output


def _ids(html: str, app, sid) -> dict[str, str]:
    """Measure key → the id of its decision row on the meeting page."""
    by_title = {unescape(t): i for i, t in re.findall(r'<label for="d_(\d+)">Entscheidung zu „(.*?)“</label>', html)}
    return {m.key: by_title[m.title] for m in domain(app, sid).measures if m.title in by_title}


def test_a_decision_differing_from_the_proposal_needs_its_reason(client, app, steinfurt):
    url = _prepare(client, steinfurt)
    html = client.get(url).get_data(as_text=True)
    ids = _ids(html, app, steinfurt)
    proposed = form_data(html)[f"d_{ids['whiteboard-tool']}"]
    assert proposed != "verwerfen"
    r = _meeting(client, url, participants="Strategieteam, Amtsleitung", **{f"d_{ids['whiteboard-tool']}": "verwerfen"})
    assert r.status_code == 422
    page = unescape(r.get_data(as_text=True))
    label = "in den Backlog" if proposed == "backlog" else proposed
    assert f"Bitte begründen, warum statt „{label}“ anders entschieden wird." in page
    kept = form_data(r.get_data(as_text=True))
    assert kept[f"d_{ids['whiteboard-tool']}"] == "verwerfen" and kept["participants"] == "Strategieteam, Amtsleitung"
    assert form_data(client.get(url).get_data(as_text=True))[f"d_{ids['whiteboard-tool']}"] == proposed  # not saved
    # with the reason it is saved; keeping the proposal needs none
    r = _meeting(client, url, **{f"d_{ids['whiteboard-tool']}": "verwerfen", f"n_{ids['whiteboard-tool']}": "Teams"})
    assert r.status_code == 302


def test_finalising_asks_first_and_settles_the_reviewed_version(client, app, steinfurt):
    """Steinfurt at 07.12.2026: Whiteboard decided verwerfen, AGORA finished; after finalising nothing is
    left "Status klären" that the next version would not carry on."""
    from planner.domain.verstetigung import calendar

    app.config["TODAY"] = "2026-12-07"
    url = _prepare(client, steinfurt)
    ids = _ids(client.get(url).get_data(as_text=True), app, steinfurt)
    before = domain(app, steinfurt)
    assert before.measure("agora-anmeldung").actual_end is None
    waiting_before = {d.subject for d in calendar(before, date(2026, 12, 7)) if d.unclear}
    assert {"whiteboard-tool", "agora-anmeldung"} <= waiting_before
    r = _meeting(
        client,
        url,
        participants="Strategieteam, Amtsleitung",
        aktion="abschliessen",
        **{
            f"d_{ids['whiteboard-tool']}": "verwerfen",
            f"n_{ids['whiteboard-tool']}": "ersetzt durch Teams",
            f"d_{ids['agora-anmeldung']}": "abgeschlossen",
            f"n_{ids['agora-anmeldung']}": "alle angemeldet",
        },
    )
    confirm = r.headers["Location"]
    page = unescape(client.get(confirm).get_data(as_text=True))
    assert "Ist-Ende 12/2026 (Monat der Sitzung)" in page and "verworfen" in page
    assert 'name="d_' in client.get(url).get_data(as_text=True)  # nothing finalised before the confirmation
    assert domain(app, steinfurt).measure("whiteboard-tool").status.value != "verworfen"
    assert client.post(confirm, data=form_data(client.get(confirm).get_data(as_text=True))).status_code == 302
    after = domain(app, steinfurt)
    assert after.measure("whiteboard-tool").status.value == "verworfen"
    agora = after.measure("agora-anmeldung")
    assert agora.status.value == "abgeschlossen" and agora.actual_end == Month(2026, 12)
    # every measure still waiting for its status is one the review carries into the next version
    carried = {"behalten", "anpassen", "backlog"}
    review = next(r for r in after.reviews if r.finalised)
    decided = {d.measure: d.decision.value for d in review.decisions if d.decision}
    waiting = {d.subject for d in calendar(after, date(2026, 12, 7)) if d.unclear}
    assert "whiteboard-tool" not in waiting and "agora-anmeldung" not in waiting
    assert all(decided.get(key) in carried for key in waiting), {k: decided.get(k) for k in waiting}
    # the review is the strategy's biennial process evaluation of the calendar
    strategy_reviews = [
        d for d in calendar(after, date(2026, 12, 7)) if d.subject == "strategy" and d.kind.value == "prozess"
    ]
    assert any(d.done and d.record.performed == date(2026, 12, 7) for d in strategy_reviews)
    assert not any(d.overdue for d in strategy_reviews)
    # once finalised, the confirmation leads back to the review
    r = client.get(confirm)
    assert r.status_code == 302 and r.headers["Location"] == url


def test_the_former_review_urls_lead_to_the_one_review(client, steinfurt):
    base = f"/strategien/{steinfurt}"
    r = client.get(f"{base}/review")
    assert r.status_code == 301 and r.headers["Location"] == f"{base}/strategiereviews"
    r = client.post(f"{base}/review", data={})
    assert r.status_code in (303, 400)  # a POST without the CSRF token is refused before, else led on
    r = client.get(f"{base}/review.pdf")  # no review yet: to the reviews, with a German hint
    assert r.status_code == 302 and r.headers["Location"] == f"{base}/strategiereviews"
    assert "bitte zuerst ein Review vorbereiten" in client.get(r.headers["Location"]).get_data(as_text=True)
    url = _prepare(client, steinfurt)
    r = client.get(f"{base}/review.pdf")
    assert r.status_code == 302 and r.headers["Location"] == url + ".pdf"
    assert client.get("/strategien/999999/review").status_code == 404
    # the start page's "Review vorbereiten" opens the one review
    start = client.get("/").get_data(as_text=True)
    assert f'href="{base}/strategiereviews">Review vorbereiten' in start
