// convcore's grid-step renderer (TransposeView, GradientView, Im2colView; data: convcore/views/gridsteps.py).
// Panels of number grids whose texts and states change per step, a few lines of sums, a reading switch.
// Every text is one convcore wrote; this file only selects and places them. No kernel message per step.
const SPEEDS = [1, 2, 5, 10, 0];    // steps per second; 0: one step per animation frame
const SYNC_QUIET_MS = 300;
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

function render({model, el}) {
  const D = model.get("data");
  const modes = Object.fromEntries(D.modes.map((m) => [m.key, m]));
  let mode = model.get("mode") || D.modes[0].key, k = model.get("step");
  let sent = {mode, step: k}, timer = null, playing = false, raf = 0, lastTick = 0, setting = false;

  const root = h("div", {class: "convcore-view", "data-view": D.kind, "data-example": D.example});
  const prev = h("button", {"data-role": "prev", "aria-label": "previous step", text: "◀ prev"});
  const next = h("button", {"data-role": "next", "aria-label": "next step", text: "next ▶"});
  const play = h("button", {"data-role": "play", "aria-label": "play", "aria-pressed": "false", text: "▶ play"});
  const slider = h("input", {type: "range", min: 0, step: 1, "data-role": "step-slider", "aria-label": "step"});
  const readout = h("output", {"data-role": "step-slider-readout", "aria-hidden": "true"});
  const speed = h("select", {"data-role": "speed", "aria-label": "speed in steps per second"},
    ...SPEEDS.map((s) => h("option", {value: s, text: s ? `${s} steps/s` : "fastest", selected: s === 2 ? true : null})));
  const controls = h("div", {class: "cc-controls", "data-lm-suppress-shortcuts": "true"},
    prev, play, next, h("label", {}, h("span", {text: "step"}), slider, readout), speed);
  controls.addEventListener("keydown", (e) => { if (OUR_KEYS.has(e.key)) e.stopPropagation(); });
  const switches = {};
  if (D.modes.length > 1) {
    const group = h("div", {class: "cc-controls", role: "radiogroup", "aria-label": "reading",
                            "data-lm-suppress-shortcuts": "true"});
    for (const m of D.modes) {
      switches[m.key] = h("button", {role: "radio", "data-role": "mode", "data-mode": m.key,
                                     "aria-label": m.label, text: m.label});
      switches[m.key].addEventListener("click", () => { setMode(m.key); syncSoon(); });
      group.append(switches[m.key]);
    }
    root.append(group);
  }
  const header = h("div", {class: "cc-header", "data-role": "header"});
  const stage = h("div");
  const lines = h("div", {class: "cc-gs-lines", "data-role": "lines"});
  const say = h("div", {class: "cc-sr", "aria-live": "polite", "data-role": "say"});
  const legend = h("div", {class: "cc-legend"});
  root.append(controls, header, stage, lines, say, legend);
  el.replaceChildren(root);

  // -- one reading's panels, built once per switch, then mutated per step ---------------------
  let built = null;
  function build(m) {
    const panels = {};
    stage.replaceChildren(...m.rows.map((row) => h("div", {class: "cc-gs-panels"}, ...row.map((id) => {
      const P = m.panels[id];
      const cols = P.t[0].length + (P.rl ? 1 : 0);
      const g = h("div", {class: "cc-grid", style: `grid-template-columns:repeat(${cols},max-content)`});
      if (P.cl) { if (P.rl) g.append(h("span")); P.cl.forEach((t) => g.append(h("span", {class: "cc-gs-lab", text: t}))); }
      const cells = P.t.map((row, r) => {
        if (P.rl) g.append(h("span", {class: "cc-gs-lab", text: P.rl[r]}));
        return row.map((_, c) => { const cell = h("div", {class: "cc-cell", "data-role": "cell", "data-panel": id,
                                                           "data-pos": `${r},${c}`}); g.append(cell); return cell; });
      });
      const title = h("div", {class: "cc-title", "data-role": "title", text: P.title});
      panels[id] = {P, cells, title};
      return h("div", {class: "cc-block", "data-panel": id}, title, g);
    }))));
    legend.replaceChildren(...m.legend.map(([state, name]) =>
      h("span", {}, h("span", {class: `cc-swatch cc-s-${state}`}), name)));
    slider.max = m.n - 1;
    for (const [key, b] of Object.entries(switches)) b.setAttribute("aria-checked", String(key === m.key));
    root.setAttribute("data-mode", m.key);
    return panels;
  }

  function show(nk) {
    const m = modes[mode];
    k = Math.max(0, Math.min(m.n - 1, nk));
    const r = m.steps[k];
    for (const [id, {P, cells, title}] of Object.entries(built)) {
      const set = r.set[id] || {};
      const t = set.t || P.t, s = set.s || P.s;
      setText(title, set.title || P.title);
      cells.forEach((row, i) => row.forEach((cell, j) => {
        setText(cell, t[i][j]);
        if (cell.dataset.state !== s[i][j]) { cell.dataset.state = s[i][j]; cell.className = `cc-cell cc-s-${s[i][j]}`; }
      }));
    }
    lines.replaceChildren(...r.lines.map(([role, text]) => h("div", {class: role === "total" ? "cc-total" : "cc-eq",
                                                                      "data-role": role, text})));
    setText(header, r.h);
    say.textContent = r.say;
    slider.value = k; setText(readout, String(k));
    prev.disabled = k === 0; next.disabled = k === m.n - 1;
    root.setAttribute("data-step", k);
  }
  function setMode(key) {
    if (!modes[key] || key === mode) return;
    const jump = modes[mode].steps[k].jump || {};     // the same element in the other reading
    mode = key; built = build(modes[key]); show(jump[key] ?? 0);
  }
  function syncSoon() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (sent.mode === mode && sent.step === k) return;
      sent = {mode, step: k};
      setting = true;              // our own sets fire change events: they are not the kernel's
      model.set("mode", sent.mode); model.set("step", sent.step);
      setting = false;
      model.save_changes();
    }, SYNC_QUIET_MS);
  }
  const go = (nk) => { show(nk); syncSoon(); };
  slider.addEventListener("input", () => go(Number(slider.value)));
  prev.addEventListener("click", () => go(k - 1));
  next.addEventListener("click", () => go(k + 1));
  function tick(now) {
    if (!playing) return;
    raf = requestAnimationFrame(tick);
    const sps = Number(speed.value);
    if (sps && now - lastTick < 1000 / sps) return;
    if (k >= modes[mode].n - 1) { setPlaying(false); return; }
    lastTick = now; go(k + 1);
  }
  function setPlaying(on) {
    playing = on;
    play.textContent = on ? "❚❚ pause" : "▶ play";
    play.setAttribute("aria-label", on ? "pause" : "play");
    play.setAttribute("aria-pressed", String(on));
    cancelAnimationFrame(raf);
    if (on) { if (k >= modes[mode].n - 1) go(0); lastTick = 0; raf = requestAnimationFrame(tick); }
  }
  play.addEventListener("click", () => setPlaying(!playing));

  const fromKernel = () => {
    if (setting) return;
    const mm = model.get("mode"), mk = model.get("step");
    if (mm === sent.mode && mk === sent.step) return;
    sent = {mode: mm, step: mk};
    if (mm !== mode) { mode = mm; built = build(modes[mm]); }
    show(mk);
  };
  model.on("change:step", fromKernel);
  model.on("change:mode", fromKernel);
  built = build(modes[mode]);
  show(k);
  return () => { playing = false; cancelAnimationFrame(raf); clearTimeout(timer);
                 model.off("change:step", fromKernel); model.off("change:mode", fromKernel); };
}

// -- static pages: a model kept in the page (no kernel, no network) --------------------------
function pageModel(payload) {
  const state = {data: {kind: payload.kind, modes: payload.modes, example: payload.example}, step: payload.step || 0, mode: payload.mode || ""};
  return {get: (n) => state[n], set: (n, v) => { state[n] = v; }, save_changes() {}, send() {}, on() {}, off() {}};
}

export function hydrate(root = document) {
  const doc = root.ownerDocument || root;
  const done = [];
  for (const embed of root.querySelectorAll('div.convcore-embed[data-module="convcore-gridsteps.js"]:not([data-hydrated])')) {
    const script = embed.querySelector("script.convcore-data");
    if (!script) continue;
    const payload = JSON.parse(script.textContent);
    if (payload.css && !doc.getElementById("convcore-gridsteps-css")) {
      doc.head.append(Object.assign(doc.createElement("style"), {id: "convcore-gridsteps-css", textContent: payload.css}));
    }
    const host = doc.createElement("div");
    embed.append(host);
    render({model: pageModel(payload), el: host});
    embed.setAttribute("data-hydrated", "1");
    done.push(embed);
  }
  return done;
}

export default {render};
