"""Time limits (WCAG 2.2.1): a warning before the idle session ends with a way to extend it, and
no input lost when a form is sent after the session (or its form token) has ended.

Kept apart from auth.py, which owns the session rules: this module only reads the idle limit and
the session's last activity ("seen"), refreshes it on request, and keeps a form that arrives too
late until the same page is shown again after the new login.

- Every logged-in page carries the idle limit (the same on every page, so pages can be kept
  in the browser, web/cached.py); static/session.js counts down from the page's load and warns
  SESSION_WARNING_MINUTES before the end and offers "Sitzung verlängern" (POST /sitzung/verlaengern).
- A POST whose session has ended (idle, ended on another device) or whose form token expired
  runs this module's hook *before* the CSRF check: the fields (without the token) go into
  kept_forms under a random token and the browser is sent to the page the form came from with
  ?wiederherstellen=TOKEN. The login requirement then sends it through the login and back; the
  page fills the form with the kept values (static/session.js) and says so. Nothing is saved
  until the user sends the form again, with a fresh token.
- Only a form sent with the signed session of a known, active user is kept (a request without
  a session, or after logging out in this browser, has nobody to give it back to), at most
  KEPT_FORM_MAX_BYTES of it and KEPT_FORMS_PER_USER per user; it is restored only for that user.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, g, jsonify, redirect, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from ..extensions import db
from ..models import utcnow
from ..models.auth import User
from ..models.session import KeptForm

bp = Blueprint("session_timeout", __name__)
RESTORE_ARG = "wiederherstellen"
# endpoints whose POST never carries user input worth keeping
REFRESH_SECONDS = 30
SKIPPED = {"auth.login", "auth.logout", "session_timeout.extend", "static"}


def init_app(app: Flask) -> None:
    """Config defaults, the keep-form hook (before the CSRF check), restore hook, template helper."""
    app.config.setdefault("SESSION_WARNING_MINUTES", 5)
    app.config.setdefault("KEPT_FORM_HOURS", 24)
    app.config.setdefault("KEPT_FORM_MAX_BYTES", 512 * 1024)
    app.config.setdefault("KEPT_FORMS_PER_USER", 20)
    # first of all request hooks: it must see the form before the CSRF check refuses it
    app.before_request_funcs.setdefault(None, []).insert(0, _keep_late_form)
    app.before_request(_restore_kept_form)
    app.context_processor(lambda: {"session_timeout": _timeout_view})
    app.register_blueprint(bp)


def idle_seconds() -> float:
    return float(current_app.config["LOGIN_IDLE_MINUTES"]) * 60


def remaining_seconds() -> int:
    """Seconds until the idle limit ends this session."""
    seen = session.get("seen")
    left = idle_seconds() - (time.time() - seen) if seen is not None else idle_seconds()
    return max(0, round(left))


def _session_ended() -> bool:
    if not current_user.is_authenticated:
        return True
    seen = session.get("seen")
    return seen is not None and time.time() - seen > idle_seconds()


def _token_expired() -> bool:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return False
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return True
    return False


def _same_site() -> bool:
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        return False
    return urlsplit(request.referrer or "").netloc == request.host


def _origin_path() -> str:
    """The page the form came from (same site), else the address it was sent to."""
    ref = urlsplit(request.referrer or "")
    if ref.netloc == request.host and ref.path.startswith("/") and not ref.path.startswith("//"):
        return ref.path + (f"?{ref.query}" if ref.query else "")
    return request.path


def _session_owner() -> int | None:
    """The known, active user whose (possibly expired) session sent this request, or None.

    The Referer and the form are the client's to choose; the signed session cookie is not: an
    idle session still names its user, one ended on another device too (its counter is old)."""
    if current_user.is_authenticated:
        return int(current_user.get_id().partition(":")[0])
    user_id = str(session.get("_user_id") or "").partition(":")[0]
    if not user_id.isascii() or not user_id.isdigit() or len(user_id) > 12:
        return None
    user = db.session.get(User, int(user_id))
    return user.id if user is not None and user.active else None


def _keep_late_form():
    """A form sent after the session or its token ended: keep it, send the browser back to the form."""
    if request.method != "POST" or request.endpoint is None or request.endpoint in SKIPPED:
        return None
    # only planner's own forms: they carry a (stale) token and come from this site; anything else
    # (a forged request) goes on to the CSRF check and is refused there
    if "csrf_token" not in request.form or not _same_site():
        return None
    fields = [[k, v] for k, v in request.form.items(multi=True) if k != "csrf_token"]
    if not fields or not (_session_ended() or _token_expired()):
        return None
    owner = _session_owner()
    data = json.dumps(fields, ensure_ascii=False)
    if owner is None or len(data.encode("utf-8")) > current_app.config["KEPT_FORM_MAX_BYTES"]:
        return None  # nobody to give it back to, or more than any form of planner holds
    token = secrets.token_urlsafe(24)
    path = _origin_path()
    too_old = utcnow() - timedelta(hours=current_app.config["KEPT_FORM_HOURS"])
    db.session.execute(sa.delete(KeptForm).where(KeptForm.created_at < too_old))
    older = (
        sa.select(KeptForm.id)
        .where(KeptForm.user_id == owner)
        .order_by(KeptForm.id.desc())
        .offset(current_app.config["KEPT_FORMS_PER_USER"] - 1)
    )
    db.session.execute(sa.delete(KeptForm).where(KeptForm.id.in_(older)))
    db.session.add(KeptForm(token=token, user_id=owner, path=path.split("?")[0][:500], data=data))
    db.session.commit()
    target = path + ("&" if "?" in path else "?") + urlencode({RESTORE_ARG: token})
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=target))
    # a GET: the login requirement ends an idle session and sends it through the login page back here
    return redirect(target)


def _restore_kept_form():
    """On the page a kept form came from, after login: hand its values to the page once."""
    token = request.args.get(RESTORE_ARG)
    if request.method != "GET" or not token or not current_user.is_authenticated:
        return None
    kept = db.session.scalar(sa.select(KeptForm).where(KeptForm.token == token[:64]))
    if kept is None or kept.path != request.path:
        return None
    owner = current_user.get_id().partition(":")[0]
    if kept.user_id is None or str(kept.user_id) != owner:
        return None  # only for the user whose session sent it
    g.kept_form = json.loads(kept.data)
    db.session.delete(kept)
    db.session.commit()
    return None


def _timeout_view() -> dict | None:
    """What base.html needs for the warning; None when nobody is logged in."""
    if not current_user.is_authenticated:
        return None
    return {
        # the browser counts down from the page's load: every request refreshes the activity, but
        # only every REFRESH_SECONDS (web/auth.py), so the countdown starts that much lower
        "idle": max(0, round(idle_seconds()) - REFRESH_SECONDS),
        "warn": int(float(current_app.config["SESSION_WARNING_MINUTES"]) * 60),
        "kept": g.get("kept_form"),
    }


@bp.post("/sitzung/verlaengern")
def extend():
    """Refresh the session's activity: the idle limit starts again."""
    session["seen"] = time.time()
    return jsonify(remaining_seconds=remaining_seconds())
