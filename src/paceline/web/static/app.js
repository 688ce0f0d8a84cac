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
};

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
  const fr = frameAt(race, t), L = race.frames.lights.race_m;
  const front = L[fr.i] + fr.w * (L[fr.i + 1] - L[fr.i]);
  const s0 = race.start_s_ref_m + front;
  ctx.lineCap = "round";
  for (let k = 0; k < 24; k++) {   // the lit band: 24 m of rail behind the front, brightest at the front
    const a = toPx(T, railPoint(race, s0 - k - 1)), b = toPx(T, railPoint(race, s0 - k));
    ctx.strokeStyle = `rgba(80,255,140,${(1 - k / 24).toFixed(3)})`;
    ctx.lineWidth = 5; ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
  }
  ctx.lineCap = "butt";
  const p = toPx(T, railPoint(race, s0));
  ctx.fillStyle = "#8dffb4"; ctx.beginPath(); ctx.arc(p[0], p[1], 4, 0, 2 * Math.PI); ctx.fill();
}

function dot(ctx, p, r, fill, stroke) {
  ctx.beginPath(); ctx.arc(p[0], p[1], r, 0, 2 * Math.PI); ctx.fillStyle = fill; ctx.fill();
  if (stroke) { ctx.strokeStyle = stroke; ctx.lineWidth = 1; ctx.stroke(); }
}

function drawRunners(ctx, T, race, ghost, t, radiusPx, labels) {
  const fr = frameAt(race, t);
  for (const p of race.frames.pacers) {
    const q = lerpAt(p.x_m, p.y_m, fr);
    if (!q) continue;
    const px = toPx(T, q);
    dot(ctx, px, radiusPx, "#4aa3ff", "#0b2340");
    if (labels) { ctx.fillStyle = "#cfe6ff"; ctx.font = "11px sans-serif"; ctx.fillText(p.name, px[0] + radiusPx + 1, px[1] - radiusPx); }
  }
  if (ghost) {
    const g = athleteAt(ghost, t);
    if (g) {
      const gp = toPx(T, g);
      ctx.globalAlpha = 0.65; dot(ctx, gp, radiusPx + 1, "#c58bff", "#ffffff"); ctx.globalAlpha = 1;
      if (labels) { ctx.fillStyle = "#e6d2ff"; ctx.font = "11px sans-serif"; ctx.fillText(ghost.scenario, gp[0] + radiusPx + 2, gp[1] + 12); }
    }
  }
  const a = athleteAt(race, t);
  if (a) {
    const ap = toPx(T, a);
    dot(ctx, ap, radiusPx + 1, "#ff7a45", "#ffffff");
    if (labels) { ctx.fillStyle = "#ffd9c9"; ctx.font = "bold 12px sans-serif"; ctx.fillText(race.athlete, ap[0] + radiusPx + 3, ap[1] + 4); }
  }
}

function drawLabels(ctx, T, race, ghost, t) {
  // on the whole-track view only the athlete and the ghost are named (the follow-cam names the pacers)
  const a = athleteAt(race, t);
  ctx.font = "bold 12px sans-serif";
  if (a) { const p = toPx(T, a); ctx.fillStyle = "#ffd9c9"; ctx.fillText(race.athlete, p[0] + 8, p[1] + 16); }
  const g = ghost ? athleteAt(ghost, t) : null;
  if (g) { const p = toPx(T, g); ctx.fillStyle = "#e6d2ff"; ctx.font = "11px sans-serif"; ctx.fillText(`ghost: ${ghost.scenario}`, p[0] + 8, p[1] - 8); }
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
  drawRunners(ctx, T, race, ghost, t, Math.max(3, 0.3 * scale), true);
  ctx.restore();
  ctx.strokeStyle = "#e6e9ef"; ctx.lineWidth = 1; ctx.strokeRect(X, Y, W, H);
  ctx.fillStyle = "#e6e9ef"; ctx.font = "11px sans-serif"; ctx.fillText("follow-cam (20 m wide)", X + 4, Y - 4);
}

function drawScene() {
  const race = state.race;
  if (!race) return;
  const canvas = $("track"), ctx = canvas.getContext("2d");
  const T = trackTransform(canvas, race);
  drawTrack(ctx, T, race);
  drawLights(ctx, T, race, state.t);
  drawWind(ctx, race);
  drawRunners(ctx, T, race, state.ghost, state.t, 4, false);
  drawLabels(ctx, T, race, state.ghost, state.t);
  drawInset(ctx, race, state.ghost, state.t);
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
    for (const sp of race.splits) { const x = X(sp.distance_m); ctx.beginPath(); ctx.moveTo(x, Tp); ctx.lineTo(x, Tp + H); ctx.stroke(); }
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
  const sp = race.splits;
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
  const mk = (label, t) => { const b = document.createElement("button"); b.type = "button"; b.textContent = label; b.addEventListener("click", () => setTime(t)); box.appendChild(b); };
  mk("start", 0);
  state.race.splits.forEach((sp, k) => mk(k === state.race.splits.length - 1 ? `finish ${fmtTime(sp.time_s)}` : `${sp.distance_m.toFixed(0)} m`, sp.time_s));
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
  const ul = $("assumptions"); ul.innerHTML = "";
  for (const a of race.assumptions) { const li = document.createElement("li"); li.textContent = `${a.name} = ${a.value} ${a.unit} (${a.source})`; ul.appendChild(li); }
  render();
}

// ---- editor ----------------------------------------------------------------------------------------------------
const clone = (o) => JSON.parse(JSON.stringify(o));

function phaseEditors() {
  const box = $("phases"); box.innerHTML = "";
  const h = document.createElement("h3"); h.textContent = "Pacing"; box.appendChild(h);
  const phases = state.original.pacing || [];
  if (!phases.length) { const p = document.createElement("p"); p.className = "hint"; p.textContent = "no pacing phases: run solo"; box.appendChild(p); }
  phases.forEach((ph, k) => {
    const div = document.createElement("div"); div.className = "phase";
    const title = document.createElement("div"); title.className = "title";
    title.textContent = `${ph.from_m.toFixed(0)}–${ph.to_m.toFixed(0)} m`;
    const sel = document.createElement("select"); sel.id = `formation-${k}`; sel.setAttribute("aria-label", `formation ${k + 1}`);
    const own = Object.keys(state.original.formations || {});
    for (const name of [...Object.keys(state.formations), ...own]) {
      const o = document.createElement("option"); o.value = name; o.textContent = name; sel.appendChild(o);
    }
    sel.value = ph.formation;
    const num = document.createElement("input"); num.type = "number"; num.min = "0"; num.id = `pacers-${k}`; num.style.width = "3.5rem";
    num.setAttribute("aria-label", `pacers ${k + 1}`);
    const slots = () => formationSlots(sel.value).length;
    num.max = String(slots()); num.value = String(slots());
    sel.addEventListener("change", () => { num.max = String(slots()); num.value = String(slots()); edited(); });
    num.addEventListener("input", edited);
    const lab = document.createElement("label"); lab.textContent = " pacers ";
    div.append(title, sel, lab, num);
    box.appendChild(div);
  });
}

function formationSlots(name) {
  const own = (state.original.formations || {})[name];
  if (own) return own.slots || [];
  return state.formations[name] ? state.formations[name].slots : [];
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
  (sc.pacing || []).forEach((ph, k) => {
    const form = $(`formation-${k}`).value;
    const all = formationSlots(form);
    const n = Math.max(0, Math.min(all.length, Math.round(Number($(`pacers-${k}`).value) || 0)));
    const orig = state.original.pacing[k];
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
    const names = orig.pacers || [];
    ph.pacers = names.length >= n ? names.slice(0, n) : [];
  });
  return sc;
}

function setEditorValues(sc) {
  const c = sc.conditions || {}, e = sc.equipment || {};
  const defaults = { temperature_c: 20, relative_humidity: 0.5, altitude_m: 0, wind_speed_m_s: 0, wind_from_deg: 0, shoe_economy_gain: 0, cda_factor: 1 };
  for (const k of WEATHER) $(k).value = String(c[k] ?? defaults[k]);
  for (const k of EQUIPMENT) $(k).value = String(e[k] ?? defaults[k]);
  showOutputs();
}

function showOutputs() {
  for (const k of [...WEATHER, ...EQUIPMENT]) document.querySelector(`output[for="${k}"]`).textContent = $(k).value;
}

async function solveNow(model) {
  if (state.solving) { state.pending = true; return; }
  state.solving = true;
  const t0 = performance.now();
  try {
    state.scenario = fromEditor();
    const race = await api("/api/solve", { scenario: state.scenario, model: model || "equal-power" });
    state.lastSolveMs = performance.now() - t0;
    state.solves++;
    $("error").textContent = "";
    $("status").textContent = `${race.model}: ${race.finish} (round trip ${state.lastSolveMs.toFixed(0)} ms)`;
    showRace(race);
  } catch (err) {
    $("error").textContent = String(err.message || err);
  } finally {
    state.solving = false;
    if (state.pending) { state.pending = false; solveNow(); }
  }
}

function edited() { showOutputs(); solveNow(); }

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
      state.ghost = await api("/api/solve", { name });
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
  const params = new URLSearchParams(location.search);
  const first = names.includes(params.get("scenario")) ? params.get("scenario") : (names.includes("breaking4") ? "breaking4" : names[0]);
  $("scenario").value = first;
  const exact = $("exact");
  exact.disabled = !state.models.includes("optimal-control");
  exact.title = exact.disabled ? "the optimal-control model is not installed yet" : "solve with the optimal-control model";
  $("scenario").addEventListener("change", () => loadScenario($("scenario").value));
  $("ghost").addEventListener("change", () => loadGhost($("ghost").value));
  $("play").addEventListener("click", () => {
    if (!state.playing && state.race && state.t >= Math.max(state.race.finish_s, state.ghost ? state.ghost.finish_s : 0)) state.t = 0;
    state.playing = !state.playing; render();
  });
  $("speed").addEventListener("change", () => { state.speed = Number($("speed").value); });
  $("scrub").addEventListener("input", () => setTime(Number($("scrub").value)));
  for (const k of [...WEATHER, ...EQUIPMENT]) $(k).addEventListener("input", edited);
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
};

init().catch((err) => { $("error").textContent = String(err.message || err); });
