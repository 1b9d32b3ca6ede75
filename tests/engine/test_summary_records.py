"""The batched scalar-event encoder writes the very bytes protobuf + encode_record would."""

import random
import struct

import numpy as np
import pytest

from engine.io.tfrecord import encode_record
from engine.proto import event_pb2, summary_pb2
from engine.summary.event_file_writer import encode_batch
from engine.summary.scalar_records import (
    encode_scalar_events,
    float32_bytes,
    is_plain_scalar_prefix,
    scalar_summary_prefix,
    summary_event,
)


def reference_record(tag, step, wall_time, value) -> bytes:
    summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)])
    event = event_pb2.Event(wall_time=wall_time, step=step, summary=summary)
    return encode_record(event.SerializeToString())


@pytest.mark.parametrize("tag", ["loss", "", "ünïcode/tag", "x" * 200])
def test_prefix_plus_float_is_the_serialized_summary(tag):
    summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=1.5)])
    assert scalar_summary_prefix(tag) + struct.pack("<f", 1.5) == summary.SerializeToString()
    assert is_plain_scalar_prefix(scalar_summary_prefix(tag))


def test_summaries_with_more_than_tag_and_value_are_not_plain():
    with_metadata = summary_pb2.Summary(value=[summary_pb2.Summary.Value(
        tag="a", simple_value=1.0, metadata=summary_pb2.SummaryMetadata(display_name="d"))])
    two_values = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="a", simple_value=1.0),
                                            summary_pb2.Summary.Value(tag="b", simple_value=2.0)])
    for summary in (with_metadata, two_values):
        assert not is_plain_scalar_prefix(summary.SerializeToString()[:-4])
    assert not is_plain_scalar_prefix(b"")
    assert not is_plain_scalar_prefix(b"\n\x07\n\x02\xff\xfe\x15")  # tag is not UTF-8


def test_one_tag_batch_is_byte_identical_to_protobuf():
    steps = list(range(0, 300_000, 997))
    walls = [1.7e9 + i * 0.001 for i in range(len(steps))]
    values = [i * 0.37 - 50.0 for i in range(len(steps))]
    prefix = scalar_summary_prefix("loss")
    got = encode_scalar_events([prefix] * len(steps), steps, walls, float32_bytes(values))
    rows = zip(steps, walls, values, strict=True)
    assert got == b"".join(reference_record("loss", s, w, v) for s, w, v in rows)


def test_mixed_tags_and_step_widths_keep_input_order():
    rng = random.Random(7)
    tags = ["loss", "accuracy", "a/very/long/tag/" * 12]
    special_steps = [0, 1, 127, 128, 16383, 16384, 2**35, 2**63 - 1, -1, -(2**63)]
    rows = [(rng.choice(tags), rng.choice(special_steps + [rng.randrange(-(2**63), 2**63)]),
             1.7e9 + rng.random(), rng.uniform(-1e30, 1e30)) for _ in range(2000)]
    tags_, steps, walls, values = zip(*rows, strict=True)
    got = encode_scalar_events([scalar_summary_prefix(t) for t in tags_], list(steps), list(walls),
                               float32_bytes(values))
    assert got == b"".join(reference_record(*row) for row in rows)


def test_out_of_range_and_special_floats_round_like_float32():
    values = [1e39, -1e39, float("nan"), float("inf"), 5e-46, 0.1, 0.0, -0.0]
    floats = float32_bytes(values)
    with np.errstate(over="ignore"):
        expected = np.array(values).astype("<f4")
    assert floats.tobytes() == expected.tobytes()


def test_zero_values_and_zero_steps_serialize_like_protobuf():
    rows = [("z", 0, 1.0, 0.0), ("z", 0, 2.0, -0.0), ("", 3, 3.0, 1.0)]
    tags, steps, walls, values = zip(*rows, strict=True)
    got = encode_scalar_events([scalar_summary_prefix(t) for t in tags], list(steps), list(walls),
                               float32_bytes(values))
    assert got == b"".join(reference_record(*row) for row in rows)


def test_batch_with_generic_records_between_scalars_keeps_order():
    """Scalar values may come as floats, as 4 float32 bytes, or as the whole serialized Summary."""
    prefix = scalar_summary_prefix("s")
    whole_summary = prefix + struct.pack("<f", 0.125)
    generic = reference_record("g", 5, 2.0, 9.0)
    batch = [(prefix, 1, 1.0, 0.5), generic, (prefix, 2, 3.0, struct.pack("<f", 0.25)),
             (prefix, 3, 4.0, whole_summary), (prefix, 4, 5.0, 0.75)]
    expected = [reference_record("s", 1, 1.0, 0.5), generic, reference_record("s", 2, 3.0, 0.25),
                reference_record("s", 3, 4.0, 0.125), reference_record("s", 4, 5.0, 0.75)]
    assert encode_batch(batch) == b"".join(expected)


@pytest.mark.parametrize("step", [0, 1, 127, 128, 2**40, -1])
def test_event_framed_around_summary_bytes_is_what_protobuf_serializes(step):
    histogram = summary_pb2.HistogramProto(min=-1.0, max=2.0, num=3, bucket_limit=[0.0, 2.0], bucket=[1, 2])
    summaries = [
        summary_pb2.Summary(),
        summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="h", histo=histogram),
                                   summary_pb2.Summary.Value(tag="s", simple_value=0.25)]),
    ]
    for summary in summaries:
        expected = event_pb2.Event(wall_time=1234.5678, step=step, summary=summary).SerializeToString()
        assert summary_event(summary.SerializeToString(), step, 1234.5678) == expected
