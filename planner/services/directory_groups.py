"""Directory groups that give roles (issue 29): which group of the county's directory (LDAP/Active
Directory) gives its members which role in which organisation. The administrator edits the
mapping (page and file); each login of a directory user derives the user's roles from it."""

from __future__ import annotations

import re

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from ..domain.validation import text_problem
from ..models import Organisation
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


# --- the mapping's operations (page, file and CLI) ---------------------------------------------

MAX_DN = 500
FILE_NAME = "verzeichnisgruppen.yaml"


class DirectoryGroupError(ValueError):
    """A mapping refused: `problems` are German messages (a file's name the entry at fault)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def dn_problem(text: str) -> str | None:
    """Why the text is no group DN to store (German), or None. A DN names attributes ("CN=…,OU=…")."""
    if not text.strip():
        return "Bitte den DN der Gruppe angeben."
    if len(text) > MAX_DN:
        return f"Der DN ist zu lang (höchstens {MAX_DN} Zeichen)."
    if problem := text_problem(text):  # the one text rule: no control characters, one line
        return problem
    if "=" not in text:
        return "Das ist kein DN: erwartet wird z. B. „CN=GA-Strategie,OU=Gruppen,DC=kreis,DC=de“."
    return None


def mappings(session: Session) -> list[DirectoryGroupRole]:
    """All mappings, by group and organisation."""
    return list(
        session.scalars(
            sa.select(DirectoryGroupRole)
            .join(Organisation, Organisation.id == DirectoryGroupRole.organisation_id)
            .order_by(DirectoryGroupRole.group_key, Organisation.name, DirectoryGroupRole.id)
        )
    )


def add_mapping(session: Session, group_dn: str, organisation_id: int, role: str) -> DirectoryGroupRole:
    """Map a group to a role in an organisation; DirectoryGroupError when the DN is bad or the group
    already has a role there."""
    group_dn = group_dn.strip()
    problem = dn_problem(group_dn) or (None if role in ROLES else f"Unbekannte Rolle „{role}“.")
    if problem:
        raise DirectoryGroupError([problem])
    key = normalise_dn(group_dn)
    if session.scalar(
        sa.select(DirectoryGroupRole.id).where(
            DirectoryGroupRole.group_key == key, DirectoryGroupRole.organisation_id == organisation_id
        )
    ):
        raise DirectoryGroupError(
            ["Diese Gruppe hat in dieser Organisation schon eine Rolle (Rolle in der Tabelle ändern)."]
        )
    row = DirectoryGroupRole(group_dn=group_dn, group_key=key, organisation_id=organisation_id, role=role)
    session.add(row)
    session.flush()
    return row


def set_role(session: Session, mapping_id: int, role: str) -> bool:
    """Change a mapping's role; False when there is no such mapping or role."""
    row = session.get(DirectoryGroupRole, mapping_id)
    if row is None or role not in ROLES:
        return False
    row.role = role
    return True


def remove_mapping(session: Session, mapping_id: int) -> bool:
    """Remove a mapping; False when there is none with that id."""
    row = session.get(DirectoryGroupRole, mapping_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def export_yaml(session: Session) -> str:
    """The mapping as a file: a list of {gruppe, organisation, rolle} (docs/formats.md)."""
    entries = [{"gruppe": m.group_dn, "organisation": m.organisation.name, "rolle": m.role} for m in mappings(session)]
    header = "# Verzeichnisgruppen und die Rollen, die sie geben (planner directory-groups import DATEI)\n"
    if not entries:
        return header + "[]\n"
    return header + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=10_000)


def parse_yaml(session: Session, text: str) -> list[tuple[str, int, str]]:
    """The entries of a mapping file as (group DN, organisation id, role); DirectoryGroupError with
    every problem, each naming the entry and its line."""
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (Zeile {mark.line + 1})" if mark is not None else ""
        raise DirectoryGroupError([f"Die Datei ist kein gültiges YAML{where}."]) from None
    except RecursionError:  # thousands of nested [ or {: no mapping file looks like that
        raise DirectoryGroupError(
            ["Die Datei ist zu tief verschachtelt (erwartet wird eine einfache Liste)."]
        ) from None
    if data is None:
        raise DirectoryGroupError(["Die Datei ist leer (für „keine Zuordnungen“ bitte „[]“ schreiben)."])
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise DirectoryGroupError(["Erwartet wird eine Liste von Einträgen mit „gruppe“, „organisation“ und „rolle“."])
    organisations = {name: oid for oid, name in session.execute(sa.select(Organisation.id, Organisation.name))}
    problems: list[str] = []
    entries: list[tuple[str, int, str]] = []
    seen: dict[tuple[str, int], int] = {}
    for number, (item, node) in enumerate(zip(data, root.value, strict=True), start=1):
        where = f"Eintrag {number} (Zeile {node.start_mark.line + 1})"
        if not isinstance(item, dict):
            problems.append(f"{where}: erwartet werden „gruppe“, „organisation“ und „rolle“.")
            continue
        unknown = sorted(str(k) for k in item if k not in ("gruppe", "organisation", "rolle"))
        if unknown:
            problems.append(f"{where}: unbekannte Angabe „{', '.join(unknown)}“.")
        group, org_name, role = item.get("gruppe"), item.get("organisation"), item.get("rolle")
        ok = True
        if not isinstance(group, str) or (problem := dn_problem(group)):
            problems.append(f"{where}: {problem if isinstance(group, str) else 'die Gruppe (DN) fehlt.'}")
            ok = False
        if not isinstance(org_name, str) or org_name not in organisations:
            shown = "fehlt" if org_name is None else f"„{org_name}“ gibt es nicht"
            problems.append(f"{where}: die Organisation {shown}.")
            ok = False
        if role not in ROLES:
            problems.append(f"{where}: unbekannte Rolle „{role}“ (erlaubt: {', '.join(ROLES)}).")
            ok = False
        if not ok:
            continue
        key = (normalise_dn(group), organisations[org_name])
        if key in seen:
            problems.append(f"{where}: dieselbe Gruppe und Organisation wie Eintrag {seen[key]}.")
            continue
        seen[key] = number
        entries.append((group.strip(), organisations[org_name], role))
    if problems:
        raise DirectoryGroupError(problems)
    return entries


def replace_all(session: Session, entries: list[tuple[str, int, str]]) -> int:
    """Replace the whole mapping by these entries (from `parse_yaml`); the number stored."""
    for row in mappings(session):
        session.delete(row)
    session.flush()
    for group_dn, organisation_id, role in entries:
        session.add(
            DirectoryGroupRole(
                group_dn=group_dn, group_key=normalise_dn(group_dn), organisation_id=organisation_id, role=role
            )
        )
    session.flush()
    return len(entries)


def import_yaml(session: Session, text: str) -> int:
    """Parse and replace, all or nothing (the caller commits); the number of mappings now."""
    return replace_all(session, parse_yaml(session, text))
