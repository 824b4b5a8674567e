"""Fault test: the database goes away for 20 s in the middle of a load test.

Starts its own throwaway PostgreSQL (port 55499; never the shared server) and gunicorn on the
loopback, lets logged-in readers and writers work (as in bench/load.py), then stops PostgreSQL
(`pg_ctl stop -m fast`, which also ends every open connection), waits, starts it again and
lets the load run on. Reports for each phase (before, during, after the outage):

- the answers by status: during the outage every answer must be the German 503 page
  ("Vorübergehend nicht verfügbar"), never a 500, an English page or a dropped connection;
- recovery: seconds from the restart to the first successful page, without restarting gunicorn;
- writes: each save the server acknowledged (302) must be in the row and in the audit trail,
  and each measure's row must agree with its last audit entry (nothing half-written).

Run from the repository root (as root, PostgreSQL 15 binaries installed):
    .venv/bin/python -m bench.outage [--before 10] [--outage 20] [--after 20] [--readers 12] [--writers 4]
Exit status 1 when an answer was neither a success nor the 503 page, when the app did not
recover, or when an acknowledged write was lost or half-written.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench._forms import largest_form
from bench.load import PYTHON, ROOT, Client, Postgres, Stats, prepare, start_gunicorn

PG_PORT = 55499
APP_PORT = 58099
UNAVAILABLE = "Vorübergehend nicht verfügbar"


class RestartablePostgres(Postgres):
    """The throwaway server of bench/load.py, stopped and started again in between."""

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), *args],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def pause(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def resume(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._ctl("-l", str(self.dir / "pg.log"), "-w", "-o", options, "start")


@dataclass
class Timeline:
    """Which phase a moment belongs to, and what was answered in each phase."""

    outage_start: float = float("inf")
    outage_end: float = float("inf")
    answers: dict[str, Counter] = field(
        default_factory=lambda: {p: Counter() for p in ("vorher", "Ausfall", "nachher")}
    )
    bad: list[str] = field(default_factory=list)
    first_success_after: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def phase(self, at: float) -> str:
        if at < self.outage_start:
            return "vorher"
        return "Ausfall" if at < self.outage_end else "nachher"

    def record(self, started: float, what: str, response, page: str) -> bool:
        """Count one answer; True when it was a success (200 or a redirect)."""
        phase = self.phase(started)
        status = response.status if response is not None else "keine Antwort"
        ok = status in (200, 302)
        german_503 = status == 503 and UNAVAILABLE in page
        with self.lock:
            self.answers[phase][status if ok or german_503 else f"{status} (unerwartet)"] += 1
            if not (ok or german_503) and len(self.bad) < 20:
                self.bad.append(f"{phase}: {what} → {status} {page[:120]!r}")
            if ok and phase == "nachher" and self.first_success_after is None:
                self.first_success_after = time.monotonic() - self.outage_end
        return ok


@dataclass
class Acks:
    acknowledged: list[tuple[int, str]] = field(default_factory=list)
    refused: int = 0  # 503 on the save itself: not acknowledged, the user sees that and saves again
    lock: threading.Lock = field(default_factory=threading.Lock)


def reader(client: Client, paths: list[str], stop: float, timeline: Timeline, seed: int) -> None:
    import random

    rnd = random.Random(seed)
    while time.monotonic() < stop:
        path = rnd.choice(paths)
        started = time.monotonic()
        response, page = client.request("read", "GET", path)
        if not timeline.record(started, f"GET {path}", response, page):
            time.sleep(0.5)  # like a person pressing reload, not a tight loop


def writer(client: Client, target: list, stop: float, timeline: Timeline, acks: Acks, name: str) -> None:
    sid, key, mid = target
    url = f"/strategien/{sid}/massnahmen/{key}/bearbeiten"
    n = 0
    while time.monotonic() < stop:
        started = time.monotonic()
        response, page = client.request("write-form", "GET", url)
        if not timeline.record(started, f"GET {url}", response, page):
            time.sleep(0.5)
            continue
        n += 1
        value = f"{name} Stand {n}"
        form = [(k, value if k == "goal" else v) for k, v in largest_form(page)]
        started = time.monotonic()
        response, page = client.request("write", "POST", url, form)
        if timeline.record(started, f"POST {url}", response, page):
            with acks.lock:
                acks.acknowledged.append((mid, value))
        else:
            with acks.lock:
                acks.refused += 1
            time.sleep(0.5)


VERIFY = """
import json, sys, sqlalchemy as sa
from planner import create_app
from planner.extensions import db
from planner import models
from planner.models.auth import AuditEntry
acks = json.load(sys.stdin)
app = create_app()
with app.app_context():
    trail = db.session.execute(sa.select(AuditEntry.object_id, AuditEntry.new, AuditEntry.id).where(
        AuditEntry.table_name == "measures", AuditEntry.field == "goal").order_by(AuditEntry.id)).all()
    in_trail = {(o, v) for o, v, _ in trail}
    lost = [a for a in acks if (str(a[0]), a[1]) not in in_trail]
    last_ack, last_trail = {}, {}
    for mid, value in acks:
        last_ack[str(mid)] = value
    for o, v, _ in trail:
        last_trail[o] = v
    half = []
    for mid in {str(m) for m, _ in acks}:
        goal = db.session.get(models.Measure, int(mid)).goal
        if goal != last_trail.get(mid):
            half.append([mid, goal, last_trail.get(mid), "row and audit trail disagree"])
        acked = [v for m, v in acks if str(m) == mid]
        if goal != last_ack[mid] and goal not in {v for o, v, _ in trail if o == mid}:
            lost.append([mid, last_ack[mid], "row holds a value nobody saved: " + str(goal)])
    unacknowledged = len({(o, v) for o, v in in_trail if " Stand " in (v or "")} - {(str(m), v) for m, v in acks})
    print(json.dumps({"lost": lost, "half": half, "stored_without_ack": unacknowledged}))
"""


def verify(env: dict[str, str], acks: Acks) -> dict:
    result = subprocess.run(
        [PYTHON, "-c", VERIFY],
        env=env,
        cwd=ROOT,
        input=json.dumps(acks.acknowledged),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=float, default=10)
    parser.add_argument("--outage", type=float, default=20)
    parser.add_argument("--after", type=float, default=20)
    parser.add_argument("--readers", type=int, default=12)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)

    postgres = RestartablePostgres(PG_PORT)
    instance = Path(tempfile.mkdtemp(prefix="planner-outage-instance-"))
    gunicorn = None
    timeline, acks = Timeline(), Acks()
    try:
        url = postgres.start()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "outage-secret", "PLANNER_INSTANCE": str(instance)}
        ids = prepare(env, args.writers)
        gunicorn = start_gunicorn(env, args.workers, args.threads, port=APP_PORT)
        stats = Stats()
        clients = []
        for i in range(args.readers + args.writers):
            client = Client(stats, port=APP_PORT)
            client.login(f"nutzer{i}")
            clients.append(client)
        paths = ["/"]
        for sid in ids["strategies"]:
            paths += [f"/strategien/{sid}", f"/strategien/{sid}/fahrplan", f"/strategien/{sid}/reifegrad"]
        paths += [f"/strategien/{sid}/massnahmen/{key}" for sid, key, _ in ids["measures"][:30]]

        began = time.monotonic()
        stop = began + args.before + args.outage + args.after
        threads = [
            threading.Thread(target=reader, args=(clients[i], paths, stop, timeline, i)) for i in range(args.readers)
        ]
        for j in range(args.writers):
            target = ids["measures"][j]
            threads.append(
                threading.Thread(
                    target=writer, args=(clients[args.readers + j], target, stop, timeline, acks, f"Schreiber {j}")
                )
            )
        for t in threads:
            t.start()
        time.sleep(max(0.0, began + args.before - time.monotonic()))
        timeline.outage_start = time.monotonic()
        postgres.pause()
        print(f"PostgreSQL gestoppt nach {timeline.outage_start - began:.1f} s", flush=True)
        time.sleep(max(0.0, timeline.outage_start + args.outage - time.monotonic()))
        postgres.resume()
        timeline.outage_end = time.monotonic()
        print(
            f"PostgreSQL wieder gestartet nach {timeline.outage_end - timeline.outage_start:.1f} s Ausfall", flush=True
        )
        for t in threads:
            t.join(timeout=args.after + 120)
        result = verify(env, acks)
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(timeout=30)
        postgres.stop()
        shutil.rmtree(instance, ignore_errors=True)

    print(
        f"Ausfalltest: gunicorn {args.workers} Worker × {args.threads} Threads, {args.readers} Lesende, "
        f"{args.writers} Schreibende; {args.before:.0f} s Last, {args.outage:.0f} s ohne PostgreSQL, {args.after:.0f} s danach"
    )
    for phase, counts in timeline.answers.items():
        print(f"  {phase:<8} " + ", ".join(f"{status}: {n}" for status, n in sorted(counts.items(), key=str)))
    recovered = timeline.first_success_after
    print(
        "  Erholung: erste erfolgreiche Antwort "
        + (
            f"{recovered:.1f} s nach dem Neustart von PostgreSQL (gunicorn lief durch)"
            if recovered is not None
            else "NIE"
        )
    )
    print(
        f"  Schreibvorgänge bestätigt: {len(acks.acknowledged)}, mit 503 abgewiesen: {acks.refused}, "
        f"verloren: {len(result['lost'])}, halb geschrieben: {len(result['half'])}, "
        f"gespeichert ohne Bestätigung (Antwort ging im Abbruch verloren): {result['stored_without_ack']}"
    )
    for item in (result["lost"] + result["half"])[:10]:
        print("   ", item)
    for line in timeline.bad:
        print("   unerwartet:", line)
    late_503 = sum(n for s, n in timeline.answers["nachher"].items() if s == 503)
    print(f"  503 nach dem Neustart (bis die Verbindungen ersetzt sind): {late_503}")
    failed = timeline.bad or recovered is None or result["lost"] or result["half"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
