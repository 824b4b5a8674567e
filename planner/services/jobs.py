"""Documents made in the background: huey's queue carries the work, `document_jobs` what the
pages show (docs/architecture.md, "Background documents").

A page asks for a document with `request_document`: the row is written (or an existing one for
the same data found), the work is queued, and the user is sent to the job's page, which shows the
progress and offers the file when it is ready. No web request waits for a long document.

Where the work runs (`JOB_WORKER`, from PLANNER_JOB_WORKER):
- "thread" (default, `make run`): a thread of the web process takes the queued work and ends when
  the queue has been empty for a few seconds; asking for a document or looking at a waiting job
  starts it again.
- "process" (production): the web processes only queue; `planner worker` runs huey's consumer.

The queue lives beside the data: SQLite — huey's SQLite storage in a file next to the database
(`planner.db` → `planner.db-jobs`); PostgreSQL — huey's PostgreSQL storage in the same database
(tables `planner_huey_*`, SKIP LOCKED and LISTEN/NOTIFY), so every instance shares it.

A producer is registered per kind: `register(kind, produce)`; `produce(job, report)` returns
(bytes, file name, MIME type) and calls `report(percent, step)` as it goes.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from huey import PostgresHuey, SqliteHuey
from huey.api import Huey
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import utcnow
from ..models.jobs import DONE, FAILED, RUNNING, WAITING, DocumentJob

log = logging.getLogger(__name__)

TASK_NAME = "planner.document"
IDLE_SECONDS = 5.0  # the in-process worker ends after this long without work
POLL_SECONDS = 0.2
STALE_AFTER = timedelta(minutes=30)  # a job "running" this long was cut off (its process ended)
KEPT_FOR = timedelta(days=7)  # documents older than this are deleted when a new one is asked for
WORKER_MODES = ("thread", "process")

Report = Callable[[int, str], None]
Produce = Callable[[DocumentJob, Report], tuple[bytes, str, str]]


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what the progress page calls the document
    produce: Produce


KINDS: dict[str, Kind] = {}


def register(name: str, label: str, produce: Produce) -> None:
    """Make documents of kind `name` with `produce` (called in the worker, inside an app context)."""
    KINDS[name] = Kind(name, label, produce)


class JobError(Exception):
    """A document cannot be made; the message (German) is shown on the job's page."""


# --- the queue -------------------------------------------------------------------------------------


def _make_huey(app: Flask) -> Huey:
    url = sa.engine.make_url(app.config["SQLALCHEMY_ENGINES"]["default"])
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise RuntimeError("Hintergrunddokumente brauchen eine Datenbankdatei, keine SQLite-Datenbank im Speicher.")
        huey: Huey = SqliteHuey("planner", filename=f"{url.database}-jobs", results=False)
    else:
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        huey = PostgresHuey("planner", dsn=dsn, results=False, table_prefix="planner_huey")

    @huey.task(name=TASK_NAME, retries=0)
    def document(job_id: str) -> None:
        run(app, job_id)

    app.extensions["planner.jobs.task"] = document
    return huey


def queue(app: Flask) -> Huey:
    """The app's huey instance (made on first use: creating it creates the queue's tables)."""
    with _lock:
        if (huey := app.extensions.get("planner.jobs")) is None:
            huey = app.extensions["planner.jobs"] = _make_huey(app)
    return huey


def worker_mode(app: Flask) -> str:
    mode = app.config.get("JOB_WORKER") or "thread"
    if mode not in WORKER_MODES:
        raise RuntimeError(f"PLANNER_JOB_WORKER muss thread oder process sein, nicht {mode!r}.")
    return mode


# --- the in-process worker -------------------------------------------------------------------------

_lock = threading.Lock()
_threads: dict[int, threading.Thread] = {}  # per app (id): its running worker thread


def ensure_worker(app: Flask) -> None:
    """In "thread" mode: make sure a thread of this process works through the queue."""
    if worker_mode(app) != "thread":
        return
    huey = queue(app)
    with _lock:
        thread = _threads.get(id(app))
        if thread is not None and thread.is_alive():
            return
        thread = threading.Thread(target=_work, args=(app, huey), name="planner-dokumente", daemon=True)
        _threads[id(app)] = thread
        thread.start()


def _work(app: Flask, huey: Huey) -> None:
    idle_since = time.monotonic()
    while True:
        with _lock:
            try:
                task = huey.dequeue()
            except Exception:  # the queue is unreachable (database gone): end; the next request restarts
                log.exception("Die Warteschlange der Hintergrunddokumente ist nicht lesbar.")
                _threads.pop(id(app), None)
                return
            if task is None and time.monotonic() - idle_since > IDLE_SECONDS:
                _threads.pop(id(app), None)  # decided under the lock: a request now starts a new thread
                return
        if task is None:
            time.sleep(POLL_SECONDS)
            continue
        try:
            huey.execute(task)
        except Exception:
            log.exception("Hintergrundauftrag %s ist fehlgeschlagen.", task.id)
        idle_since = time.monotonic()


def run_consumer(app: Flask, workers: int) -> None:
    """`planner worker`: huey's consumer for this app's queue, until stopped (SIGINT/SIGTERM)."""
    huey = queue(app)
    huey.create_consumer(workers=workers, worker_type="thread", periodic=False).run()


# --- jobs ------------------------------------------------------------------------------------------


def fingerprint(kind: str, organisation_id: int | None, options: dict[str, Any], state: Any) -> str:
    """What makes two requests the same document: kind, organisation, options, the data's state."""
    text = repr((kind, organisation_id, sorted(options.items()), state))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def request_document(
    app: Flask,
    session: Session,
    *,
    kind: str,
    organisation_id: int | None,
    options: dict[str, Any],
    state: Any,
    title: str,
    requested_by: str,
    user_id: int | None = None,
) -> DocumentJob:
    """The job making this document: an existing one for the same data (waiting, running or done),
    else a new one, queued. Commits. `user_id`: a document only that user sees (no organisation's)."""
    if kind not in KINDS:
        raise KeyError(kind)
    mark = fingerprint(kind, organisation_id, options, (state, user_id))
    existing = session.scalars(
        sa.select(DocumentJob)
        .where(DocumentJob.fingerprint == mark, DocumentJob.state != FAILED)
        .order_by(DocumentJob.created_at.desc())
        .limit(1)
    ).first()
    if existing is not None and not _stale(existing):
        if existing.state == WAITING:
            ensure_worker(app)
        return existing
    # old documents go: they are made again on demand (the table would otherwise grow by every PDF)
    session.execute(sa.delete(DocumentJob).where(DocumentJob.created_at < utcnow() - KEPT_FOR))
    job = DocumentJob(
        id=secrets.token_hex(16),
        kind=kind,
        organisation_id=organisation_id,
        user_id=user_id,
        options=options,
        fingerprint=mark,
        title=title,
        requested_by=requested_by,
        state=WAITING,
        step="Wartet auf einen freien Platz in der Warteschlange.",
    )
    session.add(job)
    session.commit()
    queue(app)  # made on first use, with the task below
    app.extensions["planner.jobs.task"](job.id)  # calling huey's task enqueues it
    ensure_worker(app)
    return job


def _stale(job: DocumentJob) -> bool:
    return job.state == RUNNING and job.started_at is not None and utcnow() - job.started_at > STALE_AFTER


def look_after(app: Flask, session: Session, job: DocumentJob) -> None:
    """Before showing a job: a waiting one gets a worker (after a restart of the process), a running
    one whose process ended long ago is marked failed."""
    if job.state == WAITING:
        ensure_worker(app)
    elif _stale(job):
        job.state = FAILED
        job.error = (
            "Die Erstellung wurde unterbrochen (der Prozess wurde beendet). Bitte fordern Sie das Dokument neu an."
        )
        job.finished_at = utcnow()
        session.commit()


def run(app: Flask, job_id: str) -> None:
    """Make the document of the job (in the worker)."""
    with app.app_context():
        engine = db.engine
        with Session(engine, expire_on_commit=False) as session:
            job = session.get(DocumentJob, job_id)
            if job is None or job.state not in (WAITING,):
                return  # deleted, or another worker took it
            job.state, job.started_at, job.progress, job.step = RUNNING, utcnow(), 1, "Wird begonnen."
            session.commit()

            def report(percent: int, step: str) -> None:
                with Session(engine) as progress:
                    progress.execute(
                        sa.update(DocumentJob)
                        .where(DocumentJob.id == job_id)
                        .values(progress=max(1, min(99, int(percent))), step=step[:300])
                    )
                    progress.commit()

            try:
                kind = KINDS[job.kind]
                data, filename, mimetype = kind.produce(job, report)
            except JobError as exc:
                _fail(session, job_id, str(exc))
                return
            except Exception:
                log.exception("Dokument %s (%s) konnte nicht erstellt werden.", job_id, job.kind)
                _fail(session, job_id, "Beim Erstellen ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut.")
                return
            session.execute(
                sa.update(DocumentJob)
                .where(DocumentJob.id == job_id)
                .values(
                    state=DONE,
                    progress=100,
                    step="Fertig.",
                    content=data,
                    filename=filename,
                    mimetype=mimetype,
                    finished_at=utcnow(),
                )
            )
            session.commit()


def _fail(session: Session, job_id: str, message: str) -> None:
    session.rollback()
    session.execute(
        sa.update(DocumentJob)
        .where(DocumentJob.id == job_id)
        .values(state=FAILED, error=message, step="Abgebrochen.", finished_at=utcnow())
    )
    session.commit()


def content(session: Session, job: DocumentJob) -> bytes:
    """The finished document's bytes (a deferred column: read only for the download)."""
    return session.scalar(sa.select(DocumentJob.content).where(DocumentJob.id == job.id)) or b""
