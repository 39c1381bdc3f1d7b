// The step controls every convcore view module shares, and the small DOM kit they are built with.
//
// This file is not a module by itself. convcore/views/esm.py (esm_source) puts it at the top of each
// renderer (view.js, gridsteps.js, pooling.js, receptive.js), and the joined text is what runs: as
// the widget's anywidget ESM and as the static site's convcore-<name>.js. An anywidget module is
// loaded from a string, where a relative import has nothing to resolve against, so joining the files
// in Python gives each module one copy of this code without a bundler. Everything here is a plain
// top-level declaration that the module body below can use. Nothing is exported.
//
//   h, setText, setAttr              build the DOM, and change it only where something changed
//   slider, stepButtons, controlRow  the controls bar: Prev, Play, Next, the step slider, the speeds
//   player                           Play: one step per tick of the chosen speed, stops at the end
//   syncer                           tells the kernel where the learner is once they pause
//   steps                            the whole frame of the pooling, receptive-field and sequence views
//   pageModel, hydrateModule         static pages: a model kept in the page, the embeds drawn on load

const SPEEDS = [1, 2, 5, 10, 0];            // steps per second; 0: one step per animation frame
const SYNC_QUIET_MS = 300;                  // the kernel hears of a move once the learner pauses this long

// Arrow keys, Home, End, Page keys, Space and Enter on our controls are ours. JupyterLab's shortcuts
// (a keydown listener on the document) must not see them, or they take the key's default action
// away. Every row of controls carries KEYS_OURS, and the row stops these keys from bubbling (keepKeys).
const KEYS_OURS = {"data-lm-suppress-shortcuts": "true"};
const OUR_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown", " ", "Enter"]);
const keepKeys = (e) => { if (OUR_KEYS.has(e.key)) e.stopPropagation(); };

// Some hosts (Notebook 7) run their shortcuts on the document in the capture phase and stop the key
// before a focused slider sees it. A listener on the window runs before theirs: it keeps the key away
// from the host and lets the browser's own action (move the slider, press the button) happen.
// Registered once, whichever view module loads first.
if (typeof window !== "undefined" && !window.__convcoreOwnKeys) {
  window.__convcoreOwnKeys = true;
  window.addEventListener("keydown", (e) => {
    if (OUR_KEYS.has(e.key) && e.target instanceof Element && e.target.closest(".cc-controls")) e.stopPropagation();
  }, true);
}

// h("div", {class, text, "data-role": …}, ...children): an attribute that is null, undefined or
// false is left out, true is written as an empty attribute, and null or undefined children are skipped.
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

// -- the controls ---------------------------------------------------------------------------
// A range input and its readout, with the <label> that holds both: {input, out, label}. The input's
// aria-label is `aria` (the visible label unless given). Without max and value, the view sets them.
function slider(role, label, max, value, aria = label) {
  const input = h("input", {type: "range", min: 0, max, step: 1, value, "data-role": role, "aria-label": aria});
  const out = h("output", {"data-role": `${role}-readout`, "aria-hidden": "true", text: value});
  return {input, out, label: h("label", {}, h("span", {text: label}), input, out)};
}

// Prev, Play, Next and the speed menu, which starts at 2 steps per second.
function stepButtons(speeds = SPEEDS) {
  return {
    prev: h("button", {"data-role": "prev", "aria-label": "previous step", text: "◀ prev"}),
    next: h("button", {"data-role": "next", "aria-label": "next step", text: "next ▶"}),
    play: h("button", {"data-role": "play", "aria-label": "play", "aria-pressed": "false", text: "▶ play"}),
    speed: h("select", {"data-role": "speed", "aria-label": "speed in steps per second"},
      ...speeds.map((s) => h("option", {value: s, text: s ? `${s} steps/s` : "fastest", selected: s === 2}))),
  };
}

// A row of controls whose keys stay ours (see KEYS_OURS).
function controlRow(...children) {
  const row = h("div", {class: "cc-controls", ...KEYS_OURS}, ...children);
  row.addEventListener("keydown", keepKeys);
  return row;
}

// Play: one step per tick of the chosen speed, or one per animation frame at "fastest". It stops on
// the last step, and when started from the last step it begins again at step 0. The view says where it is
// and how to move: at() is the step shown, last() the last step, go(k) shows step k (and reports it);
// missing(k), if given, is true while step k has not arrived yet, and Play waits a frame for it.
// stats counts frames, steps and waits (view.js hands them to the benchmarks).
function player(play, speed, {at, last, go, missing = () => false}) {
  let playing = false, raf = 0, lastTick = 0;
  const stats = {frames: 0, steps: 0, waits: 0};
  function tick(now) {
    if (!playing) return;
    raf = requestAnimationFrame(tick);
    stats.frames++;
    const sps = Number(speed.value);
    if (sps && now - lastTick < 1000 / sps) return;
    if (at() >= last()) { setPlaying(false); return; }
    if (missing(at() + 1)) { stats.waits++; return; }
    lastTick = now;
    go(at() + 1);
    stats.steps++;
    stats.first = stats.first || now; stats.last = now;   // for steps per second while playing
    if (at() >= last()) setPlaying(false);   // the last step: stop here, not a tick later
  }
  function setPlaying(on) {
    playing = on;
    play.textContent = on ? "❚❚ pause" : "▶ play";
    play.setAttribute("aria-label", on ? "pause" : "play");
    play.setAttribute("aria-pressed", String(on));
    cancelAnimationFrame(raf);
    if (on) { if (at() >= last()) go(0); lastTick = 0; raf = requestAnimationFrame(tick); }
  }
  play.addEventListener("click", () => setPlaying(!playing));
  return {stats, stop() { playing = false; cancelAnimationFrame(raf); }};
}

// Tells the kernel where the learner is, shortly after a move: once they pause for SYNC_QUIET_MS, and
// every maxMs at least while they keep moving. shown() gives the synced traits as they are on screen
// ({step: k, ...}). They are sent only if the model holds something else. Our own model.set fires the
// model's change events too; `ours` is true meanwhile, so a view can tell its own report from news.
function syncer(model, shown, maxMs = Infinity) {
  let timer = null, first = 0;
  const sync = {
    ours: false,
    soon() {
      const now = performance.now();
      if (!timer) first = now;
      clearTimeout(timer);
      timer = setTimeout(sync.send, now - first > maxMs ? 0 : SYNC_QUIET_MS);
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

// -- the frame of the pooling, receptive-field and sequence views ----------------------------
// The controls, a header, the main box and the live sentence. build(main, root) lays out the picture
// and returns draw(k), which places step k and returns its record ({h: header, say: sentence}).
// Returns stop() (ends Play, the sync, the kernel's listener); stop.show() draws the shown step again.
function steps(model, el, kind, n, build) {
  // A redraw (new data from the kernel) keeps the root element, so whoever holds it still does.
  const root = el.querySelector(":scope > .convcore-view") || h("div", {class: "convcore-view", "data-view": kind});
  root.replaceChildren();
  const step = slider("step-slider", "step", n - 1, 0, `step (0 to ${n - 1})`);
  const {prev, next, play, speed} = stepButtons();
  const header = h("div", {class: "cc-header", "data-role": "header"});
  const say = h("div", {class: "cc-sr", "aria-live": "polite", "data-role": "say"});
  const main = h("div", {class: "cc-main"});
  root.append(controlRow(prev, play, next, step.label, speed), header, main, say);
  el.replaceChildren(root);
  const draw = build(main, root);
  let k = -1;
  const sync = syncer(model, () => ({step: k}));

  function show(nk) {
    nk = Math.max(0, Math.min(n - 1, nk));
    const r = draw(nk);
    k = nk;
    setAttr(root, "data-step", k);
    step.input.value = k; setText(step.out, String(k));
    setText(header, r.h);
    setText(say, r.say);
    prev.disabled = k === 0; next.disabled = k === n - 1;
  }
  const move = (nk) => { show(nk); sync.soon(); };   // a move made here: show now, tell the kernel later
  const playback = player(play, speed, {at: () => k, last: () => n - 1, go: move});
  root.convcoreStats = playback.stats;       // Play's frames, steps and waits, for the benchmarks
  step.input.addEventListener("input", () => move(Number(step.input.value)));
  prev.addEventListener("click", () => move(k - 1));
  next.addEventListener("click", () => move(k + 1));
  const fromKernel = () => { const mk = model.get("step"); if (mk !== k) show(mk); };
  model.on("change:step", fromKernel);
  show(model.get("step") || 0);
  const stop = () => { playback.stop(); sync.stop(); model.off("change:step", fromKernel); };
  stop.show = () => show(k);                  // redraw the step shown (after a switch)
  return stop;
}

// -- static pages ----------------------------------------------------------------------------
// A small model kept in the page, with anywidget's methods (no kernel, no network); `state` holds
// its traits.
function pageModel(state) {
  const handlers = {};
  return {
    get: (name) => state[name], set: (name, value) => { state[name] = value; },
    save_changes() {}, send() {},
    on(ev, f) { (handlers[ev] = handlers[ev] || []).push(f); },
    off(ev, f) { handlers[ev] = (handlers[ev] || []).filter((g) => g !== f); },
  };
}

// The module that draws an embed (<div class="convcore-embed" data-module=…>); one without a
// data-module is view.js's.
const moduleOf = (embed) => embed.getAttribute("data-module") || "convcore-view.js";

// Draws every embed of `module` under root that is not drawn yet. An embed holds its view's data as
// JSON (<script class="convcore-data">); each gets its stylesheets (once per page), a host element
// and render() with a page model of traits state(payload). Returns the embeds drawn.
function hydrateModule(root, module, render, state) {
  const doc = root.ownerDocument || root;
  const done = [];
  for (const embed of root.querySelectorAll("div.convcore-embed:not([data-hydrated])")) {
    if (moduleOf(embed) !== module) continue;
    const script = embed.querySelector("script.convcore-data");
    if (!script) continue;
    const payload = JSON.parse(script.textContent);
    // the palette once per page (view.js's stylesheet has the same id), then this module's own rules
    for (const [id, css] of [["convcore-css", payload.palette], [`convcore-css-${module}`, payload.css]]) {
      if (css && !doc.getElementById(id)) doc.head.append(Object.assign(doc.createElement("style"), {id, textContent: css}));
    }
    const host = doc.createElement("div");
    embed.append(host);
    render({model: pageModel(state(payload)), el: host});
    embed.setAttribute("data-hydrated", "1");
    done.push(embed);
  }
  return done;
}
