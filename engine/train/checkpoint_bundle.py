"""TensorFlow's V2 checkpoint bundle: `PREFIX.index` + `PREFIX.data-00000-of-00001`.

`PREFIX.data-SSSSS-of-NNNNN` holds each tensor's bytes back to back, in the order they were added:
numeric tensors as raw little-endian element bytes (C order); string tensors as
`varint64 length * n | u32 masked crc32c of the lengths | string bytes`, where the lengths are
checksummed as u32 little-endian values.

`PREFIX.index` is a table (see `engine.train.sstable`) whose empty key holds a `BundleHeaderProto`
(num_shards, endianness, version {producer: 1}) and whose other keys, sorted, are tensor names
holding a `BundleEntryProto` (dtype, shape, shard_id, offset, size, masked crc32c of the bytes).

Overwriting a prefix is crash-safe: a process killed at any moment leaves a bundle that restores
(the old one or the new one), in this engine and in TensorFlow. Two renames cannot be made atomic
together, so the data file is versioned instead of renamed over: a bundle's data file name carries
its shard count (`data-S-of-N`), and a save over a prefix whose index says one shard writes its
tensors as shard 1 of 2 (`PREFIX.data-00001-of-00002`, the index saying `num_shards: 2` and every
entry `shard_id: 1`), and the next save goes back to `data-00000-of-00001`. So the new data never
takes the old data's name, and the sequence is:

1. the new data file and index are written under `.tempstate` names (orphans of an earlier crash
   are removed first);
2. the data file is renamed to its name, which the old index does not use;
3. the index is renamed over the old one: the one step that switches readers to the new bundle;
4. the old data file is removed.

Readers open a shard's data file only when an entry needs it (TensorFlow's BundleReader does the
same), so the unused shard 0 of 2 never has to exist. The guarantee is against the process dying
(kill, crash, exception), not against power loss: nothing is fsynced, as in TensorFlow.
"""

from __future__ import annotations

import glob
import os
import struct
import uuid

import numpy as np
from google.protobuf.message import DecodeError

from engine import gfile
from engine.framework import dtypes
from engine.framework.errors import (
    DataLossError,
    InvalidArgumentError,
    NotFoundError,
    UnimplementedError,
)
from engine.proto import tensor_bundle_pb2, types_pb2
from engine.train import sstable
from tfformat.records import crc32c_extend, decode_varint, encode_varint, mask, masked_crc32c

BUNDLE_VERSION = 1  # kTensorBundleVersion: the `producer` we write, and the newest we read
HEADER_KEY = b""


def data_filename(prefix: str, shard: int = 0, num_shards: int = 1) -> str:
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


def index_filename(prefix: str) -> str:
    return f"{prefix}.index"


def _unsupported_dtype(dtype_enum: int) -> UnimplementedError:
    name = types_pb2.DataType.Name(dtype_enum) if dtype_enum in types_pb2.DataType.values() else dtype_enum
    return UnimplementedError(None, None, f"Checkpoints of dtype {name} are not supported")


def _dtype_of(value: np.ndarray) -> dtypes.DType:
    try:
        dtype = dtypes.as_dtype(value.dtype)
    except TypeError:
        dtype = None
    if dtype is None or dtype.as_datatype_enum in (types_pb2.DT_RESOURCE, types_pb2.DT_VARIANT):
        raise InvalidArgumentError(None, None, f"Cannot save a tensor of numpy dtype {value.dtype}")
    return dtype


def _as_bytes(item) -> bytes:
    return item.encode("utf-8") if isinstance(item, str) else bytes(item)


def encode_tensor(value: np.ndarray) -> tuple[bytes, int]:
    """(bytes as stored in the data file, masked crc32c the entry records) for one tensor."""
    if _dtype_of(value) is dtypes.string:
        strings = [_as_bytes(item) for item in value.reshape(-1)]
        lengths = b"".join(encode_varint(len(s)) for s in strings)
        crc = 0
        for s in strings:
            # Lengths are checksummed as u32 (u64 for strings of 4 GiB or more), not as varints.
            crc = crc32c_extend(crc, struct.pack("<I" if len(s) <= 0xFFFFFFFF else "<Q", len(s)))
        length_checksum = struct.pack("<I", mask(crc))
        crc = crc32c_extend(crc, length_checksum)
        body = b"".join(strings)
        crc = crc32c_extend(crc, body)
        return lengths + length_checksum + body, mask(crc)
    raw = np.ascontiguousarray(value).astype(value.dtype.newbyteorder("<"), copy=False).tobytes()
    return raw, masked_crc32c(raw)


def _header_bytes(num_shards: int) -> bytes:
    header = tensor_bundle_pb2.BundleHeaderProto(num_shards=num_shards)
    header.endianness = tensor_bundle_pb2.BundleHeaderProto.LITTLE
    header.version.producer = BUNDLE_VERSION
    return header.SerializeToString()


def _temp_name(path: str) -> str:
    return f"{path}.tempstate{uuid.uuid4().int & 0xFFFFFFFFFFFFFFFF}"


def _data_files(prefix: str) -> list[str]:
    return glob.glob(glob.escape(prefix) + ".data-?????-of-?????")


def _remove_orphans(prefix: str) -> None:
    """Removes the temporary files a save of `prefix` killed half-way left behind."""
    escaped = glob.escape(prefix)
    for pattern in (".index.tempstate*", ".data-?????-of-?????.tempstate*"):
        for path in glob.glob(escaped + pattern):
            try:
                os.remove(path)
            except FileNotFoundError:  # another save removed it first
                pass


def _next_data_shard(prefix: str) -> tuple[int, int]:
    """(shard, num_shards) of the data file the next save of `prefix` writes: never the current one."""
    try:
        with open(index_filename(prefix), "rb") as f:
            header_bytes = sstable.TableReader(f.read(), index_filename(prefix)).get(HEADER_KEY)
        current = tensor_bundle_pb2.BundleHeaderProto.FromString(header_bytes or b"").num_shards
    except (OSError, DataLossError, DecodeError):
        return 0, 1  # no readable index: nothing to keep restorable
    return (1, 2) if current == 1 else (0, 1)


def write_bundle(prefix: str, tensors) -> None:
    """Writes `tensors` (an iterable of (name, numpy array), in data-file order) as a V2 bundle.

    Over an existing bundle the write is crash-safe (see the module docstring for how).
    """
    directory = os.path.dirname(prefix)
    if directory:
        os.makedirs(directory, exist_ok=True)
    _remove_orphans(prefix)
    shard, num_shards = _next_data_shard(prefix)
    final_data, final_index = data_filename(prefix, shard, num_shards), index_filename(prefix)
    temp_data, temp_index = _temp_name(final_data), _temp_name(final_index)
    try:
        entries: dict[bytes, tensor_bundle_pb2.BundleEntryProto] = {}
        offset = 0
        with open(temp_data, "wb") as data_file:
            for name, value in tensors:
                key = name.encode("utf-8")
                if not key:
                    raise InvalidArgumentError(None, None, "Cannot save a tensor under the empty name")
                if key in entries:
                    raise InvalidArgumentError(None, None, f"Adding duplicate key: {name}")
                value = np.asarray(value)
                raw, crc = encode_tensor(value)
                entry = tensor_bundle_pb2.BundleEntryProto(
                    dtype=_dtype_of(value).as_datatype_enum,
                    shard_id=shard,
                    offset=offset,
                    size=len(raw),
                    crc32c=crc,
                )
                entry.shape.SetInParent()  # TF writes `shape {}` even for a scalar
                for dim in value.shape:
                    entry.shape.dim.add(size=dim)
                entries[key] = entry
                data_file.write(raw)
                offset += len(raw)
        with open(temp_index, "wb") as index_file:
            table = sstable.TableWriter(index_file)
            table.add(HEADER_KEY, _header_bytes(num_shards=num_shards))
            for key in sorted(entries):
                table.add(key, entries[key].SerializeToString())
            table.finish()
        # Both files are complete. The data file's name is one the current index does not use, so
        # until the index is replaced readers still find the old bundle whole.
        os.replace(temp_data, final_data)
        os.replace(temp_index, final_index)
    finally:
        for temp in (temp_data, temp_index):
            if os.path.exists(temp):
                os.remove(temp)
    for path in _data_files(prefix):
        if path != final_data:
            os.remove(path)


class BundleReader:
    """Reads a V2 bundle: `keys()`, `entry(name)`, `dtype(name)`, `shape(name)`, `read(name)`.

    The index is read and checked when the reader is made; a tensor's bytes are read and checked
    against their crc32c by `read`. Damage raises `DataLossError` naming the damaged file.
    """

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.index_path = index_filename(prefix)
        try:
            data = gfile.read_bytes(self.index_path)
        except FileNotFoundError:
            raise NotFoundError(
                None,
                None,
                f"Unsuccessful TensorSliceReader constructor: Failed to find any matching files for {prefix}",
            ) from None
        table = sstable.TableReader(data, self.index_path)
        header_bytes = table.get(HEADER_KEY)
        if header_bytes is None:
            raise self._index_error("it has no header entry")
        header = self._parse(tensor_bundle_pb2.BundleHeaderProto, header_bytes, "the header")
        if header.version.min_consumer > BUNDLE_VERSION or BUNDLE_VERSION in header.version.bad_consumers:
            raise InvalidArgumentError(
                None,
                None,
                f"Checkpoint {prefix} needs a reader of bundle version {header.version.min_consumer}; "
                f"this one reads version {BUNDLE_VERSION}",
            )
        if header.endianness != tensor_bundle_pb2.BundleHeaderProto.LITTLE:
            raise UnimplementedError(
                None, None, f"Checkpoint {prefix} is big-endian; only little-endian is read"
            )
        if header.num_shards < 1:
            raise self._index_error(f"the header names {header.num_shards} shards")
        self.num_shards = header.num_shards
        self._entries: dict[str, tensor_bundle_pb2.BundleEntryProto] = {}
        for key, value in table.items():
            if key == HEADER_KEY:
                continue
            try:
                name = key.decode("utf-8")
            except UnicodeDecodeError:
                raise self._index_error(f"key {key!r} is not UTF-8") from None
            entry = self._parse(tensor_bundle_pb2.BundleEntryProto, value, f"the entry for {name}")
            if entry.shard_id >= self.num_shards or any(d.size < 0 for d in entry.shape.dim):
                raise self._index_error(f"the entry for {name} is invalid")
            self._entries[name] = entry

    def _index_error(self, detail: str) -> DataLossError:
        return DataLossError(None, None, f"Unable to read checkpoint index file {self.index_path}: {detail}")

    def _parse(self, message_type, data: bytes, what: str):
        message = message_type()
        try:
            message.ParseFromString(data)
        except DecodeError:
            raise self._index_error(f"{what} cannot be parsed") from None
        return message

    def keys(self) -> list[str]:
        return sorted(self._entries)

    def has_tensor(self, name: str) -> bool:
        return name in self._entries

    def entry(self, name: str) -> tensor_bundle_pb2.BundleEntryProto:
        try:
            return self._entries[name]
        except KeyError:
            raise NotFoundError(None, None, f"Key {name} not found in checkpoint {self.prefix}") from None

    def dtype(self, name: str) -> dtypes.DType:
        return dtypes.as_dtype(self.entry(name).dtype)

    def shape(self, name: str) -> list[int]:
        return [d.size for d in self.entry(name).shape.dim]

    def read(self, name: str) -> np.ndarray:
        entry = self.entry(name)
        if entry.slices:
            raise UnimplementedError(None, None, f"Tensor {name} in {self.prefix} is partitioned into slices")
        try:
            dtype = dtypes.as_dtype(entry.dtype)
        except TypeError:
            raise _unsupported_dtype(entry.dtype) from None
        if not dtype.is_numpy_compatible:
            raise _unsupported_dtype(entry.dtype)
        path = data_filename(self.prefix, entry.shard_id, self.num_shards)
        shape = tuple(d.size for d in entry.shape.dim)
        try:
            raw = gfile.read_range(path, entry.offset, entry.size)  # on a URL: one ranged GET
        except FileNotFoundError:
            raise NotFoundError(
                None, None, f"Checkpoint data file {path} not found (needed for {name})"
            ) from None
        if len(raw) != entry.size:
            raise DataLossError(
                None,
                None,
                f"Checkpoint data file {path} is truncated: tensor {name} needs bytes "
                f"[{entry.offset}, {entry.offset + entry.size}) but the file ends first",
            )
        if dtype is dtypes.string:
            value, crc = self._decode_strings(raw, shape, name, path)
        else:
            crc = masked_crc32c(raw)
            count = int(np.prod(shape, dtype=np.int64))
            np_dtype = np.dtype(dtype.as_numpy_dtype).newbyteorder("<")
            if count * np_dtype.itemsize != len(raw):
                raise self._index_error(
                    f"the entry for {name} has size {entry.size}, not {count * np_dtype.itemsize}"
                )
            value = np.frombuffer(raw, dtype=np_dtype).astype(np_dtype.newbyteorder("="))
            value = value.reshape(shape)
        if crc != entry.crc32c:
            raise DataLossError(
                None,
                None,
                f"Checksum does not match for tensor {name} in checkpoint data file {path}: "
                f"stored {entry.crc32c:08x}, computed {crc:08x} over bytes "
                f"[{entry.offset}, {entry.offset + entry.size})",
            )
        return value

    def _decode_strings(self, raw: bytes, shape, name: str, path: str):
        count = int(np.prod(shape, dtype=np.int64))
        pos, lengths = 0, []
        try:
            for _ in range(count):
                length, pos = decode_varint(raw, pos, len(raw))
                lengths.append(length)
            if pos + 4 + sum(lengths) != len(raw):
                raise ValueError("lengths do not add up")
        except ValueError:
            raise DataLossError(
                None, None, f"Checkpoint data file {path} is corrupt: string tensor {name} cannot be decoded"
            ) from None
        crc = 0
        for length in lengths:
            crc = crc32c_extend(crc, struct.pack("<I" if length <= 0xFFFFFFFF else "<Q", length))
        crc = crc32c_extend(crc, raw[pos : pos + 4])
        pos += 4
        items = np.empty(count, dtype=object)
        for i, length in enumerate(lengths):
            items[i] = raw[pos : pos + length]
            pos += length
        crc = crc32c_extend(crc, raw[pos - sum(lengths) : pos])
        return items.reshape(shape), mask(crc)
