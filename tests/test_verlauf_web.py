"""Verlauf people can read: 50 lines a page, filters by field, person and date, Berlin time, internal
fields hidden, an import as one line."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from lxml import html as lxml_html

from planner import models
from planner.extensions import db
from planner.models.auth import AuditEntry

pytestmark = pytest.mark.db


def _rows(text: str) -> list[str]:
    doc = lxml_html.fromstring(text)
    return [
        " ".join(" ".join(tr.itertext()).split())
        for tr in doc.xpath("//table[contains(@class,'audit-table')]/tbody/tr")
    ]


def _edit_title(client, sid: int, key: str, title: str) -> None:
    from auth_support import form_data

    url = f"/strategien/{sid}/massnahmen/{key}/bearbeiten"
    data = form_data(client.get(url).text)
    data["title"] = title
    assert client.post(url, data=data).status_code == 302


def test_import_is_one_line_and_internal_fields_are_hidden(app, client, sample_id):
    text = client.get(f"/verwaltung/verlauf/strategies/{sample_id}").text
    rows = _rows(text)
    assert len(rows) == 1 and "importiert (" in rows[0] and "Änderungen)" in rows[0]
    with app.app_context():
        mid, key = db.session.execute(
            sa.select(models.Measure.id, models.Measure.key).where(models.Measure.strategy_id == sample_id)
        ).first()
    _edit_title(client, sample_id, key, "Neuer Titel")
    rows = _rows(client.get(f"/verwaltung/verlauf/measures/{mid}").text)
    assert any("Titel" in r and "Neuer Titel" in r for r in rows)
    assert not any("lock_version" in r or "Schlüssel:" in r or "Position:" in r for r in rows)


def test_fifty_lines_a_page_and_filters(app, client, sample_id, make_user):
    with app.app_context():
        mid, key = db.session.execute(
            sa.select(models.Measure.id, models.Measure.key).where(models.Measure.strategy_id == sample_id)
        ).first()
    for n in range(55):
        _edit_title(client, sample_id, key, f"Titel {n}")
    base = f"/verwaltung/verlauf/measures/{mid}"
    first = client.get(base).text
    assert len(_rows(first)) == 50 and "Seite 1 von 2" in first
    second = client.get(base + "?seite=2").text
    import re

    total = int(re.search(r"(\d+) Einträge, Seite 1 von 2", first)[1])
    assert total >= 56 and len(_rows(second)) == total - 50  # 55 title changes, the creation, owners, links
    assert "Titel 54" in _rows(first)[0]
    only_titles = client.get(base + "?feld=Titel").text
    assert "55 Einträge" in only_titles
    assert client.get(base + "?person=niemand").text.count("Keine Änderungen für diesen Filter") == 1
    # a change at 22:30 UTC on 30 June is 00:30 on 1 July in Berlin, and filtered by the Berlin day
    with app.app_context():
        newest = db.session.scalar(sa.select(AuditEntry.change_id).order_by(AuditEntry.id.desc()).limit(1))
        db.session.execute(
            sa.update(AuditEntry).where(AuditEntry.change_id == newest).values(at=dt.datetime(2026, 6, 30, 22, 30))
        )
        db.session.commit()
    day = client.get(base + "?von=01.07.2026&bis=01.07.2026").text
    assert len(_rows(day)) == 1 and _rows(day)[0].startswith("01.07.2026 00:30")
    bad = client.get(base + "?von=gestern&seite=x")
    assert bad.status_code == 200 and "„gestern“ ist kein Datum" in bad.text
