// convcore's one renderer. It draws any view's data (convcore/views/schema.py) and steps it in the
// browser: the anywidget ESM of every view (export default {render}) and, on static pages, the
// module whose hydrate() draws every embed. Every text shown was written by convcore in Python;
// this file places texts, states and boxes, and does no arithmetic on the numbers.
//
//   the controls     Prev / Play / Next, the step slider and speeds, a reading switch, position
//                    sliders, the build-up; keys on them stay ours (the host's shortcuts don't see them)
//   the picture      rows of panels built once per reading; a step changes texts, states and boxes
//   cells as controls  a cell computed at some step goes there on a click or Enter; pointing at a
//                    cell that others read lights them and says so
//   the kernel       hears where the learner is once they pause; sends long readings in blocks

const SPEEDS = [1, 2, 5, 10, 20, 0];          // steps per second; 0: one step per animation frame
const SYNC_QUIET_MS = 300;                    // the kernel hears of a move once the learner pauses this long
const SYNC_MAX_MS = 2000;                     // and at least this often while they keep moving

// Keys pressed inside a view are the view's (view.keys below): the host's shortcuts (JupyterLab's,
// Notebook 7's in the capture phase) must not see them. One window listener in the capture phase,
// registered by whichever view loads first, hands each key to its view before the host sees it.
const OUR_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown", " ", "Enter"]);
if (typeof window !== "undefined" && !window.__convcoreKeys) {
  window.__convcoreKeys = true;
  window.addEventListener("keydown", (e) => {
    const root = e.target instanceof Element && e.target.closest(".convcore-view");
    if (!root || !root.convcoreKey) return;
    if (root.convcoreKey(e) || OUR_KEYS.has(e.key)) e.stopPropagation();
  }, true);
}

// h("div", {class, text, "data-role": …}, ...children): null, undefined and false attributes are
// left out; null children are skipped.
function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
const setText = (e, t) => { if (e.textContent !== t) e.textContent = t; };
const setAttr = (e, k, v) => {
  if (v === null || v === undefined) e.removeAttribute(k);
  else if (e.getAttribute(k) !== String(v)) e.setAttribute(k, v);
};

// A range input with its readout and label: {input, out, label}.
function slider(role, label, max, value) {
  const input = h("input", {type: "range", min: 0, max, step: 1, value, "data-role": role, "aria-label": label});
  const out = h("output", {"data-role": `${role}-readout`, "aria-hidden": "true", text: value});
  return {input, out, label: h("label", {}, h("span", {text: label}), input, out),
          set(v) { input.value = v; setText(out, String(v)); }};
}
const row = (...kids) => h("div", {class: "cc-controls", "data-lm-suppress-shortcuts": "true"}, ...kids);

// Play: one step per tick of the chosen speed (or per animation frame at "fastest"); stops on the
// last step, and starts again from step 0 when pressed there. missing(k) holds it while step k is
// on its way from the kernel. stats are read by the benchmarks.
function player(play, speed, {at, last, go, missing}) {
  let playing = false, raf = 0, lastTick = 0;
  const stats = {frames: 0, steps: 0, waits: 0};
  function tick(now) {
    if (!playing) return;
    raf = requestAnimationFrame(tick);
    stats.frames++;
    const sps = Number(speed.value);
    if (sps && now - lastTick < 1000 / sps) return;
    if (at() >= last()) { set(false); return; }
    if (missing(at() + 1)) { stats.waits++; return; }
    lastTick = now;
    go(at() + 1);
    stats.steps++;
    stats.first = stats.first || now; stats.last = now;
    if (at() >= last()) set(false);
  }
  function set(on) {
    playing = on;
    play.textContent = on ? "❚❚ pause" : "▶ play";
    play.setAttribute("aria-label", on ? "pause" : "play");
    play.setAttribute("aria-pressed", String(on));
    cancelAnimationFrame(raf);
    if (on) { if (at() >= last()) go(0); lastTick = 0; raf = requestAnimationFrame(tick); }
  }
  play.addEventListener("click", () => set(!playing));
  return {stats, toggle: () => set(!playing), stop() { playing = false; cancelAnimationFrame(raf); }};
}

// Tells the kernel where the learner is: once they pause, and at least every SYNC_MAX_MS.
// `ours` is true while our own model.set runs, so the change events it fires are not news.
function syncer(model, shown) {
  let timer = null, first = 0;
  const sync = {
    ours: false,
    soon() {
      const now = performance.now();
      if (!timer) first = now;
      clearTimeout(timer);
      timer = setTimeout(sync.send, now - first > SYNC_MAX_MS ? 0 : SYNC_QUIET_MS);
    },
    send() {
      timer = null;
      const traits = Object.entries(shown());
      if (traits.every(([name, v]) => model.get(name) === v)) return;
      sync.ours = true;
      try { for (const [name, v] of traits) model.set(name, v); model.save_changes(); } finally { sync.ours = false; }
    },
    stop() { clearTimeout(timer); },
  };
  return sync;
}

// -- GIF: frames (ImageData of one size) as an animated GIF89a that loops, delay in ms. Colours go
// to one palette: the views' own fills and edges exactly (``exact``, from view.css), 6 levels of red,
// green and blue, and greys for the antialiased text; no palette has to be chosen per picture.
const GIF_STEPS = 120;                         // at most this many steps in one GIF
function gif(frames, delay, exact = []) {
  const bytes = [], word = (v) => bytes.push(v & 255, (v >> 8) & 255), text = (t) => [...t].forEach((c) => bytes.push(c.charCodeAt(0)));
  const palette = [];
  for (let r = 0; r < 6; r++) for (let g = 0; g < 6; g++) for (let b = 0; b < 6; b++) palette.push([r * 51, g * 51, b * 51]);
  const own = exact.slice(0, 24);
  for (let i = 0; i < 40 - own.length; i++) palette.push(Array(3).fill(Math.round(i * 255 / (39 - own.length))));
  palette.push(...own);
  const seen = new Map();
  const index = (r, g, b) => {                   // the nearer of the cube's colour and the grey, remembered
    const key = (r << 16) | (g << 8) | b;
    if (!seen.has(key)) seen.set(key, nearest(r, g, b));
    return seen.get(key);
  };
  const d = (i, r, g, b) => (palette[i][0] - r) ** 2 + (palette[i][1] - g) ** 2 + (palette[i][2] - b) ** 2;
  const nearest = (r, g, b) => {               // the nearest of the cube's colour, a grey and the view's own
    const greys = 40 - own.length, y = 216 + Math.round((r + g + b) / 3 * (greys - 1) / 255);
    const near = [Math.round(r / 51) * 36 + Math.round(g / 51) * 6 + Math.round(b / 51), y,
                  ...own.map((_, i) => 216 + greys + i)];
    return near.reduce((best, i) => (d(i, r, g, b) < d(best, r, g, b) ? i : best));
  };
  const {width, height} = frames[0];
  text("GIF89a"); word(width); word(height); bytes.push(0xf7, 0, 0);        // a 256-colour global table
  palette.forEach((p) => bytes.push(...p));
  bytes.push(0x21, 0xff, 11); text("NETSCAPE2.0"); bytes.push(3, 1, 0, 0, 0);   // loop for ever
  for (const f of frames) {
    bytes.push(0x21, 0xf9, 4, 0); word(Math.round(delay / 10)); bytes.push(0, 0);
    bytes.push(0x2c); word(0); word(0); word(width); word(height); bytes.push(0);
    const pixels = new Uint8Array(width * height);
    for (let i = 0; i < pixels.length; i++) pixels[i] = index(f.data[4 * i], f.data[4 * i + 1], f.data[4 * i + 2]);
    bytes.push(8);                               // LZW with 8-bit codes, written in blocks of 255
    const data = lzw(pixels, 8);
    for (let i = 0; i < data.length; i += 255) { const part = data.slice(i, i + 255); bytes.push(part.length, ...part); }
    bytes.push(0);
  }
  bytes.push(0x3b);
  return new Uint8Array(bytes);
}

// GIF's LZW: codes grow from minSize + 1 bits up to 12; the table starts again when full.
function lzw(pixels, minSize) {
  const clear = 1 << minSize, end = clear + 1, out = [];
  let size = minSize + 1, next = end + 1, table = new Map(), acc = 0, bits = 0;
  const put = (code) => { acc |= code << bits; bits += size; while (bits >= 8) { out.push(acc & 255); acc >>= 8; bits -= 8; } };
  put(clear);
  let prefix = pixels[0];
  for (let i = 1; i < pixels.length; i++) {
    const p = pixels[i], key = prefix * 256 + p;
    if (table.has(key)) { prefix = table.get(key); continue; }
    put(prefix);
    if (next < 4096) { table.set(key, next++); if (next > (1 << size) && size < 12) size++; }
    else { put(clear); table = new Map(); size = minSize + 1; next = end + 1; }
    prefix = p;
  }
  put(prefix); put(end);
  if (bits > 0) out.push(acc & 255);
  return out;
}

// -- one panel: a grid of cells (or an image with boxes), built once, changed per step ----------
function panel(id, P, {goTo, light}) {
  const block = h("div", {class: `cc-panel${P.small ? " cc-small" : ""}`, "data-panel": id});
  const title = h("div", {class: "cc-title", "data-role": "title", text: P.title});
  block.append(title);
  const [R, C] = [P.t.length, P.t[0].length];
  const out = {id, P, block, title, cells: [], boxes: [], small: !!P.small, shown: null};
  if (P.image) {
    const px = P.px;
    out.image = h("div", {class: "cc-image", "data-role": "image", role: "img", "aria-label": P.title,
                          style: `width:${C * px}px;height:${R * px}px;background-image:url(${P.image})`});
    block.append(out.image);
    return out;
  }
  const g = h("div", {class: "cc-grid", style: `grid-template-columns:repeat(${C + (P.rl ? 1 : 0)},max-content)`});
  if (P.cl) { if (P.rl) g.append(h("span")); for (const t of P.cl) g.append(h("span", {class: "cc-lab", text: t})); }
  for (let r = 0; r < R; r++) {
    if (P.rl) g.append(h("span", {class: "cc-lab", text: P.rl[r]}));
    const cells = [];
    for (let c = 0; c < C; c++) {
      const order = P.order ? P.order[r][c] : null;
      const reads = P.reads ? P.reads[r][c] : null;
      const cell = h("div", {class: `cc-cell cc-s-${P.s[r][c]}`, "data-role": P.role || "cell", "data-panel": id,
        "data-pos": `${r},${c}`, "data-key": P.keys ? P.keys[r][c] : null, "data-channel": P.channel,
        "data-state": P.s[r][c], "data-order": order, tabindex: order !== null || reads ? 0 : null, text: P.t[r][c]});
      if (order !== null) {
        cell.addEventListener("click", () => goTo(order));      // Enter on it: the view's keys
      }
      if (reads) {
        for (const ev of ["pointerenter", "focus"]) cell.addEventListener(ev, () => light(reads));
        for (const ev of ["pointerleave", "blur"]) cell.addEventListener(ev, () => light(null));
      }
      cells.push(cell);
      g.append(cell);
    }
    out.cells.push(cells);
  }
  block.append(g);
  return out;
}

// Step k's look of one panel: its grids, the order's done / current / todo, then the step's changes.
function paint(pn, k, value, layers) {
  const {P} = pn;
  let title = P.title, small = !!P.small, boxes = null;
  for (const L of layers) if (L) { title = L.title ?? title; small = L.small ?? small; boxes = L.boxes ?? boxes; }
  setText(pn.title, title);
  if (small !== pn.small) { pn.small = small; pn.block.classList.toggle("cc-small", small); }
  if (pn.image) { placeBoxes(pn, boxes || []); return; }
  const t = P.t.map((r) => r.slice()), s = P.s.map((r) => r.slice());
  if (P.order) {
    P.order.forEach((orow, r) => orow.forEach((o, c) => {
      if (o === null) return;
      s[r][c] = o < k ? "done" : o === k ? "current" : "todo";
      if (o === k) t[r][c] = value; else if (o > k) t[r][c] = "";
    }));
  }
  for (const L of layers) {
    if (!L) continue;
    for (const [grid, f] of [[t, "t"], [s, "s"]]) {
      for (const [at, v] of Object.entries(L[f] || {})) {      // "r,c", or a block "r0,c0:r1,c1"
        const [[r0, c0], end] = at.split(":").map((a) => a.split(",").map(Number)).concat([null]);
        const [r1, c1] = end || [r0 + 1, c0 + 1];
        for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) grid[r][c] = v;
      }
    }
  }
  pn.cells.forEach((cells, r) => cells.forEach((cell, c) => {
    setText(cell, t[r][c]);
    if (cell.dataset.state !== s[r][c]) { cell.dataset.state = s[r][c]; cell.className = `cc-cell cc-s-${s[r][c]}`; }
  }));
}

// Boxes on an image (the window, the taps, the output cell, the cover over what is still to do):
// made once, moved per step; the ones not needed are hidden.
function placeBoxes(pn, boxes) {
  const px = pn.P.px;
  while (pn.boxes.length < boxes.length) { const b = h("div", {class: "cc-box"}); pn.image.append(b); pn.boxes.push(b); }
  pn.boxes.forEach((el, i) => {
    const b = boxes[i];
    if (!b) { el.hidden = true; return; }
    const [r, c, rows, cols, cls] = b;
    el.hidden = false;
    const style = `top:${r * px}px;left:${c * px}px;height:${rows * px}px;width:${cols * px}px`;
    if (el.getAttribute("style") !== style) el.setAttribute("style", style);
    setAttr(el, "class", `cc-box cc-box-${cls}`);
    setAttr(el, "data-box", JSON.stringify(b));
  });
}

// -- a view ------------------------------------------------------------------------------------
function render({model, el}) {
  const live = model.get("live") !== false;       // a static page's model says false
  let stop = () => {};
  const draw = () => {        // new data redraws the view; the control the learner was using keeps focus
    const role = el.contains(document.activeElement) ? document.activeElement.getAttribute("data-role") : null;
    stop(); stop = view(model, el, live);
    if (role) { const again = el.querySelector(`[data-role="${role}"]`); if (again) again.focus(); }
  };
  draw();
  const onData = () => draw();
  model.on("change:data", onData);
  return () => { stop(); model.off("change:data", onData); };
}

let viewCount = 0;

function view(model, el, live) {
  const D = model.get("data");
  const readings = Object.fromEntries(D.readings.map((r) => [r.key, r]));
  const recs = {};                                   // reading -> Map(step -> record)
  for (const r of D.readings) recs[r.key] = new Map(r.steps.map((s, i) => [r.first + i, s]));
  const asked = new Set();
  let rd = readings[model.get("reading")] || readings[D.reading];
  let k = model.get("step") || 0, b = model.get("buildup") ?? rd.top;
  let waitingFor = null;
  const lastStep = () => (rd.held ? rd.held - 1 : rd.n - 1);   // a static page stops at the steps it holds
  const sync = syncer(model, () => ({step: k, buildup: b, reading: rd.key}));

  // the frame: controls, header, picture, lines, live sentence, legend, notes
  const root = el.querySelector(":scope > .convcore-view") || h("div", {class: "convcore-view"});
  setAttr(root, "data-view", D.kind);
  setAttr(root, "data-example", D.example);
  const prev = h("button", {"data-role": "prev", "aria-label": "previous step", text: "◀ prev"});
  const next = h("button", {"data-role": "next", "aria-label": "next step", text: "next ▶"});
  const play = h("button", {"data-role": "play", "aria-label": "play", "aria-pressed": "false", text: "▶ play"});
  const speed = h("select", {"data-role": "speed", "aria-label": "speed in steps per second"},
    ...SPEEDS.map((s) => h("option", {value: s, text: s ? `${s} steps/s` : "fastest", selected: s === 2})));
  const step = slider("step-slider", "step", 0, 0);
  const typed = h("input", {type: "number", min: 0, value: 0, "data-role": "step-number", "aria-label": "go to step"});
  const presentBtn = h("button", {"data-role": "present", "aria-pressed": "false", "aria-label": "present: the view alone, full screen",
                                  text: "present (F)"});
  const link = h("a", {"data-role": "link", class: "cc-link", text: "link to this step", hidden: live});
  const savePng = h("button", {"data-role": "save-png", "aria-label": "save this step as a PNG picture", text: "save PNG"});
  const saveGif = h("button", {"data-role": "save-gif", "aria-label": "save the steps as a GIF animation", text: "GIF"});
  const scaleMenu = h("select", {"data-role": "picture-scale", "aria-label": "size of the saved picture"},
    ...[1, 2, 3].map((x) => h("option", {value: x, text: `${x}×`, selected: x === 2})));
  const switchRow = row(), settingsRow = row();
  switchRow.setAttribute("role", "radiogroup"); switchRow.setAttribute("aria-label", "reading");
  const posRow = row(), buRow = row();
  const back = h("button", {"data-role": "buildup-back", "aria-label": "take back one", text: "−"});
  const fwd = h("button", {"data-role": "buildup-forward", "aria-label": "add one more", text: "+"});
  const bu = slider("buildup-slider", "build-up", 0, 0);
  buRow.append(back, bu.label, fwd);
  const note = h("div", {class: "cc-note", "data-role": "note"});
  const error = h("div", {class: "convcore-error", "data-role": "error", role: "alert"});
  const header = h("div", {class: "cc-header", "data-role": "header"});
  const stage = h("div", {class: "cc-stage", "data-role": "stage"});
  const lines = h("div", {class: "cc-lines", "data-role": "lines"});
  const say = h("div", {class: "cc-sr", "aria-live": "polite", "data-role": "say"});
  const legend = h("div", {class: "cc-legend", "data-role": "legend"});
  const notes = h("div", {class: "cc-notes", "data-role": "notes"});
  const vid = ++viewCount;
  const keysHelp = h("div", {class: "cc-sr", id: `cc-keys-${vid}`, text: D.keys || ""});
  const frame = h("div", {class: "cc-frame"}, row(prev, play, next, step.label, typed, speed, presentBtn, savePng, saveGif, scaleMenu, link),
                  settingsRow, switchRow, posRow, buRow, note, error, header, stage, lines, say, legend, notes, keysHelp);
  root.replaceChildren(frame);
  setAttr(root, "tabindex", "0");
  setAttr(root, "aria-describedby", keysHelp.id);
  el.replaceChildren(root);

  // -- one reading's picture, built when it is shown -------------------------------------------
  let panels = [], byId = {}, pos = [], lit = [];
  const light = (reads) => {
    for (const c of lit) c.classList.remove("cc-lit");
    lit = [];
    if (!reads) return;
    const [sentence, targets] = reads;
    for (const [id, r, c] of targets) { const cell = byId[id] && byId[id].cells[r] && byId[id].cells[r][c]; if (cell) { cell.classList.add("cc-lit"); lit.push(cell); } }
    say.textContent = sentence;
  };
  function build() {
    root.setAttribute("data-reading", rd.key);
    panels = []; byId = {};
    stage.replaceChildren(...rd.rows.map((ids) => h("div", {class: "cc-row"}, ...ids.map((id) => {
      const pn = panel(id, rd.panels[id], {goTo: reach, light});
      panels.push(pn); byId[id] = pn;
      return pn.block;
    }))));
    const inPanel = {};                         // a panel's controls: a row under its title
    for (const x of controls.filter((x) => x.c.panel && byId[x.c.panel])) {
      if (!inPanel[x.c.panel]) { inPanel[x.c.panel] = row(); byId[x.c.panel].title.after(inPanel[x.c.panel]); }
      inPanel[x.c.panel].append(x.label);
    }
    const last = lastStep();
    step.input.max = last;
    pos = (rd.positions || []).map(([role, label, max]) => {
      const s = slider(role, label, max, 0);
      s.input.disabled = max < 1;
      s.input.addEventListener("input", () => {
        const target = pos.reduce((t, p) => t[Number(p.input.value)], rd.table);
        reach(target);
      });
      return s;
    });
    posRow.replaceChildren(...pos.map((s) => s.label));
    posRow.hidden = !pos.length;
    buRow.hidden = rd.top < 1;
    bu.input.max = rd.top;
    setText(bu.label.firstChild, `build-up (${rd.unit}s)`);
    legend.replaceChildren(...rd.legend.map(([state, text]) =>
      h("span", {}, h("span", {class: `cc-swatch cc-s-${state}`}), text)));
    // "needs-kernel" says why the selects are off: on a static page only
    notes.replaceChildren(...rd.notes.filter(([role]) => live ? role !== "needs-kernel" : true)
      .map(([role, text]) => h("div", {class: `cc-note cc-line-${role}`, "data-role": role, text})));
    for (const btn of switchRow.children) btn.setAttribute("aria-checked", String(btn.dataset.reading === rd.key));
    if (D.pick) rd.key.split(",").forEach((v, i) => { controls[i].input.value = v; });
  }
  // a static page holds the first steps of a long reading: a step past them (a position, a cell) is
  // refused, and said why
  const reach = (o) => (rd.held && o >= rd.held ? refuse() : go(o, rd.top));
  const refuse = () => {
    const held = rd.notes.find(([role]) => role === "held");
    say.textContent = held ? held[1] : "";
    setText(note, held ? held[1] : "");
    show(k, b);
  };
  // controls (the explorer's settings, a layer's kernel size): a running kernel answers a change with
  // new data; with D.pick the page holds a reading per combination and the controls pick it; else,
  // without a kernel, they are off (the view's notes say why)
  const controls = (D.controls || []).map((c) => {
    const attrs = {"data-role": `control-${c.name}`, disabled: c.off || (!live && !D.pick),
                   "aria-label": c.panel ? `${readings[D.reading].panels[c.panel].title}: ${c.label}` : c.label};
    const list = c.suggest && c.suggest.length ? h("datalist", {id: `cc-${vid}-${c.name}`},
      ...c.suggest.map((v) => h("option", {value: v}))) : null;
    const input = c.choices ? h("select", attrs, ...c.choices.map(([v, text]) => h("option", {value: String(v), text})))
      : c.rows ? h("textarea", {...attrs, rows: c.rows})
      : h("input", {...attrs, type: c.max === undefined ? "text" : "number", min: c.min, max: c.max, list: list && list.id});
    input.value = c.choices ? String(c.value) : c.value;
    const value = () => (c.choices ? c.choices[input.selectedIndex][0] : c.max === undefined ? input.value : Number(input.value));
    input.addEventListener("change", () => {
      if (!D.pick) { model.send({type: "control", name: c.name, value: value(), panel: c.panel}); return; }
      rd = readings[controls.map((x) => String(x.value())).join(",")]; build(); go(0, rd.top);
    });
    const label = h("label", {}, h("span", {text: c.label}), input, list);
    if (!c.panel) settingsRow.append(label);
    return {c, input, label, value};
  });
  settingsRow.hidden = !settingsRow.children.length;
  if (D.readings.length > 1 && !D.pick) {
    for (const r of D.readings) {
      const btn = h("button", {role: "radio", "data-role": "reading", "data-reading": r.key, "aria-label": r.label, text: r.label});
      btn.addEventListener("click", () => {
        if (r.key === rd.key) return;
        const rec = recs[rd.key].get(k);
        const jump = (rec && rec.jump && rec.jump[r.key]) || 0;
        rd = readings[r.key]; build(); reach(jump);
      });
      switchRow.append(btn);
    }
  }
  switchRow.hidden = D.readings.length < 2 || !!D.pick;

  // -- showing a step ----------------------------------------------------------------------------
  function show(nk, nb) {
    const last = lastStep();
    nk = Math.max(0, Math.min(last, nk));
    nb = Math.max(0, Math.min(rd.top, nb));
    const rec = recs[rd.key].get(nk);
    want(nk);
    if (!rec) { setText(note, rd.loading || ""); return false; }
    k = nk; b = nb;
    const partial = b < rd.top ? rec.build[b] : null;
    const value = partial && partial.value !== undefined ? partial.value : rec.value;
    for (const pn of panels) {
      const layers = [rec.set && rec.set[pn.id], partial && partial.set && partial.set[pn.id]];
      if (pn.P.order || layers[0] || layers[1] || pn.shown) paint(pn, k, value, layers);
      pn.shown = !!(layers[0] || layers[1]);             // changed at this step: repaint at the next
    }
    setText(header, rec.h);
    // a build-up position's lines name the complete step's lines it keeps by their number
    const shownLines = partial && partial.lines ? partial.lines.map((x) => (typeof x === "number" ? rec.lines[x] : x)) : rec.lines;
    lines.replaceChildren(...shownLines.map(([role, text]) =>
      h("div", {class: `cc-line cc-line-${role}`, "data-role": role, text})));
    say.textContent = partial && partial.say ? partial.say : rec.say;
    step.set(k); bu.set(b);
    typed.value = k; typed.max = last;
    if (!live && root.parentElement) link.href = `#${anchor()}-step-${k}`;
    if (presenting) fit(false);
    (rec.pos || []).forEach((v, i) => pos[i] && pos[i].set(v));
    prev.disabled = k === 0; next.disabled = k === last;
    back.disabled = b === 0; fwd.disabled = b === rd.top;
    setAttr(root, "data-step", k); setAttr(root, "data-buildup", b);
    return true;
  }
  // A move made here: shown now, told to the kernel later (a static page has no kernel).
  function go(nk, nb) {
    setText(note, "");
    const shown = show(nk, nb);
    if (!shown) waitingFor = nk;
    else if (live) sync.soon();
    return shown;
  }
  // Long readings come in blocks: ask the kernel for the one holding step nk (and the next).
  function want(nk) {
    if (!live || !rd.block) return;
    for (const at of [nk, nk + rd.block]) {
      if (at < rd.n && !recs[rd.key].has(at) && !asked.has(`${rd.key}:${at}`)) {
        asked.add(`${rd.key}:${at}`);
        model.send({type: "steps", reading: rd.key, at});
      }
    }
  }
  const onMsg = (msg) => {
    if (!msg || msg.type !== "steps") return;
    msg.steps.forEach((s, i) => recs[msg.reading].set(msg.first + i, s));
    if (waitingFor !== null && recs[rd.key].has(waitingFor)) { const w = waitingFor; waitingFor = null; go(w, rd.top); }
  };

  step.input.addEventListener("input", () => go(Number(step.input.value), rd.top));
  prev.addEventListener("click", () => go(k - 1, rd.top));
  next.addEventListener("click", () => go(k + 1, rd.top));
  bu.input.addEventListener("input", () => go(k, Number(bu.input.value)));
  back.addEventListener("click", () => go(k, b - 1));
  fwd.addEventListener("click", () => go(k, b + 1));
  const playback = player(play, speed, {at: () => k, last: lastStep,
    go: (nk) => go(nk, rd.top), missing: (nk) => { if (recs[rd.key].has(nk)) return false; want(nk); return true; }});
  root.convcoreStats = playback.stats;       // Play's frames, steps and waits, for the benchmarks
  typed.addEventListener("change", () => go(Number(typed.value), rd.top));

  // -- keys a lecturer uses, anywhere in the view (D.keys says them) ----------------------------
  root.convcoreKey = (e) => {
    const t = e.target, onRange = t.matches("input[type=range]");
    if (t.matches("select, input:not([type=range]), textarea") && e.key !== "Escape") return false;
    const last = lastStep();
    const act = {
      " ": () => !t.matches("button") && playback.toggle(),
      "p": () => playback.toggle(),
      "ArrowRight": () => !onRange && go(k + 1, rd.top), "ArrowLeft": () => !onRange && go(k - 1, rd.top),
      "Home": () => !onRange && go(0, rd.top), "End": () => !onRange && go(last, rd.top),
      "+": () => go(k, b + 1), "=": () => go(k, b + 1), "-": () => go(k, b - 1),
      "f": () => present(!presenting), "Escape": () => presenting && present(false),
      "Enter": () => t.dataset.order !== undefined && reach(Number(t.dataset.order)),
    }[e.key.length === 1 ? e.key.toLowerCase() : e.key];
    const done = act ? act() !== false : false;
    if (done) e.preventDefault();
    return done;
  };

  // -- present: the view alone, above the page, scaled to fit the screen -------------------------
  // The root moves to the end of <body> (so no container of the host clips or shifts it) and back.
  let presenting = false, home = null, width = 0;
  const sizes = () => ({w: frame.offsetWidth, h: frame.offsetHeight});
  function fit(relayout = true) {
    const vw = window.innerWidth, vh = window.innerHeight;
    if (relayout) {                         // try widths: the one that lets the view be largest
      let best = 0;
      for (const w of [560, 720, 880, 1040, 1200, 1400, 1700, 2000]) {
        frame.style.width = `${w}px`;
        const z = sizes(), scale = Math.min(vw / z.w, vh / z.h);
        if (scale > best) { best = scale; width = w; }
      }
      frame.style.width = `${width}px`;
    }
    const z = sizes();
    root.style.setProperty("--cc-scale", String(Math.min(vw / z.w, vh / z.h) * 0.98));
  }
  function present(on) {
    if (on === presenting) return;
    presenting = on;
    if (on) { home = document.createComment("convcore view"); root.replaceWith(home); document.body.append(root); }
    root.classList.toggle("cc-present", on);
    presentBtn.setAttribute("aria-pressed", String(on));
    presentBtn.textContent = on ? "leave (Esc)" : "present (F)";
    if (on) fit();
    else { home.replaceWith(root); home = null; frame.style.width = ""; root.style.removeProperty("--cc-scale"); }
    root.focus({preventScroll: !on});
  }
  // a panel wider than the screen (a phone's) scrolls by itself, and its title says so
  const scrolls = () => panels.forEach((pn) => setAttr(pn.block, "data-scrolls",
    pn.block.scrollWidth > pn.block.clientWidth + 1 ? "1" : null));
  const refit = () => { if (presenting) fit(); scrolls(); };
  window.addEventListener("resize", refit);
  presentBtn.addEventListener("click", () => present(!presenting));

  // -- pictures for slides: the step on screen as a PNG, or every step as a GIF, at the scale chosen.
  // The frame as drawn, without its controls, with the page's stylesheets, through an SVG image onto
  // a canvas: no kernel needed, so on a static page too (light colours, as the Python picture writer).
  const pageCss = () => Array.from(document.styleSheets).map((sheet) => {
    try { return Array.from(sheet.cssRules, (r) => r.cssText).join("\n"); } catch (err) { return ""; }  // another origin's
  }).join("\n");
  async function snapshot(scale, css) {
    const clone = frame.cloneNode(true);
    clone.querySelectorAll(".cc-controls, .cc-sr").forEach((e) => e.remove());
    clone.style.width = `${frame.offsetWidth}px`;
    const box = h("div", {class: "convcore-view", style: "display:inline-block"}, clone);
    box.setAttribute("xmlns", "http://www.w3.org/1999/xhtml");
    const probe = document.createElement("iframe");      // measured where it is drawn: a page of its own
    probe.style.cssText = "position:absolute;left:-99999px;top:0;width:4000px;height:4000px;border:0";
    document.body.append(probe);
    probe.contentDocument.head.append(h("style", {text: css}));
    probe.contentDocument.body.style.margin = "0";
    probe.contentDocument.body.append(probe.contentDocument.importNode(box, true));
    const w = probe.contentDocument.body.firstChild.offsetWidth, hgt = probe.contentDocument.body.firstChild.offsetHeight;
    probe.remove();
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w * scale}" height="${hgt * scale}">` +
      `<foreignObject x="0" y="0" width="${w}" height="${hgt}" transform="scale(${scale})">` +
      `<style><![CDATA[${css}]]></style>${new XMLSerializer().serializeToString(box)}</foreignObject></svg>`;
    const img = new Image();
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
    await img.decode();
    const canvas = Object.assign(document.createElement("canvas"), {width: Math.round(w * scale), height: Math.round(hgt * scale)});
    const g = canvas.getContext("2d");
    g.fillStyle = "#fff";
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.drawImage(img, 0, 0);
    return canvas;
  }
  const download = (name, href) => { const a = h("a", {download: name, href}); document.body.append(a); a.click(); a.remove(); };
  savePng.addEventListener("click", async () => {
    download(`${D.kind}-step-${k}.png`, (await snapshot(Number(scaleMenu.value), pageCss())).toDataURL("image/png"));
  });
  saveGif.addEventListener("click", async () => {
    const from = k, last = Math.min(lastStep(), GIF_STEPS - 1), frames = [], css = pageCss();   // read once
    saveGif.disabled = true;
    try {
      for (let s = 0; s <= last; s++) {
        if (!recs[rd.key].has(s)) break;                  // a long reading: the steps that are here
        show(s, rd.top);
        frames.push(await snapshot(Number(scaleMenu.value), css));
      }
    } finally { show(from, b); saveGif.disabled = false; }
    // one size for every frame (a step's texts may widen it): the largest, on white
    const W = Math.max(...frames.map((c) => c.width)), H = Math.max(...frames.map((c) => c.height));
    const pixels = frames.map((c) => {
      const page = Object.assign(document.createElement("canvas"), {width: W, height: H}), g = page.getContext("2d");
      g.fillStyle = "#fff"; g.fillRect(0, 0, W, H); g.drawImage(c, 0, 0);
      return g.getImageData(0, 0, W, H);
    });
    const hex = (v) => /^#[0-9a-f]{6}$/i.test(v) ? [1, 3, 5].map((i) => parseInt(v.slice(i, i + 2), 16)) : null;
    const exact = ["plain", "kernel", "patch", "pad", "done", "current", "active", "read", "win", "other-group", "unread"]
      .flatMap((st) => {                         // each state's fill and edge, as its rule in view.css sets them
        const probe = frame.appendChild(h("span", {class: `cc-s-${st}`})), style = getComputedStyle(probe);
        const both = ["--fill", "--edge"].map((v) => hex(style.getPropertyValue(v).trim()));
        probe.remove();
        return both;
      }).filter(Boolean);
    const url = URL.createObjectURL(new Blob([gif(pixels, 800, exact)], {type: "image/gif"}));
    download(`${D.kind}-steps.gif`, url);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });

  // -- a static page: every view can be linked to at a step (#view-N-step-K) -----------------------
  const anchor = () => (root.closest(".convcore-embed") || {}).id || "view";
  root.convcoreGo = (nk) => go(nk, rd.top);
  // what is shown, as data: the tests compare the page with the screen this record describes
  root.convcoreShown = () => ({reading: rd.key, step: k, buildup: b, record: recs[rd.key].get(k),
                               panels: rd.panels, top: rd.top, positions: rd.positions || [], table: rd.table, held: rd.held});

  // -- the kernel's side ---------------------------------------------------------------------------
  const fromKernel = () => {
    if (sync.ours) return;
    const mr = model.get("reading"), mk = model.get("step"), mb = model.get("buildup");
    if (mr && mr !== rd.key && readings[mr]) { rd = readings[mr]; build(); }
    if (mk !== k || mb !== b) { if (!show(mk, mb)) waitingFor = mk; }
  };
  const showError = () => setText(error, model.get("error") || "");
  const events = ["change:step", "change:buildup", "change:reading"];
  for (const ev of events) model.on(ev, fromKernel);
  model.on("change:error", showError);
  model.on("msg:custom", onMsg);
  showError();
  build();
  if (!show(k, b)) waitingFor = k;
  requestAnimationFrame(scrolls);
  return () => {
    playback.stop(); sync.stop(); window.removeEventListener("resize", refit);
    for (const ev of events) model.off(ev, fromKernel);
    model.off("change:error", showError); model.off("msg:custom", onMsg);
  };
}

// -- static pages --------------------------------------------------------------------------------
// A model kept in the page, with anywidget's methods (no kernel, no network).
function pageModel(state) {
  const handlers = {};
  return {
    get: (name) => state[name], set: (name, value) => { state[name] = value; },
    save_changes() {}, send() {},
    on(ev, f) { (handlers[ev] = handlers[ev] || []).push(f); },
    off(ev, f) { handlers[ev] = (handlers[ev] || []).filter((g) => g !== f); },
  };
}

// Draws every embed under root not drawn yet (<div class="convcore-embed"> holding its data as
// JSON), with the stylesheet that sits beside this module. Returns the embeds drawn.
export function hydrate(root = document) {
  const doc = root.ownerDocument || root;
  if (!doc.getElementById("convcore-css")) {
    doc.head.append(Object.assign(doc.createElement("link"),
      {id: "convcore-css", rel: "stylesheet", href: new URL("./convcore-view.css", import.meta.url).href}));
  }
  const done = [];
  doc.querySelectorAll("div.convcore-embed").forEach((embed, i) => { if (!embed.id) embed.id = `view-${i}`; });
  for (const embed of root.querySelectorAll("div.convcore-embed:not([data-hydrated])")) {
    const script = embed.querySelector("script.convcore-data");
    if (!script) continue;
    const {data, step, buildup, reading} = JSON.parse(script.textContent);
    const host = doc.createElement("div");
    embed.append(host);
    render({model: pageModel({data, step, buildup, reading, error: "", live: false}), el: host});
    embed.setAttribute("data-hydrated", "1");
    done.push(embed);
  }
  if (!doc.convcoreLinks) {                      // the address names a view and a step: go there
    doc.convcoreLinks = true;
    const follow = () => {
      const m = /^#(view-\d+)-step-(\d+)$/.exec(decodeURIComponent(location.hash));
      const target = m && doc.getElementById(m[1]);
      const view = target && target.querySelector(".convcore-view");
      if (!view) return;
      view.convcoreGo(Number(m[2]));
      target.scrollIntoView({block: "start"});
    };
    window.addEventListener("hashchange", follow);
    follow();
  }
  return done;
}

export default {render};
