#!/usr/bin/env bash
# Sustained-load benchmark of the stream pipeline inside `pantry serve`
# (issue 17): Kinesis PutRecords of 500 workshop click events per call from
# wrk for DURATION seconds at the maximum rate, while a sampler records every
# second the processors' lag (/metrics), the server's RSS, and the freshness
# of the live features: a probe PutRecord for a new customer, then
# GetRecord(click_stream_live) until that customer's row appears.
# Prints processor throughput, lag p50/p99/max, freshness p50/p99, stagger
# rows emitted during the run, RSS at start and end, and disk growth.
# Usage: bench/stream/load.sh   (env: DURATION=300 CONNS=2 CUSTOMERS=2000;
#        RATE=100000 sends at that fixed rate with bench/stream/fixed_rate.py
#        on 4 connections instead of wrk's maximum rate)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${PANTRY_BIN:-build/release/bin/pantry}
DURATION=${DURATION:-300}
CONNS=${CONNS:-2}
CUSTOMERS=${CUSTOMERS:-2000}
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" --home "$WORK/home" serve --port 0 --no-access-log ${SERVE_FLAGS:-} \
  > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 100); do grep -q "serving on" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/serve.out" | head -1)
[[ -n "$PORT" ]] || { cat "$WORK/serve.err"; exit 1; }

python3 - "$WORK/put_records.json" "$CUSTOMERS" <<'PY'
import base64, json, random, sys
random.seed(3)
records = []
for i in range(500):
    event = {"customer_id": "C%d" % random.randint(1, int(sys.argv[2])),
             "product_id": "P%d" % random.randint(1, 3000), "product_category": "snacks",
             "activity_type": "liked", "activity_weight": 1,
             "product_health_index": round(random.random(), 2)}
    records.append({"Data": base64.b64encode(json.dumps(event).encode()).decode(),
                    "PartitionKey": event["customer_id"]})
json.dump({"StreamName": "click_stream", "Records": records}, open(sys.argv[1], "w"))
PY

du -sb "$WORK/home" | cut -f1 > "$WORK/disk_start"
python3 bench/stream/sampler.py "$PORT" "$SERVER_PID" "$DURATION" "$WORK/samples.json" &
SAMPLER_PID=$!
if [[ -n "${RATE:-}" ]]; then
  python3 bench/stream/fixed_rate.py "$PORT" "$WORK/put_records.json" "$RATE" "$DURATION" 4
else
  PUTRECORDS_BODY="$WORK/put_records.json" wrk -t"$CONNS" -c"$CONNS" -d"${DURATION}s" --latency \
    -s bench/server/wrk/put_records.lua "http://127.0.0.1:$PORT" | tee "$WORK/wrk.txt"
fi
wait "$SAMPLER_PID"
echo "disk growth: $(( ($(du -sb "$WORK/home" | cut -f1) - $(cat "$WORK/disk_start")) / 1048576 )) MiB"
python3 bench/stream/sampler.py --report "$WORK/samples.json"
