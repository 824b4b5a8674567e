"""Users, roles per organisation, state-office coordination, login attempts and the audit trail.
Migration: 0005_auth."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .core import Model, Organisation, utcnow

# Roles per organisation, weakest first. A state office (Landesstelle) is an organisation that
# coordinates others: its members read every organisation it coordinates.
ROLES = ("lesen", "bearbeiten", "verwalten")
ROLE_LABELS = {"lesen": "Lesen", "bearbeiten": "Bearbeiten", "verwalten": "Verwalten"}


class User(Model):
    """A login. Administrators see and manage everything; others only through memberships."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(100), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # bumped on password change or deactivation: every session carrying an older value ends
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]  # written past the version (services/accounts.log_in)
    # the edit-conflict check of the administrator's form (migration 0008_h23_users): any change of
    # the account or its roles is a new version; a login is not
    lock_version: Mapped[int] = mapped_column(default=1)
    # a user of the county's directory (LDAP/Active Directory, migration 0009_h29_directory): its
    # distinguished name; such a user has no local password, and its roles come from its groups
    directory_dn: Mapped[str | None] = mapped_column(sa.String(500))
    directory_checked_at: Mapped[datetime | None]  # the last time the directory confirmed the account
    email: Mapped[str | None] = mapped_column(sa.String(320))  # of a directory user: its mail attribute
    # the weekly digest and review reminders by mail (migration 0010_h28_mail); off on the profile or
    # through the opt-out link of a mail
    mail_digests: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def label(self) -> str:
        return self.display_name or self.username


class Membership(Model):
    """A user's role in one organisation: lesen, bearbeiten or verwalten."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "organisation_id", name="uq_memberships_user_organisation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20), default="lesen")

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship()


class DirectoryGroupRole(Model):
    """A group of the directory whose members get a role in an organisation (migration 0009_h29_directory).
    `group_key` is the group's DN normalised for comparison (services: lower case, no blanks around
    "," and "="); a member of several mapped groups gets the strongest of their roles."""

    __tablename__ = "directory_group_roles"
    __table_args__ = (
        sa.UniqueConstraint("group_key", "organisation_id", name="uq_directory_group_roles_group_organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_dn: Mapped[str] = mapped_column(sa.String(500))
    group_key: Mapped[str] = mapped_column(sa.String(500))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))

    organisation: Mapped[Organisation] = relationship()


class Coordination(Model):
    """The coordinating organisation (a state office) reads the coordinated organisation."""

    __tablename__ = "coordinations"
    __table_args__ = (
        sa.UniqueConstraint("coordinator_id", "organisation_id", name="uq_coordinations_coordinator_organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coordinator_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)

    coordinator: Mapped[Organisation] = relationship(foreign_keys=[coordinator_id])
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])


class LoginAttempt(Model):
    """A failed login, kept in the database so every instance behind a load balancer counts alike."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(100), index=True)
    remote_addr: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AuditEntry(Model):
    """One changed field: who, when, which object (table and id), old and new value.

    `change_id` groups the fields of one save; `path` lists the object's ancestors
    ("|measures:3|strategies:1|organisations:1|") so a measure's Verlauf also shows its
    owners and dependencies. `organisation_id` is a plain column (no foreign key): the
    trail outlives the objects it describes.
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(index=True)
    username: Mapped[str] = mapped_column(sa.String(100), default="")
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    table_name: Mapped[str] = mapped_column(sa.String(100))
    object_id: Mapped[str] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.String(10))
    field: Mapped[str] = mapped_column(sa.String(100), default="")
    old: Mapped[str | None] = mapped_column(sa.Text)
    new: Mapped[str | None] = mapped_column(sa.Text)
    path: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.Index("ix_audit_entries_object", "table_name", "object_id"),)
