"""Issue 23 ("Hardening round 2"): small defects of the command line, the bundled data and the
accounts (defects 11 and 12); the kept forms (defect 5) and double submits (defect 8)."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT, run

from planner.formats.strategy_file import load_strategy
from planner.migrate import upgrade


def test_db_upgrade_says_what_it_did(tmp_path: Path, monkeypatch):
    """Defect 12: a new database is created, an old one updated, a current one left alone."""
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    created = run("db", "upgrade")
    assert created.exit_code == 0, created.output
    assert created.output.startswith("Datenbank angelegt (Schema-Version "), created.output
    assert "0005_auth" not in created.output  # the versions it stands at now, not the ones passed
    again = run("db", "upgrade")
    assert again.output.startswith("Datenbank ist auf dem neuesten Stand (Schema-Version "), again.output

    old = tmp_path / "old.db"
    upgrade(f"sqlite:///{old}", "0001")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{old}")
    updated = run("db", "upgrade")
    assert updated.output.startswith("Datenbank aktualisiert von Schema-Version 0001 auf "), updated.output


def test_no_bundled_strategy_repeats_its_version_in_its_title():
    """Defect 12: pages show „Titel (Version)“; a title that already ends with its version read
    „Landesmaßnahmen Digitalisierung ÖGD (Beispiel) (Beispiel)“."""
    files = [*(ROOT / "strategies").glob("*.yaml"), *(ROOT / "planner" / "data").glob("*.yaml")]
    assert any(f.name == "landesstelle-beispiel.yaml" for f in files)
    for path in files:
        text = path.read_text(encoding="utf-8")
        if "format: planner-strategy/" not in text:
            continue
        strategy = load_strategy(text)
        if strategy.version:
            assert not strategy.title.endswith(f"({strategy.version})"), path.name
