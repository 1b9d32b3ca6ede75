"""Modules that can be called like one of their functions.

TF 1.x has `tf.gradients(ys, xs)` as a function, while our engine keeps that function in the module
`engine.gradients` (DESIGN.md's layout).  Both names can't be bound to `engine.gradients`, so the module
itself is made callable: `tf.gradients(...)` calls `engine.gradients.gradients(...)` and
`from engine import gradients` still gives the module.
"""

from __future__ import annotations

import types


class _CallableModule(types.ModuleType):
    __call_target__ = ""

    def __call__(self, *args, **kwargs):
        return getattr(self, self.__call_target__)(*args, **kwargs)


def make_module_callable(module, function_name):
    """Calling `module(...)` afterwards calls `module.<function_name>(...)`."""
    attrs = {"__call_target__": function_name}
    module.__class__ = type(f"Callable_{function_name}", (_CallableModule,), attrs)
    return module
