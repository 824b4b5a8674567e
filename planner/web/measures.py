"""Measures: the measure page, create, edit, delete, and their dependencies."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from markupsafe import escape

from .. import models
from ..domain.german import make_key
from ..domain.graph import build_graph, cycle_through
from ..domain.schedule import Conflict, schedule_conflicts
from ..domain.strategy import Measure, Strategy
from ..domain.validation import describe_cycle
from ..extensions import db
from ..services import atlas as atlas_service
from ..services import cache, verlauf
from ..services import portfolio as portfolio_service
from ..services import strategies as service
from ..services.locking import EditConflict, unchanged_since
from .access import get_strategy_or_404, may_write, reads_shared, successor_of
from .cached import conditional, parts, strategy_scopes
from .clock import today
from .forms import MALFORMED_VERSION, SENT_TWICE, ConfirmForm, MissingVersion, choices, seen_version
from .forms.strategies import DependencyForm, MeasureForm

bp = Blueprint("measures", __name__, url_prefix="/strategien/<int:strategy_id>/massnahmen")


def _measure_or_404(strategy: Strategy, key: str):
    measure = strategy.measure(key)
    if measure is None:
        abort(404)
    return measure


def _row(strategy_row: models.Strategy, key: str) -> models.Measure:
    return next(m for m in strategy_row.measures if m.key == key)


def _attach_problems(form: MeasureForm, problems) -> list[str]:
    """Put each problem on its form field; return those that belong to no field."""
    general = []
    for p in problems:
        field = getattr(form, p.field, None) if p.field else None
        if field is not None and p.field != "id":
            field.errors = [*field.errors, p.message]
        else:
            general.append(p.message)
    return general


def _dependency_form(strategy: Strategy, key: str) -> DependencyForm:
    measure = strategy.measure(key)
    form = DependencyForm(prefix="dep")
    options = [(m.key, m.title) for m in strategy.measures if m.key != key and m.key not in measure.depends_on]
    # no preselected measure: a click on the button alone must not link the first one in the list
    form.prerequisite.choices = choices([("", "bitte wählen"), *options]) if options else []
    return form


def _conflicts_of(strategy: Strategy, key: str) -> list[Conflict]:
    """The schedule conflicts this measure is part of, as dependent or as prerequisite."""
    return [c for c in schedule_conflicts(strategy.measures) if key in (c.measure, c.depends_on)]


def _conflict_sentence(strategy: Strategy, c: Conflict) -> str:
    ends = (
        f"endet {c.prerequisite_ends.german()}" if c.prerequisite_ends else f"beginnt {c.prerequisite_starts.german()}"
    )
    return (
        f"„{strategy.measure(c.measure).title}“ beginnt {c.starts.german()}, hängt aber von "
        f"„{strategy.measure(c.depends_on).title}“ ab ({ends})"
    )


@bp.get("/<key>")
def detail(strategy_id: int, key: str):
    """All fields of a measure, with both directions of its dependencies; a cached part, the
    strategy is read only when it is not there."""
    row = get_strategy_or_404(strategy_id, load=False)
    scopes = strategy_scopes(row)

    def respond(read):
        newer = successor_of(row)
        writable = may_write(row.organisation_id) and not newer
        shared = reads_shared(row)  # a reader of another office's shared strategy: no Verlauf
        options = {"strategy": row.id, "measure": key, "day": today(), "write": writable, "shared": shared}

        def render():
            strategy = service.read_strategy(db.session, row)
            measure = _measure_or_404(strategy, key)
            body = render_template(
                "measures/_detail.html",
                row=row,
                strategy=strategy,
                measure=measure,
                prerequisites=[strategy.measure(k) for k in measure.depends_on],
                dependents=strategy.dependents(key),
                dep_form=_dependency_form(strategy, key),
                measure_id=(measure_id := service.measure_id(db.session, row.id, key)),
                recent=[] if shared else verlauf.recent(db.session, "measures", measure_id),
                origin=atlas_service.origin_of(db.session, row.id, key),
                land=None if shared else portfolio_service.land_measure(db.session, row, measure_id),
                newer=newer,
                writable=writable,
                shared=shared,
                conflicts=[_conflict_sentence(strategy, c) for c in _conflicts_of(strategy, key)],
            )
            return {"body": body, "title": escape(measure.title)}

        shown = parts(cache.stamp(read, scopes), "measure page", options, render)
        return render_template("measures/detail.html", row=row, parts=shown)

    return conditional(scopes, respond, rows=[row])


def _flash_conflicts(strategy: Strategy, measure: Measure) -> None:
    """After a save: warn when the measure's months now clash with a dependency (the strategy
    as it was before the save, with the saved measure: no second load)."""
    strategy = service.with_measure(strategy, measure)
    key = measure.key
    found = _conflicts_of(strategy, key)
    if found:
        flash(
            "Zeitkonflikt im Fahrplan: " + "; ".join(_conflict_sentence(strategy, c) for c in found) + ".",
            "warning",
        )


def _flash_new_persons(known: set[str], measure) -> None:
    """Owners typed in that the organisation did not know yet were added as persons: say so."""
    new = [o.name for o in measure.owners if o.name not in known]
    if new:
        names = ", ".join(f"„{n}“" for n in new)
        flash(
            f"Neu in der Organisation angelegt: {names}. Art (Person oder Einheit) und Dubletten: Verwaltung › Personen.",
            "success",
        )


@bp.route("/neu", methods=["GET", "POST"])
def create(strategy_id: int):
    """A new measure; on error the form keeps everything typed."""
    row = get_strategy_or_404(strategy_id, write=True, load=False)  # a change loads the core to write it
    strategy = service.read_strategy(db.session, row)
    form = MeasureForm()
    form.set_dependency_choices(strategy, None)
    known = {p.name for p in row.organisation.persons}
    form.set_owner_choices(sorted(known, key=str.lower))
    if request.method == "GET":
        form.dimension.data = request.args.get("dimension") or form.dimension.data
        form.status.data = "geplant"
        form.issue_token()
    elif (done := form.sent_before()) is not None:  # the same form again: to the measure it created
        flash(SENT_TWICE, "info")
        return redirect(done)
    general: list[str] = []
    if request.method == "POST" and form.validate_all():
        key = make_key(form.title.data, {m.key for m in strategy.measures})
        measure = form.to_measure(key)
        form.record(url_for("measures.detail", strategy_id=strategy_id, key=key))
        try:
            service.save_measure(db.session, row, measure, current=strategy)
        except service.ValidationFailed as exc:
            db.session.rollback()
            general = _attach_problems(form, exc.problems)
        else:
            db.session.commit()
            flash(f"Die Maßnahme „{measure.title}“ wurde angelegt.", "success")
            _flash_new_persons(known, measure)
            _flash_conflicts(strategy, measure)
            return redirect(url_for("measures.detail", strategy_id=strategy_id, key=key))
    status = 422 if request.method == "POST" else 200
    return render_template("measures/form.html", form=form, row=row, measure=None, general=general), status


@bp.route("/<key>/bearbeiten", methods=["GET", "POST"])
def edit(strategy_id: int, key: str):
    """Edit a measure; a dependency that would close a cycle is refused with the cycle named.

    The form carries the measure's version: a save based on an older version is refused
    (what the other person changed is listed) and the form keeps what was typed.
    """
    row = get_strategy_or_404(strategy_id, write=True, load=False)  # a change loads the core to write it
    strategy = service.read_strategy(db.session, row)
    current = _measure_or_404(strategy, key)
    mrow = _row(row, key)
    form = MeasureForm()
    form.set_dependency_choices(strategy, key)
    known = {p.name for p in row.organisation.persons}
    form.set_owner_choices(sorted(known, key=str.lower))
    if request.method == "GET":
        form.fill_from(current)
        form.lock_version.data = mrow.lock_version
    general: list[str] = []
    if request.method == "POST" and form.validate_all():
        measure = form.to_measure(key, deferrals=current.deferrals)
        # the form does not show the actual months (Verstetigung records them): keep them
        measure.actual_start, measure.actual_end = current.actual_start, current.actual_end
        seen = seen_version(form.lock_version)
        try:
            if seen is None:
                raise MissingVersion
            with unchanged_since(db.session, "measures", mrow, seen):
                service.save_measure(db.session, row, measure, existing_key=key, current=strategy)
        except service.ValidationFailed as exc:
            db.session.rollback()
            general = _attach_problems(form, exc.problems)
        except MissingVersion:
            general = [MALFORMED_VERSION]
            form.lock_version.data = mrow.lock_version
        except EditConflict as exc:
            general = [exc.message]
            form.lock_version.data = exc.current_version if exc.current_version is not None else ""
        else:
            db.session.commit()
            flash("Die Maßnahme wurde gespeichert.", "success")
            _flash_new_persons(known, measure)
            _flash_conflicts(strategy, measure)
            return redirect(url_for("measures.detail", strategy_id=strategy_id, key=key))
    status = 422 if request.method == "POST" else 200
    return render_template("measures/form.html", form=form, row=row, measure=current, general=general), status


@bp.route("/<key>/loeschen", methods=["GET", "POST"])
def delete(strategy_id: int, key: str):
    """Ask, then delete a measure and its dependencies."""
    row = get_strategy_or_404(strategy_id, write=True, load=False)  # a change loads the core to write it
    strategy = service.read_strategy(db.session, row)
    measure = _measure_or_404(strategy, key)
    form = ConfirmForm()
    if form.validate_on_submit():
        service.delete_measure(db.session, row, key)
        db.session.commit()
        flash(f"Die Maßnahme „{measure.title}“ wurde gelöscht.", "success")
        return redirect(url_for("strategies.detail", strategy_id=strategy_id))
    return render_template(
        "measures/delete.html", row=row, measure=measure, dependents=strategy.dependents(key), form=form
    )


@bp.post("/<key>/abhaengigkeiten")
def add_dependency(strategy_id: int, key: str):
    """Link a prerequisite; refuse it when it would close a cycle, naming the cycle."""
    row = get_strategy_or_404(strategy_id)
    strategy = service.read_strategy(db.session, row)
    measure = _measure_or_404(strategy, key)
    form = _dependency_form(strategy, key)
    form.prerequisite.choices = choices((m.key, m.title) for m in strategy.measures if m.key != key)
    if not form.validate_on_submit():
        flash("Bitte wählen Sie eine Maßnahme aus, von der diese Maßnahme abhängt.", "error")
        return redirect(url_for("measures.detail", strategy_id=strategy_id, key=key))
    prerequisite = form.prerequisite.data
    cycle = cycle_through(build_graph(strategy.measures), prerequisite, key)
    if cycle is not None:
        flash(
            "Die Abhängigkeit wurde nicht gespeichert, weil sie einen Zyklus schließen würde: "
            + describe_cycle(cycle, strategy),
            "error",
        )
        return redirect(url_for("measures.detail", strategy_id=strategy_id, key=key))
    linked = service.with_dependency(measure, prerequisite)
    service.save_measure(db.session, row, linked, existing_key=key, current=strategy)
    db.session.commit()
    flash(f"„{measure.title}“ hängt jetzt von „{strategy.measure(prerequisite).title}“ ab.", "success")
    _flash_conflicts(strategy, linked)
    return redirect(url_for("measures.detail", strategy_id=strategy_id, key=key))


@bp.post("/<key>/abhaengigkeiten/<prerequisite>/entfernen")
def remove_dependency(strategy_id: int, key: str, prerequisite: str):
    """Unlink a prerequisite."""
    row = get_strategy_or_404(strategy_id)
    strategy = service.read_strategy(db.session, row)
    measure = _measure_or_404(strategy, key)
    if prerequisite not in measure.depends_on:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    measure = replace(measure, depends_on=[k for k in measure.depends_on if k != prerequisite])
    service.save_measure(db.session, row, measure, existing_key=key, current=strategy)
    db.session.commit()
    flash("Die Abhängigkeit wurde entfernt.", "success")
    return redirect(url_for("measures.detail", strategy_id=strategy_id, key=key))
