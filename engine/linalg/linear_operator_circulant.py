"""`tf.linalg.LinearOperatorCirculant` (and the block-circulant `Circulant2D`, `Circulant3D`): a
circulant matrix held by its spectrum (the FFT of its first column; FFT2D/FFT3D of the blocks'), applied
with FFTs: `matmul` is `IFFT(spectrum * FFT(x))` along x's rows, `solve` divides by the
spectrum, the determinant is the spectrum's product. Inputs and outputs have `input_output_dtype` (complex
values cast to a real dtype keep their real part, as TF's Cast). Deviation: the FFTs run along the rows of
the transposed right-hand side where TF first flattens its batch into blocks (the same values, other op
names)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops
from engine.linalg.linear_operator import (
    LinearOperator,
    arguments,
    assert_no_entries_with_modulus_zero,
    assert_zero_imag_part,
)
from engine.linalg.linear_operator_diag import commuting_hints
from engine.ops import array_ops, check_ops, linalg_ops, math_ops
from engine.ops.complex_ops import complex as make_complex
from engine.ops.complex_ops import conj, imag, real
from engine.ops.fft_ops import fft, fft2d, fft3d, ifft, ifft2d, ifft3d

_FFT = {1: fft, 2: fft2d, 3: fft3d}
_IFFT = {1: ifft, 2: ifft2d, 3: ifft3d}


def _to_complex(x):
    wide = x.dtype.base_dtype in (dtypes.float64, dtypes.complex128)
    return array_ops.cast(x, dtypes.complex128 if wide else dtypes.complex64)


class LinearOperatorCirculant(LinearOperator):
    """A circulant operator (`block_depth` 1); the 2-D and 3-D classes below are (nested) block-circulant
    ones, their spectra's last 2 or 3 dimensions transformed together."""

    _block_depth = 1

    def __init__(self, spectrum, input_output_dtype=dtypes.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True, name=None):
        # `name` defaults to the class's name (TF writes each class's name as its default)
        name = type(self).__name__ if name is None else name
        parameters = arguments(locals())
        self._input_output_dtype = input_output_dtype
        with ops.name_scope(name, values=[spectrum]):
            self._spectrum = ops.convert_to_tensor(spectrum, name="spectrum")
            depth = self._block_depth
            if self._spectrum.shape.ndims is not None and self._spectrum.shape.ndims < depth:
                raise ValueError(f"Argument `spectrum` must have at least {depth} dimensions. Received: "
                                 f"{self._spectrum}.")
            if not self._spectrum.dtype.is_complex:
                if is_self_adjoint is False:
                    raise ValueError(
                        "A real spectrum always corresponds to a self-adjoint operator. Expected argument "
                        "`is_self_adjoint` to be True when `spectrum.dtype.is_complex` = True. Received: "
                        f"{is_self_adjoint}.")
                is_self_adjoint = True
            if is_square is False:
                raise ValueError("A [[nested] block] circulant operator is always square. Expected argument "
                                 f"`is_square` to be True. Received: {is_square}.")
            super().__init__(dtype=dtypes.as_dtype(input_output_dtype), is_non_singular=is_non_singular,
                             is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite,
                             is_square=True, parameters=parameters, name=name)

    @property
    def spectrum(self):
        return self._spectrum

    @property
    def block_depth(self):
        return self._block_depth

    @property
    def block_shape(self):
        return self.spectrum.shape[-self.block_depth:]

    def block_shape_tensor(self):
        return array_ops.shape_v1(self.spectrum)[-self.block_depth:]

    def _shape(self):
        trailing = self.block_shape
        n = int(np.prod(trailing.as_list())) if trailing.is_fully_defined() else None
        return self.spectrum.shape[:-self.block_depth].concatenate([n, n])

    def _shape_tensor(self):
        s_shape = array_ops.shape_v1(self.spectrum)
        n = math_ops.reduce_prod(s_shape[-self.block_depth:])
        return array_ops.concat((s_shape[:-self.block_depth], [n, n]), 0)

    def _unblockify(self, x):
        """x's last `block_depth` dimensions flattened into one."""
        if self.block_depth == 1:
            return x
        depth = self.block_depth
        shape = array_ops.shape_v1(x)
        flat_shape = array_ops.concat((shape[:-depth], [math_ops.reduce_prod(shape[-depth:])]), 0)
        result = array_ops.reshape(x, flat_shape)
        if x.shape.ndims is not None and self.block_shape.is_fully_defined():
            size = int(np.prod(self.block_shape.as_list()))
            result.set_shape(x.shape[:-depth].concatenate([size]))
        return result

    def _axes(self):
        return [-(i + 1) for i in range(self.block_depth)]

    def convolution_kernel(self, name="convolution_kernel"):
        """The first column of the matrix: the inverse FFT of the spectrum."""
        with self._name_scope(name):
            return array_ops.cast(_IFFT[self.block_depth](_to_complex(self.spectrum)), self.dtype)

    def assert_hermitian_spectrum(self, name="assert_hermitian_spectrum"):
        """An op that fails unless the spectrum is Hermitian (a real convolution kernel)."""
        eps = float(np.finfo(self.dtype.real_dtype.as_numpy_dtype).eps)
        with self._name_scope(name):
            max_err = eps * self.domain_dimension_tensor()
            imag_kernel = imag(self.convolution_kernel())
            return check_ops.assert_less(math_ops.abs(imag_kernel), max_err,
                                         message="Spectrum was not Hermitian")

    def _assert_non_singular(self):
        return assert_no_entries_with_modulus_zero(
            self.spectrum, message="Singular operator:  Spectrum contained zero values.")

    def _assert_positive_definite(self):
        return check_ops.assert_positive(
            real(self.spectrum),
            message="Not positive definite:  Real part of spectrum was not all positive.")

    def _assert_self_adjoint(self):
        return assert_zero_imag_part(
            self.spectrum, message="Not self-adjoint:  The spectrum contained non-zero imaginary part.")

    def _apply(self, x, adjoint, adjoint_arg, combine):
        """`IFFT(combine(FFT(x's columns), spectrum))`, the columns' entries along the last axis."""
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        spectrum = _to_complex(self.spectrum)
        if adjoint:
            spectrum = conj(spectrum)
        columns = array_ops.matrix_transpose(array_ops.cast(x, spectrum.dtype))
        depth = self.block_depth
        if depth > 1:  # each column as a block of the spectrum's trailing shape
            shape = array_ops.shape_v1(columns)
            columns = array_ops.reshape(columns, array_ops.concat((shape[:-1], self.block_shape_tensor()), 0))
        spectrum = array_ops.expand_dims(spectrum, -depth - 1)  # one spectrum for every column
        result = self._unblockify(_IFFT[depth](combine(_FFT[depth](columns), spectrum)))
        return array_ops.cast(array_ops.matrix_transpose(result), self.dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._apply(x, adjoint, adjoint_arg, lambda fx, s: s * fx)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._apply(rhs, adjoint, adjoint_arg, lambda fx, s: fx / s)

    def _determinant(self):
        return array_ops.cast(math_ops.reduce_prod(self.spectrum, axis=self._axes()), self.dtype)

    def _log_abs_determinant(self):
        lad = math_ops.reduce_sum(math_ops.log(math_ops.abs(self.spectrum)), axis=self._axes())
        return array_ops.cast(lad, self.dtype)

    def _trace(self):
        re_d_value = math_ops.reduce_sum(real(self.spectrum), axis=self._axes())
        if not self.dtype.is_complex:
            return array_ops.cast(re_d_value, self.dtype)
        if self.is_self_adjoint:
            im_d_value = array_ops.zeros_like(re_d_value)
        else:
            im_d_value = math_ops.reduce_sum(imag(self.spectrum), axis=self._axes())
        return array_ops.cast(make_complex(re_d_value, im_d_value), self.dtype)

    def _diag_part(self):
        if self.shape.is_fully_defined():
            diag_shape, diag_size = self.shape[:-1].as_list(), self.domain_dimension.value
        else:
            diag_shape, diag_size = self.shape_tensor()[:-1], self.domain_dimension_tensor()
        ones_diag = array_ops.ones(diag_shape, dtype=self.dtype)
        diag_value = self.trace() / array_ops.cast(diag_size, self.dtype)
        return diag_value[..., None] * ones_diag

    def _eigvals(self):
        return ops.convert_to_tensor(self._unblockify(self.spectrum))

    def _cond(self):
        abs_singular_values = math_ops.abs(self._unblockify(self.spectrum))
        return math_ops.reduce_max(abs_singular_values, axis=-1) / math_ops.reduce_min(abs_singular_values,
                                                                                        axis=-1)

    def _linop_adjoint(self):
        spectrum = conj(self.spectrum) if self.spectrum.dtype.is_complex else self.spectrum
        return type(self)(spectrum=spectrum, is_non_singular=self.is_non_singular,
                                       is_self_adjoint=self.is_self_adjoint,
                                       is_positive_definite=self.is_positive_definite, is_square=True)

    def _linop_inverse(self):
        return type(self)(spectrum=1.0 / self.spectrum, is_non_singular=self.is_non_singular,
                                       is_self_adjoint=self.is_self_adjoint,
                                       is_positive_definite=self.is_positive_definite, is_square=True,
                                       input_output_dtype=self.dtype)

    def _linop_matmul(self, left_operator, right_operator):
        if not isinstance(right_operator, type(left_operator)):
            return super()._linop_matmul(left_operator, right_operator)
        return type(left_operator)(spectrum=left_operator.spectrum * right_operator.spectrum,
                                       **commuting_hints(left_operator, right_operator))

    def _linop_solve(self, left_operator, right_operator):
        if not isinstance(right_operator, type(left_operator)):
            return super()._linop_solve(left_operator, right_operator)
        return type(left_operator)(spectrum=right_operator.spectrum / left_operator.spectrum,
                                       **commuting_hints(left_operator, right_operator))


class LinearOperatorCirculant2D(LinearOperatorCirculant):
    """A block-circulant operator with circulant blocks: spectrum [..., N0, N1], matrix N0 N1 square."""

    _block_depth = 2


class LinearOperatorCirculant3D(LinearOperatorCirculant):
    """A doubly nested block-circulant operator: spectrum [..., N0, N1, N2], matrix N0 N1 N2 square."""

    _block_depth = 3
