"""A view's data for the browser: the trace's numbers as JSON, every text written here.

The renderer (``static/view.js``) only selects and places what this module
ships; it does no arithmetic on the numbers and works out no index. A view's
data is one ``static`` part, sent once, and one record per step, sent in
blocks (``steps(trace, kind, first, stop)``).

``static`` (grids are 2-D; a 1-D signal is one row):
  kind, dims, n (steps), top (build-up position where the element is complete),
  unit ("term" | "channel"), shown[b][i] (products of channel i revealed at
  build-up b), active[b] ([i, t] of the product added last, or null),
  termIdx (which products a sum writes out; null stands for "…"), batch, cin,
  cout, inShape and outShape (padded input and output grids), anyUnread; number
  views: inKeys[r][c] ("i,j" input coordinates of each padded cell), pad[r][c],
  unread[r][c] (1: an input position no window reads), inp[s][ch][r][c] (texts;
  heatmap: images inImg[s][ch]), outKeys[c][i][j], outText[s][c][i][j],
  stepOf[s][c][i][j] (the step that computes each output cell), tapKeys
  (kernel offsets, row-major), tapGrid (tap numbers laid out like the kernel),
  ktext[o][i][t], ktitle[o][i], inTitle, outTitle; pointwise W, Wkeys, Wstate,
  bias; heatmap outImg, px, opx.
A step record: h (header), o ([sample, out channel, *position]), k (the output
cell's "c,i,j"), l ("out[0, 0, 0]"), ci (input channels read), t (taps:
[row, col in the padded grid, in padding 0/1, "i,j"]), x (product texts
"a·b" per channel), p (product values), q (each channel's partial sum after
each product), a (the output element at each build-up position: "?", the
running totals, the value), r (the total's right side when complete, "" for a
single channel without bias), v (value), say (the sentence read aloud);
heatmap: pt (patch texts per channel panel).
"""
from __future__ import annotations

import numpy as np

from ..trace import Trace
from . import frames, heatmap
from .frames import factor, fmt, key

BLOCK_BYTES = 256_000     # about this much JSON per block of steps


def _texts(array) -> list:
    return np.vectorize(fmt, otypes=[object])(np.asarray(array)).tolist()


def static(trace: Trace, kind: str, example: str | None = None) -> dict:
    """Everything about a view that does not change from step to step."""
    p = trace.problem
    s = frames.static(trace)
    two = p.dims == 2
    grid = lambda a: a if two else a[..., None, :]      # noqa: E731  (1-D: one row)
    top = frames.buildup_max(trace)
    shown = [frames.revealed(trace, b) for b in range(top + 1)]
    active = [None] * (top + 1)
    if frames.buildup_unit(trace) == "term":
        for b in range(1, top):
            i = max(i for i, m in enumerate(shown[b]) if m)
            active[b] = [i, shown[b][i] - 1]
    taps = list(np.ndindex(*p.kernel_shape))
    per_group = s.channels_per_group
    padded_coords = np.stack(np.meshgrid(*[np.arange(-a.pad_before, a.n + a.pad_after) for a in p.axes],
                                         indexing="ij"), -1)
    unread_padded = np.zeros(s.pad_mask.shape, bool)
    unread_padded[tuple(slice(a.pad_before, a.pad_before + a.n) for a in p.axes)] = s.unread
    out_index = np.stack(np.meshgrid(*[np.arange(n) for n in p.out_spatial], indexing="ij"), -1)
    data = {
        "kind": kind, "dims": p.dims, "n": len(trace), "top": top, "unit": frames.buildup_unit(trace),
        "shown": shown, "active": active, "example": example,
        "termIdx": frames.elide(list(range(s.taps))),
        "batch": p.batch, "cin": p.in_channels, "cout": p.out_channels,
        "inShape": list(s.pad_mask.shape) if two else [1, s.pad_mask.shape[0]],
        "outShape": list(p.out_spatial) if two else [1, p.out_spatial[0]],
        "anyUnread": bool(s.unread.any()),
        "stepOf": grid(trace.step_numbers).tolist(),
        "tapKeys": [key(t) for t in taps],
        "tapGrid": grid(np.arange(len(taps)).reshape(p.kernel_shape)).tolist(),   # kernel-shaped tap numbers
        "ktext": [[[fmt(p.weight[(o, i, *t)]) for t in taps] for i in range(per_group)]
                  for o in range(p.out_channels)],
        "ktitle": [[f"kernel w{frames.index_label((o, i))}" for i in range(per_group)]
                   for o in range(p.out_channels)],
        "inTitle": [f"input channel {c}" for c in range(p.in_channels)],
        "outTitle": [f"output channel {c}" for c in range(p.out_channels)],
    }
    group = [p.group_channels(p.group_of(o)) for o in range(p.out_channels)]
    if kind == "heatmap":
        data["inImg"] = [[heatmap.png_data_uri(rgb) for rgb in heatmap.input_rgb(trace, n)] for n in range(p.batch)]
        data["outImg"] = [[heatmap.png_data_uri(rgb) for rgb in heatmap.output_rgb(trace, n)] for n in range(p.batch)]
        data["px"], data["opx"] = heatmap.cell_px(trace), heatmap.output_px(trace)
        data["panels"] = heatmap.CHANNEL_PANELS
    else:
        data.update({
            "inKeys": grid(np.apply_along_axis(key, -1, padded_coords).astype(object)).tolist(),
            "pad": grid(s.pad_mask.astype(int)).tolist(),
            "unread": grid(unread_padded.astype(int)).tolist(),
            "outKeys": [grid(np.apply_along_axis(lambda at: key((c, *at)), -1, out_index).astype(object)).tolist()
                        for c in range(p.out_channels)],
        })
        data["inp"] = grid(np.asarray(_texts(s.padded), dtype=object)).tolist()
        data["outText"] = grid(np.asarray(_texts(s.output), dtype=object)).tolist()
    if kind == "pointwise":
        w = p.weight.reshape(p.out_channels, -1)
        data["W"] = [[fmt(w[o, group[o].index(c)]) if c in group[o] else "0"
                      for c in range(p.in_channels)] for o in range(p.out_channels)]
        data["Wkeys"] = [[key((o, c)) for c in range(p.in_channels)] for o in range(p.out_channels)]
        data["Wstate"] = [["kernel" if c in group[o] else "other-group" for c in range(p.in_channels)]
                          for o in range(p.out_channels)]
        data["bias"] = None if p.bias is None else _texts(p.bias)
    return data


def record(trace: Trace, k: int, kind: str) -> dict:
    """Step ``k`` as the renderer needs it (see the module docstring)."""
    p = trace.problem
    st = frames.static(trace)
    step = trace[k]
    n_ch = len(step.in_channels)
    products = step.products.reshape(n_ch, -1)
    patch, kernel = step.patch.reshape(n_ch, -1), step.kernel.reshape(n_ch, -1)
    top = frames.buildup_max(trace)
    q = [[fmt(frames.partial_so_far(step, i, m)) for m in range(1, st.taps + 1)] for i in range(n_ch)]
    a = []
    for b in range(top + 1):
        shown = frames.revealed(trace, b)
        running = [frames.partial_so_far(step, i, m) for i, m in enumerate(shown) if m]
        a.append(fmt(step.value) if b >= top else fmt(frames.running_total(running)) if running
                 else frames.UNKNOWN_TEXT)
    parts = [factor(v) for v in step.partial_sums]
    has_bias = p.bias is not None
    rhs = " + ".join(parts) + (f" + {factor(step.bias)} (bias)" if has_bias else "")
    if n_ch == 1 and not has_bias:
        rhs = ""
    rows = [(c[0] + st.pads[0], c[1] + st.pads[1]) if p.dims == 2 else (0, c[0] + st.pads[0])
            for c in (t.coords for t in step.window)]
    rec = {
        "h": (frames.pointwise_header if kind == "pointwise" else frames.header)(trace, step), "o": [step.sample, step.out_channel, *step.out_pos],
        "k": key((step.out_channel, *step.out_pos)), "l": frames.out_label(step),
        "ci": list(step.in_channels),
        "t": [[r, c, int(t.in_padding), key(t.coords)] for (r, c), t in zip(rows, step.window)],
        "x": [[f"{factor(patch[i, t])}·{factor(kernel[i, t])}" for t in range(st.taps)] for i in range(n_ch)],
        "p": [[fmt(v) for v in products[i]] for i in range(n_ch)],
        "q": q, "a": a, "r": rhs, "v": fmt(step.value),
        "say": f"{frames.where(trace, step)}: {rhs + ' = ' if rhs else ''}{fmt(step.value)}",
    }
    if kind == "heatmap":
        rec["pt"] = [[fmt(v) for v in patch[i]] for i in range(min(n_ch, heatmap.CHANNEL_PANELS))]
    return rec


def block_size(trace: Trace, kind: str) -> int:
    """Steps per block: about BLOCK_BYTES of JSON each (a record's size grows with the taps)."""
    import json
    sample = len(json.dumps(record(trace, 0, kind)))
    return max(16, min(len(trace), BLOCK_BYTES // max(sample, 1)))


def steps(trace: Trace, kind: str, first: int, stop: int) -> list[dict]:
    return [record(trace, k, kind) for k in range(first, min(stop, len(trace)))]
