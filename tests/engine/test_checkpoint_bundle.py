"""The V2 bundle (`.index` table + `.data` shard) against TensorFlow's own files in fixtures/real."""

import io
import json
import os
import shutil

import numpy as np
import pytest

from engine.framework import dtypes
from engine.framework.errors import DataLossError, InvalidArgumentError, NotFoundError
from engine.train import checkpoint_bundle, sstable
from engine.train.checkpoint_bundle import BundleReader, write_bundle


def _expected(json_path):
    with open(json_path) as f:
        variables = json.load(f)["variables"]
    return {name: np.array(v["value"], dtype=v["dtype"]).reshape(v["shape"]) for name, v in variables.items()}


@pytest.fixture
def lecture_prefix(real_fixtures):
    return str(real_fixtures / "tf1_checkpoint_lecture" / "logs" / "model.ckpt")


@pytest.fixture
def mlp_prefix(real_fixtures):
    return str(real_fixtures / "tf1_mlp" / "ckpt" / "mlp.ckpt")


def _copy_checkpoint(prefix, tmp_path):
    for suffix in (".index", ".data-00000-of-00001"):
        shutil.copy(prefix + suffix, tmp_path / ("model.ckpt" + suffix))
    return str(tmp_path / "model.ckpt")


@pytest.mark.parametrize(
    "prefix_name, json_name",
    [
        ("lecture_prefix", "tf1_checkpoint_lecture/variables.json"),
        ("mlp_prefix", "tf1_mlp/ckpt_variables.json"),
    ],
)
def test_tf_written_bundles_read_back_exactly(request, real_fixtures, prefix_name, json_name):
    reader = BundleReader(request.getfixturevalue(prefix_name))
    expected = _expected(real_fixtures / json_name)
    assert reader.keys() == sorted(expected)
    for name, value in expected.items():
        got = reader.read(name)
        assert got.dtype == value.dtype and got.shape == value.shape
        assert np.array_equal(got, value), name
        assert reader.dtype(name) == dtypes.float32


def test_lecture_bundle_is_byte_identical_to_tensorflows(lecture_prefix, tmp_path):
    """v1 = [1,1,1], v2 = [-1]*5 saved by us: both files equal TF's, byte for byte (no field differs)."""
    prefix = str(tmp_path / "model.ckpt")
    write_bundle(prefix, [("v1", np.ones(3, np.float32)), ("v2", -np.ones(5, np.float32))])
    for suffix in (".index", ".data-00000-of-00001"):
        with open(prefix + suffix, "rb") as ours, open(lecture_prefix + suffix, "rb") as theirs:
            assert ours.read() == theirs.read(), suffix
    assert sorted(os.listdir(tmp_path)) == ["model.ckpt.data-00000-of-00001", "model.ckpt.index"]


def test_mlp_bundle_rewritten_is_byte_identical(mlp_prefix, tmp_path):
    """21 keys, so the data block has two restart points and shared-prefix keys; scalars store `shape {}`."""
    reader = BundleReader(mlp_prefix)
    in_data_order = sorted(reader.keys(), key=lambda name: reader.entry(name).offset)
    prefix = str(tmp_path / "mlp.ckpt")
    write_bundle(prefix, [(name, reader.read(name)) for name in in_data_order])
    for suffix in (".index", ".data-00000-of-00001"):
        with open(prefix + suffix, "rb") as ours, open(mlp_prefix + suffix, "rb") as theirs:
            assert ours.read() == theirs.read(), suffix


@pytest.mark.parametrize(
    "value",
    [
        np.arange(6, dtype=np.float64).reshape(2, 3),
        np.array([-3, 7], np.int32),
        np.array(2**40, np.int64),
        np.array([True, False]),
        np.array([0.5, -2], np.float16),
        np.arange(4, dtype=np.uint8),
        np.array([1 + 2j], np.complex64),
        np.zeros((0, 3), np.float32),
        np.array([b"hello", b"", "w\u00f6rld".encode()], dtype=object),
        np.array(b"scalar string", dtype=object),
    ],
    ids=lambda v: f"{v.dtype}{list(v.shape)}",
)
def test_tensor_round_trip(tmp_path, value):
    prefix = str(tmp_path / "ckpt")
    write_bundle(prefix, [("t", value)])
    got = BundleReader(prefix).read("t")
    assert got.shape == value.shape
    assert got.dtype == value.dtype
    assert np.array_equal(got, value)


def test_string_tensor_layout_is_lengths_checksum_then_bytes(tmp_path):
    raw, _crc = checkpoint_bundle.encode_tensor(np.array([b"ab", b"cde"], dtype=object))
    assert raw[:2] == b"\x02\x03" and raw[-5:] == b"abcde" and len(raw) == 2 + 4 + 5


def test_table_with_many_blocks_round_trips():
    """A small block size forces several data blocks, indexed by shortest-separator keys."""
    rng = np.random.default_rng(0)
    keys = sorted({bytes(rng.integers(97, 100, size=rng.integers(1, 12))) for _ in range(400)})
    out = io.BytesIO()
    writer = sstable.TableWriter(out, block_size=256)
    for i, key in enumerate(keys):
        writer.add(key, b"value%d" % i)
    writer.finish()
    reader = sstable.TableReader(out.getvalue(), "mem")
    assert list(reader.items()) == [(key, b"value%d" % i) for i, key in enumerate(keys)]


def test_table_refuses_unsorted_keys():
    writer = sstable.TableWriter(io.BytesIO())
    writer.add(b"b", b"")
    with pytest.raises(ValueError, match="strictly increasing"):
        writer.add(b"a", b"")


@pytest.mark.parametrize(
    "start, limit, expected",
    [(b"v1", b"v2", b"v1"), (b"abcd", b"abzz", b"abd"), (b"ab", b"abc", b"ab"), (b"a\xff", b"b", b"a\xff")],
)
def test_shortest_separator(start, limit, expected):
    assert sstable.shortest_separator(start, limit) == expected
    assert start <= expected < limit


def test_short_successor():
    assert sstable.short_successor(b"v2") == b"w"
    assert sstable.short_successor(b"\xff\xffa") == b"\xff\xffb"
    assert sstable.short_successor(b"\xff") == b"\xff"


def test_every_corrupted_index_byte_is_data_loss_naming_the_file(lecture_prefix, tmp_path):
    prefix = _copy_checkpoint(lecture_prefix, tmp_path)
    index_path = prefix + ".index"
    with open(index_path, "rb") as f:
        original = f.read()
    for position in range(len(original)):
        damaged = bytearray(original)
        damaged[position] ^= 0x5A
        with open(index_path, "wb") as f:
            f.write(damaged)
        with pytest.raises(DataLossError, match="model.ckpt.index"):
            BundleReader(prefix)


def test_truncated_index_is_data_loss(lecture_prefix, tmp_path):
    prefix = _copy_checkpoint(lecture_prefix, tmp_path)
    with open(prefix + ".index", "rb") as f:
        data = f.read()
    for cut in (0, 10, len(data) - 1):
        with open(prefix + ".index", "wb") as f:
            f.write(data[:cut])
        with pytest.raises(DataLossError, match="model.ckpt.index"):
            BundleReader(prefix)


def test_every_corrupted_data_byte_is_data_loss_naming_the_file(lecture_prefix, tmp_path):
    prefix = _copy_checkpoint(lecture_prefix, tmp_path)
    data_path = prefix + ".data-00000-of-00001"
    with open(data_path, "rb") as f:
        original = f.read()
    for position in range(len(original)):
        damaged = bytearray(original)
        damaged[position] ^= 0x01
        with open(data_path, "wb") as f:
            f.write(damaged)
        reader = BundleReader(prefix)
        name = "v1" if position < 12 else "v2"
        with pytest.raises(DataLossError, match=f"tensor {name} .*model.ckpt.data-00000-of-00001"):
            reader.read(name)


def test_truncated_data_is_data_loss(lecture_prefix, tmp_path):
    prefix = _copy_checkpoint(lecture_prefix, tmp_path)
    data_path = prefix + ".data-00000-of-00001"
    with open(data_path, "r+b") as f:
        f.truncate(20)
    reader = BundleReader(prefix)
    assert np.array_equal(reader.read("v1"), np.ones(3, np.float32))
    with pytest.raises(DataLossError, match="model.ckpt.data-00000-of-00001 is truncated"):
        reader.read("v2")


def test_missing_key_names_key_and_checkpoint(lecture_prefix):
    with pytest.raises(NotFoundError, match=r"Key v3 not found in checkpoint .*logs/model\.ckpt"):
        BundleReader(lecture_prefix).read("v3")


def test_missing_checkpoint_is_not_found(tmp_path):
    with pytest.raises(NotFoundError, match="Failed to find any matching files for .*nothing"):
        BundleReader(str(tmp_path / "nothing"))


def test_failed_write_leaves_previous_bundle_and_no_temp_files(tmp_path, monkeypatch):
    prefix = str(tmp_path / "model.ckpt")
    write_bundle(prefix, [("v", np.ones(2, np.float32))])
    real_encode = checkpoint_bundle.encode_tensor

    def encode_then_crash(value):
        if value.dtype == np.int32:
            raise OSError("disk full (simulated)")
        return real_encode(value)

    monkeypatch.setattr(checkpoint_bundle, "encode_tensor", encode_then_crash)
    with pytest.raises(OSError, match="simulated"):
        write_bundle(prefix, [("v", np.zeros(2, np.float32)), ("w", np.zeros(2, np.int32))])
    assert sorted(os.listdir(tmp_path)) == ["model.ckpt.data-00000-of-00001", "model.ckpt.index"]
    assert np.array_equal(BundleReader(prefix).read("v"), np.ones(2, np.float32))


def test_duplicate_and_unsupported_tensors_are_refused(tmp_path):
    prefix = str(tmp_path / "x")
    with pytest.raises(InvalidArgumentError, match="duplicate key: a"):
        write_bundle(prefix, [("a", np.zeros(1)), ("a", np.zeros(1))])
    with pytest.raises(InvalidArgumentError, match="numpy dtype"):
        write_bundle(prefix, [("a", np.zeros(2, dtype="V8"))])
    assert os.listdir(tmp_path) == []
