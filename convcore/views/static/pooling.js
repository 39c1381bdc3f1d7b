// The pooling stepper (convcore/views/pooling.py ships the data). Used as the anywidget ESM
// (export default {render}) and on static pages (hydrate()). Every number and text shown was
// written by convcore in Python; this file only selects and places them. The step controls, h()
// and the static-page plumbing (steps, hydrateModule) come from controls.js, which
// convcore/views/esm.py puts above this file.

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
  return hydrateModule(root, "convcore-pooling.js", render, (payload) => ({data: payload, step: payload.step || 0}));
}

export default {render};
