"""The user's own access keys (/profil/zugaenge): personal API tokens and calendar subscriptions.

A new key is shown once, on the page that answers its creation; only its hash is stored.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..services import tokens
from .forms import ConfirmForm
from .forms.profile import NotificationForm, TokenForm
from .mails import settings as mail_settings

bp = Blueprint("profile", __name__, url_prefix="/profil")

KIND_LABELS = {"api": "API-Zugang", "kalender": "Kalender-Abonnement"}


def _page(api_form: TokenForm, calendar_form: TokenForm, new: dict | None = None, status: int = 200):
    return (
        render_template(
            "profile/zugaenge.html",
            api_form=api_form,
            calendar_form=calendar_form,
            api_tokens=tokens.of_user(db.session, current_user.id, "api"),
            calendar_tokens=tokens.of_user(db.session, current_user.id, "kalender"),
            confirm=ConfirmForm(),
            new=new,
        ),
        status,
    )


@bp.get("/zugaenge")
def access():
    """The user's API tokens and calendar subscriptions, with forms to add one."""
    return _page(TokenForm(prefix="api", formdata=None), TokenForm(prefix="kal", formdata=None))


def _create(kind: str):
    api_form, calendar_form = TokenForm(prefix="api"), TokenForm(prefix="kal")
    form = api_form if kind == "api" else calendar_form
    other = calendar_form if kind == "api" else api_form
    other.process(formdata=None)
    if not form.validate_on_submit():
        return _page(api_form, calendar_form, status=422)
    row, secret = tokens.create(db.session, current_user, kind, form.name.data)
    db.session.commit()
    form.process(formdata=None)
    new = {"kind": kind, "name": row.name, "secret": secret}
    if kind == "kalender":
        new["url"] = url_for("calendar_feed.feed", secret=secret, _external=True)
    return _page(api_form, calendar_form, new=new, status=201)


@bp.post("/zugaenge/api")
def create_api_token():
    """A new personal API token, shown once."""
    return _create("api")


@bp.post("/zugaenge/kalender")
def create_calendar_token():
    """A new calendar subscription address, shown once."""
    return _create("kalender")


@bp.post("/zugaenge/<int:token_id>/widerrufen")
def revoke(token_id: int):
    """Revoke one of the user's own keys; it stops working at once."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    row = tokens.revoke(db.session, current_user.id, token_id)
    if row is None:
        abort(404)
    db.session.commit()
    flash(f"{KIND_LABELS[row.kind]} „{row.name}“ wurde widerrufen.", "success")
    return redirect(url_for("profile.access"))


# --- notifications by mail (issue 28) --------------------------------------------------------------


@bp.route("/benachrichtigungen", methods=["GET", "POST"])
def notifications():
    """Switch the digests off or on; a local account also sets its address (a directory's comes from it)."""
    user = current_user._get_current_object()
    form = NotificationForm()
    if request.method == "GET":
        form.email.data, form.digests.data = user.email or "", user.mail_digests
    if form.validate_on_submit():
        if user.directory_dn is None and (form.email.data or None) != user.email:
            user.email = form.email.data or None
        if bool(form.digests.data) != user.mail_digests:
            user.mail_digests = bool(form.digests.data)
        db.session.commit()
        flash("Ihre Benachrichtigungen wurden gespeichert.", "success")
        return redirect(url_for("profile.notifications"))
    configured, off = mail_settings()
    return render_template(
        "profile/benachrichtigungen.html", form=form, directory=user.directory_dn is not None, off=off
    ), (422 if request.method == "POST" else 200)
