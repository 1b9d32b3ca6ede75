"""engine/framework/op_signatures.pb holds TensorFlow's OpDef of every op type the engine registers
(scripts/op_signatures.py writes it from real TensorFlow); `.meta` files carry them as TF's do."""

from __future__ import annotations

import engine as tf
from engine.framework import op_signatures, registry


def test_every_registered_op_type_has_tensorflows_signature():
    missing = sorted(set(registry.registered_ops()) - set(op_signatures._signatures()))
    assert not missing, f"run `python scripts/op_signatures.py` to add the signatures of {missing}"


def test_declared_input_names_are_the_signatures():
    for op_type in registry.registered_ops():
        declared = registry.get_op_def(op_type).input_names
        if declared:
            signature = op_signatures._signatures()[op_type]
            assert tuple(arg.name for arg in signature.input_arg) == tuple(declared), op_type


def test_meta_graph_carries_full_signatures_sorted_by_name():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        tf.nn.softmax(tf.matmul(x, tf.ones([3, 2])))
        meta = tf.train.export_meta_graph()
    ops = meta.meta_info_def.stripped_op_list.op
    assert [op.name for op in ops] == ["Const", "MatMul", "Placeholder", "Softmax"]
    matmul = ops[1]
    assert [a.name for a in matmul.input_arg] == ["a", "b"]
    assert [a.name for a in matmul.attr] == ["transpose_a", "transpose_b", "T", "grad_a", "grad_b"]
