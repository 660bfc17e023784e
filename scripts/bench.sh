#!/usr/bin/env bash
# Benchmarks, on demand only (never in CI's pass/fail path). Prints figures for BENCHMARKS.md.
# Needs: hyperfine, wrk (Debian packages; installed when missing). Only loopback is targeted.
set -euo pipefail
cd "$(dirname "$0")/.."
for p in hyperfine wrk; do command -v "$p" >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null; }; done
swift build -c release --product ceptoar >/dev/null
BIN="$(swift build -c release --show-bin-path)/ceptoar"
WORK=$(mktemp -d /tmp/ceptoar-bench.XXXXXX)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m); $(swift --version 2>/dev/null | head -1)"

echo; echo "## seed: the 2009 map plus the demo nation (5,692 organisations, 12 users at bcrypt cost 12) into a new SQLite file"
hyperfine --warmup 1 --runs 10 --prepare "rm -f $WORK/seed.sqlite*" \
  "CEPTOAR_BCRYPT_COST=12 LOG_LEVEL=error $BIN seed --demo --database $WORK/seed.sqlite"

echo; echo "## map: ceptoar map --format csv (process start, open, query, render)"
hyperfine --warmup 2 --runs 20 "LOG_LEVEL=error $BIN map --format csv --database $WORK/seed.sqlite --output /dev/null"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
LOG_LEVEL=error "$BIN" serve --database "$WORK/seed.sqlite" --hostname 127.0.0.1 --port "$PORT" >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/ready" >/dev/null && break; sleep 0.1; done
for path in "/api/v1/map?as_of=2009-03-31" "/map?as_of=2009-03-31" "/health"; do
  echo; echo "## wrk -t2 -c256 -d15s http://127.0.0.1:$PORT$path"
  wrk -t2 -c256 -d15s --latency "http://127.0.0.1:$PORT$path" | grep -E "Requests/sec|Non-2xx|Socket errors|99%|50%|requests in"
done

echo; echo "## inbox: GET /api/v1/inbox?per=20 after 21 all-sector advisories (auto-forwarded to every member)"
NISC=$(LOG_LEVEL=error "$BIN" token create --email nisc@demo.ceptoar.example --database "$WORK/seed.sqlite")
BANK=$(LOG_LEVEL=error "$BIN" token create --email bank@demo.ceptoar.example --database "$WORK/seed.sqlite")
TARGETS=$(for s in aviation electricity finance gas government info-comm logistics medical railway water; do printf '{"kind":"sector","key":"%s"},' "$s"; done)
for n in $(seq 21); do
  curl -fs -o /dev/null -X POST "http://127.0.0.1:$PORT/api/v1/advisories" -H "Authorization: Bearer $NISC" -H 'Content-Type: application/json' \
    -d "{\"title\":{\"ja\":\"ベンチマーク $n\"},\"body\":{\"ja\":\"全分野への注意喚起\"},\"severity\":\"critical\",\"category\":\"threat\",\"tlp\":\"AMBER\",\"targets\":[${TARGETS%,}]}"
done
python3 scripts/bench/add-inbox-users.py "$WORK/seed.sqlite" 1000 "$WORK/tokens"
sleep 2  # let the outbox drain
echo; echo "### one reader (the demo bank member), 256 connections"
wrk -t2 -c256 -d15s --latency -H "Authorization: Bearer $BANK" "http://127.0.0.1:$PORT/api/v1/inbox?per=20" | grep -E "Requests/sec|Non-2xx|Socket errors|99%|50%|requests in"
echo; echo "### 1,000 readers in 1,000 organisations, a random one per request, 256 connections"
TOKENS="$WORK/tokens" wrk -t2 -c256 -d15s --latency -s scripts/bench/random-token.lua "http://127.0.0.1:$PORT/api/v1/inbox?per=20" | grep -E "Requests/sec|Non-2xx|Socket errors|99%|50%|requests in"
echo; echo "### the same 1,000 readers with the read cache off (CEPTOAR_READ_CACHE_MS=0)"
kill $SERVER; wait $SERVER 2>/dev/null || true
CEPTOAR_READ_CACHE_MS=0 LOG_LEVEL=error "$BIN" serve --database "$WORK/seed.sqlite" --hostname 127.0.0.1 --port "$PORT" >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/ready" >/dev/null && break; sleep 0.1; done
TOKENS="$WORK/tokens" wrk -t2 -c256 -d15s --latency -s scripts/bench/random-token.lua "http://127.0.0.1:$PORT/api/v1/inbox?per=20" | grep -E "Requests/sec|Non-2xx|Socket errors|99%|50%|requests in"
kill $SERVER; wait $SERVER 2>/dev/null || true

echo; echo "## relay: NISC publishes an all-sector AMBER critical advisory, auto-forwarded to 5,692 members (3 users each)"
rm -f "$WORK/relay.sqlite"*
LOG_LEVEL=error "$BIN" bench-relay --database "$WORK/relay.sqlite" --runs 21 | tail -1

echo; echo "## mail: 5,692 messages to a loopback SMTP server (aiosmtpd, Python), by number of connections"
[ -x .venv-e2e/bin/python ] && .venv-e2e/bin/python -c 'import aiosmtpd' 2>/dev/null || { python3 -m venv .venv-e2e; .venv-e2e/bin/pip install -q -r tests/e2e/requirements.txt; }
SMTP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
.venv-e2e/bin/python scripts/bench/smtp-sink.py "$SMTP_PORT" >/dev/null 2>&1 &
SINK=$!
sleep 1
for c in 1 4 16 64; do
  LOG_LEVEL=error "$BIN" mail-test --smtp "127.0.0.1:$SMTP_PORT" --from nisc@nisc.example.jp --to poc@member.example.jp \
    --copies 5692 --connections "$c" --subject "【緊急】全国一斉注意喚起" --body "重要インフラ事業者各位"
done
kill $SINK

echo; echo "## national alert end to end: NISC alerts the primary contact of every organisation by mail; POST until the loopback SMTP server has accepted every message"
rm -f "$WORK/national.sqlite"*
LOG_LEVEL=error "$BIN" seed --demo --database "$WORK/national.sqlite" >/dev/null
.venv-e2e/bin/python scripts/bench/national-alert.py "$BIN" "$WORK/national.sqlite" 1 8 32 64 32 32

echo; echo "## TAXII: 10,000 STIX objects, the same Python client against Ceptoar (SQLite) and medallion (memory backend); a federation pull"
[ -x .venv-e2e/bin/medallion ] || .venv-e2e/bin/pip install -q -r tests/e2e/requirements.txt
.venv-e2e/bin/python scripts/bench/taxii.py "$BIN" "$WORK/taxii"

echo; echo "## incident reports: 100,000 over five years, SQLite and PostgreSQL (scripts/bench/reports.sh)"
scripts/bench/reports.sh "$BIN" 100000

echo; echo "## the coordinator: home pages and the year's activity, SQLite and PostgreSQL (scripts/bench/coordinator.sh)"
scripts/bench/coordinator.sh "$BIN"
