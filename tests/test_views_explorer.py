"""The explorer: live output shape and formula; impossible settings explained, then recovered."""
from __future__ import annotations

import html

import numpy as np

from convcore import examples
from convcore.views import Explorer, HeatmapView, Stepper1D, Stepper2D
from tinydom import view_root


def summary(ex):
    """The notes under the explorer's view, as the renderer draws them (each with its role)."""
    notes = "".join(f'<div data-role="{role}">{html.escape(text)}</div>' for role, text in ex.view.current["notes"])
    return view_root(f'<div class="convcore-view" data-view="{ex.view.data["kind"]}">{notes}</div>')


def test_presets_load_and_show_shape_and_formula():
    ex = Explorer("seed_conv2d")
    root = summary(ex)
    assert root.get("data-view") == "explorer"
    out = examples.get("seed_conv2d").run()
    assert root.find(role="shape").text.endswith(f"→ output {out.shape}: {out.size} steps")
    formulas = [e.text for e in root.find_all(role="formula")]
    assert formulas == ex.trace.problem.explain().splitlines()
    assert formulas[0].endswith("= 3")
    assert isinstance(ex.view, Stepper2D) and ex.view_box.children == (ex.view,)
    assert ex.view.trace[0].value == 13
    for name in examples.names():
        ex.preset_dropdown.value = name
        assert ex.error is None, (name, ex.error)
        assert ex.shape == examples.get(name).run().shape
        np.testing.assert_array_equal(ex.trace.output, examples.get(name).run())


def test_settings_update_live():
    ex = Explorer("seed_conv2d")
    ex.padding_box.value = "1"
    assert ex.shape == (3, 5, 5)
    assert "floor((4 + 2·1 − 1·(2−1) − 1) / 1) + 1 = floor(4 / 1) + 1 = 5" in summary(ex).find(role="formula").text
    ex.stride_box.value = 2
    assert ex.shape == (3, 3, 3)
    ex.padding_box.value = "valid"
    ex.stride_box.value = 1
    ex.dilation_box.value = 2
    assert ex.shape == (3, 2, 2)
    ex.padding_box.value = "same"
    assert ex.shape == (3, 4, 4)
    ex.padding_mode.value = "reflect"
    assert ex.trace.problem.padding_mode == "reflect"


def test_impossible_settings_are_explained_then_recover():
    ex = Explorer("seed_conv2d")
    ex.kernel_h.value = 7                 # a 7-tall kernel on a 4-tall input
    root = summary(ex)
    error = root.find(role="error")
    assert error is not None and "does not fit" in error.text and "floor(" in error.text
    assert ex.trace is None and ex.view.current["rows"] == [] and ex.view_box.children == (ex.view,)
    ex.kernel_h.value = 3                 # fixed
    assert ex.error is None and summary(ex).find(role="error") is None
    assert ex.shape == (3, 2, 2)
    ex.groups_box.value = 3               # 3 does not divide C_in = 2
    assert "groups" in summary(ex).find(role="error").text
    ex.groups_box.value = 1
    ex.padding_box.value = "same"
    ex.stride_box.value = 2               # 'same' needs stride 1
    assert "stride 1" in summary(ex).find(role="error").text
    ex.stride_box.value = 1
    assert ex.error is None
    ex.padding_box.value = "lots"
    assert "padding" in summary(ex).find(role="error").text
    ex.padding_box.value = "0"
    ex.padding_mode.value = "reflect"
    ex.padding_box.value = "4"            # reflect padding must be smaller than the input
    assert "reflect" in summary(ex).find(role="error").text
    ex.padding_box.value = "1"
    assert ex.error is None and ex.shape == (3, 4, 4)


def test_values_random_seeded_and_typed():
    ex = Explorer("seed_conv2d")
    ex.values_dropdown.value = "random integers"
    first = ex.trace.problem.input.copy()
    ex.seed_box.value = 1
    assert not np.array_equal(first, ex.trace.problem.input)
    ex.seed_box.value = 0
    np.testing.assert_array_equal(first, ex.trace.problem.input)
    ex.size_h.value = 6                   # shapes follow the controls
    assert ex.trace.problem.input.shape == (1, 2, 6, 6)
    ex.values_dropdown.value = "typed"
    assert ex.typed_box.layout.display == "flex"
    ex.input_text.value = "[[1, 2, 3, 4]]"
    ex.weight_text.value = "[[[1, 0, -1]]]"
    ex.dims_toggle.value = 1
    assert ex.error is None and isinstance(ex.view, Stepper1D)
    assert ex.trace.output.tolist() == [[-2, -2]]
    ex.input_text.value = "[[1, 2], [3]"  # not even a list: explained
    assert "could not read" in summary(ex).find(role="error").text
    ex.input_text.value = "[[1, 2, 3], [4, 5]]"   # ragged: the library says so
    assert "ragged" in summary(ex).find(role="error").text
    ex.input_text.value = "[[1, 2, 3, 4, 5]]"
    assert ex.error is None and ex.shape == (1, 3)


def test_big_sizes_switch_to_the_heatmap():
    ex = Explorer("seed_conv2d")
    ex.size_h.value = 32
    ex.size_w.value = 32
    assert isinstance(ex.view, HeatmapView)


def test_changing_a_shape_gives_random_values_and_going_back_restores_the_preset():
    ex = Explorer("seed_conv2d")
    preset_values = ex.view.screen()["lines"]
    ex.c_out.value = 1
    assert ex.trace.problem.weight.shape == (1, 2, 2, 2)
    assert ex.values_dropdown.value == "preset"
    ex.kernel_h.value = 8                 # impossible, then back: the seed's numbers return
    assert ex.error is not None
    ex.kernel_h.value = 2
    ex.c_out.value = 3
    assert ex.trace.problem.weight.tolist() == examples.get("seed_conv2d").weight.tolist()
    assert ex.view.screen()["lines"] == preset_values


def test_rectangular_sizes_and_sliders():
    ex = Explorer("odd_sizes")
    assert ex.rectangular.value and ex.error is None
    assert ex.trace.problem.input.shape[-2:] == (5, 7)
    assert ex.size_w.layout.display == "flex"
    ex.rectangular.value = False          # square again: height for both axes
    assert ex.trace.problem.input.shape[-2:] == (5, 5)
    assert ex.size_w.layout.display == "none"
    assert ex.kernel_h.description == "kernel size" and ex.size_h.description == "input size"
    assert isinstance(ex.kernel_h, __import__("ipywidgets").IntSlider)


def test_a_replaced_view_is_closed_and_the_new_one_is_live():
    ex = Explorer("seed_conv2d")
    old = ex.view
    assert old.comm is not None
    ex.padding_box.value = "1"
    assert ex.view is not old and old.comm is None        # closed in kernel and browser
    assert ex.view.comm is not None
    ex.view.step = 4
    assert ex.view.screen()["header"].startswith("step 4 of ")


def test_a_1d_preset_switched_to_2d_gets_random_numbers_of_the_new_sizes():
    ex = Explorer("multichannel_conv1d")
    ex.dims_toggle.value = 2
    ex.rectangular.value = True
    ex.size_h.value, ex.size_w.value, ex.kernel_h.value, ex.kernel_w.value = 2, 6, 2, 3
    assert ex.error is None and ex.trace.problem.input.shape[-2:] == (2, 6)


def test_typed_arrays_show_their_sizes_on_the_greyed_controls():
    ex = Explorer("seed_conv2d")
    ex.values_dropdown.value = "typed"
    ex.input_text.value = str(np.arange(25).reshape(1, 5, 5).tolist())
    ex.weight_text.value = str(np.ones((2, 1, 3, 3), int).tolist())
    assert ex.error is None and ex.shape == (2, 3, 3)
    assert (ex.size_h.value, ex.kernel_h.value, ex.c_in.value, ex.c_out.value) == (5, 3, 1, 2)
    assert ex.size_h.disabled and ex.kernel_h.disabled


def test_a_static_page_explorer_holds_every_combination_of_its_settings_within_its_budget():
    import json
    import re
    from itertools import product

    import torch

    from convcore.views import embed_html
    from convcore.views.explorer import STATIC_SETTINGS

    ex = Explorer("seed_conv2d")
    ex.kernel_h.value = 3                  # random 3×3 kernels: dilation 2 without padding does not fit 4×4
    view = ex.static_view()
    combos = list(product(*STATIC_SETTINGS.values()))
    assert [rd["key"] for rd in view.data["readings"]] == [",".join(map(str, c)) for c in combos]
    assert [name for name, _label, _values in view.data["settings"]] == list(STATIC_SETTINGS)
    x, w, _ = (torch.as_tensor(np.asarray(a), dtype=torch.float64) for a in (*ex._arrays[:2], [0]))
    impossible = 0
    for (stride, padding, dilation), rd in zip(combos, view.data["readings"]):
        try:
            out = torch.nn.functional.conv2d(x[None], w, stride=stride, padding=padding, dilation=dilation)[0]
        except RuntimeError:               # PyTorch refuses it too: the page explains it
            impossible += 1
            assert rd["n"] == 1 and "impossible" in view.screen(0, reading=rd["key"])["header"]
            continue
        notes = dict(rd["notes"])
        assert f"output {tuple(out.shape)}: {out.numel()} steps" in notes["shape"] and rd["n"] == out.numel()
        last = view.screen(rd["n"] - 1, reading=rd["key"])      # every output computed: PyTorch's numbers
        for o in range(out.shape[0]):
            shown = [[float(t) for t, _state in row] for row in last["panels"][f"out0.{o}"]["cells"]]
            assert np.allclose(shown, out[o].numpy()), (rd["key"], o)
    assert impossible == 3
    for budget in (2_000_000, 400_000):     # held steps, never over the budget (a few notes' bytes aside)
        embed = embed_html(ex, budget_bytes=budget)
        assert len(embed) < budget + 5_000
        shipped = json.loads(re.search(r">(\{.*\})</script>", embed).group(1).replace("<\\/", "</"))["data"]
        assert all(r["steps"] for r in shipped["readings"]) and shipped["settings"] == view.data["settings"]
