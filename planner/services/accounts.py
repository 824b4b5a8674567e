"""User accounts: passwords (argon2id), the login and its limits, the account rules of the
administration (unique user names, no administrator locks themselves out), roles in
organisations and coordination, and the first administrator (`planner create-admin`).

The pages (web/auth.py, web/admin.py) parse the forms, call these functions and render; the
caller commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import Organisation, utcnow
from ..models.auth import Coordination, LoginAttempt, Membership, User
from . import tokens

hasher = PasswordHasher()
MIN_PASSWORD = 10


class AccountError(ValueError):
    """A refused account change, in German; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


class TooManyFailures(ValueError):
    """Too many failed logins (or password checks) for the name or the address: wait."""


class WrongPassword(ValueError):
    """Unknown user, inactive account or wrong password (the answer does not say which)."""


# --- passwords --------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash."""
    return hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """A hash to verify against when there is no usable one, so every refusal costs the same time."""
    return hasher.hash(secrets.token_urlsafe(16))


def check_password(user: User | None, password: str) -> bool:
    """Whether the password matches an active account; rehashes when argon2's parameters changed.

    Unknown and deactivated accounts and accounts without a password (restored from a backup)
    verify a dummy hash: the answer takes as long as for a wrong password."""
    usable = user is not None and user.active and user.password_hash.startswith("$argon2")
    try:
        hasher.verify(user.password_hash if usable else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    if not usable:
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def end_all_sessions(user: User) -> None:
    """Every session of the user ends on its next request (the counter in the cookie no longer matches)."""
    user.session_version += 1


# --- the login ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """Failed attempts allowed within the window, per user name and per client address."""

    window: timedelta
    per_name: int
    per_address: int


def session_user(session: Session, user_id: int, version: str) -> User | None:
    """The active user of a session cookie whose session counter still matches."""
    user = session.get(User, user_id)
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def too_many_failures(session: Session, username: str, address: str, limits: Limits) -> bool:
    since = utcnow() - limits.window
    attempts = sa.select(sa.func.count()).select_from(LoginAttempt).where(LoginAttempt.at >= since)
    by_name = session.scalar(attempts.where(LoginAttempt.username == username))
    by_address = session.scalar(attempts.where(LoginAttempt.remote_addr == address))
    return by_name >= limits.per_name or by_address >= limits.per_address


def _record_failure(session: Session, username: str, address: str) -> None:
    session.add(LoginAttempt(username=username[:100], remote_addr=address))


def log_in(session: Session, username: str, password: str, address: str, limits: Limits) -> User:
    """The user whose password this is; a failure is counted (older ones than the window are
    dropped). Raises TooManyFailures or WrongPassword; commit either way."""
    if too_many_failures(session, username, address, limits):
        raise TooManyFailures(username)
    user = session.scalar(sa.select(User).where(User.username == username))
    if check_password(user, password):
        return logged_in(session, user, username)
    record_failure(session, username, address, limits)
    raise WrongPassword(username)


def logged_in(session: Session, user: User, username: str) -> User:
    """A successful login (local or by the directory): the failures of the name are forgotten and
    the login time is noted."""
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == username))
    # past the ORM: a login is no new version of the account (an administrator's open form stays valid)
    now = utcnow()
    session.execute(sa.update(User).where(User.id == user.id).values(last_login_at=now))
    set_committed_value(user, "last_login_at", now)
    return user


def record_failure(session: Session, username: str, address: str, limits: Limits) -> None:
    """Count a failed login; failures older than the window are dropped."""
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < utcnow() - limits.window))
    _record_failure(session, username, address)


def change_own_password(
    session: Session, user: User, current: str, new: str, address: str, limits: Limits, revoke_tokens: bool = False
) -> int:
    """A user's own new password; the current one is checked under the login's limits. Ends the
    user's other sessions and, when asked, revokes the user's API and calendar tokens; returns
    how many were revoked. Raises TooManyFailures, or AccountError on field `current` or `password`."""
    if too_many_failures(session, user.username, address, limits):
        raise TooManyFailures(user.username)
    if not check_password(user, current):
        _record_failure(session, user.username, address)
        raise AccountError("Das bisherige Passwort ist falsch.", "current")
    if new == current:
        raise AccountError("Das neue Passwort muss sich vom bisherigen unterscheiden.", "password")
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    return tokens.revoke_all(session, user.id) if revoke_tokens else 0


# --- administration ----------------------------------------------------------------------------


def users(session: Session) -> list[User]:
    return list(session.scalars(sa.select(User).order_by(User.username)))


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def organisations(session: Session, exclude: set[int] | frozenset[int] = frozenset()) -> list[Organisation]:
    """Every organisation by name, but those excluded."""
    rows = session.scalars(sa.select(Organisation).order_by(Organisation.name))
    return [o for o in rows if o.id not in exclude]


def _username_taken(session: Session, username: str, other_than: int | None = None) -> bool:
    query = sa.select(User.id).where(User.username == username)
    if other_than is not None:
        query = query.where(User.id != other_than)
    return session.scalar(query) is not None


@dataclass(frozen=True)
class AccountData:
    """What the account form holds; an empty password keeps (or, new, generates) one."""

    username: str
    display_name: str
    password: str
    is_admin: bool
    active: bool


def create_user(session: Session, data: AccountData) -> tuple[User, str | None]:
    """A new account; returns it with the generated password (None when one was given)."""
    username = data.username.strip()
    if _username_taken(session, username):
        raise AccountError("Diesen Benutzernamen gibt es schon.", "username")
    generated = None if data.password else secrets.token_urlsafe(12)
    user = User(
        username=username,
        display_name=data.display_name.strip(),
        password_hash=hash_password(data.password or generated),
        is_admin=data.is_admin,
        active=data.active,
    )
    session.add(user)
    session.flush()
    return user, generated


def update_user(session: Session, user: User, data: AccountData, acting_user_id: int) -> int:
    """Change an account; a new password or deactivation ends its sessions, a new password (a
    reset by an administrator) also revokes its API and calendar tokens: returns how many. Nobody
    takes their own administration or access away."""
    username = data.username.strip()
    if _username_taken(session, username, other_than=user.id):
        raise AccountError("Diesen Benutzernamen gibt es schon.", "username")
    if user.id == acting_user_id and (not data.is_admin or not data.active):
        raise AccountError("Sie können sich nicht selbst die Administration oder den Zugang entziehen.", "is_admin")
    if data.password and user.directory_dn:
        # a local password would come first at the login and pass the directory by
        raise AccountError(
            "Dieses Konto meldet sich mit dem Passwort des Verzeichnisses an; planner vergibt ihm keines.", "password"
        )
    user.username = username
    user.display_name = data.display_name.strip()
    if data.password or (user.active and not data.active):
        end_all_sessions(user)
    revoked = 0
    if data.password:
        user.password_hash = hash_password(data.password)
        revoked = tokens.revoke_all(session, user.id)
    user.is_admin = data.is_admin
    user.active = data.active
    return revoked


def add_membership(session: Session, user: User, organisation_id: int, role: str) -> None:
    session.add(Membership(user=user, organisation_id=organisation_id, role=role))


def remove_membership(session: Session, user: User, membership_id: int) -> bool:
    """Take the role away; False when the user has no such membership."""
    membership = session.get(Membership, membership_id)
    if membership is None or membership.user_id != user.id:
        return False
    session.delete(membership)
    return True


def members(session: Session, organisation_id: int) -> list[tuple[User, str]]:
    """(user, role) of every member of the organisation, by user name."""
    return [
        (u, role)
        for u, role in session.execute(
            sa.select(User, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id)
            .order_by(User.username)
        )
    ]


def coordinated(session: Session, organisation_id: int) -> list[Organisation]:
    """The organisations this one (a state office) coordinates, by name."""
    return list(
        session.scalars(
            sa.select(Organisation)
            .join(Coordination, Coordination.organisation_id == Organisation.id)
            .where(Coordination.coordinator_id == organisation_id)
            .order_by(Organisation.name)
        )
    )


def add_coordination(session: Session, coordinator_id: int, organisation_id: int) -> None:
    """Let the coordinator's members read the organisation (nothing happens when they already do)."""
    exists = session.scalar(
        sa.select(Coordination.id).where(
            Coordination.coordinator_id == coordinator_id, Coordination.organisation_id == organisation_id
        )
    )
    if not exists:
        session.add(Coordination(coordinator_id=coordinator_id, organisation_id=organisation_id))


# --- outside a request ---------------------------------------------------------------------------


def create_admin(
    username: str, password: str | None, *, only_if_no_users: bool = False
) -> tuple[str, str | None] | None:
    """Create (or reset the password of) an administrator; returns (username, generated password or None).

    With only_if_no_users, nothing happens (None) once any account exists: `make run` calls
    this on every start and prints credentials only the first time.
    """
    if only_if_no_users and db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        return None
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(12)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        user = User(username=username, display_name="Administration", password_hash="")
        db.session.add(user)
    else:
        end_all_sessions(user)
    user.password_hash = hash_password(password)
    user.is_admin = True
    user.active = True
    db.session.commit()
    return username, generated
