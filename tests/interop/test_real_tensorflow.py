"""Our files against the real TensorFlow (and TensorBoard): "compatibility is the product".

The engine side runs here, in the project's venv. The TensorFlow side runs as a subprocess under a
Python that has ``tensorflow`` installed (``tf_side.py``, which prints its findings as JSON): the suite's
``tf_python`` fixture (tests/conftest.py), i.e. ``TF_PYTHON`` or the cached venv ``make tfref`` builds.
Without one the TensorFlow tests skip and say how to enable them; under CI they fail. TensorFlow runs
in TF1 behaviour (``tf.compat.v1`` + ``disable_v2_behavior``), the semantics we copy (DESIGN.md: "Which
TensorFlow").

The tests that read our logdir with TensorBoard's own EventMultiplexer and data provider need only the
``tensorboard`` package (a test dependency) and always run.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import engine as tf
from engine.proto import graph_pb2, summary_pb2

HERE = Path(__file__).resolve().parent


def _load_models():
    spec = importlib.util.spec_from_file_location("interop_models", HERE / "models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


models = _load_models()


@pytest.fixture(scope="module")
def run_tf(tmp_path_factory, tf_python):
    """``run_tf(command, **args) -> dict``: one tf_side.py command under real TensorFlow.

    One TensorFlow process serves the whole module (its import alone takes ~10 s).
    """
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0", CUDA_VISIBLE_DEVICES="")
    stderr_path = tmp_path_factory.mktemp("tf_side") / "stderr.txt"
    with open(stderr_path, "w") as stderr:
        proc = subprocess.Popen([tf_python, str(HERE / "tf_side.py"), "--serve"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)

    def run(command, **args):
        proc.stdin.write(json.dumps({"command": command, "args": args}) + "\n")
        proc.stdin.flush()
        for line in proc.stdout:
            if line.startswith("RESULT "):
                return json.loads(line[len("RESULT "):])
            if line.startswith("ERROR "):
                pytest.fail(f"TensorFlow side `{command}` raised:\n{json.loads(line[len('ERROR '):])}")
        pytest.fail(f"TensorFlow side exited ({proc.wait()}):\n{stderr_path.read_text()[-4000:]}")

    yield run
    proc.stdin.close()
    proc.wait(timeout=60)
    proc.stdout.close()


def decode(value):
    """The inverse of tf_side.encode."""
    if value["dtype"] == "bytes":
        return np.array([base64.b64decode(v) for v in value["value"]], dtype=object).reshape(value["shape"])
    return np.asarray(value["value"], dtype=value["dtype"]).reshape(value["shape"])


def encode(value):
    value = np.asarray(value)
    return {"dtype": value.dtype.name, "shape": list(value.shape), "value": value.tolist()}


def assert_same(ours, theirs, exact=False):
    """Same dtype and shape; values equal (``exact``) or within the float32 round-off of another
    summation order."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    if exact or ours.dtype.kind not in "fc":
        np.testing.assert_array_equal(ours, theirs)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=1e-6)


def run_engine_steps(sess, graph, steps):
    """The engine half of tf_side.run_steps: the same fetches and feeds, by name."""
    results = []
    for step in steps:
        fetches = [graph.as_graph_element(name) for name in step["fetches"]]
        feeds = {graph.as_graph_element(name): np.asarray(v["value"], v["dtype"])
                 for name, v in step.get("feeds", {}).items()}
        results.append(sess.run(fetches, feed_dict=feeds))
    return results


def write_graph_def(graph, path):
    path.write_bytes(graph.as_graph_def().SerializeToString())
    return str(path)


def variable_values(sess):
    return {v.op.name: sess.run(v) for v in tf.global_variables()}


def mlp_feeds(names, batch):
    return {names["x"]: encode(np.float32(batch["x"])), names["y"]: encode(np.float32(batch["y"]))}


# ------------------------------------------------------------------------------------- (a) GraphDefs
def test_lecture_constant_graph_imports_and_runs_in_tensorflow(run_tf, tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        a = tf.constant(3.0, name="MyConst1")
        b = tf.constant(4.0, name="MyConst2")
        total = tf.add(a, b, name="MyAdd")
    with tf.Session(graph=graph) as sess:
        ours = sess.run(total)
    theirs = run_tf("import_graph_def", graph_def=write_graph_def(graph, tmp_path / "g.pb"),
                    steps=[{"fetches": ["MyAdd:0"]}])
    assert theirs["ops"] == {"MyConst1": "Const", "MyConst2": "Const", "MyAdd": "AddV2"}
    assert_same(np.float32(ours), decode(theirs["results"][0][0]), exact=True)
    assert ours == 7.0


def test_placeholder_graph_imports_and_runs_with_feeds_in_tensorflow(run_tf, tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32)
        y = tf.placeholder(tf.float32)
        z = x + y
        shaped = tf.placeholder(tf.int32, [None, 2], name="shaped")
        doubled = tf.reduce_sum(shaped * 2, axis=1, name="doubled")
    steps = [
        {"fetches": [z.name], "feeds": {x.name: encode(np.float32(3)), y.name: encode(np.float32(4.5))}},
        {"fetches": [z.name],
         "feeds": {x.name: encode(np.float32([1, 3])), y.name: encode(np.float32([2, 4]))}},
        {"fetches": [doubled.name], "feeds": {shaped.name: encode(np.int32([[1, 2], [3, -4]]))}},
    ]
    with tf.Session(graph=graph) as sess:
        ours = run_engine_steps(sess, graph, steps)
    theirs = run_tf("import_graph_def", graph_def=write_graph_def(graph, tmp_path / "g.pb"), steps=steps)
    assert theirs["ops"]["Placeholder"] == "Placeholder" and theirs["ops"]["add"] == "AddV2"
    for our_step, their_step in zip(ours, theirs["results"], strict=True):
        assert_same(our_step[0], decode(their_step[0]), exact=True)
    assert ours[0][0] == 7.5 and list(ours[2][0]) == [6, -2]


@pytest.mark.parametrize(("optimizer", "loss"), [("sgd", "mse"), ("adam", "mse"), ("adam", "softmax")])
def test_mlp_training_graph_imports_and_trains_alike_in_tensorflow(run_tf, tmp_path, optimizer, loss):
    """The full training graph (gradients/*, the optimizer's apply ops, init) runs in TF, step for step."""
    graph = tf.Graph()
    with graph.as_default():
        names = models.build_mlp(tf, models.mlp_params(), optimizer, loss=loss)
        variables = [v.name for v in tf.global_variables()]
    feeds = mlp_feeds(names, models.mlp_batch())
    steps = [{"fetches": [names["init"]]}]
    for _ in range(3):
        steps.append({"fetches": [names["loss"], names["output"]], "feeds": feeds})
        steps.append({"fetches": [names["train"]], "feeds": feeds})
    steps.append({"fetches": [names["loss"], *variables], "feeds": feeds})
    with tf.Session(graph=graph) as sess:
        ours = run_engine_steps(sess, graph, steps)
    theirs = run_tf("import_graph_def", graph_def=write_graph_def(graph, tmp_path / "mlp.pb"), steps=steps)

    op_types = set(theirs["ops"].values())
    assert {"VariableV2", "Assign", "ReluGrad", "MatMul"} <= op_types
    assert ("ApplyAdam" if optimizer == "adam" else "ApplyGradientDescent") in op_types
    for index, (our_step, their_step) in enumerate(zip(ours, theirs["results"], strict=True)):
        for name, our_value, their_value in zip(steps[index]["fetches"], our_step, their_step, strict=True):
            if their_value is None:  # an operation, not a tensor
                assert our_value is None, name
                continue
            try:
                assert_same(np.asarray(our_value), decode(their_value))
            except AssertionError as error:
                raise AssertionError(f"step {index}, fetch {name}: {error}") from None
    assert int(ours[-1][1 + variables.index("global_step:0")]) == 3


def _graph_defs_built_by_both(run_tf, optimizer, loss="mse"):
    graph = tf.Graph()
    with graph.as_default():
        models.build_mlp(tf, models.mlp_params(), optimizer, summaries=True, loss=loss)
        tf.train.Saver()
    theirs = run_tf("build_graph_def", model="mlp", params=models.mlp_params(), optimizer=optimizer,
                    summaries=True, loss=loss)
    real = graph_pb2.GraphDef.FromString(base64.b64decode(theirs["graph_def"]))
    return {n.name: n for n in graph.as_graph_def().node}, {n.name: n for n in real.node}


@pytest.mark.parametrize(("optimizer", "loss"), [("sgd", "mse"), ("adam", "mse"), ("adam", "softmax")])
def test_same_builder_gives_the_same_nodes_as_tensorflow(run_tf, optimizer, loss):
    """Node for node (names, op types, inputs, attr keys) what TF builds from the same source: the
    gradients/*, loss, optimizer, summary and save/* subgraphs included."""
    ours, real = _graph_defs_built_by_both(run_tf, optimizer, loss)
    assert sorted(ours) == sorted(real)
    problems = [f"{name}: ours {ours[name].op} {list(ours[name].input)} {sorted(ours[name].attr)}, "
                f"TF {real[name].op} {list(real[name].input)} {sorted(real[name].attr)}"
                for name in sorted(real)
                if (ours[name].op, list(ours[name].input), sorted(ours[name].attr))
                != (real[name].op, list(real[name].input), sorted(real[name].attr))]
    assert not problems, "\n".join(problems)


def _attr_value_differences(ours, real, keys):
    return [f"{name} {key}: ours {ours[name].attr[key]} TF {real[name].attr[key]}".replace("\n", " ")
            for name in sorted(real) for key in sorted(real[name].attr)
            if key in keys and ours[name].attr[key] != real[name].attr[key]]


@pytest.mark.parametrize("loss", ["mse", "softmax"])
def test_same_builder_gives_the_same_attr_values_as_tensorflow(run_tf, loss):
    """Every attr value (dtypes, shapes, Const values, MatMul's grad_a/grad_b hints...) but colocation
    and the random ops' derived seed2 (TF 2.21 counts seeded ops; TF 1.x and we use the op id)."""
    ours, real = _graph_defs_built_by_both(run_tf, "adam", loss)
    keys = {key for node in real.values() for key in node.attr} - {"_class", "seed2"}
    assert not _attr_value_differences(ours, real, keys)


def test_slot_colocation_matches_tensorflow(run_tf):
    ours, real = _graph_defs_built_by_both(run_tf, "adam")
    assert not _attr_value_differences(ours, real, {"_class"})


def _summary_values(serialized):
    summary = summary_pb2.Summary.FromString(serialized)
    return {value.tag: value for value in summary.value}


def test_summary_ops_in_our_graph_run_in_tensorflow(run_tf, tmp_path):
    """ScalarSummary / HistogramSummary / text / MergeSummary nodes run in TF's kernels and give the
    same Summary protos as ours (histogram buckets included)."""
    graph = tf.Graph()
    with graph.as_default():
        values = tf.placeholder(tf.float32, [None], name="x")
        tf.summary.scalar("batch_mean", tf.reduce_mean(values))
        tf.summary.histogram("activations", values)
        tf.summary.text("note", tf.constant("step *one*"))
        merged = tf.summary.merge_all()
    feed = np.concatenate([np.random.RandomState(5).randn(300) * 3, [0.0, -0.0, 1e-13, -1e-13, 1e20]])
    steps = [{"fetches": [merged.name], "feeds": {values.name: encode(feed.astype(np.float32))}}]
    with tf.Session(graph=graph) as sess:
        ours = _summary_values(run_engine_steps(sess, graph, steps)[0][0])
    theirs_run = run_tf("import_graph_def", graph_def=write_graph_def(graph, tmp_path / "g.pb"), steps=steps)
    theirs = _summary_values(decode(theirs_run["results"][0][0]).item())

    assert set(ours) == set(theirs) == {"batch_mean", "activations", "note"}
    assert ours["batch_mean"].simple_value == theirs["batch_mean"].simple_value
    ours_h, theirs_h = ours["activations"].histo, theirs["activations"].histo
    assert (ours_h.min, ours_h.max, ours_h.num) == (theirs_h.min, theirs_h.max, theirs_h.num)
    assert ours_h.sum == pytest.approx(theirs_h.sum, rel=1e-12)
    assert ours_h.sum_squares == pytest.approx(theirs_h.sum_squares, rel=1e-12)
    assert list(ours_h.bucket_limit) == list(theirs_h.bucket_limit)
    assert list(ours_h.bucket) == list(theirs_h.bucket)
    assert ours["note"].metadata.plugin_data.plugin_name == theirs["note"].metadata.plugin_data.plugin_name
    assert ours["note"].tensor.string_val == theirs["note"].tensor.string_val == [b"step *one*"]


def test_pr_curve_and_custom_scalar_ops_run_in_tensorflow(run_tf, tmp_path):
    """tf.summary.pr_curve (TensorBoard's op, on our ops) and custom_scalar nodes run in TF's
    kernels and give our Summary protos; pr_curve_pb's numpy tensor is the same, bit for bit."""
    from engine.summary import layout_pb2

    rng = np.random.RandomState(3)
    labels = rng.rand(200) < 0.4
    predictions = np.clip(labels * 0.5 + rng.rand(200) * 0.6, 0, 1).astype(np.float32)
    weights = rng.rand(200).astype(np.float32)
    layout = layout_pb2.Layout(category=[layout_pb2.Category(title="losses", chart=[
        layout_pb2.Chart(title="all", multiline=layout_pb2.MultilineChartContent(tag=[r"loss.*"]))])])
    graph = tf.Graph()
    with graph.as_default():
        y = tf.placeholder(tf.bool, [None], name="y")
        p = tf.placeholder(tf.float32, [None], name="p")
        w = tf.placeholder(tf.float32, [None], name="w")
        tf.summary.pr_curve("pr", y, p, num_thresholds=11, display_name="class 1", description="*ones*")
        tf.summary.pr_curve("weighted", y, p, num_thresholds=21, weights=w)
        tf.summary.custom_scalar(layout)
        merged = tf.summary.merge_all()
    feeds = {y.name: encode(labels), p.name: encode(predictions), w.name: encode(weights)}
    steps = [{"fetches": [merged.name], "feeds": feeds}]
    with tf.Session(graph=graph) as sess:
        ours = _summary_values(run_engine_steps(sess, graph, steps)[0][0])
    theirs_run = run_tf("import_graph_def", graph_def=write_graph_def(graph, tmp_path / "g.pb"), steps=steps)
    theirs = _summary_values(decode(theirs_run["results"][0][0]).item())

    assert set(ours) == set(theirs) == {"pr/pr_curves", "weighted/pr_curves", "custom_scalars__config__"}
    for tag in ours:
        assert ours[tag].metadata == theirs[tag].metadata, tag
        assert ours[tag].tensor.dtype == theirs[tag].tensor.dtype, tag
        # weighted counts are float32 sums, whose rounding depends on the summation order
        ours_array, theirs_array = tf.make_ndarray(ours[tag].tensor), tf.make_ndarray(theirs[tag].tensor)
        if tag.startswith("weighted"):
            np.testing.assert_allclose(ours_array, theirs_array, rtol=1e-6)
        else:
            np.testing.assert_array_equal(ours_array, theirs_array)
    assert ours["pr/pr_curves"].metadata.display_name == "class 1"
    assert tf.make_ndarray(ours["weighted/pr_curves"].tensor).shape == (6, 21)
    written = tf.make_ndarray(ours["custom_scalars__config__"].tensor).item()
    assert layout_pb2.Layout.FromString(written) == layout
    pb = tf.summary.pr_curve_pb("pr", labels, predictions, 11, display_name="class 1", description="*ones*")
    assert pb.value[0].tag == "pr/pr_curves" and pb.value[0].metadata == ours["pr/pr_curves"].metadata
    np.testing.assert_array_equal(tf.make_ndarray(pb.value[0].tensor),
                                  tf.make_ndarray(ours["pr/pr_curves"].tensor))


def test_default_initializers_run_in_tensorflow(run_tf, tmp_path):
    """The lecture's dense_relu with get_variable's default initializer (glorot uniform, for the bias
    too): TF runs our RandomUniform-based init ops, and the values it draws respect the glorot limit."""
    graph = tf.Graph()
    with graph.as_default():
        names = models.build_mlp(tf, None, "sgd")
    weight = "layer1/weight:0"
    theirs = run_tf("import_graph_def", graph_def=write_graph_def(graph, tmp_path / "g.pb"),
                    steps=[{"fetches": [names["init"]]}, {"fetches": [weight, "layer1/bias:0"]}])
    values = decode(theirs["results"][1][0])
    limit = np.sqrt(6.0 / (models.IN + models.HIDDEN))
    assert values.shape == (models.IN, models.HIDDEN) and values.dtype == np.float32
    assert np.all(np.abs(values) <= limit) and np.std(values) > 0.1 * limit
    assert decode(theirs["results"][1][1]).shape == (models.HIDDEN,)


# ------------------------------------------------------------------------------------ (b) checkpoints
def _train_and_save(tmp_path, model, steps=2):
    """Builds ``model`` with the engine, runs init and a few training steps, saves; returns values."""
    graph = tf.Graph()
    with graph.as_default():
        if model == "mlp":
            names = models.build_mlp(tf, models.mlp_params(), "adam")
        elif model == "lecture":
            names = models.build_lecture_variables(tf)
        else:
            names = models.build_typed_variables(tf)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(names["init"])
            if model == "mlp":
                feeds = {graph.as_graph_element(k): np.float32(v) for k, v in
                         zip([names["x"], names["y"]], models.mlp_batch().values(), strict=True)}
                for _ in range(steps):
                    sess.run(names["train"], feed_dict=feeds)
            elif model == "lecture":
                graph.get_operation_by_name(names["inc_v1"]).run()
                graph.get_operation_by_name(names["dec_v2"]).run()
            prefix = saver.save(sess, str(tmp_path / "ckpt" / "model.ckpt"))
            values = variable_values(sess)
    return prefix, values, names


@pytest.mark.parametrize("model", ["lecture", "mlp", "typed"])
def test_engine_checkpoint_restores_in_tensorflow(run_tf, tmp_path, model):
    prefix, ours, _ = _train_and_save(tmp_path, model)
    theirs = run_tf("restore", model=model, params=models.mlp_params(), optimizer="adam",
                    prefix=prefix, directory=str(tmp_path / "ckpt"))
    assert theirs["latest"] == prefix
    assert set(theirs["restored"]) == set(ours)
    assert set(theirs["reader"]) == set(ours)
    for name, value in ours.items():
        assert_same(value, decode(theirs["restored"][name]), exact=True)
        entry = theirs["reader"][name]
        assert (entry["dtype"], entry["shape"]) == (value.dtype.name, list(value.shape)), name
        assert_same(value, decode(entry["tensor"]), exact=True)
    if model == "lecture":
        assert list(ours["v1"]) == [1, 1, 1] and list(ours["v2"]) == [-1] * 5


@pytest.mark.parametrize("model", ["lecture", "mlp", "typed"])
def test_tensorflow_checkpoint_restores_in_engine(run_tf, tmp_path, model):
    steps = []
    if model == "mlp":
        feeds = {f"{key}:0": encode(np.float32(value)) for key, value in models.mlp_batch().items()}
        steps = [{"fetches": ["Adam"], "feeds": feeds}] * 2
    elif model == "lecture":
        steps = [{"fetches": ["Assign"]}, {"fetches": ["Assign_1"]}]  # inc_v1, dec_v2
    prefix = str(tmp_path / "tfckpt" / "model.ckpt")
    theirs = run_tf("save", model=model, params=models.mlp_params(), optimizer="adam", prefix=prefix,
                    steps=steps)
    assert theirs["path"] == prefix

    graph = tf.Graph()
    with graph.as_default():
        if model == "mlp":
            models.build_mlp(tf, models.mlp_params(), "adam")
        elif model == "lecture":
            models.build_lecture_variables(tf)
        else:
            models.build_typed_variables(tf)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path / "tfckpt")))
            ours = variable_values(sess)
    reader = tf.train.load_checkpoint(prefix)
    assert set(ours) == set(theirs["variables"])
    for name, value in theirs["variables"].items():
        assert_same(ours[name], decode(value), exact=True)
        assert_same(reader.get_tensor(name), decode(value), exact=True)
    if model == "lecture":
        assert list(ours["v1"]) == [1, 1, 1] and list(ours["v2"]) == [-1] * 5
    if model == "mlp":
        assert int(ours["global_step"]) == 2


def test_checkpoint_state_with_global_step_and_max_to_keep_is_read_by_tensorflow(run_tf, tmp_path):
    directory = tmp_path / "ckpts"
    graph = tf.Graph()
    with graph.as_default():
        names = models.build_lecture_variables(tf)
        saver = tf.train.Saver(max_to_keep=2)
        with tf.Session() as sess:
            sess.run(names["init"])
            for step in (10, 20, 30):
                graph.get_operation_by_name(names["inc_v1"]).run()
                saver.save(sess, str(directory / "model.ckpt"), global_step=step)
    theirs = run_tf("checkpoint_state", directory=str(directory))
    expected = [str(directory / f"model.ckpt-{step}") for step in (20, 30)]
    assert theirs["all_model_checkpoint_paths"] == expected
    assert theirs["model_checkpoint_path"] == theirs["latest"] == expected[-1]
    assert sorted(theirs["variables"]) == [["v1", [3]], ["v2", [5]]]
    assert not list(directory.glob("model.ckpt-10.*"))


# ------------------------------------------------------------------------------------ (c) MetaGraphDef
def test_engine_meta_graph_imports_and_restores_in_tensorflow(run_tf, tmp_path):
    prefix, ours, names = _train_and_save(tmp_path, "mlp")
    feeds = mlp_feeds(names, models.mlp_batch())
    graph = tf.Graph()
    with graph.as_default(), tf.Session() as sess:
        saver = tf.train.import_meta_graph(prefix + ".meta")
        saver.restore(sess, prefix)
        expected_steps = run_engine_steps(sess, graph, [{"fetches": [names["loss"]], "feeds": feeds}])
    steps = [{"fetches": [names["loss"]], "feeds": feeds},
             {"fetches": [names["train"]], "feeds": feeds},
             {"fetches": [names["global_step"]]}]
    theirs = run_tf("import_meta_graph", meta=prefix + ".meta", prefix=prefix, steps=steps)
    assert set(theirs["restored"]) == set(ours)
    for name, value in ours.items():
        assert_same(value, decode(theirs["restored"][name]), exact=True)
    assert theirs["trainable"] == ["layer1/weight", "layer1/bias", "layer2/weight", "layer2/bias"]
    assert [name for _, name in theirs["collections"]["train_op"]] == [names["train"]]
    assert [name for _, name in theirs["collections"]["losses"]] == [names["loss"]]
    assert_same(np.asarray(expected_steps[0][0]), decode(theirs["results"][0][0]))
    assert int(decode(theirs["results"][2][0])) == int(ours["global_step"]) + 1


def _handles_built_by_both(run_tf, tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        ours = models.build_mlp(tf, models.mlp_params(), "adam")
    theirs = run_tf("save", model="mlp", params=models.mlp_params(), optimizer="adam",
                    prefix=str(tmp_path / "tf" / "model.ckpt"))["names"]
    return ours, theirs


def test_same_builder_gives_the_same_tensor_names_as_tensorflow(run_tf, tmp_path):
    ours, theirs = _handles_built_by_both(run_tf, tmp_path)
    for key in ("x", "y", "output", "loss", "global_step", "init"):
        assert ours[key] == theirs[key], key
    assert ours["shapes"] == theirs["shapes"] == {"x": "(?, 5)", "output": "(?, 3)", "loss": "()"}


def test_minimize_with_global_step_returns_the_operation_as_tensorflow(run_tf, tmp_path):
    ours, theirs = _handles_built_by_both(run_tf, tmp_path)
    assert theirs["train"] == "Adam"
    assert ours["train"] == theirs["train"]


# --------------------------------------------------------------------------------------- (d) events
def _events_of(logdir):
    files = sorted(Path(logdir).glob("events.out.tfevents.*"))
    assert len(files) == 1, files
    return str(files[0])


def _assert_histogram(histo, values):
    values = np.asarray(values, np.float64).ravel()
    assert histo["num"] == values.size
    assert histo["min"] == values.min() and histo["max"] == values.max()
    assert histo["sum"] == pytest.approx(values.sum(), rel=1e-6)
    assert histo["sum_squares"] == pytest.approx((values ** 2).sum(), rel=1e-6)
    assert sum(histo["bucket"]) == values.size
    assert len(histo["bucket"]) == len(histo["bucket_limit"])
    assert histo["bucket_limit"] == sorted(histo["bucket_limit"])
    limits = np.asarray(histo["bucket_limit"])
    # TF's bucket i counts previous limit <= v < limit i (empty buckets may be left out of the proto).
    counts = np.bincount(np.searchsorted(limits, values.ravel(), side="right"), minlength=len(limits))
    assert [int(c) for c in counts[: len(limits)]] == [int(c) for c in histo["bucket"]]


def test_filewriter_events_read_by_tensorflow_summary_iterator(run_tf, tmp_path):
    logdir = tmp_path / "train"
    graph = tf.Graph()
    with graph.as_default():
        names = models.build_mlp(tf, models.mlp_params(), "adam", summaries=True)
        feeds = {graph.as_graph_element(k): np.float32(v)
                 for k, v in zip([names["x"], names["y"]], models.mlp_batch().values(), strict=True)}
        relu1 = graph.get_tensor_by_name("layer1/Relu:0")
        writer = tf.summary.FileWriter(str(logdir), graph)
        logged = []
        with tf.Session() as sess:
            sess.run(names["init"])
            for step in range(4):
                summary, loss, activations, _ = sess.run(
                    [names["summary"], names["loss"], relu1, names["train"]], feed_dict=feeds)
                writer.add_summary(summary, step)
                logged.append((loss, activations))
        writer.close()
    theirs = run_tf("summary_iterator", path=_events_of(logdir))["events"]

    assert theirs[0]["kind"] == "file_version" and theirs[0]["file_version"] == "brain.Event:2"
    graph_events = [e for e in theirs if e["kind"] == "graph_def"]
    assert len(graph_events) == 1
    assert graph_events[0]["nodes"] == {node.name: node.op for node in graph.as_graph_def().node}
    summaries = [e for e in theirs if e["kind"] == "summary"]
    assert [e["step"] for e in summaries] == [0, 1, 2, 3]
    for event, (loss, activations) in zip(summaries, logged, strict=True):
        by_tag = {v["tag"]: v for v in event["values"]}
        assert set(by_tag) == {"loss", "layer1/activations"}
        assert by_tag["loss"]["kind"] == "simple_value"
        assert by_tag["loss"]["simple_value"] == float(np.float32(loss))
        assert by_tag["layer1/activations"]["kind"] == "histo"
        _assert_histogram(by_tag["layer1/activations"]["histo"], activations)


def test_summary_writer_events_read_by_tensorflow_summary_iterator(run_tf, tmp_path):
    rng = np.random.RandomState(3)
    samples = {step: rng.randn(500) + step for step in (0, 5)}
    losses = [float(np.float32(2.0 / (1 + step))) for step in range(6)]
    with tf.summary.SummaryWriter(str(tmp_path / "plain")) as writer:
        for step, loss in enumerate(losses):
            writer.add_scalar("loss", loss, step)
            if step in samples:
                writer.add_histogram("weights", samples[step], step)
        writer.add_text("notes", "hello *board*", 5)
    theirs = run_tf("summary_iterator", path=_events_of(tmp_path / "plain"))["events"]

    assert theirs[0]["file_version"] == "brain.Event:2"
    values = [(e["step"], v) for e in theirs if e["kind"] == "summary" for v in e["values"]]
    scalars = [(step, v["simple_value"]) for step, v in values if v["tag"] == "loss"]
    assert scalars == list(enumerate(losses))
    histograms = {step: v["histo"] for step, v in values if v["tag"] == "weights"}
    assert set(histograms) == set(samples)
    for step, histo in histograms.items():
        _assert_histogram(histo, samples[step])
    (text,) = [v for _, v in values if v["tag"] == "notes"]
    assert text["plugin"] == "text"
    assert list(decode(text["tensor"]).ravel()) == [b"hello *board*"]


# ----------------------------------------------------------------------- (e) TensorBoard's own readers
def test_tensorboard_multiplexer_and_data_provider_read_our_logdir(tmp_path):
    from tensorboard import context
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
    from tensorboard.compat.proto import graph_pb2 as tb_graph_pb2

    graph = tf.Graph()
    with graph.as_default():
        names = models.build_mlp(tf, models.mlp_params(), "sgd", summaries=True)
        feeds = {graph.as_graph_element(k): np.float32(v)
                 for k, v in zip([names["x"], names["y"]], models.mlp_batch().values(), strict=True)}
        writer = tf.summary.FileWriter(str(tmp_path / "train"), graph)
        losses = []
        with tf.Session() as sess:
            sess.run(names["init"])
            for step in range(5):
                summary, loss, _ = sess.run([names["summary"], names["loss"], names["train"]],
                                            feed_dict=feeds)
                writer.add_summary(summary, step)
                losses.append(float(np.float32(loss)))
        writer.close()
    plain = [0.5, 0.25, 0.125]
    with tf.summary.SummaryWriter(str(tmp_path / "plain")) as plain_writer:
        for step, value in enumerate(plain):
            plain_writer.add_scalar("accuracy", value, step * 10)

    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(str(tmp_path))
    multiplexer.Reload()
    assert set(multiplexer.Runs()) == {"train", "plain"}
    their_graph = multiplexer.Graph("train")
    assert {n.name: n.op for n in their_graph.node} == {n.name: n.op for n in graph.as_graph_def().node}
    assert [t.step for t in multiplexer.Tensors("train", "loss")] == list(range(5))

    provider = data_provider.MultiplexerDataProvider(multiplexer, str(tmp_path))
    ctx = context.RequestContext()
    assert {run.run_name for run in provider.list_runs(ctx, experiment_id="")} == {"train", "plain"}
    listing = provider.list_scalars(ctx, experiment_id="", plugin_name="scalars")
    assert set(listing) == {"train", "plain"}
    assert set(listing["train"]) == {"loss"} and set(listing["plain"]) == {"accuracy"}
    read = provider.read_scalars(ctx, experiment_id="", plugin_name="scalars", downsample=100)
    assert [(d.step, d.value) for d in read["train"]["loss"]] == list(enumerate(losses))
    assert [(d.step, d.value) for d in read["plain"]["accuracy"]] == [(0, 0.5), (10, 0.25), (20, 0.125)]
    histograms = provider.list_tensors(ctx, experiment_id="", plugin_name="histograms")
    assert set(histograms["train"]) == {"layer1/activations"}
    assert histograms["train"]["layer1/activations"].max_step == 4
    blobs = provider.list_blob_sequences(ctx, experiment_id="", plugin_name="graphs")
    assert set(blobs) == {"train"}
    references = provider.read_blob_sequences(ctx, experiment_id="", plugin_name="graphs", downsample=10)
    [datum] = references["train"]["__run_graph__"]
    [reference] = datum.values
    blob = provider.read_blob(ctx, blob_key=reference.blob_key)
    served = tb_graph_pb2.GraphDef.FromString(blob)
    assert [(n.name, n.op, list(n.input)) for n in served.node] == [
        (n.name, n.op, list(n.input)) for n in graph.as_graph_def().node]
