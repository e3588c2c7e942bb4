// The live storefront: pick a shopper, click products (real events through
// POST /v1/events), and watch GET /v1/recommendations re-rank by polling.
"use strict";

(() => {
  const { api, el, num, healthBar, setStatus } = pantry;
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 700;
  const K = 10;
  const WINDOW_SECONDS = 120;  // the workshop's 2-minute sliding window
  const ACTIVITIES = [
    ["liked", 1, "Like"],
    ["added_to_cart", 2, "Add to cart"],
    ["added_to_wish_list", 1, "Add to wish list"],
    ["saved_for_later", 2, "Save for later"],
  ];

  const state = {
    customer: null,
    items: [],          // the list on screen
    baseline: null,     // product_id -> rank the badges compare with
    clicked: null,      // the list's ranks when the shopper last clicked
    signature: "",
    expanded: new Set(),
    timer: null,
    live: null,
  };

  // ---- shopper selection ------------------------------------------------
  function customerChoice(c) {
    const label = `${c.customer_id} · ${c.name || ""} · ${c.state || ""}`;
    return el("li", {}, el("button", { type: "button", class: "choice",
                                       "data-customer": c.customer_id,
                                       onclick: () => selectCustomer(c.customer_id) }, label));
  }

  async function searchCustomers(q) {
    const status = $("customer-status");
    setStatus(status, "Searching…", "loading");
    try {
      const r = await api("/v1/customers?limit=20&q=" + encodeURIComponent(q));
      $("customer-results").replaceChildren(...r.customers.map(customerChoice));
      setStatus(status, r.customers.length ? "" : `No customer matches “${q}”.`,
                r.customers.length ? "" : "error");
    } catch (e) {
      setStatus(status, e.message, "error");
    }
  }

  async function loadSuggested() {
    try {
      const r = await api("/v1/shoppers/suggested?n=5");
      $("suggested").replaceChildren(...r.customers.map(customerChoice));
    } catch (e) {
      $("suggested").replaceChildren(el("li", { class: "status error", text: e.message }));
    }
  }

  async function selectCustomer(id) {
    const status = $("customer-status");
    setStatus(status, "Loading " + id + "…", "loading");
    let profile;
    try {
      profile = (await api("/v1/customers/" + encodeURIComponent(id))).customer;
    } catch (e) {
      setStatus(status, e.status === 404 ? `Customer “${id}” was not found.` : e.message, "error");
      return;
    }
    setStatus(status, "");
    state.customer = id;
    state.items = [];
    state.baseline = null;
    state.clicked = null;
    state.signature = "";
    state.expanded.clear();
    history.replaceState(null, "", "/?customer=" + encodeURIComponent(id));
    for (const b of document.querySelectorAll("button.choice")) {
      b.setAttribute("aria-pressed", String(b.dataset.customer === id));
    }
    $("profile").replaceChildren(
      ...fact("Customer", `${profile.customer_id} · ${profile.name || ""}`),
      ...fact("State", profile.state), ...fact("Age", profile.age),
      ...fact("Health index", healthBar(profile.customer_health_index)));
    $("recs-who").textContent = `${profile.name || id} (${id})`;
    $("recs").replaceChildren();
    $("activity-log").replaceChildren();
    for (const p of ["profile-panel", "recs-panel", "catalog-panel"]) $(p).hidden = false;
    setStatus($("recs-status"), "Loading recommendations…", "loading");
    poll();
  }

  function fact(name, value) {
    return [el("dt", { text: name }), el("dd", {}, value === undefined ? "–" : value)];
  }

  // ---- recommendations --------------------------------------------------
  async function poll() {
    clearTimeout(state.timer);
    const id = state.customer;
    if (!id) return;
    try {
      const r = await api(`/v1/recommendations/${encodeURIComponent(id)}?k=${K}&explain=true`);
      if (id !== state.customer) return;
      showRecommendations(r);
      setStatus($("recs-status"), "");
    } catch (e) {
      let message = e.message;
      if (e.status === 503) message = "Models are not trained yet, or not loaded: " + e.message;
      setStatus($("recs-status"), message, "error");
    }
    state.timer = setTimeout(poll, POLL_MS);
  }

  function showRecommendations(r) {
    state.live = r.live_features;
    showLive();
    const signature = r.items.map((i) => i.product_id).join(",");
    $("recs-updated").textContent = `models ${r.model_versions.cf || "?"} / ` +
                                    `${r.model_versions.rank || "?"} · ${num(r.took_ms, 1)} ms`;
    if (signature === state.signature) return;
    // Badges compare with the list as it was before the click that moved
    // it (or, for changes without a click, such as the window expiring,
    // with the list just before).
    if (state.clicked) {
      state.baseline = state.clicked;
      state.clicked = null;
    } else if (state.signature) {
      state.baseline = ranks();
    }
    state.signature = signature;
    state.items = r.items;
    const mean = r.items.length
      ? r.items.reduce((s, i) => s + i.product_health_index, 0) / r.items.length : NaN;
    $("recs-mean").textContent = num(mean, 3);
    $("recs-k").textContent = r.items.length;
    $("recs").replaceChildren(...r.items.map(recCard));
  }

  function ranks() {
    return new Map(state.items.map((item, i) => [item.product_id, i]));
  }

  function movement(productId, rank) {
    if (!state.baseline) return el("span", { class: "move same", text: "" });
    if (!state.baseline.has(productId)) return el("span", { class: "move new", text: "new" });
    const d = state.baseline.get(productId) - rank;
    if (d > 0) return el("span", { class: "move up", title: `up ${d}`, text: "▲" + d });
    if (d < 0) return el("span", { class: "move down", title: `down ${-d}`, text: "▼" + -d });
    return el("span", { class: "move same", title: "unchanged", text: "=" });
  }

  function recCard(item, rank) {
    const why = el("div", { class: "why", hidden: !state.expanded.has(item.product_id) },
                   explanation(item));
    const toggle = el("button", { type: "button", class: "link",
                                  "aria-expanded": String(state.expanded.has(item.product_id)),
                                  onclick: () => {
                                    const open = why.hidden;
                                    why.hidden = !open;
                                    toggle.setAttribute("aria-expanded", String(open));
                                    if (open) state.expanded.add(item.product_id);
                                    else state.expanded.delete(item.product_id);
                                  } }, "Why?");
    return el("li", { class: "card rec", "data-product": item.product_id,
                      "data-health": item.product_health_index },
      el("div", { class: "card-head" }, el("span", { class: "rank", text: rank + 1 }),
         movement(item.product_id, rank)),
      el("div", { class: "name", text: item.product_name }),
      el("div", { class: "category", text: item.product_category.replaceAll("_", " ") }),
      healthBar(item.product_health_index),
      el("div", { class: "scores" },
         `propensity ${num(item.propensity_to_buy, 3)} · retrieval ${num(item.cf_score, 3)}`),
      activityButtons(item), toggle, why);
  }

  function explanation(item) {
    const e = item.explanation;
    if (!e) return el("p", { text: "No explanation returned." });
    const top = [...e.contributions].sort((a, b) => Math.abs(b.contribution) -
                                                    Math.abs(a.contribution)).slice(0, 5);
    return el("ul", { class: "contrib" }, top.map((c) => el("li", {},
      el("span", { class: c.contribution >= 0 ? "pos" : "neg",
                   text: (c.contribution >= 0 ? "+" : "") + num(c.contribution, 3) }),
      ` ${c.feature} = ${num(c.value, 2)}`)));
  }

  function showLive() {
    const l = state.live;
    if (!l) return;
    const now = Date.now() / 1000;
    const expires = l.event_time ? Math.max(0, l.event_time + WINDOW_SECONDS - now) : null;
    $("live").replaceChildren(
      ...fact("Clicks (weight sum)", num(l.sum_activity_weight_last_2m, 0)),
      ...fact("Average health", num(l.avg_product_health_index_last_2m, 3)),
      ...fact("Healthy activity", num(l.healthy_activity_last_2m, 2)),
      ...fact("Window", l.source && l.source !== "none"
                          ? `2-minute sliding, from ${l.source}` + (l.stale ? " (stale)" : "")
                          : "2-minute sliding; no live row yet"),
      ...fact("Expires in", expires === null ? "no clicks in the window"
                                             : `${expires.toFixed(0)} s`));
  }

  // ---- events -------------------------------------------------------------
  function activityButtons(product) {
    return el("div", { class: "acts" }, ACTIVITIES.map(([type, weight, label]) =>
      el("button", { type: "button", class: "act", "data-activity": type,
                     "aria-label": `${label}: ${product.product_name}`,
                     onclick: (e) => sendEvents([event(product, type, weight)], e.target) },
         label)));
  }

  function event(product, type, weight) {
    return { event_time: new Date().toISOString(), customer_id: state.customer,
             product_id: product.product_id, product_category: product.product_category,
             activity_type: type, activity_weight: weight,
             product_health_index: product.product_health_index };
  }

  async function sendEvents(events, button) {
    if (button) button.disabled = true;
    if (!state.clicked && state.signature) state.clicked = ranks();
    try {
      const r = await api("/v1/events", { method: "POST", body: events });
      for (const e of events) {
        $("activity-log").prepend(el("li", {}, `${e.activity_type.replaceAll("_", " ")}: ` +
                                               `${e.product_id} (health ${num(e.product_health_index)})`));
      }
      if (button) button.classList.add("done");
      poll();
      return r.accepted;
    } catch (e) {
      setStatus($("recs-status"), "The click was not recorded: " + e.message, "error");
      return 0;
    } finally {
      if (button) button.disabled = false;
    }
  }

  async function simulate(lo, hi, label) {
    const status = $("sim-status");
    setStatus(status, `Browsing ${label} products…`, "loading");
    try {
      const r = await api(`/v1/products?limit=200&min_health=${lo}&max_health=${hi}`);
      if (!r.products.length) throw new Error("no products in that health range");
      const events = [];
      for (let i = 0; i < 12; ++i) {
        const p = r.products[Math.floor(Math.random() * r.products.length)];
        const [type, weight] = ACTIVITIES[i % ACTIVITIES.length];
        events.push(event(p, type, weight));
      }
      const n = await sendEvents(events, null);
      setStatus(status, `Sent ${n} ${label} clicks; watch the list re-rank.`);
    } catch (e) {
      setStatus(status, e.message, "error");
    }
  }

  // ---- catalogue ----------------------------------------------------------
  async function loadCategories() {
    try {
      const r = await api("/v1/product-categories");
      $("catalog-category").append(...r.categories.map((c) =>
        el("option", { value: c.category },
           `${c.category.replaceAll("_", " ")} (${c.products})`)));
    } catch (e) {
      setStatus($("catalog-status"), e.message, "error");
    }
  }

  async function loadCatalog() {
    const status = $("catalog-status");
    const params = new URLSearchParams({ limit: "48" });
    const category = $("catalog-category").value;
    const q = $("catalog-q").value.trim();
    const health = $("catalog-health").value;
    if (category) params.set("category", category);
    if (q) params.set("q", q);
    if (health === "healthy") params.set("min_health", "0.7");
    if (health === "unhealthy") params.set("max_health", "0.3");
    setStatus(status, "Loading products…", "loading");
    try {
      const r = await api("/v1/products?" + params);
      $("catalog").replaceChildren(...r.products.map((p) =>
        el("li", { class: "card product", "data-product": p.product_id,
                   "data-health": p.product_health_index },
           el("div", { class: "name", text: p.product_name }),
           el("div", { class: "category", text: p.product_category.replaceAll("_", " ") }),
           healthBar(p.product_health_index), activityButtons(p))));
      setStatus(status, r.products.length ? `${r.products.length} products shown.`
                                          : "No product matches.");
    } catch (e) {
      setStatus(status, e.message, "error");
    }
  }

  // ---- start ----------------------------------------------------------------
  $("customer-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = $("customer-q").value.trim();
    if (q) searchCustomers(q);
  });
  $("catalog-form").addEventListener("submit", (e) => { e.preventDefault(); loadCatalog(); });
  $("catalog-category").addEventListener("change", loadCatalog);
  $("catalog-health").addEventListener("change", loadCatalog);
  $("sim-unhealthy").addEventListener("click", () => simulate(0.1, 0.3, "unhealthy"));
  $("sim-healthy").addEventListener("click", () => simulate(0.7, 0.9, "healthy"));
  setInterval(showLive, 1000);

  (async () => {
    await loadCategories();
    loadCatalog();
    const id = new URLSearchParams(location.search).get("customer");
    if (id) selectCustomer(id);
    loadSuggested();
  })();
})();
