// The receptive-field view and the sequence (causal) view: rows of positions, one per layer,
// lit per step (convcore/views/receptive.py and sequence.py ship the data). Used as the anywidget
// ESM (export default {render}) and on static pages (hydrate()). Every text shown was written by
// convcore in Python; this file only selects and places them. The step controls, h() and the
// static-page plumbing (steps, hydrateModule) come from controls.js, which convcore/views/esm.py
// puts above this file.

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
  return hydrateModule(root, "convcore-receptive.js", render,
                       (payload) => ({data: payload, step: payload.step || 0, variant: payload.variant || ""}));
}

export default {render};
