"""The explorer: live output shape and formula; impossible settings explained, then recovered."""
from __future__ import annotations

import html

import numpy as np
import pytest

from convcore import examples
from convcore.views import Explorer
from tinydom import view_root


def controls(ex) -> dict:
    """The controls the explorer shows now, by name."""
    return {c["name"]: c for c in ex.data["controls"]}


def summary(ex):
    """The notes under the explorer's view, as the renderer draws them (each with its role)."""
    notes = "".join(f'<div data-role="{role}">{html.escape(text)}</div>' for role, text in ex.current["notes"])
    return view_root(f'<div class="convcore-view" data-view="{ex.data["kind"]}">{notes}</div>')


def test_presets_load_and_show_shape_and_formula():
    ex = Explorer("seed_conv2d")
    root = summary(ex)
    assert root.get("data-view") == "explorer"
    out = examples.get("seed_conv2d").run()
    assert root.find(role="shape").text.endswith(f"→ output {out.shape}: {out.size} steps")
    formulas = [e.text for e in root.find_all(role="formula")]
    assert formulas == ex.trace.problem.explain().splitlines()
    assert formulas[0].endswith("= 3")
    assert ex.data["readings"][0]["steps"][0]["value"] == "13"
    for name in examples.names():
        ex.set(preset=name)
        assert ex.explanation is None, (name, ex.explanation)
        assert ex.shape == examples.get(name).run().shape
        np.testing.assert_array_equal(ex.trace.output, examples.get(name).run())


def test_settings_update_live():
    ex = Explorer("seed_conv2d")
    ex.set(padding="1")
    assert ex.shape == (3, 5, 5)
    assert "floor((4 + 2·1 − 1·(2−1) − 1) / 1) + 1 = floor(4 / 1) + 1 = 5" in summary(ex).find(role="formula").text
    ex.set(stride=2)
    assert ex.shape == (3, 3, 3)
    ex.set(padding="valid")
    ex.set(stride=1)
    ex.set(dilation=2)
    assert ex.shape == (3, 2, 2)
    ex.set(padding="same")
    assert ex.shape == (3, 4, 4)
    ex.set(padding_mode="reflect")
    assert ex.trace.problem.padding_mode == "reflect"


def test_impossible_settings_are_explained_then_recover():
    ex = Explorer("seed_conv2d")
    ex.set(kernel=7)                 # a 7-tall kernel on a 4-tall input
    root = summary(ex)
    error = root.find(role="error")
    assert error is not None and "does not fit" in error.text and "floor(" in error.text
    assert ex.trace is None and ex.current["rows"] == [] and "kernel" in controls(ex)     # the controls stay
    ex.set(kernel=3)                 # fixed
    assert ex.explanation is None and summary(ex).find(role="error") is None
    assert ex.shape == (3, 2, 2)
    ex.set(groups=3)               # 3 does not divide C_in = 2
    assert "groups" in summary(ex).find(role="error").text
    ex.set(groups=1)
    ex.set(padding="same")
    ex.set(stride=2)               # 'same' needs stride 1
    assert "stride 1" in summary(ex).find(role="error").text
    ex.set(stride=1)
    assert ex.explanation is None
    ex.set(padding="lots")
    assert "padding" in summary(ex).find(role="error").text
    ex.set(padding="0")
    ex.set(padding_mode="reflect")
    ex.set(padding="4")            # reflect padding must be smaller than the input
    assert "reflect" in summary(ex).find(role="error").text
    ex.set(padding="1")
    assert ex.explanation is None and ex.shape == (3, 4, 4)


def test_values_random_seeded_and_typed():
    ex = Explorer("seed_conv2d")
    ex.set(values="random integers")
    first = ex.trace.problem.input.copy()
    ex.set(seed=1)
    assert not np.array_equal(first, ex.trace.problem.input)
    ex.set(seed=0)
    np.testing.assert_array_equal(first, ex.trace.problem.input)
    ex.set(size=6)                   # shapes follow the controls
    assert ex.trace.problem.input.shape == (1, 2, 6, 6)
    ex.set(values="typed")
    assert {"input", "weight", "bias_values"} <= set(controls(ex)) and "seed" not in controls(ex)
    ex.set(input="[[1, 2, 3, 4]]")
    ex.set(weight="[[[1, 0, -1]]]")
    ex.set(dims=1)
    assert ex.explanation is None and ex.data["readings"][0]["panels"]["in0"]["t"] == [["1", "2", "3", "4"]]
    assert ex.trace.output.tolist() == [[-2, -2]]
    ex.set(input="[[1, 2], [3]")  # not even a list: explained
    assert "could not read" in summary(ex).find(role="error").text
    ex.set(input="[[1, 2, 3], [4, 5]]")   # ragged: the library says so
    assert "ragged" in summary(ex).find(role="error").text
    ex.set(input="[[1, 2, 3, 4, 5]]")
    assert ex.explanation is None and ex.shape == (1, 3)


def test_big_sizes_switch_to_the_heatmap():
    ex = Explorer("seed_conv2d")
    ex.set(size=32)
    ex.set(width=32)
    assert any("image" in P for P in ex.current["panels"].values())      # the heatmap's images


def test_changing_a_shape_gives_random_values_and_going_back_restores_the_preset():
    ex = Explorer("seed_conv2d")
    preset_values = ex.screen()["lines"]
    ex.set(c_out=1)
    assert ex.trace.problem.weight.shape == (1, 2, 2, 2)
    assert controls(ex)["values"]["value"] == "preset"
    ex.set(kernel=8)                 # impossible, then back: the seed's numbers return
    assert ex.explanation is not None
    ex.set(kernel=2)
    ex.set(c_out=3)
    assert ex.trace.problem.weight.tolist() == examples.get("seed_conv2d").weight.tolist()
    assert ex.screen()["lines"] == preset_values


def test_rectangular_sizes_and_sliders():
    ex = Explorer("odd_sizes")
    assert controls(ex)["rectangular"]["value"] is True and ex.explanation is None
    assert ex.trace.problem.input.shape[-2:] == (5, 7)
    assert "width" in controls(ex)
    ex.set(rectangular=False)          # square again: height for both axes
    assert ex.trace.problem.input.shape[-2:] == (5, 5)
    assert "width" not in controls(ex)
    kernel, size = controls(ex)["kernel"], controls(ex)["size"]
    assert (kernel["label"], kernel["min"], kernel["max"]) == ("kernel size", 1, 8) and size["label"] == "input size"


def test_a_control_changed_in_the_browser_gives_new_data_to_the_same_widget():
    ex = Explorer("seed_conv2d")
    ex.step, comm = 5, ex.comm
    ex._on_msg(ex, {"type": "control", "name": "padding", "value": "1"}, [])   # what the renderer sends
    assert ex.comm is comm and ex.shape == (3, 5, 5) and ex.step == 0 and ex.error == ""
    ex.step = 4
    assert ex.screen()["header"].startswith("step 4 of ")
    ex._on_msg(ex, {"type": "control", "name": "kernel", "value": 99}, [])     # out of the control's range
    assert ex.error == "" and "kernel size must be a whole number from 1 to 8; got 99" in ex.explanation
    ex._on_msg(ex, {"type": "control", "name": "colour", "value": 1}, [])
    assert "the explorer has no setting 'colour'" in ex.error
    with pytest.raises(ValueError, match="its settings are dims, values"):
        ex.set(colour=1)


def test_a_1d_preset_switched_to_2d_gets_random_numbers_of_the_new_sizes():
    ex = Explorer("multichannel_conv1d")
    ex.set(dims=2)
    ex.set(rectangular=True)
    ex.set(size=2, width=6, kernel=2, kernel_width=3)
    assert ex.explanation is None and ex.trace.problem.input.shape[-2:] == (2, 6)


def test_typed_arrays_show_their_sizes_on_the_greyed_controls():
    ex = Explorer("seed_conv2d")
    ex.set(values="typed")
    ex.set(input=str(np.arange(25).reshape(1, 5, 5).tolist()))
    ex.set(weight=str(np.ones((2, 1, 3, 3), int).tolist()))
    assert ex.explanation is None and ex.shape == (2, 3, 3)
    shown = controls(ex)
    assert tuple(shown[name]["value"] for name in ("size", "kernel", "c_in", "c_out")) == (5, 3, 1, 2)
    assert shown["size"]["off"] and shown["kernel"]["off"] and not shown["stride"]["off"]


def test_a_static_page_explorer_holds_every_combination_of_its_settings_within_its_budget():
    import json
    import re
    from itertools import product

    import torch

    from convcore.views import embed_html
    from convcore.views.explorer import STATIC_SETTINGS

    ex = Explorer("seed_conv2d")
    ex.set(kernel=3)                  # random 3×3 kernels: dilation 2 without padding does not fit 4×4
    view = ex.static_view()
    combos = list(product(*STATIC_SETTINGS.values()))
    assert [rd["key"] for rd in view.data["readings"]] == [",".join(map(str, c)) for c in combos]
    assert [c["name"] for c in view.data["controls"]] == list(STATIC_SETTINGS) and view.data["pick"]
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
        assert all(r["steps"] for r in shipped["readings"]) and shipped["controls"] == view.data["controls"]
