"""Running a test's graph with one plan pass off (the ENGINE_PLAN_PASSES knob, read when a session is
made), to compare with what the pass gives."""

from __future__ import annotations

from engine.runtime import passes


def without(monkeypatch, name):
    """`run(fn)`: fn() with the pass `name` off."""

    def run(fn):
        with monkeypatch.context() as m:
            m.setenv(passes.ENV, f"all,-{name}")
            return fn()

    return run
