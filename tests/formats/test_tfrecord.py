"""TFRecord framing: round trips, truncated tails resumed, corruption reported with its offset."""

import io
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.framework.errors import DataLossError
from engine.io.tfrecord import TFRecordReader, TFRecordWriter
from tfformat.records import FOOTER_SIZE, HEADER_SIZE, encode_record, masked_crc32c


def test_masked_crc32c_matches_known_value():
    # crc32c(b"") is 0; masking rotates it and adds 0xa282ead8.
    assert masked_crc32c(b"") == 0xA282EAD8
    # crc32c("123456789") = 0xE3069283 (the standard check value), then masked.
    crc = 0xE3069283
    assert masked_crc32c(b"123456789") == (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def test_record_layout_is_little_endian_length_crc_data_crc():
    record = encode_record(b"abc")
    assert record[:8] == struct.pack("<Q", 3)
    assert record[8:12] == struct.pack("<I", masked_crc32c(record[:8]))
    assert record[12:15] == b"abc"
    assert record[15:] == struct.pack("<I", masked_crc32c(b"abc"))


def test_writer_works_over_bytesio_and_reader_reads_back(tmp_path):
    buffer = io.BytesIO()
    writer = TFRecordWriter(buffer)
    payloads = [b"", b"x", b"hello" * 1000, bytes(range(256))]
    for p in payloads:
        writer.write(p)
    path = tmp_path / "records"
    path.write_bytes(buffer.getvalue())
    assert list(TFRecordReader(path).records()) == payloads


def test_truncated_record_is_resumed_after_the_file_grows(tmp_path):
    path = tmp_path / "growing"
    first, second = encode_record(b"first"), encode_record(b"second record")
    path.write_bytes(first + second[:-1])
    reader = TFRecordReader(path)
    assert list(reader.records()) == [b"first"]
    assert reader.offset == len(first)
    assert list(reader.records()) == []  # still incomplete: nothing, no error
    with open(path, "ab") as f:
        f.write(second[-1:])
    assert list(reader.records()) == [b"second record"]
    assert reader.offset == len(first) + len(second)


@pytest.mark.parametrize("cut", [1, HEADER_SIZE - 1, HEADER_SIZE, HEADER_SIZE + 3])
def test_every_truncation_point_stops_quietly(tmp_path, cut):
    path = tmp_path / "cut"
    record = encode_record(b"0123456789")
    path.write_bytes(encode_record(b"ok") + record[:cut])
    reader = TFRecordReader(path)
    assert list(reader.records()) == [b"ok"]
    path.write_bytes(encode_record(b"ok") + record)
    assert list(reader.records()) == [b"0123456789"]


REGIONS = {
    "length": 0,
    "length_crc": 8,
    "data": HEADER_SIZE + 2,
    "data_crc": HEADER_SIZE + 10,
}


@pytest.mark.parametrize("region", list(REGIONS))
def test_one_flipped_byte_in_each_region_is_reported_with_its_offset(tmp_path, region):
    good = encode_record(b"good")
    bad = bytearray(encode_record(b"0123456789"))
    bad[REGIONS[region]] ^= 0x01
    path = tmp_path / f"flipped-{region}"
    path.write_bytes(good + bytes(bad) + encode_record(b"after"))
    reader = TFRecordReader(path)
    seen = []
    with pytest.raises(DataLossError) as error:
        for record in reader.records():
            seen.append(record)
    assert seen == [b"good"]
    assert f"byte offset {len(good)}" in error.value.message
    assert str(path) in error.value.message
    if region in ("data", "data_crc"):
        # The length is intact, so the reader can step over the bad record.
        assert reader.skip_corrupt()
        assert list(reader.records()) == [b"after"]
    else:
        assert not reader.skip_corrupt()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_raise_nothing_but_data_loss(tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("fuzz") / "blob"
    path.write_bytes(blob)
    reader = TFRecordReader(path)
    try:
        for _ in reader.records():
            pass
    except DataLossError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=8), st.data())
def test_any_prefix_of_a_valid_file_yields_a_prefix_of_its_records(tmp_path_factory, payloads, data):
    blob = b"".join(encode_record(p) for p in payloads)
    cut = data.draw(st.integers(0, len(blob)))
    path = tmp_path_factory.mktemp("prefix") / "f"
    path.write_bytes(blob[:cut])
    got = list(TFRecordReader(path).records())
    assert got == payloads[: len(got)]
    complete = sum(1 for i in range(len(payloads))
                   if sum(HEADER_SIZE + len(p) + FOOTER_SIZE for p in payloads[: i + 1]) <= cut)
    assert len(got) == complete
