"""Big inputs switch to heatmaps; the boxes and numbers still follow the trace."""
from __future__ import annotations

import json

import numpy as np

from convcore import trace2d
from convcore.views import HeatmapView, PointwiseView, Stepper1D, Stepper2D, view_for


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
    from convcore.views.heatmap import heat_frame
    trace = image_trace()
    for k in (0, 63, 64, 4095, 4096 + 64 * 20 + 30, len(trace) - 1):
        f = heat_frame(trace, k)
        step = trace[k]
        assert f.step == k and f.out_channel == step.out_channel and f.out_pos == step.out_pos
        for ch in step.in_channels:
            boxes = [t for t in f.taps if t.channel == ch]
            assert [t.coords for t in boxes] == [t.coords for t in step.window]
            assert [t.state for t in boxes] == ["pad-patch" if t.in_padding else "patch" for t in step.window]
        assert int(f.current) == step.value
        assert [int(s.partial) for s in f.arithmetic.sums] == step.partial_sums.tolist()
        assert int(f.arithmetic.value) == step.value


def test_heatmap_images_are_sent_once_not_per_step():
    view = HeatmapView(image_trace())
    static = view.data["static"]
    assert len(static["inImg"][0]) == 3 and len(static["outImg"][0]) == 4
    assert "data:image" not in json.dumps(view.data["steps"])
    assert len(json.dumps(view.data["steps"][0])) < 3_000


def test_heatmap_uses_a_diverging_map_centred_on_zero():
    from convcore.views.palette import diverging
    rgb = diverging(np.array([[-4, 0, 4, 2]]))
    assert rgb[0, 1].tolist() == [255, 255, 255]
    assert rgb[0, 0].tolist() != rgb[0, 2].tolist()
    assert rgb[0, 3].tolist() == diverging(np.array([[-2, 2]]), limit=4)[0, 1].tolist()


def test_heatmap_position_controls_find_the_step():
    view = HeatmapView(image_trace(20))
    assert view.data["static"]["stepOf"][0][2][5][7] == view.trace.index(2, (5, 7))
