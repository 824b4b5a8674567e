"""The one place every route asks "may the current user see or change this?".

Routes never load a strategy or organisation by id themselves: they call these functions.
An object the user may not see answers 404 (never 403, never its data).

The rules: an administrator sees and changes everything. Anyone else acts through
memberships, one role per organisation: "lesen" reads, "bearbeiten" also changes,
"verwalten" also manages members, persons and backups. A member of a coordinating
organisation (a state office) reads every organisation it coordinates. A strategy its office
shares ("für andere Gesundheitsämter sichtbar") is readable by every logged-in user, never
writable, and only the strategy: the organisation's other data stays its own. Any request
that is not GET/HEAD/OPTIONS needs write access, even if a route forgot `write=True`.
"""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from flask import abort, g, has_request_context, request, url_for
from flask_login import current_user
from werkzeug.exceptions import Conflict

from .. import models
from ..extensions import db
from ..models.auth import Coordination, Membership
from ..services import sharing
from ..services import strategies as service
from ..services import verstetigung as versions
from ..services.persons import person_of_user
from ..services.verstetigung import read_only_message, successor_id

_RANK = {"lesen": 1, "bearbeiten": 2, "verwalten": 3}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _user():
    if not has_request_context():
        return None
    return current_user if getattr(current_user, "is_authenticated", False) else None


def is_admin() -> bool:
    """Whether the current user is an administrator."""
    user = _user()
    return bool(user and user.is_admin)


@cache
def _roles_statement() -> sa.CompoundSelect:
    """The memberships of a user (:user_id), then the organisations coordinated by them (read
    only): one statement, built once."""
    m, c = Membership.__table__, Coordination.__table__
    user_id = sa.bindparam("user_id", type_=sa.Integer)
    own = sa.select(
        sa.literal(0).label("coordinated"), m.c.organisation_id, m.c.role, m.c.organisation_id.label("via")
    ).where(m.c.user_id == user_id)
    coordinated = (
        sa.select(sa.literal(1), c.c.organisation_id, sa.literal("lesen"), c.c.coordinator_id)
        .join(m, m.c.organisation_id == c.c.coordinator_id)
        .where(m.c.user_id == user_id)
    )
    return sa.union_all(own, coordinated).order_by("coordinated")


def _roles() -> dict[int, int]:
    """Organisation id -> rank of the current user's role there (coordinated organisations: lesen)."""
    if "access_roles" in g:
        return g.access_roles
    user = _user()
    roles: dict[int, int] = {}
    if user is not None:
        coordinating, members = set(), set()
        for coordinated_only, org_id, role, via in db.session.execute(_roles_statement(), {"user_id": user.id}):
            if coordinated_only:
                coordinating.add(via)
                roles.setdefault(org_id, _RANK["lesen"])
            else:
                members.add(org_id)
                roles[org_id] = max(roles.get(org_id, 0), _RANK.get(role, 0))
        g.access_coordinating = coordinating
        g.access_members = members
    g.access_roles = roles
    return roles


def coordinating_organisation_ids() -> set[int] | None:
    """Ids of the organisations the current user is a member of that coordinate others (state
    offices: the Landesebene pages); None for an administrator (all of them)."""
    if not has_request_context():
        return None
    if is_admin():
        return None
    _roles()
    return set(g.get("access_coordinating", set()))


def member_organisation_ids() -> set[int] | None:
    """Ids of the organisations the current user is a member of (not those only coordinated);
    None for an administrator (no membership needed)."""
    if not has_request_context() or is_admin():
        return None
    _roles()
    return set(g.get("access_members", set()))


def visible_organisation_ids() -> set[int] | None:
    """Ids of the organisations the current user may read; None means all of them."""
    if not has_request_context():
        return None  # command line: the operator has the database anyway
    if is_admin():
        return None
    return set(_roles())


def organisations_with_role(role: str) -> list[int] | None:
    """Ids of the organisations where the current user has `role` or above, from the roles read
    once per request; None for an administrator or outside a request (all of them)."""
    if not has_request_context() or is_admin():
        return None
    return sorted(o for o, rank in _roles().items() if rank >= _RANK[role])


def may_write(organisation_id: int) -> bool:
    """Whether the current user may change data of this organisation (role bearbeiten or above)."""
    if not has_request_context() or is_admin():
        return True
    return _roles().get(organisation_id, 0) >= _RANK["bearbeiten"]


def may_manage(organisation_id: int) -> bool:
    """Whether the current user administers this organisation (role verwalten)."""
    if not has_request_context() or is_admin():
        return True
    return _roles().get(organisation_id, 0) >= _RANK["verwalten"]


def successor_of(row: models.Strategy) -> models.Strategy | None:
    """The version this strategy was carried over into (it is then read only), or None. Views ask
    and hand the answer to their templates."""
    newer = _successors().get(row.id) if request.method == "GET" else successor_id(db.session, row.id)
    return db.session.get(models.Strategy, newer) if newer is not None else None


def _successors() -> dict[int, int]:
    """Predecessor id → successor id of every carried-over strategy, read once per request
    (a list of strategies asks for each one)."""
    if "verstetigung_successors" not in g:
        g.verstetigung_successors = versions.successors(db.session)
    return g.verstetigung_successors


def may_change(row: models.Strategy) -> bool:
    """Whether the current user may change this strategy: write access, and not a carried-over version."""
    return may_write(row.organisation_id) and successor_id(db.session, row.id) is None


def may_create_organisation() -> bool:
    """Only administrators found new organisations."""
    return not has_request_context() or is_admin()


def may_read_organisation(organisation_id: int) -> bool:
    """Whether the current user reads this organisation's own data (not merely a shared strategy of it)."""
    visible = visible_organisation_ids()
    return visible is None or organisation_id in visible


def reads_shared(row: models.Strategy) -> bool:
    """Whether the current user sees this strategy only because its office shares it (read-only)."""
    return not may_read_organisation(row.organisation_id)


def may_read_strategy(row: models.Strategy) -> bool:
    """Whether the current user may read this strategy (its office's member, coordinator, or shared)."""
    return may_read_organisation(row.organisation_id) or (_user() is not None and sharing.is_shared(db.session, row.id))


def readable_versions(row: models.Strategy) -> list[models.Strategy]:
    """The strategy's versions (oldest first) the current user may read: a reader of a shared
    version sees the other versions only when they are shared too."""
    chain = versions.version_chain(db.session, row)
    return chain if may_read_organisation(row.organisation_id) else [r for r in chain if may_read_strategy(r)]


def visible_strategy_ids() -> sa.Select | None:
    """The ids of every strategy the current user may read (own and coordinated organisations,
    shared strategies), as a subquery; None means all of them."""
    visible = visible_organisation_ids()
    if visible is None:
        return None
    own = sa.select(models.Strategy.id).where(models.Strategy.organisation_id.in_(visible))
    return own.union(sharing.shared_strategy_ids()) if _user() is not None else own


def _check(organisation_id: int, write: bool, strategy_id: int | None = None) -> None:
    write = write or (has_request_context() and request.method not in SAFE_METHODS)
    visible = visible_organisation_ids()
    if visible is not None and organisation_id not in visible:
        # a shared strategy: read-only, for logged-in users only
        if write or strategy_id is None or _user() is None or not sharing.is_shared(db.session, strategy_id):
            abort(404)
        return
    if write and not may_write(organisation_id):
        abort(404)


class ReadOnlyVersion(Conflict):
    """A change to a strategy version that has been carried over into its next version."""

    name = "Version schreibgeschützt"


def get_strategy_or_404(
    strategy_id: int, *, write: bool = False, superseded_ok: bool = False, load: bool = True
) -> models.Strategy:
    """The strategy row with its core loaded (organisation, measures, owners, dependencies;
    only the row when `load` is false), or 404 if missing or not visible/writable.

    A change to an old version (one with a Fortschreibung) answers 409 with a German message;
    `superseded_ok` lets Verstetigung records (evaluations, indicator values) still be added to it.
    """
    changing = has_request_context() and request.method not in SAFE_METHODS
    write = write or changing
    if changing:
        # a change: check access on the bare row, then lock the strategy before reading it, so that
        # whole-strategy checks (cycles, Fortschreibung, unique names) see every earlier change
        check_strategy_or_404(strategy_id)
        service.lock_strategy(db.session, strategy_id)
        row = service.load_strategy_row(db.session, strategy_id, fresh=True)
    else:
        row = service.load_strategy_row(db.session, strategy_id, core=load)
    if row is None:
        abort(404)
    _check(row.organisation_id, write, row.id)
    if write and not superseded_ok and (message := read_only_message(db.session, row)):
        error = ReadOnlyVersion(description=message)
        error.link = (url_for("strategies.detail", strategy_id=successor_id(db.session, row.id)), "Zur neuen Version")
        raise error
    return row


def check_strategy_or_404(strategy_id: int) -> None:
    """404 unless the current user may reach the strategy (change it, within a change), checked on
    the bare row: nothing is loaded or locked. Checked once per request (the API checks the
    strategy in its address before the view, and a change checks it again before locking)."""
    checked = g.setdefault("strategies_checked", set())
    if strategy_id in checked:
        return
    organisation_id = db.session.scalar(
        sa.select(models.Strategy.organisation_id).where(models.Strategy.id == strategy_id)
    )
    if organisation_id is None:
        abort(404)
    _check(organisation_id, False, strategy_id)
    checked.add(strategy_id)


def get_readable_strategy_or_404(strategy_id: int) -> models.Strategy:
    """The strategy row with its core, or 404 if missing or not readable — also within a POST that
    only reads it (copying one of its measures into another strategy, which is checked for write)."""
    row = service.load_strategy_row(db.session, strategy_id)
    if row is None:
        abort(404)
    visible = visible_organisation_ids()
    shared = _user() is not None and sharing.is_shared(db.session, row.id)
    if visible is not None and row.organisation_id not in visible and not shared:
        abort(404)
    return row


def get_organisation_or_404(organisation_id: int, *, write: bool = False) -> models.Organisation:
    """The organisation row, or 404 if missing or not visible/writable."""
    row = db.session.get(models.Organisation, organisation_id)
    if row is None:
        abort(404)
    _check(row.id, write)
    return row


def actor_name(organisation_id: int) -> str:
    """Who records, to prefill "erfasst von" / "durchgeführt von": the person of the organisation
    linked to the login, else the login's name; empty without a login."""
    user = _user()
    if user is None:
        return ""

    person = person_of_user(db.session, user.id, organisation_id)
    return person.name if person is not None else user.label
