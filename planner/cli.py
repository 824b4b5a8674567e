"""The `planner` command. Commands import what they need lazily: `check` loads no web stack."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

import click


class _InputFile(click.ParamType):
    """An existing, readable file (not a directory), with German messages."""

    name = "datei"

    def convert(self, value, param, ctx) -> Path:
        path = Path(value)
        if not path.exists():
            self.fail(f"Die Datei „{path}“ gibt es nicht.", param, ctx)
        if path.is_dir():
            self.fail(f"„{path}“ ist ein Verzeichnis, keine Datei.", param, ctx)
        if not os.access(path, os.R_OK):
            self.fail(f"Die Datei „{path}“ ist nicht lesbar (Zugriffsrechte).", param, ctx)
        return path


class _OutputFile(click.ParamType):
    """A file to write: not a directory, in a directory that exists."""

    name = "zieldatei"

    def convert(self, value, param, ctx) -> Path:
        path = Path(value)
        if path.is_dir():
            self.fail(f"„{path}“ ist ein Verzeichnis; bitte einen Dateinamen angeben.", param, ctx)
        if not path.parent.is_dir():
            self.fail(f"Das Verzeichnis „{path.parent}“ gibt es nicht.", param, ctx)
        return path


class _Id(click.ParamType):
    """A database id: a whole number."""

    name = "id"

    def convert(self, value, param, ctx) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            self.fail(f"„{value}“ ist keine Zahl (erwartet wird eine ID wie 1).", param, ctx)


INPUT_FILE, OUTPUT_FILE, ID = _InputFile(), _OutputFile(), _Id()


def _german(exc: click.ClickException) -> str:
    """click's own messages are English: the German text for the usage errors planner users meet."""
    ctx = getattr(exc, "ctx", None)
    param = getattr(exc, "param", None)
    name = max(param.opts, key=len) if isinstance(param, click.Option) else getattr(param, "human_readable_name", "")
    hint = f"„{name}“" if name else ""
    if isinstance(exc, click.MissingParameter):
        return f"Angabe fehlt: {hint or exc.param_hint or ''}".strip()
    if isinstance(exc, click.BadParameter):
        return f"Ungültiger Wert für {hint}: {exc.message}" if hint else exc.message
    if isinstance(exc, click.NoSuchOption):
        return f"Unbekannte Option „{exc.option_name}“."
    if isinstance(exc, click.BadOptionUsage):
        return f"Die Option „{exc.option_name}“ ist falsch angegeben (fehlt ihr Wert?)."
    if isinstance(exc, click.FileError):
        return f"Die Datei „{exc.ui_filename}“ lässt sich nicht öffnen."
    if isinstance(exc, click.UsageError):
        if ctx is not None and ctx.invoked_subcommand is None and ctx.command is main:
            return "Unbekannter Befehl oder ungültiger Aufruf."
        return "Ungültiger Aufruf."
    return "Der Befehl ist fehlgeschlagen."


class _GermanGroup(click.Group):
    """The command group: usage errors answered in German (exit 2), never with a stack trace."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo("Abgebrochen.", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            if isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())):
                exc.show()  # `planner` alone: the help
                sys.exit(exc.exit_code)
            click.echo(f"Fehler: {_german(exc)}", err=True)
            ctx = getattr(exc, "ctx", None)
            if isinstance(exc, click.UsageError) and ctx is not None:
                click.echo(f"Hilfe: {ctx.command_path} --help", err=True)
            sys.exit(exc.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


def _day(text: str | None) -> date:
    """A --heute/--today option: the day given as JJJJ-MM-TT, else today in Berlin; exit 2 on anything else."""
    from .domain.german import berlin_today

    try:
        return date.fromisoformat(text) if text else berlin_today()
    except ValueError:
        click.echo(f"„{text}“ ist kein Datum (JJJJ-MM-TT).", err=True)
        sys.exit(2)


def _write(output: Path, data: bytes | str) -> None:
    """Write an output file; exit 1 with a German message when that is impossible."""
    try:
        if isinstance(data, str):
            output.write_text(data, encoding="utf-8")
        else:
            output.write_bytes(data)
    except OSError:
        click.echo(
            f"{output}: Die Datei lässt sich nicht schreiben (Verzeichnis oder Zugriffsrechte prüfen).", err=True
        )
        sys.exit(1)


def _load_file(path: Path):
    """Parse and validate a strategy file; exit 1 with the German problems on stderr."""
    from .formats.strategy_file import StrategyFileError, load_strategy

    try:
        return load_strategy(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        click.echo(f"{path}: Die Datei ist nicht UTF-8-kodiert.", err=True)
    except OSError:
        click.echo(f"{path}: Die Datei lässt sich nicht lesen.", err=True)
    except StrategyFileError as exc:
        click.echo(f"{path}: ungültig", err=True)
        for message in exc.messages:
            click.echo(f"  {message}", err=True)
    sys.exit(1)


def _app():
    from . import create_app

    return create_app()


@click.group(cls=_GermanGroup)
def main() -> None:
    """planner – Digitalisierungsstrategie und Umsetzungsfahrplan für Gesundheitsämter."""


def _raw_cycles(data: dict | None) -> dict:
    """The dependency cycles of an invalid file, read from its raw data: the analysis names them
    even when the file is refused for them (or for anything else). None: not even YAML."""
    from .domain.findings import raw_cycles

    return {"cycles": raw_cycles(data)} if data is not None else {}


@main.command()
@click.argument("file", type=INPUT_FILE)
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als JSON-Objekt ausgeben.")
@click.option("--today", "--heute", "today_text", default=None, help="Stichtag des Zeitstands als JJJJ-MM-TT.")
def check(file: Path, as_json: bool, today_text: str | None) -> None:
    """Prüft eine Strategiedatei, ohne Datenbank. Exit 0 wenn gültig, sonst 1."""
    from .formats.strategy_file import StrategyFileError, parse_yaml, strategy_from_data

    data = None  # parsed once: a refused file's cycles come from the same data
    today = _day(today_text)

    try:
        data = parse_yaml(file.read_text(encoding="utf-8"))
        strategy = strategy_from_data(data)
    except (StrategyFileError, UnicodeDecodeError) as exc:
        messages = exc.messages if isinstance(exc, StrategyFileError) else ["Die Datei ist nicht UTF-8-kodiert."]
        if as_json:
            failed = {"valid": False, "errors": messages, "measures": None, **_raw_cycles(data)}
            click.echo(json.dumps(failed, ensure_ascii=False))
        for message in messages:
            click.echo(message, err=True)
        sys.exit(1)
    report = {"valid": True, "errors": [], "measures": len(strategy.measures)}
    from .domain import findings

    report.update(findings.check_report(strategy, today))
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{file}: gültig – {len(strategy.measures)} Maßnahmen")
        for line in findings.check_summary(report):
            click.echo(f"  {line}")


@main.command("import")
@click.argument("file", type=INPUT_FILE)
def import_(file: Path) -> None:
    """Importiert eine Strategiedatei als neue Strategie ihrer Organisation."""
    strategy = _load_file(file)
    from .extensions import db
    from .services.whole_strategy import import_strategy

    with _app().app_context():
        row = import_strategy(db.session, strategy)
        db.session.commit()
        click.echo(f"Importiert: „{row.title}“ (ID {row.id}) mit {len(strategy.measures)} Maßnahmen")


@main.command()
@click.option("--strategy", "strategy_id", type=ID, required=True, help="ID der Strategie")
@click.option("-o", "--output", type=OUTPUT_FILE, help="Zieldatei (sonst stdout)")
def export(strategy_id: int, output: Path | None) -> None:
    """Exportiert eine Strategie als Strategiedatei (YAML)."""
    from .extensions import db
    from .formats.strategy_file import dump_strategy
    from .services.strategies import load_strategy_row
    from .services.whole_strategy import strategy_to_domain

    with _app().app_context():
        row = load_strategy_row(db.session, strategy_id)
        if row is None:
            click.echo(f"Keine Strategie mit der ID {strategy_id}.", err=True)
            sys.exit(1)
        text = dump_strategy(strategy_to_domain(row))
    if output:
        _write(output, text)
        click.echo(f"Exportiert nach {output}")
    else:
        click.echo(text, nl=False)


_NOT_IN_WORKBOOK = {
    "assessments": "Reifegradmessungen",
    "targets": "Zielstufen",
    "funding": "Förderaufrufe",
    "evaluations": "Evaluationen",
    "history": "frühere Versionen",
    "status_history": "Statusverläufe",
    "indicators": "Wirkungsindikatoren",
}


def _left_out(strategy) -> list[str]:
    """What a strategy holds that the Maßnahmenliste does not carry."""
    from .formats.strategy_file import strategy_to_data

    data = strategy_to_data(strategy)
    found = [key for key in ("assessments", "targets", "funding", "evaluations", "history") if data.get(key)]
    found += [key for key in ("status_history", "indicators") if any(m.get(key) for m in data["measures"])]
    return [_NOT_IN_WORKBOOK[key] for key in found]


@main.command()
@click.argument("file", type=INPUT_FILE)
@click.option("-o", "--output", type=OUTPUT_FILE, required=True, help="Zieldatei: .xlsx oder .yaml/.yml")
@click.option(
    "--today",
    "--heute",
    "today_text",
    default=None,
    help="Stichtag der Spalte „Stand heute“ (JJJJ-MM-TT), sonst heute.",
)
def convert(file: Path, output: Path, today_text: str | None) -> None:
    """Wandelt eine Strategiedatei (.yaml) in die Maßnahmenliste (.xlsx) um und zurück."""
    source, target = file.suffix.lower(), output.suffix.lower()
    if {source, target} not in ({".xlsx", ".yaml"}, {".xlsx", ".yml"}):
        click.echo("Bitte von .yaml/.yml nach .xlsx oder von .xlsx nach .yaml/.yml umwandeln.", err=True)
        sys.exit(2)
    if source == ".xlsx":
        from .formats.measure_workbook import WorkbookError, strategy_from_workbook
        from .formats.strategy_file import dump_strategy

        try:
            strategy = strategy_from_workbook(file.read_bytes())
        except OSError:
            click.echo(f"{file}: Die Datei lässt sich nicht lesen.", err=True)
            sys.exit(1)
        except WorkbookError as exc:
            click.echo(f"{file}: ungültig", err=True)
            for message in exc.problems:
                click.echo(f"  {message}", err=True)
            sys.exit(1)
        _write(output, dump_strategy(strategy))
    else:
        from .formats.measure_workbook import workbook_bytes

        strategy = _load_file(file)
        # a file's own addresses go along (its owner has them), in their column of the list
        addresses = any(o.email for m in strategy.measures for o in m.owners)
        _write(output, workbook_bytes(strategy, _day(today_text), addresses=addresses))
        if left_out := _left_out(strategy):
            click.echo(
                f"Hinweis: Die Maßnahmenliste enthält Strategie und Maßnahmen; nicht enthalten: {', '.join(left_out)}.",
                err=True,
            )
    click.echo(f"{file} → {output}: {len(strategy.measures)} Maßnahmen")


@main.command()
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None)
def seed(directory: Path | None) -> None:
    """Lädt die mitgelieferten Strategien, wenn die Datenbank noch leer ist."""
    import sqlalchemy as sa

    from . import models
    from .extensions import db
    from .services.whole_strategy import import_strategy

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
        from .services.land_sample import SAMPLE_FILE, seed_sample_land

        land = seed_sample_land(db.session, _load_file(SAMPLE_FILE))
        click.echo(f"Geladen: {land.organisation.name} – koordiniert die geladenen Gesundheitsämter (Landesebene)")
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
@click.option("--organisation", "organisation_id", type=ID, required=True, help="ID der Organisation")
@click.option("-o", "--output", type=OUTPUT_FILE, required=True)
@click.option(
    "--password-hashes",
    is_flag=True,
    help="Auch die Passwort-Hashes der Konten sichern (sonst müssen nach dem Einspielen neue Passwörter "
    "vergeben werden). Die Datei dann wie die Datenbank selbst schützen.",
)
def backup(organisation_id: int, output: Path, password_hashes: bool) -> None:
    """Sichert eine ganze Organisation (Strategien, Fassungen, Messungen, Bewertungen, Verlauf) als JSON."""
    from .extensions import db
    from .services import backup as service

    with _app().app_context():
        try:
            document = service.export_organisation(
                db.session.connection(), organisation_id, password_hashes=password_hashes
            )
        except LookupError:
            click.echo(f"Keine Organisation mit der ID {organisation_id}.", err=True)
            sys.exit(1)
    _write(output, service.dumps(document))
    click.echo(f"Gesichert: {document['organisation']['name']} nach {output}")


@main.command()
@click.argument("file", type=INPUT_FILE)
def restore(file: Path) -> None:
    """Spielt eine Sicherung in eine leere Datenbank ein (vorher `planner db upgrade`)."""
    from sqlalchemy.exc import SQLAlchemyError

    from .extensions import db
    from .services import backup as service

    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        document = None
    except json.JSONDecodeError as exc:
        click.echo(f"{file}: keine gültige JSON-Datei (Zeile {exc.lineno}, Spalte {exc.colno}).", err=True)
        sys.exit(1)
    if (
        not isinstance(document, dict)
        or not isinstance(document.get("tables"), dict)
        or not isinstance(document.get("organisation"), dict)
    ):
        click.echo(
            f"{file}: keine Sicherung von planner (erwartet wird eine mit `planner backup` erstellte JSON-Datei).",
            err=True,
        )
        sys.exit(1)
    with _app().app_context():
        try:
            with db.engine.begin() as conn:
                counts = service.restore(conn, document)
        except service.RestoreError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        except (SQLAlchemyError, AttributeError, TypeError, KeyError, ValueError):
            # a damaged or edited backup: the transaction is rolled back, the database stays as it was
            click.echo(
                f"{file}: Die Sicherung ist beschädigt oder passt nicht zu dieser Datenbank; nichts wurde eingespielt.",
                err=True,
            )
            sys.exit(1)
    name = document["organisation"].get("name", "")
    click.echo(f"Wiederhergestellt: {name} – {sum(counts.values())} Zeilen")
    without = service.accounts_without_password(document)
    if without:
        click.echo(
            f"{len(without)} Konten ohne Passwort (die Sicherung enthält keine Passwort-Hashes): "
            + ", ".join(without)
            + ". Neues Passwort für Administratoren: `planner create-admin --username NAME`; "
            "für alle anderen unter Verwaltung › Benutzer."
        )


@main.group("directory-groups")
def directory_groups() -> None:
    """Verzeichnisgruppen und ihre Rollen (Anmeldung über LDAP/Active Directory) als Datei."""


@directory_groups.command("export")
@click.option("-o", "--output", type=OUTPUT_FILE, required=True, help="Zieldatei (verzeichnisgruppen.yaml)")
def directory_groups_export(output: Path) -> None:
    """Schreibt alle Zuordnungen Verzeichnisgruppe → Organisation → Rolle als YAML-Datei."""
    from .extensions import db
    from .services import directory_groups as service

    with _app().app_context():
        count = len(service.mappings(db.session))
        text = service.export_yaml(db.session)
    _write(output, text)
    click.echo(f"{count} Zuordnung{'' if count == 1 else 'en'} nach {output} geschrieben.")


@directory_groups.command("import")
@click.argument("file", type=INPUT_FILE)
def directory_groups_import(file: Path) -> None:
    """Ersetzt alle Zuordnungen durch die der Datei (alles oder nichts)."""
    from .extensions import db
    from .services import directory_groups as service

    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        click.echo(f"{file}: Die Datei ist nicht UTF-8-kodiert; nichts wurde geändert.", err=True)
        sys.exit(1)
    except OSError:
        click.echo(f"{file}: Die Datei lässt sich nicht lesen.", err=True)
        sys.exit(1)
    with _app().app_context():
        try:
            count = service.import_yaml(db.session, text)
        except service.DirectoryGroupError as exc:
            db.session.rollback()
            click.echo(f"{file}: ungültig, nichts wurde geändert.", err=True)
            for problem in exc.problems:
                click.echo(f"  {problem}", err=True)
            sys.exit(1)
        db.session.commit()
    click.echo(f"{count} Zuordnung{'' if count == 1 else 'en'} übernommen; die bisherigen sind ersetzt.")


@main.command()
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 16), help="Gleichzeitige Aufträge.")
def worker(threads: int) -> None:
    """Erstellt die im Hintergrund angeforderten Dokumente (Landesbericht, Portfolio-PDF), bis der
    Prozess beendet wird. Für den Betrieb mit PLANNER_JOB_WORKER=process (siehe README)."""
    from .services import jobs

    app = _app()  # registers the kinds of documents (planner/web)

    click.echo(f"planner worker: {threads} Thread(s), Warteschlange in {jobs.queue(app).storage.__class__.__name__}")
    jobs.run_consumer(app, threads)


@main.group()
def db() -> None:
    """Datenbank-Migrationen (Alembic)."""


@db.command()
def upgrade() -> None:
    """Bringt die Datenbank (DATABASE_URL, sonst SQLite unter instance/) auf den neuesten Stand."""
    from .config import database_url
    from .migrate import upgrade as run_upgrade
    from .migrate import upgrade_report

    click.echo(upgrade_report(*run_upgrade(database_url())))


@main.command()
@click.argument("file", type=INPUT_FILE)
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
@click.argument("files", nargs=-1, required=True, type=INPUT_FILE, metavar="DATEI...")
@click.option("--today", "today_text", default=None, help="Stichtag als JJJJ-MM-TT (sonst das heutige Datum).")
@click.option("--json", "as_json", is_flag=True, help="Portfolio als JSON-Objekt ausgeben.")
def portfolio(files: tuple[Path, ...], today_text: str | None, as_json: bool) -> None:
    """Portfolio über die Strategiedateien mehrerer Gesundheitsämter: Reifegrad je Dimension (letzte und erste
    Messung), Förderaufrufe und je Dimension Ämter auf Stufe 3 und Median.

    „met“ je Förderaufruf: ob die Reifegrad-Regeln des Aufrufs von der Ausgangsmessung bis zur letzten Messung
    erfüllt sind; null ohne zwei vergleichbare Messungen. „stuck“: Ämter mit Handlungsbedarf und ihren Gründen
    (keine_messung, messung_aelter_24_monate, kein_fortschritt, planungszeitraum_abgelaufen); „trend“: je Dimension
    und Kalenderjahr Ämter mit Stufe, Median und Ämter auf Stufe 3 (jedes Amt mit seiner letzten Messung bis
    Jahresende)."""
    from .domain.portfolio import office, portfolio_json
    from .domain.portfolio_progress import REASON_LABELS, stuck_json, trend_json

    today = _day(today_text)
    offices = []
    for i, path in enumerate(files):
        strategy = _load_file(path)
        offices.append(office(i, strategy.organisation, None, strategy, strategy.assessments, today))
    report = portfolio_json(offices)
    report["stuck"] = stuck_json(offices, today)
    report["trend"] = trend_json(offices, today)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for o in report["offices"]:
        m = o["maturity"]
        levels = (
            "keine Reifegradmessung"
            if m is None
            else (
                f"Messung {m['date']}: "
                + " ".join("–" if v is None else str(v) for v in m["dimensions"])
                + f" – {m['at_stage_3']} Dimensionen auf Stufe 3"
            )
        )
        click.echo(f"{o['organisation']}: {o['measures']} Maßnahmen; {levels}")
    for d in report["dimensions"]:
        median = "–" if d["median"] is None else str(d["median"]).replace(".", ",")
        click.echo(f"  {d['name']}: {d['at_stage_3']} von {d['offices_assessed']} Ämtern auf Stufe 3, Median {median}")
    for s in report["stuck"]:
        click.echo(f"Handlungsbedarf {s['organisation']}: {', '.join(REASON_LABELS[c] for c in s['reasons'])}")


@main.command("demo-land")
@click.option(
    "--offices",
    "--aemter",
    "offices",
    type=int,
    default=45,
    show_default=True,
    help="Anzahl der fiktiven Gesundheitsämter.",
)
@click.option(
    "--measures",
    "--massnahmen",
    "measures",
    type=int,
    default=60,
    show_default=True,
    help="Maßnahmen je Amt (ungefähr).",
)
@click.option(
    "--seed",
    type=int,
    default=16,
    show_default=True,
    help="Startwert des Zufallsgenerators (gleicher Wert: gleiche Daten).",
)
def demo_land(offices: int, measures: int, seed: int) -> None:
    """Legt fiktive Gesundheitsämter mit Strategien und zwei Reifegradmessungen an, koordiniert von einer fiktiven Landesstelle."""
    from .extensions import db
    from .services.land_sample import demo_land as generate

    if not 1 <= offices <= 5000 or not 0 <= measures <= 500:
        click.echo("--offices muss zwischen 1 und 5000 liegen, --measures zwischen 0 und 500.", err=True)
        sys.exit(2)
    app = _app()
    with app.app_context():
        try:
            coordinator, ids = generate(db.session, offices, seed=seed, measures=measures)
        except ValueError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        db.session.commit()
    click.echo(
        f"{len(ids)} fiktive Gesundheitsämter angelegt, koordiniert von Organisation {coordinator} – Portfolio: /landesebene/{coordinator}"
    )


@main.command()
@click.argument("file", type=INPUT_FILE)
@click.option(
    "-o",
    "--output",
    type=OUTPUT_FILE,
    required=True,
    help="Zieldatei; das Format folgt der Endung: .svg, .png, .pdf oder .xml (MS Project, MSPDI).",
)
@click.option(
    "--dependencies", "--abhaengigkeiten", "dependencies", is_flag=True, help="Abhängigkeiten als Pfeile einzeichnen."
)
@click.option(
    "--critical-path/--no-critical-path",
    "--kritischer-pfad/--ohne-kritischen-pfad",
    "critical",
    default=True,
    help="Kritischen Pfad hervorheben.",
)
@click.option(
    "--today", "--heute", "today_text", default=None, help="Datum der Heute-Linie als JJJJ-MM-TT (sonst das heutige)."
)
@click.option(
    "--paper",
    "--papier",
    "paper",
    type=click.Choice(["a3", "a4"], case_sensitive=False),
    default="a3",
    show_default=True,
    help="PDF: Seitenformat (quer).",
)
def roadmap(file: Path, output: Path, dependencies: bool, critical: bool, today_text: str | None, paper: str) -> None:
    """Zeichnet den Umsetzungsfahrplan einer Strategiedatei als SVG, PNG oder PDF, oder schreibt ihn als MS-Project-XML."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png", "pdf", "xml"):
        click.echo(f"{output}: unbekanntes Format „{output.suffix}“ – bitte .svg, .png, .pdf oder .xml.", err=True)
        sys.exit(2)
    today = _day(today_text)
    strategy = _load_file(file)
    if fmt == "xml":
        from .formats.mspdi import dated_measures, roadmap_mspdi

        _write(output, roadmap_mspdi(strategy, today))
        click.echo(
            f"Fahrplan als MS-Project-XML geschrieben: {output} – {len(dated_measures(strategy))} Maßnahmen mit Termin"
        )
        return
    from .charts.common import render
    from .charts.gantt import gantt_chart, gantt_text
    from .charts.tables import gantt_table
    from .domain.schedule import analyse

    analysis = analyse(strategy)
    fig = gantt_chart(strategy, analysis, today=today, dependencies=dependencies, critical=critical)
    table = gantt_table(strategy, analysis, today) if fmt == "pdf" else None
    _write(output, render(fig, fmt, *gantt_text(strategy, analysis, today), table, paper=paper.lower()))
    n = len(analysis.conflicts)
    click.echo(f"Fahrplan geschrieben: {output} – {n} Zeitkonflikt{'' if n == 1 else 'e'}")


@main.command()
@click.argument("file", type=INPUT_FILE)
@click.option(
    "--today", "--heute", "today_text", default=None, help="Stichtag als JJJJ-MM-TT (sonst das heutige Datum)."
)
@click.option("--json", "as_json", is_flag=True, help="Kalender als JSON-Objekt ausgeben.")
def evaluations(file: Path, today_text: str | None, as_json: bool) -> None:
    """Evaluationskalender einer Strategiedatei: Prozess- und Wirkungsevaluationen, fällig und überfällig."""
    from .domain.verstetigung import calendar, calendar_lines

    today = _day(today_text)
    strategy = _load_file(file)
    entries = calendar(strategy, today)
    if as_json:
        click.echo(json.dumps({"evaluations": [d.as_json() for d in entries]}, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(calendar_lines(strategy, entries)))


@main.command()
@click.argument("file", type=INPUT_FILE)
@click.option(
    "-o",
    "--output",
    type=OUTPUT_FILE,
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
    _write(output, render(bundle))
    count = len(bundle.sheets)
    click.echo(f"Steckbriefe geschrieben: {output} – {count} {'Maßnahme' if count == 1 else 'Maßnahmen'}")


@main.command()
@click.argument("file", type=INPUT_FILE)
@click.option("--today", "--heute", "today_text", default=None, help="Tag des Reviews als JJJJ-MM-TT.")
@click.option("-o", "--output", type=OUTPUT_FILE, required=True, help="Zieldatei (.pdf).")
def review(file: Path, today_text: str | None, output: Path) -> None:
    """Schreibt die Unterlage des Strategiereviews einer Strategiedatei als PDF: mit den
    Entscheidungen ihres letzten Strategiereviews (Abschnitt `reviews`), sonst mit den
    vorgeschlagenen Entscheidungen je Maßnahme."""
    if output.suffix.lower() != ".pdf":
        click.echo(f"{output}: unbekanntes Format „{output.suffix}“ – bitte .pdf.", err=True)
        sys.exit(2)
    strategy = _load_file(file)
    today = _day(today_text)
    import tempfile

    from sqlalchemy.orm import Session

    from .extensions import create_engine
    from .models import Model
    from .services import review as review_service
    from .services.strategies import ValidationFailed
    from .services.whole_strategy import import_strategy

    # a throwaway database read through the services, as the app's PDF route reads its own; no app is built
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/review.db")
        try:
            Model.metadata.create_all(engine)
            with Session(engine, expire_on_commit=False) as session:
                try:
                    row = import_strategy(session, strategy)
                except ValidationFailed as exc:
                    click.echo(f"{file}: ungültig", err=True)
                    for p in exc.problems:
                        click.echo(f"  {p}", err=True)
                    sys.exit(1)
                recorded = review_service.reviews_of(session, row)  # newest first
                item = recorded[0] if recorded else review_service.prepare(session, row, today, "")
                data = review_service.review_document(session, row, item, item.held_on or today)
                count = len(item.decisions)
                held = item.held_on.strftime("%d.%m.%Y") if recorded and item.held_on else None
        finally:
            engine.dispose()
    _write(output, data)
    measures = f"{count} {'Maßnahme' if count == 1 else 'Maßnahmen'}"
    if recorded:
        click.echo(
            f"Strategiereview geschrieben: {output} – {measures} mit den Entscheidungen des Strategiereviews"
            + (f" vom {held}" if held else "")
        )
    else:
        click.echo(f"Strategiereview geschrieben: {output} – {measures} mit vorgeschlagener Entscheidung")


@main.command("continue")
@click.argument("file", type=INPUT_FILE)
@click.option("--today", "--heute", "today_text", default=None, help="Tag der Fortschreibung als JJJJ-MM-TT.")
@click.option("-o", "--output", type=OUTPUT_FILE, required=True, help="Zieldatei der neuen Version (.yaml).")
@click.option(
    "--version", "version", default=None, help="Bezeichnung der neuen Version (sonst „Fortschreibung MM/JJJJ“)."
)
def continue_(file: Path, today_text: str | None, output: Path, version: str | None) -> None:
    """Schreibt die Fortschreibung einer Strategiedatei: die nächste Version aus den Entscheidungen
    ihres letzten abgeschlossenen Strategiereviews (Abschnitt `reviews`), als Entwurf bis zum Beschluss."""
    if output.suffix.lower() not in (".yaml", ".yml"):
        click.echo(f"{output}: unbekanntes Format „{output.suffix}“ – bitte .yaml.", err=True)
        sys.exit(2)
    strategy = _load_file(file)
    today = _day(today_text)
    if not any(r.finalised for r in strategy.reviews):
        click.echo(f"{file}: kein abgeschlossenes Strategiereview – die Fortschreibung setzt eines voraus.", err=True)
        sys.exit(1)
    import tempfile

    from . import create_app
    from .domain.fortschreibung import default_name, default_start
    from .domain.verstetigung_versions import FortschreibungError
    from .extensions import db
    from .formats.strategy_file import dump_strategy
    from .models import Model
    from .services import fortschreibung
    from .services import review as review_service
    from .services.strategies import ValidationFailed
    from .services.whole_strategy import import_strategy, strategy_to_domain

    with tempfile.TemporaryDirectory() as tmp:  # a throwaway database: the one service reads stored rows
        app = create_app(
            {"SQLALCHEMY_ENGINES": {"default": f"sqlite:///{tmp}/continue.db"}, "TODAY": today.isoformat()}
        )
        with app.app_context(), app.test_request_context():
            Model.metadata.create_all(db.engine)
            try:
                row = import_strategy(db.session, strategy)
                review = review_service.latest_finalised(db.session, row)
                name = version or default_name(default_start(review.held_on or today))
                result = fortschreibung.from_review(db.session, row, review, today=today, version=name)
                new_row = fortschreibung.create(
                    db.session, row, result, vision=strategy.vision, mission=strategy.mission, by=""
                )
                text = dump_strategy(strategy_to_domain(new_row))
            except ValidationFailed as exc:
                click.echo(f"{file}: ungültig", err=True)
                for p in exc.problems:
                    click.echo(f"  {p}", err=True)
                sys.exit(1)
            except FortschreibungError as exc:
                click.echo(f"{file}: {exc}", err=True)
                sys.exit(1)
            finally:
                db.session.rollback()
                db.engine.dispose()
    _write(output, text)
    carried = sum(1 for line in result.lines if line.carried)
    click.echo(
        f"Fortschreibung geschrieben: {output} – Version „{result.strategy.version}“, "
        f"Zeitraum {result.start.german()} – {result.end.german()}, {carried} Maßnahmen übernommen, "
        f"{len(result.conflicts)} Zeitkonflikte; Entwurf bis zum Beschluss"
    )
    for line in result.lines:
        click.echo(f"  {line.title}: {line.after} – {line.reason}")
    for r in result.removed:
        click.echo(f"  Abhängigkeit entfernt: „{r.measure}“ von „{r.prerequisite}“ ({r.why})")


@main.command()
@click.option("-o", "--output", type=OUTPUT_FILE, default=None)
def schema(output: Path | None) -> None:
    """Gibt das JSON Schema der Strategiedatei aus."""
    from .formats.schema import schema_json

    if output:
        _write(output, schema_json())
    else:
        click.echo(schema_json(), nl=False)


if __name__ == "__main__":
    main()


@main.command("mail-test")
@click.argument("address")
def mail_test(address: str) -> None:
    """Schickt eine Testmail an ADDRESS (PLANNER_SMTP_URL, PLANNER_MAIL_FROM) und zeigt die Antwort des Servers."""
    import smtplib

    from .config import mail_settings
    from .domain.validation import email_problem
    from .services import mail

    if problem := email_problem(address):
        click.echo(problem, err=True)
        sys.exit(2)
    settings, reason = mail.settings_or_none(mail_settings())
    if settings is None:
        click.echo(reason, err=True)
        sys.exit(1)
    try:
        answer = mail.send_test(settings, address)
    except (smtplib.SMTPException, OSError) as exc:
        click.echo(f"Nicht verschickt: {mail.describe_problem(exc)}", err=True)
        sys.exit(1)
    click.echo(f"Testmail an {address} übergeben an {settings.host}:{settings.port}. Antwort des Servers: {answer}")


@main.command()
@click.option("--today", "today_text", metavar="JJJJ-MM-TT", help="Stichtag (ohne Angabe: heute)")
def remind(today_text: str | None) -> None:
    """Erinnert per Mail an fällige und überfällige Evaluationen, montags mit Wochenübersicht (täglich per cron/systemd)."""
    from .web import reminders

    day = _day(today_text)
    app = _app()
    with app.app_context():
        from .web.mails import settings

        configured, reason = settings()
        if configured is None:
            click.echo(f"{reason} Es wurde nichts verschickt.", err=True)
            sys.exit(1)
        if not app.config.get("BASE_URL"):
            click.echo(
                "PLANNER_BASE_URL fehlt: die Mails brauchen absolute Links (z. B. https://planner.kreis.example).",
                err=True,
            )
            sys.exit(1)
        result = reminders.run(day)
    names = len(result.queued)
    click.echo(
        f"{day.strftime('%d.%m.%Y')}: {names} neue Mail{'' if names == 1 else 's'} für {names} Person{'' if names == 1 else 'en'}."
    )
    delivery = result.delivery
    if delivery is not None:
        click.echo(f"Verschickt: {delivery.sent}; wartend: {delivery.waiting}.")
        if delivery.waiting:
            click.echo(
                f"Der Mailserver hat nicht angenommen: {delivery.problem} Die Mails bleiben für den nächsten Lauf.",
                err=True,
            )
            sys.exit(3)
