// convcore's one renderer: draws a view from its data (convcore/views/data.py) and steps it in the
// browser. Used as the anywidget ESM (export default {render}) and on static pages (hydrate()).
// Every number shown is a text convcore wrote; this file only selects and places them.
const CSS = null;   // static_assets() puts the stylesheet here (palette.css()); anywidget sets _css

// The step controls, h() and the static-page plumbing come from controls.js, which
// convcore/views/esm.py puts above this file.

// Speeds: one more than the other views' (20 steps per second); these traces can be long.
const VIEW_SPEEDS = [1, 2, 5, 10, 20, 0];         // 0: one step per animation frame
const SYNC_MAX_MS = 2000;   // while the learner keeps moving, the kernel hears at least every 2 s

const bracket = (t) => (t.startsWith("-") ? `(${t})` : t);   // a negative factor in a sum

function render({model, el}) {
  const payload = model.get("data");
  const S = payload.static;
  const recs = new Map();                     // step -> record
  const addSteps = (first, list) => list.forEach((r, i) => recs.set(first + i, r));
  addSteps(payload.first || 0, payload.steps || []);
  const live = payload.live !== false;
  const block = payload.block || S.n;
  const asked = new Set();
  const two = S.dims === 2;
  let k = model.get("step"), b = model.get("buildup"), shown = null;
  const sync = syncer(model, () => ({step: k, buildup: b}), SYNC_MAX_MS);

  // -- the frame of the view: controls, header, picture, live sentence, legend -------------
  const root = h("div", {class: "convcore-view", "data-view": S.kind, "data-example": S.example});
  const step = slider("step-slider", "step", S.n - 1, k);
  const {prev, next, play, speed} = stepButtons(VIEW_SPEEDS);
  root.append(controlRow(prev, play, next, step.label, speed));
  const pos = {};
  const posRow = controlRow();
  const last = S.outShape[0] - 1, lastCol = S.outShape[1] - 1;
  for (const [role, label, max] of [["sample", "sample", S.batch - 1], ["out-channel", "out channel", S.cout - 1],
                                    ["row", "row", two ? last : 0], ["column", two ? "column" : "position", lastCol]]) {
    if (max < 1 && (role === "sample" || role === "row")) continue;
    pos[role] = slider(role, label, max, 0);
    pos[role].input.disabled = max < 1;
    posRow.append(pos[role].label);
  }
  root.append(posRow);
  const bu = slider("buildup-slider", `build-up (${S.unit}s)`, S.top, b);
  const back = h("button", {"data-role": "buildup-back", "aria-label": `take back one ${S.unit}`, text: `− ${S.unit}`});
  const fwd = h("button", {"data-role": "buildup-forward", "aria-label": `add one more ${S.unit}`, text: `+ ${S.unit}`});
  if (S.top > 1) root.append(controlRow(back, bu.label, fwd));
  const note = h("div", {class: "cc-note", "data-role": "note", text: payload.note || ""});
  const error = h("div", {class: "convcore-error", "data-role": "error", role: "alert"});
  const header = h("div", {class: "cc-header", "data-role": "header"});
  const say = h("div", {class: "cc-sr", "aria-live": "polite", "data-role": "say"});
  const main = h("div", {class: "cc-main"});
  root.append(note, error, header, main, say, legend(S));
  el.replaceChildren(root);
  const picture = (S.kind === "heatmap" ? heatmap : stepper)(S, main);

  // -- showing a step ------------------------------------------------------------------------
  function show(nk, nb) {
    nk = Math.max(0, Math.min(S.n - 1, nk));
    nb = Math.max(0, Math.min(S.top, nb));
    const r = recs.get(nk);
    want(nk);
    if (!r) {                                  // not here (yet): keep the picture, say why
      note.textContent = live ? `loading step ${nk.toLocaleString("en")}…`
                              : (payload.note || `step ${nk} is not on this page`);
      if (!live) { step.input.value = k; setText(step.out, String(k)); }   // nothing to wait for
      return false;
    }
    k = nk; b = nb;
    if (note.textContent !== (payload.note || "")) note.textContent = payload.note || "";
    setAttr(root, "data-step", k); setAttr(root, "data-buildup", b);
    setText(header, r.h);
    picture(r, k, b);
    const complete = b >= S.top;
    say.textContent = complete ? r.say : `${r.l} so far: ${r.a[b]}`;
    step.input.value = k; setText(step.out, String(k));
    bu.input.value = b; setText(bu.out, String(b));
    const at = {sample: r.o[0], "out-channel": r.o[1], row: two ? r.o[2] : 0, column: r.o[r.o.length - 1]};
    for (const [role, s] of Object.entries(pos)) { s.input.value = at[role]; setText(s.out, String(at[role])); }
    prev.disabled = k === 0; next.disabled = k === S.n - 1;
    back.disabled = b === 0; fwd.disabled = b === S.top;
    shown = {r, k, b};
    return true;
  }
  // A move made here: show it now, tell the kernel later (syncer; a static page has no kernel).
  function move(nk, nb = S.top) {             // true when step nk is on screen
    const shown = show(nk, nb);
    if (shown && live) sync.soon();
    return shown;
  }
  // Blocks of steps: ask the kernel for the block holding step nk and the next one.
  function want(nk) {
    if (!live) return;
    for (const first of [nk - (nk % block), nk - (nk % block) + block]) {   // block starts: placement only
      if (first < S.n && !recs.has(first) && !asked.has(first)) { asked.add(first); model.send({type: "steps", first}); }
    }
  }
  function onMsg(msg) {
    if (!msg || msg.type !== "steps") return;
    addSteps(msg.first, msg.steps);
    if (waitingFor !== null && recs.has(waitingFor)) { const w = waitingFor; waitingFor = null; move(w, S.top); }
  }
  let waitingFor = null;
  const go = (nk, nb) => { if (!move(nk, nb)) waitingFor = nk; };   // shown once its block comes

  // -- controls ----------------------------------------------------------------------------
  step.input.addEventListener("input", () => go(Number(step.input.value), S.top));
  prev.addEventListener("click", () => go(k - 1, S.top));
  next.addEventListener("click", () => go(k + 1, S.top));
  bu.input.addEventListener("input", () => move(k, Number(bu.input.value)));
  back.addEventListener("click", () => move(k, b - 1));
  fwd.addEventListener("click", () => move(k, b + 1));
  for (const s of Object.values(pos)) {
    s.input.addEventListener("input", () => {
      const v = (role) => (pos[role] ? Number(pos[role].input.value) : 0);
      const row = S.stepOf[v("sample")][v("out-channel")];
      go(row[two ? v("row") : 0][v("column")], S.top);
    });
  }
  // Play waits while the next step's block is on its way (asked for here).
  const playback = player(play, speed, {at: () => k, last: () => S.n - 1, go: (nk) => move(nk, S.top),
    missing: (nk) => { if (recs.has(nk)) return false; want(nk); return true; }});
  root.convcoreStats = playback.stats;       // Play's frames, steps and waits, for the benchmarks

  // -- the kernel's side ---------------------------------------------------------------------
  const fromKernel = () => {
    if (sync.ours) return;                     // our own report coming back
    const mk = model.get("step"), mb = model.get("buildup");
    if (mk !== k || mb !== b) go(mk, mb);
  };
  const showError = () => setText(error, model.get("error") || "");
  model.on("change:step", fromKernel);
  model.on("change:buildup", fromKernel);
  model.on("change:error", showError);
  model.on("msg:custom", onMsg);
  showError();
  if (!show(k, b)) { waitingFor = k; }
  return () => {
    playback.stop(); sync.stop();
    model.off("change:step", fromKernel); model.off("change:buildup", fromKernel);
    model.off("change:error", showError); model.off("msg:custom", onMsg);
  };
}

// -- the legend: one swatch per colour of the convention ------------------------------------
function legend(S) {
  const items = [["input", "plain"], ["kernel", "kernel"], ["patch under the kernel", "patch"], ["padding", "pad"],
                 ["output done", "done"], ["being computed", "current"], ["not yet", "todo"]];
  const box = h("div", {class: "cc-legend"});
  for (const [name, state] of items) box.append(h("span", {}, h("span", {class: `cc-swatch cc-s-${state}`}), name));
  if (S.anyUnread) box.append(h("span", {}, h("span", {class: "cc-swatch cc-unread"}), "never read"));
  return box;
}

// -- number grids ---------------------------------------------------------------------------
function grid(title, rows, make) {
  const cells = rows.map((row, r) => row.map((v, c) => make(v, r, c)));
  const g = h("div", {class: "cc-grid", style: `grid-template-columns:repeat(${rows[0].length},max-content)`},
              ...cells.flat());
  const t = h("div", {class: "cc-title", text: title});
  return {el: h("div", {class: "cc-block"}, t, g), cells, title: t};
}
const baseIn = (S, r, c) => (S.pad[r][c] ? "pad" : "plain");

// A sum written out: "1·1 + 5·0 + … = 7" with every term and the partial sum tagged.
function sumLine(S, eq, r, i, ch, m, label = "") {
  const kids = label ? [h("span", {class: "cc-title", text: label}), " "] : [];
  if (!m) { eq.className = "cc-eq cc-pending"; eq.replaceChildren(...kids, "…"); return; }
  eq.className = "cc-eq";
  const full = m === r.p[i].length;
  let firstTerm = true;
  for (const t of S.termIdx) {
    if (t !== null && t >= m) continue;
    if (!firstTerm) kids.push(" + ");
    firstTerm = false;
    kids.push(t === null ? "…" : h("span", {class: "cc-term", "data-role": "term", "data-channel": ch,
      "data-tap": S.tapKeys[t], "data-product": r.p[i][t], text: r.x[i][t]}));
  }
  if (!full) kids.push(" + ", h("span", {class: "cc-pending", text: "…"}));
  kids.push(" = ", h("span", {class: "cc-partial", "data-role": "partial", "data-channel": ch,
    "data-complete": full ? null : "0", text: r.q[i][m - 1]}));
  if (!full) kids.push(" so far");
  eq.replaceChildren(...kids);
}

function total(S, el, r, b) {
  const shown = S.shown[b];
  let left;
  if (b >= S.top) left = r.r ? `${r.l} = ${r.r}` : r.l;
  else {
    const parts = shown.map((m, i) => (m ? bracket(r.q[i][m - 1]) : null)).filter((p) => p !== null);
    left = parts.length ? `${r.l} = ${parts.join(" + ")} + … (so far ${r.a[b]})` : r.l;
  }
  el.replaceChildren(`${left} = `, h("span", {class: "cc-value", "data-role": "value",
    "data-complete": b >= S.top ? null : "0", text: b >= S.top ? r.v : "…"}));
}

// Output grids: done before this step, current, to do after (the step of each cell is shipped).
function outputs(S, box) {
  const grids = S.outKeys.map((keys, c) => grid(S.outTitle[c], keys, (key) =>
    h("div", {class: "cc-cell cc-s-todo", "data-role": "out-cell", "data-index": key, "data-state": "todo"})));
  box.append(h("div", {class: "cc-col"}, h("div", {class: "cc-title", text: "output tensor"}),
    h("div", {class: "cc-outputs"}, ...grids.map((g) => g.el))));
  return (r, k, b) => {
    const s = r.o[0];
    grids.forEach((g, c) => g.cells.forEach((row, i) => row.forEach((cell, j) => {
      const at = S.stepOf[s][c][i][j];
      const state = at < k ? "done" : at === k ? "current" : "todo";
      const building = state === "current" && b < S.top;
      setAttr(cell, "data-state", state);
      setAttr(cell, "data-complete", building ? "0" : null);
      cell.className = `cc-cell cc-s-${state}${building ? " cc-building" : ""}`;
      setText(cell, state === "done" ? S.outText[s][c][i][j] : state === "current" ? r.a[b] : "");
    })));
  };
}

// Input channels as number grids, the taps under the kernel lit (padding hatched, never-read marked).
function inputs(S, withKernels) {
  const cards = [];
  for (let ch = 0; ch < S.cin; ch++) {
    const g = grid(S.inTitle[ch], S.inKeys, (key, r, c) => h("div", {
      class: `cc-cell cc-s-${baseIn(S, r, c)}${S.unread[r][c] ? " cc-unread" : ""}`, "data-role": "in-cell",
      "data-channel": ch, "data-pos": key, "data-state": baseIn(S, r, c), "data-unread": S.unread[r][c] ? "1" : null}));
    const kern = withKernels ? grid("", S.tapGrid, (t) =>
      h("div", {class: "cc-cell cc-s-kernel", "data-role": "kernel-cell", "data-channel": ch, "data-tap": S.tapKeys[t]})) : null;
    const op = h("div", {class: "cc-op", text: "⊙"});
    const eq = h("div", {class: "cc-eq", "data-channel": ch});
    const card = h("div", {class: "cc-card", "data-channel": ch},
                   h("div", {class: "cc-pair"}, g.el, withKernels ? op : null, kern && kern.el), withKernels ? eq : null);
    cards.push({ch, g, kern, op, eq, card, lit: [], sample: -1, oc: -1, used: null});
  }
  return {cards, update(r, k, b) {
    const active = S.active[b];
    for (const cd of cards) {
      const i = r.ci.indexOf(cd.ch);
      const used = i >= 0;
      if (cd.sample !== r.o[0]) {           // the sample's numbers
        cd.sample = r.o[0];
        cd.g.cells.forEach((row, rr) => row.forEach((cell, cc) => setText(cell, S.inp[r.o[0]][cd.ch][rr][cc])));
      }
      for (const cell of cd.lit) { cell.dataset.state = cell.ccBase; cell.className = cell.ccClass; cell.removeAttribute("data-active"); }
      cd.lit = [];
      if (cd.used !== used) {
        cd.used = used;
        cd.card.classList.toggle("cc-unused", !used);
        setText(cd.g.title, S.inTitle[cd.ch] + (used ? "" : " (other group)"));
        if (cd.kern) { cd.kern.el.hidden = !used; cd.op.hidden = !used; cd.eq.hidden = !used; }
      }
      if (!used) { if (cd.eq) cd.eq.replaceChildren(); continue; }
      r.t.forEach(([row, col, pad], t) => {
        const cell = cd.g.cells[row][col];
        if (!cell.ccBase) { cell.ccBase = cell.dataset.state; cell.ccClass = cell.className; }
        const st = pad ? "pad-patch" : "patch";
        cell.dataset.state = st;
        const on = active && active[0] === i && active[1] === t;
        cell.className = `cc-cell cc-s-${st}${on ? " cc-active" : ""}`;
        if (on) cell.setAttribute("data-active", "1");
        cd.lit.push(cell);
      });
      if (cd.kern) {
        if (cd.oc !== r.o[1]) {
          cd.oc = r.o[1];
          setText(cd.kern.title, S.ktitle[r.o[1]][i]);
          S.tapGrid.flat().forEach((t, n) => setText(cd.kern.cells.flat()[n], S.ktext[r.o[1]][i][t]));
        }
        S.tapGrid.flat().forEach((t, n) => {
          const cell = cd.kern.cells.flat()[n];
          const on = active && active[0] === i && active[1] === t;
          cell.classList.toggle("cc-active", !!on);
          setAttr(cell, "data-active", on ? "1" : null);
        });
        sumLine(S, cd.eq, r, i, cd.ch, S.shown[b][i]);
      }
    }
  }};
}

// Steppers (1-D, 2-D) and the 1×1 view.
function stepper(S, main) {
  const left = h("div", {class: "cc-col"});
  const right = h("div", {class: "cc-col"});
  main.append(left, right);
  const pointwise = S.kind === "pointwise";
  const ins = inputs(S, !pointwise);
  const tot = h("div", {class: "cc-total", "data-role": "total"});
  let extra = null;
  if (pointwise) {
    left.append(h("div", {class: "cc-title", text: "input channels (pixel highlighted)"}),
                h("div", {class: "cc-outputs"}, ...ins.cards.map((c) => c.g.el)));
    extra = matrix(S, left);
    left.append(tot, h("div", {class: "cc-note", text: "The same W is used at every pixel, each pixel on its own: " +
      "a 1×1 convolution is a matrix product per pixel."}));
  } else {
    left.append(h("div", {class: "cc-cards"}, ...ins.cards.map((c) => c.card)), tot);
  }
  const outs = outputs(S, right);
  return (r, k, b) => { ins.update(r, k, b); if (extra) extra(r, k, b); total(S, tot, r, b); outs(r, k, b); };
}

// y = W·x (+ b) at the step's pixel.
function matrix(S, box) {
  const col = (title, n, make) => { const cells = Array.from({length: n}, (_, i) => make(i));
    return {cells, el: h("div", {class: "cc-block"}, h("div", {class: "cc-title", text: title}),
                         h("div", {class: "cc-vec"}, ...cells))}; };
  const y = col("y", S.cout, () => h("div", {class: "cc-cell cc-s-todo", "data-role": "vec-out"}));
  const W = grid("weights W (C_out × C_in)", S.W, (t, o, c) => h("div", {class: `cc-cell cc-s-${S.Wstate[o][c]}`,
    "data-role": "weight-cell", "data-index": S.Wkeys[o][c], text: t}));
  const x = col("x", S.cin, (c) => h("div", {class: "cc-cell cc-s-plain", "data-role": "vec-in", "data-channel": c}));
  const bias = S.bias ? col("bias b", S.cout, (o) => h("div", {class: "cc-cell cc-s-kernel", "data-role": "bias",
    "data-channel": o, text: S.bias[o]})) : null;
  const big = (t) => h("div", {class: "cc-big", text: t});
  box.append(h("div", {class: "cc-mv"}, y.el, big("="), W.el, big("·"), x.el, bias ? big("+") : null, bias && bias.el));
  const sums = h("div", {class: "cc-col"});
  box.append(sums);
  return (r, k, b) => {
    const [s, oc, i, j] = r.o;
    y.el.firstChild.textContent = `y at (${i}, ${j})`;
    x.el.firstChild.textContent = `x at (${i}, ${j})`;
    y.cells.forEach((cell, o) => {
      const at = S.stepOf[s][o][i][j];
      const state = at < k ? "done" : at === k ? "current" : "todo";
      setAttr(cell, "data-index", S.outKeys[o][i][j]); setAttr(cell, "data-state", state);
      cell.className = `cc-cell cc-s-${state}${o === oc ? " cc-row-on" : ""}`;
      setText(cell, state === "done" ? S.outText[s][o][i][j] : state === "current" ? r.a[b] : "");
    });
    W.cells.forEach((row, o) => row.forEach((cell) => cell.classList.toggle("cc-row-on", o === oc)));
    if (bias) bias.cells.forEach((cell, o) => cell.classList.toggle("cc-row-on", o === oc));
    const [row, colm] = r.t[0];
    x.cells.forEach((cell, c) => { setText(cell, S.inp[s][c][row][colm]);
      cell.className = `cc-cell cc-s-${r.ci.includes(c) ? "patch" : "plain"}`; });
    sums.replaceChildren(...r.ci.map((ch, n) => { const eq = h("div"); sumLine(S, eq, r, n, ch, S.shown[b][n], `input channel ${ch}:`); return eq; }));
  };
}

// Big inputs: channels as images (sent once), the patch as boxes, the numbers of the patch beside.
function heatmap(S, main) {
  const px = S.px, opx = S.opx, [R, C] = S.inShape, [OH, OW] = S.outShape;
  const box = (cls, top, left, hh, ww, attrs = {}) => h("div", {class: `cc-box ${cls}`, ...attrs,
    style: `top:${top}px;left:${left}px;height:${hh}px;width:${ww}px`});
  const ins = [], outs = [];
  for (let ch = 0; ch < S.cin; ch++) {
    const img = h("div", {class: "cc-heat", style: `width:${C * px}px;height:${R * px}px`});
    const title = h("div", {class: "cc-title", text: S.inTitle[ch]});
    ins.push({img, title, ch});
  }
  for (let c = 0; c < S.cout; c++) {
    const img = h("div", {class: "cc-heat", "data-channel": c, style: `width:${OW * opx}px;height:${OH * opx}px`});
    outs.push({img, c});
  }
  main.append(
    h("div", {class: "cc-col"}, h("div", {class: "cc-title", text: "input channels (blue < 0 < vermillion, white = 0, grey rim = padding)"}),
      h("div", {class: "cc-outputs"}, ...ins.map((i) => h("div", {class: "cc-block"}, i.title, i.img)))),
    h("div", {class: "cc-col"}, h("div", {class: "cc-title", text: "output tensor, filling in (hatched = not yet computed)"}),
      h("div", {class: "cc-outputs"}, ...outs.map((o) => h("div", {class: "cc-block"}, h("div", {class: "cc-title", text: S.outTitle[o.c]}), o.img)))));
  const numbers = h("div", {class: "cc-heat-numbers cc-col"});
  const cards = h("div", {class: "cc-cards"});
  const tot = h("div", {class: "cc-total", "data-role": "total"});
  numbers.append(cards, tot);
  main.after(numbers);
  let sample = -1;
  return (r, k, b) => {
    const [s, oc] = r.o;
    const i = r.o.length > 3 ? r.o[2] : 0, j = r.o[r.o.length - 1];
    if (sample !== s) {
      sample = s;
      ins.forEach((p) => { p.img.style.backgroundImage = `url(${S.inImg[s][p.ch]})`; });
      outs.forEach((o) => { o.img.style.backgroundImage = `url(${S.outImg[s][o.c]})`; });
    }
    const active = S.active[b];
    ins.forEach((p) => {
      const n = r.ci.indexOf(p.ch);
      p.img.classList.toggle("cc-unused", n < 0);
      setText(p.title, S.inTitle[p.ch] + (n < 0 ? " (other group)" : ""));
      if (n < 0) { p.img.replaceChildren(); return; }
      const first = r.t[0], lastT = r.t[r.t.length - 1];     // taps run row-major: the window's corners
      const kids = [box("cc-window", first[0] * px - 3, first[1] * px - 3, (lastT[0] - first[0] + 1) * px + 6,
                        (lastT[1] - first[1] + 1) * px + 6)];
      r.t.forEach(([row, col, pad, key], t) => {
        const on = active && active[0] === n && active[1] === t;
        kids.push(box(`cc-tap${on ? " cc-active" : ""}`, row * px, col * px, px, px, {"data-role": "in-cell",
          "data-channel": p.ch, "data-pos": key, "data-state": pad ? "pad-patch" : "patch", "data-active": on ? "1" : null}));
      });
      p.img.replaceChildren(...kids);
    });
    outs.forEach((o) => {
      const kids = [];
      if (o.c > oc) kids.push(box("cc-cover", 0, 0, OH * opx, OW * opx, {"data-covers": "all"}));
      else if (o.c === oc) {
        if (j + 1 < OW) kids.push(box("cc-cover", i * opx, (j + 1) * opx, opx, (OW - j - 1) * opx));
        if (i + 1 < OH) kids.push(box("cc-cover", (i + 1) * opx, 0, (OH - i - 1) * opx, OW * opx));
        kids.push(box("cc-now", i * opx, j * opx, opx, opx, {"data-role": "out-cell", "data-index": r.k,
          "data-state": "current", "data-complete": b < S.top ? "0" : null}));
        kids[kids.length - 1].textContent = r.a[b];
      }
      o.img.replaceChildren(...kids);
    });
    const panels = [];
    r.pt.forEach((texts, n) => {
      const ch = r.ci[n];
      const on = (t) => active && active[0] === n && active[1] === t;
      const pg = grid(`patch of channel ${ch}`, S.tapGrid, (t) => h("div", {
        class: `cc-cell cc-s-${r.t[t][2] ? "pad-patch" : "patch"}${on(t) ? " cc-active" : ""}`, "data-role": "patch-cell",
        "data-channel": ch, "data-tap": S.tapKeys[t], "data-active": on(t) ? "1" : null, text: texts[t]}));
      const kg = grid(S.ktitle[oc][n], S.tapGrid, (t) => h("div", {class: `cc-cell cc-s-kernel${on(t) ? " cc-active" : ""}`,
        "data-role": "kernel-cell", "data-channel": ch, "data-tap": S.tapKeys[t], "data-active": on(t) ? "1" : null,
        text: S.ktext[oc][n][t]}));
      const eq = h("div");
      sumLine(S, eq, r, n, ch, S.shown[b][n]);
      panels.push(h("div", {class: "cc-card"}, h("div", {class: "cc-pair"}, pg.el, h("div", {class: "cc-op", text: "⊙"}), kg.el), eq));
    });
    const rest = r.ci.slice(r.pt.length).map((ch, n) => [ch, S.shown[b][n + r.pt.length], n + r.pt.length]).filter(([, m]) => m);
    if (rest.length) panels.push(h("div", {class: "cc-card cc-note"}, "other channels: ",
      ...rest.flatMap(([ch, m, n], x) => [x ? ", " : "", `${ch}: `, h("span", {"data-role": "partial", "data-channel": ch, text: r.q[n][m - 1]})])));
    cards.replaceChildren(...panels);
    total(S, tot, r, b);
  };
}

// -- static pages ----------------------------------------------------------------------------
export function hydrate(root = document) {
  const doc = root.ownerDocument || root;
  if (CSS && !doc.getElementById("convcore-css")) {
    doc.head.append(Object.assign(doc.createElement("style"), {id: "convcore-css", textContent: CSS}));
  }
  // Views of other kinds (transposed convolution, pooling, ...) live in modules of their own
  // beside this one (static_assets() writes them all); each has the same hydrate(root).
  const others = new Set(Array.from(root.querySelectorAll("div.convcore-embed:not([data-hydrated])"), moduleOf));
  others.delete("convcore-view.js");
  const done = hydrateModule(root, "convcore-view.js", render, (payload) => ({
    data: Object.assign(payload, {live: false}), step: payload.step || 0,
    buildup: payload.buildup ?? payload.static.top, error: ""}));
  for (const module of others) {
    import(new URL(`./${module}`, import.meta.url)).then((m) => m.hydrate(root));
  }
  return done;
}

export default {render};
