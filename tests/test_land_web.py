"""Land level pages: sharing a strategy, the measure atlas, copying a template, the application
landscape with its import and export, the state office's view; the backup carries it all."""

from __future__ import annotations

import io
import json
import re

import pytest
import sqlalchemy as sa
from conftest import DATA, STEINFURT, import_file

from planner import models
from planner.domain.landscape import Application
from planner.extensions import db
from planner.formats.landscape_file import landscape_to_csv, landscape_to_xlsx, parse_csv, parse_xlsx
from planner.models.auth import Coordination
from planner.models.land import Application as ApplicationRow
from planner.models.land import MeasureOrigin, SharedStrategy
from planner.services import backup


def _offices(app, tmp_path):
    """Steinfurt (A) and Musterstadt (B): two offices with one strategy each; their organisation ids."""
    a_sid = import_file(app, STEINFURT)
    b_sid = import_file(app, DATA / "sample.yaml")
    with app.app_context():
        a_org = db.session.get(models.Strategy, a_sid).organisation_id
        b_org = db.session.get(models.Strategy, b_sid).organisation_id
    return a_sid, b_sid, a_org, b_org


@pytest.mark.db
def test_sharing_makes_a_strategy_readable_for_other_offices_only_read_only(app, client, client_as, tmp_path):
    a_sid, b_sid, a_org, b_org = _offices(app, tmp_path)
    b_member = client_as({b_org: "bearbeiten"})
    assert b_member.get(f"/strategien/{a_sid}").status_code == 404
    a_editor = client_as({a_org: "bearbeiten"})
    assert a_editor.post(f"/strategien/{a_sid}/freigabe", data={"shared": "y"}).status_code == 404  # managers decide
    a_manager = client_as({a_org: "verwalten"})
    page = a_manager.get(f"/strategien/{a_sid}").get_data(as_text=True)
    assert "Für andere Gesundheitsämter sichtbar" in page
    assert a_manager.post(f"/strategien/{a_sid}/freigabe", data={"shared": "y"}).status_code == 302
    listed = b_member.get("/strategien").get_data(as_text=True)
    assert "Von anderen Gesundheitsämtern freigegeben" in listed and f'href="/strategien/{a_sid}"' in listed
    text = b_member.get(f"/strategien/{a_sid}").get_data(as_text=True)
    assert "Freigegeben von" in text and "Strategie bearbeiten" not in text and "Verlauf" not in text
    assert b_member.get(f"/strategien/{a_sid}/bearbeiten").status_code == 404
    assert b_member.post(f"/strategien/{a_sid}/bearbeiten", data={"title": "x"}).status_code == 404
    assert b_member.get(f"/verwaltung/organisationen/{a_org}").status_code == 404
    assert b_member.get(f"/organisationen/{a_org}/applikationslandkarte").status_code == 404
    assert a_manager.post(f"/strategien/{a_sid}/freigabe", data={}).status_code == 302
    assert b_member.get(f"/strategien/{a_sid}").status_code == 404


@pytest.mark.db
def test_atlas_shows_only_what_the_user_may_see_with_filters_and_paging(app, client, client_as, tmp_path):
    a_sid, b_sid, a_org, b_org = _offices(app, tmp_path)
    b_member = client_as({b_org: "bearbeiten"})
    text = b_member.get("/atlas").get_data(as_text=True)
    assert "Musterstadt" in text and "Steinfurt" not in text
    client_as({a_org: "verwalten"}).post(f"/strategien/{a_sid}/freigabe", data={"shared": "y"})
    text = b_member.get("/atlas?q=schulungskonzept").get_data(as_text=True)
    assert "Kreis Steinfurt" in text and "Musterstadt" in text
    assert "Als Vorlage übernehmen" in text
    # the sample's measure and Steinfurt's share title and subdimension only when Steinfurt names one
    text = b_member.get("/atlas?dimension=IT-Sicherheit&status=geplant").get_data(as_text=True)
    assert "Awareness" in text and "Schulungskonzept" not in text
    text = b_member.get("/atlas?zeitstand=backlog").get_data(as_text=True)
    assert "Chatbot" in text and "Schulungskonzept" not in text
    text = b_member.get("/atlas?q=Entwicklung+eines+Schulungskonzepts").get_data(as_text=True)
    assert text.count("Entwicklung eines Schulungskonzepts</a>") == 2
    text = b_member.get("/atlas?von=01/2024&bis=03/2024&q=Entwicklung+eines+Schulungskonzepts").get_data(as_text=True)
    assert text.count("Entwicklung eines Schulungskonzepts</a>") == 1  # Steinfurt's ran 01–04/2023
    bad = b_member.get("/atlas?von=13/2024")
    assert bad.status_code == 422 and "kein Monat" in bad.get_data(as_text=True)
    everything = client.get("/atlas").get_data(as_text=True)
    assert "Seite 1 von" not in everything or "Nächste Seite" in everything
    assert client.get("/atlas?seite=999").status_code == 200


@pytest.mark.db
def test_similar_hint_when_offices_plan_alike(app, client, tmp_path):
    text = (DATA / "sample.yaml").read_text(encoding="utf-8")
    for town in ("Nordstadt", "Südstadt"):
        path = tmp_path / f"{town}.yaml"
        path.write_text(text.replace("Musterstadt", town), encoding="utf-8")
        import_file(app, path)
    page = client.get("/atlas?subdimension=Schulungen").get_data(as_text=True)
    assert "ähnliche Maßnahmen in 2 Ämtern" in page
    # the hint links to those measures: both offices, only alike titles on the same subdimension
    link = re.search(r'href="(/atlas\?aehnlich=\d+)">ähnliche Maßnahmen in 2 Ämtern', page).group(1)
    similar = client.get(link).get_data(as_text=True)
    assert "Maßnahmen ähnlich zu „" in similar and "in 2 Ämtern" in similar
    assert "Nordstadt" in similar and "Südstadt" in similar
    assert "ähnliche Maßnahmen in 2 Ämtern" in similar
    hidden = client.get("/atlas?aehnlich=999999").get_data(as_text=True)
    assert "gibt es nicht oder Sie dürfen sie nicht sehen" in hidden and "0 Maßnahmen" in hidden


@pytest.mark.db
def test_copy_a_shared_measure_as_template_keeps_the_origin(app, client_as, tmp_path):
    a_sid, b_sid, a_org, b_org = _offices(app, tmp_path)
    b_member = client_as({b_org: "bearbeiten"})
    form = {"quelle": str(a_sid), "massnahme": "schulungskonzept", "ziel": str(b_sid)}
    with app.app_context():
        key = db.session.scalar(
            sa.select(models.Measure.key).where(
                models.Measure.strategy_id == a_sid, models.Measure.title == "Entwicklung eines Schulungskonzepts"
            )
        )
    form["massnahme"] = key
    assert b_member.get(f"/atlas/vorlage?quelle={a_sid}&massnahme={key}").status_code == 404  # not shared yet
    assert b_member.post("/atlas/vorlage", data=form).status_code == 404
    client_as({a_org: "verwalten"}).post(f"/strategien/{a_sid}/freigabe", data={"shared": "y"})
    page = b_member.get(f"/atlas/vorlage?quelle={a_sid}&massnahme={key}").get_data(as_text=True)
    assert "Digitalisierungsstrategie Musterstadt" in page
    assert b_member.post("/atlas/vorlage", data={**form, "ziel": str(a_sid)}).status_code == 422  # not writable
    response = b_member.post("/atlas/vorlage", data=form)
    assert response.status_code == 302
    measure_page = b_member.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Übernommen als Vorlage aus „Entwicklung eines Schulungskonzepts“ – Gesundheitsamt Kreis Steinfurt"
        in measure_page
    )
    with app.app_context():
        copy = db.session.scalars(
            sa.select(models.Measure).where(models.Measure.strategy_id == b_sid).order_by(models.Measure.id.desc())
        ).first()
        source = db.session.scalar(
            sa.select(models.Measure).where(models.Measure.strategy_id == a_sid, models.Measure.key == key)
        )
        assert copy.title == source.title and copy.description == source.description and copy.goal == source.goal
        assert copy.owners == [] and copy.start is None and copy.end is None and copy.status == "geplant"
        assert copy.key != "konzept"  # Musterstadt has its own "konzept": the copy got a free key
        origin = db.session.get(MeasureOrigin, copy.id)
        assert origin.source_strategy_id == a_sid and origin.source_key == key
    steckbrief = b_member.get(response.headers["Location"] + "/steckbrief").get_data(as_text=True)
    assert "Übernommen als Vorlage" in steckbrief
    from docx import Document

    word = Document(io.BytesIO(b_member.get(response.headers["Location"] + "/steckbrief.docx").data))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    assert any(c.startswith("Übernommen als Vorlage aus") for c in cells)


@pytest.mark.db
def test_landscape_form_keeps_input_on_error_and_saves(app, client_as, tmp_path):
    _a, _b, a_org, b_org = _offices(app, tmp_path)
    editor = client_as({b_org: "bearbeiten"})
    url = f"/organisationen/{b_org}/applikationslandkarte"
    assert editor.get(url).status_code == 200
    bad = editor.post(url + "/neu", data={"name": "", "vendor": "Muster AG", "operation": "cloud", "state": "geplant"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Bitte ausfüllen." in text and 'value="Muster AG"' in text
    ok = editor.post(
        url + "/neu",
        data={"name": "InfektA", "vendor": "Muster AG", "task_area": "Infektionsschutz", "operation": "cloud",
              "interfaces": "DEMIS; E-Akte", "state": "im_einsatz"},
    )  # fmt: skip
    assert ok.status_code == 302
    twice = editor.post(url + "/neu", data={"name": "infekta", "operation": "cloud", "state": "geplant"})
    assert twice.status_code == 422 and "schon erfasst" in twice.get_data(as_text=True)
    text = editor.get(url).get_data(as_text=True)
    assert "InfektA" in text and "DEMIS, E-Akte" in text and "Cloud" in text
    with app.app_context():
        app_id = db.session.scalar(sa.select(ApplicationRow.id))
    edit = editor.get(f"{url}/{app_id}/bearbeiten").get_data(as_text=True)
    assert 'value="DEMIS; E-Akte"' in edit
    assert client_as({b_org: "lesen"}).post(f"{url}/{app_id}/loeschen").status_code == 404
    assert (
        client_as({a_org: "verwalten"})
        .get(f"/organisationen/{a_org}/applikationslandkarte/{app_id}/bearbeiten")
        .status_code
        == 404
    )
    assert editor.post(f"{url}/{app_id}/loeschen").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApplicationRow)) == 0


def _upload(client, org, name, data):
    return client.post(
        f"/organisationen/{org}/applikationslandkarte/importieren",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.db
def test_landscape_import_is_all_or_nothing_with_lines_named(app, client_as, tmp_path):
    _a, _b, _a_org, b_org = _offices(app, tmp_path)
    editor = client_as({b_org: "bearbeiten"})
    csv_text = (
        "Anwendung;Hersteller;Aufgabe;Betrieb;Schnittstellen;Stand\n"
        "InfektA;Muster AG;Infektionsschutz;Rechenzentrum;DEMIS;im Einsatz\n"
        "AquaPlan;Wasser IT;Trinkwasser;Keller;;geplant\n"
        ";Niemand;;Cloud;;vielleicht\n"
    )
    refused = _upload(editor, b_org, "land.csv", csv_text.encode())
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Zeile 3: Betrieb „Keller“ ist unbekannt" in text and "Zeile 4:" in text and "vielleicht" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApplicationRow)) == 0
    good = csv_text.replace("Keller", "on premise").replace(";Niemand;;Cloud;;vielleicht\n", "")
    assert _upload(editor, b_org, "land.csv", good.encode("cp1252")).status_code == 302
    assert _upload(editor, b_org, "land.pdf", b"%PDF").status_code == 422
    assert "keine lesbare Excel" in _upload(editor, b_org, "land.xlsx", b"PK garbage").get_data(as_text=True)
    # the download reads back as it was: XLSX and CSV
    xlsx = editor.get(f"/organisationen/{b_org}/applikationslandkarte.xlsx")
    assert xlsx.status_code == 200
    apps = parse_xlsx(xlsx.data)
    assert [(a.name, a.operation, a.interfaces, a.state) for a in apps] == [
        ("AquaPlan", "on_premise", [], "geplant"),
        ("InfektA", "rechenzentrum", ["DEMIS"], "im_einsatz"),
    ]
    assert parse_csv(editor.get(f"/organisationen/{b_org}/applikationslandkarte.csv").data) == apps
    # re-importing the export changes nothing and adds nothing
    assert _upload(editor, b_org, "land.xlsx", xlsx.data).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApplicationRow)) == 2


def test_landscape_files_protect_against_formulas():
    apps = [Application('=HYPERLINK("x")', "+Muster", "@Aufgabe", interfaces=["-DEMIS"])]
    assert parse_csv(landscape_to_csv(apps)) == apps
    assert parse_xlsx(landscape_to_xlsx(apps)) == apps
    template = parse_xlsx(landscape_to_xlsx([]))
    assert [a.name for a in template] == ["Beispiel-Fachverfahren"]


@pytest.mark.db
def test_state_office_sees_matrix_and_candidates(app, client, client_as, tmp_path):
    _a, _b, a_org, b_org = _offices(app, tmp_path)
    with app.app_context():
        land = models.Organisation(name="Landesstelle (Test)")
        db.session.add(land)
        db.session.flush()
        db.session.add_all([Coordination(coordinator_id=land.id, organisation_id=o) for o in (a_org, b_org)])
        db.session.add_all(
            [
                ApplicationRow(organisation_id=a_org, name="InfektA", vendor="Beispiel GmbH", task_area="Infektionsschutz", interfaces=["DEMIS"]),
                ApplicationRow(organisation_id=b_org, name="MeldeFix", vendor="Muster AG", task_area="Infektionsschutz", interfaces=["DEMIS"]),
                ApplicationRow(organisation_id=b_org, name="InfektA", vendor="Beispiel GmbH", task_area="Infektionsschutz"),
            ]
        )  # fmt: skip
        db.session.commit()
        land_id = land.id
    state = client_as({land_id: "lesen"})
    text = state.get(f"/organisationen/{land_id}/landeslandkarte").get_data(as_text=True)
    assert "Kandidaten für eine gemeinsame Beschaffung" in text
    assert "Infektionsschutz</strong>: 2 Ämter, 2 Hersteller" in text
    assert "InfektA" in text and "MeldeFix" in text
    assert state.get(f"/organisationen/{a_org}/applikationslandkarte").status_code == 200  # reads its offices
    assert state.get(f"/organisationen/{a_org}/applikationslandkarte/neu").status_code == 404
    overview = state.get("/applikationslandkarte").get_data(as_text=True)
    assert "Anwendungen der koordinierten Ämter" in overview
    assert client_as({b_org: "verwalten"}).get(f"/organisationen/{land_id}/landeslandkarte").status_code == 404


@pytest.mark.db
def test_backup_round_trip_keeps_landscape_sharing_and_origins(app, client_as, tmp_path):
    """The organisation backup carries the landscape, the sharing decision and copied measures'
    origins; a restore into an empty database gives them back unchanged."""
    from test_auth_backup import restore_into_empty

    a_sid, b_sid, a_org, b_org = _offices(app, tmp_path)
    client_as({a_org: "verwalten"}).post(f"/strategien/{a_sid}/freigabe", data={"shared": "y"})
    client_as({b_org: "verwalten"}).post(f"/strategien/{b_sid}/freigabe", data={"shared": "y"})
    b_member = client_as({b_org: "bearbeiten"})
    with app.app_context():
        key = db.session.scalar(sa.select(models.Measure.key).where(models.Measure.strategy_id == a_sid))
        db.session.add(ApplicationRow(organisation_id=b_org, name="InfektA", vendor="Muster AG", interfaces=["DEMIS"]))
        db.session.commit()
    assert b_member.post("/atlas/vorlage", data={"quelle": a_sid, "massnahme": key, "ziel": b_sid}).status_code == 302

    def document():
        with app.app_context():
            doc = backup.export_organisation(db.session.connection(), b_org)
            db.session.rollback()
        doc.pop("exported_at")
        return json.loads(backup.dumps(doc))

    before = document()
    assert [r["name"] for r in before["tables"]["applications"]] == ["InfektA"]
    assert [r["strategy_id"] for r in before["tables"]["shared_strategies"]] == [b_sid]
    assert [r["source_strategy_id"] for r in before["tables"]["measure_origins"]] == [a_sid]
    assert "Kreis Steinfurt" not in json.dumps(before["tables"]["strategies"])  # the source office stays out
    restore_into_empty(app, before)
    assert document() == before


@pytest.mark.db
def test_atlas_reads_a_fixed_number_of_statements_whatever_the_offices(app, client_as, tmp_path):
    """Search, paging, contacts, origins and the similarity hint: the same statements for 2 or 6 offices."""
    from test_query_counts import counted, generated

    from planner.services.whole_strategy import import_strategy

    def add_office(name: str) -> None:
        with app.app_context():
            strategy = generated(60)
            strategy.organisation = name
            for m in strategy.measures:
                m.subdimensions = ["Schulungen"] if m.dimension == "Digitalisierungsstrategie" else []
            row = import_strategy(db.session, strategy)
            db.session.add(SharedStrategy(strategy_id=row.id))
            db.session.commit()

    for i in range(2):
        add_office(f"Amt {i}")
    viewer = client_as({})
    with counted(app) as few:
        text = viewer.get("/atlas?subdimension=Schulungen").get_data(as_text=True)
    assert "ähnliche Maßnahmen in 2 Ämtern" in text
    for i in range(2, 6):
        add_office(f"Amt {i}")
    with counted(app) as many:
        text = viewer.get("/atlas?subdimension=Schulungen&seite=2").get_data(as_text=True)
    assert "ähnliche Maßnahmen in 6 Ämtern" in text and "Seite 2 von 4" in text
    assert len(many) == len(few) <= 20, many


@pytest.mark.db
def test_a_shared_version_does_not_open_its_unshared_predecessors(app, client_as, tmp_path):
    from planner.models.verstetigung import Succession

    old = import_file(app, DATA / "sample.yaml")
    new = import_file(app, DATA / "sample.yaml")
    other_sid = import_file(app, STEINFURT)
    with app.app_context():
        db.session.get(models.Strategy, old).title = "Alte Fassung (nicht freigegeben)"
        db.session.get(models.Strategy, old).version = "Alte Fassung"
        db.session.add(Succession(predecessor_id=old, successor_id=new))
        db.session.add(SharedStrategy(strategy_id=new))
        db.session.commit()
        org = db.session.get(models.Strategy, new).organisation_id
        other_org = db.session.get(models.Strategy, other_sid).organisation_id
    outsider = client_as({other_org: "lesen"})
    assert outsider.get(f"/strategien/{new}").status_code == 200
    assert outsider.get(f"/strategien/{new}/vergleich?mit={old}").status_code == 404
    assert "Alte Fassung" not in outsider.get(f"/strategien/{new}/versionen").get_data(as_text=True)
    assert "Alte Fassung" not in outsider.get(f"/strategien/{new}/vergleich").get_data(as_text=True)
    assert "Alte Fassung" not in outsider.get(f"/strategien/{new}/evaluationen").get_data(as_text=True)
    member = client_as({org: "lesen"})
    assert "Alte Fassung" in member.get(f"/strategien/{new}/versionen").get_data(as_text=True)
    assert member.get(f"/strategien/{new}/vergleich?mit={old}").status_code == 200


@pytest.mark.db
def test_land_landscape_is_condensed_and_paged_for_many_offices(app, client_as):
    """45 demo offices: candidates name applications with a count, not every office; the matrix
    shows 20 offices per page."""
    from planner.services import land_sample

    with app.app_context():
        land_id, office_ids = land_sample.demo_land(db.session, 45, measures=2)
        db.session.commit()
    state = client_as({land_id: "lesen"})
    url = f"/organisationen/{land_id}/landeslandkarte"
    first = state.get(url)
    text = first.get_data(as_text=True)
    assert first.status_code == 200 and "Seite 1 von 3" in text and "Ämter 1–20 von" in text
    assert "Gesundheitsamt Demo-021 (fiktiv)</th>" not in text
    # a candidate lists each application with its number of offices, not every office by name
    assert re.search(r"<li>InfektA \(Beispiel Software GmbH\): \d+ Ämter</li>", text)
    assert re.search(r"\d+ Ämter – Gesundheitsamt Demo-\d{3} \(fiktiv\), .*, .* und \d+ weitere</li>", text)
    assert text.count('<th scope="col">Gesundheitsamt Demo-') == 20
    third = state.get(url + "?seite=3").get_data(as_text=True)
    assert "Seite 3 von 3" in third and "Vorherige Ämter" in third and "Nächste Ämter" not in third
    assert state.get(url + "?seite=99").status_code == 200 and state.get(url + "?seite=x").status_code == 200
    assert third.count('<th scope="col">Gesundheitsamt Demo-') == 5
