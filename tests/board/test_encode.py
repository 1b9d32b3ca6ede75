"""TensorBoard's row JSON, written fast, is exactly what the plain per-point encoding writes."""

from __future__ import annotations

import math

import numpy as np
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from board import encode


def _plain(steps, wall_times, values) -> bytes:
    """One Python list per point, non-finite values as TensorBoard's strings."""
    def number(x):
        if math.isnan(x):
            return "NaN"
        return ("Infinity" if x > 0 else "-Infinity") if math.isinf(x) else x

    return orjson.dumps([[number(w), s, number(v)] for s, w, v in
                         zip(steps.tolist(), wall_times.tolist(), values.astype(np.float64).tolist(),
                             strict=True)])


WALLS = st.one_of(st.floats(0, 2e9), st.integers(0, 2 * 10**9).map(float),  # whole seconds too
                  st.floats(allow_nan=True, allow_infinity=True))
STEPS = st.one_of(st.integers(-1000, 10**6), st.integers(-(2**63), 2**63 - 1))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(STEPS, WALLS, st.floats(width=32)), min_size=1, max_size=30), st.booleans())
def test_rows_json_is_the_plain_encoding(points, single):
    steps = np.array([p[0] for p in points], dtype=np.int64)
    wall_times = np.array([p[1] for p in points], dtype=np.float64)
    values = np.array([p[2] for p in points], dtype=np.float32 if single else np.float64)
    assert encode.rows_json(steps, wall_times, values) == _plain(steps, wall_times, values)


def test_whole_second_wall_times_keep_their_decimal(monkeypatch):
    # a whole wall time is written "N.0," like a step: only the step's ".0" may be cut
    monkeypatch.setattr(encode, "_column", None)  # the per-point fallback must not be needed
    steps = np.arange(1000)
    wall_times = 1_700_000_000.0 + steps * 0.25
    body = encode.rows_json(steps, wall_times, np.full(1000, 0.5, dtype=np.float32))
    assert body.startswith(b"[[1700000000.0,0,0.5],[1700000000.25,1,0.5],")
    assert orjson.loads(body)[4] == [1_700_000_001.0, 4, 0.5]
