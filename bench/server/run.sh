#!/usr/bin/env bash
# HTTP load benchmarks for `pantry serve` (see docs/server.md), one run:
#   1. GetRecord over HTTP (wrk) next to redis-benchmark GET, same machine:
#      first as pantry runs by default (an event loop per core, wrk with two
#      threads), then like for like with Redis: one event loop
#      (--io-threads 1) driven by one client thread (wrk -t1), as
#      redis-server's one thread is driven by redis-benchmark's one;
#   2. BatchGetRecord of 100 ids per call, by default and with one event
#      loop;
#   3. GET /v1/recommendations at 17k products, 200 candidates (a demo home),
#      by default (with the candidate cache's hits and misses), on one
#      thread (--io-threads 1 --compute-threads 0), and without the
#      candidate cache;
#   4. Kinesis PutRecords events/s into the event log (fsync per call for
#      the file log). The server runs without the backlog bound (issue 17's
#      backpressure) so that this measures what the HTTP layer and the log
#      take; with the bound the stream processor's rate limits it instead
#      (bench/stream/load.sh measures that). The figure that counts is
#      "accepted events/s", from the server's own counter.
# BACKEND=redis runs pantry on the run's redis-server instead of the embedded
# stores: the online store and the event log (Redis Streams) in Redis db 1
# (redis-benchmark uses db 0).
# Everything listens on 127.0.0.1 only and stops by itself.
# Usage: bench/server/run.sh   (env: KEYS=100000 DURATION=10 CONNS=16 SHARDS=4
#        BACKEND=embedded|redis REC_CONNS=8 WARMUP=5 REC_HOME=<existing demo home>)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${PANTRY_BIN:-build/release/bin/pantry}
KEYS=${KEYS:-100000}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
REC_CONNS=${REC_CONNS:-8}
WARMUP=${WARMUP:-5}
BACKEND=${BACKEND:-embedded}
WORK=$(mktemp -d)
SERVER_PID=""
REDIS_PID=""
stop_server() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
cleanup() {
  stop_server
  [[ -n "$REDIS_PID" ]] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
echo "== load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; backend $BACKEND"

REDIS_PORT=$((20000 + RANDOM % 20000))
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  > "$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
STORE_FLAGS=()
if [[ "$BACKEND" == redis ]]; then
  STORE_FLAGS=(--online-store "redis://127.0.0.1:$REDIS_PORT/1" --event-log "redis://127.0.0.1:$REDIS_PORT/1")
fi

# Starts `pantry serve` on home $1 (extra flags after it); sets SERVER_PID and PORT.
start_server() {
  local home=$1
  shift
  "$BIN" --home "$home" "${STORE_FLAGS[@]}" serve --port 0 --no-access-log "$@" \
    > "$WORK/serve.out" 2> "$WORK/serve.err" &
  SERVER_PID=$!
  for _ in $(seq 300); do grep -q "serving on" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  PORT=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/serve.out" | head -1)
  [[ -n "$PORT" ]] || { cat "$WORK/serve.err"; exit 1; }
}

echo "== data: $KEYS customers"
python3 - "$WORK/customers.csv" "$KEYS" <<'PY'
import sys, random
random.seed(7)
states = ["ohio", "texas", "utah", "iowa", "maine", "idaho", "nevada", "oregon"]
with open(sys.argv[1], "w") as f:
    f.write("customer_id,name,state,age,is_married,customer_health_index\n")
    for i in range(1, int(sys.argv[2]) + 1):
        f.write("C%d,Customer %d,%s,%d,%d,%.2f\n" % (i, i, random.choice(states),
                random.randint(18, 91), random.randint(0, 1), random.random()))
PY
"$BIN" --home "$WORK/home" "${STORE_FLAGS[@]}" --quiet fg create customers --record-id customer_id \
  --csv "$WORK/customers.csv" >/dev/null
"$BIN" --home "$WORK/home" "${STORE_FLAGS[@]}" --quiet ingest customers --csv "$WORK/customers.csv" \
  --event-time-now >/dev/null

echo "== pantry serve"
start_server "$WORK/home" --threads "$((CONNS + 4))" --shards "${SHARDS:-4}"
curl -sf "http://127.0.0.1:$PORT/FeatureGroup/customers?RecordIdentifierValueAsString=C1" >/dev/null

# Steady state, as for Redis (whose data is in memory from the start): a
# warm-up pass, not reported, fills the online store's block cache first.
echo "== warm-up: the same GetRecord load for ${WARMUP}s (not reported)"
KEYS=$KEYS wrk -t2 -c"$CONNS" -d"${WARMUP}s" -s bench/server/wrk/get_record.lua \
  "http://127.0.0.1:$PORT" >/dev/null
echo "== GetRecord over HTTP: wrk -t2 -c$CONNS -d${DURATION}s"
KEYS=$KEYS wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/server/wrk/get_record.lua \
  "http://127.0.0.1:$PORT"

echo "== BatchGetRecord, 100 ids per call: wrk -t2 -c4 -d${DURATION}s"
KEYS=$KEYS IDS=100 wrk -t2 -c4 -d"${DURATION}s" --latency -s bench/server/wrk/batch_get_record.lua \
  "http://127.0.0.1:$PORT"
stop_server

echo "== pantry serve --io-threads 1 (like redis-server: one thread serves the sockets)"
start_server "$WORK/home" --io-threads 1 --threads "$((CONNS + 4))" --shards "${SHARDS:-4}"
KEYS=$KEYS wrk -t1 -c"$CONNS" -d"${WARMUP}s" -s bench/server/wrk/get_record.lua \
  "http://127.0.0.1:$PORT" >/dev/null
echo "== GetRecord over HTTP, one event loop, one client thread: wrk -t1 -c$CONNS -d${DURATION}s"
KEYS=$KEYS wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s bench/server/wrk/get_record.lua \
  "http://127.0.0.1:$PORT"
echo "== BatchGetRecord, 100 ids per call, one event loop: wrk -t2 -c4 -d${DURATION}s"
KEYS=$KEYS IDS=100 wrk -t2 -c4 -d"${DURATION}s" --latency -s bench/server/wrk/batch_get_record.lua \
  "http://127.0.0.1:$PORT"
stop_server

echo "== redis-benchmark GET (-c $CONNS, random keys over $KEYS, 150-byte values)"
redis-benchmark -p "$REDIS_PORT" -t set -n "$KEYS" -r "$KEYS" -d 150 -c "$CONNS" -q >/dev/null
redis-benchmark -p "$REDIS_PORT" -t get -n $((KEYS * 5)) -r "$KEYS" -d 150 -c "$CONNS" -q | tr "\r" "\n" | tail -2
redis-benchmark -p "$REDIS_PORT" -t get -n $((KEYS * 5)) -r "$KEYS" -d 150 -c "$CONNS" | \
  tr "\r" "\n" | grep -E "throughput summary|latency summary" -A 3 | tail -5

echo "== pantry serve (again, default threads) for PutRecords"
start_server "$WORK/home" --threads "$((CONNS + 4))" --shards "${SHARDS:-4}" \
  --max-backlog-events 0 --max-backlog-seconds 0
echo "== Kinesis PutRecords, 500 events per call: wrk -t2 -c4 -d${DURATION}s"
python3 - "$WORK/put_records.json" <<'PY'
import base64, json, random, sys
random.seed(3)
records = []
for i in range(500):
    event = {"event_time": "2026-11-27T03:00:00Z", "customer_id": "C%d" % random.randint(1, 10000),
             "product_id": "P%d" % random.randint(1, 17000), "product_category": "snacks",
             "activity_type": "liked", "activity_weight": 1, "product_health_index": 0.3}
    records.append({"Data": base64.b64encode(json.dumps(event).encode()).decode(),
                    "PartitionKey": event["customer_id"]})
json.dump({"StreamName": "click_stream", "Records": records}, open(sys.argv[1], "w"))
PY
kinesis_counter() {  # $1: accepted | rejected
  curl -s "http://127.0.0.1:$PORT/metrics" |
    awk -v name="pantry_events_$1_total{api=\"kinesis\"}" '$1 == name {print $2}'
}
accepted_before=$(kinesis_counter accepted)
rejected_before=$(kinesis_counter rejected)
PUTRECORDS_BODY="$WORK/put_records.json" wrk -t2 -c4 -d"${DURATION}s" --latency \
  -s bench/server/wrk/put_records.lua "http://127.0.0.1:$PORT"
accepted=$(($(kinesis_counter accepted) - accepted_before))
rejected=$(($(kinesis_counter rejected) - rejected_before))
echo "accepted events/s: $((accepted / DURATION)) ($accepted events in ${DURATION}s; refused: $rejected)"
stop_server

# The events above are unprocessed (no backlog bound); with Redis they would
# be the demo home's backlog too, as its click_stream is the same stream.
[[ "$BACKEND" == redis ]] && redis-cli -p "$REDIS_PORT" -n 1 flushdb >/dev/null

REC_HOME=${REC_HOME:-}
if [[ -z "$REC_HOME" ]]; then
  echo "== demo home for recommendations: 2000 customers, 17000 products, 200k click rows"
  REC_HOME="$WORK/rec-home"
  "$BIN" --home "$REC_HOME" "${STORE_FLAGS[@]}" --quiet demo --exit --products 17000 --customers 2000 \
    --click-rows 200000 >/dev/null 2>"$WORK/demo.err" || { cat "$WORK/demo.err"; exit 1; }
fi
# The candidate cache's hits and misses (recommend/candidate_cache.h): the
# load asks for 2000 shoppers over and over, as browsing shoppers do, so
# after the warm-up nearly every request reuses its shopper's candidates. The
# last run turns the cache off: every request retrieves, as a shopper's
# first request does.
candidate_cache_counters() {
  curl -s "http://127.0.0.1:$PORT/metrics" | awk '
    $1 == "pantry_candidate_cache_hits_total" {h = $2}
    $1 == "pantry_candidate_cache_misses_total" {m = $2}
    END {print h + 0, m + 0}'
}
candidate_cache_delta() {  # $1: "hits misses" before
  read -r hits misses <<< "$(candidate_cache_counters)"
  read -r hits0 misses0 <<< "$1"
  echo "$((hits - hits0)) hits, $((misses - misses0)) misses"
}
start_server "$REC_HOME" --threads 8
echo "== warm-up: the same recommendations load for ${WARMUP}s (not reported)"
wrk -t2 -c"$REC_CONNS" -d"${WARMUP}s" -s bench/recommend/recommendations.lua \
  "http://127.0.0.1:$PORT" >/dev/null
echo "== GET /v1/recommendations (17k products, 200 candidates, k=10): wrk -t2 -c$REC_CONNS -d${DURATION}s"
cache_before=$(candidate_cache_counters)
wrk -t2 -c"$REC_CONNS" -d"${DURATION}s" --latency -s bench/recommend/recommendations.lua \
  "http://127.0.0.1:$PORT"
echo "candidate cache during the run: $(candidate_cache_delta "$cache_before")"
echo "== same, one connection"
wrk -t1 -c1 -d"${DURATION}s" --latency -s bench/recommend/recommendations.lua "http://127.0.0.1:$PORT"
stop_server
# Recommendations are CPU work on the compute workers (one per core); with
# an event loop per core as well, and wrk, 2 cores carry 6 busy threads.
# One thread, like redis-server's: one event loop that also computes
# (--compute-threads 0), so that the server holds one core and wrk the other.
echo "== pantry serve --io-threads 1 --compute-threads 0 on the same home (one thread)"
start_server "$REC_HOME" --threads 8 --io-threads 1 --compute-threads 0
wrk -t2 -c"$REC_CONNS" -d"${WARMUP}s" -s bench/recommend/recommendations.lua \
  "http://127.0.0.1:$PORT" >/dev/null
echo "== GET /v1/recommendations, one thread: wrk -t2 -c$REC_CONNS -d${DURATION}s"
wrk -t2 -c"$REC_CONNS" -d"${DURATION}s" --latency -s bench/recommend/recommendations.lua \
  "http://127.0.0.1:$PORT"
stop_server
echo "== pantry serve --candidate-cache-mb 0 on the same home (every request retrieves)"
start_server "$REC_HOME" --threads 8 --candidate-cache-mb 0
wrk -t2 -c"$REC_CONNS" -d"${WARMUP}s" -s bench/recommend/recommendations.lua \
  "http://127.0.0.1:$PORT" >/dev/null
echo "== GET /v1/recommendations, no candidate cache: wrk -t2 -c$REC_CONNS -d${DURATION}s"
wrk -t2 -c"$REC_CONNS" -d"${DURATION}s" --latency -s bench/recommend/recommendations.lua \
  "http://127.0.0.1:$PORT"
echo "== load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
