"""Mail (issue 28): owners' addresses, the Statusabfrage by link through a real SMTP server
(aiosmtpd, tests/mail_support.py), the link's refusals, the outbox of a refusing server, and
`planner remind` run twice on one day."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa
from auth_support import form_data
from click.testing import CliRunner
from mail_support import html_of, links_in, mail_config, smtp_server, text_of  # noqa: F401 (fixture)

from planner import models
from planner.cli import main
from planner.domain.validation import email_problem
from planner.extensions import db
from planner.models.auth import AuditEntry, User
from planner.models.mail import OutboxMail, SentReminder, StatusLink
from planner.services import mail

ADDRESSES = {
    "Annika Feldhues": "annika.feldhues@kreis-steinfurt.example",
    "Felix Marincel": "felix.marincel@kreis-steinfurt.example",
    "Helen Büscher": "helen.buescher@kreis-steinfurt.example",
    "Andreas Heeke": "andreas.heeke@kreis-steinfurt.example",
}


# --- pure -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("annika.feldhues@kreis-steinfurt.de", True),
        ("a@b.de", True),
        ("kein-at.example", False),
        ("zwei@@kreis.de", False),
        ("mit leer@kreis.de", False),
        ("a@b.de, c@d.de", False),
        ("steuer\x07@kreis.de", False),
        ("x" * 250 + "@kreis.de", False),
    ],
)
def test_email_problem_uses_the_one_text_rule(value, ok):
    problem = email_problem(value)
    assert (problem is None) is ok
    if not ok:
        assert problem and "E-Mail-Adresse" in problem or "Steuerzeichen" in problem


@pytest.mark.parametrize(
    ("url", "scheme", "port", "user"),
    [
        ("smtp://mail.kreis.example", "smtp", 25, None),
        ("smtp+starttls://planner:ge%40heim@mail.kreis.example:587", "smtp+starttls", 587, "planner"),
        ("smtps://mail.kreis.example", "smtps", 465, None),
    ],
)
def test_smtp_url_forms(url, scheme, port, user):
    settings = mail.Settings.from_config({"MAIL_SMTP_URL": url, "MAIL_FROM": "planner@kreis.example"})
    assert (settings.scheme, settings.port, settings.username) == (scheme, port, user)
    if user:
        assert settings.password == "ge@heim"


def test_mail_is_off_or_refused_in_german():
    assert mail.settings_or_none({}) == (None, mail.MAIL_OFF)
    settings, reason = mail.settings_or_none({"MAIL_SMTP_URL": "http://x", "MAIL_FROM": "a@b.de"})
    assert settings is None and "unbekanntes Schema" in reason
    settings, reason = mail.settings_or_none({"MAIL_SMTP_URL": "smtp://x"})
    assert settings is None and "PLANNER_MAIL_FROM" in reason


# --- with the database ----------------------------------------------------------------------------


def _addresses(app, sid: int) -> None:
    with app.app_context():
        org_id = db.session.get(models.Strategy, sid).organisation_id
        for p in db.session.scalars(sa.select(models.Person).where(models.Person.organisation_id == org_id)):
            if p.name in ADDRESSES:
                p.email = ADDRESSES[p.name]
        db.session.commit()


def _start(app, client, sid, port):
    app.config.update(mail_config(port))
    _addresses(app, sid)
    return client.post(f"/strategien/{sid}/statusabfrage/per-mail", follow_redirects=True)


@pytest.mark.db
def test_statusabfrage_page_says_mail_is_off_without_smtp(app, client, steinfurt_id):
    html = client.get(f"/strategien/{steinfurt_id}/statusabfrage").get_data(as_text=True)
    assert "Mail ist aus" in html and "PLANNER_SMTP_URL" in html
    response = client.post(f"/strategien/{steinfurt_id}/statusabfrage/per-mail", follow_redirects=True)
    assert "PLANNER_SMTP_URL fehlt" in response.get_data(as_text=True)


@pytest.mark.db
def test_person_form_takes_and_checks_an_address(app, client, steinfurt_id):
    with app.app_context():
        person = db.session.scalar(sa.select(models.Person).where(models.Person.name == "Felix Marincel"))
        url = f"/verwaltung/organisationen/{person.organisation_id}/personen/{person.id}"
    data = form_data(client.get(url).get_data(as_text=True))
    data["email"] = "kein-at"
    response = client.post(url, data=data)
    assert response.status_code == 422 and "keine gültige E-Mail-Adresse" in response.get_data(as_text=True)
    assert 'value="kein-at"' in response.get_data(as_text=True)
    data["email"] = "felix.marincel@kreis-steinfurt.example"
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        assert db.session.get(models.Person, person.id).email == "felix.marincel@kreis-steinfurt.example"


@pytest.mark.db
def test_strategy_file_owners_carry_addresses(app, client, tmp_path):
    from conftest import import_file

    path = tmp_path / "s.yaml"
    path.write_text(
        "format: planner-strategy/1\norganisation: {name: Landkreis Musterstadt}\n"
        "strategy: {title: Strategie mit Adressen}\nmeasures:\n"
        "  - id: a\n    title: A\n    dimension: Mitarbeitende\n"
        "    owners: [{name: Lea Lead, role: lead, email: lea@musterstadt.example}]\n",
        encoding="utf-8",
    )
    import_file(app, path)
    with app.app_context():
        assert db.session.scalar(sa.select(models.Person.email).where(models.Person.name == "Lea Lead")) == (
            "lea@musterstadt.example"
        )
    bad = tmp_path / "b.yaml"
    bad.write_text(path.read_text().replace("lea@musterstadt.example", "lea(at)musterstadt"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(bad)])
    assert result.exit_code == 1 and "keine gültige E-Mail-Adresse" in result.output


@pytest.mark.db
def test_status_request_by_link_end_to_end(app, client, steinfurt_id, smtp_server, caplog):
    inbox, port = smtp_server
    app.config["TODAY"] = "2026-12-07"
    caplog.set_level(logging.DEBUG, logger="planner")
    caplog.set_level(logging.DEBUG, logger="werkzeug")
    response = _start(app, client, steinfurt_id, port)
    assert "Die Statusabfrage per Mail ist gestartet (4 Personen)" in response.get_data(as_text=True)
    message = inbox.to(ADDRESSES["Felix Marincel"])[0]
    assert str(message["Subject"]).strip().startswith("Gesundheitsamt Kreis Steinfurt: Statusabfrage")
    html = html_of(message)
    assert '<html lang="de">' in html and "<title>" in html
    assert "<img" not in html  # no tracking pixel
    text = text_of(message)
    assert "Prozesserhebung" in text or "Dokumentationskonzept" in text
    assert "Kommunikationskonzept" not in text  # not Felix's measure
    link = next(u for u in links_in(message) if "/rueckmeldung/" in u)
    assert link.startswith("https://planner.kreis-steinfurt.example/rueckmeldung/plsta_")
    path = link.removeprefix("https://planner.kreis-steinfurt.example")
    secret = path.rsplit("/", 1)[1]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(StatusLink.token_hash == secret)) == 0
        assert not any(secret in body for body in db.session.scalars(sa.select(OutboxMail.body_text)))

    owner = app.test_client()
    page = owner.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    body = page.get_data(as_text=True)
    assert "Statusabfrage für Felix Marincel" in body and "Kommunikationskonzept" not in body
    data = form_data(body)
    key_field = next(k for k, v in data.items() if k.endswith("-key") and v == "prozesserhebung")
    i = key_field.split("-")[0]
    data[f"{i}-status"] = "in_umsetzung"
    data[f"{i}-actual_start"] = "11/2026"
    data[f"{i}-note"] = "Erhebung läuft in zwei Abteilungen"
    saved = owner.post(path, data=data)
    assert saved.status_code == 200 and "Vielen Dank" in saved.get_data(as_text=True)
    with app.app_context():
        measure = db.session.scalar(sa.select(models.Measure).where(models.Measure.key == "prozesserhebung"))
        assert measure.status == "in_umsetzung" and measure.actual_start == "2026-11"
        names = set(db.session.scalars(sa.select(AuditEntry.username).where(AuditEntry.table_name == "measures")))
        assert "per Link von Felix Marincel" in names
    # the lead sees who answered
    lead_page = client.get(f"/strategien/{steinfurt_id}/statusabfrage").get_data(as_text=True)
    assert "Felix Marincel" in lead_page and "Einmal an die übrigen erinnern" in lead_page
    # replay: the same answer again is refused in German
    replay = owner.post(path, data=data)
    assert replay.status_code == 409 and "bereits geantwortet" in replay.get_data(as_text=True)
    assert secret not in "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))


@pytest.mark.db
def test_link_refusals(app, client, steinfurt_id, smtp_server, tmp_path):
    from conftest import import_file

    inbox, port = smtp_server
    app.config["TODAY"] = "2026-12-07"
    _start(app, client, steinfurt_id, port)
    links = {m["To"]: next(u for u in links_in(m) if "/rueckmeldung/") for m in inbox.messages}
    base = "https://planner.kreis-steinfurt.example"
    felix = links[ADDRESSES["Felix Marincel"]].removeprefix(base)
    annika = links[ADDRESSES["Annika Feldhues"]].removeprefix(base)
    owner = app.test_client()
    data = form_data(owner.get(felix).get_data(as_text=True))
    # another owner's measure
    foreign = dict(data)
    first = next(k for k in foreign if k.endswith("-key"))
    foreign[first] = "kommunikationskonzept"
    response = owner.post(felix, data=foreign)
    assert response.status_code == 403 and "nur für die Maßnahmen" in response.get_data(as_text=True)
    # another office's measure with the same key
    other = tmp_path / "other.yaml"
    other.write_text(
        "format: planner-strategy/1\norganisation: {name: Landkreis Anders}\nstrategy: {title: Andere}\n"
        "measures:\n  - id: fremd\n    title: Fremd\n    dimension: Mitarbeitende\n"
        "    owners: [{name: Felix Marincel}]\n",
        encoding="utf-8",
    )
    import_file(app, other)
    foreign[first] = "fremd"
    response = owner.post(felix, data=foreign)
    assert response.status_code == 403 and "nicht gespeichert" in response.get_data(as_text=True)
    # unknown
    assert owner.get("/rueckmeldung/plsta_gibtesnicht").status_code == 404
    assert "nicht gültig" in owner.get("/rueckmeldung/plsta_gibtesnicht").get_data(as_text=True)
    # revoked by the lead
    with app.app_context():
        person_id = db.session.scalar(sa.select(models.Person.id).where(models.Person.name == "Annika Feldhues"))
        link_id = db.session.scalar(sa.select(StatusLink.id).where(StatusLink.person_id == person_id))
    client.post(f"/strategien/{steinfurt_id}/statusabfrage/per-mail/links/{link_id}/widerrufen")
    response = owner.get(annika)
    assert response.status_code == 410 and "widerrufen" in response.get_data(as_text=True)
    # expired after 21 days
    with app.app_context():
        for link in db.session.scalars(sa.select(StatusLink)):
            link.expires_at -= timedelta(days=22)
        db.session.commit()
    response = owner.post(felix, data=data)
    assert response.status_code == 410 and "abgelaufen" in response.get_data(as_text=True)
    with app.app_context():
        measure = db.session.scalar(sa.select(models.Measure).where(models.Measure.key == "kommunikationskonzept"))
        assert measure.lock_version == 1


@pytest.mark.db
def test_one_reminder_with_a_new_link(app, client, steinfurt_id, smtp_server):
    inbox, port = smtp_server
    _start(app, client, steinfurt_id, port)
    with app.app_context():
        request_id = db.session.scalar(sa.select(models.mail.StatusRequest.id))
    inbox.clear()
    response = client.post(
        f"/strategien/{steinfurt_id}/statusabfrage/per-mail/{request_id}/erinnerung", follow_redirects=True
    )
    assert "Die Erinnerung ist verschickt (4 Personen)" in response.get_data(as_text=True)
    assert len(inbox.messages) == 4 and all("Erinnerung" in m["Subject"] for m in inbox.messages)
    again = client.post(
        f"/strategien/{steinfurt_id}/statusabfrage/per-mail/{request_id}/erinnerung", follow_redirects=True
    )
    assert "bereits verschickt" in again.get_data(as_text=True) and len(inbox.messages) == 4


@pytest.mark.db
def test_refusing_server_keeps_mails_queued_and_tells_the_lead(app, client, steinfurt_id, smtp_server):
    inbox, port = smtp_server
    inbox.refuse = "451 4.3.0 Bitte später erneut versuchen"
    response = _start(app, client, steinfurt_id, port)
    assert "Der Mailserver hat nicht angenommen" in response.get_data(as_text=True)
    page = client.get(f"/strategien/{steinfurt_id}/statusabfrage").get_data(as_text=True)
    assert "4 Mails warten auf den Versand" in page and "451" in page
    inbox.refuse = None
    with app.app_context():
        result = mail.deliver(db.session, mail.Settings.from_config(app.config))
        assert (result.sent, result.waiting) == (4, 0)
        assert db.session.scalar(sa.select(sa.func.count()).where(OutboxMail.sent_at.is_(None))) == 0
        # once sent, the outbox forgets the texts (they hold the personal links)
        assert set(db.session.scalars(sa.select(OutboxMail.body_text))) == {""}
    assert len(inbox.messages) == 4


@pytest.mark.db
def test_down_server_loses_nothing(app, client, steinfurt_id):
    from mail_support import free_port

    response = _start(app, client, steinfurt_id, free_port())
    assert "nicht erreichbar" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(OutboxMail.sent_at.is_(None))) == 4


def _remind(app, database_url, port, monkeypatch, day):
    for name, value in {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test",
        "PLANNER_SMTP_URL": f"smtp://127.0.0.1:{port}",
        "PLANNER_MAIL_FROM": "planner@kreis-steinfurt.example",
        "PLANNER_BASE_URL": "https://planner.kreis-steinfurt.example/planner",
    }.items():
        monkeypatch.setenv(name, value)
    return CliRunner().invoke(main, ["remind", "--today", day])


@pytest.mark.db
def test_remind_twice_on_one_day_sends_each_person_one_mail(
    app, steinfurt_id, smtp_server, monkeypatch, database_url, make_user
):
    inbox, port = smtp_server
    _addresses(app, steinfurt_id)
    with app.app_context():
        row = db.session.get(models.Strategy, steinfurt_id)
        for m in row.measures:
            if m.key == "schulungskonzept":
                m.status, m.actual_start, m.actual_end = "abgeschlossen", "2026-01", "2026-12"
            if m.key == "it-notfallkonzept":
                m.status, m.actual_start, m.actual_end = "abgeschlossen", "2025-01", "2025-06"
        org_id = row.organisation_id
        db.session.commit()
    lead = make_user("leitung", roles={org_id: "verwalten"})
    reader = make_user("leser", roles={org_id: "lesen"})
    with app.app_context():
        db.session.get(User, lead).email = "leitung@kreis-steinfurt.example"
        db.session.get(User, reader).email = "leser@kreis-steinfurt.example"
        db.session.commit()
    first = _remind(app, database_url, port, monkeypatch, "2026-12-21")  # a Monday
    assert first.exit_code == 0, first.output
    recipients = sorted(m["To"] for m in inbox.messages)
    assert recipients == sorted(
        [
            ADDRESSES["Annika Feldhues"],
            ADDRESSES["Andreas Heeke"],
            ADDRESSES["Helen Büscher"],
            "leitung@kreis-steinfurt.example",
        ]
    )
    helen = text_of(inbox.to(ADDRESSES["Helen Büscher"])[0])
    assert helen.count("überfällig seit") == 2 and "IT-Notfallkonzept" in helen
    annika = inbox.to(ADDRESSES["Annika Feldhues"])[0]
    assert "fällig zum 01.01.2027" in text_of(annika)
    assert "Kreis Steinfurt" in annika["Subject"]
    for link in links_in(annika):
        assert link.startswith("https://planner.kreis-steinfurt.example/planner/")
    assert "/planner/strategien/" in text_of(annika) and "/mail/abbestellen/" in text_of(annika)
    lead_mail = text_of(inbox.to("leitung@kreis-steinfurt.example")[0])
    assert "Wochenübersicht" in lead_mail and "Strategiereview" in lead_mail
    assert "überfällig seit 01.03.2025" in lead_mail
    count = len(inbox.messages)
    second = _remind(app, database_url, port, monkeypatch, "2026-12-21")
    assert second.exit_code == 0, second.output
    assert len(inbox.messages) == count
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SentReminder)) >= 5


@pytest.mark.db
def test_opt_out_link_stops_the_mails(app, steinfurt_id, smtp_server, monkeypatch, database_url):
    inbox, port = smtp_server
    _addresses(app, steinfurt_id)
    with app.app_context():
        row = db.session.get(models.Strategy, steinfurt_id)
        for m in row.measures:
            if m.key == "it-notfallkonzept":
                m.status, m.actual_start, m.actual_end = "abgeschlossen", "2025-01", "2025-06"
        db.session.commit()
    assert _remind(app, database_url, port, monkeypatch, "2026-12-08").exit_code == 0
    opt_out = next(u for u in links_in(inbox.messages[0]) if "/mail/abbestellen/" in u)
    path = opt_out.removeprefix("https://planner.kreis-steinfurt.example/planner")
    anonymous = app.test_client()
    assert "Mails abbestellen" in anonymous.get(path).get_data(as_text=True)
    assert "Erledigt" in anonymous.post(path).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(models.Person.mail_off).where(models.Person.name == "Helen Büscher"))
    assert anonymous.get(path[:-3] + "xyz").status_code == 404


@pytest.mark.db
def test_profile_switches_digests_off(app, client_as, make_user):
    user = make_user("profil")
    c = client_as(user_id=user)
    assert c.get("/profil/benachrichtigungen").status_code == 200
    response = c.post("/profil/benachrichtigungen", data={"email": "falsch"})
    assert response.status_code == 422 and "keine gültige E-Mail-Adresse" in response.get_data(as_text=True)
    c.post("/profil/benachrichtigungen", data={"email": "profil@kreis.example"})
    with app.app_context():
        row = db.session.get(User, user)
        assert row.email == "profil@kreis.example" and row.mail_digests is False


def test_mail_test_command_prints_the_answer(smtp_server, monkeypatch):
    inbox, port = smtp_server
    monkeypatch.setenv("PLANNER_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("PLANNER_MAIL_FROM", "planner@kreis.example")
    result = CliRunner().invoke(main, ["mail-test", "test@kreis.example"])
    assert result.exit_code == 0, result.output
    assert "250 OK: angenommen" in result.output
    assert inbox.messages[0]["Subject"] == "planner: Testmail"
    monkeypatch.delenv("PLANNER_SMTP_URL")
    result = CliRunner().invoke(main, ["mail-test", "test@kreis.example"])
    assert result.exit_code == 1 and "PLANNER_SMTP_URL fehlt" in result.output


@pytest.mark.db
def test_link_of_a_version_that_was_continued_is_refused(app, client, steinfurt_id, smtp_server, tmp_path):
    from conftest import import_file

    from planner.models.verstetigung import Succession

    inbox, port = smtp_server
    _start(app, client, steinfurt_id, port)
    link = next(u for u in links_in(inbox.messages[0]) if "/rueckmeldung/" in u)
    path = link.removeprefix("https://planner.kreis-steinfurt.example")
    other = tmp_path / "neu.yaml"
    other.write_text(
        "format: planner-strategy/1\norganisation: {name: Gesundheitsamt Kreis Steinfurt}\n"
        "strategy: {title: Fortschreibung}\nmeasures: []\n",
        encoding="utf-8",
    )
    successor = import_file(app, other)
    with app.app_context():
        db.session.add(Succession(predecessor_id=steinfurt_id, successor_id=successor))
        db.session.commit()
    response = app.test_client().get(path)
    assert response.status_code == 410 and "fortgeschrieben" in response.get_data(as_text=True)
    page = client.get(f"/strategien/{steinfurt_id}/statusabfrage").get_data(as_text=True)
    assert "Statusabfrage per Mail" not in page


@pytest.mark.db
def test_api_sets_an_owners_address_and_refuses_a_bad_one(app, steinfurt_id, make_user, anonymous_client):
    from planner.services import tokens

    with app.app_context():
        org = db.session.get(models.Strategy, steinfurt_id).organisation_id
    editor = make_user("redaktion", roles={org: "bearbeiten"})
    with app.app_context():
        _, secret = tokens.create(db.session, db.session.get(User, editor), "api", "Skript")
        db.session.commit()
    url = f"/api/v1/strategien/{steinfurt_id}/massnahmen/prozesserhebung"
    etag = anonymous_client.get(url, headers={"Authorization": f"Bearer {secret}"}).headers["ETag"]
    headers = {"Authorization": f"Bearer {secret}", "If-Match": etag}
    bad = anonymous_client.patch(
        url, json={"owners": [{"name": "Felix Marincel", "email": "felix(at)kreis"}]}, headers=headers
    )
    assert bad.status_code == 422 and "keine gültige E-Mail-Adresse" in bad.get_json()["detail"]
    good = anonymous_client.patch(
        url, json={"owners": [{"name": "Felix Marincel", "email": "felix@kreis-steinfurt.example"}]}, headers=headers
    )
    assert good.status_code == 200, good.get_json()
    assert "felix@" not in good.get_data(as_text=True)  # the API shows no addresses
    with app.app_context():
        email = db.session.scalar(sa.select(models.Person.email).where(models.Person.name == "Felix Marincel"))
        assert email == "felix@kreis-steinfurt.example"


@pytest.mark.db
def test_dsgvo_export_names_the_address_and_anonymising_removes_it(app, client, steinfurt_id):
    with app.app_context():
        person = db.session.scalar(sa.select(models.Person).where(models.Person.name == "Helen Büscher"))
        base = f"/verwaltung/organisationen/{person.organisation_id}/personen/{person.id}"
    data = form_data(client.get(base).get_data(as_text=True))
    data["email"] = "helen.buescher@kreis-steinfurt.example"
    assert client.post(base, data=data).status_code == 302
    assert client.get(base + "/auskunft.json").get_json()["person"]["email"] == data["email"]
    assert client.post(base + "/anonymisieren").status_code == 302
    with app.app_context():
        assert db.session.get(models.Person, person.id).email is None
        trail = db.session.scalars(sa.select(AuditEntry.new).where(AuditEntry.field == "email")).all()
        assert trail and data["email"] not in trail
