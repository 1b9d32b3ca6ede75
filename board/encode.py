"""Fast JSON and CSV encodings of scalar series (orjson over numpy columns).

TensorBoard's shape for one series is ``[[wall_time, step, value], ...]`` with integer steps and
non-finite values as the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``. Building a Python
list per point costs ~0.3 µs each; instead the three columns are serialized as one float64
matrix by orjson, and the ``.0`` that orjson writes after each (integer-valued) step is cut out.
"""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import orjson
from starlette.responses import Response

_NUMPY = orjson.OPT_SERIALIZE_NUMPY
_EXACT_INT = 2**50  # steps below this are exactly representable and printed as "N.0"
_COMMA, _POINT, _ZERO = ord(","), ord("."), ord("0")


def non_finite(value: float):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _column(values: np.ndarray) -> list:
    """Values as a list for JSON, non-finite ones as TensorBoard's strings."""
    return [non_finite(v) for v in values.tolist()]


def rows_json(steps: np.ndarray, wall_times: np.ndarray, values: np.ndarray) -> bytes:
    """``[[wall_time, step, value], ...]`` as JSON bytes."""
    if len(steps) == 0:
        return b"[]"
    as_float = values.astype(np.float64, copy=False)
    finite = bool(np.isfinite(as_float).all()) and bool(np.isfinite(wall_times).all())
    if finite and int(np.abs(steps).max()) < _EXACT_INT:
        matrix = np.column_stack([wall_times, steps.astype(np.float64), as_float])
        body = np.frombuffer(orjson.dumps(matrix, option=_NUMPY), dtype=np.uint8)
        # Each step is written "N.0," and no value is followed by a comma, so each ".0," ends a
        # step, or else a wall time that is a whole number: in those rows the step's comes second.
        point_zero = (body[:-2] == _POINT) & (body[1:-1] == _ZERO) & (body[2:] == _COMMA)
        whole = wall_times == np.floor(wall_times)
        if whole.any():
            ends = np.flatnonzero(point_zero)
            per_row = whole.astype(np.intp) + 1
            point_zero[:] = False
            if len(ends) == int(per_row.sum()):
                point_zero[ends[np.cumsum(per_row) - 1]] = True
        if np.count_nonzero(point_zero) == len(steps):
            drop = np.zeros(len(body), dtype=bool)
            drop[:-2] = point_zero
            drop[1:-1] |= point_zero
            return body[~drop].tobytes()
    rows = list(zip(_column(wall_times), steps.tolist(), _column(as_float), strict=True))
    return orjson.dumps(rows)


def rows_csv(steps: np.ndarray, wall_times: np.ndarray, values: np.ndarray) -> str:
    """TensorBoard's CSV: a ``Wall time,Step,Value`` header, then one line per point."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Wall time", "Step", "Value"])
    writer.writerows(zip(wall_times.tolist(), steps.tolist(),
                         values.astype(np.float64, copy=False).tolist(), strict=True))
    return out.getvalue()


def columns(steps: np.ndarray, wall_times: np.ndarray, values: np.ndarray) -> dict:
    """Columnar arrays ready for orjson (numpy where possible)."""
    as_float = values.astype(np.float64, copy=False)
    value_column = as_float if np.isfinite(as_float).all() else _column(as_float)
    return {"steps": steps, "wall_times": wall_times, "values": value_column}


def dumps(payload) -> bytes:
    """JSON bytes of `payload` (numpy arrays included). Strings holding lone surrogates (names
    with bytes that are not UTF-8, see board/names.py), which orjson refuses, are written with
    ``\\udcXX`` escapes, so the name comes back exactly."""
    try:
        return orjson.dumps(payload, option=_NUMPY)
    except orjson.JSONEncodeError as error:
        if "surrogates" not in str(error):
            raise
    escaped: list[bytes] = []
    body = orjson.dumps(_with_placeholders(payload, escaped), option=_NUMPY)
    for index, text in enumerate(escaped):
        body = body.replace(_placeholder(index), text, 1)
    return body


def _placeholder(index: int) -> bytes:
    return orjson.dumps(f"\0board-name-{index}\0")


def _with_placeholders(value, escaped: list[bytes]):
    """`value` with each string orjson cannot write replaced by a placeholder string; `escaped`
    gets each one's JSON, written by the json module (ASCII, lone surrogates as escapes)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            escaped.append(json.dumps(value).encode("ascii"))
            return f"\0board-name-{len(escaped) - 1}\0"
        return value
    if isinstance(value, dict):
        return {_with_placeholders(k, escaped): _with_placeholders(v, escaped) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_with_placeholders(v, escaped) for v in value]
    return value


class JSONResponse(Response):
    """FastAPI's default response class for routes returning dicts and lists: `dumps` (orjson,
    numpy, names of any bytes) instead of `json.dumps`, which fails on those names."""

    media_type = "application/json"

    def render(self, content) -> bytes:
        return dumps(content)
