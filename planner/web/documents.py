"""Documents made in the background (services/jobs.py): the job's page with its progress, the
progress as JSON for the page's script, and the download once ready.

The page works without JavaScript (it reloads itself every few seconds while the document is
being made); with JavaScript static/documents.js asks for the progress and updates a live
region instead. A job is seen by whoever may see its organisation; a user's own job (the atlas
export, across organisations) only by that user.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, url_for
from flask_login import current_user

from ..extensions import db
from ..models.jobs import DONE, FAILED, DocumentJob
from ..services import jobs
from .access import get_organisation_or_404
from .downloads import download

bp = Blueprint("documents", __name__, url_prefix="/dokumente")

REFRESH_SECONDS = 3


def _job(job_id: str) -> DocumentJob:
    job = db.session.get(DocumentJob, job_id) if len(job_id) <= 32 else None
    if job is None:
        abort(404)
    if job.user_id is not None and job.user_id != getattr(current_user, "id", None):
        abort(404)  # a user's own document (a search across organisations): only theirs
    if job.organisation_id is not None:
        get_organisation_or_404(job.organisation_id)
    return job


def _state(job: DocumentJob) -> dict:
    return {
        "state": job.state,
        "progress": job.progress,
        "step": job.step,
        "error": job.error,
        "done": job.state == DONE,
        "failed": job.state == FAILED,
        "download": url_for("documents.download_file", job_id=job.id) if job.state == DONE else None,
        "filename": job.filename if job.state == DONE else None,
    }


@bp.get("/<job_id>")
def status(job_id: str):
    """The job's page: what is made, how far, and the download when ready."""
    job = _job(job_id)
    jobs.look_after(current_app._get_current_object(), db.session, job)
    kind = jobs.KINDS.get(job.kind)
    finished = job.state in (DONE, FAILED)
    return render_template(
        "documents/status.html",
        job=job,
        label=kind.label if kind else job.title,
        state=_state(job),
        refresh=None if finished else REFRESH_SECONDS,
    )


@bp.get("/<job_id>/stand")
def progress(job_id: str):
    """The job's progress as JSON (for static/documents.js)."""
    job = _job(job_id)
    jobs.look_after(current_app._get_current_object(), db.session, job)
    return jsonify(_state(job))


@bp.get("/<job_id>/datei")
def download_file(job_id: str):
    """The finished document."""
    job = _job(job_id)
    if job.state != DONE:
        abort(404)
    return download(jobs.content(db.session, job), job.mimetype, job.filename)
