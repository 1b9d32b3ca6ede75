"""Convolution and pooling: ``tf.nn.conv2d``, ``max_pool``, ``avg_pool`` and their backprop ops.

The kernels are NHWC, like TensorFlow's on CPU: NCHW ops build and get their shapes, then raise TF's CPU
error when they run (`_CPU_REFUSES_NCHW`).  Every kernel walks the KH*KW filter (or window) *taps*, never the
pixels: for a tap, the outputs whose input falls inside the image form one rectangle, and the inputs they
read form one strided slice (`_Geometry`).  Convolutions are im2col onto BLAS: the patch matrix
[N*OH*OW, KH*KW*C] is built in a scratch buffer the kernel keeps across steps (`_Scratch`), a cache-sized
chunk of the batch at a time with one product per chunk (chunks spread over the intra-op threads when
BLAS is held to one thread, engine/runtime/blas_threads.py), and the input gradient is scattered back
(col2im) with one strided add per tap.  With few channels the patch matrix is filled tap by tap
(tap-major); with more, by one copy from a window view of the chunk's images within their padding (the
only place padding is materialised: a chunk's copy, in scratch), where a window row's KW*C values are one
run.  Max pooling routes a gradient to the first tap holding its window's maximum (TF's routing), found
with branch-free masks; the pools run in cache-sized batch chunks.
Output sizes and SAME padding follow TensorFlow: ``out = ceil(in / stride)``, padding split with the
smaller half first.  Measured in bench/cnn_step.py.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from engine.framework import dtype_groups as groups
from engine.framework import errors, ops, registry, tensor_util
from engine.framework.registry import register_gradient
from engine.framework.tensor_shape import TensorShape
from engine.ops import array_ops, grad_util, op_util
from engine.runtime import blas_threads

# --- numpy kernels -----------------------------------------------------------------------------------


def out_size_and_pad(in_size, k, stride, dilation, padding):
    """TensorFlow's output size and (before, after) padding for one spatial dimension."""
    eff_k = (k - 1) * dilation + 1
    if padding == "VALID":
        out = (in_size - eff_k + stride) // stride
        return max(out, 0), 0, 0
    out = -(-in_size // stride)
    total = max((out - 1) * stride + eff_k - in_size, 0)
    return out, total // 2, total - total // 2


def _axis_taps(in_size, k, stride, dilation, padding):
    """Output size and, per tap of one spatial dimension, (out slice, in slice) of the outputs whose
    input is inside the image and of those inputs; None for a tap that only ever reads padding."""
    out, before, _ = out_size_and_pad(in_size, k, stride, dilation, padding)
    taps = []
    for i in range(k):
        offset = i * dilation - before  # input index of output 0 at this tap
        first = max(0, -(offset // stride) if offset < 0 else 0)
        last = min(out, (in_size - 1 - offset) // stride + 1) if in_size - 1 - offset >= 0 else 0
        if first >= last:
            taps.append(None)
            continue
        start = first * stride + offset
        taps.append((slice(first, last), slice(start, start + (last - first - 1) * stride + 1, stride)))
    return out, taps


class _Geometry:
    """A 2-D window sliding over an NHWC input: output size and the taps as (index, out, in) slices."""

    def __init__(self, x_shape, kh, kw, strides, dilations, padding):
        _, h, w, _ = x_shape
        self.oh, rows = _axis_taps(h, kh, strides[1], dilations[1], padding)
        self.ow, cols = _axis_taps(w, kw, strides[2], dilations[2], padding)
        self.window = (kh, kw, strides[1], strides[2], dilations[1], dilations[2])
        # the padded input the windows read: its extent, and where the image starts in it
        self.padded = ((self.oh - 1) * strides[1] + (kh - 1) * dilations[1] + 1,
                       (self.ow - 1) * strides[2] + (kw - 1) * dilations[2] + 1)
        self.offset = (out_size_and_pad(h, kh, strides[1], dilations[1], padding)[1],
                       out_size_and_pad(w, kw, strides[2], dilations[2], padding)[1])
        self.taps = []  # (tap number i*kw + j, i, j, out index, in index)
        for i, r in enumerate(rows):
            for j, c in enumerate(cols):
                if r is not None and c is not None:
                    self.taps.append((i * kw + j, i, j, (slice(None), r[0], c[0]), (slice(None), r[1], c[1])))
        self.counts = None
        if any(r is None or r[0] != slice(0, self.oh) for r in rows) or \
                any(c is None or c[0] != slice(0, self.ow) for c in cols):  # some windows reach padding
            ch, cw = np.zeros(self.oh), np.zeros(self.ow)
            for r in rows:
                if r is not None:
                    ch[r[0]] += 1
            for c in cols:
                if c is not None:
                    cw[c[0]] += 1
            self.counts = ch[:, None] * cw[None, :]


class _Scratch:
    """Scratch arrays a compiled kernel reuses across steps.  A caller takes a set and gives it back; a
    second thread running the same kernel meanwhile gets its own (list.pop and append are atomic)."""

    def __init__(self):
        self._free = []

    def take(self, key, shapes, dtype):
        """Arrays of `shapes`; when reused, they hold what the last user with the same `key` (one image's
        shape) wrote, zeros where nothing was written."""
        try:
            held_key, bufs = self._free.pop()
        except IndexError:
            held_key = bufs = None
        if held_key != key or [b.shape for b in bufs] != shapes or bufs[0].dtype != dtype:
            bufs = [np.zeros(shape, dtype) for shape in shapes]
        return bufs

    def give(self, key, bufs):
        self._free.append((key, bufs))


# Patch rows per product: a batch chunk whose patch matrix (~2 MiB) stays in cache between its strided
# copy and its GEMM (or between the GEMM and col2im's adds).  On deep MNIST's second convolution
# (64x14x14x32, 5x5x64) the input gradient ran ~1.7x faster in chunks of 4-8 images than in one product.
_CHUNK_BYTES = 1 << 21


def _batch_chunks(n, per_image_bytes, chunk_bytes=_CHUNK_BYTES):
    step = max(1, min(n, chunk_bytes // max(per_image_bytes, 1)))
    return step, [(b, min(b + step, n)) for b in range(0, n, step)]


# Channels up to which a patch matrix is built tap-major, [KH*KW*C, rows] used through its transpose:
# a tap's copy is then runs of image rows rather than C values per pixel.  Deep MNIST's first convolution
# (64x28x28x1, 5x5x32) took 0.55x the time forward and 0.62x for its filter gradient; on 28x28 images
# with 3, 4 and 8 channels the forward took 0.50x, 0.64x and 0.91x.  OpenBLAS packs either layout into
# the same blocks before its kernel runs, so the products' values are the same bit for bit.
_TAP_MAJOR_CHANNELS = 4


def _chunked(use, x_shape, kh, kw, geo, dtype, scratch, work):
    """[work(buffers, first image, stop image) for each batch chunk] (`map_chunks`: in parallel when BLAS
    runs on one thread), each call given scratch of a chunk's size: a patch matrix (tap-major for
    "patches" of few channels) and, for row-major "patches", the chunk's padded images (`_im2col`).
    For `use` "patches" the entries that read padding are zero: the same taps write the same entries
    of every image (the padded images' borders are never written), and the scratch hands buffers back
    only for the same use and image shape (its key)."""
    n, _, _, c = x_shape
    rows, width = geo.oh * geo.ow, kh * kw * c
    step, chunks = _batch_chunks(n, rows * width * np.dtype(dtype).itemsize)
    key = (use,) + tuple(x_shape[1:])
    if use == "products":
        shapes = [(step * rows, width)]
    elif c <= _TAP_MAJOR_CHANNELS:
        shapes = [(width, step * rows)]
    else:
        shapes = [(step * rows, width), (step,) + geo.padded + (c,)]
    return blas_threads.map_chunks(work, chunks, lambda: scratch.take(key, shapes, dtype),
                                   lambda bufs: scratch.give(key, bufs))


def _im2col(x, kh, kw, geo, buf):
    """The patch matrix [n*OH*OW, KH*KW*C] of the images `x`, written into the head of `buf` (into its
    first n*OH*OW columns, and returned transposed, when tap-major)."""
    n, _, _, c = x.shape
    rows = geo.oh * geo.ow
    if c <= _TAP_MAJOR_CHANNELS:
        view = buf[0].reshape(kh, kw, c, -1, geo.oh, geo.ow)[:, :, :, :n]
        for _, i, j, out, inp in geo.taps:
            view[(i, j, slice(None)) + out] = np.moveaxis(x[inp], 3, 0)
        return buf[0][:, :n * rows].T
    cols = buf[0][:n * rows]
    if rows and n:
        _, _, sh, sw, dh, dw = geo.window
        xp = _padded(x, geo, buf[1])
        windows = sliding_window_view(xp, ((kh - 1) * dh + 1, (kw - 1) * dw + 1), axis=(1, 2))
        np.copyto(cols.reshape(n, geo.oh, geo.ow, kh, kw, c),
                  windows[:, ::sh, ::sw, :, ::dh, ::dw].transpose(0, 1, 2, 4, 5, 3))
    return cols


def _padded(x, geo, buf):
    """The images `x` within the padding their windows read: written into `buf`, whose border is never
    written (so stays zero), or `x` itself when the windows read no padding."""
    n, h, w, _ = x.shape
    (ph, pw), (top, left) = geo.padded, geo.offset
    if top == left == 0 and ph <= h and pw <= w:
        return x[:, :ph, :pw]
    xp = buf[:n]
    rows, cols = min(h, ph - top), min(w, pw - left)
    xp[:, top:top + rows, left:left + cols] = x[:, :rows, :cols]
    return xp


def np_conv2d(x, f, strides, padding, dilations=(1, 1, 1, 1), scratch=None):
    kh, kw, ci, co = f.shape
    n, h, w, _ = x.shape
    if kh == kw == 1 and strides[1] == strides[2] == 1:
        return (x.reshape(-1, ci) @ f.reshape(ci, co)).reshape(n, h, w, co)
    geo = _Geometry(x.shape, kh, kw, strides, dilations, padding)
    rows = geo.oh * geo.ow
    fmat = f.reshape(-1, co)
    out = np.empty((n * rows, co), np.result_type(x, f))

    def work(buf, b0, b1):
        np.matmul(_im2col(x[b0:b1], kh, kw, geo, buf), fmat, out=out[b0 * rows:b1 * rows])

    _chunked("patches", x.shape, kh, kw, geo, x.dtype, scratch or _Scratch(), work)
    return out.reshape(n, geo.oh, geo.ow, co)


def np_conv2d_backprop_filter(x, filter_shape, dy, strides, padding, dilations=(1, 1, 1, 1), scratch=None):
    kh, kw, ci, co = filter_shape
    if kh == kw == 1 and strides[1] == strides[2] == 1:
        return (x.reshape(-1, ci).T @ dy.reshape(-1, co)).reshape(filter_shape)
    geo = _Geometry(x.shape, kh, kw, strides, dilations, padding)
    rows = geo.oh * geo.ow
    dy2 = dy.reshape(-1, co)

    def work(buf, b0, b1):
        return _im2col(x[b0:b1], kh, kw, geo, buf).T @ dy2[b0 * rows:b1 * rows]

    parts = _chunked("patches", x.shape, kh, kw, geo, x.dtype, scratch or _Scratch(), work)
    if not parts:  # an empty batch
        return np.zeros(filter_shape, np.result_type(x, dy))
    out = parts[0]
    for part in parts[1:]:  # the product summed over the batch's chunks, in order
        out += part
    return out.reshape(filter_shape)


def np_conv2d_backprop_input(input_shape, f, dy, strides, padding, dilations=(1, 1, 1, 1), scratch=None):
    kh, kw, ci, co = f.shape
    n, oh, ow, _ = dy.shape
    if kh == kw == 1 and strides[1] == strides[2] == 1:
        return (dy.reshape(-1, co) @ f.reshape(ci, co).T).reshape(input_shape)
    if padding == "SAME" and kh % 2 == kw % 2 == 1 and strides[1] == strides[2] == 1 and \
            dilations[1] == dilations[2] == 1 and tuple(input_shape[1:3]) == (oh, ow):
        # With stride 1 and an odd window padded evenly, the input gradient is the forward convolution of
        # dy by the filter flipped in space with its channels swapped: one patch copy and one GEMM per
        # chunk instead of a GEMM and col2im's KH*KW strided adds (deep MNIST's second convolution 0.81x
        # the time; 3x3 and 5x5 layers of 8-128 channels 0.26-0.86x).
        flipped = np.ascontiguousarray(f[::-1, ::-1].transpose(0, 1, 3, 2))
        return np_conv2d(dy, flipped, strides, padding, scratch=scratch)
    geo = _Geometry(input_shape, kh, kw, strides, dilations, padding)
    dtype = np.result_type(f, dy)
    rows = oh * ow
    dy2 = dy.reshape(-1, co)
    fmat_t = np.ascontiguousarray(f.reshape(-1, co).T)
    dx = np.zeros(input_shape, dtype)

    def work(buf, b0, b1):
        dcols = buf[0][:(b1 - b0) * rows]
        np.matmul(dy2[b0 * rows:b1 * rows], fmat_t, out=dcols)
        view = dcols.reshape(b1 - b0, oh, ow, kh, kw, ci)
        dx_chunk = dx[b0:b1]
        for _, i, j, out, inp in geo.taps:  # col2im: one strided accumulation per tap
            dx_chunk[inp] += view[out + (i, j)]

    _chunked("products", input_shape, kh, kw, geo, dtype, scratch or _Scratch(), work)
    return dx


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _max_pool_routes(x, geo):
    """Yields, per tap, its (out index, in index, mask of the outputs whose gradient it takes): the first
    tap holding the window's maximum, as np.argmax over the window of the padded input picks it.  Built
    with branch-free comparisons (masked copies run ~10x slower on the shared machine)."""
    best = np_max_pool_window_max(x, geo)
    lowest = _lowest(x.dtype)
    nan = x.dtype.kind == "f" and bool(np.isnan(best).any())
    found = None  # outputs routed by an earlier tap; None while that is none of them
    first = geo.taps[0] if geo.taps else None
    if geo.counts is not None and first is not None and first[0] == 0:
        # a window of nothing but the lowest value ties with its padding: argmax picks tap 0, which is
        # padding for the outputs outside tap 0's rectangle, and their gradient is dropped
        found = best == lowest
        found[first[3]] = False
    elif geo.counts is not None:
        found = best == lowest
    hit = np.empty(best.shape, bool)  # the masks are written into this buffer, one tap after the other
    last = len(geo.taps) - 1
    for k, (t, _, _, o, i) in enumerate(geo.taps):
        v, b, mask = x[i], best[o], hit[o]
        np.equal(v, b, out=mask)
        if nan:  # a NaN maximum is the first NaN in the window
            mask |= (v != v) & (b != b)
        if found is None:
            found = np.zeros(best.shape, bool)
        else:
            np.greater(mask, found[o], out=mask)  # hit and not found before
        if k < last:
            found[o] |= mask
        yield t, o, i, mask


def np_max_pool_window_max(x, geo, out=None):
    if out is None:
        out = np.empty((x.shape[0], geo.oh, geo.ow, x.shape[3]), x.dtype)
    taps = geo.taps
    if taps and geo.counts is None:  # the first tap reads the image for every output: max(lowest, v) is v
        np.copyto(out, x[taps[0][4]])
        taps = taps[1:]
    else:
        out.fill(_lowest(x.dtype))
    for _, _, _, o, i in taps:
        np.maximum(out[o], x[i], out=out[o])
    return out


# Images per chunk of a pooling kernel: ~512 KiB of input, so that a chunk's taps, masks and outputs stay
# in the L2 between passes.  On deep MNIST's first pool (64x28x28x32) the forward took 0.91x and the
# gradient 0.87x the time of whole-batch passes (31 interleaved rounds, load 3.3).  The chunks stay in
# the calling thread: on the intra-op threads they took 1.03x and 0.89x (memory-bound, and a
# millisecond's work is short for a hand-off on a busy machine).
_POOL_CHUNK_BYTES = 1 << 19


def _per_chunk(x_shape, itemsize, work):
    """work(first image, stop image) over the batch in cache-sized chunks.  Every pooling kernel treats
    each image alone, so its values do not depend on the chunks."""
    _, chunks = _batch_chunks(x_shape[0], int(np.prod(x_shape[1:])) * itemsize, _POOL_CHUNK_BYTES)
    for b0, b1 in chunks:
        work(b0, b1)


def np_max_pool(x, ksize, strides, padding):
    geo = _Geometry(x.shape, ksize[1], ksize[2], strides, (1, 1, 1, 1), padding)
    out = np.empty((x.shape[0], geo.oh, geo.ow, x.shape[3]), x.dtype)
    _per_chunk(x.shape, x.itemsize, lambda b0, b1: np_max_pool_window_max(x[b0:b1], geo, out[b0:b1]))
    return out


def np_max_pool_grad(x, y, dy, ksize, strides, padding):
    """Routes each output gradient to the first maximal input of its window (TF recomputes the
    maximum from `x`, as here, rather than trusting `y`)."""
    geo = _Geometry(x.shape, ksize[1], ksize[2], strides, (1, 1, 1, 1), padding)
    if strides[1] >= ksize[1] and strides[2] >= ksize[2] and dy.dtype.kind in "fiu":
        return _max_pool_grad_disjoint(x, dy, geo)
    return _max_pool_grad_summed(x, dy, geo)


def _max_pool_grad_summed(x, dy, geo):
    """MaxPoolGrad for any windows: each tap's routed gradient is added into `dx`, zeros at first."""
    dx = np.zeros(x.shape, dy.dtype)

    def work(b0, b1):
        dx_, dy_ = dx[b0:b1], dy[b0:b1]
        finite = dy.dtype.kind != "f" or bool(np.isfinite(dy_).all())  # then dy * mask leaks no NaN
        routed = np.empty(dy_.shape, dy.dtype)
        for _, o, i, hit in _max_pool_routes(x[b0:b1], geo):
            if finite:
                np.multiply(dy_[o], hit, out=routed[o])
            else:
                np.copyto(routed[o], np.where(hit, dy_[o], dy.dtype.type(0)))
            dx_[i] += routed[o]

    _per_chunk(x.shape, x.itemsize, work)
    return dx


def _max_pool_grad_disjoint(x, dy, geo):
    """MaxPoolGrad when no two windows overlap (stride >= window, as the usual 2x2/2 pool): each input
    takes the gradient of at most one output, so a tap's routed gradient is written into `dx` at once,
    not added to zeros.  The values are the general kernel's, 0 + (dy if routed else 0), bit for bit: the
    gradient is taken as 0 + dy once per chunk (which makes a -0 gradient +0, as the general kernel's sum
    does) and the routed entries are picked from its bits by an integer product with the mask, so a NaN
    or infinite gradient goes to its window's maximum only."""
    inputs_read = sum((o[1].stop - o[1].start) * (o[2].stop - o[2].start) for _, _, _, o, _ in geo.taps)
    covered = inputs_read == x.shape[1] * x.shape[2]  # every input is in a window (the taps are disjoint)
    dx = np.empty(x.shape, dy.dtype) if covered else np.zeros(x.shape, dy.dtype)
    floating = dy.dtype.kind == "f"
    bits = np.dtype(f"u{dy.dtype.itemsize}") if floating else dy.dtype
    dx_bits = dx.view(bits)

    def work(b0, b1):
        g = dy[b0:b1]
        if floating:
            g = np.add(g, dy.dtype.type(0)).view(bits)
        dx_ = dx_bits[b0:b1]
        for _, o, i, hit in _max_pool_routes(x[b0:b1], geo):
            np.multiply(g[o], hit, out=dx_[i])

    _per_chunk(x.shape, x.itemsize, work)
    return dx


def np_max_pool_grad_grad(x, y, g, ksize, strides, padding):
    """Picks, for each output of the pool, the input gradient `g` at the first maximal input of its
    window: the pooling's routing applied forwards (TF's MaxPoolGradGrad)."""
    geo = _Geometry(x.shape, ksize[1], ksize[2], strides, (1, 1, 1, 1), padding)
    out = np.zeros((x.shape[0], geo.oh, geo.ow, x.shape[3]), g.dtype)

    def work(b0, b1):
        out_, g_ = out[b0:b1], g[b0:b1]
        for _, o, i, hit in _max_pool_routes(x[b0:b1], geo):
            np.copyto(out_[o], g_[i], where=hit)

    _per_chunk(x.shape, x.itemsize, work)
    return out


def _avg_divisor(geo, dtype):
    """Inputs per window that are inside the image, [OH, OW, 1] (or a scalar when none is padding)."""
    if geo.counts is None:
        return dtype.type(len(geo.taps))
    return geo.counts.astype(dtype)[:, :, None]


def np_avg_pool(x, ksize, strides, padding):
    geo = _Geometry(x.shape, ksize[1], ksize[2], strides, (1, 1, 1, 1), padding)
    total = np.zeros((x.shape[0], geo.oh, geo.ow, x.shape[3]), x.dtype)
    divisor = _avg_divisor(geo, x.dtype)

    def work(b0, b1):
        x_, total_ = x[b0:b1], total[b0:b1]
        for _, _, _, o, i in geo.taps:
            total_[o] += x_[i]
        total_ /= divisor

    _per_chunk(x.shape, x.itemsize, work)
    return total


def np_avg_pool_grad(input_shape, dy, ksize, strides, padding):
    geo = _Geometry(input_shape, ksize[1], ksize[2], strides, (1, 1, 1, 1), padding)
    divisor = _avg_divisor(geo, dy.dtype)
    dx = np.zeros(input_shape, dy.dtype)

    def work(b0, b1):
        g, dx_ = dy[b0:b1] / divisor, dx[b0:b1]
        for _, _, _, o, i in geo.taps:
            dx_[i] += g[o]

    _per_chunk(input_shape, dy.itemsize, work)
    return dx


# --- op definitions ----------------------------------------------------------------------------------


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def _attrs(op, *names):
    return [_text(op.get_attr(n)) if n in ("padding", "data_format") else op.get_attr(n) for n in names]


# TF's allowed data_format values of the 2-D and the 3-D ops: channels last, then channels first.
LAYOUTS_2D = ("NHWC", "NCHW")
LAYOUTS_3D = ("NDHWC", "NCDHW")


def _layout(op, layouts=LAYOUTS_2D):
    """The op's data_format, one of `layouts`."""
    layout = _text(op.get_attr("data_format"))
    if layout not in layouts:
        allowed = ", ".join(f'"{v}"' for v in layouts)
        raise ValueError(f"Value for attr 'data_format' of \"{layout}\" is not in the list of allowed "
                         f"values: {allowed}")
    return layout


def _nhwc_dims(op, shape, values=None, layouts=LAYOUTS_2D):
    """The input's dims (or an attr list in the op's order) channels last, (N, *spatial, C), whatever
    the op's layout."""
    dims = values if values is not None else _dims(shape, len(layouts[0]))
    if _layout(op, layouts) == layouts[1]:
        return [dims[0], *dims[2:], dims[1]]
    return list(dims)


def _from_nhwc(op, dims, layouts=LAYOUTS_2D):
    """Channels-last dims back in the op's layout."""
    if _layout(op, layouts) == layouts[1]:
        return [dims[0], dims[-1], *dims[1:-1]]
    return dims


# TF builds and shape-infers channels-first (NCHW, NCDHW) convolutions and pools, but its CPU kernels
# refuse them when they run: the error class and text of each (from TF 2.21's kernels, typos included).
_DEPTHWISE_REFUSED = (errors.UnimplementedError,
                      "Depthwise convolution on CPU is only supported for NHWC format")
_CPU_REFUSES_NCHW = {
    "Conv2D": (errors.UnimplementedError, "The Conv2D op currently only supports the NHWC tensor format on "
                                          "the CPU. The op was given the format: NCHW"),
    "Conv2DBackpropInput": (errors.InvalidArgumentError, "Conv2DCustomBackpropInputOp only supports NHWC."),
    "Conv2DBackpropFilter": (errors.InvalidArgumentError, "Conv2DCustomBackpropFilterOp only supports NHWC."),
    "MaxPool": (errors.InvalidArgumentError, "Default MaxPoolingOp only supports NHWC on device type CPU"),
    "AvgPool": (errors.InvalidArgumentError, "Default AvgPoolingOp only supports NHWC on device type CPU"),
    "MaxPoolGrad": (errors.InvalidArgumentError,
                    "Default MaxPoolingGradOp only supports NHWC on device type CPU"),
    "MaxPoolGradGrad": (errors.InvalidArgumentError,
                        "Default MaxPoolingGradGradOp only supports NHWC on device type CPU"),
    "AvgPoolGrad": (errors.InvalidArgumentError,
                    "Default AvgPoolingGradOp only supports NHWC on device type CPU"),
    "DepthwiseConv2dNative": _DEPTHWISE_REFUSED,
    "DepthwiseConv2dNativeBackpropInput": _DEPTHWISE_REFUSED,
    "DepthwiseConv2dNativeBackpropFilter": _DEPTHWISE_REFUSED,
    **{op_type: (errors.InvalidArgumentError, text) for op_type, text in (
        ("Conv3D", "CPU implementation of Conv3D currently only supports the NHWC tensor format."),
        ("Conv3DBackpropInputV2", "Conv3DBackpropInputOpV2 only supports NDHWC on the CPU."),
        ("Conv3DBackpropFilterV2", "Conv3DBackpropFilterOpV2 only supports NDHWC on the CPU."),
        ("MaxPool3D", "Default Pooling3DOp only supports NDHWC on device type CPU"),
        ("AvgPool3D", "Default Pooling3DOp only supports NDHWC on device type CPU"),
        ("MaxPool3DGrad", "Default MaxPooling3dGradOp only supports NDHWC on device type CPU"),
        ("MaxPool3DGradGrad", "Default MaxPooling3dGradGradOp only supportsNDHWC on CPU device type"),
        ("AvgPool3DGrad", "Default AvgPooling3dGradOp only supports NDHWC on device type CPU"),
    )},
}


def _nhwc_kernels_only(compile_, layouts=LAYOUTS_2D):
    """`compile_` for channels-last ops; a channels-first op gets a kernel that raises TF's CPU error
    when it runs."""

    def compile_or_refuse(op, runtime):
        if _layout(op, layouts) == layouts[1]:
            error, message = _CPU_REFUSES_NCHW[op.type]

            def refuse(*inputs):
                raise error(None, None, message)

            return refuse
        return compile_(op, runtime)

    return compile_or_refuse


def _spatial_out(in_dim, k, stride, dilation, padding):
    if in_dim is None or k is None:
        return None
    return out_size_and_pad(in_dim, k, stride, dilation, padding)[0]


def _dims(shape, rank):
    if shape.ndims is None:
        return [None] * rank
    if shape.ndims != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {shape.ndims}")
    return shape.as_list()


def _conv_infer(op):
    strides, padding, dilations = _attrs(op, "strides", "padding", "dilations")
    n, h, w, c = _nhwc_dims(op, op.inputs[0].shape)
    strides, dilations = _nhwc_dims(op, None, strides), _nhwc_dims(op, None, dilations)
    kh, kw, ci, co = _dims(op.inputs[1].shape, 4)
    if c is not None and ci is not None and c != ci:
        message = f"Depth of input ({c}) is not a multiple of input depth of filter ({ci})"
        raise op_util.shape_error(op, message)
    shape = [n, _spatial_out(h, kh, strides[1], dilations[1], padding),
             _spatial_out(w, kw, strides[2], dilations[2], padding), co]
    return [(op.inputs[0].dtype.base_dtype, TensorShape(_from_nhwc(op, shape)))]


def _conv_compile(op, runtime):
    strides, padding, dilations = _attrs(op, "strides", "padding", "dilations")
    scratch = _Scratch()
    return lambda x, f: np_conv2d(x, f, strides, padding, dilations, scratch)


def _shape_from_const_input(op, index, rank):
    """Static value of a shape-valued input (known when it is a Const or a Shape of a known shape)."""
    shape = tensor_util.constant_value_as_shape(op.inputs[index])
    return shape if shape.ndims is not None else TensorShape([None] * rank)


def _conv_input_grad_infer(op):
    # TF's shape function merges the gradient's channels with the filter's output channels
    channels = _nhwc_dims(op, op.inputs[2].shape)[3]
    filter_out = _dims(op.inputs[1].shape, 4)[3]
    if channels is not None and filter_out is not None and channels != filter_out:
        raise op_util.shape_error(op, f"Dimensions must be equal, but are {channels} and {filter_out}")
    return [(op.inputs[1].dtype.base_dtype, _shape_from_const_input(op, 0, 4))]


def _conv_input_grad_compile(op, runtime):
    strides, padding, dilations = _attrs(op, "strides", "padding", "dilations")
    scratch = _Scratch()

    def kernel(shape, f, dy):
        return np_conv2d_backprop_input(tuple(int(d) for d in shape), f, dy, strides, padding, dilations,
                                        scratch)

    return kernel


def _conv_filter_grad_infer(op):
    return [(op.inputs[0].dtype.base_dtype, _shape_from_const_input(op, 1, 4))]


def _conv_filter_grad_compile(op, runtime):
    strides, padding, dilations = _attrs(op, "strides", "padding", "dilations")
    scratch = _Scratch()

    def kernel(x, shape, dy):
        return np_conv2d_backprop_filter(x, tuple(int(d) for d in shape), dy, strides, padding, dilations,
                                         scratch)

    return kernel


_CONV_ATTRS = {"use_cudnn_on_gpu": True, "data_format": "NHWC", "dilations": [1, 1, 1, 1],
               "explicit_paddings": []}
# Every kernel here returns a new array (never a view of an input or of its scratch): `fresh`, so that a
# plan may reuse the result's buffer (the bias add and relu after a convolution then allocate nothing).
registry.register_op("Conv2D", infer=_conv_infer, compile=_nhwc_kernels_only(_conv_compile),
                     attrs=_CONV_ATTRS,
                     inputs=("input: T", "filter: T"),
                     allowed={"T": groups.CONV_TYPES}, fresh=True)
registry.register_op("Conv2DBackpropInput", infer=_conv_input_grad_infer,
                     compile=_nhwc_kernels_only(_conv_input_grad_compile),
                     attrs=_CONV_ATTRS,
                     inputs=("input_sizes", "filter: T", "out_backprop: T"),
                     allowed={"T": groups.CONV_TYPES}, fresh=True)
registry.register_op("Conv2DBackpropFilter", infer=_conv_filter_grad_infer,
                     compile=_nhwc_kernels_only(_conv_filter_grad_compile),
                     attrs=_CONV_ATTRS,
                     inputs=("input: T", "filter_sizes", "out_backprop: T"),
                     allowed={"T": groups.FLOATING_POINT}, fresh=True)


def _pool_infer(op):
    ksize, strides, padding = _attrs(op, "ksize", "strides", "padding")
    n, h, w, c = _nhwc_dims(op, op.inputs[0].shape)
    ksize, strides = _nhwc_dims(op, None, ksize), _nhwc_dims(op, None, strides)
    shape = [n, _spatial_out(h, ksize[1], strides[1], 1, padding),
             _spatial_out(w, ksize[2], strides[2], 1, padding), c]
    return [(op.inputs[0].dtype.base_dtype, TensorShape(_from_nhwc(op, shape)))]


def _pool_compile(fn):
    def compile_(op, runtime):
        ksize, strides, padding = _attrs(op, "ksize", "strides", "padding")
        return lambda x: fn(x, ksize, strides, padding)

    return compile_


def _max_pool_grad_compile(op, runtime):
    ksize, strides, padding = _attrs(op, "ksize", "strides", "padding")
    return lambda x, y, dy: np_max_pool_grad(x, y, dy, ksize, strides, padding)


def _max_pool_grad_grad_compile(op, runtime):
    ksize, strides, padding = _attrs(op, "ksize", "strides", "padding")
    return lambda x, y, g: np_max_pool_grad_grad(x, y, g, ksize, strides, padding)


def _avg_pool_grad_compile(op, runtime):
    ksize, strides, padding = _attrs(op, "ksize", "strides", "padding")
    return lambda shape, dy: np_avg_pool_grad(tuple(int(d) for d in shape), dy, ksize, strides, padding)


_POOL_ATTRS = {"data_format": "NHWC"}
registry.register_op("MaxPool", infer=_pool_infer, compile=_nhwc_kernels_only(_pool_compile(np_max_pool)),
                     attrs=_POOL_ATTRS,
                     inputs=("input: T",),
                     allowed={"T": groups.MAX_POOL_TYPES}, fresh=True)
registry.register_op("AvgPool", infer=_pool_infer, compile=_nhwc_kernels_only(_pool_compile(np_avg_pool)),
                     attrs=_POOL_ATTRS,
                     inputs=("value: T",),
                     allowed={"T": groups.FLOATING_POINT}, fresh=True)
registry.register_op("MaxPoolGrad", infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)],
                     compile=_nhwc_kernels_only(_max_pool_grad_compile), attrs=_POOL_ATTRS,
                     inputs=("orig_input: T", "orig_output: T", "grad: T"),
                     allowed={"T": groups.REAL_NUMBER_TYPES}, fresh=True)
registry.register_op("MaxPoolGradGrad",
                     infer=lambda op: [(op.inputs[1].dtype.base_dtype, op.inputs[1].shape)],
                     compile=_nhwc_kernels_only(_max_pool_grad_grad_compile), attrs=_POOL_ATTRS,
                     inputs=("orig_input: T", "orig_output: T", "grad: T"),
                     allowed={"T": groups.REAL_NUMBER_TYPES}, fresh=True)
registry.register_op("AvgPoolGrad",
                     infer=lambda op: [(op.inputs[1].dtype.base_dtype, _shape_from_const_input(op, 0, 4))],
                     compile=_nhwc_kernels_only(_avg_pool_grad_compile), attrs=_POOL_ATTRS,
                     inputs=("orig_input_shape", "grad: T"),
                     allowed={"T": groups.FLOATING_POINT}, fresh=True)


# --- Python wrappers (tf.nn.*) -----------------------------------------------------------------------


def _list4(value, name, data_format="NHWC"):
    """An int, or 1, 2 or 4 ints, as the 4 values of an attr in `data_format`'s order (TF's _get_sequence)."""
    if isinstance(value, int):
        value = [value]
    value = [int(v) for v in value]
    if len(value) in (1, 2):
        h, w = value[0], value[-1]
        return [1, 1, h, w] if _text(data_format).startswith("NC") else [1, h, w, 1]
    if len(value) != 4:
        raise ValueError(f"{name} should be of length 1, 2 or 4 but was {len(value)}")
    return value


def _padding(padding):
    padding = _text(padding)
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"padding must be one of 'SAME' or 'VALID', got {padding!r}")
    return padding.upper()


def _tensor(value, name):
    return ops.convert_to_tensor(value, name=name)


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
           dilations=(1, 1, 1, 1), name=None, filters=None):
    """``tf.nn.conv2d``: NHWC (or NCHW) input, HWIO filter.  As TF on CPU, an NCHW convolution builds (with
    its shape) but raises TF's UnimplementedError when it runs."""
    if filter is None:
        filter = filters
    with ops.name_scope(name, "Conv2D", [input, filter]) as scope:
        x = _tensor(input, "input")
        f = _tensor(filter, "filter")
        attrs = {"T": x.dtype.base_dtype, "strides": _list4(strides, "strides", data_format),
                 "padding": _padding(padding), "dilations": _list4(dilations, "dilations", data_format),
                 "data_format": _text(data_format),
                 "use_cudnn_on_gpu": bool(use_cudnn_on_gpu), "explicit_paddings": []}
        return op_util.make_tensor("Conv2D", [x, f], name=scope, attrs=attrs)


def _conv_backprop_attrs(strides, padding, dilations, data_format, dtype):
    return {"T": dtype, "strides": _list4(strides, "strides", data_format), "padding": _padding(padding),
            "dilations": _list4(dilations, "dilations", data_format), "data_format": _text(data_format),
            "use_cudnn_on_gpu": True, "explicit_paddings": []}


def conv2d_backprop_input(input_sizes, filter, out_backprop, strides, padding, dilations=(1, 1, 1, 1),
                          data_format="NHWC", name=None):
    """``tf.nn.conv2d_backprop_input``: the gradient of conv2d with respect to its input."""
    with ops.name_scope(name, "Conv2DBackpropInput", [input_sizes, filter, out_backprop]) as scope:
        sizes = _tensor(input_sizes, "input_sizes")
        f = _tensor(filter, "filter")
        dy = _tensor(out_backprop, "out_backprop")
        attrs = _conv_backprop_attrs(strides, padding, dilations, data_format, f.dtype.base_dtype)
        return op_util.make_tensor("Conv2DBackpropInput", [sizes, f, dy], name=scope, attrs=attrs)


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding, dilations=(1, 1, 1, 1),
                           data_format="NHWC", name=None):
    """``tf.nn.conv2d_backprop_filter``: the gradient of conv2d with respect to its filter."""
    with ops.name_scope(name, "Conv2DBackpropFilter", [input, filter_sizes, out_backprop]) as scope:
        x = _tensor(input, "input")
        sizes = _tensor(filter_sizes, "filter_sizes")
        dy = _tensor(out_backprop, "out_backprop")
        attrs = _conv_backprop_attrs(strides, padding, dilations, data_format, x.dtype.base_dtype)
        return op_util.make_tensor("Conv2DBackpropFilter", [x, sizes, dy], name=scope, attrs=attrs)


def _pool_attrs(ksize, strides, padding, data_format, dtype):
    return {"T": dtype, "ksize": _list4(ksize, "ksize", data_format),
            "strides": _list4(strides, "strides", data_format),
            "padding": _padding(padding), "data_format": _text(data_format)}


def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):
    """``tf.nn.max_pool``."""
    value = input if value is None else value
    with ops.name_scope(name, "MaxPool", [value]) as scope:
        x = _tensor(value, "input")
        attrs = _pool_attrs(ksize, strides, padding, data_format, x.dtype.base_dtype)
        return op_util.make_tensor("MaxPool", [x], name=scope, attrs=attrs)


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):
    """``tf.nn.avg_pool``."""
    value = input if value is None else value
    with ops.name_scope(name, "AvgPool", [value]) as scope:
        x = _tensor(value, "value")
        attrs = _pool_attrs(ksize, strides, padding, data_format, x.dtype.base_dtype)
        return op_util.make_tensor("AvgPool", [x], name=scope, attrs=attrs)


def max_pool_grad_op(orig_input, orig_output, grad, ksize, strides, padding, data_format="NHWC", name=None):
    """TensorFlow's ``MaxPoolGrad`` (what the MaxPool gradient adds)."""
    attrs = _pool_attrs(ksize, strides, padding, data_format, grad.dtype.base_dtype)
    return op_util.make_tensor("MaxPoolGrad", [orig_input, orig_output, grad], name=name or "MaxPoolGrad",
                               attrs=attrs)


def max_pool_grad_grad_op(orig_input, orig_output, grad, ksize, strides, padding, data_format="NHWC",
                          name=None):
    """TensorFlow's ``MaxPoolGradGrad`` (what the MaxPoolGrad gradient adds)."""
    attrs = _pool_attrs(ksize, strides, padding, data_format, grad.dtype.base_dtype)
    return op_util.make_tensor("MaxPoolGradGrad", [orig_input, orig_output, grad],
                               name=name or "MaxPoolGradGrad", attrs=attrs)


def avg_pool_grad_op(orig_input_shape, grad, ksize, strides, padding, data_format="NHWC", name=None):
    """TensorFlow's ``AvgPoolGrad`` (what the AvgPool gradient adds)."""
    attrs = _pool_attrs(ksize, strides, padding, data_format, grad.dtype.base_dtype)
    return op_util.make_tensor("AvgPoolGrad", [orig_input_shape, grad], name=name or "AvgPoolGrad",
                               attrs=attrs)


# --- gradients -------------------------------------------------------------------------------------


def _conv_attrs(op):
    return {k: op.get_attr(k) for k in ("strides", "padding", "dilations", "data_format")}


@register_gradient("Conv2D")
def _conv2d_grad(op, grad):
    x, f = op.inputs
    attrs = _conv_attrs(op)
    x_shape, f_shape = array_ops.shape_n([x, f])  # one op reading both shapes, as TF's gradient
    return [conv2d_backprop_input(x_shape, f, grad, **attrs),
            conv2d_backprop_filter(x, f_shape, grad, **attrs)]


@register_gradient("MaxPool")
def _max_pool_grad(op, grad):
    return [max_pool_grad_op(op.inputs[0], op.outputs[0], grad, *_attrs(op, "ksize", "strides", "padding"))]


@register_gradient("AvgPool")
def _avg_pool_grad(op, grad):
    return [avg_pool_grad_op(grad_util.shape(op.inputs[0]), grad, *_attrs(op, "ksize", "strides", "padding"))]


# Second derivatives, as TensorFlow's nn_grad.py has them: each backprop op is linear in its gradient
# input (and Conv2D's backprops also in the filter or input), so its gradient is the forward op or the
# other backprop op again.


@register_gradient("Conv2DBackpropInput")
def _conv2d_backprop_input_grad(op, grad):
    _, f, dy = op.inputs
    attrs = _conv_attrs(op)
    return [None,
            conv2d_backprop_filter(grad, grad_util.shape(f), dy, **attrs),
            conv2d(grad, f, **attrs)]


@register_gradient("Conv2DBackpropFilter")
def _conv2d_backprop_filter_grad(op, grad):
    x, _, dy = op.inputs
    attrs = _conv_attrs(op)
    return [conv2d_backprop_input(grad_util.shape(x), grad, dy, **attrs),
            None,
            conv2d(x, grad, **attrs)]


@register_gradient("MaxPoolGrad")
def _max_pool_grad_grad(op, grad):
    x, y, _ = op.inputs
    return [array_ops.zeros_like(x), array_ops.zeros_like(y),
            max_pool_grad_grad_op(x, y, grad, *_attrs(op, "ksize", "strides", "padding"))]


@register_gradient("MaxPoolGradGrad")
def _max_pool_grad_grad_grad(op, grad):
    x, y, _ = op.inputs
    return [array_ops.zeros_like(x), array_ops.zeros_like(y),
            max_pool_grad_op(x, y, grad, *_attrs(op, "ksize", "strides", "padding"))]


@register_gradient("AvgPoolGrad")
def _avg_pool_grad_grad(op, grad):
    # TF returns stop_gradient(orig_input_shape) for the shape input; a shape has no gradient.
    return [None, avg_pool(grad, *_attrs(op, "ksize", "strides", "padding"))]
