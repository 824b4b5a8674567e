"""Applikationslandkarte: an office records its IT applications (form, CSV/XLSX import and
export); a coordinating office sees the matrix application × office and the candidates for
joint procurement or a common interface."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .. import models
from ..documents.land_exports import landscape_tables
from ..documents.report import tables_workbook
from ..domain.german import german_date
from ..domain.landscape import STATE_LABELS, Application, application_problems, split_interfaces
from ..extensions import db
from ..formats.landscape_file import LandscapeFileError, landscape_to_csv, landscape_to_xlsx, parse_landscape_file
from ..services import landscape as service
from .access import get_organisation_or_404, may_write, visible_organisation_ids
from .clock import today
from .downloads import download
from .forms import SENT_TWICE, ConfirmForm, save_unchanged
from .forms.land import ApplicationForm, LandscapeUploadForm

MATRIX_OFFICES = 20  # offices per page of the application × office matrix
NAMES_UP_TO = 10  # a list of offices longer than this is given as a number

bp = Blueprint("landscape", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 2 * 1024 * 1024


@bp.get("/applikationslandkarte")
def overview():
    """The organisations whose landscape the user may see, with their number of applications."""
    query = sa.select(models.Organisation).order_by(models.Organisation.name)
    if (visible := visible_organisation_ids()) is not None:
        query = query.where(models.Organisation.id.in_(visible))
    organisations = db.session.scalars(query).all()
    counts = service.application_counts(db.session, [o.id for o in organisations])
    coordinators = service.coordinators(db.session, [o.id for o in organisations])
    return render_template(
        "landscape/overview.html", organisations=organisations, counts=counts, coordinators=coordinators
    )


@bp.get("/organisationen/<int:organisation_id>/applikationslandkarte")
def index(organisation_id: int):
    """The office's applications: task, vendor, operation, interfaces, state."""
    org = get_organisation_or_404(organisation_id)
    rows = service.rows(db.session, org.id)
    return render_template(
        "landscape/index.html",
        org=org,
        rows=rows,
        apps=[service.to_domain(r) for r in rows],
        writable=may_write(org.id),
        coordinates=bool(service.coordinated_offices(db.session, org.id)),
        confirm=ConfirmForm(),
    )


def _form_app(form: ApplicationForm) -> Application:
    return Application(
        name=(form.name.data or "").strip(),
        vendor=(form.vendor.data or "").strip(),
        task_area=(form.task_area.data or "").strip(),
        operation=form.operation.data,
        interfaces=split_interfaces(form.interfaces.data or ""),
        state=form.state.data,
    )


def _valid(form: ApplicationForm, organisation_id: int, except_id: int | None = None) -> Application | None:
    """The application of a valid form; errors go on the fields (the input stays)."""
    if not form.validate():
        return None
    app = _form_app(form)
    for problem in application_problems(app):
        target = form.interfaces if "Schnittstelle" in problem else form.name
        target.errors = [*target.errors, problem]
    if service.name_taken(db.session, organisation_id, app.name, except_id):
        form.name.errors = [*form.name.errors, f"Die Anwendung „{app.name}“ ist schon erfasst."]
    return None if form.name.errors or form.interfaces.errors else app


@bp.route("/organisationen/<int:organisation_id>/applikationslandkarte/neu", methods=["GET", "POST"])
def create(organisation_id: int):
    """Record an application."""
    org = get_organisation_or_404(organisation_id, write=True)
    form = ApplicationForm()
    if not form.is_submitted():
        form.issue_token()
    elif (done := form.sent_before()) is not None:  # the same form again: to the landscape it went into
        flash(SENT_TWICE, "info")
        return redirect(done)
    app = _valid(form, org.id) if form.is_submitted() else None
    if form.is_submitted() and app is None and (done := form.sent_before()) is not None:
        # the name check found what the same form, sent a moment earlier, has just saved
        flash(SENT_TWICE, "info")
        return redirect(done)
    if app is not None:
        target = url_for("landscape.index", organisation_id=org.id)
        form.record(target)
        service.save(db.session, org.id, app)
        db.session.commit()
        flash(f"Die Anwendung „{app.name}“ wurde erfasst.", "success")
        return redirect(target)
    status = 422 if form.is_submitted() else 200
    return render_template("landscape/form.html", org=org, form=form, row=None), status


@bp.route(
    "/organisationen/<int:organisation_id>/applikationslandkarte/<int:application_id>/bearbeiten",
    methods=["GET", "POST"],
)
def edit(organisation_id: int, application_id: int):
    """Change an application."""
    org = get_organisation_or_404(organisation_id, write=True)
    row = service.get(db.session, org.id, application_id) or abort(404)
    form = ApplicationForm()
    general = None
    if not form.is_submitted():
        form.process(formdata=None, obj=row)
        form.interfaces.data = "; ".join(row.interfaces or [])
    elif (app := _valid(form, org.id, row.id)) is not None:
        general = save_unchanged(
            form.lock_version, "applications", row, lambda: service.save(db.session, org.id, app, row)
        )
        if general is None:
            db.session.commit()
            flash(f"Die Anwendung „{app.name}“ wurde gespeichert.", "success")
            return redirect(url_for("landscape.index", organisation_id=org.id))
    status = 422 if form.is_submitted() else 200
    return render_template("landscape/form.html", org=org, form=form, row=row, general=general), status


@bp.post("/organisationen/<int:organisation_id>/applikationslandkarte/<int:application_id>/loeschen")
def delete(organisation_id: int, application_id: int):
    """Remove an application from the landscape."""
    org = get_organisation_or_404(organisation_id, write=True)
    row = service.get(db.session, org.id, application_id) or abort(404)
    if not ConfirmForm().validate():
        abort(400)
    name = row.name
    db.session.delete(row)
    db.session.commit()
    flash(f"Die Anwendung „{name}“ wurde entfernt.", "success")
    return redirect(url_for("landscape.index", organisation_id=org.id))


@bp.route("/organisationen/<int:organisation_id>/applikationslandkarte/importieren", methods=["GET", "POST"])
def upload(organisation_id: int):
    """Import applications from CSV or XLSX, all or nothing; every problem names its line."""
    org = get_organisation_or_404(organisation_id, write=True)
    form = LandscapeUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        data = form.file.data.read(MAX_UPLOAD + 1)
        try:
            if len(data) > MAX_UPLOAD:
                raise LandscapeFileError([f"Die Datei ist zu groß (höchstens {MAX_UPLOAD // 1024 // 1024} MB)."])
            apps = parse_landscape_file(form.file.data.filename or "", data)
        except LandscapeFileError as exc:
            problems = exc.problems
        else:
            changed, added = service.import_applications(db.session, org.id, apps)
            db.session.commit()
            flash(f"Die Applikationslandkarte wurde übernommen: {added} neu, {changed} geändert.", "success")
            return redirect(url_for("landscape.index", organisation_id=org.id))
    status = 422 if problems or form.errors else 200
    return render_template("landscape/upload.html", org=org, form=form, problems=problems), status


def _apps(org: models.Organisation) -> list[Application]:
    return [service.to_domain(r) for r in service.rows(db.session, org.id)]


@bp.get("/organisationen/<int:organisation_id>/applikationslandkarte.xlsx")
def export_xlsx(organisation_id: int):
    """The landscape as XLSX in the import format (empty: the template with one example line)."""
    org = get_organisation_or_404(organisation_id)
    return download(landscape_to_xlsx(_apps(org)), XLSX, f"applikationslandkarte-{org.name}.xlsx")


@bp.get("/organisationen/<int:organisation_id>/applikationslandkarte.csv")
def export_csv(organisation_id: int):
    """The landscape as CSV in the import format."""
    org = get_organisation_or_404(organisation_id)
    return download(landscape_to_csv(_apps(org)), "text/csv", f"applikationslandkarte-{org.name}.csv")


@bp.get("/organisationen/<int:organisation_id>/landeslandkarte")
def land(organisation_id: int):
    """For a coordinating office: application × office, joint procurement and interface candidates."""
    org = get_organisation_or_404(organisation_id)
    view = service.land_view(db.session, org.id)
    # the matrix shows MATRIX_OFFICES offices (columns) at a time: 400 offices are 20 pages, not one
    pages = max(1, -(-len(view.recorded) // MATRIX_OFFICES))
    text = request.args.get("seite", "")
    page = min(max(int(text), 1), pages) if text.isdigit() and len(text) < 7 else 1
    columns = view.recorded[(page - 1) * MATRIX_OFFICES : page * MATRIX_OFFICES]
    rows = [r for r in view.matrix if any(o in r.cells for o in columns)]
    return render_template(
        "landscape/land.html",
        org=org,
        view=view,
        state_labels=STATE_LABELS,
        columns=columns,
        rows=rows,
        page=page,
        pages=pages,
        first=(page - 1) * MATRIX_OFFICES + 1,
        names_up_to=NAMES_UP_TO,
    )


@bp.get("/organisationen/<int:organisation_id>/landeslandkarte.xlsx")
def land_xlsx(organisation_id: int):
    """The Land's landscape as a workbook: every entry, applications, procurement, interfaces."""
    org = get_organisation_or_404(organisation_id)
    view = service.land_view(db.session, org.id)
    day = today()
    data = tables_workbook(
        f"Applikationslandkarte der koordinierten Ämter – {org.name}",
        f"Stand {german_date(day)}: {len(view.recorded)} von {len(view.offices)} Ämtern mit Angaben",
        landscape_tables(view),
    )
    return download(
        data,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"Landeslandkarte {org.name} {day.isoformat()}.xlsx",
    )
