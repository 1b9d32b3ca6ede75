"""TF 1.x dataset iterators: `tf.data.Iterator`, one-shot and initializable, with TF's ops.

* `IteratorV2` (a `resource`) is the iterator; each session keeps its own state for it (the op's compiled
  kernel holds an `_IteratorState`), so two sessions iterate independently, as in TF.
* `MakeIterator(dataset, iterator)` is an initializer: it starts a new pass over the dataset value its run
  computed (with that run's feeds), so re-running it restarts or switches datasets.
* `IteratorGetNext(iterator)` gives the next element, `OutOfRangeError("End of sequence")` after the last
  (and on every later call), `FailedPreconditionError` before any initializer ran.
* `IteratorToStringHandle(iterator)` names an iterator of the session; `IteratorFromStringHandleV2(handle)`
  is the iterator a fed handle names (feedable iterators). The handle is engine's own text, not TF's
  serialized ResourceHandleProto (it only has to round-trip through a feed in the same session).
* `OneShotIterator(dataset)` starts its pass the first time it runs in a session. Deviation: TF's op
  takes no input (it rebuilds the dataset from a function attr); ours takes the dataset variant.
"""

from __future__ import annotations

import weakref

from engine.data import structure
from engine.data.dataset_ops import _structure_attrs
from engine.data.structure import Spec
from engine.framework import dtypes, errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.ops.op_util import make_op, make_tensor

_NOT_INITIALIZED = ("GetNext() failed because the iterator has not been initialized. Ensure that you have "
                    "run the initializer operation for this iterator before getting the next element.")


class _IteratorState:
    """One session's position in one iterator: a pass over a pipeline (engine/data/pipeline.py)."""

    __slots__ = ("elements", "handle")

    def __init__(self):
        self.elements = None
        self.handle = None  # its string handle, once `string_handle()` ran in the session

    def start(self, dataset):
        self.elements = dataset.elements()

    def next(self):
        if self.elements is None:
            raise errors.FailedPreconditionError(None, None, _NOT_INITIALIZED)
        element = next(self.elements, None)
        if element is None:
            raise errors.OutOfRangeError(None, None, "End of sequence")
        return element


def _infer_resource(op):
    return [(dtypes.resource, _ts.TensorShape([]))]


def _compile_iterator(op, runtime):
    state = _IteratorState()
    return lambda: state


def _compile_one_shot(op, runtime):
    state = _IteratorState()

    def kernel(dataset):
        if state.elements is None:
            state.start(dataset)
        return state

    return kernel


def _make_iterator(dataset, state):
    state.start(dataset)


def _infer_get_next(op):
    return list(zip(op.get_attr("output_types"), op.get_attr("output_shapes"), strict=True))


def _compile_get_next(op, runtime):
    if len(op.outputs) == 1:
        return lambda state: state.next()[0]
    return lambda state: state.next()


# Each session's iterators by string handle (feedable iterators), kept as long as the session's runtime.
_HANDLES = weakref.WeakKeyDictionary()


def _compile_to_handle(op, runtime):
    handles = _HANDLES.setdefault(runtime, {})

    def kernel(state):
        if state.handle is None:
            state.handle = f"engine-iterator:{len(handles)}:{op.inputs[0].op.name}".encode()
            handles[state.handle] = state
        return state.handle

    return kernel


def _compile_from_handle(op, runtime):
    handles = _HANDLES.setdefault(runtime, {})

    def kernel(handle):
        key = handle[()] if hasattr(handle, "shape") else handle
        key = key.encode() if isinstance(key, str) else bytes(key)
        state = handles.get(key)
        if state is None:
            raise errors.InvalidArgumentError(
                None, None, f"Could not find an iterator of this session with string handle {key!r}: "
                "feed the value an iterator's string_handle() gave in this session.")
        return state

    return kernel


_ITERATOR_ATTRS = {"shared_name": "", "container": ""}
registry.register_op("IteratorV2", infer=_infer_resource, compile=_compile_iterator, stateful=True,
                     attrs=_ITERATOR_ATTRS)
registry.register_op("OneShotIterator", infer=_infer_resource, compile=_compile_one_shot, stateful=True,
                     attrs=_ITERATOR_ATTRS)
registry.register_op("MakeIterator", infer=lambda op: [], kernel=_make_iterator, stateful=True,
                     inputs=("dataset", "iterator"))
registry.register_op("IteratorToStringHandle", infer=lambda op: [(dtypes.string, _ts.TensorShape([]))],
                     compile=_compile_to_handle, stateful=True, inputs=("resource_handle",))
registry.register_op("IteratorFromStringHandleV2", infer=_infer_resource, compile=_compile_from_handle,
                     stateful=True, inputs=("string_handle",))
registry.register_op("IteratorGetNext", infer=_infer_get_next, compile=_compile_get_next, stateful=True,
                     inputs=("iterator",))


def _specs_from(output_types, output_shapes):
    if output_shapes is None:
        output_shapes = structure.map_structure(lambda _: _ts.unknown_shape(), output_types)
    structure.assert_same_structure(output_types, output_shapes)
    shapes = iter(structure.flatten(output_shapes))
    return structure.map_structure(lambda t: Spec(dtypes.as_dtype(t), _ts.as_shape(next(shapes))),
                                   output_types)


class Iterator(structure.HasElementStructure):
    """``tf.data.Iterator`` (TF 1.x): `get_next()` ops over a dataset, started by `initializer`."""

    def __init__(self, iterator_resource, initializer, output_types, output_shapes, output_classes=None):
        self._iterator_resource = iterator_resource
        self._initializer = initializer
        self._specs = _specs_from(output_types, output_shapes)
        self._string_handle = None

    @classmethod
    def _with_specs(cls, resource, initializer, specs):
        return cls(resource, initializer, structure.map_structure(lambda s: s.dtype, specs),
                   structure.map_structure(lambda s: s.shape, specs))

    @classmethod
    def _one_shot(cls, dataset):
        resource = make_tensor("OneShotIterator", [dataset._variant_tensor], name="OneShotIterator",
                               attrs={**_ITERATOR_ATTRS, **_structure_attrs(dataset._specs)})
        return cls._with_specs(resource, None, dataset._specs)

    @classmethod
    def _initializable(cls, dataset, shared_name=None):
        resource = make_tensor("IteratorV2", [], name="IteratorV2", attrs={
            "shared_name": shared_name or "", "container": "", **_structure_attrs(dataset._specs)})
        initializer = make_op("MakeIterator", [dataset._variant_tensor, resource], name="MakeIterator")
        return cls._with_specs(resource, initializer, dataset._specs)

    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None, output_classes=None):
        """An iterator of the given element structure, not bound to a dataset: `make_initializer(d)` makes
        an op that (re)starts it over `d` (switching between training and validation data)."""
        specs = _specs_from(output_types, output_shapes)
        resource = make_tensor("IteratorV2", [], name="IteratorV2", attrs={
            "shared_name": shared_name or "", "container": "", **_structure_attrs(specs)})
        return Iterator._with_specs(resource, None, specs)

    @staticmethod
    def from_string_handle(string_handle, output_types, output_shapes=None, output_classes=None):
        """A feedable iterator: `get_next()` reads whichever iterator's `string_handle()` value is fed to
        `string_handle` (a scalar tf.string), e.g. to switch between training and validation iterators."""
        specs = _specs_from(output_types, output_shapes)
        handle = ops.convert_to_tensor(string_handle, dtype=dtypes.string)
        resource = make_tensor("IteratorFromStringHandleV2", [handle], name="IteratorFromStringHandleV2",
                               attrs=_structure_attrs(specs))
        return Iterator._with_specs(resource, None, specs)

    def string_handle(self, name=None):
        """A scalar tf.string naming this iterator in the session, to feed a `from_string_handle` iterator."""
        if name is None and self._string_handle is not None:
            return self._string_handle
        handle = make_tensor("IteratorToStringHandle", [self._iterator_resource],
                             name=name or "IteratorToStringHandle")
        if name is None:
            self._string_handle = handle
        return handle

    @property
    def initializer(self):
        if self._initializer is None:
            raise ValueError("Iterator does not have an initializer.")
        return self._initializer

    def make_initializer(self, dataset, name=None):
        """An op that starts this iterator over `dataset`, whose structure and dtypes must be this one's."""
        with ops.name_scope(name, "make_initializer") as scope:
            types_differ = TypeError(f"Expected output types {self.output_types!r} but got dataset with "
                                     f"output types {dataset.output_types!r}.")
            try:
                structure.assert_same_structure(self._specs, dataset._specs)
            except ValueError:
                raise types_differ from None
            mine, theirs = structure.flatten(self._specs), structure.flatten(dataset._specs)
            if [s.dtype for s in mine] != [s.dtype for s in theirs]:
                raise types_differ
            if not all(a.shape.is_compatible_with(b.shape) for a, b in zip(mine, theirs, strict=True)):
                raise TypeError(f"Expected output shapes compatible with {self.output_shapes!r} but got "
                                f"dataset with output shapes {dataset.output_shapes!r}.")
            return make_op("MakeIterator", [dataset._variant_tensor, self._iterator_resource], name=scope)

    def get_next(self, name=None):
        """The next element's Tensors, in the element structure (one `IteratorGetNext` op)."""
        flat = structure.flatten(self._specs)
        op = make_op("IteratorGetNext", [self._iterator_resource], name=name or "IteratorGetNext",
                     attrs=_structure_attrs(self._specs))
        return structure.pack_as(self._specs, op.outputs[: len(flat)])


def make_one_shot_iterator(dataset):
    """``tf.data.make_one_shot_iterator(dataset)``."""
    return dataset.make_one_shot_iterator()


def make_initializable_iterator(dataset, shared_name=None):
    """``tf.data.make_initializable_iterator(dataset, shared_name=None)``."""
    return dataset.make_initializable_iterator(shared_name)


def get_output_types(dataset_or_iterator):
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator):
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator):
    return dataset_or_iterator.output_classes

