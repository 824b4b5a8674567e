"""CPU time per request in-process (Flask test client, SQLite): the pages of bench/pages.py,
without gunicorn, PostgreSQL or a load generator; a figure that depends little on other load.

Sets up a fresh instance (the bundled strategies plus a generated strategy of 300 measures and
600 links, one reader of every organisation), requests each page once (warm-up: template
compilation, first cache fill) and then `--repeat` times, and prints the mean CPU time
(process time) per request and the number of SQL statements of the last request.
`--profile PAGE` prints a cProfile of that page instead (the part of its name given).

Run from the repository root:
    python -m bench inprocess [--repeat 10] [--profile Start]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "seiten-test-passwort-1"


def setup(instance: str) -> tuple[object, dict]:
    env = {**os.environ, "PLANNER_INSTANCE": instance, "DATABASE_URL": f"sqlite:///{instance}/planner.db"}
    planner = [sys.executable, "-m", "planner.cli"]
    subprocess.run([*planner, "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    subprocess.run([*planner, "seed"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    os.environ.update(env)
    from bench.pages import PREPARE

    namespace: dict = {}
    code = PREPARE.replace("print(json.dumps(", "result = (").replace('"big": big_row.id}))', '"big": big_row.id})')
    exec(compile(code, "prepare", "exec"), namespace)  # noqa: S102 - our own setup code
    return namespace["app"], namespace["result"]


def login(client) -> None:
    page = client.get("/anmelden").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/anmelden", data={"csrf_token": token, "username": "leser0", "password": PASSWORD})
    assert response.status_code == 302, response.status_code


def main(argv: list[str] | None = None) -> int:
    from bench.pages import pages

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--sql", action="store_true", help="print the statements of each page's last request")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory() as instance:
        app, ids = setup(instance)
        from planner.extensions import db

        client = app.test_client()
        login(client)
        statements: list[str] = []
        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        print("| page | CPU per request | SQL statements |\n|---|---|---|")
        for name, url in pages(ids):
            if args.profile and args.profile.lower() not in name.lower():
                continue
            assert client.get(url).status_code == 200, url
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.repeat):
                    client.get(url)
                profiler.disable()
                pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(45)
                continue
            started = time.process_time()
            for _ in range(args.repeat):
                statements.clear()
                response = client.get(url)
            cpu = (time.process_time() - started) / args.repeat
            assert response.status_code == 200, url
            print(f"| {name} | {cpu * 1000:.1f} ms | {len(statements)} |", flush=True)
            if args.sql:
                print("\n".join("    " + " ".join(s.split())[:160] for s in statements))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
