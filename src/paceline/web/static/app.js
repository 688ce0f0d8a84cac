// paceline replay page: plain JS, no external requests. Talks only to the JSON API of the server that served it.
// Track-frame coordinates come from the server (paceline.physics.track.position): metres from the infield centre,
// x along the straights, home straight at y < 0 run towards +x, runners anticlockwise. The canvas flips y.
"use strict";

const $ = (id) => document.getElementById(id);
const WEATHER = ["temperature_c", "relative_humidity", "altitude_m", "wind_speed_m_s", "wind_from_deg"];
const EQUIPMENT = ["shoe_economy_gain", "cda_factor"];

const state = {
  name: null,          // bundled scenario name
  original: null,      // scenario JSON as loaded
  scenario: null,      // edited scenario JSON
  formations: {},      // bundled formations by name
  models: [],
  race: null,          // replay payload of the current race
  ghost: null,         // replay payload of the ghost race
  t: 0,                // race clock [s]
  playing: false,
  speed: 5,
  lastTs: null,
  solving: false,
  pending: false,
  solves: 0,
  lastSolveMs: null,
  busyShown: 0,        // how many solves showed the progress indicator (over BUSY_AFTER_MS)
  labels: [],          // label boxes drawn in the last frame: {text, x, y, w, h, bounds}
  mc: null,            // latest quick Monte Carlo: {id, n, n_done, done, p_target, p05_s, p95_s}
  mcRuns: 0,
  downloads: 0,
};
const BUSY_AFTER_MS = 200;
const TRAIN_RGB = { green: "80,255,140", blue: "90,150,255", white: "255,255,255" };

// ---- formatting ----------------------------------------------------------------------------------------------
function fmtTime(s) {
  if (s === null || s === undefined || !isFinite(s)) return "–";
  let cs = Math.round(s * 100);
  const h = Math.floor(cs / 360000); cs -= h * 360000;
  const m = Math.floor(cs / 6000); cs -= m * 6000;
  const sec = (cs / 100).toFixed(2);
  if (h > 0) return `${h}:${String(m).padStart(2, "0")}:${sec.padStart(5, "0")}`;
  if (m > 0) return `${m}:${sec.padStart(5, "0")}`;
  return sec;
}

// ---- API -----------------------------------------------------------------------------------------------------
async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const r = await fetch(path, opts);
  const data = await r.json();
  if (!r.ok) {
    const msg = data.message || (Array.isArray(data.detail) ? data.detail.map((d) => d.msg).join("; ") : data.detail);
    throw new Error(msg || `HTTP ${r.status}`);
  }
  return data;
}

async function apiBlob(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!r.ok) {
    const data = await r.json();
    throw new Error(data.message || (Array.isArray(data.detail) ? data.detail.map((d) => d.msg).join("; ") : data.detail) || `HTTP ${r.status}`);
  }
  const cd = r.headers.get("Content-Disposition") || "";
  const m = cd.match(/filename="([^"]+)"/);
  return { blob: await r.blob(), name: m ? m[1] : "download" };
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url; a.download = name; document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  state.downloads++;
}

// ---- interpolation ---------------------------------------------------------------------------------------------
function frameAt(race, t) {
  const f = race.frames;
  const n = f.t_s.length;
  const tt = Math.max(0, Math.min(t, f.t_s[n - 1]));
  let i = Math.min(Math.floor(tt / f.dt_s), n - 2);
  while (i > 0 && f.t_s[i] > tt) i--;
  while (i < n - 2 && f.t_s[i + 1] < tt) i++;
  const span = f.t_s[i + 1] - f.t_s[i];
  return { i, w: span > 0 ? (tt - f.t_s[i]) / span : 0 };
}
function lerpAt(xs, ys, fr) {
  const a = [xs[fr.i], ys[fr.i]], b = [xs[fr.i + 1], ys[fr.i + 1]];
  const aOk = a[0] !== null, bOk = b[0] !== null;
  if (aOk && bOk) return { x: a[0] + fr.w * (b[0] - a[0]), y: a[1] + fr.w * (b[1] - a[1]) };
  if (aOk && fr.w < 0.5) return { x: a[0], y: a[1] };
  if (bOk && fr.w >= 0.5) return { x: b[0], y: b[1] };
  return null;
}
function interp(x, xs, ys) {
  if (x <= xs[0]) return ys[0];
  const n = xs.length;
  if (x >= xs[n - 1]) return ys[n - 1];
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (xs[mid] <= x) lo = mid; else hi = mid; }
  const w = (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + w * (ys[hi] - ys[lo]);
}
function athleteAt(race, t) { return lerpAt(race.frames.athlete.x_m, race.frames.athlete.y_m, frameAt(race, t)); }
function distanceAt(race, t) {
  const fr = frameAt(race, t), x = race.frames.x_m;
  return x[fr.i] + fr.w * (x[fr.i + 1] - x[fr.i]);
}

// ---- track drawing ---------------------------------------------------------------------------------------------
function trackTransform(canvas, race) {
  const tr = race.track;
  const outer = tr.lanes[tr.lanes.length - 1];
  let xmax = 0, ymax = 0;
  for (let k = 0; k < outer.x_m.length; k++) { xmax = Math.max(xmax, Math.abs(outer.x_m[k])); ymax = Math.max(ymax, Math.abs(outer.y_m[k])); }
  const pad = 18;
  const scale = Math.min((canvas.width - 2 * pad) / (2 * xmax), (canvas.height - 2 * pad) / (2 * ymax));
  return { scale, cx: canvas.width / 2, cy: canvas.height / 2 };
}
const toPx = (T, p) => [T.cx + p.x * T.scale, T.cy - p.y * T.scale];

function path(ctx, T, xs, ys, close) {
  ctx.beginPath();
  for (let k = 0; k < xs.length; k++) {
    const [px, py] = toPx(T, { x: xs[k], y: ys[k] });
    if (k === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
  }
  if (close) ctx.closePath();
}

function drawTrack(ctx, T, race) {
  const tr = race.track;
  const inner = tr.lanes[0], outer = tr.lanes[tr.lanes.length - 1];
  ctx.fillStyle = "#0c1016"; ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  path(ctx, T, outer.x_m, outer.y_m, true); ctx.fillStyle = "#b4533a"; ctx.fill();
  path(ctx, T, inner.x_m, inner.y_m, true); ctx.fillStyle = "#2f6b3a"; ctx.fill();
  ctx.strokeStyle = "rgba(255,255,255,0.75)"; ctx.lineWidth = 1;
  for (const lane of tr.lanes) { path(ctx, T, lane.x_m, lane.y_m, true); ctx.stroke(); }
  ctx.strokeStyle = "#d9d9d9"; ctx.lineWidth = 2.5; path(ctx, T, inner.x_m, inner.y_m, true); ctx.stroke();
  // light rail, just inside the kerb
  ctx.strokeStyle = "#1b1f24"; ctx.lineWidth = 3; path(ctx, T, tr.light_rail.x_m, tr.light_rail.y_m, true); ctx.stroke();
  const line = (l, color, w) => {
    const a = toPx(T, { x: l.x_m[0], y: l.y_m[0] }), b = toPx(T, { x: l.x_m[1], y: l.y_m[1] });
    ctx.strokeStyle = color; ctx.lineWidth = w; ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
  };
  line(tr.finish, "#ffffff", 3);
  line(tr.start, "#ffd84a", 2);
  ctx.fillStyle = "#ffffff"; ctx.font = "12px sans-serif";
  const f = toPx(T, { x: tr.finish.x_m[1], y: tr.finish.y_m[1] });
  ctx.fillText("finish", f[0] - 16, f[1] + 14);
  const s = toPx(T, { x: tr.start.x_m[1], y: tr.start.y_m[1] });
  ctx.fillStyle = "#ffd84a"; ctx.fillText("start", s[0] - 14, s[1] + 14);
}

function railPoint(race, sRef) {
  const rail = race.track.light_rail, n = rail.x_m.length, lap = race.track.lap_m;
  const u = (((sRef % lap) + lap) % lap) / lap * n;
  const i = Math.floor(u) % n, j = (i + 1) % n, w = u - Math.floor(u);
  return { x: rail.x_m[i] + w * (rail.x_m[j] - rail.x_m[i]), y: rail.y_m[i] + w * (rail.y_m[j] - rail.y_m[i]) };
}

function drawLights(ctx, T, race, t) {
  const fr = frameAt(race, t);
  ctx.lineCap = "round";
  for (const tr of race.frames.trains || []) {
    const L = tr.race_m, front = L[fr.i] + fr.w * (L[fr.i + 1] - L[fr.i]);
    const s0 = race.start_s_ref_m + front, rgb = TRAIN_RGB[tr.colour] || "200,200,200";
    for (let k = 0; k < 16; k++) {   // the lit band: 16 m of rail behind the front, brightest at the front
      const a = toPx(T, railPoint(race, s0 - k - 1)), b = toPx(T, railPoint(race, s0 - k));
      ctx.strokeStyle = `rgba(${rgb},${(1 - k / 16).toFixed(3)})`;
      ctx.lineWidth = 5; ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
    }
    const p = toPx(T, railPoint(race, s0));
    ctx.fillStyle = `rgb(${rgb})`; ctx.beginPath(); ctx.arc(p[0], p[1], 4, 0, 2 * Math.PI); ctx.fill();
  }
  ctx.lineCap = "butt";
}

function trainFront(race, tr, t) {
  const fr = frameAt(race, t), L = tr.race_m;
  return L[fr.i] + fr.w * (L[fr.i + 1] - L[fr.i]);
}

// ---- labels: never overlapping, never outside their box -----------------------------------------------------------
function placeLabels(ctx, items, bounds) {
  // items: {text, x, y, color, font}; greedy: try right and left of the dot, then a line above or below, and so on
  const placed = [];
  const sorted = items.slice().sort((a, b) => a.y - b.y);
  for (const it of sorted) {
    ctx.font = it.font;
    const w = ctx.measureText(it.text).width + 2, h = 13;
    let best = null;
    for (let k = 0; k < 40 && !best; k++) {
      const dy = (k % 2 ? 1 : -1) * Math.ceil(k / 2) * (h + 1);
      for (const dx of [6, -6 - w]) {
        let x = it.x + dx, y = it.y - h / 2 + dy;
        x = Math.max(bounds.x + 1, Math.min(x, bounds.x + bounds.w - w - 1));
        y = Math.max(bounds.y + 1, Math.min(y, bounds.y + bounds.h - h - 1));
        const box = { x, y, w, h };
        if (!placed.some((p) => box.x < p.x + p.w && p.x < box.x + box.w && box.y < p.y + p.h && p.y < box.y + box.h)) { best = box; break; }
      }
    }
    if (!best) continue;   // no free spot: better no label than one on top of another
    placed.push(best);
    if (Math.abs(best.y + best.h / 2 - it.y) > best.h) {   // moved away: a thin leader line to the dot
      ctx.strokeStyle = "rgba(230,233,239,0.45)"; ctx.lineWidth = 1; ctx.beginPath();
      ctx.moveTo(it.x, it.y); ctx.lineTo(best.x < it.x ? best.x + best.w : best.x, best.y + best.h / 2); ctx.stroke();
    }
    ctx.fillStyle = it.color; ctx.fillText(it.text, best.x + 1, best.y + h - 3);
    state.labels.push({ text: it.text, ...best, bounds });
  }
}

function dot(ctx, p, r, fill, stroke) {
  ctx.beginPath(); ctx.arc(p[0], p[1], r, 0, 2 * Math.PI); ctx.fillStyle = fill; ctx.fill();
  if (stroke) { ctx.strokeStyle = stroke; ctx.lineWidth = 1; ctx.stroke(); }
}

function drawRunners(ctx, T, race, ghost, t, radiusPx, labels) {
  // labels: {pacers, items}: name labels are collected into items (placed later); pacers named only if labels.pacers
  const fr = frameAt(race, t);
  for (const p of race.frames.pacers) {
    const q = lerpAt(p.x_m, p.y_m, fr);
    if (!q) continue;
    const px = toPx(T, q);
    dot(ctx, px, radiusPx, "#4aa3ff", "#0b2340");
    if (labels.pacers) labels.items.push({ text: p.name, x: px[0], y: px[1], color: "#cfe6ff", font: "11px sans-serif" });
  }
  if (ghost) {
    const g = athleteAt(ghost, t);
    if (g) {
      const gp = toPx(T, g);
      ctx.globalAlpha = 0.65; dot(ctx, gp, radiusPx + 1, "#c58bff", "#ffffff"); ctx.globalAlpha = 1;
      labels.items.push({ text: `ghost: ${ghost.scenario}`, x: gp[0], y: gp[1], color: "#e6d2ff", font: "11px sans-serif" });
    }
  }
  const a = athleteAt(race, t);
  if (a) {
    const ap = toPx(T, a);
    dot(ctx, ap, radiusPx + 1, "#ff7a45", "#ffffff");
    labels.items.push({ text: race.athlete, x: ap[0], y: ap[1], color: "#ffd9c9", font: "bold 12px sans-serif" });
  }
}

function drawWind(ctx, race) {
  const w = race.wind;
  const cx = ctx.canvas.width * 0.2, cy = ctx.canvas.height * 0.5;
  ctx.fillStyle = "#e6e9ef"; ctx.font = "12px sans-serif";
  ctx.fillText(`wind ${w.speed_m_s.toFixed(1)} m/s from ${w.from_deg.toFixed(0)}°`, cx - 60, cy + 42);
  if (w.speed_m_s <= 0) return;
  const len = 14 + 8 * Math.min(w.speed_m_s, 6);
  const dx = Math.cos(w.towards_rad), dy = -Math.sin(w.towards_rad);
  const x0 = cx - dx * len / 2, y0 = cy - dy * len / 2, x1 = cx + dx * len / 2, y1 = cy + dy * len / 2;
  ctx.strokeStyle = "#e6e9ef"; ctx.lineWidth = 3; ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
  const ang = Math.atan2(y1 - y0, x1 - x0);
  ctx.beginPath(); ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - 10 * Math.cos(ang - 0.45), y1 - 10 * Math.sin(ang - 0.45));
  ctx.lineTo(x1 - 10 * Math.cos(ang + 0.45), y1 - 10 * Math.sin(ang + 0.45));
  ctx.closePath(); ctx.fillStyle = "#e6e9ef"; ctx.fill();
}

function drawInset(ctx, race, ghost, t) {
  // a follow-cam in the infield: 20 m x 10 m around the athlete, to see the formation
  const c = ctx.canvas, W = c.width * 0.42, H = W / 2, X = c.width * 0.5 - W / 2 + c.width * 0.08, Y = c.height / 2 - H / 2;
  const a = athleteAt(race, t);
  if (!a) return;
  ctx.save();
  ctx.beginPath(); ctx.rect(X, Y, W, H); ctx.clip();
  const scale = W / 20;
  const T = { scale, cx: X + W / 2 - a.x * scale, cy: Y + H / 2 + a.y * scale };
  drawTrack(ctx, T, race);
  drawLights(ctx, T, race, t);
  const labels = { pacers: true, items: [] };
  drawRunners(ctx, T, race, ghost, t, Math.max(3, 0.3 * scale), labels);
  placeLabels(ctx, labels.items, { x: X, y: Y, w: W, h: H });
  ctx.restore();
  ctx.strokeStyle = "#e6e9ef"; ctx.lineWidth = 1; ctx.strokeRect(X, Y, W, H);
  ctx.fillStyle = "#e6e9ef"; ctx.font = "11px sans-serif"; ctx.fillText("follow-cam (20 m wide)", X + 4, Y - 4);
}

// ---- a road: the course as a distance strip, and a follow-cam of the formation ---------------------------------------
function runnersOnRoad(race, t) {
  const fr = frameAt(race, t), f = race.frames;
  const x = distanceAt(race, t), off = f.athlete_off_m[fr.i] + fr.w * (f.athlete_off_m[fr.i + 1] - f.athlete_off_m[fr.i]);
  const pacers = [];
  for (const p of f.pacers) {
    const ra = p.race_m[fr.i], rb = p.race_m[fr.i + 1], oa = p.off_m[fr.i], ob = p.off_m[fr.i + 1];
    if (ra === null || rb === null) continue;
    pacers.push({ name: p.name, x: ra + fr.w * (rb - ra), off: oa + fr.w * (ob - oa) });
  }
  return { x, off, pacers };
}

function drawRoad(ctx, race, ghost, t) {
  const c = ctx.canvas, W = c.width, D = race.distance_m;
  ctx.fillStyle = "#0c1016"; ctx.fillRect(0, 0, W, c.height);
  const L = 40, R = 40, y0 = 70, X = (d) => L + (d / D) * (W - L - R);
  ctx.fillStyle = "#3b3f46"; ctx.fillRect(L, y0 - 9, W - L - R, 18);
  ctx.strokeStyle = "#d9d9d9"; ctx.lineWidth = 1; ctx.setLineDash([8, 8]);
  ctx.beginPath(); ctx.moveTo(L, y0); ctx.lineTo(W - R, y0); ctx.stroke(); ctx.setLineDash([]);
  ctx.fillStyle = "#8b95a5"; ctx.font = "11px sans-serif";
  const step = D > 20000 ? 5000 : D > 5000 ? 1000 : 100;
  for (let d = 0; d <= D + 1e-6; d += step) {
    const x = X(d); ctx.fillRect(x, y0 + 10, 1, 6);
    ctx.fillText(d >= 1000 ? `${d / 1000} km` : `${d} m`, x - 12, y0 + 28);
  }
  ctx.fillStyle = "#ffffff"; ctx.fillRect(X(D) - 1, y0 - 14, 3, 28);
  ctx.fillStyle = "#ffd84a"; ctx.fillRect(X(0) - 1, y0 - 14, 3, 28);
  ctx.fillStyle = "#e6e9ef"; ctx.font = "12px sans-serif";
  ctx.fillText(`${race.track.name || "road"}: ${(D / 1000).toFixed(3)} km from start (yellow) to finish (white), drawn as a distance strip`, L, 24);
  const me = runnersOnRoad(race, t);
  const labels = [];
  if (ghost) {
    const gx = X(Math.min(distanceAt(ghost, t), D));
    dot(ctx, [gx, y0 + 4], 5, "#c58bff", "#ffffff");
    labels.push({ text: `ghost: ${ghost.scenario}`, x: gx, y: y0 + 4, color: "#e6d2ff", font: "11px sans-serif" });
  }
  dot(ctx, [X(me.x), y0 - 4], 6, "#ff7a45", "#ffffff");
  labels.push({ text: race.athlete, x: X(me.x), y: y0 - 4, color: "#ffd9c9", font: "bold 12px sans-serif" });
  placeLabels(ctx, labels, { x: 0, y: 32, w: W, h: y0 + 10 - 32 + 40 });
  // follow-cam: 30 m of road around the athlete, from above, running to the right
  const FX = 60, FY = 160, FW = W - 120, FH = c.height - FY - 30, scale = FW / 30;
  ctx.fillStyle = "#3b3f46"; ctx.fillRect(FX, FY, FW, FH);
  ctx.strokeStyle = "#e6e9ef"; ctx.strokeRect(FX, FY, FW, FH);
  ctx.fillStyle = "#e6e9ef"; ctx.font = "11px sans-serif";
  ctx.fillText("follow-cam: 30 m of road around the athlete, running to the right", FX + 4, FY - 6);
  const P = (x, off) => [FX + FW / 2 + (x - me.x) * scale, FY + FH / 2 + (off - me.off) * scale];
  const items = [];
  for (const p of me.pacers) {
    const q = P(p.x, p.off);
    if (q[0] < FX || q[0] > FX + FW || q[1] < FY || q[1] > FY + FH) continue;
    dot(ctx, q, Math.max(3, 0.3 * scale), "#4aa3ff", "#0b2340");
    items.push({ text: p.name, x: q[0], y: q[1], color: "#cfe6ff", font: "11px sans-serif" });
  }
  const a = P(me.x, me.off);
  dot(ctx, a, Math.max(4, 0.3 * scale) + 1, "#ff7a45", "#ffffff");
  items.push({ text: race.athlete, x: a[0], y: a[1], color: "#ffd9c9", font: "bold 12px sans-serif" });
  placeLabels(ctx, items, { x: FX, y: FY, w: FW, h: FH });
}

function drawScene() {
  const race = state.race;
  if (!race) return;
  const canvas = $("track"), ctx = canvas.getContext("2d");
  state.labels = [];
  if (race.track.kind === "road") { drawRoad(ctx, race, state.ghost, state.t); return; }
  const T = trackTransform(canvas, race);
  drawTrack(ctx, T, race);
  drawLights(ctx, T, race, state.t);
  drawWind(ctx, race);
  const labels = { pacers: false, items: [] };
  drawRunners(ctx, T, race, state.ghost, state.t, 4, labels);
  placeLabels(ctx, labels.items, { x: 0, y: 0, w: canvas.width, h: canvas.height });
  drawInset(ctx, race, state.ghost, state.t);
}

function buildLegend() {
  const race = state.race, ul = $("legend"); ul.innerHTML = "";
  const add = (color, text, bar) => {
    const li = document.createElement("li"), sw = document.createElement("span");
    sw.className = bar ? "sw bar" : "sw"; sw.style.background = color; li.append(sw, document.createTextNode(text)); ul.appendChild(li);
    return li;
  };
  add("#ff7a45", `${race.athlete} (predicted ${race.finish})`);
  if (race.frames.pacers.length) add("#4aa3ff", `pacers (${race.frames.pacers.length}; named in the follow-cam)`);
  if (state.ghost) add("#c58bff", `ghost: ${state.ghost.scenario} (${state.ghost.finish})`);
  for (const tr of race.frames.trains || []) {
    const li = add(`rgb(${TRAIN_RGB[tr.colour] || "200,200,200"})`, `lights: ${tr.label}`, true);
    li.dataset.train = tr.train;
  }
  if (race.track.kind === "road") add("#3b3f46", "road race: no pacing lights (no rail)", true);
}

// ---- charts --------------------------------------------------------------------------------------------------
const CHARTS = [
  { id: "chart-speed", key: "v_m_s", label: "speed [m/s]", k: 1 },
  { id: "chart-shelter", key: "shelter", label: "shelter [%]", k: 100 },
  { id: "chart-energy", key: "energy_kj_kg", label: "metabolic energy spent [kJ/kg]", k: 1 },
];

function drawCharts() {
  const race = state.race;
  if (!race) return;
  const xNow = distanceAt(race, state.t);
  for (const ch of CHARTS) {
    const c = $(ch.id), ctx = c.getContext("2d");
    const L = 56, R = 12, Tp = 16, B = 20, W = c.width - L - R, H = c.height - Tp - B;
    ctx.fillStyle = "#0c1016"; ctx.fillRect(0, 0, c.width, c.height);
    const series = [race.series];
    if (state.ghost) series.push(state.ghost.series);
    let lo = Infinity, hi = -Infinity;
    for (const s of series) for (const v of s[ch.key] || []) { if (v !== null) { lo = Math.min(lo, v * ch.k); hi = Math.max(hi, v * ch.k); } }
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (hi - lo < 1e-9) { hi += 0.5; lo -= 0.5; }
    const nonNegative = lo >= 0;
    const padv = 0.08 * (hi - lo); lo -= padv; hi += padv;
    if (nonNegative) lo = Math.max(lo, 0);
    const xMax = Math.max(race.distance_m, state.ghost ? state.ghost.distance_m : 0);
    const X = (x) => L + (x / xMax) * W, Y = (v) => Tp + H - ((v - lo) / (hi - lo)) * H;
    ctx.strokeStyle = "#2a3240"; ctx.lineWidth = 1; ctx.fillStyle = "#8b95a5"; ctx.font = "11px sans-serif";
    for (let k = 0; k <= 2; k++) {
      const v = lo + (k / 2) * (hi - lo), y = Y(v);
      ctx.beginPath(); ctx.moveTo(L, y); ctx.lineTo(L + W, y); ctx.stroke();
      ctx.fillText(v.toFixed(ch.k === 100 ? 0 : 2), 4, y + 4);
    }
    for (const sp of race.marks.slice(1)) { const x = X(sp.distance_m); ctx.beginPath(); ctx.moveTo(x, Tp); ctx.lineTo(x, Tp + H); ctx.stroke(); }
    ctx.fillText(ch.label, L + 4, 12);
    ctx.fillText(`${xMax.toFixed(0)} m`, L + W - 44, c.height - 5);
    series.forEach((s, idx) => {
      const ys = s[ch.key] || [];
      ctx.strokeStyle = idx === 0 ? "#ff7a45" : "#c58bff"; ctx.lineWidth = idx === 0 ? 2 : 1.5;
      ctx.setLineDash(idx === 0 ? [] : [5, 4]);
      ctx.beginPath();
      ys.forEach((v, k) => { const x = X(s.x_m[k]), y = Y(v * ch.k); if (k === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y); });
      ctx.stroke(); ctx.setLineDash([]);
    });
    const cx = X(xNow);
    ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 1; ctx.beginPath(); ctx.moveTo(cx, Tp); ctx.lineTo(cx, Tp + H); ctx.stroke();
    const vNow = interp(xNow, race.series.x_m, race.series[ch.key]) * ch.k;
    ctx.fillStyle = "#ffffff"; ctx.fillText(vNow.toFixed(ch.k === 100 ? 1 : 2), Math.min(cx + 4, L + W - 40), Tp + 12);
  }
}

// ---- clock, splits, controls -------------------------------------------------------------------------------------
function updateReadout() {
  const race = state.race;
  if (!race) return;
  $("clock").textContent = fmtTime(state.t);
  const scrub = $("scrub");
  if (document.activeElement !== scrub) scrub.value = String(state.t);
  const sp = race.marks.slice(1);   // lap lines on a track, every 5 km on a road, then the finish
  let text = "";
  for (let k = 0; k < sp.length; k++) {
    const t0 = k === 0 ? 0 : sp[k - 1].time_s;
    if (state.t < sp[k].time_s || k === sp.length - 1) {
      const last = k > 0 ? `  last ${fmtTime(sp[k - 1].time_s - (k > 1 ? sp[k - 2].time_s : 0))}` : "";
      const done = state.t >= race.finish_s;
      text = done ? `finish ${race.finish}` : `split ${k + 1} to ${sp[k].distance_m.toFixed(0)} m: ${fmtTime(state.t - t0)}${last}`;
      break;
    }
  }
  $("split").textContent = text;
  $("play").textContent = state.playing ? "Pause" : "Play";
}

function render() { drawScene(); drawCharts(); updateReadout(); }

function loop(ts) {
  if (state.playing && state.race) {
    if (state.lastTs !== null) {
      const end = Math.max(state.race.finish_s, state.ghost ? state.ghost.finish_s : 0);
      state.t = Math.min(state.t + ((ts - state.lastTs) / 1000) * state.speed, end);
      if (state.t >= end) state.playing = false;
    }
    state.lastTs = ts;
  } else {
    state.lastTs = null;
  }
  render();
  requestAnimationFrame(loop);
}

function setTime(t) {
  const end = state.race ? Math.max(state.race.finish_s, state.ghost ? state.ghost.finish_s : 0) : 0;
  state.t = Math.max(0, Math.min(t, end));
  render();
}

function buildLaps() {
  const box = $("laps"); box.innerHTML = "";
  for (const m of state.race.marks) {
    const b = document.createElement("button"); b.type = "button"; b.textContent = m.label;
    b.title = `${m.distance_m.toFixed(3)} m, ${fmtTime(m.time_s)}`;
    b.addEventListener("click", () => setTime(m.time_s)); box.appendChild(b);
  }
}

function showRace(race) {
  state.race = race;
  $("predicted").textContent = race.finish;
  $("model").textContent = race.model;
  $("target").textContent = race.target || "–";
  $("actual").textContent = race.actual || "–";
  const end = Math.max(race.finish_s, state.ghost ? state.ghost.finish_s : 0);
  $("scrub").max = String(end);
  state.t = Math.min(state.t, end);
  buildLaps();
  buildLegend();
  const ul = $("assumptions"); ul.innerHTML = "";
  for (const a of race.assumptions) { const li = document.createElement("li"); li.textContent = `${a.name} = ${a.value} ${a.unit} (${a.source})`; ul.appendChild(li); }
  render();
}

// ---- editor ----------------------------------------------------------------------------------------------------
const clone = (o) => JSON.parse(JSON.stringify(o));
const names = (text) => text.split(",").map((x) => x.trim()).filter((x) => x);

function phaseEditors() {
  const box = $("phases"); box.innerHTML = "";
  const h = document.createElement("h3"); h.textContent = "Pacing phases"; box.appendChild(h);
  const phases = state.original.pacing || [];
  if (!phases.length) { const p = document.createElement("p"); p.className = "hint"; p.textContent = "no pacing phases: run solo"; box.appendChild(p); }
  phases.forEach((ph, k) => {
    const div = document.createElement("div"); div.className = "phase";
    const row = (label, el) => { const r = document.createElement("div"); r.className = "row"; const l = document.createElement("label"); l.textContent = label; l.htmlFor = el.id; r.append(l, el); div.appendChild(r); };
    const to = document.createElement("input"); to.type = "number"; to.id = `to-${k}`; to.step = "any"; to.min = "0";
    to.value = String(ph.to_m); to.setAttribute("aria-label", `phase ${k + 1} ends at [m]`);
    if (k === phases.length - 1) to.disabled = true;   // the last phase ends at the finish
    const title = document.createElement("div"); title.className = "title"; title.id = `from-${k}`;
    title.textContent = `phase ${k + 1} from ${ph.from_m.toFixed(1)} m to`;
    div.appendChild(title);
    row("to [m]", to);
    const sel = document.createElement("select"); sel.id = `formation-${k}`; sel.setAttribute("aria-label", `formation ${k + 1}`);
    const own = Object.keys(state.original.formations || {});
    for (const name of [...Object.keys(state.formations), ...own]) {
      const o = document.createElement("option"); o.value = name; o.textContent = name; sel.appendChild(o);
    }
    sel.value = ph.formation;
    row("formation", sel);
    const num = document.createElement("input"); num.type = "number"; num.min = "0"; num.id = `pacers-${k}`;
    num.setAttribute("aria-label", `pacers ${k + 1}`);
    const slots = () => formationSlots(sel.value).length;
    num.max = String(slots()); num.value = String(slots());
    row("pacers", num);
    const who = document.createElement("input"); who.type = "text"; who.id = `names-${k}`; who.value = (ph.pacers || []).join(", ");
    who.placeholder = "unnamed"; who.setAttribute("aria-label", `pacers of phase ${k + 1}, in slot order`);
    row("who", who);
    sel.addEventListener("change", () => { num.max = String(slots()); num.value = String(slots()); edited(); });
    to.addEventListener("change", () => { const next = $(`from-${k + 1}`); if (next) next.textContent = `phase ${k + 2} from ${Number(to.value).toFixed(1)} m to`; edited(); });
    for (const el of [num, who]) el.addEventListener("change", edited);
    box.appendChild(div);
  });
}

function formationSlots(name) {
  const own = (state.original.formations || {})[name];
  if (own) return own.slots || [];
  return state.formations[name] ? state.formations[name].slots : [];
}

function parsePerformances(text) {
  return text.split("\n").map((l) => l.trim()).filter((l) => l).map((l) => {
    const [d, t] = l.split(/[\s,;]+/);
    const out = { distance_m: Number(d) };
    if (/^\d+(\.\d*)?$/.test(t || "")) out.time_s = Number(t); else out.time = t || "";
    return out;
  });
}

function fromEditor() {
  const sc = clone(state.original);
  sc.conditions = sc.conditions || {};
  sc.equipment = sc.equipment || {};
  for (const k of WEATHER) sc.conditions[k] = Number($(k).value);
  for (const k of EQUIPMENT) sc.equipment[k] = Number($(k).value);
  // keep a range consistent with an edited value (the uncertainty ranges must contain it)
  for (const k of ["temperature_c", "wind_speed_m_s", "relative_humidity"]) {
    const r = sc.conditions[`${k}_range`];
    if (r) sc.conditions[`${k}_range`] = [Math.min(r[0], sc.conditions[k]), Math.max(r[1], sc.conditions[k])];
  }
  const ath = sc.athlete;
  ath.name = $("athlete-name").value.trim();
  ath.height_m = Number($("height_m").value);
  ath.mass_kg = Number($("mass_kg").value);
  if ($("calibration").value) ath.calibration = $("calibration").value; else delete ath.calibration;
  const perfs = parsePerformances($("performances").value);
  // keep the dates and notes of performances left as they were
  ath.performances = perfs.map((p, i) => {
    const o = (state.original.athlete.performances || [])[i];
    return o && o.distance_m === p.distance_m && (p.time_s === undefined || o.time_s === p.time_s) && p.time === undefined ? o : p;
  });
  delete sc.target_s; delete sc.target;
  const target = $("target-time").value.trim();
  if (target) sc.target = /^\d+(\.\d*)?$/.test(target) ? Number(target) : target;
  const roster = names($("roster").value);
  const known = Object.fromEntries((state.original.pacers || []).map((p) => [p.name, p]));
  sc.pacers = roster.map((n) => known[n] || { name: n });
  let from = 0;
  (sc.pacing || []).forEach((ph, k) => {
    ph.from_m = from;
    ph.to_m = k === sc.pacing.length - 1 ? sc.distance_m : Number($(`to-${k}`).value);
    from = ph.to_m;
    const form = $(`formation-${k}`).value;
    const all = formationSlots(form);
    const n = Math.max(0, Math.min(all.length, Math.round(Number($(`pacers-${k}`).value) || 0)));
    const who = names($(`names-${k}`).value);
    if (n === 0) { ph.formation = "solo"; ph.pacers = []; return; }
    if (n === all.length) {
      ph.formation = form;
    } else {
      const base = state.formations[form] || (state.original.formations || {})[form] || {};
      const name = `${form}-first-${n}`;
      sc.formations = sc.formations || {};
      sc.formations[name] = { name, description: `${form}, first ${n} slots`, slots: all.slice(0, n).map((s) => ({ name: s.name, dx_m: s.dx_m, dy_m: s.dy_m })) };
      if (base.athlete_offset_m !== undefined) sc.formations[name].athlete_offset_m = base.athlete_offset_m;
      ph.formation = name;
    }
    ph.pacers = who.length > n ? who.slice(0, n) : who;
  });
  return sc;
}

function setEditorValues(sc) {
  // the server's scenario JSON carries every weather and kit field, defaults filled (the reference conditions
  // live in one place, paceline.physics.air.REFERENCE_CONDITIONS): no second copy of them here
  const a = sc.athlete;
  for (const k of WEATHER) $(k).value = String(sc.conditions[k]);
  for (const k of EQUIPMENT) $(k).value = String(sc.equipment[k]);
  $("athlete-name").value = a.name; $("height_m").value = String(a.height_m); $("mass_kg").value = String(a.mass_kg);
  $("calibration").value = a.calibration || "";
  $("performances").value = (a.performances || []).map((p) => `${p.distance_m} ${fmtTime(p.time_s)}`).join("\n");
  $("target-time").value = sc.target_s ? fmtTime(sc.target_s) : "";
  $("roster").value = (sc.pacers || []).map((p) => p.name).join(", ");
  showOutputs();
}

function showOutputs() {
  for (const k of [...WEATHER, ...EQUIPMENT]) document.querySelector(`output[for="${k}"]`).textContent = $(k).value;
}

async function busy(work) {
  // a progress indicator on anything that takes over BUSY_AFTER_MS
  const timer = setTimeout(() => { $("busy").hidden = false; state.busyShown++; }, BUSY_AFTER_MS);
  try { return await work(); } finally { clearTimeout(timer); $("busy").hidden = true; }
}

async function solveNow(model) {
  if (state.solving) { state.pending = true; return; }
  state.solving = true;
  const t0 = performance.now();
  try {
    state.scenario = fromEditor();
    const race = await busy(() => api("/api/solve", { scenario: state.scenario, model: model || "equal-power" }));
    state.lastSolveMs = performance.now() - t0;
    state.solves++;
    $("error").textContent = "";
    $("status").textContent = `${race.model}: ${race.finish} (round trip ${state.lastSolveMs.toFixed(0)} ms)`;
    showRace(race);
    scheduleMonteCarlo();
  } catch (err) {
    $("error").textContent = String(err.message || err);
  } finally {
    state.solving = false;
    if (state.pending) { state.pending = false; solveNow(); }
  }
}

function edited() { showOutputs(); solveNow(); }

// ---- P(target): a quick Monte Carlo on the server, polled with a progress bar ----------------------------------------
let mcTimer = null;
function scheduleMonteCarlo() {
  clearTimeout(mcTimer);
  mcTimer = setTimeout(startMonteCarlo, 400);
}

async function startMonteCarlo() {
  const bar = $("mc-progress");
  try {
    const job = await api("/api/uncertainty", { scenario: state.scenario });
    state.mc = { ...job, n_done: 0, done: false };
    bar.hidden = false; bar.value = 0;
    $("p-target").textContent = "…"; $("interval").textContent = "…";
    while (state.mc && state.mc.id === job.id && !state.mc.done) {
      await new Promise((r) => setTimeout(r, 200));
      const s = await api(`/api/uncertainty/${job.id}`);
      if (!state.mc || state.mc.id !== job.id) return;   // a newer edit started another run
      state.mc = s; bar.value = s.n ? s.n_done / s.n : 0;
    }
    bar.hidden = true;
    const s = state.mc;
    if (s.error) { $("p-target").textContent = "–"; $("interval").textContent = "–"; $("error").textContent = s.error; return; }
    $("p-target").textContent = s.p_target === null ? "no target" : `${(100 * s.p_target).toFixed(0)} %`;
    $("interval").textContent = `${fmtTime(s.p05_s)}–${fmtTime(s.p95_s)}`;
    state.mcRuns++;
  } catch (err) {
    bar.hidden = true;
    $("error").textContent = String(err.message || err);
  }
}

// ---- downloads -------------------------------------------------------------------------------------------------
async function download(path, body) {
  try {
    const { blob, name } = await busy(() => apiBlob(path, body));
    $("error").textContent = "";
    saveBlob(blob, name);
    $("status").textContent = `downloaded ${name}`;
  } catch (err) {
    $("error").textContent = String(err.message || err);
  }
}

// ---- keyboard: Space play/pause, arrows step, Home restart -------------------------------------------------------------
function onKey(ev) {
  const tag = (ev.target && ev.target.tagName) || "";
  if (["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(tag) && !(tag === "BUTTON" && ev.key !== " ")) return;
  if (!state.race) return;
  if (ev.key === " ") { ev.preventDefault(); togglePlay(); }
  else if (ev.key === "ArrowRight") { ev.preventDefault(); setTime(state.t + (ev.shiftKey ? 10 : 1)); }
  else if (ev.key === "ArrowLeft") { ev.preventDefault(); setTime(state.t - (ev.shiftKey ? 10 : 1)); }
  else if (ev.key === "Home") { ev.preventDefault(); restart(); }
}

function raceEnd() { return state.race ? Math.max(state.race.finish_s, state.ghost ? state.ghost.finish_s : 0) : 0; }
function togglePlay() {
  if (!state.playing && state.race && state.t >= raceEnd()) state.t = 0;
  state.playing = !state.playing; render();
}
function restart() { state.t = 0; render(); }

async function loadScenario(name) {
  const data = await api(`/api/scenarios/${encodeURIComponent(name)}`);
  state.name = name;
  state.original = data.scenario;
  phaseEditors();
  setEditorValues(state.original);
  state.t = 0;
  await solveNow();
}

async function loadGhost(name) {
  if (!name) { state.ghost = null; $("ghost-time").textContent = "–"; }
  else {
    try {
      state.ghost = await busy(() => api("/api/solve", { name }));
      $("ghost-time").textContent = `${state.ghost.finish} (${name})`;
    } catch (err) { $("error").textContent = String(err.message || err); }
  }
  if (state.race) showRace(state.race);
}

async function init() {
  const [list, forms, models] = await Promise.all([api("/api/scenarios"), api("/api/formations"), api("/api/models")]);
  for (const f of forms.formations) state.formations[f.name] = f;
  state.models = models.models;
  const names = list.scenarios.map((s) => s.name);
  for (const sel of [$("scenario"), $("ghost")]) {
    for (const n of names) { const o = document.createElement("option"); o.value = n; o.textContent = n; sel.appendChild(o); }
  }
  const calibrations = [["", "(default)"], ...names.map((n) => [n, n]), ["performances", "the athlete's performances"], ["self", "this race's result"]];
  for (const [value, text] of calibrations) {
    const o = document.createElement("option"); o.value = value; o.textContent = text; $("calibration").appendChild(o);
  }
  const params = new URLSearchParams(location.search);
  const first = names.includes(params.get("scenario")) ? params.get("scenario") : (names.includes("breaking4") ? "breaking4" : names[0]);
  $("scenario").value = first;
  const exact = $("exact");
  exact.disabled = !state.models.includes("optimal-control");
  exact.title = exact.disabled ? "the optimal-control model is not installed yet" : "solve with the optimal-control model";
  $("scenario").addEventListener("change", () => loadScenario($("scenario").value));
  $("ghost").addEventListener("change", () => loadGhost($("ghost").value));
  $("play").addEventListener("click", togglePlay);
  $("restart").addEventListener("click", restart);
  document.addEventListener("keydown", onKey);
  for (const id of ["athlete-name", "height_m", "mass_kg", "calibration", "performances", "target-time", "roster"]) $(id).addEventListener("change", edited);
  $("download-toml").addEventListener("click", () => download("/api/export", { scenario: fromEditor() }));
  $("make-plan").addEventListener("click", () => download("/api/plan", { scenario: fromEditor() }));
  $("speed").addEventListener("change", () => { state.speed = Number($("speed").value); });
  $("scrub").addEventListener("input", () => setTime(Number($("scrub").value)));
  for (const k of [...WEATHER, ...EQUIPMENT]) $(k).addEventListener("input", edited);
  for (const k of [...WEATHER, ...EQUIPMENT]) $(k).addEventListener("keydown", (ev) => ev.stopPropagation());
  $("reset").addEventListener("click", () => { phaseEditors(); setEditorValues(state.original); solveNow(); });
  exact.addEventListener("click", () => solveNow("optimal-control"));
  for (const ch of CHARTS) {
    const c = $(ch.id);
    const seek = (ev) => {
      if (!state.race) return;
      const r = c.getBoundingClientRect(), L = 56, R = 12;
      const frac = ((ev.clientX - r.left) * (c.width / r.width) - L) / (c.width - L - R);
      const x = Math.max(0, Math.min(1, frac)) * state.race.distance_m;
      setTime(interp(x, state.race.series.x_m, state.race.series.t_s));
    };
    c.addEventListener("mousedown", seek);
    c.addEventListener("mousemove", (ev) => { if (ev.buttons & 1) seek(ev); });
  }
  state.speed = Number($("speed").value);
  await loadScenario(first);
  const ghost = params.get("ghost");
  if (ghost && names.includes(ghost)) { $("ghost").value = ghost; await loadGhost(ghost); }
  if (params.get("t")) setTime(Number(params.get("t")));
  document.body.dataset.ready = "1";
  requestAnimationFrame(loop);
}

// For tests and the curious: the replay's state and where the athlete is drawn (track frame, metres).
window.paceline = {
  state,
  athlete: () => (state.race ? athleteAt(state.race, state.t) : null),
  distance: () => (state.race ? distanceAt(state.race, state.t) : null),
  setTime,
  labels: () => state.labels,
  trainFront: (train) => {
    const tr = state.race && (state.race.frames.trains || []).find((x) => x.train === train);
    return tr ? trainFront(state.race, tr, state.t) : null;
  },
};

init().catch((err) => { $("error").textContent = String(err.message || err); });
