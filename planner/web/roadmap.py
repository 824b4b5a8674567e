"""Roadmap pages: Fahrplan (chart, table, conflicts, critical path, baselines), Backlog,
Bewertung, Abhängigkeiten (graph and slip impact) and Planungsvorschlag."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from .. import models
from ..charts.common import MIMETYPES, render
from ..charts.depgraph import dependency_chart, dependency_text
from ..charts.gantt import gantt_chart, gantt_text
from ..charts.matrix import levels, matrix_cells, matrix_chart, matrix_text
from ..charts.tables import dependency_table, gantt_table, matrix_table
from ..domain.months import month_of
from ..domain.planning import slip_impact
from ..domain.roadmap_view import numbered, roadmap_view
from ..domain.schedule import analyse, tie_key
from ..extensions import db
from ..formats.mspdi import roadmap_mspdi
from ..services import cache
from ..services import roadmap as service
from ..services.strategies import ValidationFailed, read_strategy
from . import clock
from .access import get_strategy_or_404, may_change, may_write, successor_of
from .cached import chart_response, conditional, parts, strategy_scopes
from .downloads import download
from .filters import strategy_file_stem
from .forms import ConfirmForm, choices
from .forms.roadmap import BaselineForm, ProposalForm, SlipForm, TakeOverForm, ViewForm

bp = Blueprint("roadmap", __name__, url_prefix="/strategien/<int:strategy_id>")


def _file(data: bytes, fmt: str, chart: str, row: models.Strategy) -> Response:
    """Chart bytes named after the chart and the strategy; PNG and PDF as downloads, SVG inline
    (the pages embed it)."""
    name = f"{chart}-{strategy_file_stem(row)}.{fmt}"
    return download(data, MIMETYPES[fmt], name, inline=fmt == "svg", headers={"Cache-Control": "no-cache"})


# --- Fahrplan ----------------------------------------------------------------------------


def _view_form(row: models.Strategy):
    """The chart options from the address, with the baseline (looked up through the strategy)."""
    form = ViewForm(formdata=request.args)
    form.apply_defaults()
    options = service.baselines(db.session, row)
    form.basisplan.choices = choices([("", "keinen"), *((b.id, b.name) for b in options)])
    baseline = None
    if form.basisplan.data:
        # one of the strategy's own baselines, or none: no database lookup of arbitrary numbers
        baseline = next((b for b in options if str(b.id) == form.basisplan.data.strip()), None)
        if baseline is None:
            abort(404)
    args = {
        "ansicht": 1,
        "kritisch": int(bool(form.kritisch.data)),
        "abhaengigkeiten": int(bool(form.abhaengigkeiten.data)),
    }
    if baseline is not None:
        args["basisplan"] = baseline.id
    return form, baseline, options, args


def _fahrplan_page(row: models.Strategy, baseline_form: BaselineForm, status: int = 200):
    """The page as it is (not kept): with a form sent back, or options its links never make."""
    body = parts(None, "fahrplan", {}, lambda: {"body": _fahrplan_body(row, baseline_form)})
    return render_template("roadmap/fahrplan.html", row=row, body=body), status


def _fahrplan_body(row: models.Strategy, baseline_form: BaselineForm) -> str:
    rm = service.roadmap(row)
    form, baseline, options, args = _view_form(row)
    today = clock.today()
    title, description = gantt_text(rm.strategy, rm.analysis, today)
    frozen = service.baseline_dates(baseline) if baseline else {}
    return render_template(
        "roadmap/_fahrplan.html",
        row=row,
        rm=rm,
        view=roadmap_view(rm.strategy, today),
        form=form,
        args=args,
        chart_title=title,
        chart_description=description,
        baseline=baseline,
        frozen=frozen,
        changes=service.baseline_changes(baseline, rm.strategy) if baseline else None,
        baselines=options,
        baseline_form=baseline_form,
        critical=set(rm.analysis.critical_path),
        conflicting=rm.analysis.conflicting(),
        changeable=may_change(row),
    )


@bp.get("/fahrplan")
def index(strategy_id: int):
    """The Umsetzungsfahrplan: chart, the same data as a table, conflicts, critical path, baselines.
    A cached part; the strategy is read only when it is not there."""
    row = get_strategy_or_404(strategy_id, load=False)
    view = ViewForm(formdata=request.args)
    view.apply_defaults()
    if view.ansicht.data != "1":  # an address the page's own links never make: not worth a cache entry
        form = BaselineForm(formdata=None)
        form.name.data = f"Basisplan {clock.today().year}"
        return _fahrplan_page(row, form)
    scopes = strategy_scopes(row)

    def respond(read):
        newer = successor_of(row)
        options = {
            "strategy": row.id,
            "day": clock.today(),
            "kritisch": bool(view.kritisch.data),
            "abhaengigkeiten": bool(view.abhaengigkeiten.data),
            "basisplan": view.basisplan.data or "",
            "write": may_write(row.organisation_id) and not newer,
        }

        def render():
            form = BaselineForm(formdata=None)
            form.name.data = f"Basisplan {clock.today().year}"
            return {"body": _fahrplan_body(row, form)}

        body = parts(cache.stamp(read, scopes), "fahrplan page", options, render)
        return render_template("roadmap/fahrplan.html", row=row, body=body)

    return conditional(scopes, respond, rows=[row])


def _filename(chart: str, fmt: str):
    return lambda row: f"{chart}-{strategy_file_stem(row)}.{fmt}"


def _fahrplan_chart(strategy_id: int, fmt: str) -> Response:
    def prepare(row: models.Strategy):
        form, baseline, _, args = _view_form(row)
        today = clock.today()
        paper = "a4" if request.args.get("papier", "").lower() == "a4" else "a3"  # PDF: A3 landscape unless asked

        def draw() -> bytes:
            rm = service.roadmap(row)
            fig = gantt_chart(
                rm.strategy,
                rm.analysis,
                today=today,
                dependencies=bool(form.abhaengigkeiten.data),
                critical=bool(form.kritisch.data),
                baseline=service.baseline_dates(baseline) if baseline else None,
                baseline_label=f"Basisplan „{baseline.name}“" if baseline else "Basisplan",
            )
            table = gantt_table(rm.strategy, rm.analysis, today) if fmt == "pdf" else None
            text = gantt_text(rm.strategy, rm.analysis, today)
            return render(fig, fmt, *text, table, paper=paper)

        # the chart draws today's line and date: a new day, a new picture
        key = {**args, "heute": today.isoformat()}
        if fmt == "pdf":
            key["papier"] = paper
        return key, draw

    return chart_response(strategy_id, "fahrplan", fmt, prepare, _filename("fahrplan", fmt))


@bp.get("/fahrplan.xml")
def mspdi(strategy_id: int):
    """The Fahrplan as MS Project XML (MSPDI) for MS Project, ProjectLibre, GanttProject, OpenProject."""
    row = get_strategy_or_404(strategy_id)
    data = roadmap_mspdi(service.roadmap(row).strategy, clock.today())
    return download(data, "application/xml", f"fahrplan-{strategy_file_stem(row)}.xml")


@bp.post("/fahrplan/basisplaene")
def create_baseline(strategy_id: int):
    """Freeze the current roadmap under a name."""
    row = get_strategy_or_404(strategy_id, write=True)
    form = BaselineForm()
    if form.validate_on_submit():
        try:
            baseline = service.create_baseline(db.session, row, form.name.data)
        except service.BaselineError as exc:
            db.session.rollback()
            form.name.errors = [*form.name.errors, str(exc)]
        else:
            db.session.commit()
            flash(f"Der Basisplan „{baseline.name}“ wurde angelegt.", "success")
            return redirect(url_for("roadmap.index", strategy_id=row.id, ansicht=1, kritisch=1, basisplan=baseline.id))
    return _fahrplan_page(row, form, 422)


@bp.post("/fahrplan/basisplaene/<int:baseline_id>/loeschen")
def delete_baseline(strategy_id: int, baseline_id: int):
    """Delete a baseline (the measures stay as they are)."""
    row = get_strategy_or_404(strategy_id, write=True)
    baseline = service.get_baseline(db.session, row, baseline_id)
    if baseline is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = baseline.name
    service.delete_baseline(db.session, baseline)
    db.session.commit()
    flash(f"Der Basisplan „{name}“ wurde gelöscht.", "success")
    return redirect(url_for("roadmap.index", strategy_id=row.id))


# --- Backlog -----------------------------------------------------------------------------


@bp.get("/backlog")
def backlog(strategy_id: int):
    """Deferred measures with how often each was deferred, and measures without dates."""
    row = get_strategy_or_404(strategy_id, load=False)
    rm = service.roadmap(row)
    view = roadmap_view(rm.strategy, clock.today())
    waiting = {m.key: [d for d in rm.strategy.dependents(m.key) if d.status.in_roadmap] for m in view.backlog}
    items = sorted(view.backlog, key=lambda m: (-m.deferrals, tie_key(m)))
    return render_template("roadmap/backlog.html", row=row, rm=rm, items=items, waiting=waiting, view=view)


# --- Bewertung ---------------------------------------------------------------------------


@bp.get("/bewertung")
def rating(strategy_id: int):
    """Maßnahmenbewertung: urgency × feasibility grid with the same data as a table."""
    row = get_strategy_or_404(strategy_id, load=False)
    rm = service.roadmap(row)
    items = numbered(rm.strategy)
    cells = matrix_cells(rm.strategy)
    measures = [m for _, m in items]
    title, description = matrix_text(rm.strategy)
    return render_template(
        "roadmap/bewertung.html",
        row=row,
        items=items,
        cells=cells,
        urgency_levels=list(reversed(levels(measures, "urgency"))),
        feasibility_levels=levels(measures, "feasibility"),
        unknown=[(n, m) for n, m in items if m.urgency is None or m.feasibility is None],
        chart_title=title,
        chart_description=description,
    )


def _bewertung_chart(strategy_id: int, fmt: str) -> Response:
    def prepare(row: models.Strategy):
        def draw() -> bytes:
            strategy = read_strategy(db.session, row)
            table = matrix_table(strategy) if fmt == "pdf" else None
            return render(matrix_chart(strategy), fmt, *matrix_text(strategy), table)

        return {}, draw

    return chart_response(strategy_id, "bewertung", fmt, prepare, _filename("bewertung", fmt))


# --- Abhängigkeiten ----------------------------------------------------------------------


def _slip(strategy) -> tuple[SlipForm, object]:
    """The slip-impact form from the address (3 months by default) and the impact it asks for, or None
    (with German errors on the form when the input is invalid)."""
    asked = "massnahme" in request.args
    slip = SlipForm(formdata=request.args if asked else None)
    on_roadmap = [m for m in strategy.measures if m.is_planned]
    slip.massnahme.choices = choices((m.key, f"{m.title} ({m.planned_range})") for m in on_roadmap)
    if not asked:
        if on_roadmap and slip.monate.data is None:
            slip.monate.data = 3
        return slip, None
    try:
        return slip, (
            slip_impact(strategy.measures, slip.massnahme.data, slip.monate.data) if slip.validate() else None
        )
    except ValueError as exc:  # dates pushed beyond what a month may be
        slip.monate.errors = [*slip.monate.errors, f"Diese Verschiebung lässt sich nicht berechnen: {exc}."]
        return slip, None


@bp.get("/abhaengigkeiten")
def dependencies(strategy_id: int):
    """The dependency graph, the logical order in waves, redundant links and the slip-impact form."""
    row = get_strategy_or_404(strategy_id, load=False)
    rm = service.roadmap(row)
    slip, impact = _slip(rm.strategy)
    status = 422 if "massnahme" in request.args and impact is None else 200
    title, description = dependency_text(rm.strategy, rm.analysis)
    return render_template(
        "roadmap/abhaengigkeiten.html",
        row=row,
        rm=rm,
        links=rm.links,
        conflicts=rm.conflict_pairs,
        redundant=rm.redundant_links(),
        redundant_pairs=set(rm.analysis.redundant),
        slip=slip,
        impact=impact,
        chart_title=title,
        chart_description=description,
    ), status


def _graph_chart(strategy_id: int, fmt: str) -> Response:
    def prepare(row: models.Strategy):
        def draw() -> bytes:
            rm = service.roadmap(row)
            fig = dependency_chart(rm.strategy, rm.analysis)
            table = dependency_table(rm.strategy, rm.analysis) if fmt == "pdf" else None
            return render(fig, fmt, *dependency_text(rm.strategy, rm.analysis), table)

        return {}, draw

    return chart_response(strategy_id, "abhaengigkeiten", fmt, prepare, _filename("abhaengigkeiten", fmt))


# --- chart files -------------------------------------------------------------------------

CHARTS = {"fahrplan": _fahrplan_chart, "bewertung": _bewertung_chart, "abhaengigkeiten": _graph_chart}
CHART_FORMATS = ("svg", "png", "pdf")


@bp.get("/<chart>.<fmt>")
def chart(strategy_id: int, chart: str, fmt: str):
    """Fahrplan, Bewertung or Abhängigkeiten as SVG (inline, with title and description for screen
    readers), PNG or PDF (the Fahrplan one page A3 landscape, A4 landscape with ?papier=a4)."""
    if chart not in CHARTS or fmt not in CHART_FORMATS:
        abort(404)
    return CHARTS[chart](strategy_id, fmt)


# --- Planungsvorschlag -------------------------------------------------------------------


def _proposal(formdata, strategy):
    """The proposal form from the address or a take-over form, and the proposal it asks for;
    None (with German errors on the form) when the input is invalid."""
    form = ProposalForm(formdata=formdata)
    valid = form.validate()
    earliest = form.earliest()
    if not valid or form.ab.errors:
        return form, None
    try:
        now = month_of(clock.today())
        plan = service.proposal(strategy, form.k.data, form.modus.data != "frueh", earliest, now)
    except ValueError as exc:  # e.g. dates pushed beyond what a month may be
        form.ab.errors = [*form.ab.errors, f"Der Vorschlag lässt sich so nicht berechnen: {exc}."]
        return form, None
    return form, plan


def _proposal_args(form: ProposalForm) -> dict:
    args = {"modus": form.modus.data or "geplant"}
    if form.ab.data:
        args["ab"] = form.ab.data.strip()
    if form.k.data:
        args["k"] = form.k.data
    return args


def _proposal_page(row: models.Strategy, formdata, status: int = 200):
    rm = service.roadmap(row)
    form, plan = _proposal(formdata, rm.strategy)
    take = TakeOverForm(formdata=None)
    return render_template(
        "roadmap/vorschlag.html",
        row=row,
        rm=rm,
        form=form,
        plan=plan,
        take=take,
        args=_proposal_args(form) if plan else {},
        by_key={m.key: m for m in rm.strategy.measures},
        changeable=may_change(row),
    ), (status if plan else 422)


@bp.get("/planungsvorschlag")
def proposal(strategy_id: int):
    """Earliest dates that respect every dependency, next to the current plan; take over one or all."""
    row = get_strategy_or_404(strategy_id, load=False)
    return _proposal_page(row, request.args if request.args else None)


@bp.get("/planungsvorschlag.svg")
def proposal_svg(strategy_id: int):
    """The proposal as a Fahrplan, the current plan as grey bars beneath."""
    row = get_strategy_or_404(strategy_id, load=False)
    rm = service.roadmap(row)
    _, plan = _proposal(request.args if request.args else None, rm.strategy)
    if plan is None:
        abort(400)
    proposed = replace(rm.strategy, measures=plan.apply(rm.strategy.measures))
    current = {m.key: (m.start, m.end) for m in rm.strategy.measures if m.is_planned}
    analysis = analyse(proposed)
    today = clock.today()
    fig = gantt_chart(
        proposed,
        analysis,
        today=today,
        baseline=current,
        baseline_label="bisherige Planung",
        heading="Planungsvorschlag",
    )
    title, description = gantt_text(proposed, analysis, today)
    return _file(render(fig, "svg", "Planungsvorschlag: " + title, description), "svg", "vorschlag", row)


@bp.post("/planungsvorschlag/uebernehmen")
def take_over(strategy_id: int):
    """Write the proposed months, for one measure or for all moved ones."""
    row = get_strategy_or_404(strategy_id, write=True)
    take = TakeOverForm()
    if not take.validate_on_submit():
        abort(400)
    rm = service.roadmap(row)
    form, plan = _proposal(request.form, rm.strategy)
    if plan is None:
        return _proposal_page(row, request.form, 422)
    key = (take.massnahme.data or "").strip()
    if key and plan.placement(key) is None:
        abort(404)
    try:
        written = service.take_over(db.session, row, plan, {key} if key else None)
    except ValidationFailed as exc:
        db.session.rollback()
        flash("Der Vorschlag wurde nicht übernommen: " + "; ".join(str(p) for p in exc.problems), "error")
        return _proposal_page(row, request.form, 422)
    db.session.commit()
    titles = rm.titles
    if not written:
        flash("Es gab nichts zu übernehmen: keine Maßnahme verschiebt sich.", "success")
    elif key:
        flash(f"Die neuen Termine für „{titles[key]}“ wurden übernommen.", "success")
    else:
        flash(f"Der Vorschlag wurde übernommen: {len(written)} Maßnahmen haben neue Termine.", "success")
    return redirect(url_for("roadmap.proposal", strategy_id=row.id, **_proposal_args(form)))
