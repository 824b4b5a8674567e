"""Landesebene benchmark: a state office's portfolio of 400 offices under concurrent readers.

Sets up a database with `planner demo-land` (400 fictitious offices, about 60 measures and two
assessments each, coordinated by one state office), starts gunicorn against it and measures
with wrk (8 connections, each with the session cookie of a member of the state office): the
portfolio page, the heat map filtered to offices below stage 3 in IT-Sicherheit and sorted by
it, the funding calls across offices, the Handlungsbedarf and Entwicklung pages (issue 27) and an
office's maturity page with its Land beside it. Prints requests/s, p50/p95/p99 and the CPU time
gunicorn spent per answer (the figure that depends little on other load of a shared
machine), then the time of the first (uncached) portfolio request and of the XLSX export.

The helpers (database, gunicorn, wrk, login, CPU time) are bench/pages.py's.

Database: `--database-url` or BENCH_DATABASE_URL, a PostgreSQL database whose name contains
"bench" (dropped and created anew); without one a throwaway PostgreSQL server is started on
port 55447.

Run from the repository root:
    python -m bench portfolio [--offices 400] [--seconds 12] [--connections 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import pages

ROOT = pages.ROOT
BIN = pages.BIN
PG_PORT = 55447
APP_PORT = 58047

PREPARE = f"""
import json, sqlalchemy as sa
from planner import create_app
from planner.extensions import db
from planner.models.auth import User, Membership
from planner.services.accounts import hash_password
from planner.services.land_sample import DEMO_COORDINATOR
from planner import models
app = create_app()
with app.app_context():
    land = db.session.scalar(sa.select(models.Organisation.id).where(models.Organisation.name == DEMO_COORDINATOR))
    h = hash_password({pages.PASSWORD!r})
    for i in range(16):
        u = User(username=f"leser{{i}}", password_hash=h)
        u.memberships = [Membership(organisation_id=land, role="lesen")]
        db.session.add(u)
    db.session.commit()
    office = db.session.scalar(
        sa.select(models.Strategy.id)
        .join(models.Organisation, models.Organisation.id == models.Strategy.organisation_id)
        .where(models.Organisation.name.like("Gesundheitsamt Demo-%"))
        .order_by(models.Strategy.id)
    )
    print(json.dumps({{"land": land, "office": office}}))
"""


def prepare(env: dict[str, str], offices: int) -> tuple[dict, float]:
    planner = [str(BIN / "python"), "-m", "planner.cli"]
    subprocess.run([*planner, "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    started = time.perf_counter()
    subprocess.run([*planner, "demo-land", "--offices", str(offices)], env=env, check=True, cwd=ROOT)
    generated = time.perf_counter() - started
    result = subprocess.run(
        [str(BIN / "python"), "-c", PREPARE], env=env, check=True, capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(result.stdout.strip().splitlines()[-1]), generated


def timed_get(path: str, cookie: str) -> tuple[float, int, int]:
    """Seconds, status and size of one GET."""
    conn = http.client.HTTPConnection("127.0.0.1", pages.APP_PORT, timeout=300)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return time.perf_counter() - started, response.status, len(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offices", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=12)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--port", type=int, default=APP_PORT, help="gunicorn's port (several benchmarks at once)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk fehlt (Debian-Paket wrk).", file=sys.stderr)
        return 2
    pages.APP_PORT = args.port  # pages' helpers and timed_get talk to this port
    postgres = None
    instance = Path(tempfile.mkdtemp(prefix="planner-bench-portfolio-"))
    gunicorn = None
    failed = False
    try:
        postgres, env = pages.database_and_env(args.database_url, PG_PORT, instance)
        ids, generated = prepare(env, args.offices)
        print(f"demo-land --offices {args.offices}: {generated:.1f} s (mit Start des Befehls)", flush=True)
        gunicorn = pages.start_gunicorn(env, args.workers, args.threads)
        cookies = [pages.login(f"leser{i}") for i in range(args.connections)]
        land = ids["land"]
        first, status, size = timed_get(f"/landesebene/{land}", cookies[0])
        print(
            f"Erster Aufruf des Portfolios (ohne Zwischenspeicher, ein Worker): {first:.2f} s, {status}, {size // 1024} KB"
        )
        print(
            f"wrk: {args.connections} Verbindungen, {args.seconds:g} s je Seite; gunicorn {args.workers} Worker × "
            f"{args.threads} Threads, PostgreSQL; {os.cpu_count()} CPUs, Last (1 min) {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        print(
            "| Seite | Anfragen/s | p50 | p95 | p99 | Zeitüberschreitungen (> 2 s) | andere Fehler | CPU der App je Antwort |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for name, path in (
            (f"Portfolio, {args.offices} Ämter", f"/landesebene/{land}"),
            (
                "Heatmap: unter Stufe 3 in IT-Sicherheit, danach sortiert",
                f"/landesebene/{land}?unter=IT-Sicherheit&sortierung=IT-Sicherheit",
            ),
            ("Förderaufrufe über alle Ämter (mit Prognose)", f"/landesebene/{land}/foerderaufrufe"),
            ("Handlungsbedarf der Ämter", f"/landesebene/{land}/handlungsbedarf"),
            ("Handlungsbedarf, nach letzter Messung", f"/landesebene/{land}/handlungsbedarf?sortierung=messung"),
            ("Entwicklung (Seite)", f"/landesebene/{land}/entwicklung"),
            ("Entwicklung (Diagramm, SVG)", f"/landesebene/{land}/entwicklung.svg"),
            ("Reifegrad eines Amts mit Landesvergleich", f"/strategien/{ids['office']}/reifegrad"),
        ):
            pages.wait_idle()
            pages.wrk(path, cookies, 2, args.connections)  # warm-up: both workers compute and cache
            pages.wait_idle()
            cpu = pages.cpu_seconds(gunicorn.pid)
            r = pages.wrk(path, cookies, args.seconds, args.connections)
            others = r["connect"] + r["read"] + r["write"] + r["status"]
            failed = failed or bool(others or r["timeout"])
            ms = [f"{r[p] / 1000:.0f} ms" if r[p] > 0 else "–" for p in ("p50", "p95", "p99")]
            pages.wait_idle()
            cpu = pages.cpu_seconds(gunicorn.pid) - cpu
            per_request = f"{cpu / r['requests'] * 1000:.0f} ms" if r["requests"] else "–"
            print(
                f"| {name} | {r['rps']:.1f} | {' | '.join(ms)} | {r['timeout']} | {others} | {per_request} |",
                flush=True,
            )
        for label, path in (
            ("Landesübersicht Applikationslandkarte", f"/organisationen/{land}/landeslandkarte"),
            ("Entwicklung (Diagramm, PNG)", f"/landesebene/{land}/entwicklung.png"),
            ("XLSX-Export", f"/landesebene/{land}/portfolio.xlsx"),
            ("Förderung im Land, XLSX", f"/landesebene/{land}/foerderaufrufe.xlsx"),
            ("Applikationslandkarte des Landes, XLSX", f"/organisationen/{land}/landeslandkarte.xlsx"),
            ("Entwicklung (Diagramm, PDF)", f"/landesebene/{land}/entwicklung.pdf"),
            # last: these start documents in the background, which then share the CPU
            ("PDF-Export (Auftrag im Hintergrund: die Fortschrittsseite)", f"/landesebene/{land}/portfolio.pdf"),
            (
                "Landesbericht PDF (Auftrag im Hintergrund: die Fortschrittsseite)",
                f"/landesebene/{land}/landesbericht.pdf",
            ),
        ):
            seconds, status, size = timed_get(path, cookies[0])
            failed = failed or status not in (200, 303)  # 303: to the background job's page
            print(f"{label}, {args.offices} Ämter: {seconds:.2f} s ({status}, {size // 1024} KB)", flush=True)
        print(f"Last (1 min) am Ende: {os.getloadavg()[0]:.1f}")
    finally:
        if gunicorn is not None:
            pages.stop_gunicorn(gunicorn)
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(instance, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
