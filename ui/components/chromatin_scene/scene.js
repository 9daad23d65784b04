// The chromatin scene: a stretch of DNA with one locus per token, nucleosomes on closed loci,
// TF molecules binding and leaving along a seeded Gillespie trajectory (Gillespie 1977),
// and per-locus bars of the running time share against the equilibrium share.
//
// Streamlit components v2 calls the default export with {data, parentElement}. Playback runs
// entirely here: nothing is sent back to the server, so playing never reruns the script.
// Labels are user text: they are only ever set with textContent, never parsed as markup.

const SVG = "http://www.w3.org/2000/svg";
const NONE16 = 0xffff; // "no molecule": an OPEN or CLOSE nucleosome event
const BIND = 0;
const UNBIND = 1;
const OPEN = 2;
const CLOSE = 3;
const SPEEDS = [0.25, 0.5, 1, 2, 5, 10, 25, 100];
const RISE_WALL_SECONDS = 0.45; // how long leaving or landing takes on screen
const FRAME_MS = 1000 / 30 - 4; // a little under 33 ms, so a 60 Hz display draws every other frame
const BLANK = "\u2423"; // shown for an empty or whitespace-only token
const scenes = new WeakMap(); // parentElement -> Scene, kept across reruns

export default function mount({ data, parentElement }) {
  const identity = `${data.id}|${JSON.stringify(data.options || {})}`;
  const current = scenes.get(parentElement);
  if (!current || current.identity !== identity) {
    if (current) current.destroy();
    scenes.set(parentElement, new Scene(parentElement, data, identity));
  }
  return () => {
    const scene = scenes.get(parentElement);
    if (scene) scene.destroy();
    scenes.delete(parentElement);
  };
}

// ---------------------------------------------------------------- decoding

function bytes(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out.buffer;
}

function decode(data) {
  const n = data.n;
  const species = data.species;
  const closed = new Uint8Array(n);
  for (const j of data.closed) closed[j] = 1;
  const model = {
    n,
    labels: data.labels,
    // The number the page's charts and pickers give each locus (0-based).
    numbers: data.numbers,
    closed,
    species,
    S: species.length,
    attention: new Float32Array(bytes(data.attention)),
    equilibrium: new Float32Array(bytes(data.equilibrium)),
    energy: new Float32Array(bytes(data.energy)),
    kT: data.kT,
    k0: data.k0,
    timeUnit: data.time_unit,
    description: data.description,
    histone: data.histone_colour,
    traj: null,
  };
  const tr = data.trajectory;
  if (tr) {
    const dt = new Float32Array(bytes(tr.dt));
    const times = new Float64Array(dt.length);
    let t = 0;
    for (let i = 0; i < dt.length; i++) {
      t += dt[i]; // summed in float64, as decode_scene_payload does
      times[i] = t;
    }
    model.traj = {
      E: tr.events,
      times,
      kind: new Uint8Array(bytes(tr.kind)),
      molecule: new Uint16Array(bytes(tr.molecule)),
      locus: new Uint16Array(bytes(tr.locus)),
      speciesOf: Int32Array.from(tr.species_of),
      M: tr.species_of.length,
      total: tr.total_time,
    };
  }
  return model;
}

// Each molecule's own events, for flights that know where they come from and go to.
function timelines(traj) {
  const counts = new Int32Array(traj.M);
  for (let i = 0; i < traj.E; i++) if (traj.molecule[i] !== NONE16) counts[traj.molecule[i]]++;
  const lines = [];
  for (let m = 0; m < traj.M; m++) {
    lines.push({ t: new Float64Array(counts[m]), kind: new Uint8Array(counts[m]),
                 locus: new Int32Array(counts[m]) });
  }
  const fill = new Int32Array(traj.M);
  for (let i = 0; i < traj.E; i++) {
    const m = traj.molecule[i];
    if (m === NONE16) continue;
    const k = fill[m]++;
    lines[m].t[k] = traj.times[i];
    lines[m].kind[k] = traj.kind[i];
    lines[m].locus[k] = traj.locus[i];
  }
  return lines;
}

// ---------------------------------------------------------------- small helpers

function el(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}

function html(tag, attrs = {}, parent = null, text = null) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function displayLabel(label) {
  return String(label).trim() === "" ? BLANK : String(label);
}

function fmt(x, digits = 4) {
  if (!Number.isFinite(x)) return x > 0 ? "\u221e" : "\u2013";
  if (x === 0) return "0";
  return Number(x.toPrecision(digits)).toString();
}

function fmtTime(t) {
  return t < 10 ? t.toFixed(2) : t < 1000 ? t.toFixed(1) : t.toFixed(0);
}

function smooth(u) {
  const x = Math.min(1, Math.max(0, u));
  return x * x * (3 - 2 * x);
}

function random(seed) {
  // mulberry32: a fixed scatter of home positions per molecule
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Button icons as inline SVG paths (24-unit box), so no font or icon set is needed.
const ICONS = {
  play: "M7 4.5v15l12.5-7.5z",
  pause: "M6.5 4.5h4v15h-4zM13.5 4.5h4v15h-4z",
  step: "M5 4.5v15l10-7.5zM16.5 4.5h3v15h-3z",
  reset: "M12 5a7 7 0 1 1-6.6 4.7l2 .7A4.9 4.9 0 1 0 12 7.1V10L7.5 6 12 2z",
};

function setButton(button, icon, text) {
  button.replaceChildren();
  const svg = el("svg", { width: 14, height: 14, viewBox: "0 0 24 24", "aria-hidden": "true",
                          class: "ca-icon" }, button);
  el("path", { d: ICONS[icon], fill: "currentColor" }, svg);
  button.appendChild(document.createTextNode(` ${text}`));
}

function edgeColour(colour) {
  return `color-mix(in srgb, ${colour} 45%, #000)`;
}

// One silhouette per species, centred on (0, 0), radius r.
function shapePath(shape, r) {
  const poly = (k, turn, scale = 1) => {
    const pts = [];
    for (let i = 0; i < k; i++) {
      const a = turn + (2 * Math.PI * i) / k;
      pts.push(`${(r * scale * Math.cos(a)).toFixed(2)},${(r * scale * Math.sin(a)).toFixed(2)}`);
    }
    return `M${pts.join("L")}Z`;
  };
  switch (shape) {
    case "square": {
      const h = r * 0.86;
      const c = r * 0.3;
      return `M${-h + c},${-h}H${h - c}Q${h},${-h} ${h},${-h + c}V${h - c}Q${h},${h} ${h - c},${h}` +
        `H${-h + c}Q${-h},${h} ${-h},${h - c}V${-h + c}Q${-h},${-h} ${-h + c},${-h}Z`;
    }
    case "triangle":
      return poly(3, -Math.PI / 2, 1.18);
    case "diamond":
      return poly(4, -Math.PI / 2, 1.12);
    case "hexagon":
      return poly(6, 0, 1.02);
    case "pentagon":
      return poly(5, -Math.PI / 2, 1.05);
    case "star": {
      const pts = [];
      for (let i = 0; i < 10; i++) {
        const a = -Math.PI / 2 + (Math.PI * i) / 5;
        const rr = i % 2 === 0 ? r * 1.2 : r * 0.55;
        pts.push(`${(rr * Math.cos(a)).toFixed(2)},${(rr * Math.sin(a)).toFixed(2)}`);
      }
      return `M${pts.join("L")}Z`;
    }
    default:
      return `M${-r},0A${r},${r} 0 1,0 ${r},0A${r},${r} 0 1,0 ${-r},0Z`;
  }
}

// A TF: a body in the species' shape with a DNA-binding domain, two short arms that straddle
// the double helix when the factor is bound. Pioneers carry a dashed halo.
function drawGlyph(parent, sp, r) {
  const g = el("g", {}, parent);
  const edge = edgeColour(sp.colour);
  el("path", { class: "ca-tf-clamp", stroke: edge,
               d: `M${-r * 0.62},${r * 0.45}Q${-r * 0.78},${r * 1.05} ${-r * 0.42},${r * 1.45}` +
                  `M${r * 0.62},${r * 0.45}Q${r * 0.78},${r * 1.05} ${r * 0.42},${r * 1.45}` }, g);
  el("path", { class: "ca-tf-body", d: shapePath(sp.shape, r), fill: sp.colour, stroke: edge }, g);
  el("circle", { class: "ca-tf-shine", cx: -r * 0.3, cy: -r * 0.32, r: r * 0.22 }, g);
  if (sp.pioneer) el("circle", { class: "ca-tf-ring", r: r * 1.4, stroke: edge }, g);
  return g;
}

// ---------------------------------------------------------------- the scene

class Scene {
  constructor(parent, data, identity) {
    this.parent = parent;
    this.identity = identity;
    this.options = Object.assign({ autoplay: true, speed: 1 }, data.options || {});
    this.model = decode(data);
    this.lines = this.model.traj ? timelines(this.model.traj) : [];
    this.reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.speed = SPEEDS.includes(this.options.speed) ? this.options.speed : 1;
    this.playing = false;
    this.frames = 0;
    this.visual = 0; // seconds of wall time spent playing: drives the reservoir's drift
    this.raf = 0;
    this.lastWall = 0;
    this.focused = -1;
    this.stepped = false; // after Step, molecules are drawn where they are, not in flight
    this.buildDom();
    this.resetState();
    this.layout();
    this.resizer = new ResizeObserver(() => this.onResize());
    this.resizer.observe(this.root);
    if (this.options.autoplay && !this.reduced && this.model.traj) this.play();
  }

  destroy() {
    this.pause();
    this.resizer.disconnect();
    this.root.remove();
  }

  // ------------------------------------------------------------ DOM skeleton

  buildDom() {
    const m = this.model;
    this.root = html("div", { class: "ca-scene", role: "figure",
                              "aria-label": "Chromatin scene: transcription factors binding DNA" });
    if (m.histone) this.root.style.setProperty("--ca-histone", m.histone);
    this.parent.appendChild(this.root);
    const desc = html("p", { class: "ca-sr-only", id: "ca-desc" }, this.root, m.description || "");
    this.root.setAttribute("aria-describedby", desc.id);
    this.buildLegend();
    // Three stacked SVGs: the still picture, the running bars (redrawn a few times a second)
    // and the molecules (every frame), so playback never rebuilds or restyles the picture.
    const stage = html("div", { class: "ca-stage" }, this.root);
    this.svg = el("svg", { class: "ca-svg", role: "group",
                           "aria-label": "A stretch of DNA with one locus per token; use the arrow keys to move between loci" },
                  stage);
    this.barLayer = el("svg", { class: "ca-svg ca-overlay", "aria-hidden": "true" }, stage);
    this.overlay = el("svg", { class: "ca-svg ca-overlay", "aria-hidden": "true" }, stage);
    this.tooltip = html("div", { class: "ca-tooltip", role: "tooltip", id: "ca-tip", hidden: "" },
                        this.root);
    this.buildControls();
    this.live = html("p", { class: "ca-sr-only", "aria-live": "polite" }, this.root);
  }

  buildLegend() {
    const legend = html("div", { class: "ca-legend" }, this.root);
    this.model.species.forEach((sp) => {
      const item = html("span", { class: "ca-legend-item" }, legend);
      const icon = el("svg", { width: 20, height: 20, viewBox: "-10 -10 20 20", "aria-hidden": "true" },
                      item);
      drawGlyph(icon, sp, 6.5);
      html("span", {}, item, sp.name);
      if (sp.copies > 1) html("span", { class: "ca-badge" }, item, `\u00d7${sp.copies} copies`);
      if (sp.pioneer) html("span", { class: "ca-badge" }, item, "pioneer");
    });
    const nuc = html("span", { class: "ca-legend-item" }, legend);
    const icon = el("svg", { width: 20, height: 20, viewBox: "-10 -10 20 20", "aria-hidden": "true" }, nuc);
    el("circle", { class: "ca-histone", r: 7, fill: "var(--histone)" }, icon);
    el("ellipse", { class: "ca-wrap-a", rx: 8.5, ry: 3.2, transform: "rotate(-25)" }, icon);
    html("span", {}, nuc, "nucleosome over the site (closed in this model)");
  }

  buildControls() {
    const bar = html("div", { class: "ca-controls", role: "toolbar", "aria-label": "Playback" },
                     this.root);
    const hasTraj = Boolean(this.model.traj);
    this.playButton = html("button", { type: "button", class: "ca-play" }, bar);
    setButton(this.playButton, "play", "Play");
    this.stepButton = html("button", { type: "button", class: "ca-step",
                                       title: "Jump to the next binding or unbinding event" }, bar);
    setButton(this.stepButton, "step", "Step");
    this.resetButton = html("button", { type: "button", class: "ca-reset" }, bar);
    setButton(this.resetButton, "reset", "Reset");
    const label = html("label", {}, bar, "Speed ");
    this.speedSelect = html("select", { class: "ca-speed" }, label);
    for (const s of SPEEDS) {
      const opt = html("option", { value: s }, this.speedSelect, `${s}\u00d7`);
      if (s === this.speed) opt.selected = true;
    }
    this.clock = html("span", { class: "ca-clock", "aria-live": "off" }, bar);
    if (this.reduced) this.stepButton.classList.add("ca-primary");
    else this.playButton.classList.add("ca-primary");
    for (const b of [this.playButton, this.stepButton, this.resetButton, this.speedSelect]) {
      b.disabled = !hasTraj;
    }
    this.playButton.addEventListener("click", () => {
      if (!this.playing) {
        this.play();
        return;
      }
      this.pause();
      this.render(); // paused, so the shares and the clock are drawn in full
    });
    this.stepButton.addEventListener("click", () => this.step());
    this.resetButton.addEventListener("click", () => {
      this.pause();
      this.resetState();
      this.render();
    });
    this.speedSelect.addEventListener("change", () => {
      this.speed = Number(this.speedSelect.value);
    });
  }

  // ------------------------------------------------------------ geometry

  onResize() {
    const w = Math.round(this.root.clientWidth);
    if (w > 0 && w !== this.width) this.layout();
  }

  layout() {
    const m = this.model;
    const W = Math.max(320, Math.round(this.root.clientWidth || 720));
    this.width = W;
    const n = m.n;
    const left = 46;
    const right = 14;
    const sp = (W - left - right) / n; // pixels per locus
    const geo = { W, left, sp, n };
    geo.x = (j) => left + sp * (j + 0.5);
    geo.glyph = Math.max(3.5, Math.min(12, sp * 0.34));
    geo.nucR = Math.max(3, Math.min(17, sp * 0.4));
    geo.envelope = 34;
    const stack = Math.min(m.S, 3);
    geo.reservoirTop = geo.envelope + 16;
    const molecules = m.traj ? m.traj.M : 0;
    geo.reservoirBottom = geo.reservoirTop + 64 + Math.min(96, 6 * molecules);
    geo.dnaY = geo.reservoirBottom + 20 + stack * (2 * geo.glyph + 2) + geo.glyph;
    geo.helix = Math.max(3, Math.min(7, sp * 0.22));
    const longest = Math.max(...m.labels.map((l) => displayLabel(l).length));
    geo.fontSize = n <= 16 ? 12 : n <= 40 ? 10.5 : 9;
    const charW = geo.fontSize * 0.56;
    // Labels that do not fit flat are turned: 40 degrees while neighbours stay apart,
    // upright when loci are dense; past that only every k-th locus is labelled.
    geo.rotate = longest * charW > sp * 0.95;
    geo.angle = !geo.rotate ? 0 : sp * Math.sin(Math.PI * 40 / 180) >= geo.fontSize * 1.1 ? 40 : 90;
    geo.maxChars = geo.rotate ? 14 : Math.max(1, Math.floor((sp * 0.95) / charW));
    const across = geo.angle ? sp * Math.sin((Math.PI * geo.angle) / 180) : sp;
    const needed = geo.angle ? geo.fontSize * 1.1 : longest * charW;
    geo.labelEvery = !geo.rotate || across >= needed ? 1 : Math.ceil(needed / across);
    const reach = Math.min(14, longest) * charW * Math.sin((Math.PI * geo.angle) / 180);
    const labelSpace = geo.rotate ? reach + 14 : geo.fontSize + 8;
    geo.labelY = geo.dnaY + geo.nucR + 12;
    geo.barTop = geo.labelY + labelSpace + 10;
    geo.barH = 84;
    geo.barBase = geo.barTop + geo.barH;
    geo.H = geo.barBase + 30;
    let maxEq = 0;
    for (const v of m.equilibrium) if (v > maxEq) maxEq = v;
    geo.barMax = Math.max(0.02, maxEq * 1.15);
    this.geo = geo;
    for (const svg of [this.svg, this.barLayer, this.overlay]) {
      svg.setAttribute("viewBox", `0 0 ${W} ${geo.H}`);
      svg.setAttribute("height", geo.H);
    }
    this.drawStatic();
    this.render();
  }

  drawStatic() {
    this.svg.replaceChildren();
    this.barLayer.replaceChildren();
    this.overlay.replaceChildren();
    this.drawNucleus();
    this.drawDna();
    this.drawLoci();
    this.drawBars();
    this.drawMolecules();
  }

  drawNucleus() {
    const { W, envelope, reservoirTop, dnaY } = this.geo;
    const defs = el("defs", {}, this.svg);
    const grad = el("radialGradient", { id: "ca-histone-grad", cx: "38%", cy: "35%", r: "70%" }, defs);
    el("stop", { offset: "0%", "stop-color": "color-mix(in srgb, var(--histone) 35%, #fff)" }, grad);
    el("stop", { offset: "100%", "stop-color": "color-mix(in srgb, var(--histone) 85%, #000)" }, grad);
    // The nucleoplasm lies under a gently curved double membrane with nuclear pores.
    const bow = 22;
    const curve = (dy) => `M0,${envelope + dy}Q${W / 2},${envelope - bow + dy} ${W},${envelope + dy}`;
    el("path", { class: "ca-nucleoplasm", d: `${curve(0)}V${dnaY + 44}H0Z` }, this.svg);
    el("path", { class: "ca-envelope", d: curve(-7) }, this.svg);
    el("path", { class: "ca-envelope", d: curve(0) }, this.svg);
    const pores = Math.max(2, Math.round(W / 260));
    for (let i = 0; i < pores; i++) {
      const u = (i + 0.5) / pores;
      const y = envelope - 2 * u * (1 - u) * bow;
      el("rect", { class: "ca-pore", x: u * W - 5, y: y - 10, width: 10, height: 13, rx: 3 }, this.svg);
    }
    const label = el("text", { class: "ca-region-label", x: 8, y: envelope - 12 }, this.svg);
    label.textContent = "nuclear envelope";
    const res = el("text", { class: "ca-region-label", x: 8, y: reservoirTop + 4 }, this.svg);
    res.textContent = "reservoir: free or non-specifically bound TFs";
    const dna = el("text", { class: "ca-region-label", x: 6, y: dnaY + 4 }, this.svg);
    dna.textContent = "DNA";
  }

  drawDna() {
    const { left, sp, n, dnaY, helix, nucR } = this.geo;
    const closed = this.model.closed;
    const g = el("g", { "aria-hidden": "true" }, this.svg);
    const foot = el("g", {}, g);
    // A shaded footprint per locus: darker where some species sits more of the time at
    // equilibrium, so the strongest sites read at a glance.
    const m = this.model;
    let most = 0;
    const held = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      for (let s = 0; s < m.S; s++) held[j] = Math.max(held[j], m.equilibrium[s * n + j]);
      most = Math.max(most, held[j]);
    }
    for (let j = 0; j < n; j++) {
      el("rect", { class: "ca-footprint", x: left + sp * j + 1, y: dnaY - helix - 5,
                   width: Math.max(1, sp - 2), height: 2 * helix + 10, rx: 5,
                   opacity: most > 0 ? (0.32 * held[j] / most).toFixed(3) : 0,
                   "data-locus": j }, foot);
    }
    // The double helix: two backbones half a turn apart, with base-pair rungs between them.
    const period = Math.max(14, Math.min(34, sp * 0.9));
    const k = (2 * Math.PI) / period;
    let a = "";
    let b = "";
    let rungs = "";
    const segment = (x0, x1) => {
      const step = 2;
      for (let x = x0; x <= x1 + 0.01; x += step) {
        const ya = dnaY + helix * Math.sin(k * x);
        const yb = dnaY - helix * Math.sin(k * x);
        a += `${x === x0 ? "M" : "L"}${x.toFixed(1)},${ya.toFixed(1)}`;
        b += `${x === x0 ? "M" : "L"}${x.toFixed(1)},${yb.toFixed(1)}`;
      }
      const rungStep = period / 5;
      for (let x = Math.ceil(x0 / rungStep) * rungStep; x < x1; x += rungStep) {
        const y = helix * Math.sin(k * x);
        if (Math.abs(y) > 1) rungs += `M${x.toFixed(1)},${(dnaY + y).toFixed(1)}V${(dnaY - y).toFixed(1)}`;
      }
    };
    this.helixSegment = segment;
    let start = left - 8;
    for (let j = 0; j <= n; j++) {
      if (j === n || closed[j]) {
        const end = j === n ? left + sp * n + 8 : this.geo.x(j) - nucR * 1.05;
        if (end > start) segment(start, end);
        if (j < n) start = this.geo.x(j) + nucR * 1.05;
      }
    }
    el("path", { class: "ca-backbone-b", d: b }, g);
    el("path", { class: "ca-rungs", d: rungs }, g);
    el("path", { class: "ca-backbone-a", d: a }, g);
    this.nucleosomes = new Map();
    for (let j = 0; j < n; j++) if (closed[j]) this.drawNucleosome(g, j, k);
  }

  // A nucleosome: DNA wrapped almost twice around a histone octamer ("beads on a string").
  drawNucleosome(parent, j, k) {
    const { dnaY, nucR, helix } = this.geo;
    const x = this.geo.x(j);
    const g = el("g", { class: "ca-nucleosome", "data-locus": j, "data-state": "wrapped" }, parent);
    const openDna = el("g", { class: "ca-open-dna" }, g);
    let a = "";
    let b = "";
    const x0 = x - nucR * 1.05;
    const x1 = x + nucR * 1.05;
    for (let xx = x0; xx <= x1 + 0.01; xx += 2) {
      a += `${xx === x0 ? "M" : "L"}${xx.toFixed(1)},${(dnaY + helix * Math.sin(k * xx)).toFixed(1)}`;
      b += `${xx === x0 ? "M" : "L"}${xx.toFixed(1)},${(dnaY - helix * Math.sin(k * xx)).toFixed(1)}`;
    }
    el("path", { class: "ca-backbone-b", d: b }, openDna);
    el("path", { class: "ca-backbone-a", d: a }, openDna);
    const octamer = el("g", { class: "ca-octamer" }, g);
    el("circle", { class: "ca-histone", cx: x, cy: dnaY, r: nucR, fill: "url(#ca-histone-grad)" },
       octamer);
    if (nucR >= 7) {
      for (const [dx, dy] of [[-0.4, -0.35], [0.4, -0.35], [-0.4, 0.35], [0.4, 0.35]]) {
        el("circle", { class: "ca-histone-lobe", cx: x + dx * nucR, cy: dnaY + dy * nucR,
                       r: nucR * 0.36 }, octamer);
      }
    }
    const wrapped = el("g", { class: "ca-wrapped-dna" }, g);
    const rx = nucR * 1.05;
    const ry = nucR * 0.42;
    // Two turns drawn as tilted ellipses across the bead, joined to the strand on both sides.
    el("ellipse", { class: "ca-wrap-b", cx: x, cy: dnaY - ry * 0.45, rx, ry, transform: `rotate(-18 ${x} ${dnaY})` }, wrapped);
    el("ellipse", { class: "ca-wrap-a", cx: x, cy: dnaY + ry * 0.45, rx, ry, transform: `rotate(-18 ${x} ${dnaY})` }, wrapped);
    this.nucleosomes.set(j, g);
  }

  drawLoci() {
    const m = this.model;
    const { sp, n, labelY, fontSize, rotate, maxChars, labelEvery, reservoirBottom, barBase } = this.geo;
    const group = el("g", { class: "ca-loci" }, this.svg);
    this.loci = [];
    for (let j = 0; j < n; j++) {
      const x = this.geo.x(j);
      const g = el("g", { class: "ca-locus", tabindex: j === 0 ? 0 : -1, role: "img",
                          "data-locus": j, "aria-label": this.lociLabel(j) }, group);
      el("rect", { class: "ca-locus-hit", x: x - sp / 2, y: reservoirBottom + 4, width: sp,
                   height: barBase - reservoirBottom, rx: 4 }, g);
      if (j % labelEvery === 0) {
        let text = displayLabel(m.labels[j]);
        if (text.length > maxChars) text = `${text.slice(0, Math.max(1, maxChars - 1))}\u2026`;
        const t = el("text", { class: `ca-label${m.closed[j] ? " ca-closed-label" : ""}`,
                               x, y: labelY + fontSize * 0.4, "font-size": fontSize,
                               "text-anchor": rotate ? "end" : "middle",
                               transform: rotate ? `rotate(-${this.geo.angle} ${x} ${labelY})` : "" },
                     g);
        t.textContent = text; // user text: never parsed as markup
      }
      g.addEventListener("pointerenter", () => this.showTip(j, g));
      g.addEventListener("pointerleave", () => this.hideTip(j));
      g.addEventListener("focus", () => { this.focused = j; this.showTip(j, g); });
      g.addEventListener("blur", () => { this.focused = -1; this.hideTip(j); });
      g.addEventListener("keydown", (ev) => this.onLocusKey(ev, j));
      this.loci.push(g);
    }
  }

  lociLabel(j) {
    const m = this.model;
    const parts = [`Locus ${m.numbers[j]}, ${displayLabel(m.labels[j])}, ${m.closed[j] ? "closed, a nucleosome over the site" : "open DNA"}`];
    for (let s = 0; s < m.S; s++) {
      parts.push(`${m.species[s].name}: attention ${fmt(m.attention[s * m.n + j])}, ` +
        `equilibrium share of time ${fmt(m.equilibrium[s * m.n + j])}`);
    }
    return parts.join("; ");
  }

  onLocusKey(ev, j) {
    const n = this.model.n;
    const to = { ArrowRight: j + 1, ArrowDown: j + 1, ArrowLeft: j - 1, ArrowUp: j - 1,
                 Home: 0, End: n - 1 }[ev.key];
    if (ev.key === "Escape") {
      this.hideTip(j, true);
      return;
    }
    if (to === undefined) return;
    ev.preventDefault();
    const k = Math.max(0, Math.min(n - 1, to));
    this.loci[j].setAttribute("tabindex", -1);
    this.loci[k].setAttribute("tabindex", 0);
    this.loci[k].focus();
  }

  drawBars() {
    const m = this.model;
    const { left, sp, n, barTop, barBase, barH, barMax, W } = this.geo;
    const g = el("g", { class: "ca-bars", "aria-hidden": "true" }, this.svg);
    el("line", { class: "ca-axis", x1: left - 4, x2: W - 10, y1: barBase, y2: barBase }, g);
    el("line", { class: "ca-axis", x1: left - 4, x2: left - 4, y1: barTop, y2: barBase }, g);
    const tick = el("text", { class: "ca-axis-label", x: left - 8, y: barTop + 4, "text-anchor": "end" }, g);
    tick.textContent = fmt(barMax, 2);
    const zero = el("text", { class: "ca-axis-label", x: left - 8, y: barBase + 4, "text-anchor": "end" }, g);
    zero.textContent = "0";
    const title = el("text", { class: "ca-axis-label", x: left, y: barBase + 20 }, g);
    title.textContent = "share of time on each locus: outline = equilibrium, filled = so far";
    const group = Math.min(sp * 0.78, 30 * m.S);
    const w = group / m.S;
    const moving = el("g", { class: "ca-bars" }, this.barLayer);
    this.tallyBars = [];
    this.barHeights = null;
    for (let j = 0; j < n; j++) {
      for (let s = 0; s < m.S; s++) {
        const colour = m.species[s].colour;
        const x = this.geo.x(j) - group / 2 + s * w;
        const eq = m.equilibrium[s * n + j];
        const h = Math.min(barH, (eq / barMax) * barH);
        el("rect", { class: "ca-eq-bar", x: x + 0.5, y: barBase - h, width: Math.max(0.8, w - 1), height: h,
                     fill: colour, stroke: colour, "data-locus": j, "data-species": s }, g);
        const inset = Math.min(w * 0.22, 4);
        this.tallyBars.push(el("rect", { class: "ca-tally-bar", x: x + 0.5 + inset, y: barBase,
                                         width: Math.max(0.6, w - 1 - 2 * inset), height: 0,
                                         fill: colour }, moving));
      }
    }
  }

  drawMolecules() {
    const m = this.model;
    this.glyphs = [];
    this.homes = [];
    if (!m.traj) return;
    const layer = el("g", { class: "ca-molecules" }, this.overlay);
    const { W, left, reservoirTop, reservoirBottom, glyph } = this.geo;
    const r = Math.max(4.5, Math.min(11, glyph * 1.05));
    // Homes on a jittered grid, shuffled so that species mix in the nucleoplasm.
    const M = m.traj.M;
    const height = reservoirBottom - reservoirTop - 34;
    const cols = Math.max(1, Math.ceil(Math.sqrt((M * (W - left)) / Math.max(40, height))));
    const rows = Math.ceil(M / cols);
    const order = Array.from({ length: M }, (_, i) => i);
    const shuffle = random(104729);
    for (let i = M - 1; i > 0; i--) {
      const k = Math.floor(shuffle() * (i + 1));
      [order[i], order[k]] = [order[k], order[i]];
    }
    const cellW = (W - left - 30) / cols;
    const cellH = height / rows;
    for (let i = 0; i < M; i++) {
      const s = m.traj.speciesOf[i];
      const rand = random(7919 * (i + 1));
      const cell = order[i];
      this.homes.push({
        x: left + 10 + cellW * ((cell % cols) + 0.2 + 0.6 * rand()),
        y: reservoirTop + 22 + cellH * (Math.floor(cell / cols) + 0.2 + 0.6 * rand()),
        p1: rand() * 6.28, p2: rand() * 6.28, p3: rand() * 6.28, p4: rand() * 6.28,
      });
      const g = drawGlyph(layer, m.species[s], r);
      g.setAttribute("class", "ca-tf");
      g.setAttribute("data-molecule", i);
      g.setAttribute("data-species", s);
      this.glyphs.push(g);
    }
  }

  // ------------------------------------------------------------ simulation state

  resetState() {
    const m = this.model;
    this.t = 0;
    this.cursor = 0;
    this.acc = new Float64Array(m.S * m.n);
    this.wrapped = Uint8Array.from(m.closed);
    if (m.traj) {
      this.place = new Int32Array(m.traj.M).fill(-1);
      this.since = new Float64Array(m.traj.M);
      this.molCursor = new Int32Array(m.traj.M);
    }
  }

  apply(i) {
    const tr = this.model.traj;
    const n = this.model.n;
    const mol = tr.molecule[i];
    const j = tr.locus[i];
    const kind = tr.kind[i];
    const t = tr.times[i];
    if (mol === NONE16) { // OPEN or CLOSE
      this.wrapped[j] = kind === CLOSE ? 1 : 0;
      return;
    }
    this.molCursor[mol]++;
    if (kind === BIND) {
      this.place[mol] = j;
      this.since[mol] = t;
    } else if (kind === UNBIND) {
      this.acc[tr.speciesOf[mol] * n + j] += t - this.since[mol];
      this.place[mol] = -1;
      this.since[mol] = t;
    }
  }

  advanceTo(t) {
    const tr = this.model.traj;
    if (!tr) return;
    const end = tr.total;
    this.t = Math.min(t, end);
    while (this.cursor < tr.E && tr.times[this.cursor] <= this.t) this.apply(this.cursor++);
  }

  tally() {
    const m = this.model;
    const out = Float64Array.from(this.acc);
    if (!m.traj || this.t <= 0) return out.fill(0);
    for (let i = 0; i < m.traj.M; i++) {
      if (this.place[i] >= 0) out[m.traj.speciesOf[i] * m.n + this.place[i]] += this.t - this.since[i];
    }
    for (let k = 0; k < out.length; k++) out[k] /= this.t;
    return out;
  }

  // ------------------------------------------------------------ playback

  play() {
    const tr = this.model.traj;
    if (!tr || this.playing) return;
    if (this.t >= tr.total) this.resetState();
    this.playing = true;
    this.stepped = false;
    setButton(this.playButton, "pause", "Pause");
    this.root.dataset.playing = "true";
    this.lastWall = performance.now();
    this.raf = requestAnimationFrame((now) => this.tick(now));
  }

  pause() {
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.playing = false;
    if (this.playButton) {
      setButton(this.playButton, "play", "Play");
    }
    if (this.root) this.root.dataset.playing = "false";
  }

  tick(now) {
    // At most ~30 drawn frames a second: smooth for drifting molecules, half the paint cost.
    if (now - this.lastWall < FRAME_MS) {
      this.raf = requestAnimationFrame((next) => this.tick(next));
      return;
    }
    const dtWall = Math.min(0.1, Math.max(0, (now - this.lastWall) / 1000));
    this.lastWall = now;
    if (!this.reduced) this.visual += dtWall;
    this.advanceTo(this.t + dtWall * this.speed);
    this.frames++;
    if (this.t >= this.model.traj.total) {
      this.pause();
      this.render(); // paused, so the final shares are drawn in full
      return;
    }
    this.render();
    this.raf = requestAnimationFrame((next) => this.tick(next));
  }

  step() {
    const tr = this.model.traj;
    if (!tr) return;
    this.pause();
    this.stepped = true;
    if (this.cursor >= tr.E) return;
    const next = tr.times[this.cursor];
    const first = this.cursor;
    this.advanceTo(next);
    this.render();
    this.live.textContent = this.describeEvents(first, this.cursor);
  }

  describeEvents(from, to) {
    const m = this.model;
    const tr = m.traj;
    const words = [];
    for (let i = from; i < to; i++) {
      const j = tr.locus[i];
      const where = `locus ${m.numbers[j]} (${displayLabel(m.labels[j])})`;
      const mol = tr.molecule[i];
      if (mol === NONE16) {
        words.push(`the nucleosome at ${where} ${tr.kind[i] === OPEN ? "opens" : "closes"}`);
      } else {
        const name = m.species[tr.speciesOf[mol]].name;
        words.push(`${name} ${tr.kind[i] === BIND ? "binds" : "leaves"} ${where}`);
      }
    }
    return `Time ${fmtTime(this.t)}: ${words.join("; ")}.`;
  }

  // ------------------------------------------------------------ drawing a frame

  seat(j, rank) {
    const { dnaY, helix, glyph } = this.geo;
    const r = Math.max(4.5, Math.min(11, glyph * 1.05));
    return { x: this.geo.x(j), y: dnaY - helix - r * 1.25 - 1 - rank * (2 * r + 3) };
  }

  drift(i) {
    const h = this.homes[i];
    const v = this.visual;
    return {
      x: h.x + 16 * Math.sin(0.55 * v + h.p1) + 7 * Math.sin(1.7 * v + h.p2),
      y: h.y + 9 * Math.sin(0.8 * v + h.p3) + 4 * Math.sin(2.3 * v + h.p4),
    };
  }

  // Stacking order at a locus: species in index order, so a species always sits at the
  // same height above the DNA given who else is there.
  rank(j, s) {
    const below = this.held[j] & ((1 << s) - 1);
    let r = 0;
    for (let b = below; b; b &= b - 1) r++;
    return r;
  }

  positionOf(i) {
    const s = this.model.traj.speciesOf[i];
    const j = this.place[i];
    if (j >= 0) return this.seat(j, this.rank(j, s));
    const line = this.lines[i];
    const k = this.molCursor[i];
    const home = this.drift(i);
    // Flights belong to playback; a stepped scene shows each molecule where it is, on a
    // locus or in the reservoir.
    if (this.reduced || this.stepped) return home;
    const rise = RISE_WALL_SECONDS * this.speed;
    const from = k > 0 ? line.locus[k - 1] : -1; // the locus it just left, if any
    const left = k > 0 ? line.t[k - 1] : 0;
    const nextT = k < line.t.length ? line.t[k] : Infinity;
    const to = k < line.t.length ? line.locus[k] : -1;
    const span = Math.min(rise, (nextT - left) / 2);
    const u = this.t - left;
    const w = nextT - this.t;
    if (from >= 0 && u < span) {
      const a = this.seat(from, this.rank(from, s));
      const e = smooth(u / rise);
      return { x: a.x + (home.x - a.x) * e, y: a.y + (home.y - a.y) * e };
    }
    if (to >= 0 && w < span) {
      const b = this.seat(to, this.rank(to, s));
      const e = smooth(w / rise);
      return { x: b.x + (home.x - b.x) * e, y: b.y + (home.y - b.y) * e };
    }
    return home;
  }

  render() {
    const m = this.model;
    if (m.traj) {
      this.held = new Int32Array(m.n); // bitmask of the species bound at each locus
      for (let i = 0; i < m.traj.M; i++) {
        if (this.place[i] >= 0) this.held[this.place[i]] |= 1 << m.traj.speciesOf[i];
      }
      for (let i = 0; i < m.traj.M; i++) {
        const p = this.positionOf(i);
        const g = this.glyphs[i];
        const transform = `translate(${p.x.toFixed(1)},${p.y.toFixed(1)})`;
        if (g.getAttribute("transform") !== transform) g.setAttribute("transform", transform);
        if (g.dataset.locus !== String(this.place[i])) g.dataset.locus = this.place[i];
      }
      for (const [j, g] of this.nucleosomes) {
        const shown = this.wrapped[j] ? "wrapped" : "open";
        if (g.dataset.state !== shown) g.dataset.state = shown;
      }
      // The running shares are read, not watched: a few updates a second are enough.
      if (!this.playing || performance.now() - (this.lastBars || 0) > 100) {
        this.lastBars = performance.now();
        this.drawTally();
      }
    }
    this.root.dataset.time = this.t.toFixed(4);
    this.root.dataset.frames = String(this.frames);
    this.root.dataset.events = String(this.cursor);
    // Text that changes every frame costs a layout; people read it at a few updates a second.
    const now = performance.now();
    if (!this.playing || now - (this.lastText || 0) > 150) {
      this.lastText = now;
      this.updateClock();
      if (this.tipLocus !== undefined && this.tipLocus >= 0) this.fillTip(this.tipLocus);
    }
  }

  drawTally() {
    const { barBase, barH, barMax } = this.geo;
    const tally = this.tally();
    if (!this.barHeights || this.barHeights.length !== tally.length) {
      this.barHeights = new Float64Array(tally.length).fill(-1);
    }
    for (let k = 0; k < tally.length; k++) {
      const h = Math.min(barH, (tally[k] / barMax) * barH);
      if (Math.abs(h - this.barHeights[k]) < 0.25) continue; // invisible change: skip the DOM
      this.barHeights[k] = h;
      const bar = this.tallyBars[k];
      bar.setAttribute("y", (barBase - h).toFixed(2));
      bar.setAttribute("height", h.toFixed(2));
    }
    this.lastTally = tally;
  }

  updateClock() {
    const tr = this.model.traj;
    if (!tr) {
      this.clock.textContent = "equilibrium only (no trajectory)";
      return;
    }
    this.clock.textContent = `t = ${fmtTime(this.t)} (${this.model.timeUnit}) \u00b7 ` +
      `${this.cursor.toLocaleString()} of ${tr.E.toLocaleString()} events`;
  }

  // ------------------------------------------------------------ tooltip

  showTip(j, g) {
    this.tipLocus = j;
    this.loci.forEach((node, k) => node.classList.toggle("ca-active", k === j));
    this.fillTip(j);
    this.tooltip.hidden = false;
    g.setAttribute("aria-describedby", "ca-tip");
    const rootBox = this.root.getBoundingClientRect();
    const box = g.getBoundingClientRect();
    const tipW = this.tooltip.offsetWidth;
    let x = box.left - rootBox.left + box.width / 2 - tipW / 2;
    x = Math.max(0, Math.min(rootBox.width - tipW, x));
    const svgTop = this.svg.getBoundingClientRect().top - rootBox.top;
    this.tooltip.style.left = `${x}px`;
    this.tooltip.style.top = `${svgTop + this.geo.envelope + 4}px`;
  }

  hideTip(j, force = false) {
    if (!force && this.focused === j && this.tipLocus === j) return;
    this.tipLocus = -1;
    this.tooltip.hidden = true;
    this.loci.forEach((node) => node.classList.remove("ca-active"));
  }

  fillTip(j) {
    const m = this.model;
    const tip = this.tooltip;
    tip.replaceChildren();
    html("div", { class: "ca-tooltip-title" }, tip,
         `Locus ${m.numbers[j]}: \u201c${displayLabel(m.labels[j])}\u201d \u00b7 ` +
         (m.closed[j] ? (this.wrapped[j] ? "closed (nucleosome)" : "closed, opened by a pioneer")
                      : "open DNA"));
    const table = html("table", {}, tip);
    const head = html("tr", {}, html("thead", {}, table));
    for (const h of ["species", "attention", "equilibrium share", "share so far", "energy (kT)",
                     `mean dwell (${m.timeUnit})`]) {
      html("th", { scope: "col" }, head, h);
    }
    const body = html("tbody", {}, table);
    for (let s = 0; s < m.S; s++) {
      const k = s * m.n + j;
      const eps = m.energy[k];
      const dwell = Number.isFinite(eps) ? Math.exp(-eps / m.kT) / m.k0 : NaN;
      const row = html("tr", {}, body);
      html("td", {}, row, m.species[s].name);
      html("td", {}, row, fmt(m.attention[k]));
      html("td", {}, row, fmt(m.equilibrium[k]));
      html("td", {}, row, this.lastTally && m.traj ? fmt(this.lastTally[k]) : "\u2013");
      html("td", {}, row, Number.isFinite(eps) ? fmt(eps) : "never binds");
      html("td", {}, row, Number.isFinite(dwell) ? fmt(dwell) : "\u2013");
    }
  }
}
