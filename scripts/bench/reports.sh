#!/usr/bin/env bash
# Incident-report benchmark (part of `make bench`, or alone): 100,000 reports over five years in
# the demo nation, on SQLite and on PostgreSQL. Per backend: `ceptoar bench-reports` builds
# the nation and times filing, correlation and the nation's statistics in-process; then, with
# the server running, the statistics page as NISC signs in and opens it, report intake under
# wrk (256 connections, 1,000 distinct reporters), and /health in the same run as the reference.
# Usage: scripts/bench/reports.sh BIN [REPORTS]   (BACKENDS="sqlite" or "postgresql" runs one only)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$1
REPORTS=${2:-100000}
WORK=$(mktemp -d /tmp/ceptoar-reports-bench.XXXXXX)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  [ -n "${PGDIR:-}" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -w stop -m fast >/dev/null 2>&1 || true
  rm -rf "$WORK" "${PGDIR:-}"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
FY=$(python3 -c 'import datetime; t=datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=9))); print((t.year if t.month >= 4 else t.year - 1) - 1)')

run_backend() {  # $1 = name, $2 = database argument for the CLI ("--database FILE" or empty), env DATABASE_URL for PostgreSQL
  local name=$1 dbarg=$2
  echo; echo "### $name: ceptoar bench-reports --reports $REPORTS --years 5 --reporters 1000 --runs 21"
  LOG_LEVEL=error "$BIN" bench-reports $dbarg --reports "$REPORTS" --years 5 --reporters 1000 --runs 21 --tokens "$WORK/tokens-$name"
  local port; port=$(free_port)
  LOG_LEVEL=error "$BIN" serve $dbarg --hostname 127.0.0.1 --port "$port" >"$WORK/serve-$name.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.1; done
  echo; echo "### $name: the statistics page for the nation, fiscal year $FY, as NISC (signed in), 21 requests one after another"
  python3 scripts/bench/page-timing.py "http://127.0.0.1:$port" nisc@demo.ceptoar.example ceptoar-demo-2009 "/report-statistics?scope=nation&period=$FY" 21
  echo; echo "### $name: report intake, wrk -t2 -c256 -d15s, a random reporter of 1,000 per request"
  TOKENS="$WORK/tokens-$name" wrk -t2 -c256 -d15s --latency -s scripts/bench/report-poster.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|Non-2xx|Socket errors|99%|50%|requests in"
  echo; echo "### $name: GET /health in the same run (reference), wrk -t2 -c256 -d10s"
  wrk -t2 -c256 -d10s --latency "http://127.0.0.1:$port/health" | grep -E "Requests/sec|Non-2xx|Socket errors|99%|50%"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
}

echo "## incident reports: $REPORTS reports over five years in the demo nation"
BACKENDS=${BACKENDS:-sqlite postgresql}
case " $BACKENDS " in *" sqlite "*) run_backend sqlite "--database $WORK/reports.sqlite" ;; esac
case " $BACKENDS " in *" postgresql "*) ;; *) exit 0 ;; esac

PGDIR=$(mktemp -d /tmp/ceptoar-bench-pg.XXXXXX)
chown postgres "$PGDIR"
PGPORT=$(free_port)
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U ceptoar >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w start -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=300" >/dev/null
psql -q -h 127.0.0.1 -p "$PGPORT" -U ceptoar -d postgres -c 'create database ceptoar_bench'
DATABASE_URL="postgres://ceptoar@127.0.0.1:$PGPORT/ceptoar_bench" run_backend postgresql ""
