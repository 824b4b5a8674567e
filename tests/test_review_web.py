"""The review meeting and the Fortschreibung made from it, through the web pages (Flask client):
prepare (proposed decisions), change decisions with notes, finalise (audit trail), the PDF prints
exactly these decisions, the Fortschreibung takes them over with proposed dates inside the new period."""

from __future__ import annotations

import re
import subprocess
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
    assert "Vorgeschlagene Termine" in r.get_data(as_text=True)
    r = client.post(fort, data=data | {"aktion": "anlegen"})
    assert r.status_code == 302, r.get_data(as_text=True)
    new_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    new = domain(app, new_id)
    assert (new.window_start, new.window_end) == (Month(2026, 12), Month(2028, 11))
    keys = {m.key for m in new.measures}
    assert "whiteboard-tool" not in keys and "externe-moderation" not in keys
    assert new.measure("chatbot").status.value == "geplant" or new.measure("chatbot").status.value == "backlog"
    planned = [m for m in new.measures if m.start is not None and m.status.value not in ("backlog", "verworfen")]
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
    history = new.history[-1]
    decided = {d.measure: d for d in history.decisions}
    assert decided["whiteboard-tool"].decision.value == "verwerfen"
    assert decided["whiteboard-tool"].note == "ersetzt durch Teams"


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
    assert _meeting(client, url, participants="Strategieteam", aktion="abschliessen").status_code == 302
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
    r = _meeting(
        client,
        url,
        participants="Strategieteam, Amtsleitung",
        held_on="30.11.2026",
        **{f"d_{whiteboard}": "verwerfen", f"n_{whiteboard}": "ersetzt durch Teams", "aktion": "abschliessen"},
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
    # an unknown measure in a file's review is named
    bad = tmp_path / "kaputt.yaml"
    bad.write_text(text.replace("measure: whiteboard-tool", "measure: gibt-es-nicht", 1), encoding="utf-8")
    result = run("review", bad, "--today", "2026-12-01", "-o", tmp_path / "r.pdf")
    assert result.exit_code == 1 and "unbekannte Maßnahme „gibt-es-nicht“" in result.output, result.output
