#!/usr/bin/env bash
# The coordinator's benchmark (part of `make bench`, or alone), on SQLite and on PostgreSQL:
# `serve --demo` on a new database with its generated past year (timed: start-up to /ready);
# the home page of a CEPTOAR secretariat and of NISC, each signed in, under wrk (256
# connections); /health in the same run as the reference; and `ceptoar map --activity` for
# the whole nation (hyperfine).
# Usage: scripts/bench/coordinator.sh BIN   (BACKENDS="sqlite" or "postgresql" runs one only)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$1
WORK=$(mktemp -d /tmp/ceptoar-coordinator-bench.XXXXXX)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  [ -n "${PGDIR:-}" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -w stop -m fast >/dev/null 2>&1 || true
  rm -rf "$WORK" "${PGDIR:-}"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
TODAY=$(date +%F)
FY=$(python3 -c 'import datetime; t=datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=9))); print(t.year if t.month >= 4 else t.year - 1)')
cookie() {  # $1 = base URL, $2 = e-mail: signs in and prints the session cookie
  python3 - "$1" "$2" <<'PY'
import re, sys, urllib.request, urllib.parse, http.cookiejar
base, email = sys.argv[1], sys.argv[2]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = opener.open(base + "/login").read().decode()
csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
data = urllib.parse.urlencode({"email": email, "password": "ceptoar-demo-2009", "_csrf": csrf}).encode()
opener.open(base + "/login", data)
print("; ".join(f"{c.name}={c.value}" for c in jar))
PY
}

run_backend() {  # $1 = name, $2 = database argument for the CLI ("--database FILE" or empty), env DATABASE_URL for PostgreSQL
  local name=$1 dbarg=$2
  local port; port=$(free_port)
  echo; echo "### $name: serve --demo (the 2009 map, the demo nation and its generated past year) until /ready"
  local started; started=$(date +%s.%N)
  LOG_LEVEL=notice "$BIN" serve --demo $dbarg --hostname 127.0.0.1 --port "$port" >"$WORK/serve-$name.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1200); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.05; done
  python3 -c "import sys; print(f'start-up to /ready: {float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$started" "$(date +%s.%N)"
  grep -o "demo history.*" "$WORK/serve-$name.log" || true
  for who in banks-secretariat nisc; do
    local jar; jar=$(cookie "http://127.0.0.1:$port" "$who@demo.ceptoar.example")
    echo; echo "### $name: the home page as $who (signed in), wrk -t2 -c256 -d15s"
    wrk -t2 -c256 -d15s --latency -H "Cookie: $jar" "http://127.0.0.1:$port/" | grep -E "Requests/sec|Non-2xx|Socket errors|99%|50%|requests in"
    # The page measured is the signed-in one: its work tiles and week counts, with their figures.
    curl -fs -H "Cookie: $jar" "http://127.0.0.1:$port/" | grep -o 'data-count="[^"]*">[0-9,]*' | sed 's/data-count="//; s/">/=/' | tr '\n' ' ' | sed 's/^/counts on the page: /'; echo
  done
  echo; echo "### $name: GET /health in the same run (reference), wrk -t2 -c256 -d10s"
  wrk -t2 -c256 -d10s --latency "http://127.0.0.1:$port/health" | grep -E "Requests/sec|Non-2xx|Socket errors|99%|50%"
  echo; echo "### $name: ceptoar map --as-of $TODAY --activity $FY --format md (the nation, process start to exit)"
  hyperfine --warmup 1 --runs 10 -N "$BIN map $dbarg --as-of $TODAY --activity $FY --format md --output $WORK/activity.md" 2>&1 | grep -E "Time|Range"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
}

echo "## the coordinator: home pages and the year's activity on the demo nation with its past year"
BACKENDS=${BACKENDS:-sqlite postgresql}
case " $BACKENDS " in *" sqlite "*) run_backend sqlite "--database $WORK/coordinator.sqlite" ;; esac
case " $BACKENDS " in *" postgresql "*) ;; *) exit 0 ;; esac

PGDIR=$(mktemp -d /tmp/ceptoar-bench-pg.XXXXXX)
chown postgres "$PGDIR"
PGPORT=$(free_port)
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U ceptoar >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w start -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=300" >/dev/null
psql -q -h 127.0.0.1 -p "$PGPORT" -U ceptoar -d postgres -c 'create database ceptoar_bench'
DATABASE_URL="postgres://ceptoar@127.0.0.1:$PGPORT/ceptoar_bench" run_backend postgresql ""
