"""`tf.train.Saver`: saves and restores variables as TensorFlow V2 checkpoints.

Building a Saver adds TensorFlow's save/restore subgraph to the graph, with TF's names, so the
GraphDef and the `.meta` file look like TensorFlow's and TensorFlow can use our files (and we theirs):

    save/filename/input       Const "model"
    save/filename, save/Const PlaceholderWithDefault (the checkpoint prefix is fed to save/Const:0)
    save/SaveV2               SaveV2(save/Const, save/SaveV2/tensor_names, .../shape_and_slices, v1, v2...)
    save/control_dependency   Identity(save/Const), runs after save/SaveV2
    save/RestoreV2            RestoreV2(save/Const, save/RestoreV2/tensor_names, ...): one output per key
    save/Assign, _1, ...      Assign(v, save/RestoreV2:i) for reference variables, or
                              save/Identity + save/AssignVariableOp for resource variables
    save/restore_all          NoOp after every assign

`save` feeds the checkpoint prefix to `save/Const:0` and fetches `save/control_dependency:0`;
`restore` feeds it and runs `save/restore_all` (the names are in `saver_def`).

Files are made crash-safe: the bundle first (engine/train/checkpoint_bundle.py: both files under
temporary names, the data file under a name the current index does not use, the index renamed last),
then the `.meta` (temporary name + rename), and the `checkpoint` state file last (temporary name +
rename). So an exception, crash or SIGKILL at any point, also while overwriting the same prefix,
leaves a checkpoint that restores (the previous one or the new one, never a mix) and
`latest_checkpoint` naming it; temporary files a killed save left are removed by the next save of
that prefix. (TensorFlow writes the state file before the `.meta`.)

A `save_path` that is a URL (``s3://bucket/model.ckpt``, ``gs://``, any fsspec filesystem) is saved
in a local staging folder as above, then uploaded: data shards, the `.meta`, the `.index` (whose
presence makes the checkpoint exist), and the `checkpoint` state file last, each file in one PUT (an
object appears whole or not at all). Restoring from a URL downloads the index and data first.

Not supported: V1 checkpoints (`write_version=SaverDef.V1`), sharded saving (`sharded=True` is
accepted and saves one shard), partitioned variables, eager mode.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time

import numpy as np

from engine.framework import errors, ops
from engine.gfile import is_remote_path, remote_filesystem
from engine.ops import (
    array_ops,
    constant_op,
    control_flow_ops,
    io_ops,  # noqa: F401 - registers SaveV2 / RestoreV2
    state_ops,
)
from engine.ops.op_util import make_op
from engine.proto import saver_pb2
from engine.train import checkpoint_management, meta_graph

_logger = logging.getLogger(__name__)

_VARIABLE_OP_TYPES = ("Variable", "VariableV2", "VarHandleOp")


class _Saveable:
    """One variable as the Saver sees it: the checkpoint key, the tensor to save, how to restore."""

    def __init__(self, name, variable):
        self.name = name
        self.variable = variable
        handle = variable if isinstance(variable, ops.Tensor) else _variable_tensor(variable)
        self.op = handle.op
        self.handle = handle
        if self.op.type not in _VARIABLE_OP_TYPES:
            raise TypeError(f"Variable to save is not a Variable: {variable}")
        if self.op.type == "VarHandleOp":
            self.dtype = self.op.get_attr("dtype")
            self.tensor = _snapshot(variable, handle)
        else:
            self.dtype = handle.dtype.base_dtype
            self.tensor = handle  # the ref itself: SaveV2 reads the variable's current value

    def restore(self, restored, reshape):
        if self.op.type == "VarHandleOp":
            if reshape:
                restored = array_ops.reshape(restored, self.op.get_attr("shape").as_list())
            restored = array_ops.identity(restored)
            return make_op(
                "AssignVariableOp",
                [self.handle, restored],
                name="AssignVariableOp",
                attrs={"dtype": self.dtype, "validate_shape": False},
            )
        shape = self.handle.shape
        if reshape:
            restored = array_ops.reshape(restored, shape.as_list())
        return state_ops.assign(
            self.handle, restored, validate_shape=not reshape and shape.is_fully_defined()
        ).op


def _variable_tensor(variable):
    """The tensor that is the variable (VariableV2 ref or VarHandleOp handle) behind a Variable object."""
    ref = getattr(variable, "_ref", None)
    if callable(ref):
        return ref()
    handle = getattr(variable, "handle", None)
    if isinstance(handle, ops.Tensor):
        return handle
    raise TypeError(f"Variable to save is not a Variable: {variable}")


def _snapshot(variable, handle):
    value = getattr(variable, "_graph_element", None)
    if isinstance(value, ops.Tensor):
        return value
    if not isinstance(variable, ops.Tensor) and callable(getattr(variable, "value", None)):
        return variable.value()
    return make_op(
        "ReadVariableOp", [handle], name="Read/ReadVariableOp", attrs={"dtype": handle.op.get_attr("dtype")}
    ).outputs[0]


def _checkpoint_key(variable) -> str:
    info = getattr(variable, "_save_slice_info", None)
    if info is not None:
        raise ValueError(f"Variable {variable.op.name} is a slice of a partitioned variable; this engine "
                         "has no partitioned variables and its Saver saves whole variables only")
    return variable.op.name


def _op_list_to_dict(var_list) -> dict:
    """{checkpoint key: variable} for a list or dict of Variables / variable Tensors (TF's rules)."""
    if isinstance(var_list, dict):
        result = {}
        for name, variable in var_list.items():
            if not isinstance(name, str):
                raise TypeError(f"Names of variables must be strings, got {name!r}")
            result[name] = variable
        return result
    if not isinstance(var_list, (list, tuple, set)):
        raise TypeError(f"Variables to save should be passed in a dict or a list: {var_list}")
    result = {}
    for variable in var_list:
        if isinstance(variable, ops.Tensor) and variable.op.type not in _VARIABLE_OP_TYPES:
            raise TypeError(f"Variable to save is not a Variable: {variable}")
        name = _checkpoint_key(variable)
        if name in result:
            if result[name] is variable:
                continue
            raise ValueError(f"At least two variables have the same name: {name}")
        result[name] = variable
    return result


def _string_const(value, name):
    return constant_op.constant(np.array(value, dtype=object), name=name)


def _build_saver_def(var_list, name, reshape, max_to_keep, keep_checkpoint_every_n_hours, filename):
    """Adds the save/restore subgraph for {key: variable} to the default graph; returns its SaverDef."""
    saveables = [_Saveable(key, var_list[key]) for key in sorted(var_list)]
    with ops.name_scope(name, "save", [s.op for s in saveables]):
        filename_tensor = array_ops.placeholder_with_default(filename or "model", shape=(), name="filename")
        # TF keeps the name "Const" for backwards compatibility: it is what saver_def feeds.
        filename_tensor = array_ops.placeholder_with_default(filename_tensor, shape=(), name="Const")
        names = [s.name for s in saveables]
        with ops.name_scope("SaveV2") as save_scope:
            tensor_names = _string_const(names, "tensor_names")
            slices = _string_const([""] * len(names), "shape_and_slices")
            save = make_op(
                "SaveV2",
                [filename_tensor, tensor_names, slices] + [s.tensor for s in saveables],
                name=save_scope,
                attrs={"dtypes": [s.dtype for s in saveables]},
            )
        save_tensor = control_flow_ops.with_dependencies([save], filename_tensor)
        with ops.name_scope("RestoreV2") as restore_scope:
            restore_names = _string_const(names, "tensor_names")
            restore_slices = _string_const([""] * len(names), "shape_and_slices")
            restore = make_op(
                "RestoreV2",
                [filename_tensor, restore_names, restore_slices],
                name=restore_scope,
                attrs={"dtypes": [s.dtype for s in saveables]},
            )
        for op in (restore_names.op, restore_slices.op, restore):
            op._device = "/device:CPU:0"  # TF loads restored tensors on CPU 0 and records it
        assign_ops = [s.restore(t, reshape) for s, t in zip(saveables, restore.outputs, strict=True)]
        restore_op = control_flow_ops.group(*sorted(assign_ops, key=lambda op: op.name), name="restore_all")
    return saver_pb2.SaverDef(
        filename_tensor_name=filename_tensor.name,
        save_tensor_name=save_tensor.name,
        restore_op_name=restore_op.name,
        max_to_keep=max_to_keep,
        keep_checkpoint_every_n_hours=keep_checkpoint_every_n_hours,
        version=saver_pb2.SaverDef.V2,
    )


def _wrap_restore_error(err, what):
    message = (
        f"Restoring from checkpoint failed. This is most likely due to {what} from the checkpoint. "
        "Please ensure that you have not altered the graph expected based on the checkpoint. "
        "Original error:\n\n"
        f"{err.message}"
    )
    return type(err)(err.node_def, err.op, message)


class Saver:
    """Saves and restores variables (TF 1.x `tf.train.Saver`)."""

    def __init__(
        self,
        var_list=None,
        reshape=False,
        sharded=False,
        max_to_keep=5,
        keep_checkpoint_every_n_hours=10000.0,
        name=None,
        restore_sequentially=False,
        saver_def=None,
        builder=None,
        defer_build=False,
        allow_empty=False,
        write_version=saver_pb2.SaverDef.V2,
        pad_step_number=False,
        save_relative_paths=False,
        filename=None,
    ):
        if write_version != saver_pb2.SaverDef.V2:
            raise ValueError("Only V2 checkpoints (write_version=SaverDef.V2) are supported")
        if defer_build and var_list:
            raise ValueError(
                "If `var_list` is provided then build cannot be deferred. Either set defer_build=False or "
                "var_list=None."
            )
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._name = name
        self.saver_def = saver_def
        self._allow_empty = allow_empty
        self._is_built = False
        self._is_empty = None
        self._pad_step_number = pad_step_number
        self._save_relative_paths = save_relative_paths
        self._filename = filename
        self._last_checkpoints = []  # [(path, time)], oldest first
        self._checkpoints_to_be_deleted = []
        self._next_checkpoint_time = None
        if not defer_build:
            self.build()
        if self.saver_def is not None:
            self._check_saver_def()

    # --- building ---------------------------------------------------------------------------------
    def build(self):
        if self._is_built:
            return
        self._is_built = True
        if not self.saver_def:
            var_list = self._var_list
            if var_list is None:
                graph = ops.get_default_graph()
                var_list = graph.get_collection(ops.GraphKeys.GLOBAL_VARIABLES) + graph.get_collection(
                    ops.GraphKeys.SAVEABLE_OBJECTS
                )
            if not var_list:
                if self._allow_empty:
                    self._is_empty = True
                    return
                raise ValueError("No variables to save")
            self._is_empty = False
            self.saver_def = _build_saver_def(
                _op_list_to_dict(var_list),
                self._name,
                self._reshape,
                self._max_to_keep,
                self._keep_checkpoint_every_n_hours,
                self._filename,
            )
        elif self._name:
            # A SaverDef imported under a scope: its tensor names move into that scope.
            for field in ("filename_tensor_name", "save_tensor_name", "restore_op_name"):
                setattr(self.saver_def, field, f"{self._name}/{getattr(self.saver_def, field)}")
        self._check_saver_def()
        self._next_checkpoint_time = time.time() + self.saver_def.keep_checkpoint_every_n_hours * 3600

    def _check_saver_def(self):
        if not isinstance(self.saver_def, saver_pb2.SaverDef):
            raise ValueError(f"saver_def must be a saver_pb2.SaverDef: {self.saver_def}")
        for field in ("filename_tensor_name", "save_tensor_name", "restore_op_name"):
            if not getattr(self.saver_def, field):
                raise ValueError(f"saver_def must specify the {field}: {self.saver_def}")
        if self.saver_def.version not in (saver_pb2.SaverDef.V2, saver_pb2.SaverDef.LEGACY):
            raise ValueError("Only V2 checkpoints are supported")
        if self._is_empty is None:
            self._is_empty = False
        if self._next_checkpoint_time is None:
            self._next_checkpoint_time = time.time() + self.saver_def.keep_checkpoint_every_n_hours * 3600

    def as_saver_def(self):
        return self.saver_def

    def to_proto(self, export_scope=None):
        """The SaverDef with `export_scope/` stripped from its names (None if a name is outside the scope)."""
        if export_scope is None:
            return self.saver_def
        prefix = export_scope + "/"
        names = (
            self.saver_def.filename_tensor_name,
            self.saver_def.save_tensor_name,
            self.saver_def.restore_op_name,
        )
        if not all(n.startswith(prefix) for n in names):
            return None
        saver_def = saver_pb2.SaverDef()
        saver_def.CopyFrom(self.saver_def)
        saver_def.filename_tensor_name = names[0][len(prefix) :]
        saver_def.save_tensor_name = names[1][len(prefix) :]
        saver_def.restore_op_name = names[2][len(prefix) :]
        return saver_def

    @staticmethod
    def from_proto(saver_def, import_scope=None):
        return Saver(saver_def=saver_def, name=import_scope)

    # --- bookkeeping of recent checkpoints --------------------------------------------------------
    @property
    def last_checkpoints(self):
        """Paths of the checkpoints not yet deleted, oldest first."""
        return [path for path, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints):
        if not isinstance(last_checkpoints, list):
            raise TypeError("last_checkpoints must be a list")
        self._last_checkpoints = [(path, None) for path in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time):
        if not isinstance(last_checkpoints_with_time, list):
            raise TypeError("last_checkpoints_with_time must be a list")
        self._last_checkpoints = list(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths):
        """Takes over `checkpoint_paths` that still exist (e.g. after a restart), with their file times."""
        recovered = []
        for path in checkpoint_paths:
            mtimes = checkpoint_management.get_checkpoint_mtimes([path])
            if mtimes:
                recovered.append((path, mtimes[0]))
        self.set_last_checkpoints_with_time(recovered)

    def _record_last_checkpoint(self, path):
        if not self.saver_def.max_to_keep:
            return
        self._last_checkpoints = [(p, t) for p, t in self._last_checkpoints if p != path]
        self._last_checkpoints.append((path, time.time()))
        if len(self._last_checkpoints) > self.saver_def.max_to_keep:
            self._checkpoints_to_be_deleted.append(self._last_checkpoints.pop(0))

    def _maybe_delete_old_checkpoints(self, meta_graph_suffix="meta"):
        while self._checkpoints_to_be_deleted:
            path, saved_at = self._checkpoints_to_be_deleted.pop(0)
            # keep_checkpoint_every_n_hours: one checkpoint per that many hours survives rotation.
            if saved_at is not None and saved_at > self._next_checkpoint_time:
                self._next_checkpoint_time += self.saver_def.keep_checkpoint_every_n_hours * 3600
                continue
            try:
                checkpoint_management.remove_checkpoint(path, self.saver_def.version, meta_graph_suffix)
            except (OSError, errors.OpError) as exc:
                _logger.warning("Ignoring: %s", exc)

    # --- saving and restoring ---------------------------------------------------------------------
    def save(
        self,
        sess,
        save_path,
        global_step=None,
        latest_filename=None,
        meta_graph_suffix="meta",
        write_meta_graph=True,
        write_state=True,
        strip_default_attrs=False,
        save_debug_info=False,
    ):
        """Writes the variables' values from `sess` under `save_path` (`save_path-<step>` with a global step).

        Returns the checkpoint prefix written (the value of `save_tensor_name`), or None for an empty Saver.
        """
        if not self._is_built:
            raise RuntimeError("`build()` should be called before save if defer_build==True")
        if latest_filename is None:
            latest_filename = "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        save_path = os.fspath(save_path)
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = sess.run(global_step)
            step = int(global_step)
            checkpoint_file = f"{save_path}-{step:08d}" if self._pad_step_number else f"{save_path}-{step}"
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename and not self._sharded:
                raise ValueError(
                    f"'latest_filename' collides with 'save_path': '{latest_filename}' and '{save_path}'"
                )
        if not hasattr(sess, "run") or not hasattr(sess, "graph"):
            raise TypeError(f"'sess' must be a Session; {sess}")
        if is_remote_path(save_path):
            return self._save_remote(sess, save_path, checkpoint_file, latest_filename, meta_graph_suffix,
                                     write_meta_graph, write_state, strip_default_attrs)
        save_dir = os.path.dirname(save_path)
        model_checkpoint_path = None
        if not self._is_empty:
            try:
                value = sess.run(
                    self.saver_def.save_tensor_name, {self.saver_def.filename_tensor_name: checkpoint_file}
                )
            except (errors.FailedPreconditionError, errors.NotFoundError) as exc:
                if save_dir and not os.path.isdir(save_dir):
                    raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.") from exc
                raise
            model_checkpoint_path = value.decode("utf-8") if isinstance(value, bytes) else str(value)
        if write_meta_graph:
            meta_graph_path = checkpoint_management.meta_graph_filename(checkpoint_file, meta_graph_suffix)
            with sess.graph.as_default():
                self.export_meta_graph(meta_graph_path, strip_default_attrs=strip_default_attrs)
        if self._is_empty:
            return None
        if write_state:
            self._record_last_checkpoint(model_checkpoint_path)
            checkpoint_management.update_checkpoint_state(
                save_dir,
                model_checkpoint_path,
                self.last_checkpoints,
                latest_filename=latest_filename,
                save_relative_paths=self._save_relative_paths,
            )
            self._maybe_delete_old_checkpoints(meta_graph_suffix)
        return model_checkpoint_path

    def _save_remote(self, sess, save_path, checkpoint_file, latest_filename, meta_graph_suffix,
                     write_meta_graph, write_state, strip_default_attrs):
        """`save` to a URL: staged locally, then uploaded in an order that keeps it restorable."""
        folder_url = save_path.rsplit("/", 1)[0]
        fs, folder = remote_filesystem(folder_url)
        staging = tempfile.mkdtemp(prefix="engine-checkpoint-")
        try:
            local = self.save(sess, os.path.join(staging, os.path.basename(checkpoint_file)),
                              meta_graph_suffix=meta_graph_suffix, write_meta_graph=write_meta_graph,
                              write_state=False, strip_default_attrs=strip_default_attrs)
            # the index last: a reader finds the checkpoint only once all its data is there
            staged = sorted(os.listdir(staging), key=lambda f: (f.endswith(".index"), f.endswith(".meta"), f))
            for filename in staged:
                fs.put_file(os.path.join(staging, filename), f"{folder.rstrip('/')}/{filename}")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        if local is None:
            return None
        model_checkpoint_path = f"{folder_url}/{os.path.basename(local)}"
        if write_state:
            self._record_last_checkpoint(model_checkpoint_path)
            checkpoint_management.update_checkpoint_state(  # last: one PUT of the state file
                folder_url, model_checkpoint_path, self.last_checkpoints, latest_filename=latest_filename)
            self._maybe_delete_old_checkpoints(meta_graph_suffix)
        return model_checkpoint_path

    def _restore_remote(self, sess, checkpoint_prefix):
        if not checkpoint_management.checkpoint_exists(checkpoint_prefix):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {checkpoint_prefix}")
        fs, prefix = remote_filesystem(checkpoint_prefix)
        staging = tempfile.mkdtemp(prefix="engine-checkpoint-")
        try:
            # whole files, one GET each (RestoreV2 could read a URL, but with one ranged GET per tensor)
            for path in [f"{prefix}.index", *fs.glob(prefix + ".data-?????-of-?????")]:
                fs.get_file(path, os.path.join(staging, path.rsplit("/", 1)[1]))
            self.restore(sess, os.path.join(staging, prefix.rsplit("/", 1)[1]))
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def restore(self, sess, save_path):
        """Loads every variable of this Saver from the checkpoint `save_path` into `sess`.

        A missing key raises NotFoundError naming the key and checkpoint; a dtype or shape mismatch
        raises InvalidArgumentError naming the variable; damaged files raise DataLossError naming the
        file. All checks happen before any variable is assigned.
        """
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        checkpoint_prefix = os.fspath(save_path)
        if is_remote_path(checkpoint_prefix):
            return self._restore_remote(sess, checkpoint_prefix)
        if not checkpoint_management.checkpoint_exists(checkpoint_prefix):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {checkpoint_prefix}")
        _logger.info("Restoring parameters from %s", checkpoint_prefix)
        try:
            sess.run(self.saver_def.restore_op_name, {self.saver_def.filename_tensor_name: checkpoint_prefix})
        except errors.NotFoundError as err:
            raise _wrap_restore_error(err, "a Variable name or other graph key that is missing") from None
        except errors.InvalidArgumentError as err:
            raise _wrap_restore_error(err, "a mismatch between the current graph and the graph") from None

    def export_meta_graph(
        self,
        filename=None,
        collection_list=None,
        as_text=False,
        export_scope=None,
        clear_devices=False,
        clear_extraneous_savers=False,
        strip_default_attrs=False,
        save_debug_info=False,
    ):
        """The default graph + this Saver as a MetaGraphDef, written to `filename` if given."""
        graph = ops.get_default_graph()
        return meta_graph.export_meta_graph(
            filename=filename,
            graph_def=graph.as_graph_def(add_shapes=True),
            saver_def=self.saver_def,
            collection_list=collection_list,
            as_text=as_text,
            graph=graph,
            export_scope=export_scope,
            clear_devices=clear_devices,
            strip_default_attrs=strip_default_attrs,
        )
