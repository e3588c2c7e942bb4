// The operator console: feature groups, record lookup with offline history,
// read-only SQL with CSV download, stream processors, models and server
// metrics charts (from the counters GET /metrics exposes).
"use strict";

(() => {
  const { api, el, num, setStatus, table } = pantry;
  const $ = (id) => document.getElementById(id);
  const METRICS_MS = 2000;
  const HISTORY_POINTS = 150;  // 5 minutes at one sample per 2 s
  const COLORS = ["#1f6f4a", "#2b6cb0", "#b7791f", "#a4262c", "#6b46c1", "#2c7a7b", "#718096"];

  // ---- feature groups -------------------------------------------------------
  let groups = [];

  function ttlOf(g) {
    const t = g.OnlineStoreConfig && g.OnlineStoreConfig.TtlDuration;
    return t ? `${t.Value} ${t.Unit}` : "none";
  }

  async function countRows(g) {
    if (!(g.OfflineStoreConfig && g.OfflineStoreConfig.EnableOfflineStore)) return "online only";
    try {
      const r = await api("/v1/query", { method: "POST",
                                         body: { sql: `SELECT count(*) FROM "${g.FeatureGroupName}"` } });
      return r.rows[0][0];
    } catch (e) {
      return "?";
    }
  }

  async function loadGroups() {
    const status = $("groups-status");
    setStatus(status, "Loading feature groups…", "loading");
    try {
      groups = (await api("/v1/feature-groups")).FeatureGroups;
      const counts = await Promise.all(groups.map(countRows));
      const rows = groups.map((g, i) => [
        el("button", { type: "button", class: "link", onclick: () => showSchema(g) },
           g.FeatureGroupName),
        g.RecordIdentifierFeatureName, g.EventTimeFeatureName, g.FeatureDefinitions.length,
        g.OnlineStoreConfig && g.OnlineStoreConfig.EnableOnlineStore ? "yes" : "no",
        g.OfflineStoreConfig && g.OfflineStoreConfig.EnableOfflineStore ? "yes" : "no",
        ttlOf(g), counts[i]]);
      $("groups").replaceChildren(table(["group", "record id", "event time", "features",
                                          "online", "offline", "TTL", "offline rows"], rows));
      $("record-group").replaceChildren(...groups.map((g) =>
        el("option", { value: g.FeatureGroupName }, g.FeatureGroupName)));
      const customers = groups.find((g) => g.FeatureGroupName === "customers");
      if (customers) $("record-group").value = "customers";
      setStatus(status, groups.length ? "" : "No feature groups yet: load a dataset (pantry demo).");
    } catch (e) {
      setStatus(status, e.message, "error");
    }
  }

  function showSchema(g) {
    $("schema").replaceChildren(el("h3", { text: `${g.FeatureGroupName}: ${g.Description || ""}` }),
      table(["feature", "type"], g.FeatureDefinitions.map((f) => [f.FeatureName, f.FeatureType])));
  }

  // ---- record lookup --------------------------------------------------------
  async function lookUp(e) {
    e.preventDefault();
    const group = $("record-group").value;
    const id = $("record-id").value.trim();
    const status = $("record-status");
    if (!group || !id) return;
    setStatus(status, `Looking up ${id} in ${group}…`, "loading");
    try {
      const r = await api(`/v1/feature-groups/${encodeURIComponent(group)}/records/` +
                          `${encodeURIComponent(id)}?history=20`);
      $("record-online").replaceChildren(r.online
        ? table(["feature", "value"], Object.entries(r.online))
        : el("p", { class: "hint", text: "No online value (online store off, deleted or expired)." }));
      if (r.online && r.expires_at) {
        $("record-online").append(el("p", { class: "hint",
          text: "expires at " + new Date(r.expires_at * 1000).toISOString() }));
      }
      const cols = r.history.length ? Object.keys(r.history[0]) : [];
      $("record-history").replaceChildren(r.history.length
        ? table(cols, r.history.map((row) => cols.map((c) => row[c])))
        : el("p", { class: "hint", text: "No offline rows." }));
      setStatus(status, `${r.history.length} offline rows.`);
    } catch (err) {
      setStatus(status, err.status === 404 ? `Not found: ${err.message}` : err.message, "error");
    }
  }

  // ---- SQL ------------------------------------------------------------------
  let lastResult = null;

  async function runSql(e) {
    e.preventDefault();
    const status = $("sql-status");
    setStatus(status, "Running…", "loading");
    $("sql-run").disabled = true;
    try {
      const r = await api("/v1/query", { method: "POST", body: { sql: $("sql").value } });
      lastResult = r;
      $("sql-result").replaceChildren(table(r.columns, r.rows));
      $("sql-csv").disabled = false;
      setStatus(status, `${r.rows.length} rows${r.truncated ? " (truncated)" : ""} in ` +
                        `${num(r.took_ms, 1)} ms.`);
    } catch (err) {
      setStatus(status, err.message, "error");
    } finally {
      $("sql-run").disabled = false;
    }
  }

  function csvCell(v) {
    if (v === null || v === undefined) return "";
    const s = String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;
  }

  function downloadCsv() {
    if (!lastResult) return;
    const lines = [lastResult.columns, ...lastResult.rows].map((r) => r.map(csvCell).join(","));
    const url = URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" }));
    const a = el("a", { href: url, download: "pantry-query.csv" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // ---- stream processors ------------------------------------------------------
  const lastStream = new Map();  // name -> {t, accepted}

  async function loadStreams() {
    try {
      const r = await api("/v1/streams/processors");
      const now = performance.now();
      const rows = r.processors.map((p) => {
        const prev = lastStream.get(p.name);
        lastStream.set(p.name, { t: now, accepted: p.accepted });
        const eps = prev ? (p.accepted - prev.accepted) / ((now - prev.t) / 1000) : null;
        const rejected = Object.entries(p.rejected).filter(([, n]) => n > 0)
                                .map(([k, n]) => `${k} ${n}`).join(", ") || "none";
        const lagEvents = p.lag.reduce((s, l) => s + l.events, 0);
        const lagSeconds = Math.max(0, ...p.lag.map((l) => l.seconds));
        return [p.name, p.source, p.records, p.accepted, eps === null ? "…" : num(eps, 1),
                p.rows_delivered, p.open_windows, rejected, p.dead_letters,
                `${lagEvents} events / ${num(lagSeconds, 1)} s`];
      });
      $("streams").replaceChildren(table(["spec", "source", "records", "accepted", "events/s",
                                           "rows delivered", "open windows", "rejected", "dead letters", "lag"],
                                          rows));
      setStatus($("streams-status"), rows.length ? "" : "No stream processors are running.");
    } catch (e) {
      setStatus($("streams-status"), e.message, "error");
    }
  }

  // ---- models -----------------------------------------------------------------
  async function loadModels() {
    try {
      const r = await api("/v1/models/training");
      const rows = r.models.map((m) => {
        const x = m.metrics || {};
        const test = x.test ? `AUC ${num(x.test.auc, 3)}, logloss ${num(x.test.logloss, 3)}` : "";
        const rowsTrained = x.train_rows || x.rows || x.evidence_pairs || "";
        return [m.kind, m.version, x.method || x.kind || "",
                m.age_seconds !== undefined ? ago(m.age_seconds) : "", rowsTrained, test];
      });
      $("models").replaceChildren(table(["kind", "version", "method", "trained",
                                          "rows", "held-out"], rows));
      setStatus($("models-status"), r.ready ? "" :
                "Models are not trained yet: run `pantry train` (or `pantry demo`).",
                r.ready ? "" : "error");
      if (r.ready) loadImportance();
    } catch (e) {
      setStatus($("models-status"), e.message, "error");
    }
  }

  function ago(s) {
    if (s < 90) return `${s.toFixed(0)} s ago`;
    if (s < 5400) return `${(s / 60).toFixed(0)} min ago`;
    return `${(s / 3600).toFixed(1)} h ago`;
  }

  async function loadImportance() {
    try {
      const shoppers = (await api("/v1/shoppers/suggested?n=5")).customers;
      const sums = new Map();
      let n = 0;
      for (const c of shoppers) {
        const r = await api(`/v1/recommendations/${encodeURIComponent(c.customer_id)}` +
                            "?k=10&explain=true");
        for (const item of r.items) {
          for (const k of (item.explanation ? item.explanation.contributions : [])) {
            sums.set(k.feature, (sums.get(k.feature) || 0) + Math.abs(k.contribution));
          }
          ++n;
        }
      }
      const top = [...sums.entries()].map(([f, s]) => [f, s / Math.max(1, n)])
                                     .sort((a, b) => b[1] - a[1]).slice(0, 8);
      if (!window.Chart) return;
      new Chart($("importance-chart"), {
        type: "bar",
        data: { labels: top.map((t) => t[0]),
                datasets: [{ label: "mean |contribution|", data: top.map((t) => t[1]),
                             backgroundColor: COLORS[0] }] },
        options: { indexAxis: "y", animation: false, maintainAspectRatio: false,
                   plugins: { legend: { display: false } } },
      });
    } catch (e) {
      setStatus($("models-status"), "Feature importance: " + e.message, "error");
    }
  }

  // ---- server metrics -----------------------------------------------------------
  function parseMetrics(text) {
    const routes = new Map();  // route -> {count, buckets: Map(le -> n)}
    let events = 0;
    const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+([^\s]+)/;
    for (const raw of text.split("\n")) {
      const m = line.exec(raw);
      if (!m) continue;
      const labels = {};
      for (const kv of (m[3] || "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[kv[1]] = kv[2];
      const value = Number(m[4]);
      if (m[1] === "pantry_events_accepted_total") events += value;
      if (!labels.route || labels.route === "(unmatched)") continue;
      const r = routes.get(labels.route) || { count: 0, buckets: new Map() };
      routes.set(labels.route, r);
      if (m[1] === "pantry_http_requests_total") r.count += value;
      if (m[1] === "pantry_http_request_duration_seconds_bucket") {
        r.buckets.set(labels.le, (r.buckets.get(labels.le) || 0) + value);
      }
    }
    return { t: performance.now(), routes, events };
  }

  function p99(now, prev) {
    const total = now.count - (prev ? prev.count : 0);
    if (total <= 0) return null;
    const les = [...now.buckets.keys()].sort((a, b) => Number(a) - Number(b));
    for (const le of les) {
      const d = now.buckets.get(le) - ((prev && prev.buckets.get(le)) || 0);
      if (d >= 0.99 * total) return le === "+Inf" ? null : Number(le) * 1000;
    }
    return null;
  }

  const series = { labels: [], rps: new Map(), p99: new Map(), eps: [] };
  let previous = null;
  const charts = {};

  function lineChart(id, yTitle) {
    if (!window.Chart) return null;
    return new Chart($(id), {
      type: "line", data: { labels: [], datasets: [] },
      options: { animation: false, maintainAspectRatio: false, spanGaps: true,
                 elements: { point: { radius: 0 } },
                 scales: { y: { beginAtZero: true, title: { display: true, text: yTitle } } },
                 plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } } },
    });
  }

  function push(map, key, value, length) {
    if (!map.has(key)) map.set(key, new Array(length).fill(null));
    map.get(key).push(value);
  }

  function updateChart(chart, labels, map) {
    if (!chart) return;
    const keys = [...map.keys()].sort((a, b) => sum(map.get(b)) - sum(map.get(a))).slice(0, 6);
    chart.data.labels = labels;
    chart.data.datasets = keys.map((k, i) => ({ label: k, data: map.get(k),
                                                borderColor: COLORS[i % COLORS.length],
                                                backgroundColor: COLORS[i % COLORS.length] }));
    chart.update();
  }

  function sum(a) { return a.reduce((s, v) => s + (v || 0), 0); }

  async function sampleMetrics() {
    let text;
    try {
      text = await api("/metrics", { raw: true });
    } catch (e) {
      setStatus($("metrics-status"), e.message, "error");
      return;
    }
    setStatus($("metrics-status"), "");
    const now = parseMetrics(text);
    if (previous) {
      const dt = (now.t - previous.t) / 1000;
      const n = series.labels.length;
      series.labels.push(new Date().toLocaleTimeString());
      for (const [route, r] of now.routes) {
        const before = previous.routes.get(route);
        push(series.rps, route, (r.count - (before ? before.count : 0)) / dt, n);
        push(series.p99, route, p99(r, before), n);
      }
      for (const m of [series.rps, series.p99]) {
        for (const a of m.values()) while (a.length < n + 1) a.push(null);
      }
      series.eps.push((now.events - previous.events) / dt);
      if (series.labels.length > HISTORY_POINTS) {
        series.labels.shift();
        series.eps.shift();
        for (const m of [series.rps, series.p99]) for (const a of m.values()) a.shift();
      }
      updateChart(charts.rps, series.labels, series.rps);
      updateChart(charts.p99, series.labels, series.p99);
      updateChart(charts.eps, series.labels, new Map([["accepted events/s", series.eps]]));
    }
    previous = now;
  }

  // ---- start --------------------------------------------------------------------
  $("record-form").addEventListener("submit", lookUp);
  $("sql-form").addEventListener("submit", runSql);
  $("sql-csv").addEventListener("click", downloadCsv);
  if (!window.Chart) setStatus($("metrics-status"), "Charts are unavailable (Chart.js did not load).",
                               "error");
  charts.rps = lineChart("rps-chart", "requests/s");
  charts.p99 = lineChart("p99-chart", "ms");
  charts.eps = lineChart("eps-chart", "events/s");
  loadGroups();
  loadStreams();
  loadModels();
  sampleMetrics();
  setInterval(loadStreams, METRICS_MS);
  setInterval(sampleMetrics, METRICS_MS);
})();
