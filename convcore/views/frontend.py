"""The only code of convcore that runs in the browser: a small anywidget.

A key press on a view's step slider should cost what the echo floor costs
(one IntSlider -> HTML widget): one message to the kernel, one back, and a
small DOM update. With plain ipywidgets a view's followers cost more; the
helper here moves them in the browser (anywidget: a few lines of JavaScript,
nothing to build).

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

(Measured and dropped: an HTML widget that morphs the DOM instead of
replacing it, as morphdom does. Its JavaScript tree walk cost more than
``innerHTML`` saved: 18.8 vs 14.9 ms per key press on the seed's view.)
"""
from __future__ import annotations

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

