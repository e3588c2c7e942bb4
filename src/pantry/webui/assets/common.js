// Shared by the storefront and the console: the fetch wrapper (bearer token,
// errors in words), small DOM helpers and formatting. Plain JS, no build step.
"use strict";

const pantry = (() => {
  const TOKEN_KEY = "pantry.token";
  let tokenPrompt = null;  // one prompt at a time, shared by concurrent calls
  let config = null;       // GET /ui/config.json, once per page

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "style" && typeof v === "object") Object.assign(node.style, v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function askToken() {
    if (tokenPrompt) return tokenPrompt;
    const dialog = document.getElementById("token-dialog");
    tokenPrompt = new Promise((resolve) => {
      const form = dialog.querySelector("form");
      const input = dialog.querySelector("input");
      // Escape closes the dialog: carry on without a token (the call then
      // fails with 401 and asks again, up to the retry limit).
      dialog.oncancel = () => {
        tokenPrompt = null;
        resolve();
      };
      form.onsubmit = (e) => {
        e.preventDefault();
        sessionStorage.setItem(TOKEN_KEY, input.value.trim());
        dialog.close();
        tokenPrompt = null;
        resolve();
      };
      dialog.showModal();
      input.focus();
    });
    return tokenPrompt;
  }

  // Calls a pantry JSON endpoint. Resolves to the parsed body; rejects with
  // an Error whose message a person can read (and .status for HTTP errors).
  async function api(path, options = {}) {
    if (!config) {
      config = fetch("/ui/config.json").then((r) => r.json()).catch(() => ({}));
    }
    if ((await config).auth_required && !sessionStorage.getItem(TOKEN_KEY)) await askToken();
    for (let attempt = 0; attempt < 3; ++attempt) {
      const headers = Object.assign({}, options.headers || {});
      const token = sessionStorage.getItem(TOKEN_KEY);
      if (token) headers["Authorization"] = "Bearer " + token;
      let body = options.body;
      if (body !== undefined && typeof body !== "string") {
        body = JSON.stringify(body);
        headers["Content-Type"] = "application/json";
      }
      let response;
      try {
        response = await fetch(path, { method: options.method || "GET", headers, body });
      } catch (e) {
        throw Object.assign(new Error("The server is not answering: is `pantry serve` running?"),
                            { status: 0 });
      }
      if (response.status === 401) {
        await askToken();
        continue;
      }
      const text = await response.text();
      if (options.raw) {
        if (!response.ok) throw Object.assign(new Error(text), { status: response.status });
        return text;
      }
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
      if (!response.ok) {
        const message = (json && (json.message || json.error)) || text || response.statusText;
        throw Object.assign(new Error(message), { status: response.status, body: json });
      }
      return json;
    }
    throw Object.assign(new Error("The server refused the token."), { status: 401 });
  }

  function num(x, digits = 2) {
    return typeof x === "number" && isFinite(x) ? x.toFixed(digits) : "–";
  }

  // A health index in [0, 1] as a coloured bar (red … amber … green).
  function healthBar(h) {
    const v = Math.max(0, Math.min(1, Number(h) || 0));
    const hue = Math.round(v * 120);
    return el("span", { class: "health", title: "health index " + num(v), role: "img",
                        "aria-label": "health index " + num(v) },
              el("span", { class: "health-fill",
                           style: { width: (v * 100).toFixed(0) + "%",
                                    background: `hsl(${hue} 70% 42%)` } }),
              el("span", { class: "health-text", text: num(v) }));
  }

  function setStatus(node, message, kind) {
    node.textContent = message || "";
    node.className = "status" + (kind ? " " + kind : "");
  }

  function table(columns, rows) {
    return el("div", { class: "table-wrap" },
      el("table", {},
        el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col", text: c })))),
        el("tbody", {}, rows.map((r) => el("tr", {}, r.map((v) =>
          el("td", {}, v instanceof Node ? v : (v === null || v === undefined ? "" :
                                                typeof v === "object" ? JSON.stringify(v) :
                                                String(v)))))))));
  }

  return { api, el, num, healthBar, setStatus, table };
})();
