#!/usr/bin/env python3
"""Samples a running `pantry serve` once a second (bench/stream/load.sh).

sampler.py PORT PID SECONDS OUT.json   -- sample, then write OUT.json
sampler.py --report OUT.json           -- print the summary
"""
import base64, http.client, json, re, statistics, sys, time


def metrics(conn):
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    out = {}
    for line in text.splitlines():
        m = re.match(r'^(pantry_[a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$', line)
        if m:
            out.setdefault(m.group(1), []).append((m.group(2) or "", float(m.group(3))))
    return out


def rss_kib(pid):
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def probe(conn, n):
    """Seconds from a PutRecord's answer to the live row being readable."""
    customer = "PROBE%d" % n
    event = {"customer_id": customer, "product_id": "P1", "product_category": "snacks",
             "activity_type": "liked", "activity_weight": 1, "product_health_index": 0.5}
    body = json.dumps({"StreamName": "click_stream", "PartitionKey": customer,
                       "Data": base64.b64encode(json.dumps(event).encode()).decode()})
    conn.request("POST", "/", body, {"Content-Type": "application/x-amz-json-1.1",
                                     "X-Amz-Target": "Kinesis_20131202.PutRecord"})
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        return None  # refused (backpressure)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 10:
        conn.request("GET", "/FeatureGroup/click_stream_live?RecordIdentifierValueAsString=" +
                     customer)
        g = conn.getresponse()
        body = g.read()
        if g.status == 200 and b'"Record"' in body:
            return time.monotonic() - t0
        time.sleep(0.001)
    return 10.0


def sample(port, pid, seconds, out):
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    samples = []
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < float(seconds):
        tick = time.monotonic()
        m = metrics(conn)
        fresh = probe(conn, n)
        n += 1
        samples.append({"t": tick - start, "rss_kib": rss_kib(pid), "fresh_s": fresh,
                        "lag_events": sum(v for _, v in m.get("pantry_stream_lag_events", [])),
                        "lag_seconds": max([v for _, v in m.get("pantry_stream_lag_seconds", [])] or [0]),
                        "consumed": m.get("pantry_stream_records_consumed", []),
                        "emissions": m.get("pantry_stream_window_emissions", []),
                        "accepted": sum(v for _, v in m.get("pantry_events_accepted_total", [])),
                        "rejected": sum(v for _, v in m.get("pantry_events_rejected_total", []))})
        time.sleep(max(0, 1 - (time.monotonic() - tick)))
    json.dump(samples, open(out, "w"))


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else float("nan")


def report(path):
    s = json.load(open(path))
    first, last = s[0], s[-1]
    span = last["t"] - first["t"]

    def by_spec(entries, spec):
        return sum(v for labels, v in entries if spec in labels)

    for spec in ("click_stream_stagger_2m", "click_stream_live_2m"):
        consumed = by_spec(last["consumed"], spec) - by_spec(first["consumed"], spec)
        emitted = by_spec(last["emissions"], spec) - by_spec(first["emissions"], spec)
        print("%s: %.0f events/s consumed, %d rows emitted during the run" %
              (spec, consumed / span, emitted))
    print("events accepted: %.0f/s, refused (backpressure etc.): %.0f/s" %
          ((last["accepted"] - first["accepted"]) / span,
           (last["rejected"] - first["rejected"]) / span))
    lag_e = [x["lag_events"] for x in s]
    lag_s = [x["lag_seconds"] for x in s]
    print("lag events p50 %.0f p99 %.0f max %.0f; lag seconds p50 %.2f p99 %.2f max %.2f" %
          (pct(lag_e, 50), pct(lag_e, 99), max(lag_e), pct(lag_s, 50), pct(lag_s, 99), max(lag_s)))
    fresh = [x["fresh_s"] * 1000 for x in s if x["fresh_s"] is not None]
    print("event -> live feature freshness: p50 %.1f ms p99 %.1f ms over %d probes (%d refused)" %
          (pct(fresh, 50), pct(fresh, 99), len(fresh), len(s) - len(fresh)))
    print("RSS start %.0f MiB, end %.0f MiB, max %.0f MiB" %
          (first["rss_kib"] / 1024, last["rss_kib"] / 1024, max(x["rss_kib"] for x in s) / 1024))
    # The sliding window holds the last 2 minutes of events, so memory may
    # grow for that long; after it, a flat run keeps RSS level.
    warm = [x for x in s if x["t"] >= 150]
    if len(warm) > 1:
        print("RSS after the 2-minute window filled (t=%.0f s) %.0f MiB, end %.0f MiB (%+.1f%%)" %
              (warm[0]["t"], warm[0]["rss_kib"] / 1024, warm[-1]["rss_kib"] / 1024,
               100.0 * (warm[-1]["rss_kib"] - warm[0]["rss_kib"]) / warm[0]["rss_kib"]))
    print("RSS every 30 s (MiB): " + " ".join("%.0f" % (x["rss_kib"] / 1024)
                                             for x in s if int(x["t"]) % 30 == 0))


if __name__ == "__main__":
    if sys.argv[1] == "--report":
        report(sys.argv[2])
    else:
        sample(*sys.argv[1:5])
