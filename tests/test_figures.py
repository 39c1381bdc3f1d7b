"""The static figures (convcore.course.figures) draw what PyTorch computes.

Each figure keeps its grids as drawn (``Figure.columns``: panels of (text, state) cells). The
tests read the drawn states back and compare them with PyTorch: window footprints with
``unfold`` on a grid of cell numbers, a transposed convolution's stamp counts and zero-inserted
input with ``conv_transpose2d``, pooling windows with ``max_pool2d`` of one-hot inputs, receptive
fields with autograd. None of them asks convcore for the answer.
"""
from __future__ import annotations

import base64
import io

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from convcore.course import figures
from convcore.views import palette

FOOTPRINT = {"patch", "pad-patch", "ins-patch", "over-patch", "current"}


def states(panel) -> np.ndarray:
    return np.array([[s for _t, s in row] for row in panel["cells"]])


def cells_where(panel, wanted) -> set[tuple[int, int]]:
    return {tuple(map(int, rc)) for rc in np.argwhere(np.isin(states(panel), list(wanted)))}


def torch_window(n, k, out_pos, stride=1, padding=0, dilation=1) -> set[tuple[int, int]]:
    """The padded-grid cells the window of ``out_pos`` covers, by torch's unfold on a grid of cell
    numbers (the padding numbered too, so unfold needs no padding of its own)."""
    size = n + 2 * padding
    numbers = torch.arange(size * size, dtype=torch.float64).reshape(1, 1, size, size)
    cols = F.unfold(numbers, k, dilation=dilation, stride=stride)          # (1, k*k, outputs)
    out_w = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=stride, padding=padding,
                     dilation=dilation).shape[-1]
    column = cols[0, :, out_pos[0] * out_w + out_pos[1]].long().tolist()
    return {divmod(c, size) for c in column}


def torch_padding(n, padding) -> set[tuple[int, int]]:
    """Cells of the padded grid that F.pad fills (not the input)."""
    ones = F.pad(torch.ones(n, n), (padding,) * 4)
    return {tuple(map(int, rc)) for rc in torch.nonzero(ones == 0)}


def torch_out_shape(n, k, **kw) -> tuple[int, int]:
    return tuple(F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), **kw).shape[-2:])


def check_conv_column(column, n, k, current, **kw):
    inp, out = column
    padding = kw.get("padding", 0)
    assert states(inp).shape == (n + 2 * padding,) * 2
    assert cells_where(inp, FOOTPRINT) == torch_window(n, k, current, **kw)
    assert cells_where(inp, {"pad", "pad-patch"}) == torch_padding(n, padding)
    assert states(out).shape == torch_out_shape(n, k, **kw)
    assert cells_where(out, {"current"}) == {current}


def test_padding_figure_shades_the_window_torch_unfolds():
    fig = figures.padding(n=5, k=3, paddings=(0, 1, 2))
    for column, p in zip(fig.columns, (0, 1, 2)):
        check_conv_column(column, 5, 3, (0, 0), padding=p)
        assert "×".join(map(str, torch_out_shape(5, 3, padding=p))) in fig.caption


def test_stride_figure_shades_two_neighbouring_windows():
    fig = figures.stride(n=5, k=3, strides=(1, 2))
    for (inp, out), s in zip(fig.columns, (1, 2)):
        check_conv_column((inp, out), 5, 3, (0, 1), stride=s)
        before, now = torch_window(5, 3, (0, 0), stride=s), torch_window(5, 3, (0, 1), stride=s)
        assert cells_where(inp, {"kernel"}) == before - now
        r0, c0, nr, nc, cls = inp["boxes"][0]
        assert cls == "window" and {(r, c) for r in range(r0, r0 + nr) for c in range(c0, c0 + nc)} == before


def test_dilation_figure_shades_the_taps_and_outlines_their_span():
    fig = figures.dilation(n=7, k=3, dilations=(1, 2))
    for (inp, out), d in zip(fig.columns, (1, 2)):
        check_conv_column((inp, out), 7, 3, (0, 0), dilation=d)
        taps = torch_window(7, 3, (0, 0), dilation=d)
        if d > 1:
            r0, c0, nr, nc, _ = inp["boxes"][0]
            rows, cols = zip(*taps)
            assert (r0, c0, r0 + nr - 1, c0 + nc - 1) == (min(rows), min(cols), max(rows), max(cols))


def test_transposed_figure_counts_the_stamps_and_inserts_the_zeros_torch_needs():
    fig = figures.transposed("stamps_2d", output=(1, 1))
    *stamps, (derived, out) = fig.columns
    n_in, k, s = states(stamps[0][0]).shape[0], 3, 2     # the example: 2×2 input, 3×3 kernel, stride 2
    ones = torch.ones(1, 1, k, k)
    # Column j: input element j (row-major) lit; the canvas after its stamp counts the stamps of
    # elements 0..j on each cell, conv_transpose2d of ones with ones over those elements; its stamp's
    # cells, conv_transpose2d of element j alone, are outlined.
    assert len(stamps) == n_in * n_in
    for j, (inputs, canvas) in enumerate(stamps):
        so_far, alone = torch.zeros(1, 1, n_in * n_in), torch.zeros(1, 1, n_in * n_in)
        so_far[..., :j + 1], alone[..., j] = 1, 1
        counts = F.conv_transpose2d(so_far.reshape(1, 1, n_in, n_in), ones, stride=s)[0, 0]
        lit = F.conv_transpose2d(alone.reshape(1, 1, n_in, n_in), ones, stride=s)[0, 0]
        assert cells_where(inputs, {"patch"}) == {divmod(j, n_in)}
        drawn = [[int(t) if t else 0 for t, _s in row] for row in canvas["cells"]]
        assert drawn == counts.long().tolist()
        assert cells_where(canvas, {"patch", "active"}) == {tuple(map(int, rc)) for rc in torch.nonzero(lit)}
        assert cells_where(canvas, {"active"}) == {tuple(map(int, rc)) for rc in torch.nonzero((lit > 0) & (counts > 1))}
    # The drawn zero-inserted, padded input: put x's elements (row-major) where it shows input cells
    # and zeros elsewhere; torch's plain convolution with the flipped kernel must then give
    # conv_transpose2d's output.
    g = torch.Generator().manual_seed(0)
    x, w = torch.randn(n_in, n_in, generator=g, dtype=torch.float64), torch.randn(k, k, generator=g, dtype=torch.float64)
    grid = torch.zeros(states(derived).shape, dtype=torch.float64)
    holders = sorted(cells_where(derived, {"plain", "patch"}))
    assert len(holders) == x.numel()
    for (r, c), v in zip(holders, x.flatten()):
        grid[r, c] = v
    gathered = F.conv2d(grid[None, None], w.flip(0, 1)[None, None])[0, 0]
    expected = F.conv_transpose2d(x[None, None], w[None, None], stride=s)[0, 0]
    torch.testing.assert_close(gathered, expected)
    assert states(out).shape == tuple(expected.shape)
    # The shaded window is output (1, 1)'s window over that grid.
    assert cells_where(derived, FOOTPRINT) == torch_window(grid.shape[0], k, (1, 1))


@pytest.mark.parametrize("column", [0, 1])
def test_pooling_figure_draws_torchs_windows(column):
    n, k = 5, 2
    fig = figures.pooling_ceil_mode(n=n, kernel_size=k, stride=k)
    ceil = bool(column)
    inp, out = fig.columns[column]
    pooled_shape = F.max_pool2d(torch.zeros(1, 1, n, n), k, ceil_mode=ceil).shape[-2:]
    floor_shape = F.max_pool2d(torch.zeros(1, 1, n, n), k).shape[-2:]
    assert states(out).shape == tuple(pooled_shape)
    assert len(inp["boxes"]) == pooled_shape.numel()
    # Which outputs read each input cell: max_pool2d of a one-hot input.
    readers = {}
    for r in range(n):
        for c in range(n):
            onehot = torch.zeros(1, 1, n, n)
            onehot[0, 0, r, c] = 1
            hit = F.max_pool2d(onehot, k, ceil_mode=ceil)[0, 0].flatten()
            readers[(r, c)] = {int(i) for i in torch.nonzero(hit).flatten()}
    for j, (r0, c0, nr, nc, cls) in enumerate(inp["boxes"]):        # boxes in output order
        inside = {(r, c) for r in range(r0, r0 + nr) for c in range(c0, c0 + nc) if r < n and c < n}
        assert inside == {cell for cell, outs in readers.items() if j in outs}
    assert cells_where(inp, {"unread"}) == {cell for cell, outs in readers.items() if not outs}
    # The windows ceil_mode adds: the outputs beyond floor mode's, marked with the cells past the input.
    extra = {(r, c) for r in range(pooled_shape[0]) for c in range(pooled_shape[1])
             if r >= floor_shape[0] or c >= floor_shape[1]}
    assert cells_where(out, {"active"}) == extra
    grid = states(inp)
    assert set(grid[n:, :].flatten()) | set(grid[:, n:].flatten()) <= ({"over-patch"} if ceil else set())
    assert (f"{pooled_shape[0]}×{pooled_shape[1]}") in fig.caption


def test_receptive_figure_shades_what_autograd_reaches():
    n, dilations = 15, ((1, 1, 1), (1, 2, 4))
    fig = figures.receptive_growth(n=n, dilations=dilations)
    for column, ds in zip(fig.columns, dilations):
        x = torch.ones(1, 1, n, requires_grad=True)
        layers, h = [x], x
        for d in ds:
            h = F.conv1d(h, torch.ones(1, 1, 3), padding="same", dilation=d)
            h.retain_grad()
            layers.append(h)
        layers[-1][0, 0, n // 2].backward()
        drawn = [cells_where(panel, FOOTPRINT) for panel in reversed(column)]    # input first
        for layer, cells in zip(layers, drawn):
            reached = torch.nonzero(layer.grad[0, 0] != 0).flatten().tolist()
            assert cells == {(0, i) for i in reached}


@pytest.mark.parametrize("name", ["padding", "stride", "dilation", "transposed", "pooling_ceil_mode",
                                  "receptive_growth"])
def test_figure_is_an_opaque_light_card_with_alt_text(name):
    fig = getattr(figures, name)()
    bundle = fig._repr_mimebundle_()
    image = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    assert "transparency" not in image.info and image.mode in ("RGB", "P")
    rgb = np.asarray(image.convert("RGB")).reshape(-1, 3).astype(int)
    # The card is the views' light background at its corner (give or take the 256-colour
    # quantization), and far from blank: a tenth of it drawn, in more than 8 colours.
    assert np.abs(rgb[0] - palette.colour("bg")).max() <= 2
    assert (np.abs(rgb - rgb[0]).max(axis=1) > 8).mean() > 0.1
    assert len(np.unique(rgb, axis=0)) > 8
    assert bundle["text/plain"] == fig.caption
    assert f'alt="{fig.caption}"'.replace("'", "&#x27;") in bundle["text/html"]


@pytest.mark.parametrize("name", ["stamps_1d", "checkerboard"])
def test_transposed_figure_refuses_what_it_cannot_draw(name):
    with pytest.raises(ValueError, match="figures.transposed: `example` must be a 2-D transposed convolution"):
        figures.transposed(name)
