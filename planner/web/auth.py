"""Login, logout, session expiry, rate limiting, security headers; login required everywhere else."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote, urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm

from ..extensions import db
from ..models.auth import User
from ..services import accounts, directory
from .forms.auth import LoginForm, PasswordChangeForm
from .token_auth import TOKEN_BLUEPRINTS, directory_settings, still_allowed

bp = Blueprint("auth", __name__)
login_manager = LoginManager()

# endpoints reachable without a login: the login page and what it needs to render
PUBLIC_ENDPOINTS = {"auth.login", "static", "assets.dimension_css", "assets.favicon"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS (directly or via the proxy)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or (has_request_context() and request.is_secure))

    def get_expiration_time(self, app: Flask, session) -> datetime | None:
        """Sliding with each request, but never past the login time plus the session lifetime."""
        expires = super().get_expiration_time(app, session)
        login_at = session.get("login_at")
        if expires is not None and isinstance(login_at, int | float):
            latest = datetime.fromtimestamp(login_at, UTC) + app.permanent_session_lifetime
            expires = min(expires, latest)
        return expires


def init_app(app: Flask) -> None:
    """Login manager, cookie settings, the login requirement and the security headers."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config.setdefault("LOGIN_IDLE_MINUTES", 60)
    app.config.setdefault("LOGIN_MAX_FAILURES", 5)
    app.config.setdefault("LOGIN_FAILURE_WINDOW_MINUTES", 15)
    app.config.setdefault("LOGIN_MAX_FAILURES_PER_ADDRESS", 30)
    if "PERMANENT_SESSION_LIFETIME" not in app.config or app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=31):
        app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=10)
    # the cookie's expiry is the login time plus the lifetime (get_expiration_time), so sending it
    # again unchanged on every answer would only cost time; it is sent when the session changes
    # (at the latest when the activity is refreshed, every 30 s)
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.session_interface = SessionInterface()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Bitte melden Sie sich an."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_require_login)
    app.after_request(_security_headers)
    app.register_blueprint(bp)


@login_manager.user_loader
def _load_user(token: str) -> User | None:
    user_id, _, version = token.partition(":")
    if not user_id.isdigit():
        return None
    user = accounts.session_user(db.session, int(user_id), version)
    return user if user is not None and still_allowed(user) else None


def _now() -> datetime:
    return datetime.now(UTC)


def _require_login():
    """Every endpoint but the login page needs a logged-in, active user with a valid session."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if request.blueprint in TOKEN_BLUEPRINTS:
        return None  # they authenticate by token and never read the session (token_auth.py)
    if current_user.is_authenticated:
        return _validate_session()
    if request.method == "GET":
        return redirect(url_for("auth.login", next=_safe_next(request.full_path)))
    return redirect(url_for("auth.login"))


def _validate_session():
    """The one check of a logged-in session on each request (the user's session counter was
    already compared by the user loader): at most LOGIN_IDLE_MINUTES idle and at most
    PERMANENT_SESSION_LIFETIME since the login. An expired session is ended; None if valid."""
    now = _now().timestamp()
    seen = session.get("seen")
    login_at = session.get("login_at")
    idle = timedelta(minutes=current_app_config("LOGIN_IDLE_MINUTES")).total_seconds()
    lifetime = current_app_config("PERMANENT_SESSION_LIFETIME").total_seconds()
    if (
        not isinstance(login_at, int | float)
        or not 0 <= now - login_at <= lifetime
        or (seen is not None and now - seen > idle)
    ):
        logout_user()
        session.clear()
        flash("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.", "info")
        return redirect(url_for("auth.login", next=_safe_next(request.full_path)))
    if seen is None or now - seen > 30:
        session["seen"] = now
    return None


def start_session(user: User) -> None:
    """Log the user in with a fresh session: login time and last activity in the signed cookie."""
    session.clear()
    session.permanent = True
    login_user(user)
    now = _now().timestamp()
    session["login_at"] = now
    session["seen"] = now


def current_app_config(name: str):
    return current_app.config[name]


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    # only a user this request has loaded: a stylesheet needs no database (and gets it while the database is away)
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def _safe_next(target: str | None) -> str | None:
    """Only a path of this site, never another host.

    Browsers drop tabs and line breaks from addresses and read a backslash as a slash, so
    "/\t/evil.example/" would lead to //evil.example/: a control character, whitespace or
    backslash, also percent-encoded, refuses the target, as does anything a URL parser reads
    as a scheme or host."""
    if not target or not isinstance(target, str):
        return None
    for text in (target, unquote(target)):
        if "\\" in text or any(ch.isspace() or unicodedata.category(ch) in _INVISIBLE for ch in text):
            return None
        if not text.startswith("/") or text.startswith("//"):
            return None
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return None
    return quote(target.rstrip("?"), safe="/?&=%#:@!$'()*+,;~-._") or None


_INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Zs"}


def _client_address() -> str:
    return (request.remote_addr or "unbekannt")[:64]


def _limits() -> accounts.Limits:
    return accounts.Limits(
        timedelta(minutes=current_app_config("LOGIN_FAILURE_WINDOW_MINUTES")),
        current_app_config("LOGIN_MAX_FAILURES"),
        current_app_config("LOGIN_MAX_FAILURES_PER_ADDRESS"),
    )


def _wait_message(what: str) -> str:
    return (
        f"Zu viele fehlgeschlagene {what}. Bitte warten Sie "
        f"{current_app_config('LOGIN_FAILURE_WINDOW_MINUTES')} Minuten und versuchen Sie es erneut."
    )


@bp.route("/anmelden", methods=["GET", "POST"])
def login():
    """The login form; failed attempts are counted per username and address."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("lagebild.start"))
    form = LoginForm()
    error = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                user = directory.log_in(
                    db.session,
                    directory_settings(),
                    form.username.data.strip(),
                    form.password.data,
                    _client_address(),
                    _limits(),
                )
            except directory.Unreachable:
                db.session.rollback()
                error, status = directory.UNREACHABLE, 503
            except accounts.TooManyFailures:
                error, status = _wait_message("Anmeldeversuche"), 429
            except accounts.WrongPassword:
                db.session.commit()  # the failed attempt counts
                error = "Benutzername oder Passwort ist falsch."
            else:
                db.session.commit()
                start_session(user)
                return redirect(_safe_next(request.args.get("next")) or url_for("lagebild.start"))
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/abmelden")
def logout():
    """End the session on the server too: the user's session counter moves on, so a copied
    cookie (and the user's sessions on other devices) no longer work."""
    form = FlaskForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            accounts.end_all_sessions(accounts.get_user(db.session, current_user.id))
            db.session.commit()
        logout_user()
        session.clear()
        flash("Sie wurden abgemeldet.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/passwort", methods=["GET", "POST"])
def change_password():
    """Users change their own password; their other sessions end, this one goes on."""
    form = PasswordChangeForm()
    status = 200
    if current_user.directory_dn is not None:
        # the password lives in the county's directory: nothing to change here
        return render_template("auth/password.html", form=None, directory=True), 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            user = current_user._get_current_object()
            try:
                revoked = accounts.change_own_password(
                    db.session,
                    user,
                    form.current.data,
                    form.password.data,
                    _client_address(),
                    _limits(),
                    revoke_tokens=form.revoke_tokens.data,
                )
            except accounts.TooManyFailures:
                form.current.errors.append(_wait_message("Versuche"))  # the login's limit: no guessing here either
                status = 429
            except accounts.AccountError as exc:
                db.session.commit()  # a wrong current password counts as a failed attempt
                getattr(form, exc.field).errors.append(str(exc))
            else:
                db.session.commit()
                login_user(user)  # this session carries the new counter; login time stays
                flash(
                    "Ihr Passwort wurde geändert. Ihre anderen Sitzungen sind beendet."
                    + (f" Widerrufene Tokens: {revoked}." if form.revoke_tokens.data else ""),
                    "success",
                )
                return redirect(url_for("auth.change_password"))
    return render_template("auth/password.html", form=form), status


def logout_form() -> FlaskForm:
    """The logout button's form (only the CSRF token)."""
    if "logout_form" not in g:
        # not bound to the request's form: an error page of a POST (413 too large) must not read it again
        g.logout_form = FlaskForm(formdata=None)
    return g.logout_form
