"""Bounding boxes on images: DrawBoundingBoxes / DrawBoundingBoxesV2 (``tf.image.draw_bounding_boxes``:
box outlines painted in a colour table) and SampleDistortedBoundingBox(V2)
(``tf.image.sample_distorted_bounding_box``: a random crop covering enough of some box, drawn from the
op's Philox stream as TF's kernel draws it, so seeded ops give TF's crops). Kernels, shape rules,
registrations and the TF1 wrappers. None has a gradient (TF marks all but DrawBoundingBoxesV2 so)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry
from engine.framework.registry import register_not_differentiable
from engine.ops.op_util import dims, make_op, shape, shape_error, shape_str
from engine.ops.philox import SimplePhilox

_F32 = np.float32


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


# --- DrawBoundingBoxes(V2) --------------------------------------------------------------------------------

# TF's default colours (RGBA): yellow, blue, red, lime, purple, olive, maroon, navy, aqua, fuchsia.
_DEFAULT_COLORS = np.array(
    [[1, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 1], [0.5, 0, 0.5, 1], [0.5, 0.5, 0, 1],
     [0.5, 0, 0, 1], [0, 0, 0.5, 1], [0, 1, 1, 1], [1, 0, 1, 1]],
    _F32,
)


def _color_table(colors, depth):
    if colors is not None:
        colors = np.asarray(colors, _F32)
        if colors.ndim != 2:
            raise _invalid(f"colors must be a 2-D matrix{shape_str(colors.shape)}")
        if colors.shape[1] < depth:
            raise _invalid(
                f"colors must have equal or more channels than the image provided: {shape_str(colors.shape)}"
            )
        if colors.size:
            return colors[:, :depth]
    table = _DEFAULT_COLORS.copy()
    if depth == 1:  # grey images take the first channel, which TF sets to 1 for every colour
        table[:, 0] = 1
    return table[:, :depth]


def _edge(value, size):
    """A box coordinate in pixels: the float32 product truncated toward zero, as TF's int64 cast."""
    return int(np.trunc(_F32(value) * _F32(size - 1)))


def _draw_kernel(images, boxes, colors=None):
    images, boxes = np.asarray(images), np.asarray(boxes, _F32)
    if images.ndim != 4:
        raise _invalid("The rank of the images should be 4")
    if boxes.ndim != 3:
        raise _invalid("The rank of the boxes tensor should be 3")
    if images.shape[0] != boxes.shape[0]:
        raise _invalid("The batch sizes should be the same")
    batch, height, width, depth = images.shape
    if depth not in (1, 3, 4):
        raise _invalid("Channel depth should be either 1 (GRY), 3 (RGB), or 4 (RGBA)")
    if boxes.shape[2] != 4:
        raise _invalid(f"The size of the third dimension of the box must be 4. Received: {boxes.shape[2]}")
    table = _color_table(colors, depth).astype(images.dtype)
    canvas = images.copy()
    for b in range(batch):
        for i, (y0, x0, y1, x1) in enumerate(boxes[b]):
            color = table[i % len(table)]
            top, bottom = _edge(y0, height), _edge(y1, height)
            left, right = _edge(x0, width), _edge(x1, width)
            if top > bottom or left > right:  # inverted: TF logs a warning and skips it
                continue
            if top >= height or bottom < 0 or left >= width or right < 0:  # wholly outside
                continue
            rows = slice(max(top, 0), min(bottom, height - 1) + 1)
            cols = slice(max(left, 0), min(right, width - 1) + 1)
            # Edges outside the image are not drawn; the others are clipped to it.
            if top >= 0:
                canvas[b, top, cols] = color
            if bottom < height:
                canvas[b, bottom, cols] = color
            if left >= 0:
                canvas[b, rows, left] = color
            if right < width:
                canvas[b, rows, right] = color
    return canvas


def _with_rank(op, index, rank, last=None):
    """Input `index`'s static dims after TF's WithRank(rank) and, when `last` is given, WithValue of its
    last dimension."""
    d = dims(op.inputs[index])
    if d is None:
        return None
    if len(d) != rank:
        raise shape_error(op, f"Shape must be rank {rank} but is rank {len(d)}")
    if last is not None and d[-1] is not None and d[-1] != last:
        raise shape_error(op, f"Dimension must be {last} but is {d[-1]}")
    return d


def _infer_draw(op):
    images = _with_rank(op, 0, 4)
    if images is not None and images[3] is not None and images[3] not in (1, 3, 4):
        raise shape_error(op, "Channel depth should be either 1 (GRY), 3 (RGB), or 4 (RGBA)")
    _with_rank(op, 1, 3, last=4)
    return [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)]


_IMAGE_TYPES = ("float32", "float16")
registry.register_op(
    "DrawBoundingBoxes", infer=_infer_draw, kernel=_draw_kernel, fresh=True,
    inputs=("images: T", "boxes"), allowed={"T": _IMAGE_TYPES},
)
registry.register_op(
    "DrawBoundingBoxesV2", infer=_infer_draw, kernel=_draw_kernel, fresh=True,
    inputs=("images: T", "boxes", "colors"), allowed={"T": _IMAGE_TYPES},
)
register_not_differentiable("DrawBoundingBoxes")  # TF marks V1 only; V2 has no gradient entry


def draw_bounding_boxes(images, boxes, name=None, colors=None):
    """``tf.image.draw_bounding_boxes``: `images` [batch, height, width, depth] with the outline of each of
    `boxes` [batch, num_boxes, 4] (y_min, x_min, y_max, x_max in [0, 1]) painted, box i in colour i of
    `colors` (cycling; TF's ten default colours without `colors`)."""
    op_type = "DrawBoundingBoxes" if colors is None else "DrawBoundingBoxesV2"
    with ops.name_scope(name, op_type, [images, boxes]) as scope:
        images = ops.convert_to_tensor(images, name="images")
        inputs = [images, ops.convert_to_tensor(boxes, dtype=dtypes.float32, name="boxes")]
        if colors is not None:
            inputs.append(ops.convert_to_tensor(colors, dtype=dtypes.float32, name="colors"))
        return make_op(op_type, inputs, name=scope, attrs={"T": images.dtype.base_dtype}).outputs[0]


# --- SampleDistortedBoundingBox(V2) -----------------------------------------------------------------------


class _Rect:
    __slots__ = ("x0", "y0", "x1", "y1")

    def __init__(self, x0, y0, x1, y1):
        self.x0, self.y0, self.x1, self.y1 = x0, y0, x1, y1

    def area(self):
        return _F32((self.x1 - self.x0) * (self.y1 - self.y0))

    def intersect(self, other):
        x0, y0 = max(self.x0, other.x0), max(self.y0, other.y0)
        x1, y1 = min(self.x1, other.x1), min(self.y1, other.y1)
        return _Rect(0, 0, 0, 0) if x0 > x1 or y0 > y1 else _Rect(x0, y0, x1, y1)


def _rint(value):
    """lrintf: to the nearest integer, ties to even (the default rounding mode)."""
    return int(np.rint(value))


def _covers(crop, min_covered, boxes):
    """Whether `crop` (at least a pixel) covers `min_covered` of some box of at least a pixel."""
    if crop.area() < 1:
        return False
    return any(
        box.area() >= 1 and _F32(crop.intersect(box).area() / box.area()) >= min_covered for box in boxes
    )


def _random_crop(width, height, min_rel_area, max_rel_area, aspect, rnd):
    """TF's GenerateRandomCrop in its float32 arithmetic: a height between the areas' bounds (uniform), the
    width from the aspect ratio, a uniform position; None when the constraints cannot be met."""
    if max_rel_area <= 0 or aspect <= 0 or width <= 0 or height <= 0 or min_rel_area > max_rel_area:
        return None
    min_area = min_rel_area * _F32(width) * _F32(height)
    max_area = max_rel_area * _F32(width) * _F32(height)
    h = _rint(np.sqrt(min_area / aspect))
    max_h = _rint(np.sqrt(max_area / aspect))
    if _rint(_F32(max_h) * aspect) > width:
        # The largest height whose rounded width fits (TF computes it in double, with a small epsilon).
        max_h = int((width + 0.5 - float(_F32(1e-7))) / float(aspect))
        if _rint(_F32(max_h) * aspect) > width:
            max_h -= 1
    max_h = min(max_h, height)
    h = min(h, max_h)
    if h < max_h:
        h += rnd.uniform(max_h - h + 1)
    w = _rint(_F32(h) * aspect)
    area = _F32(w * h)
    if area < min_area:  # rounding left it too small: one row taller
        h += 1
        w = _rint(_F32(h) * aspect)
        area = _F32(w * h)
    if area > max_area:  # or too large: one row shorter
        h -= 1
        w = _rint(_F32(h) * aspect)
        area = _F32(w * h)
    if area < min_area or area > max_area or w > width or h > height or w <= 0 or h <= 0:
        return None
    y = rnd.uniform(height - h) if h < height else 0
    x = rnd.uniform(width - w) if w < width else 0
    return _Rect(x, y, x + w, y + h)


def _check_sampling_attrs(aspect_range, area_range, max_attempts):
    if len(aspect_range) != 2:
        raise _invalid("Aspect ratio range field must specify 2 dimensions")
    if not (aspect_range[0] > 0 and aspect_range[1] > 0):
        raise _invalid(f"Aspect ratio range must be non-negative: [{aspect_range[0]:g}, {aspect_range[1]:g}]")
    if len(area_range) != 2:
        raise _invalid("Area range field must specify 2 dimensions")
    if not (area_range[0] > 0 and area_range[1] > 0):
        raise _invalid(f"Area range must be non-negative: [{area_range[0]:g}, {area_range[1]:g}]")
    if not (area_range[0] <= 1 and area_range[1] <= 1):
        raise _invalid(  # sic: TF's text
            f"Area range must be less then or equal to 1.0: [{area_range[0]:g}, {area_range[1]:g}]"
        )
    if max_attempts <= 0:
        raise _invalid(f"Max attempts must be non-negative: {max_attempts}")


def _compile_sample(op, runtime):
    aspect_range = [_F32(v) for v in op.get_attr("aspect_ratio_range")]
    area_range = [_F32(v) for v in op.get_attr("area_range")]
    max_attempts = int(op.get_attr("max_attempts"))
    use_image = bool(op.get_attr("use_image_if_no_bounding_boxes"))
    _check_sampling_attrs(aspect_range, area_range, max_attempts)
    attr_covered = None
    if op.type == "SampleDistortedBoundingBox":
        attr_covered = _F32(op.get_attr("min_object_covered"))
        if attr_covered < 0:
            raise _invalid(f"Min object covered must be non-negative: {attr_covered:g}")
    gen = runtime.rng(op)
    out_type = op.outputs[0].dtype.as_numpy_dtype

    def kernel(image_size, bounding_boxes, min_object_covered=None):
        # TF reserves four samples per attempt on every run, whatever the attempts use.
        rnd = SimplePhilox(gen.reserve(max_attempts))
        image_size, boxes = np.asarray(image_size), np.asarray(bounding_boxes, _F32)
        if image_size.ndim != 1:
            raise _invalid(f"image_size must be 1-dimensional{shape_str(image_size.shape)}")
        if image_size.shape[0] != 3:
            raise _invalid(f"image_size must contain 3 elements{shape_str(image_size.shape)}")
        height, width = int(image_size[0]), int(image_size[1])
        if boxes.ndim != 3:
            raise _invalid(
                f"input boxes must be 3-dimensional [batch, num_boxes, coords]: {shape_str(boxes.shape)}"
            )
        if boxes.shape[2] != 4:
            raise _invalid(f"bounding boxes must have shape [4] or [*, 4], got {shape_str(boxes.shape)}")
        if min_object_covered is None:
            covered = attr_covered
        else:
            covered = np.asarray(min_object_covered, _F32)
            if covered.ndim != 0:
                raise _invalid(f"min_object_covered must be 0-D, got shape {shape_str(covered.shape)}")
            covered = _F32(covered)
            if covered < 0:
                raise _invalid(f"Min object covered must be non-negative: {covered:g}")
        rects = []
        for y0, x0, y1, x1 in boxes.reshape(-1, 4):
            for v in (y0, x0, y1, x1):
                if not 0 <= v <= 1:
                    raise _invalid(f"All bounding box coordinates must be in [0.0, 1.0]: {v:g}")
            rects.append(_Rect(*(int(_F32(v) * _F32(n)) for v, n in ((x0, width), (y0, height),
                                                                   (x1, width), (y1, height)))))
        image = _Rect(0, 0, width, height)
        if not rects:
            if not use_image:
                raise _invalid(
                    "No bounding boxes provided as input. One must enable use_image_if_no_bounding_boxes "
                    "if you wish to not provide any bounding boxes."
                )
            rects.append(image)
        crop = None
        for _ in range(max_attempts):
            aspect = _F32(rnd.rand_float()) * (aspect_range[1] - aspect_range[0]) + aspect_range[0]
            candidate = _random_crop(width, height, area_range[0], area_range[1], aspect, rnd)
            if candidate is not None and _covers(candidate, covered, rects):
                crop = candidate
                break
        crop = crop or image
        begin = np.array([crop.y0, crop.x0, 0], np.int64).astype(out_type)
        # The channels' size is -1 ("all"), wrapped as TF's cast wraps it (255 for uint8).
        size = np.array([crop.y1 - crop.y0, crop.x1 - crop.x0, -1], np.int64).astype(out_type)
        bbox = np.array(
            [crop.y0 / _F32(height), crop.x0 / _F32(width), crop.y1 / _F32(height), crop.x1 / _F32(width)],
            _F32,
        ).reshape(1, 1, 4)
        return begin, size, bbox

    return kernel


def _infer_sample(op):
    _with_rank(op, 0, 1, last=3)
    _with_rank(op, 1, 3, last=4)
    if len(op.inputs) == 3:
        _with_rank(op, 2, 0)
    dtype = op.inputs[0].dtype.base_dtype
    return [(dtype, shape((3,))), (dtype, shape((3,))), (dtypes.float32, shape((1, 1, 4)))]


_SAMPLE_ATTRS = {
    "seed": 0, "seed2": 0, "aspect_ratio_range": [0.75, 1.33], "area_range": [0.05, 1.0],
    "max_attempts": 100, "use_image_if_no_bounding_boxes": False,
}
_SIZE_TYPES = ("uint8", "int8", "int16", "int32", "int64")
registry.register_op(
    "SampleDistortedBoundingBox", infer=_infer_sample, compile=_compile_sample, stateful=True, fresh=True,
    attrs={**_SAMPLE_ATTRS, "min_object_covered": 0.1}, inputs=("image_size: T", "bounding_boxes"),
    allowed={"T": _SIZE_TYPES},
)
registry.register_op(
    "SampleDistortedBoundingBoxV2", infer=_infer_sample, compile=_compile_sample, stateful=True, fresh=True,
    attrs=_SAMPLE_ATTRS, inputs=("image_size: T", "bounding_boxes", "min_object_covered"),
    allowed={"T": _SIZE_TYPES},
)
register_not_differentiable("SampleDistortedBoundingBox")
register_not_differentiable("SampleDistortedBoundingBoxV2")


def sample_distorted_bounding_box(
    image_size, bounding_boxes, seed=None, seed2=None, min_object_covered=0.1, aspect_ratio_range=None,
    area_range=None, max_attempts=None, use_image_if_no_bounding_boxes=None, name=None,
):
    """TF1's ``tf.image.sample_distorted_bounding_box``: (begin, size, bboxes) of a random crop of an
    image of `image_size` [height, width, channels] covering at least `min_object_covered` of one of
    `bounding_boxes` [batch, N, 4]; `begin` and `size` feed ``tf.slice``, `bboxes` [1, 1, 4]
    ``draw_bounding_boxes``. `seed` and `seed2` are the op's attrs as given (no graph-seed mixing, as TF1's
    wrapper)."""
    attrs = {
        "seed": int(seed or 0),
        "seed2": int(seed2 or 0),
        "aspect_ratio_range": [float(v) for v in (aspect_ratio_range or _SAMPLE_ATTRS["aspect_ratio_range"])],
        "area_range": [float(v) for v in (area_range or _SAMPLE_ATTRS["area_range"])],
        "max_attempts": int(100 if max_attempts is None else max_attempts),
        "use_image_if_no_bounding_boxes": bool(use_image_if_no_bounding_boxes),
    }
    with ops.name_scope(name, "sample_distorted_bounding_box"):
        with ops.name_scope(name, "SampleDistortedBoundingBoxV2", [image_size, bounding_boxes]) as scope:
            image_size = ops.convert_to_tensor(image_size, name="image_size")
            inputs = [
                image_size,
                ops.convert_to_tensor(bounding_boxes, dtype=dtypes.float32, name="bounding_boxes"),
                ops.convert_to_tensor(min_object_covered, dtype=dtypes.float32, name="min_object_covered"),
            ]
            op = make_op("SampleDistortedBoundingBoxV2", inputs, name=scope,
                         attrs={**attrs, "T": image_size.dtype.base_dtype})
    return tuple(op.outputs)
