"""Mixed load at Land scale: readers of random offices' pages while API writers change measures.

Sets up `planner demo-land --offices 400` (bench/portfolio.py's preparation: members of the state
office who read every office), starts gunicorn against it and then, for a bounded time:

- 16 readers (logged in as members of the state office) open random pages of random offices:
  the strategy page, its Fahrplan page, the Fahrplan SVG and a measure page; every fourth reader
  opens the state office's pages instead — portfolio, Handlungsbedarf and Entwicklung in turn
  (reported on their own lines);
- 4 writers change random measures of random offices through the API (a personal token of an
  administrator, GET for the ETag, PATCH with If-Match), about `--writes` per second in all.

Before the timed run every page kind of a sample of offices is opened once (`--warm` offices,
0 for a cold start). Then it prints p50/p95/p99 of readers, the portfolio and writers, the
errors (must be 0) and the lost writes (must be 0: every acknowledged PATCH's title is in the
database at the end, unless a later acknowledged PATCH of the same measure replaced it), and
the cold cost of the most-opened pages: the first request of each, one at a time, and the CPU
time gunicorn spent for them. Last the demand: per kind of request the share made anew (not
found in the cache) and the app's CPU time of hits and of those (its Server-Timing header), and
the CPU time per second they add up to, beside what gunicorn used in all.

Database: `--database-url` or BENCH_DATABASE_URL (a PostgreSQL database whose name contains
"bench", dropped and created anew); without one a throwaway server is started on port 55449.

Run from the repository root:
    python -m bench landmix [--offices 400] [--seconds 30] [--readers 16] [--writers 4] [--reads 60]

`--reads` paces the readers (each waits out its share of a second after an answer, as a person
reads a page): the latency at a given load rather than at the machine's saturation.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import pages
from bench import portfolio as land_bench

ROOT = pages.ROOT
BIN = pages.BIN
PG_PORT = 55449
APP_PORT = 58049

IDS = """
import json, sqlalchemy as sa
from planner import create_app
from planner.extensions import db
from planner import models
from planner.models.auth import User
from planner.services import tokens
from planner.services.accounts import hash_password
from planner.services.land_sample import DEMO_OFFICE
app = create_app()
with app.app_context():
    admin = User(username="schreiber", password_hash=hash_password("x-" * 8), is_admin=True)
    db.session.add(admin)
    db.session.flush()
    _, secret = tokens.create(db.session, admin, "api", "bench")
    db.session.commit()
    rows = db.session.execute(
        sa.select(models.Strategy.id, models.Measure.key)
        .join(models.Measure, models.Measure.strategy_id == models.Strategy.id)
        .join(models.Organisation, models.Organisation.id == models.Strategy.organisation_id)
        .where(models.Organisation.name.like(DEMO_OFFICE.split("{")[0] + "%"))
    ).all()
    strategies = {}
    for sid, key in rows:
        strategies.setdefault(sid, []).append(key)
    print(json.dumps({"token": secret, "strategies": strategies}))
"""


class Stats:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self.costs: dict[str, list[tuple[float, bool]]] = {}  # (CPU seconds in the app, made anew)
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def record(self, kind: str, seconds: float, *responses: http.client.HTTPResponse) -> None:
        cpu, miss = 0.0, False
        for response in responses:
            timing = server_timing(response)
            cpu += float(timing.get("cpu", "dur=0").split(";")[0].removeprefix("dur=")) / 1000
            miss = miss or "miss" in timing
        with self.lock:
            self.times.setdefault(kind, []).append(seconds)
            self.costs.setdefault(kind, []).append((cpu, miss))

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def server_timing(response: http.client.HTTPResponse) -> dict[str, str]:
    """The app's Server-Timing header (web/cached.py) as metric -> parameters."""
    out = {}
    for metric in (response.getheader("Server-Timing") or "").split(", "):
        name, _, params = metric.partition(";")
        if name:
            out[name] = params
    return out


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else 0.0


def request(conn: http.client.HTTPConnection, method: str, path: str, headers: dict, body: bytes | None = None):
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response, response.read()


def office_pages(strategy_id: int, keys: list[str], rng: random.Random) -> dict[str, str]:
    """The pages a reader opens of an office: kind -> path (a random measure's)."""
    return {
        "strategy": f"/strategien/{strategy_id}",
        "fahrplan": f"/strategien/{strategy_id}/fahrplan",
        "svg": f"/strategien/{strategy_id}/fahrplan.svg",
        "measure": f"/strategien/{strategy_id}/massnahmen/{rng.choice(keys)}",
    }


def reader_pages(strategy_id: int, keys: list[str], rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(["strategy", "fahrplan", "svg", "measure"])
    return kind, office_pages(strategy_id, keys, rng)[kind]


LAND_PAGES = {"portfolio": "", "handlungsbedarf": "/handlungsbedarf", "entwicklung": "/entwicklung"}


def reader(
    cookie: str, ids: dict, land: int, portfolio: bool, stop: float, pause: float, stats: Stats, seed: int
) -> None:
    rng = random.Random(seed)
    strategies = list(ids["strategies"].items())
    conn = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=60)
    turn = 0
    while time.monotonic() < stop:
        if portfolio:
            kind = list(LAND_PAGES)[turn % len(LAND_PAGES)]
            path = f"/landesebene/{land}{LAND_PAGES[kind]}"
            turn += 1
        else:
            sid, keys = rng.choice(strategies)
            kind, path = reader_pages(int(sid), keys, rng)
        started = time.perf_counter()
        try:
            response, _ = request(conn, "GET", path, {"Cookie": cookie})
        except (OSError, http.client.HTTPException) as exc:
            stats.error(f"{path}: {exc}")
            conn = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=60)
            continue
        stats.record(kind, time.perf_counter() - started, response)
        if response.status != 200:
            stats.error(f"{path}: {response.status}")
        time.sleep(max(0.0, pause - (time.perf_counter() - started)))  # a reader's time to read


def writer(token: str, ids: dict, stop: float, pause: float, stats: Stats, acked: dict, seed: int) -> None:
    rng = random.Random(seed)
    strategies = list(ids["strategies"].items())
    conn = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=60)
    auth = {"Authorization": f"Bearer {token}"}
    n = 0
    while time.monotonic() < stop:
        sid, keys = rng.choice(strategies)
        key = rng.choice(keys)
        path = f"/api/v1/strategien/{sid}/massnahmen/{key}"
        started = time.perf_counter()
        try:
            response, body = request(conn, "GET", path, auth)
            read = response
            etag = response.getheader("ETag")
            n += 1
            title = f"Lastprobe {seed}-{n}"
            response, body = request(
                conn,
                "PATCH",
                path,
                {**auth, "If-Match": etag or "", "Content-Type": "application/json"},
                json.dumps({"title": title}).encode(),
            )
        except (OSError, http.client.HTTPException) as exc:
            stats.error(f"PATCH {path}: {exc}")
            conn = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=60)
            continue
        stats.record("write", time.perf_counter() - started, read, response)
        if response.status == 200:
            with stats.lock:
                acked[(sid, key)] = (time.perf_counter(), title)
        elif response.status != 412:  # a refused concurrent change is reported, not lost
            stats.error(f"PATCH {path}: {response.status} {body[:200]!r}")
        time.sleep(max(0.0, pause - (time.perf_counter() - started)))


LOST = """
import json, sys, sqlalchemy as sa
from planner import create_app
from planner.extensions import db
from planner import models
acked = json.loads(sys.stdin.read())
app = create_app()
with app.app_context():
    lost = 0
    for sid, key, title in acked:
        found = db.session.scalar(
            sa.select(models.Measure.title).where(models.Measure.strategy_id == int(sid), models.Measure.key == key)
        )
        lost += found != title
    print(lost)
"""


def cold_costs(gunicorn: subprocess.Popen, cookie: str, ids: dict, land: int) -> None:
    """The first request of the pages offices open most, one at a time (nothing cached for them)."""
    strategies = list(ids["strategies"].items())
    rng = random.Random(99)
    sample = rng.sample(strategies, 5)
    rows = []
    for kind in ("strategy", "fahrplan", "svg", "measure"):
        times = []
        cpu = pages.cpu_seconds(gunicorn.pid)
        for sid, keys in sample:
            path = {
                "strategy": f"/strategien/{sid}",
                "fahrplan": f"/strategien/{sid}/fahrplan",
                "svg": f"/strategien/{sid}/fahrplan.svg",
                "measure": f"/strategien/{sid}/massnahmen/{keys[0]}",
            }[kind]
            seconds, status, _ = land_bench.timed_get(path, cookie)
            times.append(seconds)
        cpu = pages.cpu_seconds(gunicorn.pid) - cpu
        rows.append((kind, sum(times) / len(times), cpu / len(times)))
    seconds, status, _ = land_bench.timed_get(f"/landesebene/{land}", cookie)
    print("| Seite (erster Aufruf, je 5 Ämter) | Zeit | CPU der App |")
    print("|---|---|---|")
    for kind, seconds_, cpu in rows:
        print(f"| {kind} | {seconds_ * 1000:.0f} ms | {cpu * 1000:.0f} ms |")
    print(f"| Portfolio, erster Aufruf | {seconds * 1000:.0f} ms | – |", flush=True)


def demand(stats: Stats, seconds: float, cpu_used: float) -> None:
    """What each kind of request cost the app (its Server-Timing CPU time): found in the cache or
    made anew, and the processor time per second that makes: the demand the two cores serve."""
    print("| Art | Anfragen | neu erstellt | CPU Treffer | CPU neu | CPU je s |")
    print("|---|---|---|---|---|---|")
    total = 0.0
    for kind in sorted(stats.costs):
        costs = stats.costs[kind]
        hits = [c for c, miss in costs if not miss]
        made = [c for c, miss in costs if miss]
        per_second = sum(c for c, _ in costs) / seconds
        total += per_second
        mean = lambda xs: f"{sum(xs) / len(xs) * 1000:.1f} ms" if xs else "–"  # noqa: E731
        print(
            f"| {kind} | {len(costs)} | {len(made) / len(costs):.0%} | {mean(hits)} | {mean(made)} "
            f"| {per_second * 1000:.0f} ms |"
        )
    print(
        f"CPU der Anfragen (Server-Timing): {total:.2f} s je s; gunicorn insgesamt {cpu_used / seconds:.2f} s je s",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offices", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--writes", type=float, default=6, help="writes per second of all writers together")
    parser.add_argument(
        "--reads",
        type=float,
        default=0,
        help="requests per second of all readers together (0: each sends the next as soon as answered)",
    )
    parser.add_argument("--warm", type=int, default=40, help="offices whose pages are opened before the run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args(argv)
    pages.APP_PORT = land_bench.APP_PORT = APP_PORT
    postgres = gunicorn = None
    instance = Path(tempfile.mkdtemp(prefix="planner-bench-landmix-"))
    failed = False
    try:
        postgres, env = pages.database_and_env(args.database_url, PG_PORT, instance)
        land_ids, generated = land_bench.prepare(env, args.offices)
        print(f"demo-land --offices {args.offices}: {generated:.1f} s", flush=True)
        out = subprocess.run(
            [str(BIN / "python"), "-c", IDS], env=env, check=True, capture_output=True, text=True, cwd=ROOT
        )
        ids = json.loads(out.stdout.strip().splitlines()[-1])
        land = land_ids["land"]
        gunicorn = pages.start_gunicorn(env, args.workers, args.threads)
        cookies = [pages.login(f"leser{i}") for i in range(args.readers)]
        cold_costs(gunicorn, cookies[0], ids, land)
        warm = list(ids["strategies"].items())[: args.warm]
        rng = random.Random(7)
        for sid, keys in warm:
            for path in office_pages(int(sid), keys, rng).values():  # every kind, a random measure
                land_bench.timed_get(path, cookies[0])
        for suffix in LAND_PAGES.values():
            land_bench.timed_get(f"/landesebene/{land}{suffix}", cookies[0])
        load = os.getloadavg()[0]
        cpu_before = pages.cpu_seconds(gunicorn.pid)
        print(f"Lastphase: {args.seconds:g} s ab jetzt (gunicorn {gunicorn.pid})", flush=True)
        stats, acked = Stats(), {}
        stop = time.monotonic() + args.seconds
        read_pause = args.readers / args.reads if args.reads else 0
        threads = [
            threading.Thread(target=reader, args=(c, ids, land, i % 4 == 3, stop, read_pause, stats, i))
            for i, c in enumerate(cookies)
        ]
        pause = args.writers / args.writes if args.writes else 0
        threads += [
            threading.Thread(target=writer, args=(ids["token"], ids, stop, pause, stats, acked, 100 + i))
            for i in range(args.writers)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        cpu_used = pages.cpu_seconds(gunicorn.pid) - cpu_before
        lost_out = subprocess.run(
            [str(BIN / "python"), "-c", LOST],
            input=json.dumps([[s, k, t] for (s, k), (_, t) in acked.items()]),
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        lost = int(lost_out.stdout.strip().splitlines()[-1])
        print(
            f"{args.readers} Leser ({args.readers // 4} davon Portfolio), {args.writers} Schreiber über die API, "
            f"{args.seconds:g} s; gunicorn {args.workers}×{args.threads}, PostgreSQL; Last (1 min) zu Beginn "
            f"{load:.1f}, am Ende {os.getloadavg()[0]:.1f}"
        )
        print("| Art | Anfragen | je s | p50 | p95 | p99 |")
        print("|---|---|---|---|---|---|")
        office = [k for k in stats.times if k not in LAND_PAGES and k != "write"]
        readers = [t for k in office for t in stats.times[k]]
        for name, values in (
            ("Leser (Strategie, Fahrplan, SVG, Maßnahme)", readers),
            *[(f"  {k}", stats.times[k]) for k in sorted(office)],
            ("Portfolio", stats.times.get("portfolio", [])),
            ("Handlungsbedarf", stats.times.get("handlungsbedarf", [])),
            ("Entwicklung", stats.times.get("entwicklung", [])),
            ("Schreiber (GET + PATCH)", stats.times.get("write", [])),
        ):
            ms = " | ".join(f"{percentile(values, p) * 1000:.0f} ms" for p in (50, 95, 99))
            print(f"| {name} | {len(values)} | {len(values) / args.seconds:.1f} | {ms} |")
        print(f"Fehler: {len(stats.errors)}; verlorene Schreibvorgänge: {lost}", flush=True)
        demand(stats, args.seconds, cpu_used)
        for e in stats.errors[:10]:
            print("  ", e)
        failed = bool(stats.errors or lost)
    finally:
        if gunicorn is not None:
            pages.stop_gunicorn(gunicorn)
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(instance, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
