"""Login, logout, session expiry, rate limiting, security headers; login required everywhere else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint, Flask, flash, g, has_request_context, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..auth_models import LoginAttempt, User
from ..extensions import db
from ..models import utcnow
from ..services import audit
from .forms import GermanForm
from .token_auth import TOKEN_BLUEPRINTS

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
hasher = PasswordHasher()

# endpoints reachable without a login: the login page and what it needs to render
PUBLIC_ENDPOINTS = {"auth.login", "static", "assets.dimension_css"}

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


def hash_password(password: str) -> str:
    """An argon2id hash."""
    return hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    """Whether the password matches; rehashes when argon2's parameters changed."""
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


class LoginForm(GermanForm):
    """Username and password."""

    username = StringField(
        "Benutzername",
        validators=[DataRequired("Bitte ausfüllen."), Length(max=100)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Passwort", validators=[DataRequired("Bitte ausfüllen.")], render_kw={"autocomplete": "current-password"}
    )


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS (directly or via the proxy)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or (has_request_context() and request.is_secure))


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
    app.session_interface = SessionInterface()
    audit.install()
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
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def _now() -> datetime:
    return datetime.now(UTC)


def _require_login():
    """Every endpoint but the login page needs a logged-in, active user whose session is not idle too long."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if request.blueprint in TOKEN_BLUEPRINTS:
        return None  # they authenticate by token and never read the session (token_auth.py)
    if current_user.is_authenticated:
        seen = session.get("seen")
        idle = timedelta(minutes=current_app_config("LOGIN_IDLE_MINUTES"))
        now = _now().timestamp()
        if seen is not None and now - seen > idle.total_seconds():
            logout_user()
            session.clear()
            flash("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.", "info")
            return redirect(url_for("auth.login", next=_safe_next(request.full_path)))
        if seen is None or now - seen > 30:
            session["seen"] = now
        return None
    if request.method == "GET":
        return redirect(url_for("auth.login", next=_safe_next(request.full_path)))
    return redirect(url_for("auth.login"))


def current_app_config(name: str):
    from flask import current_app

    return current_app.config[name]


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if current_user and getattr(current_user, "is_authenticated", False):
        response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, never another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target.rstrip("?") or None


def _client_address() -> str:
    return (request.remote_addr or "unbekannt")[:64]


def _too_many_failures(username: str) -> bool:
    since = utcnow() - timedelta(minutes=current_app_config("LOGIN_FAILURE_WINDOW_MINUTES"))
    by_name = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.username == username, LoginAttempt.at >= since)
    )
    by_address = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.remote_addr == _client_address(), LoginAttempt.at >= since)
    )
    return by_name >= current_app_config("LOGIN_MAX_FAILURES") or by_address >= current_app_config(
        "LOGIN_MAX_FAILURES_PER_ADDRESS"
    )


@bp.route("/anmelden", methods=["GET", "POST"])
def login():
    """The login form; failed attempts are counted per username and address."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("strategies.index"))
    form = LoginForm()
    error = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            username = form.username.data.strip()
            if _too_many_failures(username):
                error = (
                    "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie "
                    f"{current_app_config('LOGIN_FAILURE_WINDOW_MINUTES')} Minuten und versuchen Sie es erneut."
                )
                status = 429
            else:
                user = db.session.scalar(sa.select(User).where(User.username == username))
                if user is not None and user.active and check_password(user, form.password.data):
                    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == username))
                    user.last_login_at = utcnow()
                    db.session.commit()
                    session.clear()
                    session.permanent = True
                    login_user(user)
                    session["seen"] = _now().timestamp()
                    target = _safe_next(request.args.get("next"))
                    return redirect(target or url_for("strategies.index"))
                if user is None:
                    hasher.hash(form.password.data)  # same time whether or not the user exists
                window = timedelta(minutes=current_app_config("LOGIN_FAILURE_WINDOW_MINUTES"))
                db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < utcnow() - window))
                db.session.add(LoginAttempt(username=username[:100], remote_addr=_client_address()))
                db.session.commit()
                error = "Benutzername oder Passwort ist falsch."
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/abmelden")
def logout():
    """End the session."""
    form = FlaskForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash("Sie wurden abgemeldet.", "success")
    return redirect(url_for("auth.login"))


def logout_form() -> FlaskForm:
    """The logout button's form (only the CSRF token)."""
    if "logout_form" not in g:
        # not bound to the request's form: an error page of a POST (413 too large) must not read it again
        g.logout_form = FlaskForm(formdata=None)
    return g.logout_form
