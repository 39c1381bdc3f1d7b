// convcore's grid-step renderer (TransposeView, GradientView, Im2colView; data: convcore/views/gridsteps.py).
// Panels of number grids whose texts and states change per step, a few lines of sums, a reading switch.
// Every text is one convcore wrote; this file only selects and places them. No kernel message per step.
// The step controls, h() and the static-page plumbing come from controls.js, which
// convcore/views/esm.py puts above this file.

function render({model, el}) {
  const D = model.get("data");
  const modes = Object.fromEntries(D.modes.map((m) => [m.key, m]));
  let mode = model.get("mode") || D.modes[0].key, k = model.get("step");
  const sync = syncer(model, () => ({mode, step: k}));

  const root = h("div", {class: "convcore-view", "data-view": D.kind, "data-example": D.example});
  const {prev, next, play, speed} = stepButtons();
  const step = slider("step-slider", "step");               // max: per reading, set in build()
  const controls = controlRow(prev, play, next, step.label, speed);
  const switches = {};
  if (D.modes.length > 1) {
    const group = h("div", {class: "cc-controls", role: "radiogroup", "aria-label": "reading", ...KEYS_OURS});
    for (const m of D.modes) {
      switches[m.key] = h("button", {role: "radio", "data-role": "mode", "data-mode": m.key,
                                     "aria-label": m.label, text: m.label});
      switches[m.key].addEventListener("click", () => { setMode(m.key); sync.soon(); });
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
    step.input.max = m.n - 1;
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
    step.input.value = k; setText(step.out, String(k));
    prev.disabled = k === 0; next.disabled = k === m.n - 1;
    root.setAttribute("data-step", k);
  }
  function setMode(key) {
    if (!modes[key] || key === mode) return;
    const jump = modes[mode].steps[k].jump || {};     // the same element in the other reading
    mode = key; built = build(modes[key]); show(jump[key] ?? 0);
  }
  const go = (nk) => { show(nk); sync.soon(); };
  step.input.addEventListener("input", () => go(Number(step.input.value)));
  prev.addEventListener("click", () => go(k - 1));
  next.addEventListener("click", () => go(k + 1));
  const playback = player(play, speed, {at: () => k, last: () => modes[mode].n - 1, go});
  root.convcoreStats = playback.stats;       // Play's frames, steps and waits, for the benchmarks

  const fromKernel = () => {
    if (sync.ours) return;         // our own report coming back
    const mm = model.get("mode"), mk = model.get("step");
    if (mm === mode && mk === k) return;
    if (mm !== mode) { mode = mm; built = build(modes[mm]); }
    show(mk);
  };
  model.on("change:step", fromKernel);
  model.on("change:mode", fromKernel);
  built = build(modes[mode]);
  show(k);
  return () => { playback.stop(); sync.stop(); model.off("change:step", fromKernel); model.off("change:mode", fromKernel); };
}

export function hydrate(root = document) {
  return hydrateModule(root, "convcore-gridsteps.js", render, (payload) => ({
    data: {kind: payload.kind, modes: payload.modes, example: payload.example},
    step: payload.step || 0, mode: payload.mode || ""}));
}

export default {render};
