"""Large inputs (a 64×64 image and up): channels as colour images, the patch as outlined boxes.

Numbers stop fitting on a screen at about 16 cells across, so big inputs are
drawn as heatmaps on the diverging map centred on zero (``palette``). The
images are encoded once per trace (PNG, Pillow) and sent once, as CSS
classes in the view's static style; each step only moves a few absolutely
positioned boxes (the taps under the kernel, the output cell being computed,
the "not yet computed" covers over the output), so an update stays a short
string however big the image is. The numbers of the current patch, the
kernel, the products and the partial sums are still written out beside them.
"""
from __future__ import annotations

import base64
import io
import itertools
from dataclasses import dataclass
from html import escape

import numpy as np
from PIL import Image

from ..trace import Trace
from . import frames, palette
from .frames import Arithmetic, Cell, Grid, key
from .html import channel_sum, grid, root, total

NUMBERS_FIT = 15          # padded cells across (2-D) up to which numbers are shown
NUMBERS_FIT_1D = 40       # the same for 1-D signals
IMAGE_PX = 150            # target on-screen size of one channel image (7 fit across 1366 px)
CHANNEL_PANELS = 4        # channels whose patch numbers are written out in full
_ids = itertools.count()


def numbers_fit(trace: Trace) -> bool:
    """Whether a numeric grid of this trace's input fits on a 1366×768 screen."""
    p = trace.problem
    widths = [a.padded_length for a in p.axes]
    return max(widths) <= (NUMBERS_FIT_1D if p.dims == 1 else NUMBERS_FIT)


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
    n_steps: int
    header: str
    out_label: str
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
        kind="heatmap", step=k, n_steps=len(trace), header=frames.header(trace, step), out_label=label,
        sample=step.sample,
        in_channels=tuple((c, c in step.in_channels) for c in range(p.in_channels)),
        pads=_yx(s.pads), in_shape=_shape_yx(a.padded_length for a in p.axes), taps=tuple(taps),
        out_shape=_shape_yx(p.out_spatial), out_channel=step.out_channel, out_pos=step.out_pos,
        current=arith.accumulated, patches=tuple(patches), kernels=tuple(kernels), arithmetic=arith,
        n_out_channels=p.out_channels,
    )


# ----------------------------------------------------------------------------
# HTML
# ----------------------------------------------------------------------------
def heat_style(trace: Trace, view_id: str, sample: int = 0) -> str:
    """The static part: one CSS class per channel image (sent once, not per step)."""
    rules = [f".convcore-view .cc-heat{{position:relative;background-size:100% 100%;"
             f"image-rendering:pixelated;border:1px solid #999;box-sizing:content-box;}}",
             ".convcore-view .cc-box{position:absolute;box-sizing:border-box;pointer-events:none;}",
             f".convcore-view .cc-tap{{outline:2px solid {palette.PATCH['edge']};"
             f"background:rgba(255,255,255,.25);}}",
             f".convcore-view .cc-tap.cc-active{{background:{palette.ACTIVE_TAP['fill']};}}",
             f".convcore-view .cc-window{{border:2px dashed {palette.PATCH['edge']};}}",
             f".convcore-view .cc-cover{{background:{palette.OUTPUT_TODO['fill']};"
             "background-image:repeating-linear-gradient(45deg,transparent 0 6px,rgba(0,0,0,.05) 6px 8px);}",
             f".convcore-view .cc-now{{outline:3px solid {palette.PATCH['edge']};font-size:0;}}",
             ".convcore-view .cc-heat.cc-unused{opacity:.35;}",
             ".convcore-view .cc-heat-numbers{margin-top:10px;display:flex;flex-direction:column;gap:8px;}",
             ".convcore-view .cc-heat-numbers .cc-eq{font-size:14px;max-width:400px;}",
             ".convcore-view .cc-heat-numbers .cc-cell{height:30px;font-size:14px;}",
             ".convcore-view .cc-heat-numbers .cc-grid{grid-auto-rows:30px;}"]
    for ch, rgb in enumerate(input_rgb(trace, sample)):
        rules.append(f".cc-{view_id}-in{ch}{{background-image:url({png_data_uri(rgb)});}}")
    for c, rgb in enumerate(output_rgb(trace, sample)):
        rules.append(f".cc-{view_id}-out{c}{{background-image:url({png_data_uri(rgb)});}}")
    return "<style>" + "".join(rules) + "</style>"


def _box(cls, top, left, height, width, attrs="", text=""):
    return (f'<div class="cc-box {cls}" style="top:{top:.1f}px;left:{left:.1f}px;height:{height:.1f}px;'
            f'width:{width:.1f}px"{attrs}>{text}</div>')


def render_heat(f: HeatFrame, view_id: str, px: int, out_px: int) -> str:
    a = f.arithmetic
    ph, pw = f.pads
    h, w = f.in_shape
    inputs = []
    taps_by_channel: dict[int, list[TapBox]] = {}
    for t in f.taps:
        taps_by_channel.setdefault(t.channel, []).append(t)
    for ch, used in f.in_channels:
        boxes = []
        mine = taps_by_channel.get(ch, [])
        if mine:
            ys = [_yx(t.coords)[0] + ph for t in mine]
            xs = [_yx(t.coords)[1] + pw for t in mine]
            top, left = min(ys) * px, min(xs) * px
            boxes.append(_box("cc-window", top - 3, left - 3, (max(ys) + 1) * px - top + 6,
                              (max(xs) + 1) * px - left + 6))
            for t, y, x in zip(mine, ys, xs):
                boxes.append(_box("cc-tap" + (" cc-active" if t.active else ""), y * px, x * px, px, px,
                                  f' data-role="in-cell" data-channel="{ch}" data-pos="{key(t.coords)}" '
                                  f'data-state="{t.state}"'))
        cls = f"cc-heat cc-{view_id}-in{ch}" + ("" if used else " cc-unused")
        title = f"input channel {ch}" + ("" if used else " (other group)")
        inputs.append(f'<div class="cc-block"><div class="cc-title">{title}</div>'
                      f'<div class="{cls}" style="width:{w * px:.1f}px;height:{h * px:.1f}px">{"".join(boxes)}</div></div>')
    oh, ow = f.out_shape
    i, j = _yx(f.out_pos)
    outputs = []
    for c in range(f.n_out_channels):
        covers = []
        if c > f.out_channel:
            covers.append(_box("cc-cover", 0, 0, oh * out_px, ow * out_px, ' data-covers="all"'))
        elif c == f.out_channel:
            if j + 1 < ow:   # the rest of the current row
                covers.append(_box("cc-cover", i * out_px, (j + 1) * out_px, out_px, (ow - j - 1) * out_px))
            if i + 1 < oh:   # every row below
                covers.append(_box("cc-cover", (i + 1) * out_px, 0, (oh - i - 1) * out_px, ow * out_px))
            covers.append(_box("cc-now", i * out_px, j * out_px, out_px, out_px,
                               f' data-role="out-cell" data-index="{key((c, *f.out_pos))}" data-state="current"',
                               f.current))
        outputs.append(f'<div class="cc-block"><div class="cc-title">output channel {c}</div>'
                       f'<div class="cc-heat cc-{view_id}-out{c}" data-channel="{c}" '
                       f'style="width:{ow * out_px:.1f}px;height:{oh * out_px:.1f}px">{"".join(covers)}</div></div>')
    panels = []
    by_channel = {s.channel: s for s in a.sums}
    for pg, kg in zip(f.patches, f.kernels):
        panels.append(f'<div class="cc-card"><div class="cc-pair">{grid(pg)}<div class="cc-op">⊙</div>'
                      f'{grid(kg)}</div>{channel_sum(by_channel[pg.channel])}</div>')
    rest = [s for s in a.sums if s.channel not in {g.channel for g in f.patches}]
    if rest:
        panels.append('<div class="cc-card cc-note">other channels: ' + ", ".join(
            f'{s.channel}: <span data-role="partial" data-channel="{s.channel}">{s.partial}</span>'
            for s in rest if s.partial is not None) + "</div>")
    body = (f'<div class="cc-header">{escape(f.header)}</div>'
            f'<div class="cc-main"><div class="cc-col"><div class="cc-title">input channels '
            f'(blue &lt; 0 &lt; vermillion, white = 0, grey rim = padding)</div>'
            f'<div class="cc-outputs">{"".join(inputs)}</div></div>'
            f'<div class="cc-col"><div class="cc-title">output tensor, filling in (hatched = not yet computed)</div>'
            f'<div class="cc-outputs">{"".join(outputs)}</div></div></div>'
            f'<div class="cc-heat-numbers"><div class="cc-cards">{"".join(panels)}</div>{total(a)}</div>')
    return root("heatmap", f.step, a.buildup, body)


def output_px(trace: Trace) -> float:
    """Screen pixels per output cell: outputs drawn at the inputs' size."""
    oh, ow = _shape_yx(trace.problem.out_spatial)
    return min(12.0, IMAGE_PX / max(oh, ow))


def new_view_id() -> str:
    return f"h{next(_ids)}"
