"""The start page (Handlungsbedarf): overdue measures, conflicts, evaluations, review, own measures
first for a user linked to a person, recent changes by others — only of visible strategies."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from auth_support import form_data
from conftest import DATA, import_file
from lxml import html as lxml_html

from planner import models
from planner.extensions import db
from planner.services import accounts
from planner.web import lagebild

pytestmark = pytest.mark.db


def _org(app, sid: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(models.Strategy.organisation_id).where(models.Strategy.id == sid))


def _section(text: str, sid: int) -> str:
    doc = lxml_html.fromstring(text)
    (section,) = doc.xpath(f"//section[@aria-labelledby='hb-{sid}']")
    return " ".join(" ".join(section.itertext()).split())


def test_start_page_lists_what_needs_doing_at_30_11_2026(app, client, steinfurt_id):
    app.config["TODAY"] = "2026-11-30"
    text = client.get("/").text
    section = _section(text, steinfurt_id)
    assert "Maßnahmen aktualisieren (18)" in section
    assert "Inventur Hardware" in section and "Abschluss überfällig seit 44 Monaten" in section
    assert "Beginn überfällig seit 43 Monaten" in section  # Schulungen, open-ended, never started
    assert "Zeitkonflikte (7)" in section
    assert "Nächstes Strategiereview überfällig seit 03/2025" in section
    # every item links to where it is fixed
    doc = lxml_html.fromstring(text)
    links = doc.xpath(f"//section[@aria-labelledby='hb-{steinfurt_id}']//a/@href")
    assert f"/strategien/{steinfurt_id}/statusabfrage" in links
    assert f"/strategien/{steinfurt_id}/massnahmen/inventur-hardware/verstetigung" in links
    assert f"/strategien/{steinfurt_id}/strategiereviews" in links  # "Review vorbereiten": the one review
    assert any(h.endswith("/bearbeiten") for h in links)  # a conflict: adjust the months
    # the strategies are still listed below
    assert f'href="/strategien/{steinfurt_id}"' in text


def test_inside_the_plan_period_nothing_is_overdue(app, client, steinfurt_id):
    # the hardware inventory was planned to start (11/2022) before the plan period (01/2023): from
    # 12/2022 on, while nobody records its start, it is the one overdue measure
    app.config["TODAY"] = "2022-11-15"
    section = _section(client.get("/").text, steinfurt_id)
    assert "Maßnahmen aktualisieren" not in section and "überfällig" not in section
    assert "Zeitkonflikte (7)" in section  # conflicts of the plan are shown whenever
    app.config["TODAY"] = "2023-01-15"
    section = _section(client.get("/").text, steinfurt_id)
    assert "Maßnahmen aktualisieren (1)" in section and "Abschluss überfällig" not in section
    assert "Inventur Hardware 11/2022 – 03/2023 IT-Service (Lukas Bäumer) ⚠ Beginn überfällig seit 2 Monaten" in section


def test_a_status_round_empties_the_list(app, client, steinfurt_id):
    app.config["TODAY"] = "2026-11-30"
    url = f"/strategien/{steinfurt_id}/statusabfrage"
    data = form_data(client.get(url).text)
    for k, v in list(data.items()):
        if k.endswith("-key") and v == "inventur-hardware":
            i = k.split("-")[0]
            data[f"{i}-status"], data[f"{i}-actual_end"] = "abgeschlossen", "04/2023"
    assert client.post(url, data=data).status_code == 302
    section = _section(client.get("/").text, steinfurt_id)
    assert "Maßnahmen aktualisieren (17)" in section
    # its process evaluation is now due (overdue since 05/2023) instead of a status check
    assert "Inventur Hardware Prozessevaluation überfällig" in section


def test_user_linked_to_a_person_sees_own_measures_first(app, client_as, make_user, steinfurt_id):
    app.config["TODAY"] = "2026-11-30"
    org = _org(app, steinfurt_id)
    user = make_user("feldhues", roles={org: "bearbeiten"}, display_name="A. Feldhues")
    with app.app_context():
        person = db.session.scalar(sa.select(models.Person).where(models.Person.name == "Annika Feldhues"))
        person.user_id = user
        db.session.commit()
    text = client_as(user_id=user).get("/").text
    assert text.index("Meine Maßnahmen") < text.index(f'id="hb-{steinfurt_id}"')
    doc = lxml_html.fromstring(text)
    mine = [" ".join(r.itertext()) for r in doc.xpath("//section[@aria-labelledby='meine-h']//tbody/tr")]
    assert any("Entwicklung eines Schulungskonzepts" in r for r in mine)
    assert not any("Inventur Hardware" in r for r in mine)
    # "Erfasst von" prefills with the person's name
    data = form_data(client_as(user_id=user).get(f"/strategien/{steinfurt_id}/statusabfrage").text)
    assert data["by"] == "Annika Feldhues"


def test_recent_changes_by_other_people(app, client, client_as, make_user, steinfurt_id):
    app.config["TODAY"] = "2026-11-30"
    org = _org(app, steinfurt_id)
    editor_id = make_user("kollegin", roles={org: "bearbeiten"})
    editor = client_as(user_id=editor_id)
    url = f"/strategien/{steinfurt_id}/bewertungsworkshop"
    data = form_data(editor.get(url).text)
    data["m0-feasibility"] = "hoch"
    assert editor.post(url, data=data).status_code == 302
    doc = lxml_html.fromstring(client.get("/").text)
    changes = [" ".join(li.itertext()) for li in doc.xpath("//section[@aria-labelledby='aenderungen-h']//li")]
    assert "kollegin" in changes[0] and "Machbarkeit" in changes[0]
    # the import of the strategy (by the system) is one line, not one per field
    assert len(changes) == 2 and "importiert (" in changes[1] and "System" in changes[1]
    link = doc.xpath("//section[@aria-labelledby='aenderungen-h']//li/a/@href")[0]
    assert client.get(link).status_code == 200
    # one's own changes are not "changes by others"
    own = lxml_html.fromstring(editor.get("/").text)
    lines = [" ".join(li.itertext()) for li in own.xpath("//section[@aria-labelledby='aenderungen-h']//li")]
    assert len(lines) == 1 and "kollegin" not in lines[0]


def test_other_organisations_items_are_not_shown(app, client_as, steinfurt_id):
    app.config["TODAY"] = "2026-11-30"
    text = (DATA / "sample.yaml").read_text(encoding="utf-8")
    other = import_file(app, DATA / "sample.yaml")
    assert "Musterstadt" in text
    reader = client_as({_org(app, other): "lesen"})
    page = reader.get("/").text
    assert f'id="hb-{other}"' in page and f'id="hb-{steinfurt_id}"' not in page
    assert "Inventur Hardware" not in page


def test_a_state_office_sees_its_own_sections_and_a_pointer_to_the_landesebene(app, client_as, steinfurt_id):
    """Coordinated offices' Handlungsbedarf is not spelled out on a state office member's start
    page (a Land has dozens of offices): a note points to the Landesebene instead."""
    app.config["TODAY"] = "2026-11-30"
    own = import_file(app, DATA / "sample.yaml")
    with app.app_context():
        accounts.add_coordination(db.session, _org(app, own), _org(app, steinfurt_id))
        db.session.commit()
    member = client_as({_org(app, own): "lesen"})
    page = member.get("/").text
    assert f'id="hb-{own}"' in page and f'id="hb-{steinfurt_id}"' not in page
    text = " ".join(lxml_html.fromstring(page).text_content().split())
    assert "1 weitere Strategie ist hier nicht einzeln aufgeführt (von Ihnen koordinierte Gesundheitsämter)" in text
    assert 'href="/landesebene/"' in page
    # the coordinated strategy is still listed below and readable
    assert f'href="/strategien/{steinfurt_id}"' in page
    assert member.get(f"/strategien/{steinfurt_id}").status_code == 200


def test_an_administrator_sees_at_most_max_sections(app, client, steinfurt_id, monkeypatch):
    app.config["TODAY"] = "2026-11-30"
    other = import_file(app, DATA / "sample.yaml")
    page = client.get("/").text
    assert f'id="hb-{steinfurt_id}"' in page and f'id="hb-{other}"' in page and "nicht einzeln aufgeführt" not in page
    monkeypatch.setattr(lagebild, "MAX_SECTIONS", 1)
    page = client.get("/").text
    assert (f'id="hb-{steinfurt_id}"' in page) != (f'id="hb-{other}"' in page)  # one section, not both
    assert "1 weitere Strategie ist hier nicht einzeln aufgeführt" in " ".join(
        lxml_html.fromstring(page).text_content().split()
    )
