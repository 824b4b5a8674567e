#!/usr/bin/env bash
# The whole suite in stages by purpose (README, "Development"), each on both cores (pytest-xdist):
#   pure      domain, formats, charts, command line: once, no database
#   sqlite    tests marked `db` on a SQLite file per test
#   postgres  tests marked `db` on PostgreSQL (TEST_DATABASE_URL, or a throwaway server started here)
#   browser   user journeys in the system Chromium, on PostgreSQL as in production
# Each stage prints its wall time, the number of tests and its 15 slowest tests.
# STAGES="pure sqlite" runs only those; PYTEST_ARGS are passed to every stage.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
STAGES=${STAGES:-pure sqlite postgres browser}
WORKERS=${WORKERS:-2}
declare -A SELECT=([pure]="not db and not browser" [sqlite]="db" [postgres]="db" [browser]="browser")
SUMMARY=()

postgres_up() {
  # a throwaway PostgreSQL on 127.0.0.1:55432 unless TEST_DATABASE_URL names one (ci-recipe.md)
  [ -n "${TEST_DATABASE_URL:-}" ] && return 0
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$pgbin" ]; then
    if [ -n "${CI:-}" ]; then echo "PostgreSQL fehlt (apt-get install postgresql)" >&2; exit 1; fi
    echo "== PostgreSQL ist nicht installiert: die Stufen postgres und browser laufen auf SQLite" >&2
    return 0
  fi
  as_pg=()
  PGTMP=$(mktemp -d)
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGTMP"; as_pg=(runuser -u postgres --); fi
  "${as_pg[@]}" "$pgbin/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/pg.log" -w \
    -o "-p ${PGPORT:-55432} -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  trap '"${as_pg[@]}" "$pgbin/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null; rm -rf "$PGTMP"' EXIT
  psql -q -h 127.0.0.1 -p "${PGPORT:-55432}" -U postgres -c "CREATE DATABASE planner_test;" -c "CREATE DATABASE planner_migrate;"
  export TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:${PGPORT:-55432}/planner_test
  export TEST_MIGRATION_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:${PGPORT:-55432}/planner_migrate
}

run_stage() {
  local stage=$1 start status=0 log
  log=$(mktemp)
  echo "== stage $stage: -m \"${SELECT[$stage]}\""
  start=$(date +%s)
  local env_args=()
  case $stage in
    pure|sqlite) env_args=(-u TEST_DATABASE_URL -u TEST_MIGRATION_DATABASE_URL) ;;
    postgres|browser) postgres_up ;;
  esac
  env "${env_args[@]}" "$BIN/pytest" -m "${SELECT[$stage]}" -n "$WORKERS" --dist loadfile -p no:cacheprovider \
    -q --durations=15 ${PYTEST_ARGS:-} 2>&1 | tee "$log" || status=$?
  [ "$status" = 5 ] && status=0  # no test of this stage among the ones asked for (PYTEST_ARGS)
  local seconds=$(($(date +%s) - start))
  local result
  result=$(grep -E "^(=+ )?[0-9]+ (passed|failed)|(passed|failed|error|selected|no tests ran).* in [0-9.]+s" "$log" | tail -1 | sed 's/=//g; s/^ *//') || true
  SUMMARY+=("$(printf '%-9s %4d s  %s' "$stage" "$seconds" "$result")")
  rm -f "$log"
  if [ "$status" != 0 ]; then
    printf '%s\n' "== stages" "${SUMMARY[@]}"
    exit "$status"
  fi
}

for stage in $STAGES; do run_stage "$stage"; done
printf '%s\n' "== stages (wall time, tests)" "${SUMMARY[@]}"
