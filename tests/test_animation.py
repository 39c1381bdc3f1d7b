"""The GIF export: one frame per step, drawn from the same frames the views show."""
from __future__ import annotations

import numpy as np
from PIL import Image

from convcore import trace2d
from convcore.views import Stepper1D, Stepper2D, save_animation
from convcore.views import animation, frames, palette


def test_one_frame_per_step(tmp_path):
    view = Stepper2D.from_example("seed_conv2d")
    path = save_animation(view, tmp_path / "seed.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == len(view.trace) == 27
        assert gif.info["loop"] == 0


def test_other_sources_and_buildup(tmp_path):
    with Image.open(save_animation("seed_conv1d", tmp_path / "a.gif")) as gif:
        assert gif.n_frames == 2
    view = Stepper1D.from_example("seed_conv1d")
    with Image.open(save_animation(view, tmp_path / "b.gif", buildup=True)) as gif:
        assert gif.n_frames == 2 * (frames.buildup_max(view.trace) + 1)
    with Image.open(save_animation("seed_1x1", tmp_path / "c.gif", steps=[0, 5, 11])) as gif:
        assert gif.n_frames == 3


def test_heatmap_frames(tmp_path):
    rng = np.random.default_rng(1)
    trace = trace2d(rng.integers(-3, 4, (3, 20, 20)), rng.integers(-1, 2, (2, 3, 3, 3)), padding=1)
    with Image.open(save_animation(trace, tmp_path / "h.gif", steps=range(5))) as gif:
        assert gif.n_frames == 5


def test_frames_show_the_current_patch_in_the_patch_colour():
    view = Stepper2D.from_example("seed_conv2d")
    images = animation.animation_frames(view, steps=[0, 13])
    assert images[0].size == images[1].size
    edge = palette.hex_to_rgb(palette.PATCH["edge"])
    pixels = np.asarray(images[1].convert("RGB")).reshape(-1, 3)
    assert (pixels == edge).all(axis=1).sum() > 100      # the outlined patch and current output cell
