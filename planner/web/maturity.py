"""Reifegrad: levels, radar, assessments of both kinds, comparison, targets, gaps, funding calls, criteria."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..charts.radar import describe, radar_chart
from ..documents.pdf import html_pdf
from ..domain.catalogue import catalogue
from ..domain.funding import find_call, funding_calls
from ..domain.german import german_date, money
from ..domain.maturity import (
    AssessmentKind,
    Criterion,
    compare_assessments,
    default_target,
    dimension_targets,
    evaluate_criteria,
    level_label,
    rank,
)
from ..extensions import db
from ..formats import result_sheet
from ..formats.criteria import (
    CriteriaFileError,
    criteria_to_csv,
    criteria_to_xlsx,
    parse_criteria_file,
    sample_criteria,
)
from ..services import maturity as service
from ..services import portfolio_progress as land_service
from ..services.strategies import ValidationFailed
from . import clock
from .access import get_strategy_or_404
from .cached import chart_response
from .downloads import download
from .forms import SENT_TWICE, ConfirmForm, save_unchanged
from .forms.maturity import (
    CriteriaImportForm,
    criteria_assessment_from_form,
    criteria_fields,
    criteria_form,
    fill_criteria,
    fill_result_sheet,
    fill_targets,
    result_sheet_form,
    result_sheet_from_form,
    subdimension_fields,
    targets_form,
    targets_from_form,
)

bp = Blueprint("maturity", __name__, url_prefix="/strategien/<int:strategy_id>/reifegrad")


@bp.app_template_filter("level_label")
def _level_filter(value) -> str:
    return level_label(value)


@bp.app_template_filter("eur_de")
def _eur_filter(value) -> str:
    return money(value) if value is not None else "–"


def _load(strategy_id: int, *, write: bool = False) -> service.Maturity:
    """The strategy's maturity data; `write=True` on every route that changes data (404 otherwise)."""
    return service.maturity_for(db.session, get_strategy_or_404(strategy_id, write=write, load=False))


def _entry_or_404(m: service.Maturity, assessment_id: int) -> service.Entry:
    entry = m.entry(assessment_id)
    if entry is None:  # ids of another organisation's assessments are not found here
        abort(404)
    return entry


def _entry_arg(m: service.Maturity, name: str, default: service.Entry | None) -> service.Entry | None:
    """The assessment chosen in a query parameter; the default when absent or unknown."""
    value = request.args.get(name, type=int)
    return m.entry(value) if value is not None and m.entry(value) else default


@bp.get("")
def overview(strategy_id: int):
    """Latest levels per dimension, radar, heat table and the list of assessments."""
    m = _load(strategy_id)
    series = service.radar_series(m)
    dims = catalogue().dimensions
    table = [(d, [s.levels for s in series]) for d in dims]
    latest = m.latest.assessment.dimension_levels() if m.latest else {}
    targets = dimension_targets(m.targets)
    on_target = [d.name for d in dims if d.name in latest and rank(latest[d.name]) >= targets[d.name]]
    return render_template(
        "maturity/overview.html",
        row=m.row,
        m=m,
        series=series,
        table=table,
        heat=service.heat_rows(m),
        on_target=on_target,
        radar_alt=describe(series),
        lands=land_service.against_land(db.session, m.row.organisation_id, latest),
    )


@bp.get("/radar.<fmt>")
def radar(strategy_id: int, fmt: str):
    """The radar chart as SVG or PNG."""
    if fmt not in ("svg", "png"):
        abort(404)

    def prepare(row):
        def draw() -> bytes:
            m = service.maturity_for(db.session, row)
            return radar_chart(service.radar_series(m), fmt)

        return {}, draw

    return chart_response(strategy_id, "radar", fmt, prepare)


# --- assessments ---------------------------------------------------------------------------------


@bp.get("/messungen/<int:assessment_id>")
def assessment(strategy_id: int, assessment_id: int):
    """One assessment as Anlage 1, and for criteria answers which criteria hold a stage back."""
    m = _load(strategy_id)
    entry = _entry_or_404(m, assessment_id)
    a = entry.assessment
    results = evaluate_criteria(a.answers, a.effective_threshold) if a.kind is AssessmentKind.CRITERIA else {}
    return render_template(
        "maturity/assessment.html",
        row=m.row,
        m=m,
        entry=entry,
        a=a,
        rows=result_sheet.sheet_rows(a),
        legend=result_sheet.legend(a),
        footer=result_sheet.footer(m.strategy.organisation, a),
        results=results,
        stages=catalogue().stages,
    )


def _sheet_name(entry: service.Entry, ext: str) -> str:
    return f"anlage-1-reifegrad-{entry.assessment.date.isoformat()}.{ext}"


@bp.get("/messungen/<int:assessment_id>/anlage-1.xlsx")
def sheet_xlsx(strategy_id: int, assessment_id: int):
    """Anlage 1 as an Excel workbook."""
    m = _load(strategy_id)
    entry = _entry_or_404(m, assessment_id)
    data = result_sheet.sheet_xlsx(m.strategy.organisation, entry.assessment)
    return download(
        data,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _sheet_name(entry, "xlsx"),
    )


@bp.get("/messungen/<int:assessment_id>/anlage-1.pdf")
def sheet_pdf(strategy_id: int, assessment_id: int):
    """Anlage 1 as a PDF (WeasyPrint)."""
    m = _load(strategy_id)
    entry = _entry_or_404(m, assessment_id)
    a = entry.assessment
    html = render_template(
        "maturity/sheet_pdf.html",
        m=m,
        a=a,
        rows=result_sheet.sheet_rows(a),
        legend=result_sheet.legend(a),
        footer=result_sheet.footer(m.strategy.organisation, a),
        stages=catalogue().stages,
        title=result_sheet.TITLE,
        subtitle=result_sheet.SUBTITLE,
    )
    return download(
        html_pdf(html, base_url=request.url_root),
        "application/pdf",
        _sheet_name(entry, "pdf"),
        inline=True,
    )


def _save(m: service.Maturity, form, a, existing=None) -> tuple[object, str | None]:
    """Store an assessment: (its row, None), or (None, the German refusal) when a change was based
    on an older version. A date clash raises ValidationFailed."""
    organisation_id = m.row.organisation_id
    if existing is None:
        saved = service.save_assessment(db.session, organisation_id, a)
        form.record(url_for("maturity.assessment", strategy_id=m.row.id, assessment_id=saved.id))
    else:
        saved = service.get_assessment(db.session, organisation_id, existing.id)
        refused = save_unchanged(
            form.lock_version,
            "maturity_assessments",
            saved,
            lambda: service.save_assessment(db.session, organisation_id, a, saved),
        )
        if refused is not None:
            return None, refused
    db.session.commit()
    return saved, None


def _assessment_form(m: service.Maturity, kind: AssessmentKind, existing: service.Entry | None):
    """Render or process the form of one kind; create when `existing` is None."""
    is_criteria = kind is AssessmentKind.CRITERIA
    formdata = request.form if request.method == "POST" else None
    if is_criteria:
        catalogue_criteria, is_sample = service.criteria(db.session, m.row.organisation_id)
        criteria = _criteria_for(catalogue_criteria, existing.assessment if existing else None)
        form = criteria_form(criteria, formdata)
    else:
        is_sample = False
        form = result_sheet_form(formdata)
    if request.method == "GET" and existing is not None:
        (fill_criteria if is_criteria else fill_result_sheet)(form, existing.assessment)
        form.lock_version.data = service.get_assessment(db.session, m.row.organisation_id, existing.id).lock_version
    elif request.method == "GET":
        form.assessed_on.data = clock.today().isoformat()
        form.issue_token()
    elif existing is None and (done := form.sent_before()) is not None:  # the same form again
        flash(SENT_TWICE, "info")
        return redirect(done)
    general = []
    if request.method == "POST":
        a = (criteria_assessment_from_form if is_criteria else result_sheet_from_form)(form)
        if a is not None:
            try:
                saved, refused = _save(m, form, a, existing)
            except ValidationFailed as exc:
                db.session.rollback()
                form.assessed_on.errors.extend(p.message for p in exc.problems)
            else:
                if refused is None:
                    flash(f"Die Messung vom {german_date(a.date)} wurde gespeichert.", "success")
                    return redirect(url_for("maturity.assessment", strategy_id=m.row.id, assessment_id=saved.id))
                general = [refused]
    template = "maturity/criteria_form.html" if is_criteria else "maturity/sheet_form.html"
    status = 422 if request.method == "POST" else 200
    return render_template(
        template,
        row=m.row,
        m=m,
        form=form,
        existing=existing,
        groups=criteria_fields(form) if is_criteria else subdimension_fields(form),
        general=general,
        is_sample=is_sample,
        latest=m.latest.assessment.subdimension_levels() if m.latest else {},
    ), status


def _criteria_for(catalogue_criteria, assessment):
    """The criteria a form asks: the catalogue's for a new assessment; for an existing one the
    criteria it answered, plus the catalogue's for the subdimensions it left out.

    A subdimension is answered completely or not at all, so criteria added to the catalogue
    later must not creep into a subdimension an older assessment has answered."""
    if assessment is None:
        return list(catalogue_criteria)
    own = [Criterion(x.subdimension, x.stage, x.criterion) for x in assessment.answers]
    answered = {c.subdimension for c in own}
    return own + [c for c in catalogue_criteria if c.subdimension not in answered]


@bp.route("/messungen/neu/ergebnisblatt", methods=["GET", "POST"])
def new_sheet(strategy_id: int):
    """Record a result sheet: one level per subdimension."""
    return _assessment_form(_load(strategy_id, write=True), AssessmentKind.RESULT_SHEET, None)


@bp.route("/messungen/neu/kriterien", methods=["GET", "POST"])
def new_criteria(strategy_id: int):
    """Answer the criteria catalogue."""
    return _assessment_form(_load(strategy_id, write=True), AssessmentKind.CRITERIA, None)


@bp.route("/messungen/<int:assessment_id>/bearbeiten", methods=["GET", "POST"])
def edit_assessment(strategy_id: int, assessment_id: int):
    """Change an assessment (its kind stays)."""
    m = _load(strategy_id, write=True)
    entry = _entry_or_404(m, assessment_id)
    return _assessment_form(m, entry.assessment.kind, entry)


@bp.route("/messungen/<int:assessment_id>/loeschen", methods=["GET", "POST"])
def delete_assessment(strategy_id: int, assessment_id: int):
    """Ask, then delete an assessment."""
    m = _load(strategy_id, write=True)
    entry = _entry_or_404(m, assessment_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        service.delete_assessment(db.session, service.get_assessment(db.session, m.row.organisation_id, entry.id))
        db.session.commit()
        flash(f"Die Messung vom {german_date(entry.assessment.date)} wurde gelöscht.", "success")
        return redirect(url_for("maturity.overview", strategy_id=strategy_id))
    return render_template("maturity/delete.html", row=m.row, entry=entry, form=form)


# --- comparison, targets, gaps, funding ---------------------------------------------------------


@bp.get("/vergleich")
def comparison(strategy_id: int):
    """Change per subdimension and dimension between two assessments."""
    m = _load(strategy_id)
    before = _entry_arg(m, "von", m.baseline)
    after = _entry_arg(m, "bis", m.latest)
    result = (
        compare_assessments(before.assessment, after.assessment) if before and after and before is not after else None
    )
    subs = {c.name: c for c in result.subdimensions} if result else {}
    groups = (
        [
            (d, c, [subs[s] for s in d.subdimensions])
            for d, c in zip(catalogue().dimensions, result.dimensions, strict=True)
        ]
        if result
        else []
    )
    return render_template(
        "maturity/comparison.html",
        row=m.row,
        m=m,
        before=before,
        after=after,
        result=result,
        groups=groups,
        readings=service.readings(m, before, after) if result else None,
    )


@bp.route("/ziele", methods=["GET", "POST"])
def targets(strategy_id: int):
    """Target stage per subdimension (default: stage 3)."""
    m = _load(strategy_id, write=request.method == "POST")
    form = targets_form(request.form if request.method == "POST" else None)
    general = []
    if request.method == "GET":
        fill_targets(form, m.targets)
        form.lock_version.data = m.row.lock_version
    if request.method == "POST":
        chosen = targets_from_form(form)
        if chosen is not None:
            refused = save_unchanged(
                form.lock_version,
                "strategies",
                m.row,
                lambda: service.save_targets(db.session, m.row, chosen, default_target()),
            )
            if refused is None:
                db.session.commit()
                flash("Die Ziele wurden gespeichert.", "success")
                return redirect(url_for("maturity.gaps", strategy_id=strategy_id))
            general = [refused]
            m = _load(strategy_id, write=True)
    status = 422 if request.method == "POST" else 200
    latest = m.latest.assessment.subdimension_levels() if m.latest else {}
    return render_template(
        "maturity/targets.html",
        row=m.row,
        m=m,
        form=form,
        groups=subdimension_fields(form),
        latest=latest,
        general=general,
    ), status


@bp.get("/luecken")
def gaps(strategy_id: int):
    """Subdimensions below target without a lifting measure, measures without subdimension, dimensions out of reach."""
    m = _load(strategy_id)
    entry = _entry_arg(m, "messung", m.latest)
    return render_template("maturity/gaps.html", row=m.row, m=m, entry=entry, report=service.gaps(m, entry))


@bp.get("/foerderung")
def funding(strategy_id: int):
    """Rule-by-rule check of a funding call against baseline, targets (or a later assessment) and budgets."""
    m = _load(strategy_id)
    first = m.strategy.funding[0].call if m.strategy.funding else funding_calls()[0].id
    call = find_call(request.args.get("aufruf") or first) or find_call(first)
    base = _entry_arg(m, "basis", service.default_baseline(m, call))
    outcome = _entry_arg(m, "vergleich", None)
    check = service.check_funding(m, call, base, outcome)
    return render_template(
        "maturity/funding.html",
        readings=service.call_readings(m, call, base, outcome),
        row=m.row,
        m=m,
        calls=funding_calls(),
        call=call,
        part=service.participation(m, call),
        base=base,
        outcome=outcome,
        check=check,
        measures=service.call_measures(m, call),
        unassigned=service.unassigned_funding_texts(m),
    )


# --- criteria catalogue ----------------------------------------------------------------------


@bp.route("/kriterien", methods=["GET", "POST"])
def criteria(strategy_id: int):
    """The organisation's criteria catalogue and its import (CSV/XLSX, all or nothing)."""
    m = _load(strategy_id, write=request.method == "POST")
    form = CriteriaImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            imported = parse_criteria_file(upload.filename or "", upload.read())
        except CriteriaFileError as exc:
            problems = exc.problems
        else:
            service.replace_criteria(db.session, m.row.organisation_id, imported)
            db.session.commit()
            flash(f"{len(imported)} Kriterien wurden übernommen; der bisherige Katalog wurde ersetzt.", "success")
            return redirect(url_for("maturity.criteria", strategy_id=strategy_id))
    items, is_sample = service.criteria(db.session, m.row.organisation_id)
    ordered = service.criteria_by_subdimension(items)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "maturity/criteria.html",
        row=m.row,
        m=m,
        form=form,
        problems=problems,
        groups=ordered,
        is_sample=is_sample,
        count=len(items),
    ), status


@bp.get("/kriterien/vorlage.<fmt>")
def criteria_template(strategy_id: int, fmt: str):
    """A template to fill in: the columns with the built-in sample criteria as example rows."""
    get_strategy_or_404(strategy_id)
    if fmt == "xlsx":
        return download(
            criteria_to_xlsx(sample_criteria()),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "kriterien-vorlage.xlsx",
        )
    if fmt == "csv":
        return download(
            criteria_to_csv(sample_criteria()),
            "text/csv",
            "kriterien-vorlage.csv",
        )
    abort(404)


@bp.get("/kriterien/katalog.csv")
def criteria_export(strategy_id: int):
    """The organisation's current criteria catalogue as CSV."""
    m = _load(strategy_id)
    items, _ = service.criteria(db.session, m.row.organisation_id)
    return download(
        criteria_to_csv(items),
        "text/csv",
        "kriterienkatalog.csv",
    )
