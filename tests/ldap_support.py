"""A throwaway OpenLDAP directory for the directory login (issue 29).

`directory` (session scope, one per xdist worker on free loopback ports) starts slapd with the
memberof overlay, plain LDAP on one port and LDAPS on another (a certificate of a throwaway CA made
with openssl), loads the county below and stops slapd at the end. System packages: slapd,
ldap-utils (and openssl). Without slapd the tests skip locally and fail in CI (`CI` set).

The county (dc=kreis,dc=example), password of every user "<uid>-passwort-1":

- anna: in ga-lesen
- bernd: in ga-team, which is a member of ga-strategie (a nested group)
- carla: in ga-strategie, disabled (employeeType: disabled)
- dora: in no group
- emil, frieda, gustav, hanna: in ga-team (tests move or disable them, one test each)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from planner.extensions import db
from planner.models.auth import DirectoryGroupRole
from planner.services.directory_groups import normalise_dn

SUFFIX = "dc=kreis,dc=example"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "geheim"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
USERS = ("anna", "bernd", "carla", "dora", "emil", "frieda", "gustav", "hanna")


def user_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


def group_dn(cn: str) -> str:
    return f"cn={cn},{GROUPS}"


def password(uid: str) -> str:
    return f"{uid}-passwort-1"


def map_group(app, cn: str, organisation_id: int, role: str) -> None:
    """Give the members of a group of the test directory a role in an organisation (the mapping
    the administrator keeps in Verwaltung)."""
    with app.app_context():
        dn = group_dn(cn)
        db.session.add(
            DirectoryGroupRole(group_dn=dn, group_key=normalise_dn(dn), organisation_id=organisation_id, role=role)
        )
        db.session.commit()


NAMES = {
    "anna": "Anna Arndt",
    "bernd": "Bernd Becker",
    "carla": "Carla Conrad",
    "dora": "Dora Dietz",
    "emil": "Emil Ebert",
    "frieda": "Frieda Fuchs",
    "gustav": "Gustav Graf",
    "hanna": "Hanna Horn",
}
MEMBERS = {
    "ga-lesen": [user_dn("anna")],
    "ga-team": [user_dn(u) for u in ("bernd", "emil", "frieda", "gustav", "hanna")],
    "ga-strategie": [user_dn("carla"), group_dn("ga-team")],  # ga-team is nested in ga-strategie
    "ga-leitung": [ROOT_DN],  # groupOfNames needs a member: the tests move users here
}


def _ldif() -> str:
    parts = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: kreis\no: Kreis Beispiel\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n",
    ]
    for uid in USERS:
        given, family = NAMES[uid].split()
        parts.append(
            f"dn: {user_dn(uid)}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {NAMES[uid]}\nsn: {family}\n"
            f"givenName: {given}\nmail: {uid}@kreis.example\nuserPassword: {password(uid)}\n"
            + ("employeeType: disabled\n" if uid == "carla" else "")
        )
    for cn in ("ga-lesen", "ga-team", "ga-strategie", "ga-leitung"):  # a nested group before its parent
        members = "".join(f"member: {m}\n" for m in MEMBERS[cn])
        parts.append(f"dn: {group_dn(cn)}\nobjectClass: groupOfNames\ncn: {cn}\n{members}")
    return "\n".join(parts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(directory: Path, name: str) -> tuple[Path, Path]:
    """A throwaway CA: (certificate, key)."""
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
        "-keyout", str(key), "-out", str(cert), cwd=directory,
    )  # fmt: skip
    return cert, key


def make_server_certificate(directory: Path, ca: tuple[Path, Path]) -> tuple[Path, Path]:
    """The server's certificate for 127.0.0.1 and localhost, signed by the CA."""
    cert, key, csr = directory / "server.crt", directory / "server.key", directory / "server.csr"
    extensions = directory / "san.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(csr),
        cwd=directory,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", str(csr), "-CA", str(ca[0]), "-CAkey", str(ca[1]), "-CAcreateserial",
        "-days", "2", "-extfile", str(extensions), "-out", str(cert), cwd=directory,
    )  # fmt: skip
    key.chmod(0o644)
    return cert, key


@dataclass
class Directory:
    """The running slapd: its addresses, CA files and helpers to change entries."""

    url: str
    ldaps_url: str
    ca_file: str
    wrong_ca_file: str

    def config(self, **overrides) -> dict:
        """App settings (LDAP_*) for a service bind, memberOf groups and the disabled filter."""
        return {
            "LDAP_URL": self.url,
            "LDAP_BIND_DN": ROOT_DN,
            "LDAP_BIND_PASSWORD": ROOT_PASSWORD,
            "LDAP_USER_BASE": PEOPLE,
            "LDAP_USER_FILTER": "(&(objectClass=inetOrgPerson)(uid={username}))",
            "LDAP_NAME_ATTRIBUTE": "cn",
            "LDAP_MAIL_ATTRIBUTE": "mail",
            "LDAP_GROUPS": "memberof",
            "LDAP_GROUP_BASE": GROUPS,
            "LDAP_DISABLED_FILTER": "(employeeType=disabled)",
            "LDAP_TIMEOUT": 3,
            "LDAP_RECHECK_MINUTES": 15,
        } | {f"LDAP_{k.upper()}": v for k, v in overrides.items()}

    def modify(self, ldif: str) -> None:
        """ldapmodify as the directory's administrator."""
        subprocess.run(
            ["ldapmodify", "-x", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PASSWORD],
            input=ldif, text=True, check=True, capture_output=True,
        )  # fmt: skip

    def move(self, uid: str, source: str, target: str) -> None:
        """Take the user out of one group and into another."""
        self.modify(
            f"dn: {group_dn(source)}\nchangetype: modify\ndelete: member\nmember: {user_dn(uid)}\n\n"
            f"dn: {group_dn(target)}\nchangetype: modify\nadd: member\nmember: {user_dn(uid)}\n"
        )

    def disable(self, uid: str) -> None:
        self.modify(f"dn: {user_dn(uid)}\nchangetype: modify\nadd: employeeType\nemployeeType: disabled\n")


SLAPD_CONF = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile {base}/slapd.pid
TLSCACertificateFile {ca}
TLSCertificateFile {cert}
TLSCertificateKeyFile {key}
database mdb
suffix "{suffix}"
rootdn "{rootdn}"
rootpw {rootpw}
directory {base}/db
maxsize 10485760
overlay memberof
"""


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"slapd did not listen on port {port}")


@pytest.fixture(scope="session")
def directory():
    slapd = shutil.which("slapd") or ("/usr/sbin/slapd" if Path("/usr/sbin/slapd").exists() else None)
    if slapd is None or shutil.which("ldapadd") is None or shutil.which("openssl") is None:
        message = "Verzeichnis-Tests brauchen slapd, ldap-utils und openssl (apt-get install slapd ldap-utils)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    base = Path(tempfile.mkdtemp(prefix="planner-ldap-"))
    (base / "db").mkdir()
    ca = make_ca(base, "planner-test-ca")
    wrong_ca, _ = make_ca(base, "other-ca")
    cert, key = make_server_certificate(base, ca)
    conf = base / "slapd.conf"
    conf.write_text(
        SLAPD_CONF.format(base=base, ca=ca[0], cert=cert, key=key, suffix=SUFFIX, rootdn=ROOT_DN, rootpw=ROOT_PASSWORD)
    )
    port, tls_port = free_port(), free_port()
    url, ldaps_url = f"ldap://127.0.0.1:{port}", f"ldaps://127.0.0.1:{tls_port}"
    subprocess.run([slapd, "-f", str(conf), "-h", f"{url}/ {ldaps_url}/"], check=True, capture_output=True)
    try:
        _wait_for(port)
        _wait_for(tls_port)
        subprocess.run(
            ["ldapadd", "-x", "-H", url, "-D", ROOT_DN, "-w", ROOT_PASSWORD],
            input=_ldif(), text=True, check=True, capture_output=True,
        )  # fmt: skip
        yield Directory(url=url, ldaps_url=ldaps_url, ca_file=str(ca[0]), wrong_ca_file=str(wrong_ca))
    finally:
        pid_file = base / "slapd.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().strip())
            os.kill(pid, 15)
            for _ in range(100):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on."""
    return free_port()
