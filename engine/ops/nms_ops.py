"""Greedy non-maximum suppression of boxes: NonMaxSuppressionV3 (``tf.image.non_max_suppression``; TF gives
it no gradient): kernel, shape rule, registration and wrapper."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.ops.op_util import dims, make_tensor, shape, shape_error


def _iou(box, others):
    """Intersection over union of one box with many, corners in any order (TF's IOU); 0 for empty boxes."""

    def corners(b):
        return (
            np.minimum(b[..., 0], b[..., 2]),
            np.minimum(b[..., 1], b[..., 3]),
            np.maximum(b[..., 0], b[..., 2]),
            np.maximum(b[..., 1], b[..., 3]),
        )

    ymin_i, xmin_i, ymax_i, xmax_i = corners(box)
    ymin_j, xmin_j, ymax_j, xmax_j = corners(others)
    area_i = (ymax_i - ymin_i) * (xmax_i - xmin_i)
    area_j = (ymax_j - ymin_j) * (xmax_j - xmin_j)
    inter = np.maximum(np.minimum(ymax_i, ymax_j) - np.maximum(ymin_i, ymin_j), 0) * np.maximum(
        np.minimum(xmax_i, xmax_j) - np.maximum(xmin_i, xmin_j), 0
    )
    union = area_i + area_j - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = inter / union
    return np.where((area_i <= 0) | (area_j <= 0), 0.0, iou)


def _nms_kernel(boxes, scores, max_output_size, iou_threshold, score_threshold):
    boxes, scores = np.asarray(boxes, np.float32), np.asarray(scores, np.float32)
    max_output_size, iou_threshold = int(max_output_size), float(iou_threshold)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise errors.InvalidArgumentError(
            None, None, f"boxes must be of shape [num_boxes, 4]: [{','.join(str(d) for d in boxes.shape)}]"
        )
    if not 0 <= iou_threshold <= 1:
        raise errors.InvalidArgumentError(None, None, "iou_threshold must be in [0, 1]")
    if max_output_size < 0:
        raise errors.InvalidArgumentError(None, None, "output size must be non-negative")
    candidates = np.flatnonzero(scores > float(score_threshold))
    order = candidates[np.lexsort((candidates, -scores[candidates]))]  # best first; ties: lower index first
    selected = []
    for index in order:
        if len(selected) >= max_output_size:
            break
        if selected and np.any(_iou(boxes[index], boxes[selected]) > iou_threshold):
            continue
        selected.append(int(index))
    return np.asarray(selected, np.int32)


def _infer_nms(op):
    boxes, scores = op.inputs[:2]
    bd, sd = dims(boxes), dims(scores)
    if bd is not None and len(bd) != 2:
        raise shape_error(op, f"Shape must be rank 2 but is rank {len(bd)}")
    if bd is not None and bd[1] is not None and bd[1] != 4:
        raise shape_error(op, f"Dimension must be 4 but is {bd[1]}")
    if sd is not None and len(sd) != 1:
        raise shape_error(op, f"Shape must be rank 1 but is rank {len(sd)}")
    return [(dtypes.int32, shape((None,)) if bd is not None or sd is not None else _ts.unknown_shape(1))]


registry.register_op(
    "NonMaxSuppressionV3",
    infer=_infer_nms,
    kernel=_nms_kernel,
    fresh=True,
    inputs=(
        "boxes: T",
        "scores: T",
        "max_output_size",
        "iou_threshold: T_threshold",
        "score_threshold: T_threshold",
    ),
    allowed={"T": ("float16", "float32"), "T_threshold": ("float16", "float32")},
)


def non_max_suppression(
    boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"), name=None
):
    """``tf.image.non_max_suppression``: indices of the highest-scoring boxes, greedily skipping any that
    overlap an already selected one by more than `iou_threshold` (IoU), at most `max_output_size`."""
    with ops.name_scope(name, "non_max_suppression"):
        boxes = ops.convert_to_tensor(boxes, name="boxes")
        scores = ops.convert_to_tensor(scores, name="scores")
        max_output_size = ops.convert_to_tensor(max_output_size, dtype=dtypes.int32, name="max_output_size")
        iou_threshold = ops.convert_to_tensor(iou_threshold, dtype=dtypes.float32, name="iou_threshold")
        score_threshold = ops.convert_to_tensor(score_threshold, dtype=dtypes.float32, name="score_threshold")
        return make_tensor(
            "NonMaxSuppressionV3",
            [boxes, scores, max_output_size, iou_threshold, score_threshold],
            name="NonMaxSuppressionV3",
            attrs={"T": boxes.dtype.base_dtype, "T_threshold": iou_threshold.dtype.base_dtype},
        )
