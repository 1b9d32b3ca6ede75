"""Models the profiler tests build in both the engine and real TensorFlow (`tf` is either module), and
the option sets they profile them with. Kept free of test imports so TF's side can import it too."""


def mlp(tf):
    """The lecture's two-layer MLP with an unknown batch size (so MatMul's flops stay unknown)."""
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    with tf.name_scope("layer1"):
        w = tf.Variable(tf.random_normal([4, 10]), name="weight")
        b = tf.Variable(tf.zeros([10]), name="bias")
        h = tf.nn.relu(tf.matmul(x, w) + b)
    with tf.name_scope("layer2"):
        w2 = tf.Variable(tf.random_normal([10, 3]), name="weight")
        b2 = tf.Variable(tf.zeros([3]), name="bias")
        y = tf.matmul(h, w2) + b2
    tf.Variable(0, trainable=False, name="global_step")
    return x, y


def cnn(tf):
    """A small CNN with a known batch: conv, bias, pool, dense and softmax all have flops."""
    x = tf.placeholder(tf.float32, [8, 28, 28, 1], name="images")
    with tf.variable_scope("conv1"):
        k = tf.get_variable("kernel", [5, 5, 1, 32], initializer=tf.truncated_normal_initializer(stddev=0.1))
        b = tf.get_variable("bias", [32], initializer=tf.zeros_initializer())
        h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, k, [1, 1, 1, 1], "SAME"), b))
        h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    with tf.variable_scope("conv2"):
        k = tf.get_variable("kernel", [3, 3, 32, 16], initializer=tf.truncated_normal_initializer(stddev=0.1))
        h = tf.nn.conv2d(h, k, [1, 2, 2, 1], "VALID")
    with tf.variable_scope("dense"):
        flat = tf.reshape(h, [8, 6 * 6 * 16])
        w = tf.get_variable("weight", [6 * 6 * 16, 10],
                            initializer=tf.truncated_normal_initializer(stddev=0.1))
        bias = tf.get_variable("bias", [10], initializer=tf.zeros_initializer())
        logits = tf.matmul(flat, w) + bias
    probs = tf.nn.softmax(logits, name="probs")
    loss = tf.reduce_mean(tf.square(probs - 0.1), name="loss")
    return x, loss


def train_mlp(tf):
    """An MLP with its loss and gradient descent step: gradient ops (MatMul_grad, BiasAddGrad, ...) too."""
    x = tf.placeholder(tf.float32, [8, 4], name="x")
    labels = tf.placeholder(tf.float32, [8, 3], name="labels")
    with tf.name_scope("layer1"):
        w = tf.Variable(tf.random_normal([4, 10]), name="weight")
        b = tf.Variable(tf.zeros([10]), name="bias")
        h = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w), b))
    with tf.name_scope("layer2"):
        w2 = tf.Variable(tf.random_normal([10, 3]), name="weight")
        y = tf.matmul(h, w2)
    loss = tf.reduce_mean(tf.square(y - labels), name="loss")
    return x, tf.train.GradientDescentOptimizer(0.1).minimize(loss)


def traced_mlp(tf):
    """The MLP and its variables' initializer, the graph a traced training script profiles."""
    x, y = mlp(tf)
    return x, y, tf.global_variables_initializer()


MODELS = {"mlp": mlp, "cnn": cnn, "train_mlp": train_mlp, "traced_mlp": traced_mlp}
PROFILED_MODELS = ("cnn", "mlp", "train_mlp")  # the ones profiled from their graph alone


def option_sets(builder):
    """Named option dicts: TF's ready-made sets and a few built with the builder's setters."""
    return {
        "params": builder.trainable_variables_parameter(),
        "flops": builder.float_operation(),
        "params_all_types": builder(builder.trainable_variables_parameter())
        .with_accounted_types([".*"]).select(["params", "occurrence", "op_types"]).build(),
        "flops_by_name_shallow": builder(builder.float_operation()).order_by("name").with_max_depth(2)
        .select(["float_ops", "input_shapes"]).build(),
        "flops_not_displayed_only": builder(builder.float_operation()).account_displayed_op_only(False)
        .with_node_names(hide_name_regexes=[".*mul.*"], start_name_regexes=[".*conv.*", "layer2"]).build(),
        "params_trimmed": builder(builder.trainable_variables_parameter())
        .with_node_names(trim_name_regexes=["layer1", "conv1"],
                         show_name_regexes=[".*bias.*", "conv.*", "layer.*"])
        .with_min_parameters(10).build(),
    }


def traced_option_sets(builder):
    """Option sets for a profile with a traced run's RunMetadata."""
    return {
        "time_and_memory": builder.time_and_memory(),
        "flops_completed_by_run": builder.float_operation(),
        "all_columns": builder(builder.time_and_memory(min_micros=0, min_bytes=0))
        .select(["micros", "bytes", "peak_bytes", "residual_bytes", "output_bytes", "device", "occurrence",
                 "op_types", "cpu_micros", "accelerator_micros"]).order_by("bytes").build(),
        "by_cpu_micros": builder(builder.time_and_memory(min_micros=0, min_bytes=0))
        .select(["cpu_micros", "params"]).order_by("cpu_micros").with_step(0).build(),
        "missing_step": builder(builder.time_and_memory()).with_step(3).build(),
    }


def op_view_option_sets(builder, traced):
    """Option sets for cmd='op'. tfprof sorts op types with an unstable sort, so where totals can tie
    (times) the order is by name."""
    if traced:
        return {
            "op_time_and_memory": builder(builder.time_and_memory(min_micros=0, min_bytes=0)).order_by("name")
            .select(["micros", "bytes", "output_bytes", "device", "occurrence", "input_shapes"]).build(),
        }
    return {
        "op_params": builder.trainable_variables_parameter(),
        "op_flops": builder.float_operation(),
        "op_all_types": builder().select(["params", "float_ops", "occurrence", "op_types", "input_shapes"])
        .order_by("occurrence").build(),
        "op_displayed_only": builder(builder.float_operation()).order_by("name")
        .with_node_names(start_name_regexes=["Mul"], hide_name_regexes=["Sub"]).build(),
    }


def profiler_reports(builder):
    """tf.profiler.Profiler reports: name -> (method, options)."""
    all_times = builder(builder.time_and_memory(min_micros=0, min_bytes=0)).order_by("name")
    return {
        "scope_mean": ("profile_name_scope", all_times.select(["micros", "bytes", "occurrence", "float_ops"])
                       .build()),
        "scope_step_1": ("profile_name_scope", builder(builder.float_operation()).with_step(1).build()),
        "graph_step_1": ("profile_graph", builder(builder.time_and_memory(min_micros=0, min_bytes=0))
                         .order_by("name").with_step(1).build()),
        "op_step_0": ("profile_operations", all_times.select(["micros", "float_ops", "occurrence"])
                      .with_step(0).build()),
    }


def custom_op_log(tfprof_log):
    """An op log giving two MatMuls a type of their own and one a float count (tfprof_log: the module
    with OpLogProto, TF's tfprof_log_pb2 or the engine's profiler)."""
    op_log = tfprof_log.OpLogProto()
    for name, flops in (("layer1/MatMul", 1234), ("layer2/MatMul", 0)):
        entry = op_log.log_entries.add(name=name, float_ops=flops)
        entry.types.append("dense_matmul")
    return op_log


def op_log_options(builder):
    return (builder(builder.float_operation()).with_accounted_types(["dense_matmul"])
            .with_min_float_operations(0).select(["float_ops", "op_types"]).build())


def graph_view_option_sets(builder):
    """Option sets for cmd='graph' (nodes under the nodes that consume them)."""
    return {
        "graph_params": builder.trainable_variables_parameter(),
        "graph_flops": builder.float_operation(),
        "graph_all_types": builder(builder.trainable_variables_parameter()).with_accounted_types([".*"])
        .select(["params", "float_ops", "input_shapes"]).with_max_depth(6).build(),
        "graph_started": builder(builder.float_operation()).account_displayed_op_only(False)
        .with_node_names(start_name_regexes=[".*add.*", ".*Relu.*"], hide_name_regexes=[".*random.*"])
        .build(),
    }
