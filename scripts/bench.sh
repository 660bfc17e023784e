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

echo; echo "## seed: the 2009 map plus the demo nation (5,692 organisations, 7 users) into a new SQLite file"
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
