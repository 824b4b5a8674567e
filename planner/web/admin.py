"""Administration: users and their roles, an organisation's members, persons, coordination and backup;
the Verlauf (audit trail) of any object."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user

from .. import models
from ..domain.german import in_berlin, parse_day
from ..extensions import db
from ..models.auth import ROLE_LABELS, DirectoryGroupRole, User
from ..services import accounts, audit, backup, directory_groups, persons, verlauf
from .access import (
    get_organisation_or_404,
    is_admin,
    may_manage,
    may_write,
    organisations_with_role,
    visible_organisation_ids,
)
from .auth import logout_form
from .downloads import download
from .forms import ConfirmForm, choices, save_unchanged
from .forms.admin import (
    CoordinationForm,
    DirectoryFileForm,
    DirectoryGroupForm,
    DirectoryRoleForm,
    MembershipForm,
    MergeForm,
    NewPersonForm,
    PersonForm,
    UserForm,
)

bp = Blueprint("admin", __name__, url_prefix="/verwaltung")


def managed_organisations() -> list[int]:
    """Ids of organisations the current user administers (for the navigation; an administrator
    has the whole administration instead)."""
    return organisations_with_role("verwalten") or []


def may_write_somewhere() -> bool:
    """Whether the current user may change any organisation (offers to create or import a strategy)."""
    writable = organisations_with_role("bearbeiten")
    return writable is None or bool(writable)


@bp.record_once
def _globals(state) -> None:
    state.app.add_template_global(managed_organisations, "managed_organisations")
    state.app.add_template_global(may_write, "may_write")
    state.app.add_template_global(may_write_somewhere, "may_write_somewhere")
    state.app.add_template_global(logout_form, "logout_form")
    state.app.add_template_global(verlauf.table_label, "audit_table_label")
    state.app.add_template_global(lambda a: verlauf.ACTION_LABELS.get(a, a), "audit_action_label")


def _admin_only() -> None:
    if not is_admin():
        abort(404)


def _organisation_choices(exclude: set[int] = frozenset()):
    return choices((o.id, o.name) for o in accounts.organisations(db.session, exclude))


def _account_data(form: UserForm) -> accounts.AccountData:
    return accounts.AccountData(
        form.username.data, form.display_name.data or "", form.password.data or "", form.is_admin.data, form.active.data
    )


def _reset_note(revoked: int) -> str:
    """What a password reset by an administrator ended, for the confirmation."""
    if not revoked:
        return " Das neue Passwort gilt; alle Sitzungen des Kontos sind beendet (API- oder Kalender-Tokens hatte es keine)."
    what = "ein API- oder Kalender-Token" if revoked == 1 else f"{revoked} API- und Kalender-Tokens"
    return f" Das neue Passwort gilt; alle Sitzungen des Kontos sind beendet, {what} widerrufen."


# --- users -----------------------------------------------------------------------------


@bp.get("/benutzer")
def users():
    """All user accounts with their roles."""
    _admin_only()
    return render_template(
        "admin/users.html",
        users=accounts.users(db.session),
        organisations=accounts.organisations(db.session),
        role_labels=ROLE_LABELS,
    )


@bp.route("/benutzer/neu", methods=["GET", "POST"])
def create_user():
    """A new account; a generated password is shown once."""
    _admin_only()
    form = UserForm()
    if form.validate_on_submit():
        try:
            user, generated = accounts.create_user(db.session, _account_data(form))
        except accounts.AccountError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            db.session.commit()
            shown = f" Erstes Passwort (nur jetzt sichtbar): {generated}" if generated else ""
            flash(f"Das Konto „{user.username}“ wurde angelegt.{shown}", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


def _user_or_404(user_id: int) -> User:
    _admin_only()
    user = accounts.get_user(db.session, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/benutzer/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    """Edit an account; a new password or deactivation ends its sessions."""
    row = _user_or_404(user_id)
    form = UserForm(obj=row if request.method == "GET" else None)
    membership_form = MembershipForm(prefix="rolle")
    membership_form.organisation.choices = _organisation_choices({m.organisation_id for m in row.memberships})
    general = []
    if request.method == "POST" and form.validate_on_submit():
        revoked = []
        try:
            refused = save_unchanged(
                form.lock_version,
                "users",
                row,
                lambda: revoked.append(accounts.update_user(db.session, row, _account_data(form), current_user.id)),
            )
        except accounts.AccountError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            if refused is None:
                db.session.commit()
                if row.id == current_user.id and form.password.data:
                    login_user(row)  # this session carries the new counter
                note = _reset_note(revoked[0]) if form.password.data else ""
                flash("Das Konto wurde gespeichert." + note, "success")
                return redirect(url_for("admin.user", user_id=row.id))
            general = [refused]
            row = _user_or_404(user_id)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/user_form.html",
        form=form,
        general=general,
        user=row,
        membership_form=membership_form,
        role_labels=ROLE_LABELS,
        confirm=ConfirmForm(),
    ), status


@bp.post("/benutzer/<int:user_id>/rollen")
def add_membership(user_id: int):
    """Give the user a role in an organisation."""
    row = _user_or_404(user_id)
    form = MembershipForm(prefix="rolle")
    form.organisation.choices = _organisation_choices({m.organisation_id for m in row.memberships})
    if form.validate_on_submit():
        accounts.add_membership(db.session, row, int(form.organisation.data), form.role.data)
        db.session.commit()
        flash("Die Rolle wurde vergeben.", "success")
    else:
        flash("Bitte Organisation und Rolle wählen.", "error")
    return redirect(url_for("admin.user", user_id=row.id))


@bp.post("/benutzer/<int:user_id>/rollen/<int:membership_id>/entfernen")
def remove_membership(user_id: int, membership_id: int):
    """Take a role away."""
    row = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit() or not accounts.remove_membership(db.session, row, membership_id):
        abort(404)
    db.session.commit()
    flash("Die Rolle wurde entzogen.", "success")
    return redirect(url_for("admin.user", user_id=row.id))


# --- directory groups (issue 29) -------------------------------------------------------------


def _directory_page(form: DirectoryGroupForm, file_form: DirectoryFileForm, problems: list[str], status: int):
    rows = directory_groups.mappings(db.session)
    role_forms = {m.id: DirectoryRoleForm(prefix=f"m{m.id}", formdata=None, role=m.role) for m in rows}
    return render_template(
        "admin/directory_groups.html",
        rows=rows,
        form=form,
        file_form=file_form,
        problems=problems,
        role_forms=role_forms,
        role_labels=ROLE_LABELS,
        ldap_configured=bool(current_app.config.get("PLANNER_LDAP_URL")),
        confirm=ConfirmForm(),
    ), status


@bp.route("/verzeichnisgruppen", methods=["GET", "POST"])
def directory_groups_page():
    """Which directory group gives which role in which organisation; add a mapping."""
    _admin_only()
    form = DirectoryGroupForm(prefix="neu")
    form.organisation.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            directory_groups.add_mapping(db.session, form.group_dn.data, int(form.organisation.data), form.role.data)
        except directory_groups.DirectoryGroupError as exc:
            form.group_dn.errors.extend(exc.problems)
        else:
            db.session.commit()
            flash("Die Zuordnung wurde angelegt.", "success")
            return redirect(url_for("admin.directory_groups_page"))
    status = 422 if request.method == "POST" else 200
    return _directory_page(form, DirectoryFileForm(prefix="datei", formdata=None), [], status)


@bp.post("/verzeichnisgruppen/<int:mapping_id>/rolle")
def directory_group_role(mapping_id: int):
    """Change the role one mapping gives."""
    _admin_only()
    if db.session.get(DirectoryGroupRole, mapping_id) is None:
        abort(404)
    form = DirectoryRoleForm(prefix=f"m{mapping_id}")
    if form.validate_on_submit() and directory_groups.set_role(db.session, mapping_id, form.role.data):
        db.session.commit()
        flash("Die Rolle wurde geändert.", "success")
    else:
        flash("Bitte eine der angebotenen Rollen wählen.", "error")
    return redirect(url_for("admin.directory_groups_page"))


@bp.post("/verzeichnisgruppen/<int:mapping_id>/entfernen")
def directory_group_remove(mapping_id: int):
    """Remove one mapping."""
    _admin_only()
    if not ConfirmForm().validate_on_submit() or not directory_groups.remove_mapping(db.session, mapping_id):
        abort(404)
    db.session.commit()
    flash("Die Zuordnung wurde entfernt.", "success")
    return redirect(url_for("admin.directory_groups_page"))


@bp.get("/verzeichnisgruppen.yaml")
def directory_groups_download():
    """All mappings as a file (docs: README "Formats")."""
    _admin_only()
    return download(directory_groups.export_yaml(db.session), "application/yaml", directory_groups.FILE_NAME)


@bp.post("/verzeichnisgruppen/datei")
def directory_groups_upload():
    """Replace the whole mapping by a file, all or nothing."""
    _admin_only()
    file_form = DirectoryFileForm(prefix="datei")
    problems: list[str] = []
    if file_form.validate_on_submit():
        raw = file_form.file.data.read()
        try:
            count = directory_groups.import_yaml(db.session, raw.decode("utf-8"))
        except UnicodeDecodeError:
            problems = ["Die Datei ist nicht UTF-8-kodiert."]
        except directory_groups.DirectoryGroupError as exc:
            db.session.rollback()
            problems = exc.problems
        else:
            db.session.commit()
            flash(f"Die Datei wurde übernommen: {count} Zuordnungen; die bisherigen sind ersetzt.", "success")
            return redirect(url_for("admin.directory_groups_page"))
    form = DirectoryGroupForm(prefix="neu", formdata=None)
    form.organisation.choices = _organisation_choices()
    return _directory_page(form, file_form, problems, 422)


# --- one organisation -------------------------------------------------------------------


def _managed_organisation_or_404(organisation_id: int) -> models.Organisation:
    org = get_organisation_or_404(organisation_id)
    if not may_manage(org.id):
        abort(404)
    return org


@bp.get("/organisationen/<int:organisation_id>")
def organisation(organisation_id: int):
    """Members, persons, coordinated organisations and the backup of one organisation."""
    org = _managed_organisation_or_404(organisation_id)
    members = accounts.members(db.session, org.id)
    coordinated = accounts.coordinated(db.session, org.id)
    coordination_form = CoordinationForm(prefix="koord")
    coordination_form.organisation.choices = _organisation_choices({org.id, *(o.id for o in coordinated)})
    person_form = NewPersonForm(prefix="neu", formdata=None)
    return render_template(
        "admin/organisation.html",
        person_form=person_form,
        duplicates=persons.possible_duplicates(list(org.persons)),
        person_kinds=models.PERSON_KINDS,
        linked={u.id: u.label for u, _role in members},
        org=org,
        members=members,
        coordinated=coordinated,
        coordination_form=coordination_form,
        role_labels=ROLE_LABELS,
        confirm=ConfirmForm(),
    )


@bp.post("/organisationen/<int:organisation_id>/koordination")
def add_coordination(organisation_id: int):
    """Let this organisation (a state office) read another one."""
    _admin_only()
    org = get_organisation_or_404(organisation_id)
    form = CoordinationForm(prefix="koord")
    form.organisation.choices = _organisation_choices({org.id})
    if form.validate_on_submit():
        accounts.add_coordination(db.session, org.id, int(form.organisation.data))
        db.session.commit()
        flash("Die Organisation wird jetzt koordiniert (Lesezugriff für die Mitglieder).", "success")
    return redirect(url_for("admin.organisation", organisation_id=org.id))


@bp.get("/organisationen/<int:organisation_id>/sicherung.json")
def backup_download(organisation_id: int):
    """The whole organisation as a backup file (restore: `planner restore DATEI`)."""
    org = _managed_organisation_or_404(organisation_id)
    document = backup.export_organisation(db.session.connection(), org.id)
    filename = f"sicherung-organisation-{org.id}.json"
    return download(
        backup.dumps(document),
        "application/json",
        filename,
    )


def _person_or_404(organisation_id: int, person_id: int) -> tuple[models.Organisation, models.Person]:
    org = _managed_organisation_or_404(organisation_id)
    person = persons.get_person(db.session, org.id, person_id)
    if person is None:
        abort(404)
    return org, person


@bp.get("/organisationen/<int:organisation_id>/personen/<int:person_id>/auskunft.json")
def person_export(organisation_id: int, person_id: int):
    """Everything stored about a person (Auskunft nach Art. 15 DSGVO)."""
    _org, person = _person_or_404(organisation_id, person_id)
    document = persons.export_person(db.session, person)
    return download(
        json.dumps(document, ensure_ascii=False, indent=1),
        "application/json",
        f"auskunft-person-{person.id}.json",
    )


@bp.route("/organisationen/<int:organisation_id>/personen/<int:person_id>/anonymisieren", methods=["GET", "POST"])
def person_anonymise(organisation_id: int, person_id: int):
    """Ask, then replace the person's name everywhere (Löschung nach Art. 17 DSGVO)."""
    org, person = _person_or_404(organisation_id, person_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        count = persons.anonymise_person(db.session, person)
        db.session.commit()
        flash(f"Die Person wurde anonymisiert ({count} Einträge geändert).", "success")
        return redirect(url_for("admin.organisation", organisation_id=org.id))
    found = persons.mentions(db.session, person)
    return render_template("admin/anonymise.html", org=org, person=person, mentions=found, form=form)


def _member_choices(org: models.Organisation):
    members = [u for u, _role in accounts.members(db.session, org.id)]
    return choices([("", "kein Konto")] + [(u.id, f"{u.label} ({u.username})") for u in members])


@bp.post("/organisationen/<int:organisation_id>/personen")
def person_create(organisation_id: int):
    """Add a person or unit to the organisation."""
    org = _managed_organisation_or_404(organisation_id)
    form = NewPersonForm(prefix="neu")
    if not form.validate_on_submit():
        flash("Bitte einen Namen (höchstens 200 Zeichen) und die Art angeben.", "error")
    else:
        try:
            person = persons.create_person(db.session, org, form.name.data, form.kind.data)
        except persons.PersonError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"„{person.name}“ wurde angelegt.", "success")
    return redirect(url_for("admin.organisation", organisation_id=org.id) + "#personen-h")


@bp.route("/organisationen/<int:organisation_id>/personen/<int:person_id>", methods=["GET", "POST"])
def person_edit(organisation_id: int, person_id: int):
    """Name, kind (person or unit) and linked login of a person."""
    org, person = _person_or_404(organisation_id, person_id)
    form = PersonForm()
    form.user.choices = _member_choices(org)
    if request.method == "GET":
        form.name.data, form.kind.data = person.name, person.kind
        form.email.data, form.mail_off.data = person.email or "", person.mail_off
        form.user.data = str(person.user_id or "")
        form.lock_version.data = person.lock_version
    general = []
    if form.validate_on_submit():

        def write() -> None:
            persons.rename(db.session, person, form.name.data)
            person.kind = form.kind.data
            if (form.email.data or None) != person.email:
                person.email = form.email.data or None
            if bool(form.mail_off.data) != person.mail_off:
                person.mail_off = bool(form.mail_off.data)
            persons.link_user(db.session, person, int(form.user.data) if form.user.data else None)

        try:
            refused = save_unchanged(form.lock_version, "persons", person, write)
        except persons.PersonError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        else:
            if refused is None:
                db.session.commit()
                flash("Die Person wurde gespeichert.", "success")
                return redirect(url_for("admin.organisation", organisation_id=org.id) + "#personen-h")
            general = [refused]
            org, person = _person_or_404(organisation_id, person_id)
    status = 422 if request.method == "POST" else 200
    owned = persons.owned_measures(db.session, person)
    return render_template(
        "admin/person_form.html",
        org=org,
        person=person,
        form=form,
        owned=owned,
        general=general,
        recent=verlauf.recent(db.session, "persons", person.id),
    ), status


@bp.route("/organisationen/<int:organisation_id>/personen/<int:person_id>/zusammenfuehren", methods=["GET", "POST"])
def person_merge(organisation_id: int, person_id: int):
    """Merge a duplicate ("IT" into "IT-Service"): its measures move, then it is deleted (audit-logged)."""
    org, person = _person_or_404(organisation_id, person_id)
    form = MergeForm()
    form.target.choices = choices((p.id, p.name) for p in org.persons if p.id != person.id)
    if request.method == "GET" and request.args.get("mit", "").isdigit():
        form.target.data = request.args["mit"]
    if form.validate_on_submit():
        target = persons.get_person(db.session, org.id, int(form.target.data))
        try:
            moved = persons.merge(db.session, person, target)
        except persons.PersonError as exc:
            db.session.rollback()
            form.target.errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                f"„{person.name}“ wurde mit „{target.name}“ zusammengeführt ({moved} Maßnahme{'' if moved == 1 else 'n'})).",
                "success",
            )
            return redirect(url_for("admin.organisation", organisation_id=org.id) + "#personen-h")
    status = 422 if request.method == "POST" else 200
    return render_template("admin/person_merge.html", org=org, person=person, form=form), status


# --- Verlauf ------------------------------------------------------------------------------


@bp.get("/verlauf/<table>/<object_id>")
def history(table: str, object_id: str):
    """The audit trail of one object and everything below it."""
    org_id = audit.object_organisation(db.session, table, object_id)
    if org_id is False:
        abort(404)
    if org_id is None:
        _admin_only()
    else:
        visible = visible_organisation_ids()
        if visible is not None and org_id not in visible:
            abort(404)
    rows = verlauf.display_rows(db.session, audit.history(db.session, table, object_id, limit=20000))
    name, back = _history_target(table, object_id)
    title = f"Verlauf: {verlauf.table_label(table)} " + (f"„{name}“" if name else object_id)
    view = history_view(rows, request.args)
    return render_template("admin/history.html", title=title, back=back, view=view, table=table, object_id=object_id)


PAGE_SIZE = 50


@dataclass
class HistoryView:
    """One page of a filtered Verlauf, with the filter's choices and what was chosen."""

    rows: list
    total: int
    page: int
    pages: int
    fields: list[str]
    people: list[str]
    chosen: dict[str, str]
    errors: list[str]


def _day(text: str, errors: list[str], label: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_day(text)
    except ValueError:
        errors.append(f"„{text[:40]}“ ist kein Datum ({label}). Bitte als TT.MM.JJJJ angeben.")
        return None


def history_view(rows: list, args) -> HistoryView:
    """Filter Verlauf lines by field, person and Berlin date range (`feld`, `person`, `von`, `bis`), then page (`seite`)."""
    errors: list[str] = []
    chosen = {k: (args.get(k) or "").strip()[:200] for k in ("feld", "person", "von", "bis")}
    since, until = _day(chosen["von"], errors, "von"), _day(chosen["bis"], errors, "bis")
    fields = sorted({r.field for r in rows if r.field != "–"}, key=str.lower)
    people = sorted({r.username for r in rows}, key=str.lower)

    def local_day(r) -> date:
        return in_berlin(r.at).date()

    shown = [
        r
        for r in rows
        if (not chosen["feld"] or r.field == chosen["feld"])
        and (not chosen["person"] or r.username == chosen["person"])
        and (since is None or local_day(r) >= since)
        and (until is None or local_day(r) <= until)
    ]
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = args.get("seite", "1")
    page = min(max(int(page), 1), pages) if page.isdigit() and len(page) < 7 else 1
    return HistoryView(
        shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], len(shown), page, pages, fields, people, chosen, errors
    )


def _history_target(table: str, object_id: str) -> tuple[str | None, tuple[str, str] | None]:
    """The object's name and (link, label) of its own page, when it still exists."""
    obj = verlauf.object_of(db.session, table, object_id)
    if obj is None:
        return None, None
    name = getattr(obj, "title", None) or getattr(obj, "name", None) or getattr(obj, "username", None)
    if isinstance(obj, models.Measure):
        return name, (url_for("measures.detail", strategy_id=obj.strategy_id, key=obj.key), "Zur Maßnahme")
    if isinstance(obj, models.Strategy):
        return name, (url_for("strategies.detail", strategy_id=obj.id), "Zur Strategie")
    if isinstance(obj, User):
        return name, (url_for("admin.user", user_id=obj.id), "Zum Konto")
    if isinstance(obj, models.Organisation):
        return name, (url_for("admin.organisation", organisation_id=obj.id), "Zur Organisation")
    return (name if isinstance(name, str) else None), None
