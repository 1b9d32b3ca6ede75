"""`tf.data.Dataset` in TF 1.x graph mode: each dataset is a `variant` tensor made by a dataset op.

The ops have TF's types, input names and attrs (`TensorSliceDataset`, `MapDataset`, `BatchDatasetV2`, with
`output_types`/`output_shapes`); their kernels return `engine.data.pipeline` objects, built again each
time the op runs (e.g. each time an initializable iterator's initializer runs, with that run's feeds).

`map`/`filter`/`flat_map`/`interleave` functions are traced once, when the transformation is created, over
placeholders with the element's structure, dtypes and shapes; the kernel runs them through one
`Session.make_callable` of the session, so elements flow as numpy arrays. Deviations from TF, on purpose:
the traced function's ops live in the dataset's own graph (under the dataset op's name, `MapDataset/fn/...`)
rather than in a function library, and `from_generator` keeps its Python generator on its
`GeneratorDataset` op (TF builds py_func ops), so such GraphDefs do not load in TensorFlow; `prefetch`
yields the same elements without a background thread; `num_parallel_calls` is accepted and the calls run
one at a time.
"""

from __future__ import annotations

import os

import numpy as np

from engine.data import pipeline, structure
from engine.data.structure import Spec
from engine.framework import dtypes, ops, random_seed, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.tensor_spec import TensorSpec
from engine.ops import array_ops, file_ops, math_ops
from engine.ops.array_ops import placeholder
from engine.ops.op_util import make_tensor

_SCALAR = _ts.TensorShape([])


# --- op registrations -----------------------------------------------------------------------------
def _infer_variant(op):
    return [(dtypes.variant, _SCALAR)]


def _register(op_type, build, inputs=()):
    """A dataset op whose kernel is `build(op, runtime) -> (input values -> Pipeline)`."""
    registry.register_op(op_type, infer=_infer_variant, compile=build, stateful=True, inputs=inputs)


def _scalar(value):
    return np.asarray(value).item()


_register("TensorSliceDataset", lambda op, rt: lambda *components: pipeline.Slices(components))
_register("TensorDataset", lambda op, rt: lambda *components: pipeline.Single(components))
_register("RangeDataset", lambda op, rt: lambda start, stop, step: pipeline.Range(
    _scalar(start), _scalar(stop), _scalar(step)))
_register("BatchDatasetV2", lambda op, rt: lambda source, size, drop: pipeline.Batch(
    source, _scalar(size), _scalar(drop)))
_register("PaddedBatchDatasetV2", lambda op, rt: lambda source, size, *rest: pipeline.PaddedBatch(
    source, _scalar(size), rest[:op.get_attr("N")], rest[op.get_attr("N"):-1], _scalar(rest[-1])))
_register("ShuffleDataset", lambda op, rt: lambda source, size, seed, seed2: pipeline.Shuffle(
    source, _scalar(size), _scalar(seed), _scalar(seed2), op.get_attr("reshuffle_each_iteration")))
_register("RepeatDataset", lambda op, rt: lambda source, count: pipeline.Repeat(source, _scalar(count)))
_register("TakeDataset", lambda op, rt: lambda source, count: pipeline.Take(source, _scalar(count)))
_register("SkipDataset", lambda op, rt: lambda source, count: pipeline.Skip(source, _scalar(count)))
_register("PrefetchDataset", lambda op, rt: lambda source, size: source)  # same elements, no thread
_register("ConcatenateDataset", lambda op, rt: lambda first, second: pipeline.Concatenate(first, second))
_register("ZipDataset", lambda op, rt: lambda *sources: pipeline.Zip(sources))
# `num_parallel_reads` is an attr of engine's own (TF builds a ParallelInterleaveDatasetV4 over a function
# instead); it is left out of the NodeDef when it is 1, so such graphs are TF's.
registry.register_op(
    "TFRecordDataset", infer=_infer_variant, stateful=True, attrs={"num_parallel_reads": 1},
    compile=lambda op, rt: lambda names, compression, size: pipeline.TFRecords(
        names, compression, op.get_attr("num_parallel_reads")))
_register("FixedLengthRecordDatasetV2", lambda op, rt: pipeline.FixedLengthRecords)
_register("CacheDataset", lambda op, rt: pipeline.Cache)
_register("TextLineDataset", lambda op, rt: lambda names, compression, size: pipeline.TextLines(
    names, compression))


def _function_kernel(make):
    """`compile` of MapDataset/FilterDataset: the traced function becomes one callable of the session,
    made on first use (the session may not have run anything else yet)."""

    def build(op, runtime):
        args, outputs = op._traced_function
        callable_ = []

        def function(*values):
            if not callable_:
                callable_.append(runtime.session.make_callable(outputs, feed_list=args))
            return callable_[0](*values)

        return lambda source, *inputs: make(source, function, *inputs)

    return build


_register("MapDataset", _function_kernel(pipeline.Map))
_register("FilterDataset", _function_kernel(pipeline.Filter))
_register("FlatMapDataset", _function_kernel(pipeline.FlatMap))
_register("InterleaveDataset", _function_kernel(lambda source, function, cycle, block: pipeline.FlatMap(
    source, function, _scalar(cycle), _scalar(block))))
_register("UnbatchDataset", lambda op, rt: pipeline.Unbatch)
_register("GeneratorDataset", lambda op, rt: lambda: pipeline.Generator(
    op._generator, op._generator_specs,
    lambda value: _flatten_like(op._generator_specs, value)))


def _flatten_like(specs, value):
    """The components of a generator's value, which must nest as `specs` (a list counts as a tuple)."""
    if isinstance(specs, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(specs):
            raise TypeError("structure")
        return [leaf for s, v in zip(specs, value, strict=True) for leaf in _flatten_like(s, v)]
    if isinstance(specs, dict):
        if not isinstance(value, dict) or set(value) != set(specs):
            raise TypeError("structure")
        return [leaf for key in sorted(specs) for leaf in _flatten_like(specs[key], value[key])]
    return [value]


# --- the Dataset classes ----------------------------------------------------------------------------
def _structure_attrs(specs):
    flat = structure.flatten(specs)
    return {"output_types": [s.dtype for s in flat], "output_shapes": [s.shape for s in flat]}


def _normalize(element, name="normalize_element"):
    """The Tensors of a nested element (numpy arrays and lists become Consts `component_i`, as TF's)."""
    with ops.name_scope(name):
        flat = [t if isinstance(t, ops.Tensor) else ops.convert_to_tensor(t, name=f"component_{i}")
                for i, t in enumerate(structure.flatten(element))]
    return structure.pack_as(element, flat)


def _common_shape(a, b):
    """The most specific shape both `a` and `b` have (TF's `most_specific_compatible_shape`)."""
    if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
        return _ts.unknown_shape()
    return _ts.TensorShape([x if x == y else None for x, y in zip(a._as_tuple(), b._as_tuple(), strict=True)])


def _flatten_up_to(specs, values):
    """The leaves of `values` (padded shapes, padding values) at the leaves of the element structure `specs`;
    a value standing for a whole component may itself be a list (a shape)."""
    if isinstance(specs, dict):
        return [leaf for key in sorted(specs) for leaf in _flatten_up_to(specs[key], values[key])]
    if isinstance(specs, tuple):
        if len(values) != len(specs):
            raise ValueError(f"The two structures don't have the same sequence length. Input structure has "
                             f"length {len(values)}, while shallow structure has length {len(specs)}.")
        return [leaf for s, v in zip(specs, values, strict=True) for leaf in _flatten_up_to(s, v)]
    return [values]


class Dataset(structure.HasElementStructure):
    """``tf.data.Dataset`` (TF 1.x's DatasetV1): a sequence of elements built by graph ops."""

    def __init__(self, variant, specs):
        self._variant_tensor = variant
        self._specs = specs  # the element structure with a Spec(dtype, shape) per component

    def _make(self, op_type, inputs, specs, name=None, attrs=None):
        variant = make_tensor(op_type, [self._variant_tensor, *inputs], name=name or op_type,
                              attrs={**(attrs or {}), **_structure_attrs(specs)})
        return Dataset(variant, specs)

    def __iter__(self):
        raise RuntimeError("`tf.data.Dataset` only supports Python-style iteration in eager mode or within "
                           "tf.function.")

    # --- sources
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """One element per row (first dimension) of every component of `tensors`."""
        tensors = _normalize(tensors)
        flat = structure.flatten(tensors)
        for t in flat:
            if t.shape.ndims == 0:
                raise ValueError(f"Unbatching a tensor is only supported for rank >= 1, got {t}")
        known = {t.shape._as_tuple()[0] for t in flat if t.shape.ndims} - {None}
        if len(known) > 1:
            sizes = sorted(known)
            raise ValueError(f"Dimensions {sizes[0]} and {sizes[1]} are not compatible")
        specs = structure.map_structure(lambda t: Spec(t.dtype.base_dtype, t.shape[1:]), tensors)
        variant = make_tensor("TensorSliceDataset", flat, name=name or "TensorSliceDataset", attrs={
            "Toutput_types": [t.dtype.base_dtype for t in flat], **_structure_attrs(specs)})
        return Dataset(variant, specs)

    @staticmethod
    def from_tensors(tensors, name=None):
        """A single element, `tensors` itself."""
        tensors = _normalize(tensors)
        flat = structure.flatten(tensors)
        specs = structure.map_structure(lambda t: Spec(t.dtype.base_dtype, t.shape), tensors)
        variant = make_tensor("TensorDataset", flat, name=name or "TensorDataset", attrs={
            "Toutput_types": [t.dtype.base_dtype for t in flat], **_structure_attrs(specs)})
        return Dataset(variant, specs)

    @staticmethod
    def range(*args, output_type=dtypes.int64, name=None):
        """``range(stop)``, ``range(start, stop[, step])``: int64 scalars, as Python's range."""
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Invalid arguments to RangeDataset: {args}")
        start, stop, step = (0, args[0], 1) if len(args) == 1 else (*args, 1)[:3]
        inputs = [ops.convert_to_tensor(v, dtype=dtypes.int64, name=n) if not isinstance(v, ops.Tensor)
                  else v for v, n in ((start, "start"), (stop, "stop"), (step, "step"))]
        specs = Spec(dtypes.as_dtype(output_type), _SCALAR)
        if specs.dtype != dtypes.int64:
            raise ValueError("engine's Dataset.range makes int64 elements only")
        return Dataset(make_tensor("RangeDataset", inputs, name=name or "RangeDataset",
                                   attrs=_structure_attrs(specs)), specs)

    @staticmethod
    def zip(datasets, name=None):
        """Elements of several datasets side by side, in the nesting of `datasets`; ends with the shortest."""
        flat = structure.flatten(datasets)
        for d in flat:
            if not isinstance(d, Dataset):
                raise TypeError(f"Invalid `datasets`. `datasets` is expected to be a (nested) structure of "
                                f"`tf.data.Dataset` objects. Encountered object with type {type(d)}.")
        specs = structure.pack_as(datasets, [d._specs for d in flat])
        variant = make_tensor("ZipDataset", [d._variant_tensor for d in flat], name=name or "ZipDataset",
                              attrs={"N": len(flat), **_structure_attrs(specs)})
        return Dataset(variant, specs)

    # --- transformations
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Applies `map_func` to each element (traced once; see the module docstring)."""
        args, outputs, specs = self._trace(map_func, "MapDataset")
        dataset = self._make("MapDataset", [], specs, name=name, attrs={
            "Targuments": [], "use_inter_op_parallelism": True, "preserve_cardinality": True})
        dataset._variant_tensor.op._traced_function = (args, outputs)
        return dataset

    def filter(self, predicate, name=None):
        """The elements for which `predicate` gives True (a scalar tf.bool)."""
        args, outputs, specs = self._trace(predicate, "FilterDataset")
        if not isinstance(specs, Spec) or specs.dtype != dtypes.bool or specs.shape.ndims != 0:
            raise ValueError("Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but "
                             f"its return type was {structure.map_structure(lambda s: s.dtype, specs)}.")
        dataset = self._make("FilterDataset", [], self._specs, name=name, attrs={"Targuments": []})
        dataset._variant_tensor.op._traced_function = (args, outputs)
        return dataset

    def _trace(self, fn, scope, returns_dataset=False):
        """(placeholders, output tensors, output specs) of `fn` called on this dataset's element structure.
        A tuple element is passed as separate arguments, any other structure as one, as TF does. With
        `returns_dataset`, `fn` must return a Dataset: its variant is the one output, its specs the specs."""
        graph = ops.get_default_graph()
        with ops.name_scope(graph.unique_name(scope, mark_as_used=False) + "/fn"):
            flat_specs = structure.flatten(self._specs)
            args = [placeholder(s.dtype, s.shape, name=f"arg{i}") for i, s in enumerate(flat_specs)]
            element = structure.pack_as(self._specs, args)
            result = fn(*element) if type(element) is tuple else fn(element)
            if returns_dataset:
                if not isinstance(result, Dataset):
                    raise TypeError("The `map_func` argument must return a `Dataset` object. Got "
                                    f"{type(result)}.")
                return args, [result._variant_tensor], result._specs
            if isinstance(result, list):
                result = tuple(result)
            result = _normalize(result, "output")
        flat = structure.flatten(result)
        return args, flat, structure.map_structure(lambda t: Spec(t.dtype.base_dtype, t.shape), result)

    def flat_map(self, map_func, name=None):
        """The elements of the dataset `map_func` returns for each element, one dataset after another."""
        args, outputs, specs = self._trace(map_func, "FlatMapDataset", returns_dataset=True)
        dataset = self._make("FlatMapDataset", [], specs, name=name, attrs={"Targuments": []})
        dataset._variant_tensor.op._traced_function = (args, outputs)
        return dataset

    def interleave(self, map_func, cycle_length=None, block_length=None, num_parallel_calls=None,
                   deterministic=None, name=None):
        """`flat_map` with `cycle_length` datasets open at once, `block_length` elements from each in turn
        (TF's order; the calls run one at a time)."""
        args, outputs, specs = self._trace(map_func, "InterleaveDataset", returns_dataset=True)
        if cycle_length is None or cycle_length == -1:  # TF: AUTOTUNE picks the number of CPU cores
            cycle_length = os.cpu_count() or 1
        cycle = ops.convert_to_tensor(cycle_length, dtype=dtypes.int64, name="cycle_length")
        block = ops.convert_to_tensor(1 if block_length is None else block_length, dtype=dtypes.int64,
                                      name="block_length")
        dataset = self._make("InterleaveDataset", [cycle, block], specs, name=name, attrs={"Targuments": []})
        dataset._variant_tensor.op._traced_function = (args, outputs)
        return dataset

    def unbatch(self, name=None):
        """Each row (first-axis slice) of each element as an element of its own."""
        for s in structure.flatten(self._specs):
            if s.shape.ndims == 0:
                raise ValueError("Cannot unbatch an input with scalar components.")
        specs = structure.map_structure(lambda s: Spec(s.dtype, s.shape[1:]), self._specs)
        return self._make("UnbatchDataset", [], specs, name=name)

    @staticmethod
    def from_generator(generator, output_types, output_shapes=None, args=None, output_signature=None,
                       name=None):
        """The values of `generator()` (called anew for each pass), converted to `output_types`; known
        dims of `output_shapes` are checked. `args` are passed to the call (as numpy values)."""
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_types is None:
            raise TypeError("The `output_types` argument can not be None.")
        if output_shapes is None:
            output_shapes = structure.map_structure(lambda _: _ts.unknown_shape(), output_types)
        structure.assert_same_structure(output_types, output_shapes)
        shapes = iter(structure.flatten(output_shapes))
        specs = structure.map_structure(lambda t: Spec(dtypes.as_dtype(t), _ts.as_shape(next(shapes))),
                                        output_types)
        call = generator if args is None else (lambda: generator(*[np.asarray(a) for a in args]))
        variant = make_tensor("GeneratorDataset", [], name=name or "GeneratorDataset", attrs={
            "Tinit_func_args": [], "Tnext_func_args": [], "Tfinalize_func_args": [],
            **_structure_attrs(specs)})
        variant.op._generator = call
        variant.op._generator_specs = specs
        return Dataset(variant, specs)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None, name=None):
        """Consecutive elements stacked into batches of `batch_size` (the last one shorter unless dropped)."""
        size = ops.convert_to_tensor(batch_size, dtype=dtypes.int64, name="batch_size")
        drop = ops.convert_to_tensor(drop_remainder, dtype=dtypes.bool, name="drop_remainder")
        known_size, known_drop = tensor_util.constant_value(size), tensor_util.constant_value(drop)
        first = int(known_size) if known_size is not None and known_drop is not None and bool(known_drop) \
            else None
        specs = structure.map_structure(
            lambda s: Spec(s.dtype, _ts.TensorShape([first]).concatenate(s.shape)), self._specs)
        return self._make("BatchDatasetV2", [size, drop], specs, name=name, attrs={"parallel_copy": False})

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False,
                     name=None):
        """Batches of elements padded to `padded_shapes` (None or -1 dims: the batch's largest; default:
        every dim) with `padding_values` (default 0, or b"" for strings), in the element's structure."""
        flat = structure.flatten(self._specs)
        if padded_shapes is None:
            shapes = [s.shape for s in flat]
            if any(s.ndims is None for s in shapes):
                raise ValueError("You must provide `padded_shapes` argument because component 0 has unknown "
                                 "rank.")
        else:
            shapes = [s if isinstance(s, _ts.TensorShape) else
                      _ts.TensorShape([None if d == -1 else d for d in s])
                      for s in _flatten_up_to(self._specs, padded_shapes)]
        for spec, shape in zip(flat, shapes, strict=True):
            if not spec.shape.is_compatible_with(_ts.TensorShape([None] * shape.ndims)):
                raise ValueError(f"The padded shape {shape} is not compatible with the shape {spec.shape} of "
                                 "the corresponding input component.")
        values = [None] * len(flat) if padding_values is None else _flatten_up_to(self._specs, padding_values)
        with ops.name_scope(None):
            size = ops.convert_to_tensor(batch_size, dtype=dtypes.int64, name="batch_size")
            shape_inputs = [ops.convert_to_tensor([-1 if d is None else d for d in s._as_tuple()],
                                                  dtype=dtypes.int64, name="padded_shapes") for s in shapes]
            value_inputs = [ops.convert_to_tensor(
                (b"" if spec.dtype == dtypes.string else 0) if v is None else v, dtype=spec.dtype,
                name="padding_value") for spec, v in zip(flat, values, strict=True)]
            drop = ops.convert_to_tensor(drop_remainder, dtype=dtypes.bool, name="drop_remainder")
        known_size, known_drop = tensor_util.constant_value(size), tensor_util.constant_value(drop)
        first = int(known_size) if known_size is not None and known_drop is not None and bool(known_drop) \
            else None
        padded = iter(shapes)
        specs = structure.map_structure(
            lambda s: Spec(s.dtype, _ts.TensorShape([first]).concatenate(next(padded))), self._specs)
        return self._make("PaddedBatchDatasetV2", [size, *shape_inputs, *value_inputs, drop], specs,
                          name=name, attrs={"parallel_copy": False, "Toutput_types": [s.dtype for s in flat],
                                            "N": len(flat)})

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None, name=None):
        """Elements in a random order drawn from a buffer of `buffer_size` (see pipeline.Shuffle)."""
        size = ops.convert_to_tensor(buffer_size, dtype=dtypes.int64, name="buffer_size")
        seed, seed2 = random_seed.get_seed(seed)
        seed_t = ops.convert_to_tensor(seed or 0, dtype=dtypes.int64, name="seed")
        seed2_t = ops.convert_to_tensor(seed2 or 0, dtype=dtypes.int64, name="seed2")
        reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        return self._make("ShuffleDataset", [size, seed_t, seed2_t], self._specs, name=name,
                          attrs={"reshuffle_each_iteration": reshuffle})

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None):
        """The file names matching the glob pattern(s), sorted, then shuffled (unless `shuffle=False`) with
        a buffer holding them all.  Deviation: no match gives an empty dataset without TF's "No files
        matched pattern" assertion (TF 2.21's v1 graphs end with OutOfRangeError there too)."""
        with ops.name_scope("list_files"):
            pattern = ops.convert_to_tensor(file_pattern, dtype=dtypes.string, name="file_pattern")
            matching = file_ops.matching_files(pattern)
            dataset = Dataset.from_tensor_slices(matching)
            if shuffle is None or shuffle:
                count = array_ops.shape_v1(matching, out_type=dtypes.int64)[0]
                dataset = dataset.shuffle(math_ops.maximum(count, ops.convert_to_tensor(1, dtypes.int64)),
                                          seed=seed)
            return dataset

    @property
    def element_spec(self):
        """The element structure with a `tf.TensorSpec` per component."""
        return structure.map_structure(lambda s: TensorSpec(s.shape, s.dtype), self._specs)

    def repeat(self, count=None, name=None):
        """The elements `count` times over (forever when None or -1)."""
        count = ops.convert_to_tensor(-1 if count is None else count, dtype=dtypes.int64, name="count")
        return self._make("RepeatDataset", [count], self._specs, name=name)

    def take(self, count, name=None):
        """At most `count` elements (all of them for -1)."""
        count = ops.convert_to_tensor(count, dtype=dtypes.int64, name="count")
        return self._make("TakeDataset", [count], self._specs, name=name)

    def skip(self, count, name=None):
        """All but the first `count` elements (none for -1)."""
        count = ops.convert_to_tensor(count, dtype=dtypes.int64, name="count")
        return self._make("SkipDataset", [count], self._specs, name=name)

    def prefetch(self, buffer_size, name=None):
        """The same elements (TF overlaps producing them with their use; see the module docstring)."""
        size = ops.convert_to_tensor(buffer_size, dtype=dtypes.int64, name="buffer_size")
        return self._make("PrefetchDataset", [size], self._specs, name=name)

    def concatenate(self, dataset, name=None):
        """This dataset's elements, then `dataset`'s (same structure and dtypes)."""
        try:
            structure.assert_same_structure(self._specs, dataset._specs)
        except ValueError:
            raise TypeError(f"Incompatible dataset elements:\n  {self.output_types} vs.   "
                            f"{dataset.output_types}") from None
        mine, theirs = structure.flatten(self._specs), structure.flatten(dataset._specs)
        if [s.dtype for s in mine] != [s.dtype for s in theirs]:
            raise TypeError(f"Incompatible dataset elements:\n  {self.output_types} vs.   "
                            f"{dataset.output_types}")
        specs = structure.pack_as(self._specs, [Spec(a.dtype, _common_shape(a.shape, b.shape))
                                                for a, b in zip(mine, theirs, strict=True)])
        variant = make_tensor("ConcatenateDataset", [self._variant_tensor, dataset._variant_tensor],
                              name=name or "ConcatenateDataset", attrs=_structure_attrs(specs))
        return Dataset(variant, specs)

    def cache(self, filename="", name=None):
        """The elements of the first complete pass, replayed by later passes: in memory (for one iterator's
        lifetime: a re-initialised iterator starts a new cache, as in TF 1.x), or in TF's cache files under
        `filename`, which later iterators and sessions (and TF) read instead of the input."""
        name_t = ops.convert_to_tensor(filename, dtype=dtypes.string, name="filename")
        return self._make("CacheDataset", [name_t], self._specs, name=name)

    def apply(self, transformation_func):
        """``transformation_func(self)``, which must return a Dataset."""
        dataset = transformation_func(self)
        if not isinstance(dataset, Dataset):
            raise TypeError("`transformation_func` must return a `tf.data.Dataset` object. Got "
                            f"{type(dataset)}.")
        return dataset

    # --- iterators (engine/data/iterator_ops.py)
    def make_one_shot_iterator(self):
        """An iterator over this dataset that needs no initialization (it starts at its first run)."""
        from engine.data.iterator_ops import Iterator  # iterator_ops imports this module

        return Iterator._one_shot(self)

    def make_initializable_iterator(self, shared_name=None):
        """An iterator that `sess.run(iterator.initializer)` (re)starts, with that run's feeds."""
        from engine.data.iterator_ops import Iterator

        return Iterator._initializable(self, shared_name)


class _ReaderDataset(Dataset):
    """A dataset of the string records of files (TFRecordDataset, TextLineDataset)."""

    _op_type = ""

    def __init__(self, filenames, compression_type=None, buffer_size=None, attrs=None):
        names = ops.convert_to_tensor(filenames, dtype=dtypes.string, name="filenames")
        if names.shape.ndims not in (None, 0, 1):
            raise TypeError("`filenames` must be a `tf.Tensor` of dtype `tf.string` and rank 0 or 1.")
        compression = ops.convert_to_tensor(compression_type or "", dtype=dtypes.string,
                                            name="compression_type")
        size = ops.convert_to_tensor(256 * 1024 if buffer_size is None else buffer_size, dtype=dtypes.int64,
                                     name="buffer_size")
        specs = Spec(dtypes.string, _SCALAR)
        super().__init__(make_tensor(self._op_type, [names, compression, size], name=self._op_type,
                                     attrs=attrs), specs)


class TFRecordDataset(_ReaderDataset):
    """``tf.data.TFRecordDataset(filenames, compression_type=None, buffer_size=None,
    num_parallel_reads=None)``: the records of TFRecord files; with `num_parallel_reads` k > 1, k files
    interleaved record by record (TF's order), read in one thread."""

    _op_type = "TFRecordDataset"

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None):
        reads = 1 if num_parallel_reads is None else int(num_parallel_reads)
        if reads < 1:
            raise ValueError(f"num_parallel_reads must be positive, got {num_parallel_reads}")
        super().__init__(filenames, compression_type, buffer_size,
                         attrs={"num_parallel_reads": reads} if reads > 1 else None)


class TextLineDataset(_ReaderDataset):
    """``tf.data.TextLineDataset(filenames, compression_type=None, buffer_size=None)``: the lines of text
    files, without their line ends."""

    _op_type = "TextLineDataset"


class FixedLengthRecordDataset(Dataset):
    """``tf.data.FixedLengthRecordDataset(filenames, record_bytes, header_bytes=None, footer_bytes=None,
    buffer_size=None, compression_type=None)``: fixed-size string records of binary files."""

    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None, buffer_size=None,
                 compression_type=None, num_parallel_reads=None, name=None):
        names = ops.convert_to_tensor(filenames, dtype=dtypes.string, name="filenames")
        inputs = [names]
        for value, arg in ((header_bytes, "header_bytes"), (record_bytes, "record_bytes"),
                           (footer_bytes, "footer_bytes"), (buffer_size, "buffer_size")):
            inputs.append(ops.convert_to_tensor(0 if value is None else value, dtype=dtypes.int64, name=arg))
        inputs.append(ops.convert_to_tensor(compression_type or "", dtype=dtypes.string,
                                            name="compression_type"))
        specs = Spec(dtypes.string, _SCALAR)
        super().__init__(make_tensor("FixedLengthRecordDatasetV2", inputs, name="FixedLengthRecordDatasetV2"),
                         specs)
