// keyprobe's local page. No framework, no other origin: the page talks to its own server only,
// and everything from the report is inserted as text, never as HTML (tokens are attacker data).
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function iso(t) {
  return new Date(t * 1000).toISOString().replace(".000Z", "Z");
}

// Pasting inspects without a click: the last change wins, a moment after typing stops.
const DEBOUNCE_MS = 400;
let debounce = null;
let sequence = 0;
let lastInspected = null;
// A dropped file's name labels its reports while the box still holds what was dropped.
let dropped = null;

// What the form asks for; the last one inspected is remembered so nothing is asked twice.
function requestBody() {
  return {
    input: $("input").value,
    name: dropped && dropped.text === $("input").value ? dropped.name : "",
    at: $("at").value,
    audience: $("audience").value,
    issuer: $("issuer").value,
    allow_legacy: $("allow-legacy").checked,
    keys: { kind: $("keys-kind").value, text: $("keys-text").value, url: $("keys-url").value },
  };
}

function scheduleInspect(delay) {
  clearTimeout(debounce);
  debounce = setTimeout(() => {
    const body = requestBody();
    if (body.input.trim() && JSON.stringify(body) !== lastInspected) inspect();
  }, delay);
}

async function inspect(event) {
  if (event) event.preventDefault();
  clearTimeout(debounce);
  const button = $("inspect");
  const results = $("results");
  const body = requestBody();
  results.hidden = false;
  if (!body.input.trim()) {
    showEmpty();
    return;
  }
  lastInspected = JSON.stringify(body);
  const mine = ++sequence;
  button.disabled = true;
  results.setAttribute("aria-busy", "true");
  try {
    const response = await fetch("/api/inspect", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await response.json();
    if (mine !== sequence) return; // a newer paste is on its way
    if (!response.ok) {
      showError(data.error || ("HTTP " + response.status));
    } else {
      render(data, body.input);
    }
  } catch (e) {
    if (mine === sequence) showError("keyprobe's local server did not answer: " + e);
  } finally {
    if (mine === sequence) {
      button.disabled = false;
      results.setAttribute("aria-busy", "false");
      if (event) $("verdict").focus();
    }
  }
}

// An empty box gets what to paste, never a verdict.
function showEmpty() {
  const verdict = $("verdict");
  verdict.className = "empty";
  verdict.textContent = "Nothing to inspect yet";
  $("error").hidden = true;
  $("empty").hidden = false;
  $("report").hidden = true;
}

function showError(message) {
  $("empty").hidden = true;
  $("report").hidden = false;
  const verdict = $("verdict");
  verdict.className = "error";
  verdict.textContent = "Could not inspect";
  const error = $("error");
  error.hidden = false;
  error.textContent = message;
  for (const id of ["findings", "timeline", "decoded", "raw", "sources", "flow", "inner"]) $(id).replaceChildren();
  for (const id of ["headline", "flow-section", "inner-section"]) $(id).hidden = true;
  $("timeline-table").tBodies[0].replaceChildren();
}

function render(data, raw) {
  const report = data.report;
  $("error").hidden = true;
  $("empty").hidden = true;
  $("report").hidden = false;
  const verdict = $("verdict");
  verdict.className = report.verdict;
  verdict.textContent = `${report.kind}: ${report.verdict}`;

  const list = $("findings");
  list.replaceChildren();
  if (report.findings.length === 0) list.append(el("li", { class: "info" }, "Nothing to report."));
  for (const f of report.findings) list.append(findingItem(f, data.explanations));
  renderFlow(report.decoded || {});
  renderInner(data);

  renderTimeline(data.timeline, data.now);
  $("decoded").textContent = JSON.stringify(report.decoded, null, 2);
  $("raw").textContent = raw;
  const sources = $("sources");
  sources.replaceChildren();
  if (report.fetched && report.fetched.length) {
    sources.append(el("h4", {}, "Fetched"));
    sources.append(el("ul", {}, ...report.fetched.map((f) =>
      el("li", {}, `${f.url} at ${f.fetched_at} (HTTP ${f.status}, sha256 ${f.sha256.slice(0, 16)}…)`))));
  }
}

function findingItem(f, explanations) {
  const item = el("li", { class: f.severity, "data-code": f.code },
    el("span", { class: "severity" }, f.severity),
    el("span", { class: "code" }, f.code), " ", f.message);
  if (f.severity !== "info") item.append(el("p", { class: "hint" }, f.hint));
  if (f.seen_as && f.seen_as.length) {
    item.append(el("p", { class: "hint" }, "What your stack prints for it:"));
    item.append(el("ul", { class: "seen-as" }, ...f.seen_as.map((s) => el("li", {}, s))));
  }
  const page = explanations[f.code];
  if (page) item.append(el("details", {}, el("summary", {}, `Explain ${f.code}`), el("pre", {}, page)));
  return item;
}

// A capture's sign-in flow, one request a line, the first failure marked; its headline above it.
function renderFlow(decoded) {
  const headline = $("headline");
  headline.hidden = !decoded.headline;
  headline.textContent = decoded.headline || "";
  const list = $("flow");
  list.replaceChildren();
  const steps = Array.isArray(decoded.flow) ? decoded.flow : [];
  $("flow-section").hidden = steps.length === 0;
  const failed = decoded.first_failure ? decoded.first_failure.entry : null;
  for (const s of steps) {
    const status = s.status != null ? ` → ${s.status}` : "";
    const item = el("li", { "data-entry": s.entry, class: s.entry === failed ? "failed" : "" },
      el("span", { class: "step" }, `#${s.entry} ${s.method} ${s.host}${s.path}${status}`));
    const notes = (s.found || []).slice();
    if (s.request_id) notes.push(`Request Id ${s.request_id}`);
    if (notes.length) item.append(el("ul", {}, ...notes.map((n) => el("li", {}, n))));
    list.append(item);
  }
}

// Every report a container holds (a capture's artifacts, a token response's tokens), in the order
// they were found; those that are not ok open.
function renderInner(data) {
  const inner = (data.reports || []).slice(1);
  const list = $("inner");
  list.replaceChildren();
  $("inner-section").hidden = inner.length === 0;
  $("inner-heading").textContent = `Reports in this input (${inner.length})`;
  for (const r of inner) {
    const summary = el("summary", {}, el("span", { class: "severity" }, r.verdict),
      el("span", { class: "code" }, r.kind), " ", el("span", { class: "where" }, r.input));
    const findings = el("ol", {});
    if (!r.findings.length) findings.append(el("li", { class: "info" }, "Nothing to report."));
    for (const f of r.findings) findings.append(findingItem(f, data.explanations));
    const body = el("details", r.verdict === "ok" ? {} : { open: "" }, summary, findings,
      el("pre", {}, JSON.stringify(r.decoded, null, 2)));
    list.append(el("li", { class: r.verdict, "data-kind": r.kind, "data-input": r.input }, body));
  }
}

// A window is "short" beside the others when it spans less than this share of the whole range.
const SHORT_SHARE = 1 / 40;

function renderTimeline(windows, now) {
  const box = $("timeline");
  const tbody = $("timeline-table").tBodies[0];
  box.replaceChildren();
  tbody.replaceChildren();
  if (!windows.length) {
    box.append(el("p", { class: "hint" }, "No validity window in this input."));
    return;
  }
  for (const w of windows) {
    tbody.append(el("tr", {}, el("td", {}, w.label), el("td", {}, w.start != null ? iso(w.start) : "—"),
      el("td", {}, w.end != null ? iso(w.end) : "—"), el("td", {}, w.state)));
  }
  const times = [now];
  for (const w of windows) { if (w.start != null) times.push(w.start); if (w.end != null) times.push(w.end); }
  let lo = Math.min(...times), hi = Math.max(...times);
  const pad = Math.max((hi - lo) * 0.05, 60);
  box.append(chart(windows, now, lo - pad, hi + pad, "overview", "All validity windows"));
  // Short windows beside long ones are slivers at the overview's scale: zoom on the check time.
  const span = (w) => (w.start != null && w.end != null) ? w.end - w.start : Infinity;
  const short = windows.filter((w) => span(w) < (hi - lo) * SHORT_SHARE);
  if (short.length && short.length < windows.length) {
    const zt = [now];
    for (const w of short) { zt.push(w.start, w.end); }
    const zlo = Math.min(...zt), zhi = Math.max(...zt);
    const zpad = Math.max((zhi - zlo) * 0.15, 60);
    box.append(el("p", { class: "tl-caption" }, "Around the check time, at a scale where the short windows can be read (longer windows run on beyond the edges):"));
    box.append(chart(windows, now, zlo - zpad, zhi + zpad, "zoom", "Validity windows around the check time"));
  }
}

// One timeline picture: a bar per window between lo and hi, clipped at the edges, and the
// check time as a vertical line.
function chart(windows, now, lo, hi, kind, title) {
  const width = 1000, left = 260, right = 20, row = 34, top = 24;
  const height = top + windows.length * row + 30;
  const x = (t) => left + ((Math.min(Math.max(t, lo), hi) - lo) / (hi - lo)) * (width - left - right);
  const id = `tl-${kind}`;
  const picture = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: kind, "aria-labelledby": `${id}-title ${id}-desc` });
  picture.append(svg("title", { id: `${id}-title` }, title));
  picture.append(svg("desc", { id: `${id}-desc` }, windows.map((w) => `${w.label}: ${w.state}`).join("; ")));
  windows.forEach((w, i) => {
    const y = top + i * row;
    const start = w.start != null ? w.start : lo, end = w.end != null ? w.end : hi;
    picture.append(svg("text", { x: 6, y: y + 15, class: "tl-label" }, w.label.length > 38 ? w.label.slice(0, 37) + "…" : w.label));
    if (end < lo || start > hi) {
      picture.append(svg("text", { x: start > hi ? width - right - 14 : left + 2, y: y + 15, class: "tl-beyond" }, start > hi ? "▸" : "◂"));
      return;
    }
    const clipped = start < lo || end > hi;
    const bar = svg("rect", { x: x(start), y: y + 3, width: Math.max(x(end) - x(start), 2), height: 16, rx: clipped ? 0 : 3,
      class: `bar-${w.state}${clipped ? " clipped" : ""}`, "data-label": w.label });
    bar.append(svg("title", {}, `${w.label}: ${w.start != null ? iso(w.start) : "…"} → ${w.end != null ? iso(w.end) : "…"} (${w.state})`));
    picture.append(bar);
  });
  picture.append(svg("line", { x1: x(now), x2: x(now), y1: 8, y2: height - 22, class: "now" }));
  picture.append(svg("text", { x: 6, y: height - 8, class: "tl-date" }, iso(lo)));
  picture.append(svg("text", { x: width - right, y: height - 8, class: "tl-date", "text-anchor": "end" }, iso(hi)));
  picture.append(svg("text", { x: Math.min(Math.max(x(now) + 4, left), width - 260), y: height - 8, class: "tl-date now-label" }, `check time ${iso(now)}`));
  return picture;
}

function dropFile(event) {
  event.preventDefault();
  const input = $("input");
  input.classList.remove("dragging");
  const file = event.dataTransfer && event.dataTransfer.files[0];
  if (!file) return;
  const reader = new FileReader();
  reader.onload = () => {
    dropped = { name: file.name, text: reader.result };
    input.value = reader.result;
    scheduleInspect(50);
  };
  reader.readAsText(file);
}

document.addEventListener("DOMContentLoaded", () => {
  $("inspect-form").addEventListener("submit", inspect);
  const input = $("input");
  // A paste is whole at once: inspect it right away; typing waits for a pause.
  let pasted = false;
  input.addEventListener("paste", () => { pasted = true; });
  input.addEventListener("input", () => {
    const delay = pasted ? 50 : DEBOUNCE_MS;
    pasted = false;
    if (input.value.trim()) scheduleInspect(delay);
    else { clearTimeout(debounce); lastInspected = null; if (!$("results").hidden) showEmpty(); }
  });
  // A verdict on screen follows the keys and options it was judged with: a changed option
  // (committed, so a URL is not fetched at every keystroke) inspects again.
  for (const id of ["keys-kind", "keys-text", "keys-url", "at", "audience", "issuer", "allow-legacy"]) {
    $(id).addEventListener("change", () => {
      if (!$("results").hidden && input.value.trim()) scheduleInspect(50);
    });
  }
  input.addEventListener("dragover", (e) => { e.preventDefault(); input.classList.add("dragging"); });
  input.addEventListener("dragleave", () => input.classList.remove("dragging"));
  input.addEventListener("drop", dropFile);
});
