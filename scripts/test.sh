#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs (Debian packages, a Python
# venv), builds, runs the Swift tests on SQLite and on a throwaway PostgreSQL, then the
# command-line and browser tests against the real binary. Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ARTIFACTS="$ROOT/test-artifacts"
mkdir -p "$ARTIFACTS"
START=$(date +%s)
CURRENT="starting"
step() { CURRENT="$*"; printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - START ))"; }
trap 'printf "\nSUMMARY: FAIL during: %s (%ss; logs in test-artifacts/)\n" "$CURRENT" "$(( $(date +%s) - START ))"' ERR

# 1. Debian packages, installed only when missing (apt-get update is the slow part).
PACKAGES=(postgresql chromium chromium-driver fonts-noto-cjk python3-venv poppler-utils)
MISSING=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || MISSING+=("$p"); done
if [ ${#MISSING[@]} -gt 0 ]; then
  step "installing ${MISSING[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${MISSING[@]}" >/dev/null
fi

# 2. Python tools for the CLI and browser tests, in a venv of their own.
if [ ! -x .venv-e2e/bin/pytest ] || ! .venv-e2e/bin/python -c 'import selenium, aiosmtpd, schemathesis, taxii2client, stix2validator, medallion, jsonschema' 2>/dev/null; then
  step "creating the Python venv"
  python3 -m venv .venv-e2e
  .venv-e2e/bin/pip install -q --upgrade pip
  .venv-e2e/bin/pip install -q -r tests/e2e/requirements.txt
fi

# 3. Build once (debug); the tests and the e2e suite use the same products.
step "building"
swift build --build-tests 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
swift build --build-tests >/dev/null  # fails the script if the build failed

# 4. Swift tests on SQLite.
# At most eight tests at once: on two cores more only adds contention (a clean-clone run
# failed when a hundred tests opened PostgreSQL connections at the same moment), and the suite
# is faster this way.
PARALLEL="--experimental-maximum-parallelization-width 8"
step "Swift tests on SQLite"
swift test --skip-build $PARALLEL 2>&1 | tee "$ARTIFACTS/swift-sqlite.log" | grep -E '✘|error:|Test run' || true
grep -q "Test run with .* passed" "$ARTIFACTS/swift-sqlite.log"
SQLITE_SUMMARY=$(grep -Eo "Test run with [0-9]+ tests" "$ARTIFACTS/swift-sqlite.log" | tail -1)

# 5. A throwaway PostgreSQL on a free port, run as the postgres user (it refuses root).
step "starting a throwaway PostgreSQL"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDIR=$(mktemp -d /tmp/ceptoar-pg.XXXXXX)
chown postgres "$PGDIR"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U ceptoar >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w start \
  -o "-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=600" >/dev/null
stop_pg() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -w stop -m fast >/dev/null 2>&1 || true; rm -rf "$PGDIR"; }
trap stop_pg EXIT
psql -q -h 127.0.0.1 -p "$PORT" -U ceptoar -d postgres -c 'create database ceptoar_test'
PG_URL="postgres://ceptoar@127.0.0.1:$PORT/ceptoar_test"

step "Swift tests on PostgreSQL"
DATABASE_URL="$PG_URL" swift test --skip-build $PARALLEL 2>&1 | tee "$ARTIFACTS/swift-postgres.log" | grep -E '✘|error:|Test run' || true
grep -q "Test run with .* passed" "$ARTIFACTS/swift-postgres.log"
PG_SUMMARY=$(grep -Eo "Test run with [0-9]+ tests" "$ARTIFACTS/swift-postgres.log" | tail -1)

# 6. The real binary: command line and pages in headless Chromium (screenshots kept).
step "CLI and browser tests"
BIN="$(swift build --show-bin-path)/ceptoar"
CEPTOAR_BIN="$BIN" CEPTOAR_PG_URL="$PG_URL" CEPTOAR_ARTIFACTS="$ARTIFACTS" \
  .venv-e2e/bin/pytest -q tests/e2e 2>&1 | tee "$ARTIFACTS/e2e.log"
E2E_SUMMARY=$(tail -1 "$ARTIFACTS/e2e.log")

printf '\nSUMMARY: PASS — Swift on SQLite: %s; Swift on PostgreSQL: %s; e2e: %s; %ss in all\n' \
  "${SQLITE_SUMMARY#Test run with }" "${PG_SUMMARY#Test run with }" "$E2E_SUMMARY" "$(( $(date +%s) - START ))"
