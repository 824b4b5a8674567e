"""Directory groups that give roles (issue 29): which group of the county's directory (LDAP/Active
Directory) gives its members which role in which organisation. The administrator edits the
mapping (page and file); each login of a directory user derives the user's roles from it."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models.auth import ROLES, DirectoryGroupRole


def normalise_dn(dn: str) -> str:
    """A distinguished name as compared: lower case, no blanks around "," and "=" (directories
    answer "CN=GA-Strategie,OU=Gruppen" and "cn=ga-strategie, ou=gruppen" for the same group)."""
    return re.sub(r"\s*([,=])\s*", r"\1", dn.strip()).lower()


def roles_for(session: Session, group_dns: set[str]) -> dict[int, str]:
    """{organisation id: role} for a member of these groups; of several mapped groups of one
    organisation the strongest role counts. Groups without a mapping give nothing."""
    keys = {normalise_dn(dn) for dn in group_dns}
    if not keys:
        return {}
    roles: dict[int, str] = {}
    rows = session.execute(
        sa.select(DirectoryGroupRole.organisation_id, DirectoryGroupRole.role).where(
            DirectoryGroupRole.group_key.in_(sorted(keys))
        )
    )
    for organisation_id, role in rows:
        if role in ROLES and ROLES.index(role) >= ROLES.index(roles.get(organisation_id, role)):
            roles[organisation_id] = role
    return roles
