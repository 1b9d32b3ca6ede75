"""tf.profiler on the engine's own traced runs and its own options: what the oracle tests
(tests/interop/test_profiler_in_tf.py) cannot compare with TF's numbers."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from engine.profiler.scope_view import format_memory, format_number, format_time
from tests.engine.profiler_models import traced_mlp

Builder = tf.profiler.ProfileOptionBuilder


def _traced_mlp_run():
    graph = tf.Graph()
    with graph.as_default():
        x, y, init = traced_mlp(tf)
        with tf.Session() as sess:
            sess.run(init)
            run_meta = tf.RunMetadata()
            sess.run(y, {x: np.ones((5, 4), np.float32)},
                     options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=run_meta)
    return graph, run_meta


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


def test_time_and_memory_of_an_engine_run(capsys):
    graph, run_meta = _traced_mlp_run()
    root = tf.profiler.profile(graph, run_meta=run_meta, options=Builder.time_and_memory())
    report = capsys.readouterr().out
    (device,) = run_meta.step_stats.dev_stats
    stats = {s.node_name: s for s in device.node_stats}
    shown = {n.name: n for n in _walk(root)}
    # every kernel call of the step is a node of the report with its time (TF counts 0us as 1us)
    for name, stat in stats.items():
        assert shown[name].exec_micros == max(stat.op_end_rel_micros, 1)
        assert shown[name].devices == [device.device.lower()]
        assert f"\n{' ' * (2 * name.count('/') + 2)}{name} (" in report
    assert root.total_exec_micros == sum(max(s.op_end_rel_micros, 1) for s in stats.values())
    assert root.total_requested_bytes == sum(m.total_bytes for s in stats.values() for m in s.memory)
    assert shown["layer1/MatMul"].output_bytes == 5 * 10 * 4
    assert "layer1/weight/Assign" not in shown  # initializers did not run in the traced step


def test_run_metadata_completes_shapes_for_flops(capsys):
    graph, run_meta = _traced_mlp_run()
    root = tf.profiler.profile(graph, run_meta=run_meta, options=Builder.float_operation())
    flops = {n.name: n.float_ops for n in _walk(root)}
    # the traced batch of 5 gives layer2's MatMul its shape; layer1's input x was fed, so stays unknown
    assert flops["layer2/MatMul"] == 2 * 5 * 10 * 3
    assert "layer1/MatMul" not in flops
    assert "no flops stats" not in capsys.readouterr().err


def test_defaults_are_the_default_graphs_trainable_parameters(capsys):
    with tf.Graph().as_default():
        traced_mlp(tf)
        root = tf.profiler.profile()
    assert root.total_parameters == 4 * 10 + 10 + 10 * 3 + 3
    assert "-select                     params\n" in capsys.readouterr().out


def test_file_and_empty_output(tmp_path, capsys):
    path = tmp_path / "report.txt"
    with tf.Graph().as_default() as graph:
        traced_mlp(tf)
        tf.profiler.profile(graph, options=Builder(Builder.trainable_variables_parameter())
                            .with_file_output(str(path)).build())
        assert capsys.readouterr().out == ""
        assert path.read_text().startswith("\nDoc:\nscope: ")
        assert "_TFProfRoot (--/83 params)\n" in path.read_text()
        root = tf.profiler.profile(graph, options=Builder(Builder.trainable_variables_parameter())
                                   .with_empty_output().build())
        assert capsys.readouterr().out == ""
        assert root.total_parameters == 83


def test_bad_command_and_output_are_clear_errors():
    with tf.Graph().as_default() as graph:
        traced_mlp(tf)
        with pytest.raises(tf.errors.InvalidArgumentError, match="unknown cmd: code"):
            tf.profiler.profile(graph, cmd="code")
        options = Builder.trainable_variables_parameter()
        with pytest.raises(ValueError, match="Unknown output type: timeline"):
            tf.profiler.profile(graph, options={**options, "output": "timeline:outfile=t.json"})
        with pytest.raises(ValueError, match="Unrecognized options where for output_type: file"):
            tf.profiler.profile(graph, options={**options, "output": "file:where=x"})


@pytest.mark.parametrize(("n", "number", "time", "memory"), [
    (0, "0", "0us", "0B"), (999, "999", "999us", "999B"), (1000, "1.00k", "1.00ms", "1.00KB"),
    (131072, "131.07k", "131.07ms", "131.07KB"), (2500000, "2.50m", "2.50sec", "2.50MB"),
    (7 * 10**9, "7.00b", "7000.00sec", "7000.00MB"),
])
def test_number_formats(n, number, time, memory):
    assert (format_number(n), format_time(n), format_memory(n)) == (number, time, memory)


def test_a_deep_chain_is_profiled_in_every_view():
    """Views recurse once per graph level: a chain of 3000 adds is 3000 levels deep in the graph view."""
    with tf.Graph().as_default() as graph:
        x = tf.constant(1.0, shape=[2])
        for _ in range(3000):
            x = x + 1.0
        for cmd in ("graph", "scope", "op"):
            root = tf.profiler.profile(graph, cmd=cmd, options=Builder(Builder.float_operation())
                                       .with_empty_output().build())
            assert root.total_float_ops == 3000 * 2
