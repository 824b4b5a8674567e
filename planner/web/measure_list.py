"""The Maßnahmenliste as an Excel workbook: download, and upload → preview → confirm.

The preview carries the uploaded workbook in a hidden field and the state of the strategy
it was made from (`seen`); confirming re-reads the workbook, re-plans and refuses when
the strategy changed in between. Nothing is written before the confirmation.
"""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..formats.measure_workbook import WorkbookError, workbook_bytes
from ..services import measure_import
from ..services import strategies as core
from ..services import whole_strategy as whole
from . import clock
from .access import get_strategy_or_404, may_write
from .downloads import download as send_download
from .filters import strategy_file_stem
from .forms import choices
from .forms.measure_list import WorkbookConfirmForm, WorkbookUploadForm

bp = Blueprint("measure_list", __name__, url_prefix="/strategien/<int:strategy_id>")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_PREVIEW_BYTES = 300 * 1024  # travels base64-encoded in the preview form (form fields: 500 KB at most)


@bp.get("/massnahmenliste.xlsx")
def download(strategy_id: int):
    """The measures of the strategy as an Excel workbook (Maßnahmen, Strategie, Hinweise)."""
    row = get_strategy_or_404(strategy_id)
    strategy = whole.strategy_to_domain(row)
    # the owners' addresses only for who may edit (issue 28): a reader's list has no such column
    addresses = may_write(row.organisation_id)
    if addresses:
        strategy = core.with_owner_addresses(strategy, core.owner_addresses(db.session, row.organisation_id))
    data = workbook_bytes(strategy, clock.today(), addresses=addresses)
    filename = f"massnahmenliste-{strategy_file_stem(row)}.xlsx"
    return send_download(data, XLSX, filename)


def _preview(row, data: bytes, form: WorkbookConfirmForm, delete: set[str], problems=None, conflict=None):
    """The preview page of a plan; the upload page with every problem when the workbook is refused."""
    try:
        plan = measure_import.plan_import(row, data, delete, clock.today())
    except WorkbookError as exc:
        return _upload_page(row, WorkbookUploadForm(), exc.problems)
    form.workbook.data = base64.b64encode(data).decode("ascii")
    form.seen.data = plan.fingerprint
    form.delete.choices = choices(plan.missing)
    form.delete.data = list(plan.deleted)
    status = 422 if problems or conflict else 200
    return render_template(
        "measure_list/preview.html", row=row, plan=plan, form=form, problems=problems or [], conflict=conflict
    ), status


def _upload_page(row, form: WorkbookUploadForm, problems: list[str]):
    status = 422 if problems or form.errors else 200
    return render_template("measure_list/upload.html", row=row, form=form, problems=problems), status


@bp.route("/massnahmenliste/importieren", methods=["GET", "POST"])
def upload(strategy_id: int):
    """Upload an edited Maßnahmenliste; shows the preview of every change, writes nothing."""
    row = get_strategy_or_404(strategy_id, write=True)
    form = WorkbookUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        if len(data) > MAX_PREVIEW_BYTES:
            return _upload_page(row, form, [f"Die Datei ist zu groß (höchstens {MAX_PREVIEW_BYTES // 1024} KB)."])
        return _preview(row, data, WorkbookConfirmForm(formdata=None), set())
    return _upload_page(row, form, [])


@bp.post("/massnahmenliste/uebernehmen")
def confirm(strategy_id: int):
    """Apply a previewed import all or nothing; refused when the strategy changed since the preview."""
    row = get_strategy_or_404(strategy_id, write=True)
    form = WorkbookConfirmForm()
    try:
        data = base64.b64decode(form.workbook.data or "", validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if not data:
        return _upload_page(
            row,
            WorkbookUploadForm(formdata=None),
            ["Die Vorschau ist unvollständig. Bitte die Datei erneut hochladen."],
        )
    try:
        plan = measure_import.plan_import(row, data, set(), clock.today())
        form.delete.choices = choices(plan.missing)
        form.validate()
        delete = set(form.delete.data or []) & {key for key, _ in plan.missing}
        plan = measure_import.plan_import(row, data, delete, clock.today())
    except WorkbookError as exc:
        db.session.rollback()
        # shown on the preview as planned without the deletions that broke it
        return _preview(row, data, WorkbookConfirmForm(formdata=None), set(), problems=exc.problems)
    try:
        measure_import.apply_import(db.session, row, plan, form.seen.data or "")
        db.session.commit()
    except (measure_import.StaleImport, StaleDataError):
        db.session.rollback()
        fresh = get_strategy_or_404(strategy_id, write=True)
        return _preview(
            fresh,
            data,
            WorkbookConfirmForm(formdata=None),
            delete,
            conflict="Die Strategie wurde seit der Vorschau geändert. Es wurde nichts übernommen; "
            "unten steht die Vorschau auf dem jetzigen Stand. Bitte prüfen und erneut übernehmen.",
        )
    flash(
        f"Die Maßnahmenliste wurde übernommen: {len(plan.changed)} geändert, {len(plan.new)} neu, "
        f"{len(plan.deleted)} gelöscht.",
        "success",
    )
    return redirect(url_for("strategies.detail", strategy_id=strategy_id))
