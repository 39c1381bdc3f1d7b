// The receptive-field view and the sequence (causal) view: rows of positions, one per layer,
// lit per step (convcore/views/receptive.py and sequence.py ship the data). Used as the anywidget
// ESM (export default {render}) and on static pages (hydrate()). Every text shown was written by
// convcore in Python; this file only selects and places them.

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

// ---- rows of layers ------------------------------------------------------------------------
function render({model, el}) {
  let cleanup = null;
  const draw = () => {
    if (cleanup) cleanup();
    const D = model.get("data"), S = D.static;
    let name = model.get("variant") || D.variant;
    const names = Object.keys(D.variants);
    cleanup = steps(model, el, S.kind, D.variants[name].steps.length, (main, root) => {
      setAttr(root, "data-variant", name);
      const box = h("div", {class: "cc-col"});
      if (names.length > 1) {
        const pick = h("select", {"data-role": "variant", "aria-label": "which stack"},
          ...names.map((n) => h("option", {value: n, text: D.variants[n].label, selected: n === name})));
        pick.addEventListener("change", () => {
          name = pick.value; setAttr(root, "data-variant", name); build(); cleanup.show();
          if (model.get("variant") !== name) { model.set("variant", name); model.save_changes(); }
        });
        root.querySelector(".cc-controls").append(h("label", {}, h("span", {text: "stack"}), pick));
      }
      // Per layer: kernel size, stride, dilation. A change is recomputed by the kernel (new data comes
      // back); a static page has no kernel, so the controls are off and say so.
      const live = D.live !== false;
      const edits = (layer) => {
        if (!layer.edit) return null;
        const box = h("div", {class: "cc-controls", ...KEYS_OURS});
        for (const [key, label] of [["kernel_size", "kernel"], ["stride", "stride"], ["dilation", "dilation"]]) {
          const sel = h("select", {"data-role": `edit-${key}`, "aria-label": `${layer.label} ${label}`, disabled: !live,
                                   title: live ? null : S.needsKernel},
            ...S.choices[key].map((v) => h("option", {value: v, text: v, selected: v === String(layer.edit[key])})));
          sel.addEventListener("change", () => model.send({type: "layer", layer: layer.layer, key, value: Number(sel.value)}));
          box.append(h("label", {}, h("span", {text: label}), sel));
        }
        return box;
      };
      const error = h("div", {class: "convcore-error", "data-role": "error", role: "alert", text: model.get("error") || ""});
      const rowsBox = h("div", {class: "cc-rows"});
      if (S.needsKernel && !live) box.append(h("div", {class: "cc-note", "data-role": "needs-kernel", text: S.needsKernel}));
      box.append(error);
      const legend = h("div", {class: "cc-legend"}, ...S.legend.map(([st, label]) =>
        h("span", {}, h("span", {class: `cc-swatch cc-s-${S.states[st]}`}), label)));
      box.append(rowsBox, legend, h("div", {class: "cc-note", "data-role": "note", text: S.note}));
      main.append(box);
      let rows = [];
      function build() {
        rows = D.variants[name].layers.map((layer) => {
          const cells = layer.pos.map((p) => h("div", {class: "cc-cell cc-s-plain", "data-role": "cell", "data-pos": p,
                                                     "data-state": "plain", text: p}));
          const row = h("div", {class: "cc-row", "data-role": "layer-row"},
            h("div", {class: "cc-title", "data-role": "layer-text", text: layer.text}), edits(layer),
            h("div", {class: "cc-grid", style: `grid-template-columns:repeat(${cells.length},max-content)`}, ...cells),
            layer.formula ? h("div", {class: "cc-formula", text: layer.formula}) : null);
          return {row, cells};
        });
        rowsBox.replaceChildren(...rows.map((r) => r.row));
      }
      build();
      return (k) => {
        const r = D.variants[name].steps[k];
        r.rows.forEach((letters, l) => rows[l].cells.forEach((cell, i) => {
          const st = S.states[letters[i]];
          if (cell.getAttribute("data-state") !== st) { cell.setAttribute("data-state", st); cell.className = `cc-cell cc-s-${st}`; }
        }));
        return r;
      };
    });
  };
  draw();
  const onVariant = () => { const root = el.querySelector(".convcore-view");
    if (root && root.getAttribute("data-variant") !== model.get("variant")) draw(); };
  const onError = () => { const e = el.querySelector('[data-role="error"]'); if (e) setText(e, model.get("error") || ""); };
  model.on("change:data", draw);
  model.on("change:error", onError);
  model.on("change:variant", onVariant);
  return () => { if (cleanup) cleanup(); model.off("change:data", draw); model.off("change:variant", onVariant);
    model.off("change:error", onError); };
}

export function hydrate(root = document) {
  return hydrateModule(root, "convcore-receptive.js", render);
}

export default {render};
