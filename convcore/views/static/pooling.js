// The pooling stepper (convcore/views/pooling.py ships the data). Used as the anywidget ESM
// (export default {render}) and on static pages (hydrate()). Every number and text shown was
// written by convcore in Python; this file only selects and places them.

// ---- the step controls (the same in every view module of this kind) -------------------------
const SPEEDS = [1, 2, 5, 10, 0];            // steps per second; 0: one step per animation frame
const SYNC_QUIET_MS = 300;
const KEYS_OURS = {"data-lm-suppress-shortcuts": "true"};
const OUR_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown", " ", "Enter"]);

// Keys on our controls are ours. Some hosts (Notebook 7) run their shortcuts on the document in
// the capture phase and stop the key before a focused slider sees it. A listener on the window
// runs before theirs: it keeps the key away from the host and lets the browser's own action (move
// the slider, press the button) happen. Registered once, whichever view module loads first.
if (typeof window !== "undefined" && !window.__convcoreOwnKeys) {
  window.__convcoreOwnKeys = true;
  window.addEventListener("keydown", (e) => {
    if (OUR_KEYS.has(e.key) && e.target instanceof Element && e.target.closest(".cc-controls")) e.stopPropagation();
  }, true);
}


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
const setAttr = (e, k, v) => { if (v === null) e.removeAttribute(k); else if (e.getAttribute(k) !== String(v)) e.setAttribute(k, v); };

// Builds the controls, header, live sentence and main box; draw(k) places step k and returns its record.
function steps(model, el, kind, n, build) {
  // A redraw (new data from the kernel) keeps the root element, so whoever holds it still does.
  const root = el.querySelector(":scope > .convcore-view") || h("div", {class: "convcore-view", "data-view": kind});
  root.replaceChildren();
  const slider = h("input", {type: "range", min: 0, max: n - 1, step: 1, value: 0, "data-role": "step-slider",
                             "aria-label": `step (0 to ${n - 1})`});
  const readout = h("output", {"data-role": "step-slider-readout", "aria-hidden": "true", text: "0"});
  const prev = h("button", {"data-role": "prev", "aria-label": "previous step", text: "◀ prev"});
  const next = h("button", {"data-role": "next", "aria-label": "next step", text: "next ▶"});
  const play = h("button", {"data-role": "play", "aria-label": "play", "aria-pressed": "false", text: "▶ play"});
  const speed = h("select", {"data-role": "speed", "aria-label": "speed in steps per second"},
    ...SPEEDS.map((s) => h("option", {value: s, text: s ? `${s} steps/s` : "fastest", selected: s === 2})));
  const bar = h("div", {class: "cc-controls", ...KEYS_OURS}, prev, play, next,
                h("label", {}, h("span", {text: "step"}), slider, readout), speed);
  bar.addEventListener("keydown", (e) => { if (OUR_KEYS.has(e.key)) e.stopPropagation(); });
  const header = h("div", {class: "cc-header", "data-role": "header"});
  const say = h("div", {class: "cc-sr", "aria-live": "polite", "data-role": "say"});
  const main = h("div", {class: "cc-main"});
  root.append(bar, header, main, say);
  el.replaceChildren(root);
  const draw = build(main, root);
  let k = -1, timer = null, playing = false, raf = 0, lastTick = 0;

  function show(nk) {
    nk = Math.max(0, Math.min(n - 1, nk));
    const r = draw(nk);
    k = nk;
    setAttr(root, "data-step", k);
    slider.value = k; setText(readout, String(k));
    setText(header, r.h);
    setText(say, r.say);
    prev.disabled = k === 0; next.disabled = k === n - 1;
  }
  function move(nk) {                        // a move made here: show now, tell the kernel when quiet
    show(nk);
    clearTimeout(timer);
    timer = setTimeout(() => { if (model.get("step") !== k) { model.set("step", k); model.save_changes(); } }, SYNC_QUIET_MS);
  }
  function tick(now) {
    if (!playing) return;
    raf = requestAnimationFrame(tick);
    const sps = Number(speed.value);
    if (sps && now - lastTick < 1000 / sps) return;
    if (k >= n - 1) { setPlaying(false); return; }
    lastTick = now;
    move(k + 1);
    if (k >= n - 1) setPlaying(false);       // the last step: Play stops there
  }
  function setPlaying(on) {
    playing = on;
    play.textContent = on ? "❚❚ pause" : "▶ play";
    play.setAttribute("aria-label", on ? "pause" : "play");
    play.setAttribute("aria-pressed", String(on));
    cancelAnimationFrame(raf);
    if (on) { if (k >= n - 1) move(0); lastTick = 0; raf = requestAnimationFrame(tick); }
  }
  slider.addEventListener("input", () => move(Number(slider.value)));
  prev.addEventListener("click", () => move(k - 1));
  next.addEventListener("click", () => move(k + 1));
  play.addEventListener("click", () => setPlaying(!playing));
  const fromKernel = () => { const mk = model.get("step"); if (mk !== k) show(mk); };
  model.on("change:step", fromKernel);
  show(model.get("step") || 0);
  const stop = () => { playing = false; cancelAnimationFrame(raf); clearTimeout(timer); model.off("change:step", fromKernel); };
  stop.show = () => show(k);                  // redraw the step shown (after a switch)
  return stop;
}

// A small model kept in the page, with anywidget's methods (no kernel, no network).
function pageModel(payload) {
  const state = {data: payload, step: payload.step || 0, variant: payload.variant || ""};
  const handlers = {};
  return {
    get: (name) => state[name], set: (name, value) => { state[name] = value; },
    save_changes() {}, send() {},
    on(ev, f) { (handlers[ev] = handlers[ev] || []).push(f); },
    off(ev, f) { handlers[ev] = (handlers[ev] || []).filter((g) => g !== f); },
  };
}

function hydrateModule(root, module, renderOne) {
  const doc = root.ownerDocument || root;
  const done = [];
  for (const embed of root.querySelectorAll(`div.convcore-embed[data-module="${module}"]:not([data-hydrated])`)) {
    const script = embed.querySelector("script.convcore-data");
    if (!script) continue;
    const payload = JSON.parse(script.textContent);
    // the palette once per page (view.js uses the same id), then this module's own rules
    for (const [id, css] of [["convcore-css", payload.palette], [`convcore-css-${module}`, payload.css]]) {
      if (css && !doc.getElementById(id)) doc.head.append(Object.assign(doc.createElement("style"), {id, textContent: css}));
    }
    const host = doc.createElement("div");
    embed.append(host);
    renderOne({model: pageModel(payload), el: host});
    embed.setAttribute("data-hydrated", "1");
    done.push(embed);
  }
  return done;
}

// ---- the pooling picture ------------------------------------------------------------------
function cellGrid(keys, make) {
  const cells = keys.map((row, r) => row.map((key, c) => make(key, r, c)));
  const g = h("div", {class: "cc-grid", style: `grid-template-columns:repeat(${keys[0].length},max-content)`}, ...cells.flat());
  return {g, cells};
}

function render({model, el}) {
  const D = model.get("data"), S = D.static, R = D.steps;
  return steps(model, el, "pool", R.length, (main) => {
    const droppedKeys = new Set(S.dropped.flatMap((d) => d.cells));
    const base = (r, c) => `cc-cell cc-s-${S.inState[r][c]}${droppedKeys.has(S.inKeys[r][c]) ? " cc-dropped" : ""}`;
    const byKey = new Map();
    // the input grid, with its coordinates written above (and beside, in 2-D)
    const inp = cellGrid(S.inKeys, (key, r, c) => {
      const cell = h("div", {class: base(r, c), "data-role": "in-cell", "data-pos": key, "data-state": S.inState[r][c],
                             "data-dropped": droppedKeys.has(key) ? "1" : null, "aria-label": `input ${key}`});
      cell.ccBase = base(r, c); cell.ccDropped = droppedKeys.has(key) ? " cc-dropped" : ""; cell.ccState = S.inState[r][c];
      byKey.set(key, cell);
      return cell;
    });
    const colAxis = h("div", {class: "cc-grid", style: `grid-template-columns:repeat(${S.cols.length},34px);grid-auto-rows:16px`},
      ...S.cols.map((c) => h("div", {class: "cc-axis", text: String(c)})));
    const rowAxis = S.dims === 2 ? h("div", {class: "cc-grid", style: "grid-template-columns:max-content;padding-top:18px"},
      ...S.rows.map((r, i) => h("div", {class: "cc-axis cc-axis-row", "data-role": "row-label",
                                        text: S.rowLabels[i] ? `${r} ${S.rowLabels[i]}` : String(r)}))) : null;
    const colLabels = S.colLabels.some((t) => t) ? h("div", {class: "cc-grid",
        style: `grid-template-columns:repeat(${S.cols.length},34px);grid-auto-rows:16px`},
      ...S.colLabels.map((t) => h("div", {class: "cc-axis cc-axis-label", "data-role": "col-label", text: t}))) : null;
    const droppedLabel = S.colDropped ? h("div", {class: "cc-grid", style: `grid-template-columns:repeat(${S.cols.length},34px);grid-auto-rows:18px`},
      h("div", {class: "cc-axis cc-dropped-label", "data-role": "dropped-mark", text: "dropped",
                style: `grid-column:${S.colDropped[0]} / ${S.colDropped[1]}`})) : null;
    const inTitle = h("div", {class: "cc-title", text: "input (coordinates above; padding and overhang labelled)"});
    const inBox = h("div", {class: "cc-block"}, inTitle,
      h("div", {style: "display:flex;gap:4px"}, rowAxis, h("div", {}, colAxis, inp.g, colLabels, droppedLabel)));
    const out = cellGrid(S.outKeys, (key) => h("div", {class: "cc-cell cc-s-todo", "data-role": "out-cell",
      "data-index": key, "data-state": "todo"}));
    const outBox = h("div", {class: "cc-block"}, h("div", {class: "cc-title", text: `output of ${S.title}`}), out.g);
    const eq = h("div", {class: "cc-total cc-eq", "data-role": "eq"});
    const value = h("span", {class: "cc-value", "data-role": "value"});
    const extra = h("div", {class: "cc-note", "data-role": "extra"});
    const labels = h("div", {class: "cc-labels"},
      ...S.dropped.map((d) => h("div", {"data-role": "dropped-label"}, h("span", {class: "cc-swatch cc-s-over cc-dropped"}), d.label)),
      S.ceil ? h("div", {"data-role": "ceil", text: S.ceil}) : null,
      h("div", {class: "cc-formula", "data-role": "formula", text: S.formula}));
    const legend = h("div", {class: "cc-legend"},
      ...[["input", "plain"], ["padding (reads " + (S.pool === "max" ? "−∞" : "0") + ")", "pad"],
          ["overhang (past the padded input, reads nothing)", "over"], ["window", "patch"],
          ["output done", "done"], ["being computed", "current"], ["not yet", "todo"]]
        .map(([name, st]) => h("span", {}, h("span", {class: `cc-swatch cc-s-${st}`}), name)),
      S.pool === "max" ? h("span", {}, h("span", {class: "cc-swatch cc-win"}), "winner")
                       : h("span", {}, h("span", {text: "✓ "}), "counted by the divisor"));
    main.append(h("div", {class: "cc-col"}, inBox, eq, h("div", {}, "value: ", value), extra, labels, legend),
                h("div", {class: "cc-col"}, outBox));
    let plane = null, lit = [];
    return (k) => {
      const r = R[k];
      const [s, ch] = r.plane;
      if (plane !== `${s},${ch}`) {
        plane = `${s},${ch}`;
        inp.cells.forEach((row, i) => row.forEach((cell, j) => setText(cell, S.inText[s][ch][i][j])));
        if (S.multi) setText(inTitle, `input, sample ${s}, channel ${ch}`);
      }
      for (const cell of lit) { cell.className = cell.ccBase; setAttr(cell, "data-state", cell.ccState);
        cell.removeAttribute("data-win"); cell.removeAttribute("data-counted"); }
      lit = [];
      for (const [key, st] of r.taps) {
        const cell = byKey.get(key);
        cell.className = `cc-cell cc-s-${st}${cell.ccDropped}`;
        setAttr(cell, "data-state", st);
        lit.push(cell);
      }
      if (r.win !== null) { const w = byKey.get(r.win); w.classList.add("cc-win"); w.setAttribute("data-win", "1"); }
      for (const key of r.counted) { const c = byKey.get(key); c.classList.add("cc-counted"); c.setAttribute("data-counted", "1"); }
      out.cells.forEach((row, i) => row.forEach((cell, j) => {
        const at = S.stepOf[s][ch][i][j];
        const state = at < k ? "done" : at === k ? "current" : "todo";
        cell.className = `cc-cell cc-s-${state}`;
        setAttr(cell, "data-state", state);
        setText(cell, state === "done" ? S.outText[s][ch][i][j] : state === "current" ? r.v : "");
      }));
      setText(eq, r.eq); setText(value, r.v); setText(extra, r.extra);
      return r;
    };
  });
}

export function hydrate(root = document) {
  return hydrateModule(root, "convcore-pooling.js", render);
}

export default {render};
