"""`tf.nn.rnn_cell`'s cells: RNNCell, LayerRNNCell, BasicRNNCell, GRUCell, BasicLSTMCell, LSTMCell and
LSTMStateTuple (TF 1.x's `rnn_cell_impl`, as tf-keras's legacy cells define it for TF 2.21).

A cell is a `tf.layers.Layer` called as `cell(inputs, state) -> (output, new_state)`. A `LayerRNNCell`
creates its weights in `build` inside its own layer scope (`rnn/basic_lstm_cell/kernel`), and every
later call (the next time step) re-enters that scope with reuse on, so op names run on as
`rnn/basic_lstm_cell/MatMul_1`. A plain `RNNCell` (MultiRNNCell, the wrappers) first re-enters the
variable scope current at its first call with a getter that records the variables its sub-cells create.
The formulas are TF's op for op (same op types, in the same order), so values and gradients are TF's.
"""

from __future__ import annotations

import abc
import collections

import tree as nest

from engine.framework import dtypes, ops, tensor_util
from engine.framework import tensor_shape as _ts
from engine.layers.base import Layer
from engine.ops import array_ops, init_ops, math_ops, nn_ops
from engine.ops.constant_op import constant
from engine.variable_scope import get_variable_scope, variable_scope
from engine.variables import trainable_variables

_WEIGHTS_VARIABLE_NAME = "kernel"
_BIAS_VARIABLE_NAME = "bias"

# `activation="relu"` and the like: TF resolves names through Keras's activations; these are the ones a
# cell's output can sensibly use.
_ACTIVATIONS = {
    "tanh": math_ops.tanh,
    "sigmoid": math_ops.sigmoid,
    "relu": nn_ops.relu,
    "elu": nn_ops.elu,
    "selu": nn_ops.selu,
    "softsign": nn_ops.softsign,
    "softplus": nn_ops.softplus,
    "linear": lambda x: x,
}


def _activation(activation):
    """The cell's activation: tanh when not given, a callable as given, a name as Keras resolves it."""
    if not activation:
        return math_ops.tanh
    if callable(activation):
        return activation
    if activation in _ACTIVATIONS:
        return _ACTIVATIONS[activation]
    raise ValueError(
        f"Unknown activation function: '{activation}'. Please ensure you are using a "
        "`keras.utils.custom_object_scope` and that this object is included in the scope."
    )


def _check_supported_dtypes(dtype):
    if dtype is None:
        return
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_complex):
        raise ValueError(f"RNN cell only supports floating point inputs, but received dtype: {dtype}")


def _check_rnn_cell_input_dtypes(values):
    for t in nest.flatten(values):
        _check_supported_dtypes(t.dtype)


def _is_sequence(value):
    return isinstance(value, (list, tuple, dict))


def assert_like_rnncell(cell_name, cell):
    """TF's TypeError for an argument that is not a cell (no sizes, no zero_state, not callable)."""
    checks = [
        (hasattr(cell, "output_size"), "'output_size' property is missing"),
        (hasattr(cell, "state_size"), "'state_size' property is missing"),
        (
            hasattr(cell, "get_initial_state") or hasattr(cell, "zero_state"),
            "either 'zero_state' or 'get_initial_state' method is required",
        ),
        (callable(cell), "is not callable"),
    ]
    failed = [text for ok, text in checks if not ok]
    if failed:
        raise TypeError(f"The argument {cell_name!r} ({cell}) is not an RNNCell: {', '.join(failed)}.")


def _size_shape(prefix, suffix, static=False):
    """[prefix..., suffix...] as an int32 Tensor (a concat), or as a list with None for unknown dims when
    `static`.  `prefix` (the batch size) and `suffix` (a state size) are ints, TensorShapes or Tensors."""

    def parts(value, what):
        if isinstance(value, ops.Tensor):
            known = tensor_util.constant_value(value)
            if value.shape.rank == 0:
                value = array_ops.expand_dims(value, 0)
            elif value.shape.rank != 1:
                raise ValueError(
                    f"{what} tensor must be either a scalar or vector, but received tensor: {value}"
                )
            return value, (
                None
                if known is None
                else [int(v) for v in (known.reshape(-1) if hasattr(known, "reshape") else [known])]
            )
        shape = _ts.TensorShape(value)
        listed = shape.as_list() if shape.rank is not None else None
        tensor = constant(listed, dtype=dtypes.int32) if shape.is_fully_defined() else None
        return tensor, listed

    p, p_static = parts(prefix, "Prefix")
    s, s_static = parts(suffix, "suffix")
    if static:
        shape = _ts.TensorShape(p_static).concatenate(s_static)
        return shape.as_list() if shape.rank is not None else None
    if p is None or s is None:
        raise ValueError(f"Prefix or suffix can't be None. Received prefix = {prefix} and suffix = {suffix}")
    return array_ops.concat((p, s), 0)


def _zero_state_tensors(state_size, batch_size, dtype):
    """Zeros of [batch_size, s] for each s of the (nested) state size, with the static shape set."""

    def zeros_for(size):
        value = array_ops.zeros(_size_shape(batch_size, size), dtype=dtype)
        value.set_shape(_size_shape(batch_size, size, static=True))
        return value

    return nest.map_structure(zeros_for, state_size)


class RNNCell(Layer, metaclass=abc.ABCMeta):
    """The abstract cell: `state_size`, `output_size`, `zero_state(batch_size, dtype)` and
    `__call__(inputs, state, scope=None) -> (output, new_state)`."""

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        super().__init__(trainable=trainable, name=name, dtype=dtype, **kwargs)
        self._is_tf_rnn_cell = True
        self._rnncell_scope = None

    def __call__(self, inputs, state, scope=None):
        if scope is not None:
            with variable_scope(scope, custom_getter=self._rnn_get_variable) as entered:
                return super().__call__(inputs, state, scope=entered)
        if self._rnncell_scope is None:
            # The variable scope current at the first call, re-entered by every later one.
            self._rnncell_scope = variable_scope(get_variable_scope(), custom_getter=self._rnn_get_variable)
        with self._rnncell_scope:
            return super().__call__(inputs, state)

    def _rnn_get_variable(self, getter, *args, **kwargs):
        """Records variables sub-cells create (through get_variable) as this cell's weights."""
        variable = getter(*args, **kwargs)
        trainable = variable in trainable_variables()
        weights = self._trainable_weights if trainable else self._non_trainable_weights
        if all(variable is not v for v in weights):
            weights.append(variable)
        return variable

    # Abstract: a cell class defines both (TF's base raises "Abstract method" when they are read; here a
    # cell class without them cannot be instantiated).
    @property
    @abc.abstractmethod
    def state_size(self):
        """The size(s) of the state: an int, a TensorShape, or a (nested) tuple of them."""

    @property
    @abc.abstractmethod
    def output_size(self):
        """The size of the output: an int or a TensorShape."""

    def build(self, _):
        pass

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        if inputs is not None:
            inputs = ops.convert_to_tensor(inputs, name="inputs")
            if batch_size is not None:
                static = (
                    tensor_util.constant_value(batch_size)
                    if isinstance(batch_size, ops.Tensor)
                    else batch_size
                )
                if _ts.dimension_value(inputs.shape[0]) != static:
                    raise ValueError(
                        "batch size from input tensor is different from the input param. Input tensor batch: "
                        f"{_ts.dimension_value(inputs.shape[0])}, batch_size: {batch_size}"
                    )
            if dtype is not None and inputs.dtype != dtype:
                raise ValueError(
                    "dtype from input tensor is different from the input param. Input tensor "
                    f"dtype: {inputs.dtype}, dtype: {dtype}"
                )
            batch_size = _ts.dimension_value(inputs.shape[0]) or array_ops.shape_v1(inputs)[0]
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            raise ValueError(
                "batch_size and dtype cannot be None while constructing initial state: "
                f"batch_size={batch_size}, dtype={dtype}"
            )
        return self.zero_state(batch_size, dtype)

    def zero_state(self, batch_size, dtype):
        """Zeros of [batch_size, s] for each s of `state_size` (nested as it is), under
        `<CellClass>ZeroState/`."""
        with ops.name_scope(type(self).__name__ + "ZeroState"):
            return _zero_state_tensors(self.state_size, batch_size, dtype)


class LayerRNNCell(RNNCell):
    """A cell that creates its weights in `build`, in its own layer scope, as `tf.layers` do."""

    def __call__(self, inputs, state, scope=None, *args, **kwargs):
        return Layer.__call__(self, inputs, state, *args, scope=scope, **kwargs)

    def _input_depth(self, input_shape):
        """The inputs' last dimension, which `build` needs known (TF's error otherwise)."""
        input_shape = _ts.TensorShape(input_shape).as_list()
        if input_shape[-1] is None:
            raise ValueError(f"Expected inputs.shape[-1] to be known, received shape: {input_shape}")
        _check_supported_dtypes(self.dtype)
        return int(input_shape[-1])




def _bias_initializer(cell, value=0.0):
    """Zeros (GRU gates: ones) in the cell's dtype, as TF's cells give their biases."""
    if value == 0.0:
        return init_ops.zeros_initializer(dtype=cell._dtype or dtypes.float32)
    return init_ops.constant_initializer(value, dtype=cell._dtype or dtypes.float32)


class BasicRNNCell(LayerRNNCell):
    """`output = new_state = activation(W [inputs, state] + b)`."""

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self.dtype)
        self._num_units = num_units
        self._activation = _activation(activation)

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, input_shape):
        input_depth = self._input_depth(input_shape)
        self._kernel = self.add_weight(
            _WEIGHTS_VARIABLE_NAME, shape=[input_depth + self._num_units, self._num_units]
        )
        self._bias = self.add_weight(
            _BIAS_VARIABLE_NAME, shape=[self._num_units], initializer=_bias_initializer(self)
        )
        self.built = True

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state])
        gate_inputs = math_ops.matmul(array_ops.concat([inputs, state], 1), self._kernel)
        gate_inputs = nn_ops.bias_add(gate_inputs, self._bias)
        output = self._activation(gate_inputs)
        return output, output


class GRUCell(LayerRNNCell):
    """Gated recurrent unit (Cho et al. 2014): gates r, u from `gates/kernel`, the candidate from
    `candidate/kernel` on [inputs, r * state]; `new_h = u * state + (1 - u) * candidate`."""

    def __init__(
        self,
        num_units,
        activation=None,
        reuse=None,
        kernel_initializer=None,
        bias_initializer=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self.dtype)
        self._num_units = num_units
        self._activation = _activation(activation)
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, input_shape):
        input_depth = self._input_depth(input_shape)
        n = self._num_units
        self._gate_kernel = self.add_weight(
            f"gates/{_WEIGHTS_VARIABLE_NAME}",
            shape=[input_depth + n, 2 * n],
            initializer=self._kernel_initializer,
        )
        self._gate_bias = self.add_weight(
            f"gates/{_BIAS_VARIABLE_NAME}",
            shape=[2 * n],
            initializer=self._bias_initializer
            if self._bias_initializer is not None
            else _bias_initializer(self, 1.0),
        )
        self._candidate_kernel = self.add_weight(
            f"candidate/{_WEIGHTS_VARIABLE_NAME}",
            shape=[input_depth + n, n],
            initializer=self._kernel_initializer,
        )
        self._candidate_bias = self.add_weight(
            f"candidate/{_BIAS_VARIABLE_NAME}",
            shape=[n],
            initializer=self._bias_initializer
            if self._bias_initializer is not None
            else _bias_initializer(self),
        )
        self.built = True

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state])
        gate_inputs = math_ops.matmul(array_ops.concat([inputs, state], 1), self._gate_kernel)
        gate_inputs = nn_ops.bias_add(gate_inputs, self._gate_bias)
        value = math_ops.sigmoid(gate_inputs)
        r, u = array_ops.split(value=value, num_or_size_splits=2, axis=1)
        r_state = r * state
        candidate = math_ops.matmul(array_ops.concat([inputs, r_state], 1), self._candidate_kernel)
        candidate = nn_ops.bias_add(candidate, self._candidate_bias)
        c = self._activation(candidate)
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """An LSTM's state `(c, h)`: the cell state and the output."""

    __slots__ = ()

    @property
    def dtype(self):
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(f"Inconsistent dtypes for internal state: {c.dtype} vs {h.dtype}")
        return c.dtype


class BasicLSTMCell(LayerRNNCell):
    """The LSTM of Zaremba et al. 2014: one kernel for the four gates i, j, f, o of [inputs, h], the forget
    gate's bias raised by `forget_bias`; no peepholes, clipping or projection (see LSTMCell)."""

    def __init__(
        self,
        num_units,
        forget_bias=1.0,
        state_is_tuple=True,
        activation=None,
        reuse=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self.dtype)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)

    @property
    def state_size(self):
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    @property
    def output_size(self):
        return self._num_units

    def build(self, input_shape):
        input_depth = self._input_depth(input_shape)
        n = self._num_units
        self._kernel = self.add_weight(_WEIGHTS_VARIABLE_NAME, shape=[input_depth + n, 4 * n])
        self._bias = self.add_weight(_BIAS_VARIABLE_NAME, shape=[4 * n], initializer=_bias_initializer(self))
        self.built = True

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state])
        one = constant(1, dtype=dtypes.int32)
        if self._state_is_tuple:
            c, h = state
        else:
            c, h = array_ops.split(value=state, num_or_size_splits=2, axis=one)
        gate_inputs = math_ops.matmul(array_ops.concat([inputs, h], 1), self._kernel)
        gate_inputs = nn_ops.bias_add(gate_inputs, self._bias)
        i, j, f, o = array_ops.split(value=gate_inputs, num_or_size_splits=4, axis=one)
        forget_bias = constant(self._forget_bias, dtype=f.dtype)
        sigmoid, add, multiply = math_ops.sigmoid, math_ops.add, math_ops.multiply
        new_c = add(multiply(c, sigmoid(add(f, forget_bias))), multiply(sigmoid(i), self._activation(j)))
        new_h = multiply(self._activation(new_c), sigmoid(o))
        new_state = (
            LSTMStateTuple(new_c, new_h) if self._state_is_tuple else array_ops.concat([new_c, new_h], 1)
        )
        return new_h, new_state


class LSTMCell(LayerRNNCell):
    """The LSTM of Hochreiter & Schmidhuber with Sak et al.'s options: peephole weights (`w_f_diag`,
    `w_i_diag`, `w_o_diag`), the cell state clipped to +-`cell_clip`, the output projected to `num_proj`
    (`projection/kernel`) and clipped to +-`proj_clip`."""

    def __init__(
        self,
        num_units,
        use_peepholes=False,
        cell_clip=None,
        initializer=None,
        num_proj=None,
        proj_clip=None,
        num_unit_shards=None,
        num_proj_shards=None,
        forget_bias=1.0,
        state_is_tuple=True,
        activation=None,
        reuse=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self.dtype)
        if num_unit_shards is not None or num_proj_shards is not None:
            # TF builds fixed-size partitioned kernels here; the engine has no partitioned variables.
            raise ValueError(
                "num_unit_shards and num_proj_shards (deprecated in TF since 2017) are not "
                "supported: the engine has no partitioned variables."
            )
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)
        h_size = num_proj if num_proj else num_units
        self._state_size = LSTMStateTuple(num_units, h_size) if state_is_tuple else num_units + h_size
        self._output_size = h_size

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

    def build(self, input_shape):
        input_depth = self._input_depth(input_shape)
        n = self._num_units
        h_depth = n if self._num_proj is None else self._num_proj
        self._kernel = self.add_weight(
            _WEIGHTS_VARIABLE_NAME, shape=[input_depth + h_depth, 4 * n], initializer=self._initializer
        )
        self._bias = self.add_weight(_BIAS_VARIABLE_NAME, shape=[4 * n], initializer=_bias_initializer(self))
        if self._use_peepholes:
            self._w_f_diag = self.add_weight("w_f_diag", shape=[n], initializer=self._initializer)
            self._w_i_diag = self.add_weight("w_i_diag", shape=[n], initializer=self._initializer)
            self._w_o_diag = self.add_weight("w_o_diag", shape=[n], initializer=self._initializer)
        if self._num_proj is not None:
            self._proj_kernel = self.add_weight(
                f"projection/{_WEIGHTS_VARIABLE_NAME}",
                shape=[n, self._num_proj],
                initializer=self._initializer,
            )
        self.built = True

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state])
        num_proj = self._num_units if self._num_proj is None else self._num_proj
        sigmoid = math_ops.sigmoid
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev = array_ops.slice(state, [0, 0], [-1, self._num_units])
            m_prev = array_ops.slice(state, [0, self._num_units], [-1, num_proj])
        input_size = _ts.dimension_value(inputs.shape.with_rank(2)[1])
        if input_size is None:
            raise ValueError(
                f"Could not infer input size from inputs.get_shape()[-1].Received input shape: {inputs.shape}"
            )
        lstm_matrix = math_ops.matmul(array_ops.concat([inputs, m_prev], 1), self._kernel)
        lstm_matrix = nn_ops.bias_add(lstm_matrix, self._bias)
        i, j, f, o = array_ops.split(value=lstm_matrix, num_or_size_splits=4, axis=1)
        if self._use_peepholes:
            c = sigmoid(f + self._forget_bias + self._w_f_diag * c_prev) * c_prev + sigmoid(
                i + self._w_i_diag * c_prev
            ) * self._activation(j)
        else:
            c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            c = math_ops.clip_by_value(c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            m = sigmoid(o + self._w_o_diag * c) * self._activation(c)
        else:
            m = sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            m = math_ops.matmul(m, self._proj_kernel)
            if self._proj_clip is not None:
                m = math_ops.clip_by_value(m, -self._proj_clip, self._proj_clip)
        new_state = LSTMStateTuple(c, m) if self._state_is_tuple else array_ops.concat([c, m], 1)
        return m, new_state
