#!/usr/bin/env python3
"""kill -9 trials for `pantry serve` (issue 13): SIGKILL at random moments
under Kinesis PutRecord/PutRecords and feature-store PutRecord load, restart,
and check that nothing acknowledged was lost or counted twice.

Every trial runs on the same home with its own customers and record ids:
  - Kinesis load: events of weight 1 for customers T<k>-C<i>, one request at
    a time per thread (PutRecords of 1..40 records, or PutRecord). A record
    with a sequence number is acknowledged; one with an ErrorCode is not
    appended; the records of a request the kill cut off are "in doubt" (they
    may or may not have been appended).
  - Feature-store load: PutRecord of kill_records/T<k>-R<n> = n.
After the restart, once the processors have caught up:
  - the live sliding row of each customer (click_stream_live, the 2-minute
    sum of weights) must lie in [acknowledged, acknowledged + in doubt]:
    below = an acknowledged event lost, above = an event counted twice;
  - every acknowledged record must be readable with its value.
At the end (unless --no-stagger) the script waits for the 2-minute stagger
windows of every trial to close and checks each customer's click_stream row
(sum_activity_weight_last_2m) the same way.

Usage: kill_trials.py [--pantry build/release/bin/pantry] [--trials 20]
       [--seed 1] [--no-stagger] [--keep]
Exit status 0 when every check passed.
"""
import argparse, base64, http.client, json, os, random, re, shutil, signal, subprocess, sys
import tempfile, threading, time

CUSTOMERS_PER_TRIAL = 40
GROUP = "kill_records"


def request(port, method, path, body=None, headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body, headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def amz(port, target, payload):
    return request(port, "POST", "/", json.dumps(payload),
                   {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target})


class Server:
    def __init__(self, binary, home, log):
        self.proc = subprocess.Popen(
            [binary, "--home", home, "serve", "--port", "0", "--no-access-log"],
            stdout=subprocess.PIPE, stderr=log, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r":(\d+)", line or "")
        if not m:
            raise RuntimeError("pantry serve did not start: %r" % line)
        self.port = int(m.group(1))
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


class Ledger:
    """What the clients were told, per customer and per record."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {}     # customer -> acknowledged events
        self.doubt = {}     # customer -> events of requests cut off by the kill
        self.records = {}   # record id -> value, acknowledged
        self.refused = 0    # records answered with an ErrorCode (not appended)

    def add(self, table, customer, n=1):
        with self.lock:
            table[customer] = table.get(customer, 0) + n


def event(customer, rng):
    return {"customer_id": customer, "product_id": "P%d" % rng.randint(1, 500),
            "product_category": "snacks", "activity_type": "liked", "activity_weight": 1,
            "product_health_index": 0.5}


def kinesis_load(port, trial, ledger, stop, seed):
    rng = random.Random(seed)
    while not stop.is_set():
        n = rng.choice([1, 1, 5, 20, 40])
        customers = ["T%d-C%d" % (trial, rng.randrange(CUSTOMERS_PER_TRIAL)) for _ in range(n)]
        recs = [{"Data": base64.b64encode(json.dumps(event(c, rng)).encode()).decode(),
                 "PartitionKey": c} for c in customers]
        try:
            if n == 1:
                status, body = amz(port, "Kinesis_20131202.PutRecord",
                                   dict(recs[0], StreamName="click_stream"))
                results = [json.loads(body)] if status == 200 else [{"ErrorCode": status}]
            else:
                status, body = amz(port, "Kinesis_20131202.PutRecords",
                                   {"StreamName": "click_stream", "Records": recs})
                results = json.loads(body)["Records"] if status == 200 else \
                    [{"ErrorCode": status}] * n
        except (OSError, http.client.HTTPException, ValueError):
            for c in customers:
                ledger.add(ledger.doubt, c)
            return
        for c, r in zip(customers, results):
            if "SequenceNumber" in r:
                ledger.add(ledger.acked, c)
            else:
                with ledger.lock:
                    ledger.refused += 1


def record_load(port, trial, ledger, stop):
    n = 0
    while not stop.is_set():
        n += 1
        rid = "T%d-R%d" % (trial, n)
        body = {"Record": [{"FeatureName": "id", "ValueAsString": rid},
                           {"FeatureName": "event_time", "ValueAsString": str(1.7e9 + n)},
                           {"FeatureName": "n", "ValueAsString": str(n)}]}
        try:
            status, _ = request(port, "PUT", "/FeatureGroup/" + GROUP, json.dumps(body),
                                {"Content-Type": "application/json"})
        except (OSError, http.client.HTTPException):
            return
        if status == 200:
            with ledger.lock:
                ledger.records[rid] = n


def wait_caught_up(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = request(port, "GET", "/metrics")
        lags = re.findall(rb"^pantry_stream_lag_events\{[^}]*\} (\S+)$", body, re.M)
        if status == 200 and lags and all(float(v) == 0 for v in lags):
            return True
        time.sleep(0.1)
    return False


def feature(port, group, rid, name):
    status, body = request(port, "GET", "/FeatureGroup/%s?RecordIdentifierValueAsString=%s"
                           % (group, rid))
    if status != 200:
        return None
    for f in json.loads(body).get("Record", []):
        if f["FeatureName"] == name:
            return f["ValueAsString"]
    return None


def check_counts(port, group, feature_name, customers, ledger):
    """(lost, doubled, checked): customers outside [acked, acked + in doubt]."""
    lost = doubled = checked = 0
    for c in customers:
        acked, doubt = ledger.acked.get(c, 0), ledger.doubt.get(c, 0)
        if acked + doubt == 0:
            continue
        value = feature(port, group, c, feature_name)
        seen = 0 if value is None else round(float(value))
        checked += 1
        if seen < acked:
            lost += 1
            print("  LOST %s %s: %d < %d acknowledged" % (group, c, seen, acked))
        elif seen > acked + doubt:
            doubled += 1
            print("  DOUBLE %s %s: %d > %d acknowledged + %d in doubt"
                  % (group, c, seen, acked, doubt))
    return lost, doubled, checked


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pantry", default="build/release/bin/pantry")
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-stagger", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the home directory")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="pantry_kill_")
    home = os.path.join(work, "home")
    log = open(os.path.join(work, "serve.log"), "w")
    ledgers = []
    failures = 0
    totals = {"events_acked": 0, "events_in_doubt": 0, "records_acked": 0, "refused": 0}
    server = Server(args.pantry, home, log)
    status, body = amz(server.port, "SageMaker.CreateFeatureGroup", {
        "FeatureGroupName": GROUP, "RecordIdentifierFeatureName": "id",
        "EventTimeFeatureName": "event_time",
        "FeatureDefinitions": [{"FeatureName": "id", "FeatureType": "String"},
                               {"FeatureName": "event_time", "FeatureType": "Fractional"},
                               {"FeatureName": "n", "FeatureType": "Integral"}],
        "OnlineStoreConfig": {"EnableOnlineStore": True}, "OfflineStoreConfig": {}})
    if status != 200:
        sys.exit("CreateFeatureGroup: %d %s" % (status, body))
    last_load_end = time.monotonic()
    for trial in range(args.trials):
        ledger = Ledger()
        stop = threading.Event()
        threads = [threading.Thread(target=kinesis_load,
                                    args=(server.port, trial, ledger, stop, rng.random()))
                   for _ in range(3)]
        threads.append(threading.Thread(target=record_load,
                                        args=(server.port, trial, ledger, stop)))
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.3, 3.0))
        server.kill9()
        stop.set()
        for t in threads:
            t.join()
        last_load_end = time.monotonic()
        server = Server(args.pantry, home, log)
        if not wait_caught_up(server.port):
            print("trial %d: processors did not catch up" % trial)
            failures += 1
        customers = ["T%d-C%d" % (trial, i) for i in range(CUSTOMERS_PER_TRIAL)]
        lost, doubled, checked = check_counts(server.port, "click_stream_live",
                                              "sum_activity_weight_last_2m", customers, ledger)
        missing = sum(1 for rid, n in ledger.records.items()
                      if feature(server.port, GROUP, rid, "n") != str(n))
        acked = sum(ledger.acked.values())
        doubt = sum(ledger.doubt.values())
        print("trial %2d: %5d events acknowledged, %3d in doubt, %4d refused, %4d records "
              "acknowledged; live rows: %d lost, %d doubled (%d customers); records missing: %d"
              % (trial, acked, doubt, ledger.refused, len(ledger.records), lost, doubled,
                 checked, missing), flush=True)
        failures += lost + doubled + missing
        totals["events_acked"] += acked
        totals["events_in_doubt"] += doubt
        totals["records_acked"] += len(ledger.records)
        totals["refused"] += ledger.refused
        ledgers.append((customers, ledger))
    if not args.no_stagger:
        # Stagger windows close 2 minutes after their first event (arrival time).
        wait = 125 - (time.monotonic() - last_load_end)
        print("waiting %.0f s for the stagger windows to close" % max(0, wait), flush=True)
        time.sleep(max(0, wait))
        wait_caught_up(server.port)
        time.sleep(1)
        lost = doubled = checked = 0
        for customers, ledger in ledgers:
            l, d, c = check_counts(server.port, "click_stream", "sum_activity_weight_last_2m",
                                   customers, ledger)
            lost, doubled, checked = lost + l, doubled + d, checked + c
        print("stagger rows: %d lost, %d doubled (%d customers)" % (lost, doubled, checked))
        failures += lost + doubled
    rc = server.stop()
    print("total: %d trials, %d events acknowledged, %d in doubt, %d refused, %d records "
          "acknowledged; %s; clean shutdown exit %d"
          % (args.trials, totals["events_acked"], totals["events_in_doubt"], totals["refused"],
             totals["records_acked"], "FAILED (%d)" % failures if failures else "0 lost, "
             "0 double counted", rc))
    log.close()
    if args.keep:
        print("home kept in", work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures or rc != 0 else 0)


if __name__ == "__main__":
    main()
