// The streamvec explorer: plain JS against the app's own JSON API, no libraries, no build step.
// URL parameters preset the page: ?model=M&word=W&context=TEXT&then=VERSION (model: one of
// /v1/models, default the app's own; then: the "then" snapshot, default the oldest kept).
"use strict";

const params = new URLSearchParams(location.search);
const curve = []; // {tokens, perplexity, speed, vocab}
const REFRESH_MS = 3000;
const $ = (id) => document.getElementById(id);
let model = params.get("model") || ""; // "" = the app's own model

// The model API paths take the chosen model; /v1/status and /v1/models are the app's own.
async function api(path) {
  if (model && path.startsWith("/v1/") && !/^\/v1\/(status|models)/.test(path))
    path += (path.includes("?") ? "&" : "?") + "model=" + encodeURIComponent(model);
  const r = await fetch(path, { cache: "no-store" });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.status + "");
  return body;
}

function fmt(x, digits) {
  return x === null || x === undefined || Number.isNaN(x) ? "-" : Number(x).toFixed(digits);
}

function fillList(el, items, label) {
  el.replaceChildren(
    ...items.map((it) => {
      const li = document.createElement("li");
      li.textContent = it.word;
      const s = document.createElement("span");
      s.className = "score";
      s.textContent = label(it);
      li.appendChild(s);
      return li;
    })
  );
}

function showError(e) {
  $("error").textContent = e ? String(e.message || e) : "";
}

async function searchWord() {
  const word = $("word").value.trim();
  if (!word) return;
  const q = encodeURIComponent(word);
  try {
    const now = await api("/v1/neighbours?k=8&word=" + q);
    $("now-title").textContent = "now (version " + now.snapshot_version + ")";
    fillList($("neighbours-now"), now.neighbours, (n) => fmt(n.similarity, 3));
  } catch (e) {
    $("now-title").textContent = "now: " + e.message;
    $("neighbours-now").replaceChildren();
  }
  try {
    let then = params.get("then");
    if (!then) {
      const snaps = (await api("/v1/snapshots")).snapshots;
      if (snaps.length > 0) then = snaps[0].version;
    }
    const old = await api("/v1/neighbours?k=8&word=" + q + "&version=" + then);
    $("then-title").textContent = "then (version " + old.snapshot_version + ", " + old.snapshot_time + ")";
    fillList($("neighbours-then"), old.neighbours, (n) => fmt(n.similarity, 3));
  } catch (e) {
    $("then-title").textContent = "then: " + e.message;
    $("neighbours-then").replaceChildren();
  }
}

async function predict() {
  const context = $("context").value;
  if (!context.trim()) return;
  try {
    const p = await api("/v1/predict?k=8&context=" + encodeURIComponent(context));
    fillList($("predictions"), p.predictions, (n) => fmt(100 * n.probability, 1) + "%");
  } catch (e) {
    showError(e);
  }
}

function drawCurve(id, key) {
  const pts = curve.filter((p) => Number.isFinite(p[key]));
  const svg = $(id);
  if (pts.length === 0) return;
  const xs = pts.map((p) => p.tokens), ys = pts.map((p) => p[key]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const sx = (x) => (x1 > x0 ? ((x - x0) / (x1 - x0)) * 400 : 200);
  const sy = (y) => (y1 > y0 ? 115 - ((y - y0) / (y1 - y0)) * 110 : 60);
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  line.setAttribute("points", pts.map((p) => sx(p.tokens) + "," + sy(p[key])).join(" "));
  svg.replaceChildren(line);
  $(id + "-range").textContent = fmt(y0, 1) + " .. " + fmt(y1, 1) + ", last " + fmt(ys[ys.length - 1], 1);
}

async function refreshModels() {
  const list = await api("/v1/models");
  if (!model) model = list.default_model;
  const names = list.models.map((m) => m.model);
  if (!names.includes(model)) names.push(model);
  const select = $("model");
  if (select.options.length !== names.length || names.some((n, i) => select.options[i].value !== n))
    select.replaceChildren(
      ...names.map((n) => {
        const o = document.createElement("option");
        o.value = o.textContent = n;
        o.defaultSelected = n === model;
        return o;
      })
    );
  select.value = model;
}

async function refreshStatus() {
  const s = await api("/v1/status");
  $("curve-model").textContent = "of " + s.model_id + ", the model this app trains";
  if (s.tokens !== null && s.tokens !== undefined) {
    const last = curve[curve.length - 1];
    if (!last || last.tokens !== s.tokens)
      curve.push({ tokens: s.tokens, perplexity: s.recent_perplexity, speed: s.tokens_per_sec, vocab: s.vocab_size });
    if (curve.length > 600) curve.shift();
  }
  $("numbers").replaceChildren(
    ...[
      ["tokens", s.tokens, 0],
      ["tokens/s", s.tokens_per_sec, 0],
      ["recent perplexity", s.recent_perplexity, 1],
      ["recent top-5", s.recent_top5, 3],
      ["vocabulary", s.vocab_size, 0],
    ].map(([name, v, d]) => {
      const span = document.createElement("span");
      span.textContent = name + " " + fmt(v, d);
      return span;
    })
  );
  drawCurve("curve-perplexity", "perplexity");
  drawCurve("curve-speed", "speed");
  drawCurve("curve-vocab", "vocab");
}

async function refreshModel() {
  const m = await api("/v1/model");
  $("model-line").textContent =
    "model version " + m.snapshot_version + ", " + m.tokens + " tokens, " + m.vocab_size + " words";
}

async function refreshDrift() {
  const d = await api("/v1/drift?k=15&neighbours=3");
  $("drift-span").textContent = "version " + d.from.version + " \u2192 " + d.to.version;
  const rows = d.movers.map((m) => {
    const tr = document.createElement("tr");
    const cells = [
      m.word,
      fmt(m.score, 3),
      m.neighbours_from.map((n) => n.word).join(", "),
      m.neighbours_to.map((n) => n.word).join(", "),
    ];
    for (const c of cells) {
      const td = document.createElement("td");
      td.textContent = c;
      tr.appendChild(td);
    }
    tr.className = "mover";
    return tr;
  });
  document.querySelector("#drift tbody").replaceChildren(...rows);
}

async function refreshFeed() {
  const f = await api("/v1/words/new?limit=20");
  const items = f.events.map((e) => {
    const li = document.createElement("li");
    li.className = e.event;
    li.textContent = e.word + " " + e.event + " (count " + fmt(e.count, 1) + ", version " + e.version + ", " + e.time + ")";
    return li;
  });
  if (items.length === 0) {
    const li = document.createElement("li");
    li.textContent = "no vocabulary changes between snapshots yet";
    items.push(li);
  }
  $("feed").replaceChildren(...items);
}

async function refresh() {
  const parts = [refreshModels, refreshStatus, refreshModel, refreshDrift, refreshFeed];
  const results = await Promise.allSettled(parts.map((f) => f()));
  const failed = results.find((r) => r.status === "rejected");
  showError(failed ? failed.reason : null);
  document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
}

$("word-form").addEventListener("submit", (e) => {
  e.preventDefault();
  searchWord();
});
$("predict-form").addEventListener("submit", (e) => {
  e.preventDefault();
  predict();
});
$("model").addEventListener("change", () => {
  model = $("model").value;
  refresh();
  searchWord();
  predict();
});

async function start() {
  await refreshModels().catch(showError);
  if (params.get("word")) $("word").value = params.get("word");
  if (params.get("context")) $("context").value = params.get("context");
  await Promise.allSettled([refresh(), searchWord(), predict()]);
  document.body.dataset.ready = "true";
  setInterval(refresh, REFRESH_MS);
}

start();
