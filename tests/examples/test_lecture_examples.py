"""examples/lecture/: each section of the lecture runs as a script and prints what TF 1.x prints."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LECTURE = ROOT / "examples" / "lecture"


def run_script(name: str, cwd: Path) -> str:
    result = subprocess.run([sys.executable, str(LECTURE / name)], cwd=cwd, capture_output=True,
                            text=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    return result.stdout


EXACT = {
    "01_tensors_and_shapes.py": """\
(3, 4, 5)
(6, 10) (3, 20) (4, 3, 5)
<dtype: 'float32'>
[ 6  9 12]
[2.   2.25 2.5  2.75 3.  ]
[[9 9 9]
 [9 9 9]]
""",
    "02_graph_and_session.py": """\
Tensor("Const:0", shape=(), dtype=float32)
Tensor("Const_1:0", shape=(), dtype=float32)
Tensor("add:0", shape=(), dtype=float32)
7.0
""",
    "03_naming_and_tensorboard.py": """\
Tensor("MyConst1:0", shape=(), dtype=float32)
Tensor("MyConst2:0", shape=(), dtype=float32)
Tensor("MyAdd:0", shape=(), dtype=float32)
7.0
""",
    "05_variables_and_initializers.py": """\
<tf.Variable 'my_variable:0' shape=(1, 2, 3) dtype=float32_ref>
<tf.Variable 'my_int_variable:0' shape=(1, 2, 3) dtype=int32_ref>
<tf.Variable 'other_variable:0' shape=(2,) dtype=int32_ref>
[3.14159 2.71828]
[4.14159 3.71828]
[5.14159 4.71828]
[23 42]
""",
    # TF1 adds a variable to TRAINABLE_VARIABLES whenever trainable=True (the default), even when
    # `collections=` names only LOCAL_VARIABLES: the lecture's "non-trainable" claim holds only for
    # trainable=False.
    "06_collections.py": """\
['my_local:0']
['my_non_trainable:0', 'my_local_var:0']
['my_local:0', 'my_local_var:0']
[<tf.Variable 'my_local_var:0' shape=(2, 3) dtype=float32_ref>]
""",
    "07_variable_scopes_and_reuse.py": """\
Variable weight already exists, disallowed. Did you mean to set reuse=True or reuse=tf.AUTO_REUSE in \
VarScope? Originally defined at:
['weight:0', 'bias:0', 'layer1/weight:0', 'layer1/bias:0', 'layer2/weight:0', 'layer2/bias:0']
['model/weight:0', 'model/bias:0']
""",
    "08_placeholders.py": """\
7.5
[3. 7.]
InvalidArgumentError - You must feed a value for placeholder tensor 'Placeholder_1' with dtype float
""",
    "10_saver_save_and_restore.py": """\
Model saved in file: logs/model.ckpt
['checkpoint', 'model.ckpt.data-00000-of-00001', 'model.ckpt.index', 'model.ckpt.meta']
Model restored.
v1 : [1. 1. 1.]
v2 : [-1. -1. -1. -1. -1.]
""",
}


@pytest.mark.parametrize("name", sorted(EXACT))
def test_lecture_section_prints_what_tensorflow_prints(name, tmp_path):
    assert run_script(name, tmp_path) == EXACT[name]


def test_every_lecture_script_is_tested():
    assert {p.name for p in LECTURE.glob("*.py")} == set(EXACT) | {
        "04_fetches_and_consistency.py", "09_losses_and_optimizers.py"}


def test_fetches_are_consistent_within_one_run(tmp_path):
    out = run_script("04_fetches_and_consistency.py", tmp_path)
    numbers = [float(x) for x in re.findall(r"-?\d+\.\d+(?:e[-+]?\d+)?", out)]
    first, second, out1, out2 = numbers[0:3], numbers[3:6], numbers[6:9], numbers[9:12]
    assert first != second  # a new value each run
    assert all(0 <= v < 1 for v in first + second)
    assert [round(b - a, 5) for a, b in zip(out1, out2, strict=True)] == [1.0, 1.0, 1.0]  # one vec per run
    assert out.rstrip().endswith("None")


def test_losses_and_optimizers_train(tmp_path):
    out = run_script("09_losses_and_optimizers.py", tmp_path)
    values = dict(re.findall(r"^([a-z0-9\- ]+): ([\d.e\-]+)$", out, re.M))
    assert abs(float(values["cross-entropy"]) - 0.4170299) < 1e-5
    assert float(values["loss after"]) < 0.01 * float(values["loss before"])
    assert out.rstrip().endswith("Adam")


def test_naming_section_writes_an_event_file_with_the_graph(tmp_path):
    from engine.io.tfrecord import read_records
    from engine.proto import event_pb2, graph_pb2

    run_script("03_naming_and_tensorboard.py", tmp_path)
    (path,) = (tmp_path / "tmp" / "logs").glob("events.out.tfevents.*")
    events = [event_pb2.Event.FromString(r) for r in read_records(path)]
    graph = graph_pb2.GraphDef.FromString(next(e.graph_def for e in events if e.graph_def))
    assert {(n.name, n.op) for n in graph.node} == {
        ("MyConst1", "Const"), ("MyConst2", "Const"), ("MyAdd", "AddV2")}
