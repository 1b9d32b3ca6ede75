"""PR curve summaries as TensorBoard's pr_curves plugin answers them.

A PR curve event holds one ``[6, num_thresholds]`` tensor: true positives, false positives, true
negatives, false negatives, precision and recall at thresholds evenly spaced over [0, 1]
(engine/summary/pr_curve.py writes it; so do TensorBoard's summary ops and tensorboardX's
``add_pr_curve``). The plugin's answer per step drops the thresholds at the tail where no example
counts as positive (TP + FP = 0: precision is undefined there), as TensorBoard does.
"""

from __future__ import annotations

import numpy as np

from board.data.events import tensor_to_array

PLUGIN_NAME = "pr_curves"
ROWS = ("true_positives", "false_positives", "true_negatives", "false_negatives", "precision", "recall")


class NotAPrCurve(ValueError):
    """A value of the pr_curves plugin that holds no ``[6, k]`` numeric tensor."""


def curve(value) -> np.ndarray:
    """The ``[6, num_thresholds]`` array of one ``Summary.Value``."""
    array = tensor_to_array(value.tensor)
    if array is None or array.ndim != 2 or array.shape[0] != len(ROWS) or array.shape[1] < 1:
        shape = None if array is None else list(array.shape)
        raise NotAPrCurve(f"a PR curve is a numeric tensor of shape [6, num_thresholds], not {shape}")
    return array


def entry(step: int, wall_time: float, data: np.ndarray) -> dict:
    """One step of TensorBoard's /pr_curves answer: the six rows and the thresholds, up to the last
    threshold where TP + FP > 0 (at least the first)."""
    positives = data[[0, 1], :].astype(int).sum(axis=0)  # TensorBoard truncates the counts to int
    nonzero = np.flatnonzero(positives[1:]) + 1
    end = int(nonzero[-1]) + 1 if len(nonzero) else 1
    thresholds = np.linspace(0.0, 1.0, data.shape[1])
    counts = {name: [int(v) for v in data[i, :end]] for i, name in enumerate(ROWS[:4])}
    return {"wall_time": wall_time, "step": step,
            "precision": data[4, :end].tolist(), "recall": data[5, :end].tolist(),
            **counts, "thresholds": thresholds[:end].tolist()}
