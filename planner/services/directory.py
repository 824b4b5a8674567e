"""Login with the county's directory (LDAP v3: Active Directory, OpenLDAP), issue 29.

The one place that talks to the directory: bind (a service account searches the user, or a DN
template binds directly), the user's groups (nested included), whether the account is disabled,
and what that means for the planner's user: created at the first login, name and memberships
synchronised at each login and re-check, sessions and tokens ended when the directory no longer
lets the user in. Groups give roles through `directory_groups.roles_for`. The caller commits.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from ldap3 import BASE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException, LDAPExceptionError
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn
from sqlalchemy.orm import Session

from ..models import utcnow
from ..models.auth import Membership, User
from . import accounts, tokens
from .directory_groups import normalise_dn, roles_for

UNREACHABLE = "Anmeldedienst nicht erreichbar. Bitte versuchen Sie es später erneut."
GROUP_MODES = ("memberof", "nested-ad", "search")
AD_NESTED = "1.2.840.113556.1.4.1941"  # LDAP_MATCHING_RULE_IN_CHAIN
MAX_GROUP_DEPTH = 10


class Unreachable(RuntimeError):
    """No directory server answered (closed, silent past the timeout, or its TLS certificate refused)."""


@dataclass(frozen=True)
class Settings:
    """The directory as configured (PLANNER_LDAP_*, see config.directory_settings)."""

    urls: tuple[str, ...]
    starttls: bool = False
    ca_file: str | None = None
    bind_dn: str | None = None
    bind_password: str | None = None
    user_dn_template: str | None = None
    user_base: str = ""
    user_filter: str = "(uid={username})"
    name_attribute: str = "cn"
    mail_attribute: str = "mail"
    groups: str = "memberof"
    group_base: str = ""
    disabled_filter: str | None = None
    timeout: float = 5.0
    recheck_minutes: float = 15.0

    @classmethod
    def from_config(cls, config: Mapping) -> Settings | None:
        """The settings of an app's configuration (LDAP_* keys); None when no directory is configured."""
        urls = config.get("LDAP_URL") or ()
        if isinstance(urls, str):
            urls = urls.replace(",", " ").split()
        if not urls:
            return None
        values = {
            field: config[f"LDAP_{field.upper()}"]
            for field in cls.__dataclass_fields__
            if field != "urls" and config.get(f"LDAP_{field.upper()}") not in (None, "")
        }
        settings = cls(urls=tuple(urls), **values)
        if settings.groups not in GROUP_MODES:
            raise ValueError(f"PLANNER_LDAP_GROUPS must be one of {', '.join(GROUP_MODES)}, not {settings.groups!r}")
        return settings


@dataclass(frozen=True)
class Entry:
    """What the directory says about a user."""

    dn: str
    name: str
    mail: str
    groups: frozenset[str]
    disabled: bool


# --- talking to the directory -------------------------------------------------------------------


def _server(settings: Settings, url: str) -> Server:
    tls = None
    if url.lower().startswith("ldaps://") or settings.starttls:
        tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings.ca_file or None)
    return Server(url, use_ssl=url.lower().startswith("ldaps://"), tls=tls, connect_timeout=settings.timeout)


def _connect(settings: Settings, user: str | None, password: str | None) -> Connection | None:
    """A bound connection to the first server that answers; None when the credentials are refused.
    Raises Unreachable when no server answers."""
    for url in settings.urls:
        server = _server(settings, url)
        conn = Connection(
            server, user=user, password=password, receive_timeout=settings.timeout, raise_exceptions=False
        )
        try:
            conn.open()
            if settings.starttls and not url.lower().startswith("ldaps://") and not conn.start_tls():
                raise Unreachable(url)
            if conn.bind():
                return conn
            result = conn.result or {}
        except (LDAPException, LDAPExceptionError, OSError, Unreachable):
            _close(conn)
            continue
        _close(conn)
        if result.get("result") in (49, 50, 53):  # invalidCredentials, insufficientAccess, unwillingToPerform
            return None
    raise Unreachable(UNREACHABLE)


def _close(conn: Connection) -> None:
    with contextlib.suppress(LDAPException, LDAPExceptionError, OSError):
        conn.unbind()


def _search(conn: Connection, base: str, query: str, scope, attributes) -> list:
    try:
        conn.search(base, query, search_scope=scope, attributes=attributes, time_limit=30)
    except (LDAPException, LDAPExceptionError, OSError) as exc:
        raise Unreachable(UNREACHABLE) from exc
    return [e for e in conn.response or () if e.get("type") == "searchResEntry"]


def _first(attributes: Mapping, name: str) -> str:
    value = attributes.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "")


def _groups(settings: Settings, conn: Connection, dn: str, attributes: Mapping) -> frozenset[str]:
    """The user's groups, nested ones included."""
    if settings.groups == "nested-ad":
        rows = _search(conn, settings.group_base, f"(member:{AD_NESTED}:={escape_filter_chars(dn)})", SUBTREE, [])
        return frozenset(row["dn"] for row in rows)
    if settings.groups == "memberof":
        found = {str(g) for g in attributes.get("memberOf") or ()}

        def parents(group: str) -> set[str]:
            return {
                str(g)
                for row in _search(conn, group, "(objectClass=*)", BASE, ["memberOf"])
                for g in row["attributes"].get("memberOf") or ()
            }
    else:

        def parents(member: str) -> set[str]:
            rows = _search(conn, settings.group_base, f"(member={escape_filter_chars(member)})", SUBTREE, [])
            return {row["dn"] for row in rows}

        found = parents(dn)
    # groups in groups: follow up, a few levels deep, each group once
    seen = {normalise_dn(g) for g in found}
    frontier = set(found)
    for _ in range(MAX_GROUP_DEPTH):
        new = set()
        for group in frontier:
            for parent in parents(group):
                if normalise_dn(parent) not in seen:
                    seen.add(normalise_dn(parent))
                    new.add(parent)
        if not new:
            break
        found |= new
        frontier = new
    return frozenset(found)


def _entry(settings: Settings, conn: Connection, dn: str) -> Entry | None:
    attributes = [settings.name_attribute, settings.mail_attribute, "memberOf"]
    rows = _search(conn, dn, "(objectClass=*)", BASE, attributes)
    if not rows:
        return None
    found = rows[0]["attributes"]
    disabled = bool(settings.disabled_filter and _search(conn, dn, settings.disabled_filter, BASE, []))
    return Entry(
        dn=rows[0]["dn"],
        name=_first(found, settings.name_attribute),
        mail=_first(found, settings.mail_attribute),
        groups=_groups(settings, conn, rows[0]["dn"], found),
        disabled=disabled,
    )


def _find_dn(settings: Settings, conn: Connection, username: str) -> str | None:
    query = settings.user_filter.replace("{username}", escape_filter_chars(username))
    rows = _search(conn, settings.user_base, query, SUBTREE, [])
    return rows[0]["dn"] if len(rows) == 1 else None


def authenticate(settings: Settings, username: str, password: str) -> Entry | None:
    """The user's entry when the directory accepts this password; None when it does not (or the
    user is unknown). Raises Unreachable."""
    if not username or not password or any(ch in username for ch in "\0\r\n"):
        return None  # an empty password would be an anonymous bind that "succeeds"
    if settings.user_dn_template:
        dn = settings.user_dn_template.replace("{username}", escape_rdn(username))
    else:
        service = _connect(settings, settings.bind_dn, settings.bind_password)
        if service is None:
            raise Unreachable(UNREACHABLE)  # the service account is refused: a configuration error
        try:
            dn = _find_dn(settings, service, username)
        finally:
            _close(service)
        if dn is None:
            return None
    conn = _connect(settings, dn, password)
    if conn is None:
        return None
    try:
        return _entry(settings, conn, dn)
    finally:
        _close(conn)


def lookup(settings: Settings, dn: str) -> Entry | None:
    """The entry of that DN as the service account (or anonymously) sees it; None when it is gone."""
    conn = _connect(settings, settings.bind_dn, settings.bind_password)
    if conn is None:
        raise Unreachable(UNREACHABLE)
    try:
        return _entry(settings, conn, dn)
    finally:
        _close(conn)


# --- the planner's side ---------------------------------------------------------------------------


def _has_local_password(user: User | None) -> bool:
    return user is not None and user.password_hash.startswith("$argon2")


def _sync(session: Session, user: User, entry: Entry) -> dict[int, str]:
    """Name, e-mail and memberships as the directory and its groups give them; returns the roles."""
    roles = roles_for(session, set(entry.groups)) if not entry.disabled else {}
    if entry.name and user.display_name != entry.name[:200]:
        user.display_name = entry.name[:200]
    if (entry.mail or None) != user.email:
        user.email = entry.mail[:320] if entry.mail else None
    if user.directory_dn != entry.dn:
        user.directory_dn = entry.dn
    current = {m.organisation_id: m for m in user.memberships}
    for organisation_id, membership in current.items():
        if organisation_id not in roles:
            user.memberships.remove(membership)
        elif membership.role != roles[organisation_id]:
            membership.role = roles[organisation_id]
    for organisation_id, role in roles.items():
        if organisation_id not in current:
            user.memberships.append(Membership(organisation_id=organisation_id, role=role))
    return roles


def _end_access(session: Session, user: User) -> None:
    """The directory no longer lets the user in: every session and token ends."""
    accounts.end_all_sessions(user)
    tokens.revoke_all(session, user.id)


def _mark_checked(session: Session, user: User) -> None:
    # past the ORM, as the login time: a check is no new version of the account
    now = utcnow()
    session.execute(sa.update(User).where(User.id == user.id).values(directory_checked_at=now))
    session.expire(user, ["directory_checked_at"])


def log_in(
    session: Session, settings: Settings | None, username: str, password: str, address: str, limits: accounts.Limits
) -> User:
    """The login of the one form: a local account with a password first, else the directory.
    Raises accounts.TooManyFailures, accounts.WrongPassword (counted) or Unreachable (not counted)."""
    if settings is None:
        return accounts.log_in(session, username, password, address, limits)
    local = session.scalar(sa.select(User).where(User.username == username))
    if local is not None and (_has_local_password(local) or local.directory_dn is None):
        return accounts.log_in(session, username, password, address, limits)
    if accounts.too_many_failures(session, username, address, limits):
        raise accounts.TooManyFailures(username)
    accounts.check_password(None, password)  # the same work as a refused local login
    entry = authenticate(settings, username, password)
    if entry is not None:
        user = session.scalar(sa.select(User).where(User.directory_dn == entry.dn)) or local
        if user is None and not entry.disabled and roles_for(session, set(entry.groups)):
            # the first login of a user in a mapped group creates the account (no local password)
            user = User(username=username[:100], display_name="", password_hash="", directory_dn=entry.dn)
            session.add(user)
        if user is not None:
            roles = _sync(session, user, entry)
            if not roles:
                _end_access(session, user)
            session.flush()
            _mark_checked(session, user)
            if roles and user.active:
                return accounts.logged_in(session, user, username)
    accounts.record_failure(session, username, address, limits)
    raise accounts.WrongPassword(username)


def check_due(settings: Settings | None, user: User) -> bool:
    """Whether a directory user's last check is older than the re-check interval."""
    if settings is None or user.directory_dn is None:
        return False
    checked = user.directory_checked_at
    return checked is None or utcnow() - checked >= timedelta(minutes=settings.recheck_minutes)


def still_allowed(session: Session, settings: Settings | None, user: User) -> bool:
    """Whether a directory user's session or token still counts: re-checked against the directory
    when the last check is older than the re-check interval. A user the directory no longer lets in
    (gone, disabled, in no mapped group) loses memberships, sessions and tokens. While the directory
    is unreachable the user keeps access until the next interval."""
    if not check_due(settings, user):
        return True
    try:
        entry = lookup(settings, user.directory_dn)
    except Unreachable:
        _mark_checked(session, user)
        return True
    allowed = entry is not None and bool(_sync(session, user, entry) if entry else {})
    if not allowed:
        if entry is None:
            user.memberships.clear()
        _end_access(session, user)
    session.flush()
    _mark_checked(session, user)
    return allowed
