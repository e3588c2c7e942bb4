#!/usr/bin/env python3
"""Kinesis PutRecords at a fixed rate (bench/stream/load.sh with RATE=...).

fixed_rate.py PORT BODY.json RATE SECONDS [CONNECTIONS]

wrk sends as fast as the server answers; a fixed-rate run needs an open-loop
driver: each connection sends its calls on a fixed schedule (call i at
start + i * interval), so a slow answer delays the next call but not the
schedule, and the rate achieved over the run is what was asked unless the
server cannot keep up (then the calls fall behind; the report says by how
much). Latency is measured from the scheduled send time, so a stall counts
against every call it delays (no coordinated omission).

Records refused per record (ProvisionedThroughputExceededException, the
backpressure) are counted, not retried: the report shows what the server
accepted.
"""
import http.client, json, re, sys, threading, time

from sampler import pct  # the same percentile as the lag and freshness report


def run_connection(port, body, records_per_call, interval, start, seconds, out):
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
    headers = {"Content-Type": "application/x-amz-json-1.1",
               "X-Amz-Target": "Kinesis_20131202.PutRecords"}
    failed_pattern = re.compile(rb'"FailedRecordCount"\s*:\s*(\d+)')
    latencies, calls, refused, errors, behind = [], 0, 0, 0, 0.0
    i = 0
    while True:
        scheduled = start + i * interval
        if scheduled - start >= seconds:
            break
        now = time.monotonic()
        if now < scheduled:
            time.sleep(scheduled - now)
        else:
            behind = max(behind, now - scheduled)
        conn.request("POST", "/", body, headers)
        response = conn.getresponse()
        text = response.read()
        latencies.append(time.monotonic() - scheduled)
        calls += 1
        if response.status != 200:
            errors += 1
        else:
            m = failed_pattern.search(text)
            refused += int(m.group(1)) if m else 0
        i += 1
    out.append({"latencies": latencies, "calls": calls, "refused": refused, "errors": errors,
                "records": calls * records_per_call, "behind": behind})


def main():
    port, body_path, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    connections = int(sys.argv[5]) if len(sys.argv) > 5 else 4
    body = open(body_path, "rb").read()
    records_per_call = len(json.loads(body)["Records"])
    calls_per_second = rate / records_per_call
    interval = connections / calls_per_second
    start = time.monotonic() + 0.1
    results = []
    threads = [threading.Thread(target=run_connection,
                                args=(port, body, records_per_call, interval,
                                      start + k * interval / connections, seconds, results))
               for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    records = sum(r["records"] for r in results)
    refused = sum(r["refused"] for r in results)
    errors = sum(r["errors"] for r in results)
    latencies = [x * 1000 for r in results for x in r["latencies"]]
    print("fixed rate: asked %.0f events/s for %.0f s on %d connections" %
          (rate, seconds, connections))
    print("sent %.0f events/s (%d calls, %d non-200), accepted %.0f events/s, refused %d records" %
          (records / elapsed, sum(r["calls"] for r in results), errors,
           (records - refused) / elapsed, refused))
    print("PutRecords latency from the scheduled send: p50 %.1f ms p99 %.1f ms max %.1f ms; "
          "worst lateness of a send %.2f s" %
          (pct(latencies, 50), pct(latencies, 99), max(latencies),
           max(r["behind"] for r in results)))


if __name__ == "__main__":
    main()
