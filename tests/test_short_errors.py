"""In a notebook, an error convcore catches shows its message and the learner's line, not the
library's frames; any other error keeps IPython's traceback. Run in a real kernel (nbclient)."""
import nbformat
from nbclient import NotebookClient

CELLS = [
    "import numpy as np\nfrom convcore.views import Stepper2D\nx = np.arange(25).reshape(5, 5)\nk = np.ones((3, 3))",
    "Stepper2D(x[None], k[None], stride=2, padding=1)",
    "from convcore import conv2d\nimage = np.ones((5, 5, 3))\nconv2d(image, np.ones((1, 3, 3, 3)))",
    "def mine():\n    raise ValueError('a mistake of my own')\nmine()",
]


def _run():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    return [next((o for o in c.outputs if o.output_type == "error"), None) for c in nb.cells]


def test_convcore_errors_are_short_and_carry_the_fix():
    ok, weight, channels_last, own = _run()
    assert ok is None
    assert weight.ename == "ValueError" and len(weight.traceback) <= 12
    assert weight.traceback[0].startswith("ValueError: trace2d: `weight` must be (C_out, C_in/groups, kH, kW)")
    assert "one filter over one channel is kernel[None]" in weight.traceback[0]
    assert weight.traceback[-1] == "  in your code, line 1: Stepper2D(x[None], k[None], stride=2, padding=1)"
    assert not any("site-packages" in line or "/convcore/" in line for line in weight.traceback)
    assert "np.moveaxis(x, -1, 0)" in channels_last.traceback[0] and len(channels_last.traceback) <= 12
    assert channels_last.traceback[-1] == "  in your code, line 3: conv2d(image, np.ones((1, 3, 3, 3)))"
    # an error of the learner's own keeps the whole traceback
    assert own.evalue == "a mistake of my own" and any("mine()" in line for line in own.traceback)
    assert not own.traceback[0].startswith("ValueError: a mistake")
