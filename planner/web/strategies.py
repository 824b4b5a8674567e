"""Organisations and their strategies: overview, strategy page, edit, import and export."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from .. import models
from ..domain.catalogue import catalogue
from ..domain.lagebild import period_ended
from ..domain.months import Month, month_of, parse_month
from ..domain.review import version_groups
from ..extensions import db
from ..formats.strategy_file import StrategyFileError, dump_strategy, load_strategy
from ..services import cache, fortschreibung, verlauf
from ..services import strategies as service
from ..services import verstetigung as verstetigung_records
from ..services import whole_strategy as whole
from ..services.locking import EditConflict
from . import clock, nav
from .access import (
    get_strategy_or_404,
    may_create_organisation,
    may_write,
    reads_shared,
    successor_of,
    visible_organisation_ids,
)
from .cached import conditional, parts, strategy_scopes, visible_scopes
from .downloads import download
from .forms import MALFORMED_VERSION, SENT_TWICE, UploadForm, lines, parse_month_field, seen_version
from .forms.strategies import StrategyForm
from .sharing import shared_by_others, sharing_of

bp = Blueprint("strategies", __name__)


def visible_organisations() -> list[models.Organisation]:
    """The organisations the current user may see, with their strategies, by name."""
    return service.organisations_with_strategies(db.session, visible_organisation_ids())


def strategy_versions(organisations: list[models.Organisation]) -> dict[int, list[tuple]]:
    """Per organisation its strategies as (current version, [earlier versions, newest first])."""
    successors = verstetigung_records.successors(db.session)
    shown = {}
    for org in organisations:
        by_id = {s.id: s for s in org.strategies}
        groups = version_groups(list(by_id), successors)
        shown[org.id] = [(by_id[current], [by_id[i] for i in older]) for current, older in groups]
    return shown


def measure_counts(organisations: list[models.Organisation]) -> dict[int, int]:
    """Number of measures per strategy of these organisations, in one query."""
    return service.measure_counts(db.session, [s.id for o in organisations for s in o.strategies])


@bp.get("/strategien")
def index():
    """Organisations and their strategies (answered 304 while none of them changed)."""

    def respond(_read):
        organisations = visible_organisations()
        return render_template(
            "strategies/index.html",
            organisations=organisations,
            versions=strategy_versions(organisations),
            measure_counts=measure_counts(organisations),
            shared=shared_by_others(),
        )

    return conditional([], respond, within=visible_scopes())


@bp.get("/strategien/<int:strategy_id>")
def detail(strategy_id: int):
    """Vision, mission, principles and the measures grouped by dimension. The measure tables and
    the Verlauf are a cached part; the strategy is read only when it is not there."""
    row = get_strategy_or_404(strategy_id, load=False)
    scopes = strategy_scopes(row)

    def respond(read):
        newer = successor_of(row)
        selected = clock.selected_state(request.args.get("zeitstand"))
        shared = reads_shared(row)  # a reader of another office's shared strategy sees no Verlauf
        write = may_write(row.organisation_id) and not newer
        options = {"strategy": row.id, "day": clock.today(), "selected": selected, "write": write, "shared": shared}

        def render():
            strategy = service.read_strategy(db.session, row)
            shown, counts, chosen = clock.schedule_filter(strategy.measures, selected)
            groups = [(dim, [m for m in shown if m.dimension == dim.name]) for dim in catalogue().dimensions]
            made = {
                "measures": render_template(
                    "strategies/_measures.html",
                    row=row,
                    strategy=strategy,
                    groups=groups,
                    counts=counts,
                    selected=chosen,
                    newer=newer,
                )
            }
            if not shared:
                recent = verlauf.recent(db.session, "strategies", row.id)
                made["verlauf"] = render_template(
                    "admin/_history_part.html", table="strategies", object_id=row.id, recent=recent
                )
            return made

        shown = parts(cache.stamp(read, scopes), "strategy page", options, render)
        return render_template(
            "strategies/detail.html",
            row=row,
            parts=shown,
            newer=newer,
            writable=write,
            sharing=sharing_of(row),
            adoption=fortschreibung.adoption_text(db.session, row),
            ended=None if newer else period_ended(parse_month(row.window_end), clock.today()),
        )

    return conditional(scopes, respond, rows=[row])


@bp.get("/strategien/<int:strategy_id>/ausgaben")
def downloads(strategy_id: int):
    """Every file of the strategy in one place, by kind: PDF, Word, Excel, MS Project, Kalender and
    the strategy file (web/nav.py lists them)."""
    row = get_strategy_or_404(strategy_id, load=False)
    return render_template("strategies/ausgaben.html", row=row, shelves=nav.strategy_downloads(row.id))


@bp.get("/strategien/<int:strategy_id>/export.yaml")
def export(strategy_id: int):
    """Download the strategy as a planner-strategy/1 file."""
    row = get_strategy_or_404(strategy_id)
    text = dump_strategy(whole.strategy_to_domain(row))
    return download(text, "application/yaml", f"strategie-{row.id}-{row.version or 'export'}.yaml".replace(" ", "_"))


@bp.route("/strategien/importieren", methods=["GET", "POST"])
def upload():
    """Import a strategy file; an invalid file is refused whole with every problem listed."""
    form = UploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            strategy = load_strategy(raw.decode("utf-8"))
            if problem := _organisation_refused(strategy.organisation):
                raise service.ValidationFailed([problem])
            row = whole.import_strategy(db.session, strategy)
        except UnicodeDecodeError:
            problems = ["Die Datei ist nicht UTF-8-kodiert. Bitte als UTF-8 speichern."]
        except (StrategyFileError, service.ValidationFailed) as exc:
            problems = [str(p) for p in exc.problems]
        else:
            db.session.commit()
            flash(f"Die Strategie „{row.title}“ mit {len(strategy.measures)} Maßnahmen wurde importiert.", "success")
            return redirect(url_for("strategies.detail", strategy_id=row.id))
        db.session.rollback()
    status = 422 if problems or form.errors else 200
    return render_template("strategies/upload.html", form=form, problems=problems), status


def _organisation_refused(name: str) -> str | None:
    """Why the current user may not add a strategy to the organisation of that name, or None."""
    org = service.find_organisation(db.session, name)
    if org is None:
        return (
            None
            if may_create_organisation()
            else (f"Die Organisation „{name}“ gibt es noch nicht; neue Organisationen legt die Administration an.")
        )
    if not may_write(org.id):
        return f"Sie dürfen für die Organisation „{name}“ keine Strategien anlegen."
    return None


def _valid(form: StrategyForm) -> bool:
    """Field validation plus the month texts, so every error shows at once."""
    valid = form.validate()
    names = ("adopted", "window_start", "window_end")
    for name in names:
        parse_month_field(getattr(form, name))
    return valid and not any(getattr(form, name).errors for name in names)


def _form_to_fields(form: StrategyForm) -> dict | None:
    """The form's values for the strategy service; None when a month field is invalid."""
    months = {name: parse_month_field(getattr(form, name)) for name in service.MONTH_FIELDS}
    if any(getattr(form, name).errors for name in months):
        return None
    return {
        "title": form.title.data.strip(),
        "version": (form.version.data or "").strip(),
        **months,
        "vision": (form.vision.data or "").strip(),
        "mission": (form.mission.data or "").strip(),
        "principles": lines(form.principles.data),
    }


def _window_errors(form: StrategyForm, exc: service.ValidationFailed) -> None:
    form.window_end.errors = [*form.window_end.errors, *(p.message for p in exc.problems)]


@bp.route("/strategien/neu", methods=["GET", "POST"])
def create():
    """Start a new, empty strategy for an organisation."""
    form = StrategyForm()
    if request.method == "GET":
        form.organisation.data = request.args.get("organisation", "")
        start = month_of(clock.today())
        form.window_start.data = start.german()
        form.window_end.data = (start + 23).german()
        form.issue_token()
    elif (done := form.sent_before()) is not None:  # the same form again: to the strategy it created
        flash(SENT_TWICE, "info")
        return redirect(done)
    if request.method == "POST" and (refused := _organisation_refused(form.organisation.data or "")):
        form.organisation.errors = [*form.organisation.errors, refused]
    elif request.method == "POST" and _valid(form) and (fields := _form_to_fields(form)) is not None:
        try:
            row = service.create_strategy(db.session, form.organisation.data, fields)
        except service.ValidationFailed as exc:
            _window_errors(form, exc)
        else:
            form.record(url_for("strategies.detail", strategy_id=row.id))
            db.session.commit()
            flash(f"Die Strategie „{row.title}“ wurde angelegt.", "success")
            return redirect(url_for("strategies.detail", strategy_id=row.id))
    status = 422 if request.method == "POST" else 200
    return render_template("strategies/form.html", form=form, row=None), status


def _fill(form: StrategyForm, row: models.Strategy) -> None:
    """The edit form as stored, with the version it was filled from."""
    form.title.data = row.title
    form.version.data = row.version
    for name in service.MONTH_FIELDS:
        value = getattr(row, name)
        getattr(form, name).data = Month.parse(value).german() if value else ""
    form.vision.data = row.vision
    form.mission.data = row.mission
    form.principles.data = "\n".join(row.principles or [])
    form.lock_version.data = row.lock_version


@bp.route("/strategien/<int:strategy_id>/bearbeiten", methods=["GET", "POST"])
def edit(strategy_id: int):
    """Edit title, roadmap window, vision, mission and guiding principles; a save based on an old version is refused."""
    row = get_strategy_or_404(strategy_id, write=True)
    form = StrategyForm()
    if request.method == "GET":
        _fill(form, row)
    form.organisation.data = row.organisation.name
    if request.method == "POST" and _valid(form) and (fields := _form_to_fields(form)) is not None:
        seen = seen_version(form.lock_version)
        if seen is None:
            form.lock_version.data = row.lock_version
            return render_template("strategies/form.html", form=form, row=row, conflict=MALFORMED_VERSION), 422
        try:
            service.update_strategy(db.session, row, fields, seen)
        except service.ValidationFailed as exc:
            _window_errors(form, exc)
        except EditConflict as exc:
            form.lock_version.data = exc.current_version
            return render_template("strategies/form.html", form=form, row=row, conflict=exc.message), 422
        else:
            db.session.commit()
            flash("Die Strategie wurde gespeichert.", "success")
            return redirect(url_for("strategies.detail", strategy_id=row.id))
    status = 422 if request.method == "POST" else 200
    return render_template("strategies/form.html", form=form, row=row), status
