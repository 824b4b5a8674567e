"""Load benchmark: gunicorn + PostgreSQL on the loopback, many concurrent readers and a few writers.

Starts a throwaway PostgreSQL (as the postgres user, in a temporary directory, port 55441),
migrates and seeds it, starts gunicorn against it, and lets logged-in virtual users work for a
bounded time:

- readers open the overview, strategy pages, measure pages, the Fahrplan and the maturity page;
- writers each edit their own measure again and again through the edit form (with the
  form's version), and two more writers edit the same measure, so some of their saves are
  refused as conflicts (that is a reported refusal, not a lost write).

Reports requests per second, latency percentiles, errors (must be 0) and lost writes (must
be 0): every save the server acknowledged must be in the database's audit trail, and each
measure must end with the value of its last acknowledged save.

Run from the repository root (as root, PostgreSQL 15 binaries installed):
    .venv/bin/python -m bench.load [--seconds 20] [--readers 40] [--writers 4] [--workers 3] [--threads 8]
Exit status 1 when there were errors or lost writes.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from bench._forms import largest_form

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable  # the venv running the benchmark; `-m` with cwd=ROOT imports this checkout's planner
PG_PORT = 55441
APP_PORT = 58041
PASSWORD = "last-test-passwort-1"


# --- infrastructure ------------------------------------------------------------------------


class Postgres:
    """A throwaway PostgreSQL server (the recipe in the CI notes, on its own port)."""

    def __init__(self, port: int):
        self.port = port
        self.bin = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1])
        self.dir = Path(tempfile.mkdtemp(prefix="planner-bench-pg-"))

    def start(self) -> str:
        shutil.chown(self.dir, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
        subprocess.run(
            [
                *run_as,
                str(self.bin / "initdb"),
                "-D",
                str(self.dir / "data"),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run(
            [
                *run_as,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.dir / "data"),
                "-l",
                str(self.dir / "pg.log"),
                "-w",
                "-o",
                options,
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [
                *run_as,
                str(self.bin / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-q",
                "-c",
                "CREATE DATABASE planner",
            ],
            check=True,
        )
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/planner"

    def stop(self) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.dir / "data"),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def prepare(env: dict[str, str], writers: int) -> dict:
    """Migrate, seed, create the users; return the ids the virtual users work on."""
    for command in (["db", "upgrade"], ["seed"]):
        subprocess.run(
            [PYTHON, "-m", "planner.cli", *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
    script = f"""
import json, sqlalchemy as sa
from planner import create_app
from planner.extensions import db
from planner import models
from planner.models.auth import User, Membership
from planner.services.accounts import hash_password
app = create_app()
with app.app_context():
    h = hash_password({PASSWORD!r})
    strategies = db.session.scalars(sa.select(models.Strategy).order_by(models.Strategy.id)).all()
    orgs = sorted({{s.organisation_id for s in strategies}})
    for i in range(200):
        u = User(username=f"nutzer{{i}}", password_hash=h)
        u.memberships = [Membership(organisation_id=o, role="bearbeiten") for o in orgs]
        db.session.add(u)
    db.session.commit()
    out = {{"strategies": [], "measures": []}}
    for s in strategies:
        out["strategies"].append(s.id)
        for m in s.measures:
            out["measures"].append([s.id, m.key, m.id])
    print(json.dumps(out))
"""
    result = subprocess.run([PYTHON, "-c", script], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def start_gunicorn(env: dict[str, str], workers: int, threads: int, port: int = APP_PORT) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
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
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/anmelden")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


# --- a virtual user --------------------------------------------------------------------------


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)

    def error(self, text: str) -> None:
        with self.lock:
            if len(self.errors) < 50:
                self.errors.append(text)
            else:
                self.errors.append("…")


class Client:
    """One logged-in browser: a keep-alive connection and a session cookie."""

    def __init__(self, stats: Stats, port: int = APP_PORT):
        self.stats = stats
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def request(self, kind: str, method: str, path: str, form: list[tuple[str, str]] | None = None):
        body = urllib.parse.urlencode(form) if form is not None else None
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read().decode("utf-8", "replace")
                break
            except (OSError, http.client.HTTPException) as exc:
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                # the server closed an idle keep-alive connection just as we reused it: like a browser,
                # repeat an idempotent GET once on a new connection (never a POST)
                if attempt == 1 and method == "GET" and isinstance(exc, http.client.RemoteDisconnected):
                    with self.stats.lock:
                        self.stats.retries += 1
                    continue
                self.stats.error(f"{method} {path}: {exc!r}")
                return None, ""
        self.stats.record(kind, time.perf_counter() - started)
        if set_cookie := response.getheader("Set-Cookie"):
            self.cookie = set_cookie.split(";", 1)[0]
        return response, data

    def login(self, username: str) -> None:
        _, page = self.request("login", "GET", "/anmelden")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response, _ = self.request(
            "login", "POST", "/anmelden", [("csrf_token", token), ("username", username), ("password", PASSWORD)]
        )
        if response is None or response.status != 302:
            raise RuntimeError(f"login {username} failed: {response and response.status}")


def reader(client: Client, ids: dict, stop: float, stats: Stats) -> None:
    rnd = random.Random(id(client))
    pages = ["/"]
    for sid in ids["strategies"]:
        pages += [f"/strategien/{sid}", f"/strategien/{sid}/fahrplan", f"/strategien/{sid}/reifegrad"]
    pages += [f"/strategien/{sid}/massnahmen/{key}" for sid, key, _ in ids["measures"]]
    while time.monotonic() < stop:
        path = rnd.choice(pages)
        response, _ = client.request("read", "GET", path)
        if response is not None and response.status != 200:
            stats.error(f"GET {path}: {response.status}")


@dataclass
class WriteLog:
    acknowledged: list[tuple[int, str]] = field(default_factory=list)  # (measure id, value)
    conflicts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def writer(
    client: Client, name: str, target: tuple[int, str, int], stop: float, stats: Stats, log: WriteLog, shared: bool
) -> None:
    sid, key, mid = target
    url = f"/strategien/{sid}/massnahmen/{key}/bearbeiten"
    n = 0
    while time.monotonic() < stop:
        response, page = client.request("write-form", "GET", url)
        if response is None or response.status != 200:
            stats.error(f"GET {url}: {response and response.status}")
            continue
        n += 1
        value = f"{name} Stand {n}"
        form = [(k, value if k == "goal" else v) for k, v in largest_form(page)]
        response, page = client.request("write", "POST", url, form)
        if response is None:
            continue
        if response.status == 302:
            with log.lock:
                log.acknowledged.append((mid, value))
        elif response.status == 422 and shared and "Jemand anderes hat diesen Datensatz" in page:
            with log.lock:
                log.conflicts += 1
        else:
            stats.error(f"POST {url}: {response.status}")


def verify(env: dict[str, str], log: WriteLog) -> tuple[int, int]:
    """(lost writes, acknowledged writes): each acknowledged value must be in the trail, the last one in the row."""
    import json

    script = """
import json, sys, sqlalchemy as sa
from planner import create_app
from planner.extensions import db
from planner import models
from planner.models.auth import AuditEntry
acks = json.load(sys.stdin)
app = create_app()
with app.app_context():
    trail = set(db.session.execute(sa.select(AuditEntry.object_id, AuditEntry.new).where(
        AuditEntry.table_name == "measures", AuditEntry.field == "goal")).all())
    lost = [a for a in acks if (str(a[0]), a[1]) not in trail]
    last = {}
    for mid, value in acks:
        last[mid] = value
    for mid, value in last.items():
        if db.session.get(models.Measure, int(mid)).goal != value:
            lost.append([mid, value, "not the final value"])
    print(json.dumps(lost))
"""
    result = subprocess.run(
        [PYTHON, "-c", script],
        env=env,
        cwd=ROOT,
        input=json.dumps(log.acknowledged),
        capture_output=True,
        text=True,
        check=True,
    )
    lost = json.loads(result.stdout.strip().splitlines()[-1])
    for item in lost[:10]:
        print("  lost:", item)
    return len(lost), len(log.acknowledged)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 20)))
    parser.add_argument("--readers", type=int, default=40)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)

    postgres = Postgres(PG_PORT)
    instance = Path(tempfile.mkdtemp(prefix="planner-bench-instance-"))
    gunicorn = None
    try:
        url = postgres.start()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-secret", "PLANNER_INSTANCE": str(instance)}
        ids = prepare(env, args.writers)
        gunicorn = start_gunicorn(env, args.workers, args.threads)
        stats, log = Stats(), WriteLog()
        users = iter(range(200))
        clients = []
        for _ in range(args.readers + args.writers + 2):
            client = Client(stats)
            client.login(f"nutzer{next(users)}")
            clients.append(client)
        stats.latencies.pop("login", None)
        measures = ids["measures"]
        stop = time.monotonic() + args.seconds
        threads = [threading.Thread(target=reader, args=(clients[i], ids, stop, stats)) for i in range(args.readers)]
        for j in range(args.writers):
            threads.append(
                threading.Thread(
                    target=writer,
                    args=(clients[args.readers + j], f"Schreiber {j}", measures[j], stop, stats, log, False),
                )
            )
        shared = measures[args.writers]
        for j in range(2):  # two people on the same measure: conflicts are refused, never lost
            threads.append(
                threading.Thread(
                    target=writer,
                    args=(clients[args.readers + args.writers + j], f"Gemeinsam {j}", shared, stop, stats, log, True),
                )
            )
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 120)
        elapsed = time.monotonic() - started
        lost, acknowledged = verify(env, log)
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(timeout=30)
        postgres.stop()
        shutil.rmtree(instance, ignore_errors=True)

    total = sum(len(v) for v in stats.latencies.values())
    print(
        f"Lasttest: gunicorn {args.workers} Worker × {args.threads} Threads + PostgreSQL auf 127.0.0.1, "
        f"{args.readers} Lesende, {args.writers} + 2 Schreibende, {elapsed:.1f} s"
    )
    print(f"  Anfragen gesamt: {total}  ({total / elapsed:.1f} Anfragen/s)")
    for kind in ("read", "write-form", "write"):
        values = stats.latencies.get(kind, [])
        if values:
            print(
                f"  {kind:<10} n={len(values):>6}  p50={percentile(values, 50) * 1000:7.1f} ms  "
                f"p90={percentile(values, 90) * 1000:7.1f} ms  p99={percentile(values, 99) * 1000:7.1f} ms  "
                f"max={max(values) * 1000:7.1f} ms  mean={statistics.fmean(values) * 1000:7.1f} ms"
            )
    print(f"  Fehler: {len(stats.errors)}  (GET nach geschlossener Keep-alive-Verbindung wiederholt: {stats.retries})")
    for error in stats.errors[:10]:
        print(f"    {error}")
    print(f"  Bestätigte Schreibvorgänge: {acknowledged}, als Konflikt abgewiesen: {log.conflicts}, verloren: {lost}")
    return 1 if stats.errors or lost else 0


if __name__ == "__main__":
    sys.exit(main())
