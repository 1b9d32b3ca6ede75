"""The chart route thins long series without losing extremes, and is exact when zoomed in."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from board.data.downsample import downsample
from board.data.provider import ScalarSeries
from tests.board.conftest import event_file, file_version_event, scalar_event, write_events


def _series(values, steps=None):
    values = np.asarray(values, dtype=np.float32)
    steps = np.arange(len(values), dtype=np.int64) if steps is None else np.asarray(steps, dtype=np.int64)
    return ScalarSeries("r", "t", steps, 1e9 + steps.astype(np.float64), values, 0)


def test_spikes_survive_thinning():
    values = np.zeros(100_000)
    values[[123, 45_678, 99_000]] = [5.0, -7.0, 3.0]
    view = downsample(_series(values), 200)
    assert view.downsampled and len(view.steps) <= 200 and view.total == 100_000
    assert {123, 45_678, 99_000} <= set(view.steps.tolist())
    assert view.values.max() == 5.0 and view.values.min() == -7.0
    assert view.steps[0] == 0 and view.steps[-1] == 99_999


def test_zoomed_window_is_full_resolution_with_edge_neighbours():
    view = downsample(_series(np.arange(10_000) * 0.5), 1000, xmin=100, xmax=199)
    assert not view.downsampled
    assert view.steps.tolist() == list(range(99, 201))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, width=32), min_size=1, max_size=3000), st.integers(4, 400))
def test_each_bucket_keeps_its_extremes(values, points):
    series = _series(values)
    view = downsample(series, points)
    assert len(view.steps) <= max(points, 4)
    assert np.all(np.diff(view.steps) > 0)
    assert view.values.max() == series.values.max() and view.values.min() == series.values.min()


def test_series_route_columns(tmp_path, make_client):
    write_events(event_file(tmp_path / "r"), [file_version_event()]
                 + [scalar_event("loss", s, float(s % 7)) for s in range(5000)])
    client = make_client(tmp_path)
    full = client.get("/data/scalars/series", params={"run": "r", "tag": "loss", "points": 10_000}).json()
    assert full["downsampled"] is False and full["total"] == 5000
    assert full["steps"] == list(range(5000)) and full["values"][:8] == [0, 1, 2, 3, 4, 5, 6, 0]
    thin = client.get("/data/scalars/series", params={"run": "r", "tag": "loss", "points": 100}).json()
    assert thin["downsampled"] is True and len(thin["steps"]) <= 100
    assert set(thin) == {"run", "tag", "x", "total", "downsampled", "steps", "wall_times", "values"}
    window = {"run": "r", "tag": "loss", "x": "wall_time", "xmin": 1_700_000_010, "xmax": 1_700_000_020}
    by_time = client.get("/data/scalars/series", params=window).json()
    assert by_time["steps"] == list(range(9, 22))
    multi = client.get("/data/scalars/series_multi", params={"tag": "loss", "run": ["r", "nope"]}).json()
    assert [s["run"] for s in multi["series"]] == ["r"] and multi["missing"] == ["nope"]


def test_non_finite_values_are_strings(tmp_path, make_client):
    values = [float("nan"), float("inf"), float("-inf"), 1.0]
    write_events(event_file(tmp_path / "r"),
                 [file_version_event()] + [scalar_event("x", s, v) for s, v in enumerate(values)])
    client = make_client(tmp_path)
    rows = client.get("/data/plugin/scalars/scalars?run=r&tag=x").json()
    assert [r[2] for r in rows] == ["NaN", "Infinity", "-Infinity", 1.0]
    columns = client.get("/data/scalars/series?run=r&tag=x").json()
    assert columns["values"] == ["NaN", "Infinity", "-Infinity", 1.0]


def test_constant_series_stays_within_the_point_budget():
    view = downsample(_series(np.ones(50_000)), 100)
    assert view.downsampled and 2 <= len(view.steps) <= 100
    view = downsample(_series(np.r_[np.full(25_000, np.nan), np.arange(25_000.0)]), 100)
    assert len(view.steps) <= 100 and np.nanmax(view.values) == 24_999.0


def _reference_smoothing(values, weight):
    """TensorBoard's EMA, one point at a time."""
    out, last, count = [], 0.0, 0
    constant = all(v == values[0] for v in values)
    for v in values:
        if constant or not np.isfinite(v):
            out.append(v)
            continue
        last = last * weight + (1 - weight) * v
        count += 1
        out.append(last / (1 - weight**count))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(-1e3, 1e3), st.just(float("nan"))), min_size=1, max_size=600),
       st.sampled_from([0.0, 0.01, 0.3, 0.6, 0.9, 0.99, 0.999]))
def test_smoothing_matches_tensorboards_ema(values, weight):
    from board.data.downsample import smooth

    got = smooth(np.array(values), weight)
    expected = np.array(_reference_smoothing(values, weight))
    scale = 1 + max((abs(v) for v in values if np.isfinite(v)), default=0)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9 * scale)


@pytest.mark.parametrize("weight", [0.0, 0.6, 0.99, 0.999])
def test_smoothing_long_series_across_blocks(weight):
    """20,000 points span many of smooth()'s blocks (453 points at 0.6, 4096 at 0.999)."""
    from board.data.downsample import smooth

    rng = np.random.default_rng(7)
    values = np.cumsum(rng.normal(size=20_000)) + 50
    values[rng.random(20_000) < 0.03] = np.nan
    values[rng.random(20_000) < 0.01] = np.inf
    values[rng.random(20_000) < 0.01] = -np.inf
    got = smooth(values, weight)
    expected = np.array(_reference_smoothing(values.tolist(), weight))
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(expected))
    np.testing.assert_array_equal(got[~np.isfinite(values)], values[~np.isfinite(values)])
    scale = np.max(np.abs(values[np.isfinite(values)]))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12 * scale)


def test_series_route_smoothed_column(tmp_path, make_client):
    write_events(event_file(tmp_path / "r"), [file_version_event()]
                 + [scalar_event("loss", s, float(s % 5)) for s in range(3000)])
    client = make_client(tmp_path)
    body = client.get("/data/scalars/series", params={"run": "r", "tag": "loss", "points": 100,
                                                       "smoothing": 0.9}).json()
    assert len(body["smoothed"]) == len(body["steps"])
    from board.data.downsample import smooth

    full = smooth(np.array([float(s % 5) for s in range(3000)], dtype=np.float32), 0.9)
    assert body["smoothed"] == [full[s] for s in body["steps"]]
    assert client.get("/data/scalars/series?run=r&tag=loss&smoothing=1").status_code == 400
