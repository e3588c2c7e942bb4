#!/usr/bin/env bash
# CSV ingest throughput (issue 14): the generator's 1M-row click file
# (10k customers, 17k products, seed 42) ingested by `pantry ingest` into
#   1. the embedded stores (RocksDB online + SQLite offline), and
#   2. Redis (online) + PostgreSQL (offline), both started here on 127.0.0.1
#      in a temporary directory (PostgreSQL as an unprivileged user, fsync on).
# Prints the rows/s `pantry ingest` reports and /usr/bin/time's CPU and RSS.
# Usage: bench/featurestore/ingest.sh   (env: ROWS=1000000 WORKERS=2 PANTRY_BIN=...)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(realpath "${PANTRY_BIN:-build/release/bin/pantry}")
ROWS=${ROWS:-1000000}
WORKERS=${WORKERS:-2}
WORK=$(mktemp -d)
chmod 755 "$WORK"
REDIS_PID=""
PG_PID=""
PG_USER=pantry-pg
cleanup() {
  [[ -n "$REDIS_PID" ]] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  [[ -n "$PG_PID" ]] && kill "$PG_PID" 2>/dev/null && wait "$PG_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
echo "== load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
"$BIN" -q generate --out "$WORK/data" --customers 10000 --products 17000 --click-rows "$ROWS" \
  --seed 42 >/dev/null
CSV="$WORK/data/click_stream_historical.csv"

ingest() {  # $1: label, then global flags for pantry
  local label=$1 home="$WORK/home-$1"
  shift
  "$BIN" -q --home "$home" "$@" fg create click_stream_historical --record-id customer_id \
    --csv "$CSV" >/dev/null
  echo "== $label: pantry ingest click_stream_historical --workers $WORKERS ($ROWS rows)"
  /usr/bin/time -f "   %e s wall, %U s user, %S s sys, max RSS %M KB" \
    "$BIN" -q --home "$home" "$@" ingest click_stream_historical --csv "$CSV" --workers "$WORKERS"
}

ingest embedded

REDIS_PORT=$((20000 + RANDOM % 20000))
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  > "$WORK/redis.log" 2>&1 &
REDIS_PID=$!
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
id "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
mkdir "$WORK/pg" && chown "$PG_USER" "$WORK/pg"
as_pg() { if [[ $(id -u) == 0 ]]; then setpriv --reuid="$PG_USER" --regid="$PG_USER" --clear-groups "$@"; else "$@"; fi; }
as_pg "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust -E UTF8 >/dev/null
PG_PORT=$((20000 + RANDOM % 20000))
as_pg "$PG_BIN/postgres" -D "$WORK/pg/data" -p "$PG_PORT" -k "$WORK/pg" \
  -c listen_addresses=127.0.0.1 > "$WORK/pg.log" 2>&1 &
PG_PID=$!
for _ in $(seq 100); do
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
  sleep 0.1
done
ingest redis+postgresql --online-store "redis://127.0.0.1:$REDIS_PORT" \
  --offline-store "postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
echo "== load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
