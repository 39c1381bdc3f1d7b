"""The steppers show, number by number, what the trace says (headless: parse the HTML)."""
from __future__ import annotations

import numpy as np
import pytest

from convcore import examples
from convcore.views import Stepper1D, Stepper2D, as_trace, view_for
from convcore.views.numfmt import fmt
from test_views_dom import view_root
from widget_messages import record_sent


def shown(view):
    return view_root(view.html.value)


def num(text):
    text = text.strip()
    return float(text) if "." in text or "e" in text else int(text)


def check_step_is_displayed(view, k):
    """Everything the view shows at step k agrees with trace[k] and the finished output."""
    trace = view.trace
    step = trace[k]
    root = shown(view)
    assert root.get("data-view") == view.kind
    assert root.get("data-step") == str(k)
    # Highlighted input cells: exactly the window's coordinates on every channel of the group.
    window = {",".join(map(str, t.coords)) for t in step.window}
    for ch in range(trace.problem.in_channels):
        lit = {e.get("data-pos") for e in root.find_all(role="in-cell", channel=ch)
               if e.get("data-state") in ("patch", "pad-patch")}
        assert lit == (window if ch in step.in_channels else set())
        for e in root.find_all(role="in-cell", channel=ch):
            in_pad = e.get("data-state") in ("pad", "pad-patch")
            coords = tuple(int(v) for v in e.get("data-pos").split(","))
            assert in_pad == any(not 0 <= c < a.n for c, a in zip(coords, trace.problem.axes))
    # Products and partial sums, channel by channel.
    for i, ch in enumerate(step.in_channels):
        terms = root.find_all(role="term", channel=ch)
        assert [num(t.get("data-product")) for t in terms] == step.products[i].ravel().tolist()
        for t, a, b in zip(terms, step.patch[i].ravel(), step.kernel[i].ravel()):
            left, right = t.text.split("·")
            assert (num(left.strip("()")), num(right.strip("()"))) == (a, b)
        partial = root.find(role="partial", channel=ch)
        assert num(partial.text) == step.partial_sums[i]
    assert num(root.find(role="value").text) == step.value
    # Output cells: done before k (with their values), current at k, todo after.
    out = np.asarray(trace.output).reshape(trace.problem.out_channels, *trace.problem.out_spatial) \
        if trace.problem.batch == 1 else None
    cells = root.find_all(role="out-cell")
    assert len(cells) == trace.problem.out_channels * int(np.prod(trace.problem.out_spatial))
    for cell in cells:
        index = tuple(int(v) for v in cell.get("data-index").split(","))
        at = trace.index(index[0], index[1:])
        state = "done" if at < k else "current" if at == k else "todo"
        assert cell.get("data-state") == state, (index, k)
        if state in ("done", "current"):
            assert num(cell.text) == out[index]
        else:
            assert cell.text.strip() == ""


@pytest.mark.parametrize("name", ["seed_conv2d", "same_padding", "dilation", "groups", "padding_strides_odd",
                                  "reflect_padding", "odd_sizes"])
def test_stepper2d_shows_every_step_as_the_trace_says(name):
    view = Stepper2D.from_example(name)
    for k in range(len(view.trace)):
        view.update(k)
        check_step_is_displayed(view, k)


@pytest.mark.parametrize("name", ["seed_conv1d", "multichannel_conv1d"])
def test_stepper1d_shows_every_step_as_the_trace_says(name):
    view = Stepper1D.from_example(name)
    for k in range(len(view.trace)):
        view.step_slider.value = k           # through the control, as a learner would
        check_step_is_displayed(view, k)


def test_seed_numbers_are_written_out():
    view = Stepper2D.from_example("seed_conv2d")
    root = shown(view)
    eq = [e for e in root.iter() if e.get("class") == "cc-eq"]
    assert eq[0].text.split() == "1·1 + 5·0 + 2·0 + 6·1 = 7".split()
    assert eq[1].text.split() == "1·1 + 1·1 + 2·1 + 2·1 = 6".split()
    assert root.find(role="total").text.split() == "out[0, 0, 0] = 7 + 6 = 13".split()
    seed1 = Stepper1D.from_example("seed_conv1d")
    assert " ".join(view_root(seed1.html.value).find(role="total").text.split()) == "out[0] = -2"


def test_dilation_lights_each_tap_not_a_block():
    view = Stepper2D.from_example("dilation")
    lit = {e.get("data-pos") for e in shown(view).find_all(role="in-cell", channel=0, state="patch")}
    assert lit == {f"{i},{j}" for i in (0, 2, 4) for j in (0, 2, 4)}


def test_padding_cells_are_marked():
    view = Stepper2D.from_example("same_padding")
    root = shown(view)
    assert root.find(role="in-cell", pos="-1,-1").get("data-state") == "pad-patch"
    assert root.find(role="in-cell", pos="5,5").get("data-state") == "pad"
    assert root.find(role="in-cell", pos="1,1").get("data-state") == "patch"
    assert root.find(role="in-cell", pos="3,3").get("data-state") == "plain"


def test_synced_controls_move_to_the_right_step():
    view = Stepper2D.from_example("seed_conv2d")
    t = view.trace
    view.channel_slider.value = 2
    assert view.step == t.index(2, (0, 0)) == 18
    view.row_slider.value = 1
    view.col_slider.value = 2
    assert view.step == t.index(2, (1, 2))
    assert shown(view).get("data-step") == str(view.step)
    assert view.step_slider.value == view.step
    # and the other way: the step slider moves the position sliders
    view.step_slider.value = 13
    assert (view.channel_slider.value, view.row_slider.value, view.col_slider.value) == (1, 1, 1)
    assert shown(view).find(role="out-cell", index="1,1,1").get("data-state") == "current"


def test_play_prev_next():
    view = Stepper2D.from_example("seed_conv2d")
    view.step_slider.value = 5               # what Play's tick does, through the step link
    assert view.step == view.step_slider.value == 5
    view.next_button.click()
    assert view.step == view.step_slider.value == 6
    view.prev_button.click()
    view.prev_button.click()
    assert view.step == 4
    view.update(0)
    view.prev_button.click()                 # stays at the first step
    assert view.step == 0
    view.update(len(view.trace) - 1)
    view.next_button.click()                 # and at the last
    assert view.step == len(view.trace) - 1
    view.speed_slider.value = 10
    assert view.play.interval == 100
    assert view.play.max == view.step_slider.max == len(view.trace) - 1
    # In the browser, Play and the step slider follow each other without the kernel
    # (the browser tests press Play after moving the slider and check it plays on from there)
    link = view.step_link
    assert (link.step, link.play) == (view.step_slider.model_id, view.play.model_id)


@pytest.mark.parametrize("name, followers", [
    ("seed_conv2d", ["channel_slider", "row_slider", "col_slider"]),
    ("seed_conv1d", ["channel_slider", "col_slider"]),
])
def test_step_link_unravels_the_step_like_the_trace(name, followers):
    """What the browser computes from the link (row-major over shape) is trace.locate."""
    view = view_for(name)
    link = view.step_link
    ids = {getattr(view, f).model_id: f for f in followers}
    assert {model_id for model_id, _ in link.followers} == set(ids)
    for k in range(len(view.trace)):
        where = np.unravel_index(k, link.shape)        # what the link's JavaScript does
        sample, channel, pos = view.trace.locate(k)
        wanted = {"channel_slider": channel, "row_slider": pos[0], "col_slider": pos[-1]}
        for model_id, axis in link.followers:
            assert where[axis] == wanted[ids[model_id]]


def test_batched_views_link_their_sample_slider():
    x = np.arange(2 * 1 * 4 * 4).reshape(2, 1, 4, 4)
    view = Stepper2D(x, np.ones((1, 1, 3, 3), dtype=int))
    assert [view.sample_slider.model_id, 0] in view.step_link.followers
    assert view.step_link.shape == [2, 1, 2, 2]


def test_followers_move_in_the_kernel_only_once_the_browser_runs_the_link(monkeypatch):
    view = Stepper2D.from_example("seed_conv2d")
    followers = [view.channel_slider, view.row_slider, view.col_slider]
    sent = {id(w): record_sent(w, monkeypatch) for w in [*followers, view.html]}

    def states(widget):
        return [msg.get("state") for msg in sent[id(widget)]]
    view.update(13)                   # link not running yet: the kernel moves them itself
    assert [states(s) for s in followers] == [[{"value": 1}]] * 3
    view.step_link.set_state({"ready": True})      # what the browser says once it is wired
    view.update(5)
    assert [states(s)[1:] for s in followers] == [[], [], []]       # nothing more sent ...
    assert (view.channel_slider.value, view.row_slider.value, view.col_slider.value) == (0, 1, 2)
    assert len(sent[id(view.html)]) == 2                           # ... but the picture was
    # The kernel still knows where they are, so moving one from the browser works,
    # also to a value it showed before (traitlets only fires on a change).
    view.update(13)
    view.channel_slider.set_state({"value": 0})    # the learner moves it in the browser
    assert view.step == view.trace.index(0, (1, 1)) == 4
    view.row_slider.set_state({"value": 2})
    assert view.step == view.trace.index(0, (2, 1)) == 7


def test_buildup_adds_terms_then_channels_in_order():
    view = Stepper2D.from_example("seed_conv2d")
    step = view.trace[0]
    top = view.buildup_slider.max
    assert top == 2 * 4 + 1 and view.buildup == top     # 2 channels × 4 taps, then the total
    seen = []
    for b in range(top + 1):
        view.buildup_slider.value = b
        root = shown(view)
        assert root.get("data-buildup") == str(b)
        terms = [(int(e.get("data-channel")), e.get("data-tap")) for e in root.find_all(role="term")]
        assert terms == [(c, t) for c in (0, 1) for t in ("0,0", "0,1", "1,0", "1,1")][:min(b, 8)]
        seen.append([(e.get("data-channel"), e.text, e.get("data-complete")) for e in root.find_all(role="partial")])
        current = root.find(role="out-cell", state="current")
        if b < top:
            assert root.find(role="value").get("data-complete") == "0"
            running = sum(step.products.reshape(2, -1).ravel()[:b])
            assert current.text == (fmt(running) if b else "?")
        else:
            assert current.text == "13" and root.find(role="value").text == "13"
    assert seen[0] == []
    assert seen[4] == [("0", "7", None)]
    assert seen[5] == [("0", "7", None), ("1", "1", "0")]
    assert seen[8] == [("0", "7", None), ("1", "6", None)]
    # back again with the buttons
    view.buildup_back.click()
    assert view.buildup == top - 1
    view.buildup_forward.click()
    view.buildup_forward.click()          # clamps at the top
    assert view.buildup == top
    # a new step starts complete
    view.buildup_slider.value = 2
    view.next_button.click()
    assert view.buildup == top


def test_buildup_goes_channel_by_channel_for_big_kernels():
    ex = examples.get("groups").replace(weight=np.ones((4, 2, 4, 4), int), padding=2)
    view = Stepper2D(ex)
    assert view.buildup_slider.max == 3                 # 2 channels per group, then the total
    view.update(0, 1)
    root = shown(view)
    assert [e.get("data-channel") for e in root.find_all(role="partial")] == ["0"]
    view.update(0, 2)
    assert [e.get("data-channel") for e in shown(view).find_all(role="partial")] == ["0", "1"]


def test_exception_in_a_callback_is_shown_not_swallowed():
    view = Stepper2D.from_example("seed_conv2d")

    def broken(k, buildup):
        raise RuntimeError("the frame could not be drawn")
    view.frame_at = broken
    view.step_slider.value = 3                   # a callback: must not raise into ipywidgets
    error = view_root_error(view)
    assert "RuntimeError: the frame could not be drawn" in error.text
    assert isinstance(view.last_error, RuntimeError)
    del view.frame_at                            # fixed: the next move clears the message
    view.next_button.click()
    assert view.error_area.value == "" and view.last_error is None


def view_root_error(view):
    from test_views_dom import parse
    found = parse(view.error_area.value).find(role="error")
    assert found is not None, "no data-role=error element shown"
    return found


def test_constructors_accept_example_trace_or_arrays():
    ex = examples.get("seed_conv2d")
    for source in (ex, ex.trace(), "seed_conv2d"):
        assert Stepper2D(source).trace[0].value == 13
    view = Stepper1D([1, 2, 3, 4], [1, 0, -1])
    assert view.trace[0].value == -2
    view = Stepper2D(ex.input, ex.weight, padding=1)
    assert view.trace.problem.out_spatial == (5, 5)
    assert len(as_trace("seed_1x1")) == 12
    with pytest.raises(ValueError, match="1-D"):
        Stepper2D.from_example("seed_conv1d")


def test_views_are_displayable_widgets():
    view = Stepper2D.from_example("seed_conv2d")
    bundle = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert view.widget.children[-1] is view.html


def test_update_rejects_steps_outside_the_trace():
    view = Stepper2D.from_example("seed_conv2d")
    with pytest.raises(IndexError, match="0 to 26"):
        view.update(27)


def test_pointwise_view_is_a_matrix_times_a_vector_at_each_pixel():
    from convcore.views import PointwiseView
    view = PointwiseView.from_example("seed_1x1")
    trace = view.trace
    p = trace.problem
    w = p.weight.reshape(p.out_channels, p.in_channels)
    out = trace.output
    for k in range(len(trace)):
        view.step_slider.value = k
        step = trace[k]
        root = shown(view)
        assert root.get("data-view") == "pointwise" and root.get("data-step") == str(k)
        i, j = step.out_pos
        x = [num(e.text) for e in root.find_all(role="vec-in")]
        assert x == p.input[0, :, i, j].tolist()
        matrix = [num(e.text) for e in root.find_all(role="weight-cell")]
        assert matrix == w.ravel().tolist()
        # the y vector at this pixel: channels before this one done, this one current
        for e in root.find_all(role="vec-out"):
            c = int(e.get("data-index").split(",")[0])
            at = trace.index(c, (i, j))
            assert e.get("data-state") == ("done" if at < k else "current" if at == k else "todo")
            if at <= k:
                assert num(e.text) == out[c, i, j]
        # the input pixel is the highlighted patch on every channel
        for ch in range(p.in_channels):
            assert [e.get("data-pos") for e in root.find_all(role="in-cell", channel=ch, state="patch")] == [f"{i},{j}"]
        assert [num(e.text) for e in root.find_all(role="partial")] == step.partial_sums.tolist()
        assert num(root.find(role="value").text) == step.value
    view.col_slider.value = 0
    view.row_slider.value = 1
    view.channel_slider.value = 2
    assert view.step == trace.index(2, (1, 0))
    with pytest.raises(ValueError, match="1×1"):
        PointwiseView.from_example("seed_conv2d")


def test_root_names_the_catalogue_example():
    assert shown(Stepper2D.from_example("seed_conv2d")).get("data-example") == "seed_conv2d"
    assert shown(Stepper2D(examples.get("seed_conv2d").trace())).get("data-example") is None


@pytest.mark.parametrize("view_type, source, hint", [
    (Stepper1D, "seed_conv2d", "use Stepper2D"),
    (Stepper2D, "seed_conv1d", "use Stepper1D"),
])
def test_a_stepper_of_the_wrong_dimension_says_which_one_to_use(view_type, source, hint):
    with pytest.raises(ValueError, match=hint):
        view_type(source)


def in_a_kernel_loop(coroutine) -> None:
    """Run ``coroutine`` in an event loop of its own, as a Jupyter kernel would, on a
    worker thread (the browser tests' Playwright may hold this thread's loop)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, coroutine).result()


def test_neighbouring_steps_are_drawn_while_the_kernel_is_idle():
    import asyncio
    view = Stepper2D.from_example("seed_conv2d")
    drawn = []
    frame_at = view.frame_at
    view.frame_at = lambda k, b: (drawn.append(k), frame_at(k, b))[1]

    async def press(k):                  # a slider message, then the kernel goes idle
        view.step_slider.value = k
        await asyncio.sleep(2 * view.DRAW_AHEAD_AFTER)

    in_a_kernel_loop(press(5))
    assert drawn == [5, 6, 4]            # step 5, then one on and one back, after the answer
    in_a_kernel_loop(press(6))
    assert drawn == [5, 6, 4, 7]         # 6 was ready; 5 is kept
    assert shown(view).get("data-step") == "6" and view.frame.step == view.trace[6].index
    view.update(2)                       # no event loop (plain Python): nothing drawn ahead
    assert drawn[-1] == 2


def test_drawing_ahead_into_the_next_sample_leaves_the_shown_images_alone():
    import asyncio
    from convcore.views import HeatmapView
    x = np.arange(2 * 1 * 4 * 4).reshape(2, 1, 4, 4)
    view = HeatmapView(x, np.ones((1, 1, 3, 3), dtype=int))
    style = view.style.value

    async def press(k):
        view.step_slider.value = k
        await asyncio.sleep(2 * view.DRAW_AHEAD_AFTER)

    in_a_kernel_loop(press(3))           # the last step of sample 0; step 4 is in sample 1
    assert view.style.value == style
    in_a_kernel_loop(press(4))
    assert view.style.value != style     # now sample 1's images
