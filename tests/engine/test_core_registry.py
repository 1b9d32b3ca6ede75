"""The op/gradient registry contract other modules build on."""

import pytest

import engine as tf
from engine.framework import registry


def test_registered_op_types_include_the_core_ops():
    ops = set(registry.registered_ops())
    assert {
        "Const",
        "Placeholder",
        "AddV2",
        "MatMul",
        "VariableV2",
        "Assign",
        "Identity",
        "NoOp",
        "Relu",
        "Softmax",
        "RandomUniform",
        "StridedSlice",
        "Reshape",
    } <= ops


def test_duplicate_op_registration_is_refused():
    with pytest.raises(KeyError, match="Registering two op definitions with name 'AddV2'!"):
        registry.register_op("AddV2", infer=lambda op: [], kernel=lambda: None)


def test_op_registration_needs_exactly_one_kernel_form():
    with pytest.raises(ValueError, match="needs exactly one of kernel= or compile="):
        registry.register_op("TestOnlyNoKernel", infer=lambda op: [])


def test_unknown_op_type_lookup_names_it():
    with pytest.raises(LookupError, match="Op type not registered 'Nope'"):
        registry.get_op_def("Nope")


def test_gradient_registry(monkeypatch):
    monkeypatch.setattr(registry, "_GRADIENTS", dict(registry._GRADIENTS))

    @registry.register_gradient("TestOnlyOp")
    def _grad(op, grad):
        return [grad]

    assert registry.get_gradient_function("TestOnlyOp") is _grad
    with pytest.raises(KeyError, match="Registering two gradient with name 'TestOnlyOp'!"):
        registry.register_gradient("TestOnlyOp")(_grad)
    registry.register_not_differentiable("TestOnlyShape")
    assert registry.get_gradient_function("TestOnlyShape") is None
    assert {"TestOnlyOp", "TestOnlyShape"} <= set(registry.registered_gradients())
    with pytest.raises(LookupError, match="No gradient defined for operation type 'TestOnlyMissing'"):
        registry.get_gradient_function("TestOnlyMissing")


def test_tf_spellings_are_exported():
    assert tf.RegisterGradient is registry.register_gradient
    assert tf.NotDifferentiable is registry.register_not_differentiable
