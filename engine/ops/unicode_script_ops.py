"""UnicodeScript (``tf.strings.unicode_script``): the ICU script code (UScriptCode) of each int32 code
point, -1 (USCRIPT_INVALID_CODE) for values that are not code points.  TF asks ICU; the codes here are
TF 2.21's own, tabulated as runs (unicode_script_table.py, written by scripts/unicode_script_table.py
from TF), so a lookup is one binary search per element.  Kernel, shape rule, registration and wrapper;
no gradient (TF registers none)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops, registry
from engine.ops.op_util import convert_input, infer_same, make_tensor
from engine.ops.unicode_script_table import RUNS

_STARTS = np.array([start for start, _ in RUNS], dtype=np.int64)
_CODES = np.array([code for _, code in RUNS], dtype=np.int32)
_LAST_CODE_POINT = 0x10FFFF
_INVALID = np.int32(-1)


def _script_codes(points):
    points = np.asarray(points, dtype=np.int32)
    codes = _CODES[np.searchsorted(_STARTS, points, side="right") - 1]
    return np.where((points < 0) | (points > _LAST_CODE_POINT), _INVALID, codes)  # int32 both sides


registry.register_op(
    "UnicodeScript", infer=infer_same, compile=lambda op, runtime: _script_codes, fresh=True,
    inputs=("input",),
)


def unicode_script(input, name=None):  # noqa: A002 - TF's argument name
    """``tf.strings.unicode_script``: the ICU script code of each code point (int32, same shape)."""
    with ops.name_scope(name, "UnicodeScript", [input]) as scope:
        x = convert_input("UnicodeScript", "input", input, dtypes.int32)
        return make_tensor("UnicodeScript", [x], name=scope)
