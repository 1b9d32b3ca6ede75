"""tf.train.load_checkpoint / NewCheckpointReader / list_variables on TensorFlow's checkpoints."""

import json

import numpy as np
import pytest

from engine.framework import dtypes
from engine.framework.errors import NotFoundError
from engine.train.checkpoint_reader import NewCheckpointReader, list_variables, load_checkpoint, load_variable


def _variables(path):
    with open(path) as f:
        return json.load(f)["variables"]


@pytest.mark.parametrize(
    "folder, prefix, json_name",
    [
        ("tf1_checkpoint_lecture/logs", "model.ckpt", "tf1_checkpoint_lecture/variables.json"),
        ("tf1_mlp/ckpt", "mlp.ckpt", "tf1_mlp/ckpt_variables.json"),
    ],
)
def test_reader_matches_tensorflows_readback(real_fixtures, folder, prefix, json_name):
    expected = _variables(real_fixtures / json_name)
    directory = real_fixtures / folder
    assert list_variables(directory) == [(name, expected[name]["shape"]) for name in sorted(expected)]
    for reader in (
        load_checkpoint(directory),
        load_checkpoint(directory / prefix),
        NewCheckpointReader(str(directory / prefix)),
    ):
        assert reader.get_variable_to_shape_map() == {n: v["shape"] for n, v in expected.items()}
        assert reader.get_variable_to_dtype_map() == {n: dtypes.float32 for n in expected}
        for name, v in expected.items():
            assert reader.has_tensor(name)
            value = reader.get_tensor(name)
            assert np.array_equal(value, np.array(v["value"], dtype=np.float32))
            assert list(value.shape) == v["shape"]
    assert not reader.has_tensor("nope")


def test_load_variable_and_debug_string(real_fixtures):
    prefix = real_fixtures / "tf1_checkpoint_lecture/logs/model.ckpt"
    assert np.array_equal(load_variable(prefix, "v2:0"), -np.ones(5, np.float32))
    assert NewCheckpointReader(str(prefix)).debug_string() == b"v1 (float32) [3]\nv2 (float32) [5]\n"


def test_missing_checkpoint_and_missing_key(real_fixtures, tmp_path):
    with pytest.raises(NotFoundError, match="Failed to find any matching files for .*missing"):
        load_checkpoint(tmp_path / "missing")
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file"):
        load_checkpoint(tmp_path)
    reader = load_checkpoint(real_fixtures / "tf1_checkpoint_lecture/logs")
    with pytest.raises(NotFoundError, match="Key v9 not found in checkpoint"):
        reader.get_tensor("v9")
