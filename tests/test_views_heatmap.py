"""Big inputs switch to heatmaps; the boxes and numbers still follow the trace."""
from __future__ import annotations

import numpy as np

from convcore import trace2d
from convcore.views import HeatmapView, PointwiseView, Stepper1D, Stepper2D, view_for
from test_views_dom import parse, view_root


def image_trace(size=64, channels=3):
    rng = np.random.default_rng(0)
    return trace2d(rng.integers(-5, 6, (channels, size, size)), rng.integers(-2, 3, (4, channels, 3, 3)),
                   padding=1)


def test_view_for_picks_numbers_when_they_fit_and_heatmaps_when_not():
    assert isinstance(view_for("seed_conv2d"), Stepper2D)
    assert isinstance(view_for("seed_conv1d"), Stepper1D)
    assert isinstance(view_for("seed_1x1"), PointwiseView)
    assert isinstance(view_for(image_trace(16)), HeatmapView)
    assert isinstance(view_for(image_trace(13)), Stepper2D)     # 13 + 2 padding = 15 cells: still numbers


def test_heatmap_boxes_and_numbers_follow_the_trace():
    trace = image_trace()
    view = HeatmapView(trace)
    for k in (0, 63, 64, 4095, 4096 + 64 * 20 + 30, len(trace) - 1):
        view.update(k)
        step = trace[k]
        root = view_root(view.html.value)
        assert root.get("data-view") == "heatmap" and root.get("data-step") == str(k)
        for ch in step.in_channels:
            boxes = root.find_all(role="in-cell", channel=ch)
            assert [b.get("data-pos") for b in boxes] == [",".join(map(str, t.coords)) for t in step.window]
            assert [b.get("data-state") for b in boxes] == ["pad-patch" if t.in_padding else "patch"
                                                              for t in step.window]
        current = root.find(role="out-cell")
        assert current.get("data-index") == ",".join(map(str, (step.out_channel, *step.out_pos)))
        assert int(current.text) == step.value
        assert [int(e.text) for e in root.find_all(role="partial")] == step.partial_sums.tolist()
        assert int(root.find(role="value").text) == step.value
        # channels after the current one are fully covered, earlier ones not at all
        for c in range(trace.problem.out_channels):
            covered = [e for e in root.iter() if e.has_class("cc-cover")
                       and e.parent.get("data-channel") == str(c)]
            if c < step.out_channel:
                assert covered == []
            elif c > step.out_channel:
                assert [e.get("data-covers") for e in covered] == ["all"]


def test_heatmap_images_are_sent_once_not_per_step():
    view = HeatmapView(image_trace())
    style = view.style.value
    assert style.count("data:image/png;base64,") == 3 + 4
    view.next_button.click()
    view.channel_slider.value = 3
    assert view.style.value is style
    assert "data:image" not in view.html.value and len(view.html.value) < 20_000


def test_heatmap_uses_a_diverging_map_centred_on_zero():
    from convcore.views.palette import diverging
    rgb = diverging(np.array([[-4, 0, 4, 2]]))
    assert rgb[0, 1].tolist() == [255, 255, 255]
    assert rgb[0, 0].tolist() != rgb[0, 2].tolist()
    assert rgb[0, 3].tolist() == diverging(np.array([[-2, 2]]), limit=4)[0, 1].tolist()


def test_heatmap_has_every_control():
    view = HeatmapView(image_trace(20))
    view.row_slider.value = 5
    view.col_slider.value = 7
    view.channel_slider.value = 2
    assert view.step == view.trace.index(2, (5, 7))
    assert parse(view.html.value).find(role="out-cell").get("data-index") == "2,5,7"
