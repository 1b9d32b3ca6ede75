"""What a cond branch and a loop body being built have in common (TF's `ControlFlowContext`).

While a context is the graph's current one, `ops.Graph.create_op` hands it every new op (`add_op`):
the context rewires inputs from outside it (through a Switch for a cond branch, an Enter for a loop)
and records which tensors belong to it and to the contexts around it.
"""

from __future__ import annotations

from engine.framework import ops


class FlowContext:
    """A cond branch (cond.CondContext) or a loop (while_loop.WhileContext) being built."""

    def __init__(self):
        self.graph = ops.get_default_graph()
        self.outer_context = self.graph._get_control_flow_context()
        self._values = set()  # names of the tensors that belong to this context
        self._external_values = {}  # outside tensor name -> the tensor standing for it here
        self._saved = None
        self._stack = []  # the contexts `enter` replaced, for `exit`

    def enter(self):
        """Makes this the graph's current context (TF's `Enter`; `exit` restores the one it replaced)."""
        self._stack.append(self.graph._get_control_flow_context())
        self.graph._set_control_flow_context(self)

    def exit(self):
        self.graph._set_control_flow_context(self._stack.pop())

    def add_name(self, name):
        """The tensor `name` belongs to this context (not to the ones around it)."""
        self._values.add(name)

    def __enter__(self):
        self._saved = self.graph._get_control_flow_context()
        self.graph._set_control_flow_context(self)
        return self

    def __exit__(self, *exc):
        self.graph._set_control_flow_context(self._saved)
        return False

    def while_context(self):
        """The innermost loop this context is in (itself for a loop), or None."""
        return None if self.outer_context is None else self.outer_context.while_context()

    def mark(self, name):
        """The tensor `name` belongs to this context and to the ones around it."""
        ctx = self
        while ctx is not None:
            ctx._values.add(name)
            ctx = ctx.outer_context

    def add_inner_op(self, op):
        """An op of an inner context: its outputs belong to this one too."""
        for t in op.outputs:
            self.mark(t.name)
        if self.outer_context is not None:
            self.outer_context.add_inner_op(op)

    def as_current(self, build):
        """`build()` with this context current: what it creates belongs here, even when an inner context
        asked for it."""
        current = self.graph._get_control_flow_context()
        self.graph._set_control_flow_context(self)
        try:
            with ops.control_dependencies(None):
                return build()
        finally:
            self.graph._set_control_flow_context(current)
