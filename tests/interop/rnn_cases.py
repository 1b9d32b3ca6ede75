"""RNN models written once, built and run by both the engine and real TensorFlow (test_rnn_cells_in_tf.py).

Each case is `case(tf) -> (fetches, train_op or None)`, with `tf` either `engine` or
`tensorflow.compat.v1` (TF1 behaviour). `run_case` gives every variable the same values on both sides
(a RandomState seeded by the CRC of its name), feeds the same inputs and returns what the test compares:
variable names and shapes, the forward graph's op names, and the fetched values (per training step when
the case trains).
"""

from __future__ import annotations

import zlib

import numpy as np

BATCH, STEPS, DEPTH = 3, 4, 5


def _inputs(tf):
    return [tf.placeholder(tf.float32, [BATCH, DEPTH], name=f"x{t}") for t in range(STEPS)]


def _feeds(inputs, inputs_shape):
    """The same uniform values for the inputs, whatever their layout (a None dimension is the batch)."""
    rng = np.random.RandomState(7)
    shape = [BATCH if d is None else d for d in inputs_shape]
    return {x: rng.uniform(-1, 1, shape).astype(np.float32) for x in inputs}


def _flat(value):
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _flat(item)]
    return [value]


def basic_rnn(tf):
    xs = _inputs(tf)
    outputs, state = tf.nn.static_rnn(tf.nn.rnn_cell.BasicRNNCell(6), xs, dtype=tf.float32)
    return xs, outputs + [state]


def basic_lstm_sequence_length(tf):
    xs = _inputs(tf)
    cell = tf.nn.rnn_cell.BasicLSTMCell(6, forget_bias=0.5)
    outputs, state = tf.nn.static_rnn(cell, xs, dtype=tf.float32, sequence_length=[2, 4, 1])
    return xs, outputs + list(state)


def lstm_peephole_projection(tf):
    xs = _inputs(tf)
    cell = tf.nn.rnn_cell.LSTMCell(6, use_peepholes=True, cell_clip=0.4, num_proj=3, proj_clip=0.2)
    init = cell.zero_state(BATCH, tf.float32)
    init = tf.nn.rnn_cell.LSTMStateTuple(init.c + 0.3, init.h - 0.1)
    outputs, state = tf.nn.static_rnn(cell, xs, initial_state=init)
    return xs, outputs + list(state)


def lstm_concatenated_state(tf):
    xs = _inputs(tf)
    cells = [
        tf.nn.rnn_cell.LSTMCell(4, state_is_tuple=False),
        tf.nn.rnn_cell.BasicLSTMCell(3, state_is_tuple=False),
    ]
    cell = tf.nn.rnn_cell.MultiRNNCell(cells, state_is_tuple=False)
    outputs, state = tf.nn.static_rnn(cell, xs, dtype=tf.float32)
    return xs, outputs + [state]


def gru(tf):
    xs = _inputs(tf)
    outputs, state = tf.nn.static_rnn(
        tf.nn.rnn_cell.GRUCell(5, activation=tf.nn.relu),
        xs,
        dtype=tf.float32,
        sequence_length=tf.constant([4, 3, 3], tf.int64),
    )
    return xs, outputs + [state]


def multi_rnn_cell(tf):
    xs = _inputs(tf)
    cell = tf.nn.rnn_cell.MultiRNNCell(
        [tf.nn.rnn_cell.BasicLSTMCell(4), tf.nn.rnn_cell.GRUCell(4), tf.nn.rnn_cell.BasicRNNCell(3)]
    )
    outputs, state = tf.nn.static_rnn(cell, xs, dtype=tf.float32, scope="stack")
    return xs, outputs + _flat(state)


def wrappers(tf):
    xs = _inputs(tf)
    rnn = tf.nn.rnn_cell
    cell = rnn.MultiRNNCell(
        [
            rnn.DropoutWrapper(
                rnn.BasicLSTMCell(5), input_keep_prob=0.7, output_keep_prob=0.8, state_keep_prob=0.6, seed=11
            ),
            rnn.ResidualWrapper(rnn.DeviceWrapper(rnn.GRUCell(5), "/cpu:0")),
        ]
    )
    outputs, state = tf.nn.static_rnn(cell, xs, dtype=tf.float32)
    return xs, outputs + _flat(state)


def bidirectional(tf):
    xs = _inputs(tf)
    outputs, fw, bw = tf.nn.static_bidirectional_rnn(
        tf.nn.rnn_cell.LSTMCell(4), tf.nn.rnn_cell.GRUCell(3), xs, dtype=tf.float32, sequence_length=[3, 4, 2]
    )
    return xs, outputs + _flat(fw) + [bw]


def gradients(tf):
    xs, fetches = multi_rnn_cell(tf)
    loss = tf.add_n([tf.reduce_sum(tf.square(f)) for f in fetches])
    return xs, [loss] + tf.gradients(loss, tf.trainable_variables() + xs)


def bidirectional_gradients(tf):
    xs, fetches = bidirectional(tf)
    loss = tf.add_n([tf.reduce_sum(f * f) for f in fetches])
    return xs, [loss] + tf.gradients(loss, tf.trainable_variables() + xs)


def train(tf):
    """A sequence classifier trained with Adam: LSTM over the steps, a dense layer on the last output."""
    xs = _inputs(tf)
    labels = tf.constant([0, 2, 1])
    cell = tf.nn.rnn_cell.MultiRNNCell(
        [tf.nn.rnn_cell.LSTMCell(8, use_peepholes=True), tf.nn.rnn_cell.GRUCell(6)]
    )
    outputs, _ = tf.nn.static_rnn(cell, xs, dtype=tf.float32, sequence_length=[4, 3, 2])
    logits = tf.layers.dense(outputs[-1], 3)
    loss = -tf.reduce_mean(tf.reduce_sum(tf.one_hot(labels, 3) * tf.nn.log_softmax(logits), 1))
    return xs, [loss], tf.train.AdamOptimizer(0.05).minimize(loss)


def dynamic_lstm(tf):
    x = tf.placeholder(tf.float32, [BATCH, STEPS, DEPTH], name="x")
    outputs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(6), x, dtype=tf.float32)
    return [x], [outputs, *state]


def dynamic_sequence_length_time_major(tf):
    x = tf.placeholder(tf.float32, [STEPS, None, DEPTH], name="x")
    cell = tf.nn.rnn_cell.MultiRNNCell(
        [tf.nn.rnn_cell.LSTMCell(5, use_peepholes=True, num_proj=3), tf.nn.rnn_cell.GRUCell(4)]
    )
    outputs, state = tf.nn.dynamic_rnn(
        cell,
        x,
        sequence_length=[2, 4, 0],
        dtype=tf.float32,
        time_major=True,
        swap_memory=True,
        parallel_iterations=4,
    )
    return [x], [outputs, *_flat(state)]


def dynamic_initial_state(tf):
    x = tf.placeholder(tf.float32, [BATCH, STEPS, DEPTH], name="x")
    h0 = tf.placeholder_with_default(tf.fill([BATCH, 4], 0.25), [BATCH, 4])
    outputs, state = tf.nn.dynamic_rnn(
        tf.nn.rnn_cell.GRUCell(4), x, initial_state=h0, sequence_length=[1, 3, 4], scope="encoder"
    )
    return [x], [outputs, state]


def bidirectional_dynamic(tf):
    x = tf.placeholder(tf.float32, [BATCH, STEPS, DEPTH], name="x")
    (fw, bw), (state_fw, state_bw) = tf.nn.bidirectional_dynamic_rnn(
        tf.nn.rnn_cell.BasicLSTMCell(3),
        tf.nn.rnn_cell.BasicRNNCell(2),
        x,
        sequence_length=[4, 2, 3],
        dtype=tf.float32,
    )
    return [x], [fw, bw, *state_fw, state_bw]


def dynamic_gradients(tf):
    xs, fetches = dynamic_sequence_length_time_major(tf)
    loss = tf.add_n([tf.reduce_sum(tf.square(f)) for f in fetches])
    return xs, [loss] + tf.gradients(loss, tf.trainable_variables() + xs)


def dynamic_train(tf):
    """A sequence classifier trained with Adam through the while loop's gradient."""
    x = tf.placeholder(tf.float32, [BATCH, STEPS, DEPTH], name="x")
    cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(8), tf.nn.rnn_cell.GRUCell(6)])
    (fw, bw), _ = tf.nn.bidirectional_dynamic_rnn(
        cell, tf.nn.rnn_cell.BasicLSTMCell(4), x, sequence_length=[4, 3, 2], dtype=tf.float32
    )
    logits = tf.layers.dense(tf.concat([fw[:, -1], bw[:, 0]], 1), 3)
    loss = -tf.reduce_mean(tf.reduce_sum(tf.one_hot([0, 2, 1], 3) * tf.nn.log_softmax(logits), 1))
    return [x], [loss], tf.train.AdamOptimizer(0.05).minimize(loss)


def raw(tf):
    """TF's documented raw_rnn loop: inputs read from a TensorArray until each sequence's length, with a
    loop state counting the steps; the emitted outputs and their gradients."""
    x = tf.placeholder(tf.float32, [STEPS, BATCH, DEPTH], name="x")
    lengths = tf.constant([2, 4, 3])
    inputs_ta = tf.TensorArray(dtype=tf.float32, size=STEPS).unstack(x)
    cell = tf.nn.rnn_cell.LSTMCell(5)

    def loop_fn(time, cell_output, cell_state, loop_state):
        emit_output = cell_output  # None for the first call: emits of cell.output_size
        if cell_output is None:
            next_cell_state, next_loop_state = cell.zero_state(BATCH, tf.float32), tf.constant(0.0)
        else:
            next_cell_state, next_loop_state = cell_state, loop_state + 1.0
        finished = time >= lengths
        next_input = tf.cond(
            tf.reduce_all(finished),
            lambda: tf.zeros([BATCH, DEPTH], tf.float32),
            lambda: inputs_ta.read(time),
        )
        return finished, next_input, next_cell_state, emit_output, next_loop_state

    outputs_ta, final_state, steps = tf.nn.raw_rnn(cell, loop_fn)
    outputs = outputs_ta.stack()
    loss = tf.reduce_sum(tf.square(outputs)) + tf.reduce_sum(final_state.h)
    return [x], [outputs, *final_state, steps, *tf.gradients(loss, tf.trainable_variables() + [x])]


CASES = {
    f.__name__: f
    for f in (
        raw,
        dynamic_gradients,
        dynamic_train,
        dynamic_lstm,
        dynamic_sequence_length_time_major,
        dynamic_initial_state,
        bidirectional_dynamic,
        basic_rnn,
        basic_lstm_sequence_length,
        lstm_peephole_projection,
        lstm_concatenated_state,
        gru,
        multi_rnn_cell,
        wrappers,
        bidirectional,
        gradients,
        bidirectional_gradients,
        train,
    )
}
TRAIN_STEPS = 12


def run_case(tf, name):
    graph = tf.Graph()
    with graph.as_default():
        built = CASES[name](tf)
        xs, fetches = built[0], built[1]
        train_op = built[2] if len(built) > 2 else None
        # Gradient graphs' layout is the gradient registry's business (tests/engine/test_grad_registry.py).
        forward_ops = [op.name for op in graph.get_operations() if not op.name.startswith("gradients/")]
        variables = tf.global_variables()
        assigns = []
        for v in tf.trainable_variables():
            shape = v.shape.as_list()
            rng = np.random.RandomState(zlib.crc32(v.op.name.encode()))
            value = rng.uniform(-0.6, 0.6, shape).astype(v.dtype.base_dtype.as_numpy_dtype)
            assigns.append(tf.assign(v, value))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(assigns)
            feeds = _feeds(xs, inputs_shape=xs[0].shape.as_list())
            if train_op is None:
                values = [sess.run(fetches, feeds)]
            else:
                values = [sess.run(fetches + [train_op], feeds)[:-1] for _ in range(TRAIN_STEPS)]
    return {
        "variables": [
            [v.op.name, v.shape.as_list()]
            for v in variables
            if "Adam" not in v.op.name and "power" not in v.op.name
        ],
        "ops": forward_ops,
        "values": [[np.asarray(v).tolist() for v in step] for step in values],
    }
