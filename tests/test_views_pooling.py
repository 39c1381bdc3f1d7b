"""PoolView headless: what every step shows (``view.screen(k)``, the one step record resolved)
against PyTorch's pooling and the window rule worked out here from the arguments, not from the
trace the view is built from: the window and its states, max's winner, avg's counted taps and
divisor, the value, the output cells done / current / todo, the positions' table, ``reads``."""
from __future__ import annotations

from itertools import product

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convcore import pooling
from convcore.views import PoolView
from convcore.views.numfmt import fmt

GRID = [[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 2, 7, 8]]
CASES = [
    (GRID, "max", dict(kernel_size=2)),
    ([1, 3, 2, 2, 5], "avg", dict(kernel_size=2, ceil_mode=True)),
    ([1, 3, 2, 2, 5], "max", dict(kernel_size=2, stride=2, padding=1, ceil_mode=True)),
    ([1, 3, 2, 2, 5], "avg", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    (np.arange(2 * 5 * 5).reshape(2, 5, 5) % 7, "max", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    (np.arange(25.0).reshape(5, 5), "avg", dict(kernel_size=2, stride=2, padding=1, ceil_mode=True)),
    ([4, 1, 6, 2, 7, 3, 5], "max", dict(kernel_size=2, dilation=2, stride=2)),
    (np.arange(4.0), "max", dict(kernel_size=2, stride=1, padding=1, dilation=5)),     # no tap in the input
    (np.arange(2 * 2 * 4 * 4).reshape(2, 2, 4, 4) % 5 - 2.5, "avg",
     dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    (np.array([[3, 1, 4, 1, 5, 9], [2, 6, 5, 3, 5, 8]]), "max", dict(kernel_size=3, stride=2, padding=1, dims=1)),
    ([[-np.inf, 2.0], [1.0, -np.inf]], "max", dict(kernel_size=2, padding=1)),
]
IDS = [f"{i}-{kind}" for i, (_, kind, _) in enumerate(CASES)]
NEG_INF = "−∞"


class Case:
    """One pooling worked out from its arguments, with PyTorch's answer."""

    def __init__(self, x, kind, kw):
        kw = dict(kw)
        x = np.asarray(x)
        dims = kw.pop("dims", None) or (1 if x.ndim == 1 else 2)
        self.kind, self.dims, self.kw = kind, dims, kw
        self.layout = {dims: "plain", dims + 1: "unbatched", dims + 2: "batched"}[x.ndim]
        self.x = x.reshape((1,) * (dims + 2 - x.ndim) + x.shape).astype(np.float64)
        N, C, *spatial = self.x.shape
        self.N, self.C, self.spatial = N, C, tuple(spatial)
        per = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v,) * dims   # noqa: E731
        self.k = per(kw["kernel_size"])
        self.s = per(kw.get("stride") or kw["kernel_size"])
        self.p = per(kw.get("padding", 0))
        self.d = per(kw.get("dilation", 1))
        fn = getattr(F, f"{kind}_pool{dims}d")
        t = torch.from_numpy(self.x)
        if kind == "max":
            values, indices = fn(t, kw["kernel_size"], kw.get("stride"), kw.get("padding", 0), kw.get("dilation", 1),
                                 kw.get("ceil_mode", False), return_indices=True)
            self.indices = indices.numpy()
        else:
            values = fn(t, kw["kernel_size"], kw.get("stride"), kw.get("padding", 0), kw.get("ceil_mode", False),
                        kw.get("count_include_pad", True))
        self.values = values.numpy()
        self.out = self.values.shape[2:]
        self.n = self.values.size

    def locate(self, k):
        s, c, *pos = np.unravel_index(k, self.values.shape)
        return int(s), int(c), tuple(int(i) for i in pos)

    def window(self, pos):
        """Input coordinates under the taps of output ``pos``, row-major."""
        per_axis = [[o * s - p + t * d for t in range(k)] for o, k, s, p, d in zip(pos, self.k, self.s, self.p, self.d)]
        return list(product(*per_axis))

    def inside(self, c):
        return all(0 <= i < n for i, n in zip(c, self.spatial))

    def base(self, c):
        if any(i >= n + p for i, n, p in zip(c, self.spatial, self.p)):
            return "over"
        return "plain" if self.inside(c) else "pad"

    def counted(self, c):
        if self.kw.get("count_include_pad", True):
            return all(-p <= i < n + p for i, n, p in zip(c, self.spatial, self.p))
        return self.inside(c)

    def text(self, s, ch, c):
        state = self.base(c)
        if state == "plain":
            v = self.x[(s, ch, *c)]
            return NEG_INF if v == -np.inf else fmt(v)
        return "" if state == "over" else NEG_INF if self.kind == "max" else "0"

    def out_key(self, s, c, pos):
        prefix = {"plain": (), "unbatched": (c,), "batched": (s, c)}[self.layout]
        return ",".join(map(str, (*prefix, *pos)))

    def shown(self, v):
        return NEG_INF if v == -np.inf else fmt(v)


def ints(key):
    return tuple(int(v) for v in key.split(","))


def panel_ids(case, s, c):
    suffix = f"-{s}-{c}" if case.N * case.C > 1 else ""
    return "in" + suffix, "out" + suffix


@pytest.mark.parametrize("x, kind, kw", CASES, ids=IDS)
def test_every_step_shows_the_window_winner_value_and_output(x, kind, kw):
    case = Case(x, kind, kw)
    view = PoolView(x, kind, **kw)
    rd = view.current
    assert view.n == rd["n"] == case.n
    for k in range(case.n):
        s, ch, pos = case.locate(k)
        sc = view.screen(k)
        in_id, out_id = panel_ids(case, s, ch)
        P = rd["panels"][in_id]
        window = case.window(pos)
        lit = {}
        for r, row in enumerate(sc["panels"][in_id]["cells"]):
            for col, (text, state) in enumerate(row):
                c = ints(P["keys"][r][col])
                want = case.text(s, ch, c)
                if c in window:
                    if case.kind == "avg" and case.counted(c):
                        want += " ✓"
                    lit[c] = state
                else:
                    assert state == case.base(c), (k, c)
                assert text == want, (k, c)
        assert set(lit) == set(window), k          # every tap has a cell on screen, lit
        taps_in = [c for c in window if case.inside(c)]
        winner = None
        if kind == "max" and taps_in:
            winner = tuple(int(i) for i in np.unravel_index(case.indices[(s, ch, *pos)], case.spatial))
            assert winner in taps_in
        for c, state in lit.items():
            want = ("win" if c == winner else "patch" if case.inside(c)
                    else "over-patch" if case.base(c) == "over" else "pad-patch")
            assert state == want, (k, c)
        value = case.values[(s, ch, *pos)]
        lines = dict(sc["lines"])
        assert lines["value"] == f"value: {case.shown(value)}"
        label = f"out[{case.out_key(s, ch, pos).replace(',', ', ')}]"
        assert sc["header"] == f"step {k} of steps 0–{case.n - 1}: " + (
            ", ".join(([f"sample {s}"] if case.N > 1 else []) + ([f"channel {ch}"] if case.C > 1 else [])) +
            (", " if case.N * case.C > 1 else "")) + label
        assert lines["eq"].startswith(label + " = ")
        if kind == "max":
            if taps_in:
                assert f"flat index {case.indices[(s, ch, *pos)]} " in lines["eq"]
            else:
                assert value == -np.inf and "no tap inside the input" in lines["eq"]
        else:
            divisor = sum(case.counted(c) for c in window)
            total = sum(case.x[(s, ch, *c)] for c in taps_in)
            assert f"/ {divisor} = {fmt(total)} / {divisor} = {fmt(value)}" in lines["eq"]
        # the output: this plane's cells done, current, todo; other planes all done or all todo
        for s2, ch2 in product(range(case.N), range(case.C)):
            oid = panel_ids(case, s2, ch2)[1]
            O = rd["panels"][oid]
            for r, row in enumerate(sc["panels"][oid]["cells"]):
                for col, (text, state) in enumerate(row):
                    p2 = ints(O["keys"][r][col])[-case.dims:]
                    assert O["keys"][r][col] == case.out_key(s2, ch2, p2)
                    at = int(np.ravel_multi_index((s2, ch2, *p2), case.values.shape))
                    want = "done" if at < k else "current" if at == k else "todo"
                    assert (text, state) == ((case.shown(case.values[(s2, ch2, *p2)]) if at <= k else ""), want)
            small = case.N * case.C > 1 and (s2, ch2) != (s, ch)
            assert sc["panels"][oid]["small"] == sc["panels"][panel_ids(case, s2, ch2)[0]]["small"] == small


@pytest.mark.parametrize("x, kind, kw", CASES, ids=IDS)
def test_the_positions_name_each_step(x, kind, kw):
    case = Case(x, kind, kw)
    rd = PoolView(x, kind, **kw).current
    kept = [d for d, m in enumerate((case.N, case.C)) if m > 1] + [2 + d for d in range(case.dims)]
    roles = {0: "sample", 1: "channel", 2: "row" if case.dims == 2 else "column", 3: "column"}
    assert [(p[0], p[2]) for p in rd["positions"]] == [(roles[d], case.values.shape[d] - 1) for d in kept]
    for k in range(case.n):
        s, c, pos = case.locate(k)
        want = [(s, c, *pos)[d] for d in kept]
        assert rd["steps"][k]["pos"] == want
        t = rd["table"]
        for v in want:
            t = t[v]
        assert t == k


@pytest.mark.parametrize("x, kind, kw", CASES, ids=IDS)
def test_reads_are_the_windows_over_each_input_cell(x, kind, kw):
    case = Case(x, kind, kw)
    rd = PoolView(x, kind, **kw).current
    outs = list(product(*(range(o) for o in case.out)))
    for s, ch in product(range(case.N), range(case.C)):
        in_id, out_id = panel_ids(case, s, ch)
        P, O = rd["panels"][in_id], rd["panels"][out_id]
        for r, row in enumerate(P["reads"]):
            for col, (sentence, cells) in enumerate(row):
                c = ints(P["keys"][r][col])
                want = [o for o in outs if c in case.window(o)]
                assert all(pid == out_id for pid, _, _ in cells)
                got = [ints(O["keys"][i][j])[-case.dims:] for _, i, j in cells]
                assert got == want, (in_id, c)
                labels = [f"out[{case.out_key(s, ch, o).replace(',', ', ')}]" for o in want]
                assert all(lab in sentence for lab in labels) and sentence.startswith("No window") == (not want)


@pytest.mark.parametrize("x, kind, kw", CASES, ids=IDS)
def test_the_legend_names_every_state_on_screen_and_no_other(x, kind, kw):
    view = PoolView(x, kind, **kw)
    shown = {state for k in range(view.n) for P in view.screen(k)["panels"].values()
             for row in P["cells"] for _, state in row}
    legend = [st for st, _ in view.current["legend"]]
    assert len(legend) == len(set(legend)) and set(legend) == shown
    fill = dict(view.current["legend"]).get("pad")
    assert fill is None or fill.endswith("(reads −∞)" if kind == "max" else "(reads 0)")


def test_ceil_mode_extra_and_dropped_windows_are_labelled():
    extra = PoolView([1, 3, 2, 2, 5], "avg", kernel_size=2, ceil_mode=True)
    lines = [dict(extra.screen(k)["lines"]) for k in range(3)]
    assert ["extra" in x for x in lines] == [False, False, True]
    assert "hangs 1 past the padded input" in lines[2]["extra"] and "= 5 / 1 = 5" in lines[2]["eq"]
    assert [c for c in extra.screen(2)["panels"]["in"]["cells"][0]] == [
        ("1", "plain"), ("3", "plain"), ("2", "plain"), ("2", "plain"), ("5 ✓", "patch"), ("", "over-patch")]
    notes = dict(extra.current["notes"])
    assert notes["ceil"] == ("ceil_mode rounds the output size up: one window added (it hangs past the padded "
                             "input)") and notes["formula"] == extra.trace.problem.explain()

    dropped = PoolView([1, 3, 2, 2, 5], "max", kernel_size=2, stride=2, padding=1, ceil_mode=True)
    assert dropped.trace.problem.ceil_effect()[0].dropped_start == 5 and dropped.n == 3
    P = dropped.current["panels"]["in"]
    assert P["keys"] == [["-1", "0", "1", "2", "3", "4", "5", "6"]]
    assert P["cl"] == ["-1 pad", "0", "1", "2", "3", "4", "5 pad · dropped", "6 overhang · dropped"]
    notes = dropped.current["notes"]
    assert [t for role, t in notes if role == "dropped"] == [
        "dropped: a window starting at 5 would start in the right padding (past the input's last position 4), "
        "so ceil_mode leaves it out (its positions are labelled \"dropped\")"]
    assert all("extra" not in dict(dropped.screen(k)["lines"]) for k in range(3))
    corner = PoolView(np.arange(9.0).reshape(3, 3), "avg", kernel_size=2, ceil_mode=True)
    assert [dict(corner.screen(k)["lines"]).get("extra") for k in range(4)] == [
        None, "ceil_mode's extra window: it hangs 1 past the padded input along columns; there it reads nothing",
        "ceil_mode's extra window: it hangs 1 past the padded input along rows; there it reads nothing",
        "ceil_mode's extra window: it hangs 1 past the padded input along rows and 1 past the padded input "
        "along columns; there it reads nothing"]

    two = PoolView(np.arange(25.0).reshape(5, 5), "max", kernel_size=2, stride=2, padding=1, ceil_mode=True)
    P = two.current["panels"]["in"]
    assert P["rl"] == P["cl"] == ["-1 pad", "0", "1", "2", "3", "4", "5 pad · dropped", "6 overhang · dropped"]
    assert [t.split(":")[0] for role, t in two.current["notes"] if role == "dropped"] == [
        "dropped along rows", "dropped along columns"]


def test_a_tie_says_the_first_wins():
    view = PoolView(GRID, "max", kernel_size=2)
    assert ["a tie" in dict(view.screen(k)["lines"])["eq"] for k in range(4)] == [False, True, False, False]
    cells = view.screen(1)["panels"]["in"]["cells"]
    assert cells[0][3] == ("1", "win") and cells[1][3] == ("0", "patch") and cells[0][2] == ("0", "patch")


def test_avg_marks_the_taps_its_divisor_counts():
    include = PoolView([1, 3, 2, 2, 5], "avg", kernel_size=3, stride=2, padding=1)
    exclude = PoolView([1, 3, 2, 2, 5], "avg", kernel_size=3, stride=2, padding=1, count_include_pad=False)
    first = [("1 ✓", "patch"), ("3 ✓", "patch")]
    assert include.screen(0)["panels"]["in"]["cells"][0][:3] == [("0 ✓", "pad-patch")] + first
    assert exclude.screen(0)["panels"]["in"]["cells"][0][:3] == [("0", "pad-patch")] + first
    assert dict(include.screen(0)["lines"])["value"] == "value: 1.333"
    assert dict(exclude.screen(0)["lines"])["value"] == "value: 2"
    assert pooling.avg_pool1d([1, 3, 2, 2, 5], 3, 2, 1, count_include_pad=False)[0] == 2


def test_update_step_and_checks():
    view = PoolView(GRID, "max", kernel_size=2)
    view.update(3)
    assert view.step == 3 and view.screen()["panels"]["out"]["cells"] == [[("4", "done"), ("1", "done")],
                                                                        [("2", "done"), ("8", "current")]]
    with pytest.raises(IndexError):
        view.step = 4
    trace = pooling.trace_avg_pool1d([1, 2, 3, 4], 2)
    assert PoolView(trace).trace is trace and PoolView(trace).data["kind"] == "pool"
    with pytest.raises(ValueError, match="kind must be 'max' or 'avg'"):
        PoolView(GRID, "min", kernel_size=2)
    with pytest.raises(ValueError, match="padding. must be at most half the kernel"):
        PoolView(GRID, "max", kernel_size=2, padding=2)


@pytest.mark.parametrize("x, kind, kw", CASES[:5], ids=IDS[:5])
def test_the_picture_writer_draws_every_step(x, kind, kw):
    from convcore.views.picture import picture
    view = PoolView(x, kind, **kw)
    assert all(min(picture(view, k).size) > 100 for k in range(view.n))
