"""The only code of convcore that runs in the browser: two small anywidgets.

A key press on a view's step slider should cost what the echo floor costs
(one IntSlider -> HTML widget): one message to the kernel, one back, and a
small DOM update. With plain ipywidgets a view costs more, for two reasons,
and each has its helper here (anywidget: a few lines of JavaScript, nothing
to build).

``StepLink``: the step slider's followers, moved inside the browser.
    A view's step slider has followers: Play, and the output position sliders
    (sample, out channel, row, column), which always show where step ``k`` is.
    With plain ipywidgets every follower the kernel moves is one more message
    to the browser on every step, and a ``jslink`` between Play and the slider
    sends Play's value to the kernel ahead of the slider's own message;
    together they took a key press to twice the echo floor. ``StepLink`` does
    what ``jslink`` does, with arithmetic: when the step changes in the browser
    it unravels ``k`` over the trace's shape ``(N, C_out, *spatial)`` and moves
    each follower there, and when Play ticks it moves the step slider.

    The kernel must still know where the followers stand (traitlets only fires
    on a change, and ``view.channel_slider.value`` is part of the Python API),
    so the view sets their kernel-side values with ``set_in_kernel_only``:
    ipywidgets' own "the front end already has this value" lock, which
    suppresses the message. That is only done once the browser has said the
    link is running (``ready``); until then, and wherever the front end cannot
    run it, the kernel moves the followers with ordinary messages, slower but
    never out of step.

``FrameHTML``: the picture, sent as the few changes from the last frame.
    ``ipywidgets.HTML`` sends and re-parses the whole picture on every step:
    10-30 KB and 250-600 elements (the groups view) for a step that moves one
    highlight and rewrites a dozen numbers, and the browser then restyles,
    lays out and repaints all of it. Consecutive frames of a view have the same
    elements, so the kernel compares the new markup with the last one, and
    when only attributes and texts differ it sends just those, addressed by
    element index (document order, as ``getElementsByTagName("*")``); the
    browser sets them on its live elements. Any change of the elements
    themselves (tags, nesting) sends the whole markup, as ``ipywidgets.HTML``.
    While patched, the frame keeps the tallest height it has had, so a sum that
    wraps differently does not move the rest of the notebook on every step.
    (Measured and dropped on the way: morphing the whole new markup into the
    DOM in the browser, as morphdom does; the JavaScript tree walk cost more
    than ``innerHTML`` saved.)
"""
from __future__ import annotations

import functools
import html as html_text
import re

import anywidget
import traitlets as T

# ---------------------------------------------------------------------------
# StepLink
# ---------------------------------------------------------------------------
# Runs once per link model in the browser (anywidget's ``initialize``).
# ``widget_manager.get_model`` resolves the ipywidgets models by id.
_ESM = r"""
async function wire(model) {
  const manager = model.widget_manager;
  const step = await manager.get_model(model.get("step"));
  const play = model.get("play") ? await manager.get_model(model.get("play")) : null;
  const followers = await Promise.all(
    model.get("followers").map(async ([id, axis]) => [await manager.get_model(id), axis]));
  const shape = model.get("shape");

  // Where step k is: its row-major index over shape (sample, channel, *position).
  const place = (k) => {
    const at = new Array(shape.length);
    for (let d = shape.length - 1; d >= 0; d--) { at[d] = k % shape[d]; k = Math.floor(k / shape[d]); }
    return at;
  };
  // The step moved (key, drag, typed value, Play, or the kernel): the followers
  // move here, in the browser only; the step slider itself tells the kernel.
  const follow = () => {
    const k = step.get("value");
    const at = place(k);
    for (const [slider, axis] of followers) {
      if (slider.get("value") !== at[axis]) slider.set("value", at[axis]);
    }
    if (play && play.get("value") !== k) play.set("value", k);
  };
  // Play ticked: move the step slider, which sends the one message to the kernel.
  const lead = () => {
    const k = play.get("value");
    if (step.get("value") !== k) { step.set("value", k); step.save_changes(); }
  };
  // The slider sends its value right after this change event; let that message
  // leave first and redraw the followers while the kernel works on it.
  const followSoon = () => queueMicrotask(follow);
  step.on("change:value", followSoon);
  if (play) play.on("change:value", lead);
  follow();
  model.set("ready", true);
  model.save_changes();
  return () => { step.off("change:value", followSoon); if (play) play.off("change:value", lead); };
}

export default {
  initialize({ model }) {
    const unwired = wire(model).catch((err) => {
      console.error("convcore StepLink could not link its controls:", err);
      return null;
    });
    return () => unwired.then((undo) => undo && undo());
  },
};
"""


class StepLink(anywidget.AnyWidget):
    """Moves a step slider's followers (Play, position sliders) in the browser.

    ``followers`` pairs each follower with the axis of ``shape`` it shows;
    ``ready`` turns true when the browser has wired the link.

    >>> import ipywidgets as W
    >>> step, channel = W.IntSlider(max=26), W.IntSlider(max=2)
    >>> link = StepLink(step, [(channel, 1)], shape=(1, 3, 3, 3))
    >>> link.shape, link.ready
    ([1, 3, 3, 3], False)
    """

    _esm = _ESM
    step = T.Unicode().tag(sync=True)                 # model id of the step slider
    play = T.Unicode().tag(sync=True)                 # model id of the Play widget ("" = none)
    followers = T.List().tag(sync=True)               # [[model id, axis of shape], ...]
    shape = T.List(T.Int()).tag(sync=True)            # (N, C_out, *spatial) of the trace
    ready = T.Bool(False).tag(sync=True)              # set by the browser once wired

    def __init__(self, step_slider, followers, *, shape, play=None):
        super().__init__(step=step_slider.model_id, play=play.model_id if play is not None else "",
                         followers=[[w.model_id, int(axis)] for w, axis in followers],
                         shape=[int(s) for s in shape])
        self.layout.display = "none"


def set_in_kernel_only(widget, name: str, value) -> None:
    """Set ``widget.name = value`` in the kernel without sending it to the browser.

    For values the browser already shows (a ``StepLink`` put them there).
    Observers still fire. Uses ipywidgets' property lock, the mechanism that
    keeps a value that came from the front end from being sent back to it.
    """
    lock = widget._property_lock
    widget._property_lock = {**lock, name: value}
    try:
        setattr(widget, name, value)
    finally:
        widget._property_lock = lock


# ---------------------------------------------------------------------------
# FrameHTML
# ---------------------------------------------------------------------------
_FRAME_ESM = r"""
export default {
  render({ model, el }) {
    const root = document.createElement("div");
    root.className = "convcore-frame";
    el.appendChild(root);
    // Every element under root in document order: what the kernel's indices count.
    const elements = root.getElementsByTagName("*");
    // The frame never gets shorter while it is patched: a sum that wraps onto one
    // line fewer would otherwise pull the whole notebook below it up and down on
    // every step (a jumpy page, and a relayout of all of it).
    let tallest = 0;
    const keepHeight = new ResizeObserver(([entry]) => {
      const height = entry.borderBoxSize[0].blockSize;
      if (height > tallest) { tallest = height; root.style.minHeight = `${height}px`; }
    });
    keepHeight.observe(root);
    const showAll = () => {
      tallest = 0;
      root.style.minHeight = "";
      root.innerHTML = model.get("value");
    };
    const onMessage = (msg) => {
      if (!msg || !msg.patch) return;
      try {
        patch(msg);
      } catch (err) {                                 // never leave a half-patched picture
        console.error("convcore FrameHTML could not apply a patch; asking for the whole frame:", err);
        model.send({ want: "all" });
      }
    };
    const patch = (msg) => {
      if (elements.length !== msg.nodes) { model.send({ want: "all" }); return; }   // out of step
      const nodes = Array.from(elements);            // indices refer to the frame before the patch
      for (const [i, attrs, content] of msg.patch) {
        const node = nodes[i];
        if (attrs) {
          for (const [name, value] of Object.entries(attrs)) {
            if (value === null) node.removeAttribute(name); else node.setAttribute(name, value);
          }
        }
        if (content) {
          if (content.length === 1 && typeof content[0] === "string" && node.childElementCount === 0) {
            node.textContent = content[0];
          } else {
            const kids = Array.from(node.children);
            node.replaceChildren(...content.map((c) => (typeof c === "number" ? kids[c] : c)));
          }
        }
      }
    };
    showAll();
    model.on("change:revision", showAll);
    model.on("msg:custom", onMessage);
    // This view may be newer than the model's markup (frames since were patches): ask for it.
    model.send({ want: "all" });
    return () => {
      keepHeight.disconnect();
      model.off("change:revision", showAll);
      model.off("msg:custom", onMessage);
    };
  },
};
"""

# Markup as tokens: a tag (start or end) or a run of text. Our views write
# only <div> and <span> with double-quoted, escaped attribute values.
_TOKEN = re.compile(r"<[^>]*>|[^<]+")
_TAG = re.compile(r"<([a-zA-Z][\w-]*)((?:\s+[^\s=>]+(?:=\"[^\"]*\")?)*)\s*/?>$")
_ATTR = re.compile(r'([^\s=>]+)(?:="([^"]*)")?')
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@functools.lru_cache(maxsize=64)
def _elements(markup: str):
    """(tags, elements) of ``markup``, or None if it is not plain tags and text.

    tags: the sequence of start and end tag names (the structure; texts left out);
    elements: per element in document order (``getElementsByTagName("*")``),
    ``[start tag, content]`` where content lists its direct children: texts
    (unescaped) and, for each child element, its position among them (an int).
    Runs on every step, so plain string operations rather than a regex per tag,
    and the last readings are kept (a frame is read once, when drawn ahead, and
    again as the previous frame of the next step). Callers must not change them.
    """
    tokens = _TOKEN.findall(markup)
    if sum(map(len, tokens)) != len(markup):
        return None
    tags, elements = [], []
    stack = [("", [], [0])]                    # (name, content, child count): the fragment, then open elements
    for tok in tokens:
        if tok[0] != "<":
            stack[-1][1].append(html_text.unescape(tok) if "&" in tok else tok)
        elif tok[1] == "/":                    # an end tag: must close the innermost open element
            name = tok[2:-1].strip().lower()
            if len(stack) == 1 or stack[-1][0] != name:
                return None                    # unbalanced: leave it to the browser's parser
            tags.append("/" + name)
            stack.pop()
        else:
            if tok[1] in "!?" or tok.count('"') % 2 or "'" in tok:
                return None                    # a comment, a doctype, quotes we do not read
            name = tok[1:-1].split(None, 1)[0].rstrip("/").lower()
            tags.append(name)
            parent = stack[-1]
            parent[1].append(parent[2][0])
            parent[2][0] += 1
            element = [tok, []]
            elements.append(element)
            if name not in _VOID and not tok.endswith("/>"):
                stack.append((name, element[1], [0]))
    return (tags, elements) if len(stack) == 1 else None


def _attrs(tag: str) -> dict[str, str] | None:
    """The attributes of a start tag, unescaped; None if it is not written as our views write."""
    m = _TAG.match(tag)
    if m is None:
        return None
    return {name: html_text.unescape(value or "") for name, value in _ATTR.findall(m.group(2))}


def frame_patch(old: str, new: str) -> list | None:
    """The changes that turn the DOM of ``old`` into that of ``new``, or None if their
    elements differ (tags, nesting). One entry per changed element ``i`` (document
    order): ``[i, attributes or None, content or None]``, attributes the ones that
    changed (unescaped; None: removed), content its direct children: texts, and
    ints for its child elements (which stay as they are, by position).

    >>> frame_patch('<div class="a" id="x">1</div>', '<div class="b" id="x">1</div>')
    [[0, {'class': 'b'}, None]]
    >>> frame_patch('<div class="a" data-complete="0">1</div>', '<div class="a">1</div>')
    [[0, {'data-complete': None}, None]]
    >>> frame_patch('<div><i>7</i></div>', '<div>1 &lt; <i>7</i></div>')
    [[0, None, ['1 < ', 0]]]
    >>> frame_patch('<div>1</div>', '<div><span>1</span></div>') is None
    True
    """
    return _patch(_elements(old), _elements(new))


def _patch(a, b) -> list | None:
    if a is None or b is None or a[0] != b[0]:
        return None
    patch = []
    for i, ((tag_a, content_a), (tag_b, content_b)) in enumerate(zip(a[1], b[1])):
        if tag_a == tag_b and content_a == content_b:
            continue
        attrs = None
        if tag_a != tag_b:
            was, now = _attrs(tag_a), _attrs(tag_b)
            if was is None or now is None:
                return None
            attrs = {name: value for name, value in now.items() if was.get(name) != value}
            attrs.update((name, None) for name in was if name not in now)
        patch.append([i, attrs, content_b if content_a != content_b else None])
    return patch


class FrameHTML(anywidget.AnyWidget):
    """Shows ``value`` (HTML markup) like ``ipywidgets.HTML``; ``show(markup)`` sends
    only what changed since the last frame when the structure is the same.

    ``value`` is always the markup on screen in the kernel; in the browser it
    is the last markup sent whole (``revision`` counts the frames sent whole).
    """

    _esm = _FRAME_ESM
    value = T.Unicode("").tag(sync=True)
    revision = T.Int(0).tag(sync=True)
    # A patch is only worth it while it is small against the frame.
    max_patch_fraction = 0.5

    def __init__(self, value: str = "", **kwargs):
        super().__init__(value=value, **kwargs)
        self.patches_sent = self.frames_sent = 0
        self.on_msg(self._on_browser_message)

    @staticmethod
    def prepare(markup: str) -> None:
        """Read ``markup`` now (a frame that may be shown next), so ``show`` need not."""
        _elements(markup)

    def show(self, markup: str) -> None:
        """Put ``markup`` on screen: as a patch of the last frame if it can be, else whole."""
        if markup == self.value:
            return
        patch = _patch(_elements(self.value), parsed := _elements(markup))
        if patch is None or len(patch) > self.max_patch_fraction * len(parsed[1]):
            with self.hold_sync():
                self.value = markup
                self.revision += 1
            self.frames_sent += 1
            return
        nodes = len(parsed[1])
        set_in_kernel_only(self, "value", markup)
        self.send({"patch": patch, "nodes": nodes})
        self.patches_sent += 1

    def _on_browser_message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("want") == "all":
            # a new view, or a view out of step: the markup on screen, whole
            set_in_kernel_only(self, "revision", self.revision + 1)
            self.send_state(["value", "revision"])             # one message, both
