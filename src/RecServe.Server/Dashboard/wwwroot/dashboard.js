// RecServe dashboard: polls /v1/dashboard every second and draws with the canvas 2D API.
// No chart library: a few line and bar charts do not justify an npm toolchain in a .NET build, and the page
// must work offline (no CDN).
"use strict";

const POLL_MS = 1000;
const WINDOW_S = 15 * 60;
const COLORS = { qps: "#2f6fdf", p50: "#1f9d55", p99: "#d98a00", p999: "#d0342c", errors: "#d0342c", bars: "#2f6fdf" };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function fmt(value, digits) {
  if (value === null || value === undefined) return "–";
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(digits);
}

function bytes(value) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (value >= 1024 && i < units.length - 1) { value /= 1024; i++; }
  return value.toFixed(i === 0 ? 0 : 1) + " " + units[i];
}

function since(iso) {
  const date = new Date(iso);
  return date.toLocaleTimeString("en-GB") + " (" + ago((Date.now() - date.getTime()) / 1000) + " ago)";
}

function ago(seconds) {
  if (seconds < 90) return Math.max(0, Math.round(seconds)) + " s";
  if (seconds < 5400) return Math.round(seconds / 60) + " min";
  return (seconds / 3600).toFixed(1) + " h";
}

// Prepares a canvas for drawing at the device's pixel ratio; returns its context and CSS size.
function surface(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  if (canvas.width !== width * ratio || canvas.height !== height * ratio) {
    canvas.width = width * ratio;
    canvas.height = height * ratio;
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = "11px system-ui, sans-serif";
  return { ctx, width, height };
}

// A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten.
function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

// Line chart over time: series = [{ label, color, points: [[t, v|null], ...] }].
function lineChart(canvas, series, tEnd, format) {
  const { ctx, width, height } = surface(canvas);
  const left = 48, right = 8, top = 8, bottom = 18;
  const plotW = width - left - right, plotH = height - top - bottom;
  const tStart = tEnd - WINDOW_S;
  let max = 0;
  for (const s of series) for (const [, v] of s.points) if (v !== null && v > max) max = v;
  max = niceMax(max);
  ctx.strokeStyle = "#e2e5eb";
  ctx.fillStyle = "#6b7385";
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + plotW, y); ctx.stroke();
    ctx.fillText(format((max * i) / 4), left - 4, y);
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (let m = 15; m >= 0; m -= 5) {
    const x = left + plotW * (1 - (m * 60) / WINDOW_S);
    ctx.textAlign = m === 0 ? "right" : m === 15 ? "left" : "center";
    ctx.fillText(m === 0 ? "now" : "-" + m + " min", x, top + plotH + 4);
  }
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let drawing = false;
    for (const [t, v] of s.points) {
      if (t < tStart || v === null) { drawing = false; continue; }
      const x = left + (plotW * (t - tStart)) / WINDOW_S;
      const y = top + plotH - (plotH * v) / max;
      if (drawing) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      drawing = true;
    }
    ctx.stroke();
  }
}

// Bar chart of per-bucket counts: buckets = [{ le, count }].
function barChart(canvas, buckets) {
  const { ctx, width, height } = surface(canvas);
  const left = 8, right = 8, top = 14, bottom = 18;
  const plotW = width - left - right, plotH = height - top - bottom;
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const slot = plotW / Math.max(1, buckets.length);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  buckets.forEach((b, i) => {
    const h = (plotH * b.count) / max;
    const x = left + i * slot;
    ctx.fillStyle = COLORS.bars;
    ctx.fillRect(x + 2, top + plotH - h, slot - 4, h);
    ctx.fillStyle = "#6b7385";
    ctx.fillText(b.le === "+Inf" ? "more" : "≤" + b.le, x + slot / 2, top + plotH + 4);
    if (b.count > 0 && total > 0) {
      ctx.textBaseline = "bottom";
      ctx.fillText(Math.round((100 * b.count) / total) + "%", x + slot / 2, top + plotH - h - 1);
      ctx.textBaseline = "top";
    }
  });
}

function legend(items) {
  return el("div", { class: "legend" }, ...items.map(([label, color]) => {
    const swatch = el("i");
    swatch.style.background = color;
    return el("span", {}, swatch, label);
  }));
}

function renderModels(models) {
  const body = document.querySelector("#models tbody");
  body.replaceChildren();
  for (const model of models) {
    const versions = model.versions.length ? model.versions : [{ version: "–", state: "–", since: null, error: null }];
    versions.forEach((v, i) => {
      const figures = i === 0
        ? [fmt(model.qps, 1), fmt(model.p50_ms, 2), fmt(model.p99_ms, 2), fmt(model.p999_ms, 2), fmt(model.error_rate * 100, 2) + "%", fmt(model.queue_rows, 0)]
        : ["", "", "", "", "", ""];
      const cells = ["qps", "p50", "p99", "p999", "errors", "queue"].map((name, k) => el("td", { class: "num " + name }, figures[k]));
      body.append(el("tr", { "data-model": model.name, "data-version": v.version },
        el("td", { class: "model" }, model.name),
        el("td", { class: "version" }, v.version),
        el("td", { class: "state state-" + v.state }, v.state),
        el("td", {}, v.since ? since(v.since) : "–"),
        ...cells,
        el("td", { class: "error-text" }, v.error || "")));
    });
  }
}

const chartCards = new Map();

function renderCharts(models, now) {
  const host = document.getElementById("charts");
  for (const model of models) {
    let card = chartCards.get(model.name);
    if (!card) {
      const canvases = { qps: el("canvas"), latency: el("canvas"), errors: el("canvas") };
      const node = el("div", { class: "model-charts", "data-model": model.name },
        el("h3", {}, model.name),
        el("div", { class: "grid" },
          el("div", {}, legend([["requests / s", COLORS.qps]]), canvases.qps),
          el("div", {}, legend([["p50", COLORS.p50], ["p99", COLORS.p99], ["p99.9 (ms)", COLORS.p999]]), canvases.latency),
          el("div", {}, legend([["error rate %", COLORS.errors]]), canvases.errors)));
      host.append(node);
      card = { canvases };
      chartCards.set(model.name, card);
    }
    const series = (key, scale) => model.history.map((p) => [p.t, p[key] === null ? null : p[key] * (scale || 1)]);
    lineChart(card.canvases.qps, [{ color: COLORS.qps, points: series("qps") }], now, (v) => fmt(v, 0));
    lineChart(card.canvases.latency, [
      { color: COLORS.p50, points: series("p50_ms") },
      { color: COLORS.p99, points: series("p99_ms") },
      { color: COLORS.p999, points: series("p999_ms") },
    ], now, (v) => fmt(v, 1));
    lineChart(card.canvases.errors, [{ color: COLORS.errors, points: series("error_rate", 100) }], now, (v) => fmt(v, 1));
  }
}

function renderBatches(models) {
  const host = document.getElementById("batches");
  host.replaceChildren();
  for (const model of models) {
    const canvas = el("canvas");
    const used = model.batch_sizes.filter((b) => b.count > 0).length > 0;
    host.append(el("div", { "data-model": model.name }, el("h3", {}, model.name),
      used ? canvas : el("p", { class: "muted" }, "No batches in the last minute (batching off, or no traffic).")));
    if (used) barChart(canvas, model.batch_sizes);
  }
}

function renderTables(tables) {
  const body = document.querySelector("#tables tbody");
  body.replaceChildren();
  document.getElementById("no-tables").hidden = tables.length > 0;
  for (const t of tables) {
    const bar = el("div", { class: "bar" }, el("div"));
    bar.firstChild.style.width = ((t.hit_rate || 0) * 100).toFixed(1) + "%";
    body.append(el("tr", {},
      el("td", {}, t.model), el("td", {}, t.version), el("td", {}, t.table), el("td", {}, t.tier),
      el("td", { class: "num" }, fmt(t.lookups, 0)),
      el("td", { class: "num" }, t.hit_rate === null ? "–" : (t.hit_rate * 100).toFixed(1) + "%"),
      el("td", {}, bar),
      el("td", { class: "num" }, bytes(t.resident_bytes))));
  }
}

function renderDeltaStreams(streams) {
  const body = document.querySelector("#delta-streams tbody");
  body.replaceChildren();
  document.getElementById("no-delta-streams").hidden = streams.length > 0;
  for (const s of streams) {
    const state = s.waiting_for_seq > 0 ? s.state + " (seq " + s.waiting_for_seq + ")" : s.state;
    body.append(el("tr", { "data-model": s.model, "data-version": s.version },
      el("td", {}, s.model), el("td", {}, s.version), el("td", {}, s.stream),
      el("td", { class: "stream-state state-" + s.state }, state),
      el("td", { class: "num" }, s.last_seq),
      el("td", { class: "num lag" }, s.lag_seconds === null ? "–" : fmt(s.lag_seconds, 1) + " s"),
      el("td", {}, s.last_applied_published_at ? since(s.last_applied_published_at) : "–"),
      el("td", { class: "num" }, fmt(s.applied, 0)),
      el("td", { class: "num" }, fmt(s.refused, 0)),
      el("td", { class: "error-text" }, s.error || "")));
  }
}

async function poll() {
  const status = document.getElementById("status");
  try {
    const response = await fetch("v1/dashboard", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    const data = await response.json();
    const now = Date.parse(data.generated_at) / 1000;
    renderModels(data.models);
    renderCharts(data.models, now);
    renderBatches(data.models);
    renderTables(data.tables);
    renderDeltaStreams(data.delta_streams || []);
    status.textContent = "updated " + new Date(data.generated_at).toLocaleTimeString("en-GB") + " · up " + ago(now - Date.parse(data.started_at) / 1000);
    status.classList.remove("stale");
  } catch (error) {
    status.textContent = "no data: " + error.message;
    status.classList.add("stale");
  }
  setTimeout(poll, POLL_MS);
}

poll();
