"""Large inputs (a 64×64 image and up): channels as colour images, the patch as outlined boxes.

Numbers stop fitting on a screen at about 16 cells across, so big inputs are
drawn as heatmaps on the diverging map centred on zero (``palette``). The
images are encoded once per trace and sample (PNG data URIs, Pillow) and sent
once with the view's data; each step only moves a few absolutely positioned
boxes (the taps under the kernel, the output cell being computed, the "not
yet computed" covers over the output). The numbers of the current patch, the
kernel, the products and the partial sums are still written out beside them.
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..trace import Trace
from . import frames, palette
from .frames import Arithmetic, Cell, Grid, key

IMAGE_PX = 150            # target on-screen size of one channel image (7 fit across 1366 px)
CHANNEL_PANELS = 4        # channels whose patch numbers are written out in full


def _yx(shape_or_coords):
    """1-D sizes/coordinates drawn as a single row: (n,) -> (1, n), (i,) -> (0, i)."""
    t = tuple(shape_or_coords)
    return t if len(t) == 2 else (0, t[0])


def _shape_yx(shape):
    t = tuple(shape)
    return t if len(t) == 2 else (1, t[0])


def cell_px(trace: Trace) -> float:
    """Screen pixels per input cell so that one channel image is IMAGE_PX on its longer side."""
    h, w = _shape_yx(a.padded_length for a in trace.problem.axes)
    return min(12.0, IMAGE_PX / max(h, w))


# ----------------------------------------------------------------------------
# Static images (once per trace and sample)
# ----------------------------------------------------------------------------
def png_data_uri(rgb: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb), "RGB").save(buf, format="PNG", optimize=False, compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def input_rgb(trace: Trace, sample: int) -> list[np.ndarray]:
    """Each padded input channel coloured on the diverging map; padding greyed out."""
    s = frames.static(trace)
    x = s.padded[sample]
    limit = float(np.abs(trace.problem.input[sample]).max()) or 1.0
    mask = s.pad_mask if s.pad_mask.ndim == 2 else s.pad_mask[None, :]
    grey = np.array(palette.hex_to_rgb(palette.PADDING["edge"]), float)
    images = []
    for ch in range(x.shape[0]):
        rgb = palette.diverging(x[ch].reshape(mask.shape), limit).astype(float)
        rgb[mask] = 0.45 * rgb[mask] + 0.55 * grey          # padding: visibly not the input
        images.append(rgb.round().astype(np.uint8))
    return images


def output_rgb(trace: Trace, sample: int) -> list[np.ndarray]:
    """The finished output channels (covered up cell by cell in the view until computed)."""
    out = frames.static(trace).output[sample]
    limit = float(np.abs(out).max()) or 1.0
    return [palette.diverging(o.reshape(_shape_yx(o.shape)), limit) for o in out]


# ----------------------------------------------------------------------------
# The frame model
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class TapBox:
    channel: int
    coords: tuple[int, ...]   # input coordinates (may be in the padding)
    state: str                # "patch" | "pad-patch"
    active: bool = False


@dataclass(frozen=True)
class HeatFrame:
    kind: str
    step: int
    header: str
    sample: int
    in_channels: tuple[tuple[int, bool], ...]   # (channel, read by this step)
    pads: tuple[int, int]                        # padding before, (rows, cols)
    in_shape: tuple[int, int]                    # padded (rows, cols)
    taps: tuple[TapBox, ...]
    out_shape: tuple[int, int]
    out_channel: int
    out_pos: tuple[int, ...]
    current: str                                 # text of the current output cell
    patches: tuple[Grid, ...]                    # the numbers under the kernel, per channel read
    kernels: tuple[Grid, ...]
    arithmetic: Arithmetic
    n_out_channels: int


def heat_frame(trace: Trace, k: int, buildup: int | None = None) -> HeatFrame:
    """Step ``k`` for the heatmap view: boxes to place and the numbers of the patch."""
    p = trace.problem
    s = frames.static(trace)
    step = trace[k]
    label = frames.out_label(step)
    arith = frames.arithmetic(trace, step, buildup, label)
    active = arith.active
    taps = []
    for ch in step.in_channels:
        for t in step.window:
            taps.append(TapBox(ch, t.coords, "pad-patch" if t.in_padding else "patch",
                               active == (ch, key(t.offset))))
    patches, kernels = [], []
    kshape = p.kernel_shape
    rows_of = frames._grid_rows(kshape)
    for i, ch in enumerate(step.in_channels[:CHANNEL_PANELS]):
        patch_rows = tuple(tuple(Cell(frames.fmt(step.patch[i][at]),
                                      "pad-patch" if step.padding_mask[at] else "patch", key(at),
                                      active == (ch, key(at))) for at in row) for row in rows_of)
        kernel_rows = tuple(tuple(Cell(frames.fmt(step.kernel[i][at]), "kernel", key(at),
                                       active == (ch, key(at))) for at in row) for row in rows_of)
        patches.append(Grid("patch-cell", f"patch of channel {ch}", ch, patch_rows))
        kernels.append(Grid("kernel-cell", f"kernel w{frames.index_label((step.out_channel, i))}", ch,
                            kernel_rows))
    return HeatFrame(
        kind="heatmap", step=k, header=frames.header(trace, step),
        sample=step.sample,
        in_channels=tuple((c, c in step.in_channels) for c in range(p.in_channels)),
        pads=_yx(s.pads), in_shape=_shape_yx(a.padded_length for a in p.axes), taps=tuple(taps),
        out_shape=_shape_yx(p.out_spatial), out_channel=step.out_channel, out_pos=step.out_pos,
        current=arith.accumulated, patches=tuple(patches), kernels=tuple(kernels), arithmetic=arith,
        n_out_channels=p.out_channels,
    )


def output_px(trace: Trace) -> float:
    """Screen pixels per output cell: outputs drawn at the inputs' size."""
    oh, ow = _shape_yx(trace.problem.out_spatial)
    return min(12.0, IMAGE_PX / max(oh, ow))
