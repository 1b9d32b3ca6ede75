"""TF's stack ops (engine/ops/stack_ops.py), which a while loop's gradient is built from: order, and
TF's errors for overflow, an empty pop and a closed stack."""

from __future__ import annotations

import re

import numpy as np
import pytest

import engine as tf
from engine.ops import stack_ops


def _stack_graph(max_size):
    g = tf.Graph()
    with g.as_default():
        stack = stack_ops.stack_v2(max_size, tf.float32, stack_name="acc")
        x = tf.placeholder(tf.float32, [2])
        push = stack_ops.stack_push_v2(stack, x)
        with tf.control_dependencies([push]):
            pop = stack_ops.stack_pop_v2(stack, tf.float32)
    return g, stack, x, push, pop


def test_pop_returns_what_was_pushed():
    g, _, x, _, pop = _stack_graph(-1)
    with tf.Session(graph=g) as s:
        np.testing.assert_array_equal(s.run(pop, {x: [1.0, 2.0]}), [1.0, 2.0])


@pytest.mark.parametrize("case, message", [
    ("overflow", "Stack[acc] overflowed its max_size (0)"),
    ("empty", "Stack[acc] is empty when calling Pop()."),
])
def test_stack_errors_are_tfs(case, message):
    g, stack, x, push, _ = _stack_graph(0 if case == "overflow" else -1)
    with g.as_default():
        target = push if case == "overflow" else stack_ops.stack_pop_v2(stack, tf.float32)
    with tf.Session(graph=g) as s, pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(message)):
        s.run(target, {x: [1.0, 2.0]})


def test_a_closed_stack_refuses_push_and_pop():
    stack = stack_ops._Stack("acc", -1)
    stack_ops._push(stack, np.float32(1))
    stack_ops._close(stack)
    for call in (lambda: stack_ops._push(stack, np.float32(2)), lambda: stack_ops._pop(stack)):
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Stack\[acc\] has already been closed\."):
            call()
