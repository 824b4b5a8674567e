"""Page load benchmark with wrk: pages and charts under concurrent logged-in readers.

Sets up a database (the bundled strategies plus a generated strategy of 300 measures and 600
links), starts gunicorn (2 workers × 4 threads) against it and measures each page for 12 s with
wrk (16 connections, 2 wrk threads, 2 s timeout), every request carrying the session cookie of
one of 16 logged-in users (a Lua script, bench/pages.lua). Prints requests/s, p50, p95, p99,
timeouts and other errors per page, and the CPU time gunicorn spent per answer (a figure that
depends little on other load of a shared machine).

Database: `--database-url` or BENCH_DATABASE_URL, a PostgreSQL database whose name contains
"bench" (it is dropped and created anew); without one a throwaway PostgreSQL server is started
as in bench/load.py.

Run from the repository root:
    python -m bench pages [--seconds 12] [--connections 16] [--workers 2] [--threads 4]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
APP_PORT = 58043
PG_PORT = 55443
PASSWORD = "seiten-test-passwort-1"
LUA = Path(__file__).with_name("pages.lua")


def recreate_database(url: str) -> None:
    """Drop and create the benchmark database (only one whose name says it is for benchmarks)."""
    import sqlalchemy as sa

    parts = sa.engine.make_url(url)
    if "bench" not in (parts.database or ""):
        raise SystemExit(f"Die Datenbank {parts.database!r} ist keine Benchmark-Datenbank (Name ohne „bench“).")
    engine = sa.create_engine(parts.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parts.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{parts.database}"'))
    engine.dispose()


PREPARE = f"""
import json, sqlalchemy as sa
from planner import create_app
from planner.extensions import db
from planner import models
from planner.models.auth import User, Membership
from planner.services.accounts import hash_password
from planner.services.whole_strategy import import_strategy
from bench.roadmap import generated_strategy
app = create_app()
with app.app_context():
    big = generated_strategy(300, 600, seed=300)
    big.organisation = "Kreis Steinfurt"
    big_row = import_strategy(db.session, big)
    db.session.flush()
    strategies = db.session.scalars(sa.select(models.Strategy).order_by(models.Strategy.id)).all()
    orgs = sorted({{s.organisation_id for s in strategies}})
    h = hash_password({PASSWORD!r})
    for i in range(16):
        u = User(username=f"leser{{i}}", password_hash=h)
        u.memberships = [Membership(organisation_id=o, role="bearbeiten") for o in orgs]
        db.session.add(u)
    db.session.commit()
    steinfurt = next(s.id for s in strategies if "Steinfurt" in s.organisation.name and s.id != big_row.id)
    print(json.dumps({{"steinfurt": steinfurt, "big": big_row.id}}))
"""


def prepare(env: dict[str, str]) -> dict:
    planner = [str(BIN / "python"), "-m", "planner.cli"]
    subprocess.run([*planner, "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    subprocess.run([*planner, "seed"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    result = subprocess.run(
        [str(BIN / "python"), "-c", PREPARE], env=env, check=True, capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_gunicorn(env: dict[str, str], workers: int, threads: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{APP_PORT}",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=2)
            conn.request("GET", "/anmelden")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    raise RuntimeError("gunicorn did not start")


def database_and_env(database_url: str | None, port: int, instance: Path):
    """The benchmark's database (the given one dropped and recreated, else a throwaway PostgreSQL
    on `port`) and the environment for the app's commands and gunicorn: (postgres or None, env)."""
    from bench.load import Postgres

    postgres = None
    if database_url:
        url = database_url
        recreate_database(url)
    else:
        postgres = Postgres(port)
        url = postgres.start()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret",
        "PLANNER_INSTANCE": str(instance),
        "PYTHONPATH": str(ROOT),
    }
    return postgres, env


def stop_gunicorn(gunicorn: subprocess.Popen) -> None:
    """Stop the gunicorn started by `start_gunicorn` (its whole process group)."""
    os.killpg(gunicorn.pid, signal.SIGTERM)
    try:
        gunicorn.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(gunicorn.pid, signal.SIGKILL)
        gunicorn.wait()


def wait_idle(limit: float = 180) -> None:
    """Wait until the server answers the login page within half a second: requests of the last
    page that wrk gave up on are still being worked off and must not count for the next one."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=limit)
            conn.request("GET", "/anmelden")
            conn.getresponse().read()
            conn.close()
        except OSError:
            pass
        if time.monotonic() - started < 0.5:
            return
        time.sleep(1)


def login(username: str) -> str:
    """The session cookie of a fresh login."""
    conn = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=30)
    conn.request("GET", "/anmelden")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": PASSWORD})
    conn.request(
        "POST",
        "/anmelden",
        body=body,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"login {username} failed: {response.status}")
    return response.getheader("Set-Cookie").split(";", 1)[0]


def pages(ids: dict) -> list[tuple[str, str]]:
    s, big = ids["steinfurt"], ids["big"]
    return [
        ("Startseite /", "/"),
        ("Strategieseite Steinfurt (25 Maßnahmen)", f"/strategien/{s}"),
        ("Strategieseite, 300 Maßnahmen", f"/strategien/{big}"),
        ("Maßnahmenseite, 300 Maßnahmen", f"/strategien/{big}/massnahmen/m00150"),
        ("Fahrplanseite, 300 Maßnahmen", f"/strategien/{big}/fahrplan"),
        ("Fahrplan-SVG Steinfurt", f"/strategien/{s}/fahrplan.svg"),
        ("Fahrplan-SVG, 300 Maßnahmen", f"/strategien/{big}/fahrplan.svg"),
        ("Bewertung-SVG Steinfurt", f"/strategien/{s}/bewertung.svg"),
        ("Abhängigkeitsgraph-SVG Steinfurt", f"/strategien/{s}/abhaengigkeiten.svg"),
        ("Radar-SVG Steinfurt", f"/strategien/{s}/reifegrad/radar.svg"),
    ]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by gunicorn and its workers: unlike latency it hardly
    depends on what else the shared machine is doing."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def wrk(path: str, cookies: list[str], seconds: float, connections: int) -> dict:
    env = {**os.environ, "PAGES_COOKIES": "\n".join(cookies)}
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--timeout",
            "2s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{APP_PORT}{path}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("PAGES_RESULT "))
    return json.loads(line.removeprefix("PAGES_RESULT "))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=12)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--only", help="nur Seiten, deren Name diesen Text enthält")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk fehlt (Debian-Paket wrk).", file=sys.stderr)
        return 2

    postgres = None
    instance = Path(tempfile.mkdtemp(prefix="planner-bench-pages-"))
    gunicorn = None
    try:
        postgres, env = database_and_env(args.database_url, PG_PORT, instance)
        ids = prepare(env)
        gunicorn = start_gunicorn(env, args.workers, args.threads)
        cookies = [login(f"leser{i}") for i in range(args.connections)]
        print(
            f"wrk: {args.connections} Verbindungen mit {len(cookies)} angemeldeten Nutzern, {args.seconds:g} s je Seite; "
            f"gunicorn {args.workers} Worker × {args.threads} Threads, PostgreSQL auf 127.0.0.1; "
            f"{os.cpu_count()} CPUs, Last (1 min) {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        print(
            "| Seite | Anfragen/s | p50 | p95 | p99 | Zeitüberschreitungen (> 2 s) | andere Fehler "
            "| CPU der App je Antwort |"
        )
        print("|---|---|---|---|---|---|---|---|")
        failed = False
        for name, path in pages(ids):
            if args.only and args.only.lower() not in name.lower():
                continue
            wait_idle()
            wrk(path, cookies, 2, args.connections)  # warm-up: imports, first renders
            wait_idle()
            cpu = cpu_seconds(gunicorn.pid)
            r = wrk(path, cookies, args.seconds, args.connections)
            others = r["connect"] + r["read"] + r["write"] + r["status"]
            failed = failed or bool(others or r["timeout"])
            # wrk's percentiles cover the answered requests only: none answered in time, no figure
            ms = [f"{r[p] / 1000:.0f} ms" if r[p] > 0 else "–" for p in ("p50", "p95", "p99")]
            wait_idle()  # the CPU time of every request wrk sent, answered or given up on
            cpu = cpu_seconds(gunicorn.pid) - cpu
            per_request = f"{cpu / r['requests'] * 1000:.0f} ms" if r["requests"] else "–"
            rps = f"{r['rps']:.1f}" if r["requests"] else f"0 (keine Antwort in {args.seconds:g} s)"
            print(
                f"| {name} | {rps} | {' | '.join(ms)} | {r['timeout']} | {others} | {per_request} |",
                flush=True,
            )
        print(f"Last (1 min) am Ende: {os.getloadavg()[0]:.1f}")
    finally:
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(instance, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
