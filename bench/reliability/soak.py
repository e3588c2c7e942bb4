#!/usr/bin/env python3
"""Soak of `pantry serve` (issue 13): mixed traffic for a while at a fraction
of the measured maximum, watching for 5xx, RSS growth and disk use.

1. A home with trained models: `pantry demo --exit` on small sizes (or
   --home of an existing one).
2. `pantry serve` on it; --probe-seconds of the mix at full speed from
   --threads client threads measures the maximum rate (operations/s).
3. --seconds of the same mix paced to --fraction of that maximum.
The mix per cycle: 1 Kinesis PutRecords of 50 click events, 4 GetRecord
(click_stream_live, customers), 1 GET /v1/recommendations. Every response
status is counted; 5xx must be 0. RSS is sampled every 5 s: after the
warm-up (--warmup seconds into the soak) and at the end (growth must stay
under 10%). At the end: event-log and store sizes, /metrics stream figures.

The server runs with bounded memory and disk (--bounds, defaults below): an
event-log retention of --retention-mb-per-shard (the log must stay within
shards x 1.25 x that), small store caches so that they are full well within
the warm-up (the defaults, 128 + 2 x 64 + 64 MiB, fill only after many
minutes at a soak's rate and would read as growth), and click_stream_live
online-only (its offline history is the one store that grows with every
event; the demo's group is deleted and recreated without it).

Usage: soak.py [--pantry build/release/bin/pantry] [--seconds 600]
       [--fraction 0.8] [--threads 4] [--home DIR]
"""
import argparse, base64, collections, http.client, json, os, random, re, shutil, signal
import subprocess, sys, tempfile, threading, time


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def rss_kib(pid, field="VmRSS"):
    """VmRSS, or RssAnon / RssFile (the heap vs mapped files) in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class Client:
    def __init__(self, port, customers, seed):
        self.port = port
        self.customers = customers
        self.rng = random.Random(seed)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method, path, body=None, headers=None):
        for attempt in range(2):
            try:
                self.conn.request(method, path, body, headers or {})
                r = self.conn.getresponse()
                r.read()
                return r.status
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return 0  # connection failure

    def cycle(self, statuses):
        recs = []
        for _ in range(50):
            c = self.rng.choice(self.customers)
            e = {"customer_id": c, "product_id": "P%d" % self.rng.randint(1, 500),
                 "product_category": "snacks", "activity_type": "liked",
                 "activity_weight": 1, "product_health_index": 0.5}
            recs.append({"Data": base64.b64encode(json.dumps(e).encode()).decode(),
                         "PartitionKey": c})
        statuses["put_records"][self.call(
            "POST", "/", json.dumps({"StreamName": "click_stream", "Records": recs}),
            {"Content-Type": "application/x-amz-json-1.1",
             "X-Amz-Target": "Kinesis_20131202.PutRecords"})] += 1
        for _ in range(4):
            c = self.rng.choice(self.customers)
            statuses["get_record"][self.call(
                "GET", "/FeatureGroup/click_stream_live?RecordIdentifierValueAsString=" + c)] += 1
        statuses["recommendations"][self.call(
            "GET", "/v1/recommendations/" + self.rng.choice(self.customers))] += 1
        return 6  # operations


def run_phase(port, customers, threads, seconds, rate_ops, statuses):
    """Runs the mix; rate_ops None = as fast as possible. Returns ops done."""
    done = [0] * threads
    local = [collections.defaultdict(collections.Counter) for _ in range(threads)]
    stop_at = time.monotonic() + seconds

    def worker(i):
        client = Client(port, customers, i * 7919 + int(rate_ops or 0))
        per_thread = (rate_ops / threads) if rate_ops else None
        start = time.monotonic()
        while time.monotonic() < stop_at:
            done[i] += client.cycle(local[i])
            if per_thread:
                ahead = done[i] / per_thread - (time.monotonic() - start)
                if ahead > 0:
                    time.sleep(ahead)

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for mine in local:  # per thread, merged here: Counter updates are not atomic
        for kind, c in mine.items():
            statuses[kind].update(c)
    return sum(done)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pantry", default="build/release/bin/pantry")
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--probe-seconds", type=float, default=20)
    ap.add_argument("--warmup", type=float, default=180)
    ap.add_argument("--fraction", type=float, default=0.8)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--home")
    ap.add_argument("--serve-args", default="", help="extra `pantry serve` flags")
    ap.add_argument("--retention-mb-per-shard", type=int, default=16)
    ap.add_argument("--bounds", default="--online-cache-mb 8 --online-memtable-mb 4 "
                    "--online-record-cache-mb 8 --candidate-cache-mb 8 --offline-cache-mb 8 "
                    "--live-online-only",
                    help="`pantry serve` flags bounding memory (empty: the defaults)")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pantry_soak_")
    home = args.home or os.path.join(work, "home")
    if not args.home:
        subprocess.run([args.pantry, "--home", home, "demo", "--exit", "--customers", "300",
                        "--products", "500", "--click-rows", "20000"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    customers = ["C%d" % i for i in range(1, 301)]
    if "--live-online-only" in args.bounds.split():
        subprocess.run([args.pantry, "--home", home, "fg", "delete", "click_stream_live"],
                       check=True, stdout=subprocess.DEVNULL)
    log = open(os.path.join(work, "serve.log"), "w")
    server = subprocess.Popen(
        [args.pantry, "--home", home, "serve", "--port", "0", "--no-access-log",
         "--stream-retention-mb-per-shard", str(args.retention_mb_per_shard)] +
        args.bounds.split() + args.serve_args.split(), stdout=subprocess.PIPE, stderr=log, text=True)
    port = int(re.search(r":(\d+)", server.stdout.readline()).group(1))
    threading.Thread(target=server.stdout.read, daemon=True).start()
    print("load average at start:", loadavg(), flush=True)
    probe = collections.defaultdict(collections.Counter)
    ops = run_phase(port, customers, args.threads, args.probe_seconds, None, probe)
    max_rate = ops / args.probe_seconds
    target = max_rate * args.fraction
    print("maximum %.0f ops/s over %.0f s (%d threads); soaking at %.0f ops/s for %.0f s"
          % (max_rate, args.probe_seconds, args.threads, target, args.seconds), flush=True)
    disk_start = {"stream": du(os.path.join(home, "stream")),
                  "featurestore": du(os.path.join(home, "featurestore"))}
    statuses = collections.defaultdict(collections.Counter)
    samples = []
    anon = []
    sampling = threading.Event()

    def sampler():
        t0 = time.monotonic()
        while not sampling.wait(5):
            samples.append((time.monotonic() - t0, rss_kib(server.pid)))
            anon.append(rss_kib(server.pid, "RssAnon"))

    st = threading.Thread(target=sampler)
    st.start()
    t0 = time.monotonic()
    ops = run_phase(port, customers, args.threads, args.seconds, target, statuses)
    elapsed = time.monotonic() - t0
    sampling.set()
    st.join()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/metrics")
    metrics = conn.getresponse().read().decode()
    print("load average at end:", loadavg())
    warm = [r for t, r in samples if t >= args.warmup]
    # Means over the first and the last minute after the warm-up (12 samples
    # each), so that one transient sample (a checkpoint, a memtable flush)
    # does not read as growth; the single samples are printed too.
    rss_warm = sum(warm[:12]) / len(warm[:12]) if warm else 0
    rss_end = sum(warm[-12:]) / len(warm[-12:]) if warm else 0
    fivexx = sum(n for c in statuses.values() for s, n in c.items() if s >= 500 or s == 0)
    fivexx_probe = sum(n for c in probe.values() for s, n in c.items() if s >= 500 or s == 0)
    print("soak: %d ops in %.0f s = %.0f ops/s" % (ops, elapsed, ops / elapsed))
    for kind, c in sorted(statuses.items()):
        print("  %-16s %s" % (kind, dict(sorted(c.items()))))
    print("5xx or failed connections: %d during the soak, %d during the probe"
          % (fivexx, fivexx_probe))
    growth = 100.0 * (rss_end - rss_warm) / rss_warm if rss_warm else float("nan")
    print("RSS: %.1f MiB in the minute after the %.0f s warm-up, %.1f MiB in the last minute: "
          "%+.1f%%; single samples %.1f -> %.1f MiB; max %.1f MiB"
          % (rss_warm / 1024, args.warmup, rss_end / 1024, growth,
             warm[0] / 1024 if warm else 0, warm[-1] / 1024 if warm else 0,
             max(r for _, r in samples) / 1024 if samples else 0))
    print("RSS per minute (MiB, total/anonymous): " + ", ".join(
        "%.0f/%.0f" % (samples[i][1] / 1024, anon[i] / 1024)
        for i in range(11, len(samples), 12)))
    for name in ("stream", "featurestore"):
        print("%s dir: %.1f MiB at soak start, %.1f MiB at end"
              % (name, disk_start[name] / 2**20, du(os.path.join(home, name)) / 2**20))
    log_dir = os.path.join(home, "stream", "click_stream")
    shards = [d for d in os.listdir(log_dir) if d.startswith("shard-")]
    log_bound = len(shards) * 1.25 * args.retention_mb_per_shard
    log_end = sum(du(os.path.join(log_dir, d)) for d in shards) / 2**20
    print("click_stream log: %.1f MiB over %d shards; retention bound %.1f MiB: %s"
          % (log_end, len(shards), log_bound, "within" if log_end <= log_bound else "OVER"))
    for line in metrics.splitlines():
        if re.match(r"pantry_stream_(lag_events|window_evictions_total|dead_letters|"
                    r"events_rejected|poll_errors)\{", line):
            print("  " + line)
    for d in ("online", "offline.db", "offline.db-wal"):
        path = os.path.join(home, "featurestore", d)
        size = du(path) if os.path.isdir(path) else (os.path.getsize(path) if os.path.exists(path) else 0)
        print("  featurestore/%s: %.1f MiB" % (d, size / 2**20))
    server.send_signal(signal.SIGTERM)
    rc = server.wait(timeout=120)
    print("shutdown exit status", rc)
    log.close()
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if fivexx == 0 and rc == 0 and growth < 10 and log_end <= log_bound else 1)


if __name__ == "__main__":
    main()
