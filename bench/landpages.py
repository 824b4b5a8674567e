"""CPU time and SQL statements per page at Land scale, in-process, one request at a time.

Sets up `planner demo-land --offices 400` on PostgreSQL (bench/portfolio.py's preparation:
members of the state office who read every office), then with the Flask test client logged in
as such a member:

- the pages offices open most (strategy, Fahrplan page, Fahrplan SVG, measure) of 8 random
  offices, cold (their strategy just changed: nothing kept for it) and warm (asked again);
- the state office's portfolio, Handlungsbedarf and Entwicklung, the first time, again, and
  right after a change in one office (what each request costs while offices are writing);
- an API writer's GET and PATCH of a measure (a personal token).

CPU is the process time of this process (the app), not PostgreSQL's. What `landmix` measures
under concurrent load follows from these costs; this one varies little with the machine's load.

Database: `--database-url` or BENCH_DATABASE_URL (a PostgreSQL database whose name contains
"bench", dropped and created anew); without one a throwaway server is started on port 55450.

Run from the repository root:
    python -m bench landpages [--offices 400] [--sample 8]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from bench import pages
from bench import portfolio as land_bench
from bench.landmix import IDS

PG_PORT = 55450
OFFICE_PAGES = {
    "Strategie": "/strategien/{sid}",
    "Fahrplan": "/strategien/{sid}/fahrplan",
    "Fahrplan-SVG": "/strategien/{sid}/fahrplan.svg",
    "Maßnahme": "/strategien/{sid}/massnahmen/{key}",
}
LAND_PAGES = {"Portfolio": "", "Handlungsbedarf": "/handlungsbedarf", "Entwicklung": "/entwicklung"}


class App:
    """The app in this process with a counter of SQL statements and a logged-in client."""

    def __init__(self) -> None:
        from planner import create_app
        from planner.extensions import db

        self.app, self.db = create_app(), db
        gc.collect()
        gc.freeze()  # as wsgi.py does in every server process
        self.statements = 0
        with self.app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", self._count)
        self.client = self.app.test_client()

    def _count(self, *_args) -> None:
        self.statements += 1

    def login(self, username: str) -> None:
        page = self.client.get("/anmelden").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = {"csrf_token": token, "username": username, "password": pages.PASSWORD}
        if self.client.post("/anmelden", data=data).status_code not in (302, 303):
            raise SystemExit(f"Anmeldung als {username} fehlgeschlagen")

    def timed(self, method: str, path: str, **kwargs) -> tuple[float, int, object]:
        """CPU seconds, SQL statements and the response of one request."""
        self.statements = 0
        started = time.process_time()
        response = self.client.open(path, method=method, **kwargs)
        if response.status_code != 200:
            raise SystemExit(f"{method} {path}: {response.status_code}")
        return time.process_time() - started, self.statements, response

    def changed(self, strategy_ids: list[int]) -> None:
        """Count a change of these strategies, as a save does (their kept values retire)."""
        from planner.services import cache

        with self.app.app_context():
            cache.bump(self.db.session.connection(), [cache.strategy(s) for s in strategy_ids])
            self.db.session.commit()


def row(name: str, runs: list[tuple[float, int, object]]) -> str:
    cpu = sum(r[0] for r in runs) / len(runs)
    return f"{cpu * 1000:.1f} ms, {runs[-1][1]} SQL"


def measure(app: App, ids: dict, sample: int) -> None:
    rng = random.Random(8)
    chosen = rng.sample(list(ids["strategies"].items()), sample)
    land = ids["land"]
    app.changed([int(s) for s, _ in chosen])
    print(f"| Seite ({sample} Ämter, je Anfrage) | kalt: CPU, SQL | warm: CPU, SQL |")
    print("|---|---|---|")
    for name, pattern in OFFICE_PAGES.items():
        paths = [pattern.format(sid=s, key=keys[0]) for s, keys in chosen]
        cold = [app.timed("GET", p) for p in paths]
        warm = [app.timed("GET", p) for p in paths]
        print(f"| {name} | {row(name, cold)} | {row(name, warm)} |")
    print()
    print("| Landesebene (400 Ämter) | erster Aufruf | wieder | nach einer Änderung in einem Amt |")
    print("|---|---|---|---|")
    for name, suffix in LAND_PAGES.items():
        path = f"/landesebene/{land}{suffix}"
        first = app.timed("GET", path)
        again = app.timed("GET", path)
        after = []
        for s, _ in chosen:
            app.changed([int(s)])
            after.append(app.timed("GET", path))
        print(f"| {name} | {row(name, [first])} | {row(name, [again])} | {row(name, after)} |")
    print()
    auth = {"Authorization": f"Bearer {ids['token']}"}
    gets, patches = [], []
    for n, (s, keys) in enumerate(chosen):
        path = f"/api/v1/strategien/{s}/massnahmen/{keys[-1]}"
        got = app.timed("GET", path, headers=auth)
        gets.append(got)
        headers = {**auth, "If-Match": got[2].headers["ETag"]}
        patches.append(app.timed("PATCH", path, headers=headers, json={"title": f"Messung {n}"}))
    print("| API-Schreiber | CPU, SQL |")
    print("|---|---|")
    print(f"| GET einer Maßnahme | {row('GET', gets)} |")
    print(f"| PATCH einer Maßnahme | {row('PATCH', patches)} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offices", type=int, default=400)
    parser.add_argument("--sample", type=int, default=8)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args(argv)
    instance = Path(tempfile.mkdtemp(prefix="planner-bench-landpages-"))
    postgres = None
    saved = dict(os.environ)
    try:
        postgres, env = pages.database_and_env(args.database_url, PG_PORT, instance)
        land_ids, _ = land_bench.prepare(env, args.offices)
        out = subprocess.run(
            [str(pages.BIN / "python"), "-c", IDS], env=env, check=True, capture_output=True, text=True, cwd=pages.ROOT
        )
        ids = {**json.loads(out.stdout.strip().splitlines()[-1]), "land": land_ids["land"]}
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "PLANNER_INSTANCE")})
        app = App()
        app.login("leser0")
        print(
            f"demo-land --offices {args.offices}, PostgreSQL, in-process (Flask-Testclient), Last {os.getloadavg()[0]:.1f}"
        )
        measure(app, ids, args.sample)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(instance, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
