"""The strategy reader: what a cold page pays to turn a stored strategy into the domain.

Imports a generated strategy of 60 measures (120 dependencies, one owner each) into a fresh
SQLite database and reads it `--repeat` times, each time in a new session (nothing held from
the last read), the way a page does whose cache has nothing: the strategy row, then
`services.strategies.read_strategy`. Prints the median CPU time (the process's, so that other
load on the machine moves it little) and the number of statements.

Run from the repository root: python -m bench reader [--measures 60] [--repeat 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import sqlalchemy as sa

from bench.roadmap import generated_strategy


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measures", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PLANNER_INSTANCE"] = tmp
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/planner.db"
        from planner import create_app
        from planner.domain.whole_strategy import with_parts
        from planner.extensions import db
        from planner.migrate import upgrade
        from planner.services import strategies as service
        from planner.services.whole_strategy import import_strategy

        upgrade(os.environ["DATABASE_URL"])
        app = create_app()
        with app.app_context():
            big = generated_strategy(args.measures, args.measures * 2)
            strategy_id = import_strategy(db.session, with_parts(big)).id
            db.session.commit()
            statements = []
            sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

            def read():
                statements.clear()
                db.session.close()  # nothing held from the last read
                row = service.load_strategy_row(db.session, strategy_id, core=False)
                return service.read_strategy(db.session, row)

            times = []
            for _ in range(args.repeat):
                t0 = time.process_time()  # CPU time: what a page costs, little moved by other load
                strategy = read()
                times.append(time.process_time() - t0)
            seconds = statistics.median(times)
            assert len(strategy.measures) == args.measures
    print(f"Rechner: {os.cpu_count()} CPUs, Last (1 min) {os.getloadavg()[0]:.1f}")
    print(
        f"  Strategie mit {args.measures} Maßnahmen lesen (Zeile + read_strategy, neue Sitzung, CPU-Zeit): "
        f"{seconds * 1000:.2f} ms, {len(statements)} Anweisungen"
    )


if __name__ == "__main__":
    main()
