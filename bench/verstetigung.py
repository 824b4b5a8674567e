"""Verstetigung benchmarks: the evaluation calendar for generated strategies (60 to 5,000 measures,
long-running and open-ended ones, recorded evaluations, ten years after adoption), for 200
strategies at once (an office with a long version history, or a state office), the JSON of
`planner evaluations`, and the calendar page and ICS file through the web stack for 1,000 measures.

Run from the repository root: .venv/bin/python -m bench.verstetigung
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from datetime import date
from pathlib import Path

from bench._timing import timed
from planner.domain.catalogue import catalogue
from planner.domain.months import Month
from planner.domain.strategy import Measure, Owner, Status
from planner.domain.verstetigung import EvaluationRecord, Kind, TrackedStrategy, calendar, calendar_report

ADOPTED = Month(2020, 1)
TODAY = date(2030, 1, 15)  # ten years on: five biennial reviews, many yearly evaluations


def generated_strategy(n: int, seed: int = 11) -> TrackedStrategy:
    """n measures from 2020 on: 10 % backlog, 5 % dropped, 10 % open-ended, 20 % long-running
    (13–48 months), the rest short; 30 % have an actual end; evaluations recorded for half the
    finished ones."""
    rnd = random.Random(seed)
    dims = catalogue().dimension_names
    owners = [f"Person {i}" for i in range(max(3, n // 10))]
    measures, records = [], []
    for i in range(n):
        roll = rnd.random()
        start = ADOPTED + rnd.randrange(0, 96)
        status, end = Status.GEPLANT, start + rnd.randrange(0, 12)
        if roll < 0.10:
            status, start, end = Status.BACKLOG, None, None
        elif roll < 0.15:
            status = Status.VERWORFEN
        elif roll < 0.25:
            status, end = Status.FORTLAUFEND, None
        elif roll < 0.45:
            end = start + rnd.randrange(12, 48)
        m = Measure(
            f"m{i:05d}",
            f"Maßnahme {i:05d}",
            dims[i % len(dims)],
            status=status,
            start=start,
            end=end,
            owners=[Owner(rnd.choice(owners))],
        )
        if end is not None and rnd.random() < 0.3:
            m.actual_end = end + rnd.randrange(-1, 4)
            m.status = Status.ABGESCHLOSSEN
            if rnd.random() < 0.5:
                records.append(EvaluationRecord(m.key, Kind.PROZESS, date(m.actual_end.year, m.actual_end.month, 28)))
        measures.append(m)
    return TrackedStrategy(
        "Bench-Gesundheitsamt",
        f"Strategie mit {n} Maßnahmen",
        version=str(seed),
        adopted=ADOPTED,
        measures=measures,
        evaluations=records,
    )


def _web(n: int) -> None:
    """Calendar page and ICS for one stored strategy of n measures (SQLite, logged-in client)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from auth_support import ensure_admin, login

    from planner import create_app
    from planner.extensions import db
    from planner.models import Model
    from planner.services.whole_strategy import import_strategy

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "TODAY": TODAY.isoformat(),
                "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{Path(tmp) / 'bench.db'}"},
            }
        )
        with app.app_context():
            Model.metadata.create_all(db.engine)
            t0 = time.perf_counter()
            row = import_strategy(db.session, generated_strategy(n))
            db.session.commit()
            sid = row.id
            print(f"  Import einer Strategie mit {n} Maßnahmen und Evaluationen: {time.perf_counter() - t0:.2f} s")
        client = app.test_client()
        login(client, ensure_admin(app))
        for label, url in (
            ("Kalenderseite", f"/strategien/{sid}/evaluationen"),
            ("ICS-Datei", f"/strategien/{sid}/evaluationen.ics"),
            ("Strategiereview (Seite)", f"/strategien/{sid}/review"),
        ):
            client.get(url)  # warm-up: templates compiled, as in a running server
            seconds, response = timed(lambda url=url: client.get(url), 5)
            assert response.status_code == 200, (url, response.status_code)
            print(f"  {label:<26} {seconds * 1000:7.0f} ms  ({len(response.data) // 1024} KiB)")
        with app.app_context():
            db.engine.dispose()


def main() -> None:
    print(f"Evaluationskalender (reine Domäne), Stichtag {TODAY:%d.%m.%Y}, Strategie beschlossen {ADOPTED.german()}")
    for n in (60, 300, 1000, 5000):
        s = generated_strategy(n, seed=n)
        seconds, entries = timed(lambda s=s: calendar(s, TODAY), 5)
        overdue = sum(d.overdue for d in entries)
        done = sum(d.done for d in entries)
        print(
            f"  {n:>5} Maßnahmen: {seconds * 1000:7.1f} ms  [{len(entries)} Evaluationen, {overdue} überfällig,"
            f" {done} erledigt]"
        )
    many = [generated_strategy(60, seed=i) for i in range(200)]
    seconds, _ = timed(lambda: [calendar(s, TODAY) for s in many], 3)
    print(f"  200 Strategien × 60 Maßnahmen: {seconds * 1000:.0f} ms")
    big = generated_strategy(5000, seed=5000)
    seconds, report = timed(lambda: json.dumps(calendar_report(big, TODAY)), 5)
    print(f"  planner evaluations --json, 5000 Maßnahmen: {seconds * 1000:.0f} ms ({len(report) // 1024} KiB JSON)")
    print("Web (SQLite, Flask-Testclient, Median aus 5)")
    _web(1000)


if __name__ == "__main__":
    main()
