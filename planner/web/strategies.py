"""Organisations and their strategies: overview, strategy page, edit, import and export."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from .. import models
from ..domain.catalogue import catalogue
from ..domain.months import Month, month_of
from ..extensions import db
from ..formats.strategy_file import StrategyFileError, dump_strategy, load_strategy
from ..services import audit
from ..services import strategies as service
from . import clock
from .access import get_strategy_or_404, may_create_organisation, may_write, visible_organisation_ids
from .downloads import download
from .forms import MALFORMED_VERSION, StrategyForm, UploadForm, lines, parse_month_field, seen_version
from .page_parts import PageParts

bp = Blueprint("strategies", __name__)


def visible_organisations() -> list[models.Organisation]:
    """The organisations the current user may see, with their strategies, by name."""
    query = sa.select(models.Organisation)
    if (visible := visible_organisation_ids()) is not None:
        query = query.where(models.Organisation.id.in_(visible))
    return db.session.scalars(
        query.options(selectinload(models.Organisation.strategies)).order_by(models.Organisation.name)
    ).all()


def measure_counts(organisations: list[models.Organisation]) -> dict[int, int]:
    """Number of measures per strategy of these organisations, in one query."""
    ids = [s.id for o in organisations for s in o.strategies]
    return dict(
        db.session.execute(
            sa.select(models.Measure.strategy_id, sa.func.count())
            .where(models.Measure.strategy_id.in_(ids))
            .group_by(models.Measure.strategy_id)
        ).all()
    )


@bp.get("/strategien")
def index():
    """Organisations and their strategies."""
    organisations = visible_organisations()
    return render_template(
        "strategies/index.html", organisations=organisations, measure_counts=measure_counts(organisations)
    )


@bp.get("/strategien/<int:strategy_id>")
def detail(strategy_id: int):
    """Vision, mission, principles and the measures grouped by dimension. The measure tables and
    the Verlauf come from the page cache; the strategy is read only when they are not there."""
    row = get_strategy_or_404(strategy_id, load=False)
    parts = PageParts(row.id)  # the revision, before anything the parts are drawn from
    successor_of = current_app.jinja_env.globals.get("successor_of")
    newer = successor_of(row) if successor_of is not None else None
    selected = clock.selected_state(request.args.get("zeitstand"))
    parts.want("measures", day=clock.today(), selected=selected, write=may_write(row.organisation_id) and not newer)
    parts.want("verlauf")
    missing = parts.fetch()
    if "measures" in missing:
        strategy = service.read_core(db.session, row)
        shown, counts, selected = clock.schedule_filter(strategy.measures, selected)
        groups = [(dim, [m for m in shown if m.dimension == dim.name]) for dim in catalogue().dimensions]
        parts.render(
            "measures",
            "strategies/_measures.html",
            row=row,
            strategy=strategy,
            groups=groups,
            counts=counts,
            selected=selected,
            newer=newer,
        )
    if "verlauf" in missing:
        parts.render("verlauf", "admin/_history_part.html", table="strategies", object_id=row.id)
    parts.save()
    return render_template("strategies/detail.html", row=row, parts=parts.html)


@bp.get("/strategien/<int:strategy_id>/export.yaml")
def export(strategy_id: int):
    """Download the strategy as a planner-strategy/1 file."""
    row = get_strategy_or_404(strategy_id)
    text = dump_strategy(service.strategy_to_domain(row))
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
            row = service.import_strategy(db.session, strategy)
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
    org = db.session.scalar(sa.select(models.Organisation).where(models.Organisation.name == name.strip()))
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
    months = {name: parse_month_field(getattr(form, name)) for name in ("adopted", "window_start", "window_end")}
    if any(getattr(form, name).errors for name in months):
        return None
    if (months["window_start"] is None) != (months["window_end"] is None):
        form.window_end.errors.append("Der Fahrplanzeitraum braucht Beginn und Ende.")
        return None
    if months["window_start"] and months["window_end"] and months["window_end"] < months["window_start"]:
        form.window_end.errors.append("Das Ende des Fahrplanzeitraums liegt vor seinem Beginn.")
        return None
    return {
        "title": form.title.data.strip(),
        "version": (form.version.data or "").strip(),
        "adopted": str(months["adopted"]) if months["adopted"] else None,
        "window_start": str(months["window_start"]) if months["window_start"] else None,
        "window_end": str(months["window_end"]) if months["window_end"] else None,
        "vision": (form.vision.data or "").strip(),
        "mission": (form.mission.data or "").strip(),
        "principles": lines(form.principles.data),
    }


@bp.route("/strategien/neu", methods=["GET", "POST"])
def create():
    """Start a new, empty strategy for an organisation."""
    form = StrategyForm()
    if request.method == "GET":
        form.organisation.data = request.args.get("organisation", "")
        start = month_of(clock.today())
        form.window_start.data = start.german()
        form.window_end.data = (start + 23).german()
    if request.method == "POST" and (refused := _organisation_refused(form.organisation.data or "")):
        form.organisation.errors = [*form.organisation.errors, refused]
    elif request.method == "POST" and _valid(form) and (fields := _form_to_fields(form)) is not None:
        org = service.get_or_create_organisation(db.session, form.organisation.data.strip())
        row = models.Strategy(organisation=org, **fields)
        db.session.add(row)
        db.session.commit()
        flash(f"Die Strategie „{row.title}“ wurde angelegt.", "success")
        return redirect(url_for("strategies.detail", strategy_id=row.id))
    status = 422 if request.method == "POST" else 200
    return render_template("strategies/form.html", form=form, row=None), status


@bp.route("/strategien/<int:strategy_id>/bearbeiten", methods=["GET", "POST"])
def edit(strategy_id: int):
    """Edit title, roadmap window, vision, mission and guiding principles; a save based on an old version is refused."""
    row = get_strategy_or_404(strategy_id, write=True)
    form = StrategyForm()
    if request.method == "GET":
        form.organisation.data = row.organisation.name
        form.title.data = row.title
        form.version.data = row.version
        form.adopted.data = Month.parse(row.adopted).german() if row.adopted else ""
        form.window_start.data = Month.parse(row.window_start).german() if row.window_start else ""
        form.window_end.data = Month.parse(row.window_end).german() if row.window_end else ""
        form.vision.data = row.vision
        form.mission.data = row.mission
        form.principles.data = "\n".join(row.principles or [])
        form.lock_version.data = row.lock_version
    form.organisation.data = row.organisation.name
    if request.method == "POST" and _valid(form) and (fields := _form_to_fields(form)) is not None:
        seen = seen_version(form.lock_version)
        if seen is None:
            form.lock_version.data = row.lock_version
            return render_template("strategies/form.html", form=form, row=row, conflict=MALFORMED_VERSION), 422
        try:
            if seen != row.lock_version:
                raise StaleDataError(seen)
            for name, value in fields.items():
                setattr(row, name, value)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            version = seen
            message = audit.conflict_message(audit.describe_conflict(db.session, "strategies", row.id, version))
            form.lock_version.data = row.lock_version
            return render_template("strategies/form.html", form=form, row=row, conflict=message), 422
        flash("Die Strategie wurde gespeichert.", "success")
        return redirect(url_for("strategies.detail", strategy_id=row.id))
    status = 422 if request.method == "POST" else 200
    return render_template("strategies/form.html", form=form, row=row), status
