"""Issue 10, defect 10: download names are built safely from any text, in one place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planner import models
from planner.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_content_disposition_from_hostile_names():
    from planner.web.downloads import content_disposition

    for name in (
        'a"b.yaml',
        "1\r\nSet-Cookie: x=1.yaml",
        "zeile\nzwei.pdf",
        "../../etc/passwd",
        "C:\\boot.ini",
        "Gesundheitsamt Köln – Entwurf „2“.pdf",
        "\x00\x1b[31m.ics",
        "名前.docx",
        "",
        "x" * 1000 + ".pdf",
    ):
        value = content_disposition(name)
        assert value.isascii() and value.isprintable(), (name, value)
        assert "\r" not in value and "\n" not in value
        assert value.startswith('attachment; filename="')
        plain = re.match(r'attachment; filename="([^"]*)"', value).group(1)
        assert plain and "/" not in plain and "\\" not in plain, value
        assert len(value) < 1200
    assert content_disposition("bericht.pdf") == 'attachment; filename="bericht.pdf"'
    assert content_disposition("bild.svg", inline=True) == 'inline; filename="bild.svg"'
    umlaut = content_disposition("Köln.pdf")
    assert umlaut == "attachment; filename=\"Koeln.pdf\"; filename*=UTF-8''K%C3%B6ln.pdf"
    assert content_disposition("x" * 1000 + ".pdf").split('"')[1].endswith(".pdf")


@pytest.mark.db
def test_downloads_with_a_version_text_holding_line_breaks(app, client, sample_id):
    with app.app_context():
        row = db.session.get(models.Strategy, sample_id)
        row.version = 'v1\r\nX-Injected: ja "quote" ä'
        row.organisation.name = "Amt\r\nSet-Cookie: boese=1"
        db.session.commit()
    for path in (
        f"/strategien/{sample_id}/export.yaml",
        f"/strategien/{sample_id}/fahrplan.svg",
        f"/strategien/{sample_id}/evaluationen.ics",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        disposition = response.headers["Content-Disposition"]
        assert "\r" not in disposition and "\n" not in disposition and disposition.isascii(), disposition
        assert "X-Injected" not in response.headers and "boese" not in response.headers.get("Set-Cookie", "")


def test_every_download_goes_through_the_one_helper():
    """Nobody builds a Content-Disposition header by hand again."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "planner").rglob("*.py")
        if "Content-Disposition" in path.read_text(encoding="utf-8") and path.name != "downloads.py"
    ]
    assert offenders == []
    uses = sum(path.read_text(encoding="utf-8").count("download(") for path in (ROOT / "planner" / "web").glob("*.py"))
    assert uses >= 12
