"""Histogram bucketing: TF's default bucket limits and HistogramProto fields."""

import struct
import sys

import numpy as np
import pytest

from engine.io.tfrecord import read_records
from engine.proto import event_pb2
from engine.summary.histogram import DEFAULT_BUCKET_LIMITS, histogram

DBL_MAX = sys.float_info.max


def test_default_limits_are_symmetric_around_zero_and_end_at_dbl_max():
    limits = DEFAULT_BUCKET_LIMITS
    assert len(limits) == 1551
    middle = len(limits) // 2
    assert limits[middle] == 0.0
    assert limits[middle + 1] == 1e-12
    assert limits[-1] == DBL_MAX and limits[0] == -DBL_MAX
    assert limits[-2] < 1e20 <= limits[-2] * 1.1
    np.testing.assert_array_equal(limits[:middle], -limits[middle + 1 :][::-1])
    assert np.all(np.diff(limits) > 0)


def test_default_limits_match_bucket_limits_in_real_tensorboardx_histograms(real_fixtures):
    """tensorboardX's 'tensorflow' bins are TF's limits: every limit it wrote is one of ours, bit for bit."""
    path = next((real_fixtures / "tensorboardx/logdir/run_a").glob("events.out.tfevents.*"))
    seen = 0
    for record in read_records(path):
        event = event_pb2.Event.FromString(record)
        for value in event.summary.value:
            if value.HasField("histo"):
                limits = np.array(value.histo.bucket_limit)
                assert np.isin(limits, DEFAULT_BUCKET_LIMITS).all()
                seen += 1
    assert seen == 5


def test_value_on_a_limit_counts_in_the_bucket_above_it():
    h = histogram([0.0, 1e-12])
    # [0, 1e-12) holds 0.0; [1e-12, 1.1e-12) holds 1e-12
    assert h.bucket_limit[-3:] == [1e-12, 1e-12 * 1.1, DBL_MAX]
    assert h.bucket[-3:] == [1.0, 1.0, 0.0]


def test_runs_of_empty_buckets_collapse_into_one_bucket_ending_at_the_run_end():
    h = histogram([-1.0, 1.0, 1.0])
    # empty run, [-1 bucket], empty run, [1 bucket], empty tail to DBL_MAX
    assert h.bucket == [0.0, 1.0, 0.0, 2.0, 0.0]
    assert h.bucket_limit[-1] == DBL_MAX
    i_neg = int(np.searchsorted(DEFAULT_BUCKET_LIMITS, -1.0, side="right"))
    assert h.bucket_limit[0] == DEFAULT_BUCKET_LIMITS[i_neg - 1]
    assert h.bucket_limit[1] == DEFAULT_BUCKET_LIMITS[i_neg]
    assert h.bucket_limit[1] > -1.0 >= h.bucket_limit[0]


def test_statistics_fields():
    values = np.array([[3.0, -2.0], [0.5, 10.0]], dtype=np.float32)
    h = histogram(values)
    assert (h.min, h.max, h.num) == (-2.0, 10.0, 4.0)
    assert h.sum == 11.5
    assert h.sum_squares == 9.0 + 4.0 + 0.25 + 100.0
    assert sum(h.bucket) == 4.0


def test_sum_is_accumulated_left_to_right_like_tf():
    values = np.array([1e16, 1.0, -1e16, 1.0] * 3)
    expected = 0.0
    for v in values:
        expected += v
    assert struct.pack("<d", histogram(values).sum) == struct.pack("<d", expected)


def test_empty_histogram_has_one_empty_bucket_and_tf_initial_min_max():
    h = histogram([])
    assert (h.min, h.max, h.num, h.sum) == (DBL_MAX, -DBL_MAX, 0.0, 0.0)
    assert h.bucket_limit == [DBL_MAX] and h.bucket == [0.0]


@pytest.mark.parametrize("bad, word", [(np.nan, "Nan"), (np.inf, "Infinity")])
def test_non_finite_values_are_refused(bad, word):
    with pytest.raises(ValueError, match=word):
        histogram([1.0, bad])
