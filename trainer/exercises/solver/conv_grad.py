"""Forward and backward of a single-channel ``F.conv2d`` (no bias, dilation 1), in float64.

PyTorch's conv2d is a cross-correlation: ``Y[i, j] = Σ_ab Xp[i·s + a, j·s + b] · W[a, b]``
with ``Xp`` the zero-padded input.  Its gradients (what autograd returns):

* ``dW[a, b] = Σ_ij dY[i, j] · Xp[i·s + a, j·s + b]`` (correlate the padded input with dY);
* ``dX``: each ``dY[i, j]`` scatters ``dY[i, j] · W`` onto the window it came from, and the
  padding is cropped; for stride 1 this is the *full* convolution of dY with the kernel
  rotated by 180° (:func:`conv2d_input_grad_full`).

Invalid geometry (non-positive stride, negative padding, a kernel larger than the padded
input, a dY of the wrong shape) raises :class:`SolverError` where torch raises.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import SolverError
from .sizes import conv2d_output_size

__all__ = [
    "conv2d_input_grad",
    "conv2d_input_grad_full",
    "conv2d_single",
    "conv2d_weight_grad",
    "dilate_and_pad",
]

Matrix = Sequence[Sequence[float]] | np.ndarray


def _matrix(value: Matrix, name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 2 or arr.size == 0:
        raise SolverError(f"{name} must be a non-empty matrix, got shape {arr.shape}")
    return arr


def _geometry(input_size: Sequence[int], kernel: tuple[int, int], stride: int, padding: int
              ) -> tuple[int, int]:
    return conv2d_output_size(tuple(input_size), kernel, stride, padding)


def _pad(x: np.ndarray, p: int) -> np.ndarray:
    return np.pad(x, p) if p else x


def conv2d_single(x: Matrix, weight: Matrix, stride: int = 1, padding: int = 0) -> np.ndarray:
    """F.conv2d of one 2-D channel (cross-correlation, no kernel flip)."""
    x, w = _matrix(x, "x"), _matrix(weight, "weight")
    oh, ow = _geometry(x.shape, w.shape, stride, padding)
    xp = _pad(x, padding)
    kh, kw = w.shape
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[i, j] = np.sum(xp[i * stride:i * stride + kh, j * stride:j * stride + kw] * w)
    return out


def _check_grad(grad: Matrix, out: tuple[int, int]) -> np.ndarray:
    g = np.asarray(grad, dtype=np.float64)
    if g.shape != tuple(out):  # autograd: "Mismatch in shape: grad_output[0] has a shape ..."
        raise SolverError(f"Mismatch in shape: the upstream gradient has shape {g.shape}, the "
                          f"output has shape {tuple(out)}")
    return g


def conv2d_weight_grad(grad_output: Matrix, x: Matrix, kernel_size: Sequence[int],
                       stride: int = 1, padding: int = 0) -> np.ndarray:
    """∂L/∂W of F.conv2d: ``dW[a, b] = Σ_ij dY[i, j] · Xp[i·s + a, j·s + b]``."""
    x = _matrix(x, "x")
    kh, kw = (int(k) for k in kernel_size)
    out = _geometry(x.shape, (kh, kw), stride, padding)
    g = _check_grad(grad_output, out)
    xp = _pad(x, padding)
    dw = np.zeros((kh, kw))
    span_h, span_w = stride * (out[0] - 1) + 1, stride * (out[1] - 1) + 1
    for a in range(kh):
        for b in range(kw):
            dw[a, b] = np.sum(xp[a:a + span_h:stride, b:b + span_w:stride] * g)
    return dw


def conv2d_input_grad(grad_output: Matrix, weight: Matrix, input_size: Sequence[int],
                      stride: int = 1, padding: int = 0) -> np.ndarray:
    """∂L/∂X of F.conv2d by scattering: ``dXp[i·s + a, j·s + b] += dY[i, j] · W[a, b]``, then
    the padding is cropped away."""
    w = _matrix(weight, "weight")
    h, wd = (int(v) for v in input_size)
    out = _geometry((h, wd), w.shape, stride, padding)
    g = _check_grad(grad_output, out)
    kh, kw = w.shape
    dxp = np.zeros((h + 2 * padding, wd + 2 * padding))
    for i in range(out[0]):
        for j in range(out[1]):
            dxp[i * stride:i * stride + kh, j * stride:j * stride + kw] += g[i, j] * w
    return dxp[padding:padding + h, padding:padding + wd]


def dilate_and_pad(grad_output: Matrix, kernel_size: Sequence[int], input_size: Sequence[int],
                   stride: int = 1, padding: int = 0) -> np.ndarray:
    """dY with ``s − 1`` zeros between entries and ``k − 1`` zeros around it, plus zero rows
    and columns at the bottom/right for input rows the windows never reached."""
    g = np.asarray(grad_output, dtype=np.float64)
    kh, kw = (int(k) for k in kernel_size)
    h, w = (int(v) for v in input_size)
    dil = np.zeros(((g.shape[0] - 1) * stride + 1, (g.shape[1] - 1) * stride + 1))
    dil[::stride, ::stride] = g
    extra_h = h + 2 * padding - (dil.shape[0] + kh - 1)  # unreached rows (stride > 1)
    extra_w = w + 2 * padding - (dil.shape[1] + kw - 1)
    return np.pad(dil, ((kh - 1, kh - 1 + extra_h), (kw - 1, kw - 1 + extra_w)))


def conv2d_input_grad_full(grad_output: Matrix, weight: Matrix, input_size: Sequence[int],
                           stride: int = 1, padding: int = 0) -> np.ndarray:
    """∂L/∂X as a full convolution: correlate the dilated, (k − 1)-padded dY with the kernel
    rotated by 180°, then crop the padding (equal to :func:`conv2d_input_grad`)."""
    w = _matrix(weight, "weight")
    h, wd = (int(v) for v in input_size)
    out = _geometry((h, wd), w.shape, stride, padding)
    g = _check_grad(grad_output, out)
    big = dilate_and_pad(g, w.shape, (h, wd), stride, padding)
    full = conv2d_single(big, w[::-1, ::-1], 1, 0)
    return full[padding:padding + h, padding:padding + wd]
