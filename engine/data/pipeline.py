"""What a dataset op's kernel returns at run time: a `Pipeline`, the value of a `variant` dataset tensor.

A pipeline is a description that can be iterated any number of times: `elements()` starts a new pass and
yields each element as a tuple of numpy values, one per flat component of the dataset's structure
(engine/data/structure.py). Iterator ops (engine/data/iterator_ops.py) hold one such pass per session.
Nothing here builds graph ops; the graph side is engine/data/dataset_ops.py.

Elements flow as numpy values without per-element graph runs, except through `map`/`filter`, which run
their traced function (one compiled callable of the session) once per element.
"""

from __future__ import annotations

import itertools
import os
import secrets

import numpy as np

from engine.data import structure
from engine.framework import errors, tensor_util
from engine.framework import tensor_shape as _ts
from engine.io.tfrecord import open_record_stream, stream_records
from engine.ops.philox import Philox, SingleSample
from engine.train.checkpoint_bundle import BundleReader, write_bundle


class Pipeline:
    """A dataset's value: `elements()` is a fresh pass over its elements (tuples of numpy values)."""

    def elements(self):
        raise TypeError(f"{type(self).__name__} does not define elements()")

    def batches(self, batch_size, drop_remainder):
        """A pass over batches of `batch_size` consecutive elements, stacked along a new first axis."""
        source = self.elements()
        while True:
            group = list(itertools.islice(source, batch_size))
            if not group or (drop_remainder and len(group) < batch_size):
                return
            yield tuple(_stack([element[i] for element in group]) for i in range(len(group[0])))


class Slices(Pipeline):
    """`from_tensor_slices`: the i-th element is row i of every component."""

    def __init__(self, components):
        self.components = [np.asarray(c) if not isinstance(c, np.ndarray) else c for c in components]
        sizes = {c.shape[0] if c.ndim else None for c in self.components}
        if None in sizes or len(sizes) != 1:
            shapes = ", ".join(str(list(c.shape)) for c in self.components)
            raise errors.InvalidArgumentError(
                None, None, f"All components must have the same size in the 0th dimension: {shapes}")
        self.size = sizes.pop()

    def elements(self):
        components = self.components
        for i in range(self.size):
            yield tuple([c[i] for c in components])

    def batches(self, batch_size, drop_remainder):
        """Consecutive rows are already a batch: one slice (a view, no copy) per component."""
        end = self.size - self.size % batch_size if drop_remainder else self.size
        components = self.components
        for start in range(0, end, batch_size):
            yield tuple([c[start:start + batch_size] for c in components])


class Single(Pipeline):
    """`from_tensors`: one element, the components themselves."""

    def __init__(self, components):
        self.components = tuple(components)

    def elements(self):
        yield self.components


class Range(Pipeline):
    def __init__(self, start, stop, step):
        if step == 0:
            raise errors.InvalidArgumentError(None, None, "step must be a non-zero integer.")
        self.range = range(int(start), int(stop), int(step))

    def elements(self):
        for value in self.range:
            yield (np.int64(value),)


class Map(Pipeline):
    """`map`: `function(*components) -> tuple of output components`, per element."""

    def __init__(self, source, function):
        self.source, self.function = source, function

    def elements(self):
        function = self.function
        for element in self.source.elements():
            yield tuple(function(*element))


class Filter(Pipeline):
    def __init__(self, source, predicate):
        self.source, self.predicate = source, predicate

    def elements(self):
        predicate = self.predicate
        for element in self.source.elements():
            if predicate(*element)[0]:
                yield element


class Batch(Pipeline):
    """`batch`: consecutive elements stacked along a new first axis; a short last batch unless dropped."""

    def __init__(self, source, batch_size, drop_remainder):
        if batch_size <= 0:
            raise errors.InvalidArgumentError(None, None, "Batch size must be greater than zero.")
        self.source, self.batch_size, self.drop_remainder = source, int(batch_size), bool(drop_remainder)

    def elements(self):
        return self.source.batches(self.batch_size, self.drop_remainder)


class PaddedBatch(Pipeline):
    """`padded_batch`: like Batch, each component padded with its padding value to its padded shape (a -1
    dim: the largest in the batch)."""

    def __init__(self, source, batch_size, padded_shapes, padding_values, drop_remainder):
        if batch_size <= 0:
            raise errors.InvalidArgumentError(None, None, "Batch size must be greater than zero.")
        self.source, self.batch_size, self.drop_remainder = source, int(batch_size), bool(drop_remainder)
        self.padded_shapes = [np.asarray(s, dtype=np.int64).reshape(-1).tolist() for s in padded_shapes]
        self.padding_values = list(padding_values)

    def elements(self):
        source = self.source.elements()
        while True:
            group = list(itertools.islice(source, self.batch_size))
            if not group or (self.drop_remainder and len(group) < self.batch_size):
                return
            yield tuple(self._pad([np.asarray(e[i]) for e in group], i) for i in range(len(group[0])))

    def _pad(self, values, index):
        padded = self.padded_shapes[index]
        if any(v.ndim != len(padded) for v in values):
            raise errors.InvalidArgumentError(
                None, None, "All elements in a batch must have the same rank as the padded shape for "
                f"component{index}: expected rank {len(padded)} but got element with rank {values[0].ndim}")
        largest = np.max([v.shape for v in values], axis=0) if padded else []
        target = [int(m) if d < 0 else d for d, m in zip(padded, largest, strict=True)]
        if any(v.shape[k] > target[k] for v in values for k in range(len(target))):
            raise errors.InvalidArgumentError(
                None, None, "Attempted to pad to a smaller size than the input element.")
        fill = self.padding_values[index]
        fill = fill[()] if isinstance(fill, np.ndarray) else fill
        out = np.full((len(values), *target), fill, dtype=values[0].dtype)
        for row, value in zip(out, values, strict=True):
            row[tuple(slice(0, d) for d in value.shape)] = value
        return out


def _stack(values):
    try:
        return np.stack(values)
    except ValueError:
        shapes = sorted({str(list(np.shape(v))) for v in values})
        raise errors.InvalidArgumentError(
            None, None, "Cannot batch tensors with different shapes in component 0. First element had shape "
            f"{shapes[0]} and element 1 had shape {shapes[-1]}.") from None


class Shuffle(Pipeline):
    """`shuffle`: TF's ShuffleDataset, element for element.  A ring buffer fills with the next
    `buffer_size` elements; each step picks the buffered element at offset (next 32-bit Philox word mod
    the count buffered) from the ring's start, yields it, swaps the start's element into its place and
    refills.  Each pass draws its words from Philox keyed by two words of a seed generator, itself Philox
    keyed by (seed, seed2) (TF's RandomSeedGenerator); without `reshuffle` every pass uses (seed, seed2)
    itself.  A seeded shuffle thus gives TF's orders, repeated in every new session and whenever an
    initializable iterator is re-initialised, as TF 1.x's does.
    """

    def __init__(self, source, buffer_size, seed, seed2, reshuffle):
        if buffer_size <= 0:
            raise errors.InvalidArgumentError(None, None, "buffer_size must be greater than zero.")
        self.source, self.buffer_size = source, int(buffer_size)
        if seed == 0 and seed2 == 0:  # TF's RandomSeeds: unseeded means seeds from the OS
            seed, seed2 = secrets.randbits(63), secrets.randbits(63)
        self.seeds = (int(seed), int(seed2))
        self.reshuffle = reshuffle
        self.seed_generator = SingleSample(Philox(*self.seeds))

    def _generator(self):
        if not self.reshuffle:
            return SingleSample(Philox(*self.seeds))
        return SingleSample(Philox(self.seed_generator(), self.seed_generator()))

    def elements(self):
        random = self._generator()
        size = self.buffer_size
        buffer = [None] * size
        start = end = 0
        source = self.source.elements()
        while True:
            for element in itertools.islice(source, size - (end - start)):
                buffer[end % size] = element
                end += 1
            if start == end:
                return
            index = (start + random() % (end - start)) % size
            first = start % size
            yield buffer[index]
            buffer[index], buffer[first] = buffer[first], None
            start += 1


class Repeat(Pipeline):
    def __init__(self, source, count):
        self.source, self.count = source, int(count)

    def elements(self):
        passes = itertools.count() if self.count < 0 else range(self.count)
        for _ in passes:
            empty = True
            for element in self.source.elements():
                empty = False
                yield element
            if empty:  # repeating an empty dataset forever would never end
                return


class Take(Pipeline):
    def __init__(self, source, count):
        self.source, self.count = source, int(count)

    def elements(self):
        source = self.source.elements()
        return source if self.count < 0 else itertools.islice(source, self.count)


class Skip(Pipeline):
    def __init__(self, source, count):
        self.source, self.count = source, int(count)

    def elements(self):
        source = self.source.elements()
        if self.count < 0:  # TF: a negative count skips the whole dataset
            for _ in source:
                pass
            return iter(())
        return itertools.islice(source, self.count, None)


class Concatenate(Pipeline):
    def __init__(self, first, second):
        self.first, self.second = first, second

    def elements(self):
        yield from self.first.elements()
        yield from self.second.elements()


class Zip(Pipeline):
    """`zip`: one element from each dataset, their components concatenated; ends with the shortest."""

    def __init__(self, sources):
        self.sources = list(sources)

    def elements(self):
        for parts in zip(*[s.elements() for s in self.sources], strict=False):
            yield tuple(itertools.chain.from_iterable(parts))


def interleave(sources, cycle_length, block_length):
    """TF's interleave order over an iterator of element iterators: `cycle_length` slots visited in turn,
    `block_length` elements from each; a finished source frees its slot, which the next source fills when
    the turn comes back to it (that turn yields nothing, as in TF's InterleaveDataset)."""
    sources = iter(sources)
    slots = [None] * cycle_length
    open_count, all_opened, i = 0, False, 0
    while open_count or not all_opened:
        if slots[i] is not None:
            block = list(itertools.islice(slots[i], block_length))
            yield from block
            if len(block) < block_length:
                slots[i], open_count = None, open_count - 1
            i = (i + 1) % cycle_length
        elif not all_opened:
            source = next(sources, None)
            if source is None:
                all_opened = True
            else:
                slots[i], open_count = iter(source), open_count + 1
        else:
            i = (i + 1) % cycle_length


class FlatMap(Pipeline):
    """`flat_map` (cycle_length None) and `interleave`: `function(*element)` gives a pipeline per element."""

    def __init__(self, source, function, cycle_length=None, block_length=1):
        self.source, self.function = source, function
        self.cycle_length, self.block_length = cycle_length, int(block_length)
        if self.block_length <= 0:
            raise errors.InvalidArgumentError(None, None, "block_length must be greater than zero.")

    def _inner(self):
        for element in self.source.elements():
            (inner,) = self.function(*element)
            yield (inner[()] if isinstance(inner, np.ndarray) else inner).elements()

    def elements(self):
        if self.cycle_length is None:
            for inner in self._inner():
                yield from inner
            return
        yield from interleave(self._inner(), self.cycle_length, self.block_length)


class Unbatch(Pipeline):
    """`unbatch`: each row of each element (split along the first axis) becomes an element."""

    def __init__(self, source):
        self.source = source

    def elements(self):
        for element in self.source.elements():
            rows = {np.shape(c)[0] if np.ndim(c) else None for c in element}
            if len(rows) != 1 or None in rows:
                raise errors.InvalidArgumentError(
                    None, None, "Input element must have a non-scalar value in each component.")
            for i in range(rows.pop()):
                yield tuple([c[i] for c in element])


class Generator(Pipeline):
    """`from_generator`: a new call of `generator()` per pass; each value converted to its component's
    dtype and checked against its known shape, with TF's texts (InvalidArgumentError)."""

    def __init__(self, generator, specs, structure_of):
        self.generator, self.structure, self.structure_of = generator, specs, structure_of
        self.specs = structure.flatten(specs)

    def elements(self):
        for value in self.generator():
            try:
                flat = self.structure_of(value)
                # tf.constant's conversion: refuses 1.5 for an int64 component rather than truncating it
                components = [tensor_util.to_numpy(v, s.dtype) for v, s in zip(flat, self.specs, strict=True)]
            except (TypeError, ValueError):
                raise errors.InvalidArgumentError(
                    None, None, "TypeError: `generator` yielded an element that did not match the expected "
                    f"structure. The expected structure was {self.structure}, but the yielded element was "
                    f"{value}.") from None
            for component, spec in zip(components, self.specs, strict=True):
                if not spec.shape.is_compatible_with(_ts.TensorShape(component.shape)):
                    raise errors.InvalidArgumentError(
                        None, None, f"TypeError: `generator` yielded an element of shape {component.shape} "
                        f"where an element of shape {_shape_text(spec.shape)} was expected.")
            yield tuple(components)


def _shape_text(shape):
    dims = shape._as_tuple()
    return "<unknown>" if dims is None else str(tuple(dims))


def file_names(filenames):
    """The file names of a string scalar or vector input, as str."""
    names = np.asarray(filenames, dtype=object).reshape(-1)
    return [n.decode() if isinstance(n, bytes) else str(n) for n in names]


def _text(value):
    value = value[()] if isinstance(value, np.ndarray) else value
    return value.decode() if isinstance(value, bytes) else str(value)


def _compression(value):
    kind = _text(value)
    if kind not in ("", "ZLIB", "GZIP"):
        raise errors.InvalidArgumentError(None, None, f"Unsupported compression_type: {kind}.")
    return kind


class TFRecords(Pipeline):
    """`TFRecordDataset`: every record of every file in turn (bytes elements).

    With `num_parallel_reads` = k > 1, TF interleaves k files at once, one record from each in turn, a
    finished file's slot taking the next file; that order is kept here (read in one thread).
    """

    def __init__(self, filenames, compression_type, parallel_reads=1):
        self.files = file_names(filenames)
        self.compression = _compression(compression_type)
        self.parallel_reads = max(1, int(parallel_reads))

    def _records(self, path):
        for record in stream_records(open_record_stream(path, self.compression)):
            yield (record,)

    def elements(self):
        if self.parallel_reads == 1:
            for path in self.files:
                yield from self._records(path)
            return
        yield from interleave((self._records(p) for p in self.files), self.parallel_reads, 1)


class TextLines(Pipeline):
    """`TextLineDataset`: every line of every file, without its "\\n" (or "\\r\\n")."""

    def __init__(self, filenames, compression_type):
        self.files = file_names(filenames)
        self.compression = _compression(compression_type)

    def elements(self):
        for path in self.files:
            with open_record_stream(path, self.compression) as stream:
                for line in stream:
                    if line.endswith(b"\n"):
                        line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
                    yield (line,)


class FixedLengthRecords(Pipeline):
    """`FixedLengthRecordDataset`: each file's body (after `header_bytes`, before `footer_bytes`) cut into
    records of `record_bytes`; a body that is not a whole number of records is TF's InvalidArgumentError."""

    def __init__(self, filenames, header_bytes, record_bytes, footer_bytes, buffer_size, compression_type):
        self.files = file_names(filenames)
        self.header, self.record, self.footer = int(header_bytes), int(record_bytes), int(footer_bytes)
        if self.record <= 0:
            raise errors.InvalidArgumentError(None, None, f"record_bytes must be > 0 but it is {self.record}")
        self.compression = _compression(compression_type)

    def elements(self):
        for path in self.files:
            with open_record_stream(path, self.compression) as stream:
                data = stream.read()
            body = data[self.header:len(data) - self.footer]
            if len(body) % self.record:
                raise errors.InvalidArgumentError(
                    None, None, f"Excluding the header ({self.header} bytes) and footer ({self.footer} "
                    f'bytes), input file "{path}" has body length {len(body)} bytes, which is not an exact '
                    f"multiple of the record length ({self.record} bytes).")
            for start in range(0, len(body), self.record):
                yield (body[start:start + self.record],)


class Cache(Pipeline):
    """`cache()`: the first pass that reaches the end is kept; later passes replay it.

    In memory, or with a `filename`, in TF's cache files: a tensor bundle `filename.index` +
    `filename.data-00000-of-00001` holding component j of element i under key "%7d_%nd" (TF's
    CacheDataset key format, n the width of the last component index).  A cache file that exists is
    read instead of the input, also in later sessions and by TF (and TF's by the engine).
    """

    ITEM_WIDTH = 7  # TF's key width: len(str(kMaxItems - 1)), kMaxItems = 10 million

    def __init__(self, source, filename=""):
        self.source, self.cached = source, None
        self.filename = _text(filename) if filename is not None else ""

    def _key_format(self, components):
        return f"{{:{self.ITEM_WIDTH}d}}_{{:0{len(str(max(components - 1, 0)))}d}}"

    def _from_file(self):
        reader = BundleReader(self.filename)
        keys = sorted(reader.keys())
        elements = {}
        for key in keys:
            item, component = (int(part) for part in key.split("_"))
            elements.setdefault(item, {})[component] = reader.read(key)
        return [tuple(parts[j] for j in range(len(parts))) for _, parts in sorted(elements.items())]

    def _to_file(self, elements):
        entries = []
        for i, element in enumerate(elements):
            key = self._key_format(len(element))
            entries.extend((key.format(i, j), np.asarray(value)) for j, value in enumerate(element))
        write_bundle(self.filename, entries)

    def elements(self):
        if self.cached is None and self.filename and os.path.exists(self.filename + ".index"):
            self.cached = self._from_file()
        if self.cached is not None:
            yield from self.cached
            return
        seen = []
        for element in self.source.elements():
            seen.append(element)
            yield element
        if self.filename:
            self._to_file(seen)
        self.cached = seen
