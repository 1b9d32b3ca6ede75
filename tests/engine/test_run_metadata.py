"""Traced runs: `Session.run(options=RunOptions(FULL_TRACE), run_metadata=md)` fills step stats and
partition graphs as TF does, `engine.client.timeline` turns them into TF's Chrome trace, and TF's own
RunMetadata (tests/fixtures/run_metadata, made by real TF) reads back through the engine's protos."""

import json
import subprocess
from pathlib import Path

import numpy as np
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import engine as tf
from engine.client import timeline
from engine.proto import config_pb2, types_pb2
from engine.summary import FileWriter

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "run_metadata"
CPU = "/job:localhost/replica:0/task:0/device:CPU:0"
# The fixture's graph: every op a run of `loss` executes (the fed placeholder is not a kernel call).
EXECUTED = {"dense/w", "dense/w/read", "dense/b", "dense/b/read", "dense/MatMul", "dense/add", "dense/Relu",
            "Const", "loss"}


def dense_graph():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        with tf.name_scope("dense"):
            w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
            b = tf.Variable(np.ones(2, np.float32), name="b")
            y = tf.nn.relu(tf.matmul(x, w) + b)
        loss = tf.reduce_mean(y, name="loss")
        init = tf.global_variables_initializer()
    return graph, x, loss, init


def traced_run(sess, fetches, feed_dict, **options):
    metadata = tf.RunMetadata()
    options.setdefault("trace_level", tf.RunOptions.FULL_TRACE)
    value = sess.run(fetches, feed_dict, options=tf.RunOptions(**options), run_metadata=metadata)
    return value, metadata


def test_full_trace_records_every_executed_node_in_order_with_sizes():
    graph, x, loss, init = dense_graph()
    feed = np.ones((4, 3), np.float32)
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        value, metadata = traced_run(sess, loss, {x: feed})
        assert value == sess.run(loss, {x: feed})  # the traced plan computes what the fast one does
    (device,) = metadata.step_stats.dev_stats
    assert device.device == CPU
    stats = {ns.node_name: ns for ns in device.node_stats}
    assert set(stats) == EXECUTED and len(device.node_stats) == len(EXECUTED)
    order = [ns.node_name for ns in device.node_stats]
    positions = [order.index(name) for name in ("dense/MatMul", "dense/add", "dense/Relu", "loss")]
    assert positions == sorted(positions)
    previous_end = 0
    for ns in device.node_stats:  # one thread: each node starts after the one before it ended
        assert ns.all_start_nanos >= previous_end
        assert 0 <= ns.op_start_rel_nanos <= ns.op_end_rel_nanos <= ns.all_end_rel_nanos
        assert ns.all_start_micros == ns.all_start_nanos // 1000
        previous_end = ns.all_start_nanos + ns.all_end_rel_nanos
    assert stats["dense/MatMul"].timeline_label == "dense/MatMul = MatMul(x, dense/w/read)"
    assert stats["loss"].timeline_label == "loss = Mean(dense/Relu, Const)"
    (out,) = stats["dense/MatMul"].output
    assert out.slot == 0 and out.tensor_description.dtype == types_pb2.DT_FLOAT
    assert [d.size for d in out.tensor_description.shape.dim] == [4, 2]
    assert out.tensor_description.allocation_description.requested_bytes == 32
    assert out.tensor_description.allocation_description.allocator_name == "cpu"
    (memory,) = stats["dense/MatMul"].memory
    assert (memory.allocator_name, memory.total_bytes, memory.peak_bytes) == ("cpu", 32, 32)
    assert stats["Const"].output[0].tensor_description.dtype == types_pb2.DT_INT32
    assert [d.size for d in stats["loss"].output[0].tensor_description.shape.dim] == []
    assert not metadata.partition_graphs


def test_full_trace_of_a_loop_records_each_iteration_and_the_taken_switch_output():
    # A graph with control flow runs in the dataflow executor: its traced plan times every kernel call,
    # a loop's body once per iteration (as TF's executor records them), and a Switch describes the
    # output it sent its data to.
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [3], name="x")
        _, total = tf.while_loop(lambda i, t: i < 4, lambda i, t: (i + 1, t * 2.0), [0, x])
        picked = tf.cond(tf.reduce_sum(x) > 0, lambda: total + 1.0, lambda: total - 1.0)
    with tf.Session(graph=graph) as sess:
        value, metadata = traced_run(sess, picked, {x: np.ones(3, np.float32)})
        assert value.tolist() == [17.0, 17.0, 17.0]
    (device,) = metadata.step_stats.dev_stats
    names = [ns.node_name for ns in device.node_stats]
    assert names.count("while/mul") == 4 and names.count("while/LoopCond") == 5
    assert "cond/add" in names and "cond/sub" not in names  # the branch not taken does not run
    switch = next(ns for ns in device.node_stats if ns.node_name == "cond/add/Switch")
    taken = [o.slot for o in switch.output if o.tensor_description.HasField("shape")]
    assert taken == [1]  # the predicate held: the data went to output 1
    assert [d.size for d in switch.output[1].tensor_description.shape.dim] == [3]


def test_partition_graphs_on_request_and_metadata_replaced_each_run():
    graph, x, loss, init = dense_graph()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        _, metadata = traced_run(sess, loss, {x: np.ones((2, 3), np.float32)}, output_partition_graphs=True)
        (partition,) = metadata.partition_graphs
        assert {n.name for n in partition.node} == EXECUTED | {"x"}
        assert {n.device for n in partition.node} == {CPU}
        # Partition graphs alone: no step stats; the same RunMetadata object is cleared, as TF parses into it.
        sess.run(loss, {x: np.ones((2, 3), np.float32)},
                 options=tf.RunOptions(trace_level=tf.RunOptions.NO_TRACE, output_partition_graphs=True),
                 run_metadata=metadata)
        assert not metadata.HasField("step_stats") and len(metadata.partition_graphs) == 1


def test_untraced_runs_keep_the_fast_plans_and_leave_metadata_alone():
    graph, x, loss, init = dense_graph()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        metadata = tf.RunMetadata()
        sess.run(loss, {x: np.ones((1, 3), np.float32)}, run_metadata=metadata)
        sess.run(loss, {x: np.ones((1, 3), np.float32)}, options=tf.RunOptions(), run_metadata=metadata)
        assert metadata == tf.RunMetadata()
        assert not sess._traced_plans and sess._tracer is None
        plans = dict(sess._plans)
        traced_run(sess, loss, {x: np.ones((1, 3), np.float32)})
        assert sess._plans == plans  # the traced plan lives apart; the fast plan is untouched
        # The fast plan elides Consts and variables; the traced plan calls every kernel.
        assert "Const" not in sess._plans[next(iter(sess._plans))].code


def test_callable_passes_options_and_run_metadata():
    graph, x, loss, init = dense_graph()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        step = sess.make_callable(loss, [x], accept_options=True)
        metadata = tf.RunMetadata()
        value = step(np.ones((4, 3), np.float32),
                     options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=metadata)
        assert value == 8.5
        assert {ns.node_name for ns in metadata.step_stats.dev_stats[0].node_stats} == EXECUTED


def test_traced_run_names_the_failing_node_and_recovers():
    graph = tf.Graph()
    with graph.as_default():
        v = tf.Variable(1.0, name="v")
        doubled = tf.multiply(v, 2.0, name="doubled")
    with tf.Session(graph=graph) as sess:
        try:
            traced_run(sess, doubled, None)
        except tf.errors.FailedPreconditionError as e:
            assert "v" in e.message
        else:
            raise AssertionError("an uninitialized variable must fail")
        sess.run(v.initializer)
        value, metadata = traced_run(sess, doubled, None)
        assert value == 2.0
        assert [ns.node_name for ns in metadata.step_stats.dev_stats[0].node_stats][-1] == "doubled"


def test_timeline_of_engine_step_stats_is_chrome_trace_json():
    graph, x, loss, init = dense_graph()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        _, metadata = traced_run(sess, loss, {x: np.ones((4, 3), np.float32)})
    trace = json.loads(timeline.Timeline(metadata.step_stats).generate_chrome_trace_format(show_memory=True))
    events = trace["traceEvents"]
    names = [e["args"]["name"] for e in events if e["ph"] == "M"]
    assert names == ["Allocators", f"{CPU} Compute", f"{CPU} Tensors"]
    ops_run = {e["args"]["name"]: e for e in events if e["ph"] == "X"}
    assert set(ops_run) == EXECUTED
    assert ops_run["dense/MatMul"]["name"] == "MatMul"
    assert ops_run["dense/MatMul"]["args"] == {"name": "dense/MatMul", "op": "MatMul", "input0": "x",
                                               "input1": "dense/w/read"}
    assert {e["ph"] for e in events} >= {"M", "X", "N", "O", "D", "C"}
    counters = [e["args"]["cpu"] for e in events if e["ph"] == "C"]
    assert max(counters) > 0 and counters[-1] == 0


def test_timeline_matches_tf_for_tf_recorded_step_stats():
    metadata = config_pb2.RunMetadata.FromString((FIXTURES / "full_trace.pb").read_bytes())
    for name, kwargs in (("timeline.json", {}), ("timeline_memory.json", {"show_memory": True})):
        ours = timeline.Timeline(metadata.step_stats).generate_chrome_trace_format(**kwargs)
        assert ours == (FIXTURES / name).read_text(), name
    analysis = timeline.Timeline(metadata.step_stats).analyze_step_stats()
    assert analysis.allocator_maximums["cpu"].num_bytes > 0


def test_tf_run_metadata_reads_back_unchanged(tf_python, tmp_path):
    data = (FIXTURES / "full_trace.pb").read_bytes()
    metadata = config_pb2.RunMetadata.FromString(data)
    nodes = [ns.node_name for ns in metadata.step_stats.dev_stats[0].node_stats]
    assert nodes[0] == "_SOURCE" and "dense/MatMul" in nodes
    assert metadata.partition_graphs[0].node[0].device == CPU
    ours = tmp_path / "ours.pb"
    ours.write_bytes(metadata.SerializeToString())
    script = (
        "import sys\n"
        "from tensorflow.core.protobuf import config_pb2\n"
        "a = config_pb2.RunMetadata.FromString(open(sys.argv[1], 'rb').read())\n"
        "b = config_pb2.RunMetadata.FromString(open(sys.argv[2], 'rb').read())\n"
        "print(a == b, len(a.step_stats.dev_stats[0].node_stats))\n"
    )
    out = subprocess.run([tf_python, "-c", script, str(FIXTURES / "full_trace.pb"), str(ours)],
                         capture_output=True, text=True, check=True, env={"TF_CPP_MIN_LOG_LEVEL": "3"})
    assert out.stdout.split() == ["True", str(len(nodes))]


def test_add_run_metadata_is_read_by_tensorboard(tmp_path):
    graph, x, loss, init = dense_graph()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        _, metadata = traced_run(sess, loss, {x: np.ones((4, 3), np.float32)}, output_partition_graphs=True)
    writer = FileWriter(str(tmp_path), graph)
    writer.add_run_metadata(metadata, "step0")
    writer.close()
    accumulator = EventAccumulator(str(tmp_path))
    accumulator.Reload()
    assert accumulator.Tags()["run_metadata"] == ["step0"]
    theirs = accumulator.RunMetadata("step0")
    assert config_pb2.RunMetadata.FromString(theirs.SerializeToString()) == metadata
    assert {ns.node_name for ns in theirs.step_stats.dev_stats[0].node_stats} == EXECUTED

