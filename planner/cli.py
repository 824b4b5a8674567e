"""The `planner` command. Commands import what they need lazily: `check` loads no web stack."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


def _load_file(path: Path):
    """Parse and validate a strategy file; exit 1 with the German problems on stderr."""
    from .formats.strategy_file import StrategyFileError, load_strategy

    try:
        return load_strategy(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        click.echo(f"{path}: Die Datei ist nicht UTF-8-kodiert.", err=True)
    except StrategyFileError as exc:
        click.echo(f"{path}: ungültig", err=True)
        for message in exc.messages:
            click.echo(f"  {message}", err=True)
    sys.exit(1)


def _app():
    from . import create_app

    return create_app()


@click.group()
def main() -> None:
    """planner – Digitalisierungsstrategie und Umsetzungsfahrplan für Gesundheitsämter."""


def _raw_cycles(file: Path) -> dict:
    """The dependency cycles of an invalid file, read from its raw data: the analysis names them
    even when the file is refused for them (or for anything else)."""
    from .domain.findings import raw_cycles
    from .formats.strategy_file import StrategyFileError, parse_yaml

    try:
        return {"cycles": raw_cycles(parse_yaml(file.read_text(encoding="utf-8")))}
    except (StrategyFileError, UnicodeDecodeError):
        return {}


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als JSON-Objekt ausgeben.")
def check(file: Path, as_json: bool) -> None:
    """Prüft eine Strategiedatei, ohne Datenbank. Exit 0 wenn gültig, sonst 1."""
    from .formats.strategy_file import StrategyFileError, load_strategy

    try:
        strategy = load_strategy(file.read_text(encoding="utf-8"))
    except (StrategyFileError, UnicodeDecodeError) as exc:
        messages = exc.messages if isinstance(exc, StrategyFileError) else ["Die Datei ist nicht UTF-8-kodiert."]
        if as_json:
            failed = {"valid": False, "errors": messages, "measures": None, **_raw_cycles(file)}
            click.echo(json.dumps(failed, ensure_ascii=False))
        for message in messages:
            click.echo(message, err=True)
        sys.exit(1)
    report = {"valid": True, "errors": [], "measures": len(strategy.measures)}
    from .domain import findings

    report.update(findings.check_report(strategy))
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{file}: gültig – {len(strategy.measures)} Maßnahmen")
        for line in findings.check_summary(report):
            click.echo(f"  {line}")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    """Importiert eine Strategiedatei als neue Strategie ihrer Organisation."""
    strategy = _load_file(file)
    from .extensions import db
    from .services.strategies import import_strategy

    with _app().app_context():
        row = import_strategy(db.session, strategy)
        db.session.commit()
        click.echo(f"Importiert: „{row.title}“ (ID {row.id}) mit {len(strategy.measures)} Maßnahmen")


@main.command()
@click.option("--strategy", "strategy_id", type=int, required=True, help="ID der Strategie")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Zieldatei (sonst stdout)")
def export(strategy_id: int, output: Path | None) -> None:
    """Exportiert eine Strategie als Strategiedatei (YAML)."""
    from .extensions import db
    from .formats.strategy_file import dump_strategy
    from .services.strategies import load_strategy_row, strategy_to_domain

    with _app().app_context():
        row = load_strategy_row(db.session, strategy_id)
        if row is None:
            click.echo(f"Keine Strategie mit der ID {strategy_id}.", err=True)
            sys.exit(1)
        text = dump_strategy(strategy_to_domain(row))
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Exportiert nach {output}")
    else:
        click.echo(text, nl=False)


@main.command()
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None)
def seed(directory: Path | None) -> None:
    """Lädt die mitgelieferten Strategien, wenn die Datenbank noch leer ist."""
    import sqlalchemy as sa

    from . import models
    from .extensions import db
    from .services.strategies import import_strategy

    app = _app()
    directory = directory or Path(app.config["STRATEGIES_DIR"])
    with app.app_context():
        if db.session.scalar(sa.select(sa.func.count()).select_from(models.Strategy)):
            click.echo("Datenbank enthält bereits Strategien – nichts geladen.")
            return
        for path in sorted(directory.glob("*.yaml")):
            strategy = _load_file(path)
            import_strategy(db.session, strategy)
            click.echo(f"Geladen: {path.name} – {strategy.title} ({len(strategy.measures)} Maßnahmen)")
        db.session.commit()


@main.command("create-admin")
@click.option("--username", default="admin", show_default=True)
@click.option("--password", default=None, help="Sonst wird eines erzeugt und einmal ausgegeben.")
@click.option("--first-run", is_flag=True, help="Nur anlegen, wenn es noch kein Konto gibt (für `make run`).")
def create_admin(username: str, password: str | None, first_run: bool) -> None:
    """Legt ein Administratorkonto an (oder setzt dessen Passwort neu)."""
    from .services.accounts import create_admin as create

    with _app().app_context():
        result = create(username, password, only_if_no_users=first_run)
    if result is None:
        return
    name, generated = result
    if generated:
        click.echo("=" * 64)
        click.echo("  Erstes Administratorkonto angelegt – bitte notieren, es wird nur jetzt angezeigt:")
        click.echo(f"    Benutzername: {name}")
        click.echo(f"    Passwort:     {generated}")
        click.echo("  Ändern unter Verwaltung › Benutzer nach der Anmeldung.")
        click.echo("=" * 64)
    else:
        click.echo(f"Administratorkonto „{name}“ ist eingerichtet.")


@main.command()
@click.option("--organisation", "organisation_id", type=int, required=True, help="ID der Organisation")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def backup(organisation_id: int, output: Path) -> None:
    """Sichert eine ganze Organisation (Strategien, Fassungen, Messungen, Bewertungen, Verlauf) als JSON."""
    from .extensions import db
    from .services import backup as service

    with _app().app_context():
        try:
            document = service.export_organisation(db.session.connection(), organisation_id)
        except LookupError:
            click.echo(f"Keine Organisation mit der ID {organisation_id}.", err=True)
            sys.exit(1)
    output.write_text(service.dumps(document), encoding="utf-8")
    click.echo(f"Gesichert: {document['organisation']['name']} nach {output}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(file: Path) -> None:
    """Spielt eine Sicherung in eine leere Datenbank ein (vorher `planner db upgrade`)."""
    from .extensions import db
    from .services import backup as service

    document = json.loads(file.read_text(encoding="utf-8"))
    with _app().app_context():
        try:
            with db.engine.begin() as conn:
                counts = service.restore(conn, document)
        except service.RestoreError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
    click.echo(f"Wiederhergestellt: {document['organisation']['name']} – {sum(counts.values())} Zeilen")


@main.group()
def db() -> None:
    """Datenbank-Migrationen (Alembic)."""


@db.command()
def upgrade() -> None:
    """Bringt die Datenbank (DATABASE_URL, sonst SQLite unter instance/) auf den neuesten Stand."""
    from .config import database_url
    from .migrate import upgrade as run_upgrade

    url = database_url()
    run_upgrade(url)
    click.echo("Datenbank ist auf dem neuesten Stand.")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Stufen als JSON-Objekt ausgeben.")
def maturity(file: Path, as_json: bool) -> None:
    """Berechnet die Reifegradstufen der Messungen einer Strategiedatei (Subdimensionen und Dimensionen)."""
    from .domain.maturity import levels_report, levels_text

    strategy = _load_file(file)
    if as_json:
        click.echo(json.dumps(levels_report(strategy.assessments), ensure_ascii=False, indent=2))
    elif not strategy.assessments:
        click.echo(f"{file}: keine Reifegradmessungen")
    else:
        click.echo("\n".join(levels_text(strategy.assessments)))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Zieldatei; das Format folgt der Endung: .svg, .png oder .pdf.",
)
@click.option("--abhaengigkeiten", is_flag=True, help="Abhängigkeiten als Pfeile einzeichnen.")
@click.option("--kritischer-pfad/--ohne-kritischen-pfad", default=True, help="Kritischen Pfad hervorheben.")
@click.option("--heute", default=None, help="Datum der Heute-Linie als JJJJ-MM-TT (sonst das heutige).")
def roadmap(file: Path, output: Path, abhaengigkeiten: bool, kritischer_pfad: bool, heute: str | None) -> None:
    """Zeichnet den Umsetzungsfahrplan einer Strategiedatei als SVG, PNG oder PDF."""
    from datetime import date

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png", "pdf"):
        click.echo(f"{output}: unbekanntes Format „{output.suffix}“ – bitte .svg, .png oder .pdf.", err=True)
        sys.exit(2)
    try:
        today = date.fromisoformat(heute) if heute else date.today()
    except ValueError:
        click.echo(f"„{heute}“ ist kein Datum (JJJJ-MM-TT).", err=True)
        sys.exit(2)
    strategy = _load_file(file)
    from .charts.common import render
    from .charts.gantt import gantt_chart, gantt_text
    from .domain.schedule import analyse

    analysis = analyse(strategy)
    fig = gantt_chart(strategy, analysis, today=today, dependencies=abhaengigkeiten, critical=kritischer_pfad)
    output.write_bytes(render(fig, fmt, *gantt_text(strategy, analysis, today)))
    n = len(analysis.conflicts)
    click.echo(f"Fahrplan geschrieben: {output} – {n} Zeitkonflikt{'' if n == 1 else 'e'}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--today", "today_text", default=None, help="Stichtag als JJJJ-MM-TT (sonst das heutige Datum).")
@click.option("--json", "as_json", is_flag=True, help="Kalender als JSON-Objekt ausgeben.")
def evaluations(file: Path, today_text: str | None, as_json: bool) -> None:
    """Evaluationskalender einer Strategiedatei: Prozess- und Wirkungsevaluationen, fällig und überfällig."""
    from datetime import date

    from .domain.verstetigung import calendar, calendar_lines

    try:
        today = date.fromisoformat(today_text) if today_text else date.today()
    except ValueError:
        click.echo(f"„{today_text}“ ist kein Datum (JJJJ-MM-TT).", err=True)
        sys.exit(2)
    strategy = _load_file(file)
    entries = calendar(strategy, today)
    if as_json:
        click.echo(json.dumps({"evaluations": [d.as_json() for d in entries]}, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(calendar_lines(strategy, entries)))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Zieldatei; das Format folgt der Endung: .pdf oder .docx.",
)
@click.option("--measure", "measure", default=None, help="Nur der Steckbrief der Maßnahme mit dieser ID.")
@click.option("--dimension", default=None, help="Nur Maßnahmen dieser Dimension.")
@click.option("--owner", default=None, help="Nur Maßnahmen dieser Verantwortlichen (Name).")
@click.option("--status", default=None, help="Nur Maßnahmen mit diesem Status (z. B. geplant, „in Umsetzung“).")
def steckbriefe(
    file: Path, output: Path, measure: str | None, dimension: str | None, owner: str | None, status: str | None
) -> None:
    """Schreibt die Maßnahmensteckbriefe einer Strategiedatei als PDF oder Word-Datei."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "docx"):
        click.echo(f"{output}: unbekanntes Format „{output.suffix}“ – bitte .pdf oder .docx.", err=True)
        sys.exit(2)
    strategy = _load_file(file)
    from .steckbriefe import FilterError, SheetFilter, bundle_view

    try:
        bundle = bundle_view(strategy, SheetFilter(measure, dimension, owner, status))
    except FilterError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    if fmt == "pdf":
        from .steckbriefe.render import bundle_pdf as render
    else:
        from .steckbriefe.word import bundle_docx as render
    output.write_bytes(render(bundle))
    count = len(bundle.sheets)
    click.echo(f"Steckbriefe geschrieben: {output} – {count} {'Maßnahme' if count == 1 else 'Maßnahmen'}")


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def schema(output: Path | None) -> None:
    """Gibt das JSON Schema der Strategiedatei aus."""
    from .formats.schema import schema_json

    if output:
        output.write_text(schema_json(), encoding="utf-8")
    else:
        click.echo(schema_json(), nl=False)


if __name__ == "__main__":
    main()
