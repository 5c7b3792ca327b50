"""Forward and backward of MaxPool2d, AvgPool2d and AdaptiveAvgPool2d (PyTorch 2.13, CPU).

Arrays have shape ``(..., H, W)``: any leading dims (e.g. ``(N, C)``) are batch dims.
Values are computed in float64.  Window geometry follows ATen's CPU kernels
(``aten/src/ATen/native/cpu/MaxPoolKernel.cpp``, ``AvgPoolKernel.cpp``,
``AdaptiveAvgPoolKernel.cpp``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._args import as_float_array, as_int, as_pair
from .errors import SolverError
from .sizes import (
    adaptive_avg_pool2d_output_size,
    avg_pool2d_output_size,
    max_pool2d_output_size,
)

__all__ = [
    "adaptive_avg_pool2d",
    "adaptive_avg_pool2d_backward",
    "adaptive_pool_bounds",
    "avg_pool2d",
    "avg_pool2d_backward",
    "max_pool2d",
    "max_pool2d_backward",
    "max_pool2d_with_indices",
]

Size2 = int | Sequence[int]


def _spatial(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) < 2:
        raise SolverError(f"expected an array of shape (..., H, W), got shape {shape}")
    h, w = shape[-2:]
    if h <= 0 or w <= 0:
        raise SolverError(f"Expected input to have non-zero size for non-batch dimensions, "
                          f"got shape {shape}")
    return int(h), int(w)


def _check_grad(grad_output: object, lead: tuple[int, ...], out: tuple[int, int]) -> np.ndarray:
    g = as_float_array(grad_output, "grad_output")
    if g.shape != (*lead, *out):
        raise SolverError(f"grad_output must have shape {(*lead, *out)}, got {g.shape}")
    return g


def _stride(stride: Size2 | None, kernel: tuple[int, int]) -> tuple[int, int]:
    if stride is None or (isinstance(stride, Sequence) and len(stride) == 0):
        return kernel
    return as_pair(stride, "stride")


# ---------------------------------------------------------------- max pooling

def _max_taps(n: int, out: int, k: int, s: int, p: int, d: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tap indices ``o*s - p + t*d`` (out, k), their validity, and ATen's first candidate.

    ATen starts at ``o*s - p`` and adds ``d`` while negative; when a dilated window has no
    element inside the input, that candidate lies outside the window.
    """
    starts = np.arange(out) * s - p
    taps = starts[:, None] + d * np.arange(k)[None, :]
    valid = (taps >= 0) & (taps < n)
    first = np.where(starts < 0, starts + d * (-(starts // d)), starts)  # ceil(-start/d) steps
    return np.clip(taps, 0, n - 1), valid, first


def _max_pool_geometry(shape: tuple[int, ...], kernel_size: Size2, stride: Size2 | None,
                       padding: Size2, dilation: Size2, ceil_mode: bool
                       ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray],
                                  tuple[np.ndarray, np.ndarray, np.ndarray]]:
    h, w = _spatial(shape)
    kh, kw = as_pair(kernel_size, "kernel_size")
    sh, sw = _stride(stride, (kh, kw))
    ph, pw = as_pair(padding, "padding")
    dh, dw = as_pair(dilation, "dilation")
    oh, ow = max_pool2d_output_size((h, w), (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil_mode)
    return _max_taps(h, oh, kh, sh, ph, dh), _max_taps(w, ow, kw, sw, pw, dw)


def max_pool2d_with_indices(x: object, kernel_size: Size2, stride: Size2 | None = None,
                            padding: Size2 = 0, dilation: Size2 = 1, ceil_mode: bool = False
                            ) -> tuple[np.ndarray, np.ndarray]:
    """F.max_pool2d(..., return_indices=True): maxima and their flat indices ``h * W + w``.

    ATen CPU kernel: scan the window row-major, keep ``val`` if ``val > max or isnan(val)``
    starting from ``max = -inf`` -- so the *first* maximum wins, padding is never chosen
    (it behaves as -inf), a window of -inf values reports its first valid element, and
    the *last* NaN wins.  A dilated window containing no input element (possible when the
    dilation steps over the whole input) gives ``-inf`` and ATen's out-of-window index.
    """
    arr = as_float_array(x, "x")
    (rows, vrow, row0), (cols, vcol, col0) = _max_pool_geometry(
        arr.shape, kernel_size, stride, padding, dilation, ceil_mode)
    w = arr.shape[-1]
    (oh, kh), (ow, kw) = rows.shape, cols.shape
    lead = arr.shape[:-2]
    # (..., oh, ow, kh, kw) -> (..., oh, ow, kh*kw), row-major window order
    win = arr[..., rows[:, None, :, None], cols[None, :, None, :]].reshape(*lead, oh, ow, -1)
    valid = (vrow[:, None, :, None] & vcol[None, :, None, :]).reshape(oh, ow, -1)
    win = np.where(valid, win, -np.inf)
    pick = np.argmax(win, axis=-1)  # first maximum (padding is -inf and never strictly larger)
    first_valid = np.argmax(valid, axis=-1)
    values = np.take_along_axis(win, pick[..., None], axis=-1)[..., 0]
    pick = np.where(values == -np.inf, first_valid, pick)
    nan = np.isnan(win)
    if nan.any():
        last_nan = win.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
        pick = np.where(nan.any(axis=-1), last_nan, pick)
        values = np.take_along_axis(win, pick[..., None], axis=-1)[..., 0]
    flat_rows = np.broadcast_to(rows[:, None, :, None], (oh, ow, kh, kw)).reshape(oh, ow, -1)
    flat_cols = np.broadcast_to(cols[None, :, None, :], (oh, ow, kh, kw)).reshape(oh, ow, -1)
    full = pick.shape + (kh * kw,)
    pr = np.take_along_axis(np.broadcast_to(flat_rows, full), pick[..., None], -1)[..., 0]
    pc = np.take_along_axis(np.broadcast_to(flat_cols, full), pick[..., None], -1)[..., 0]
    indices = pr * w + pc
    empty = ~valid.any(axis=-1)
    if empty.any():
        values = np.where(empty, -np.inf, values)
        indices = np.where(empty, row0[:, None] * w + col0[None, :], indices)
    return values, indices.astype(np.int64)


def max_pool2d(x: object, kernel_size: Size2, stride: Size2 | None = None, padding: Size2 = 0,
               dilation: Size2 = 1, ceil_mode: bool = False) -> np.ndarray:
    """torch.nn.functional.max_pool2d: max over each (dilated) window; padding acts as -inf."""
    return max_pool2d_with_indices(x, kernel_size, stride, padding, dilation, ceil_mode)[0]


def max_pool2d_backward(grad_output: object, x: object, kernel_size: Size2,
                        stride: Size2 | None = None, padding: Size2 = 0, dilation: Size2 = 1,
                        ceil_mode: bool = False) -> np.ndarray:
    """Gradient of max_pool2d w.r.t. its input (ATen max_pool2d_with_indices_backward).

    Each output's gradient goes to the one input its window selected (the first maximum in
    row-major order, see :func:`max_pool2d_with_indices`); overlapping windows add up and
    padding receives nothing.  Raises when a window holds no input element: PyTorch then
    scatters to an out-of-range index (undefined behaviour, observed to corrupt memory).
    """
    arr = as_float_array(x, "x")
    (_, vrow, _), (_, vcol, _) = _max_pool_geometry(arr.shape, kernel_size, stride, padding,
                                                    dilation, ceil_mode)
    if not vrow.any(axis=1).all() or not vcol.any(axis=1).all():
        raise SolverError(
            "a dilated pooling window contains no input element; PyTorch returns -inf with an "
            "out-of-range index there and its backward is undefined"
        )
    _, idx = max_pool2d_with_indices(arr, kernel_size, stride, padding, dilation, ceil_mode)
    lead = arr.shape[:-2]
    g = _check_grad(grad_output, lead, idx.shape[-2:])
    m = int(np.prod(lead, dtype=np.int64))
    h, w = arr.shape[-2:]
    grad = np.zeros((m, h * w), dtype=np.float64)
    # np.add.at is unbuffered and goes in index order: per plane, output row-major, like ATen
    np.add.at(grad, (np.arange(m)[:, None], idx.reshape(m, -1)), g.reshape(m, -1))
    return grad.reshape(arr.shape)


# ---------------------------------------------------------------- average pooling

def _avg_axis(n: int, out: int, k: int, s: int, p: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Window membership matrix (out, n), padded window size and clipped count per output.

    ATen avg_pool2d: ``start = o*s - p``; ``end = min(start + k, n + p)``;
    ``pool_size = end - start`` (so ceil-mode windows past the right padding shrink);
    then clip to ``[0, n)`` for the elements actually summed.
    """
    member = np.zeros((out, n), dtype=np.float64)
    pool = np.empty(out, dtype=np.int64)
    count = np.empty(out, dtype=np.int64)
    for o in range(out):
        start = o * s - p
        end = min(start + k, n + p)
        pool[o] = end - start
        lo, hi = max(start, 0), min(end, n)
        count[o] = max(hi - lo, 0)
        member[o, lo:hi] = 1.0
    return member, pool, count


def _avg_setup(shape: tuple[int, ...], kernel_size: Size2, stride: Size2 | None,
               padding: Size2, ceil_mode: bool, count_include_pad: bool,
               divisor_override: int | None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    kh, kw = as_pair(kernel_size, "kernel_size")
    sh, sw = _stride(stride, (kh, kw))
    ph, pw = as_pair(padding, "padding")
    h, w = shape[-2:]
    oh, ow = avg_pool2d_output_size((h, w), (kh, kw), (sh, sw), (ph, pw), ceil_mode,
                                    divisor_override)
    mh, pool_h, cnt_h = _avg_axis(h, oh, kh, sh, ph)  # ceil_mode is reflected in oh, ow
    mw, pool_w, cnt_w = _avg_axis(w, ow, kw, sw, pw)
    if divisor_override is not None:
        divisor = np.full((oh, ow), float(as_int(divisor_override, "divisor_override")))
    elif count_include_pad:
        divisor = np.outer(pool_h, pool_w).astype(np.float64)
    else:
        divisor = np.outer(cnt_h, cnt_w).astype(np.float64)
    empty = np.outer(cnt_h, cnt_w) == 0
    divisor[empty] = 1.0  # ATen writes 0 for an empty window (cannot occur with valid sizes)
    return mh, mw, divisor, (oh, ow)


def avg_pool2d(x: object, kernel_size: Size2, stride: Size2 | None = None, padding: Size2 = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> np.ndarray:
    """torch.nn.functional.avg_pool2d: window sum / divisor.

    Divisor (ATen avg_pool2d): ``divisor_override`` if given; else with
    ``count_include_pad`` the window size clipped to the *padded* input (a ceil-mode edge
    window past the right padding counts only up to it); else the number of real inputs.
    """
    arr = as_float_array(x, "x")
    _spatial(arr.shape)
    mh, mw, divisor, _ = _avg_setup(arr.shape, kernel_size, stride, padding, ceil_mode,
                                    count_include_pad, divisor_override)
    sums = np.einsum("ih,...hw,jw->...ij", mh, arr, mw)
    out: np.ndarray = sums / divisor
    return out


def avg_pool2d_backward(grad_output: object, input_shape: Sequence[int], kernel_size: Size2,
                        stride: Size2 | None = None, padding: Size2 = 0, ceil_mode: bool = False,
                        count_include_pad: bool = True, divisor_override: int | None = None
                        ) -> np.ndarray:
    """Gradient of avg_pool2d: each input gets ``sum over windows containing it of g / divisor``.

    Padding positions receive nothing (ATen avg_pool2d_backward).
    """
    shape = tuple(as_int(v, "input_shape") for v in input_shape)
    _spatial(shape)
    mh, mw, divisor, out = _avg_setup(shape, kernel_size, stride, padding, ceil_mode,
                                      count_include_pad, divisor_override)
    g = _check_grad(grad_output, shape[:-2], out)
    grad: np.ndarray = np.einsum("ih,...ij,jw->...hw", mh, g / divisor, mw)
    return grad


# ---------------------------------------------------------------- adaptive average pooling

def adaptive_pool_bounds(input_size: int, output_size: int) -> list[tuple[int, int]]:
    """Windows ``[floor(i*In/Out), ceil((i+1)*In/Out))`` of AdaptiveAvgPool (ATen start_index,
    end_index)."""
    n, m = as_int(input_size, "input_size"), as_int(output_size, "output_size")
    return [((i * n) // m, -((-(i + 1) * n) // m)) for i in range(m)]


def _adaptive_axis(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Membership matrix (m, n) and window lengths."""
    mat = np.zeros((m, n), dtype=np.float64)
    length = np.ones(m, dtype=np.float64)
    for i, (lo, hi) in enumerate(adaptive_pool_bounds(n, m)):
        mat[i, lo:hi] = 1.0
        length[i] = hi - lo
    return mat, length


def _adaptive_shape(shape: tuple[int, ...], output_size: int | None | Sequence[int | None]
                    ) -> tuple[int, int]:
    if len(shape) < 2:
        raise SolverError(f"expected an array of shape (..., H, W), got shape {shape}")
    return adaptive_avg_pool2d_output_size(shape[-2:], output_size)


def adaptive_avg_pool2d(x: object, output_size: int | None | Sequence[int | None]) -> np.ndarray:
    """torch.nn.functional.adaptive_avg_pool2d: mean over ``[floor(i*In/Out), ceil((i+1)*In/Out))``.

    A (1, 1) output is ``x.mean((-1, -2))`` as in ATen, so an empty input gives NaN.
    """
    arr = as_float_array(x, "x")
    oh, ow = _adaptive_shape(arr.shape, output_size)
    h, w = arr.shape[-2:]
    if h * w == 0:  # only reachable for a (1, 1) output
        return np.full((*arr.shape[:-2], 1, 1), np.nan)
    mh, lh = _adaptive_axis(h, oh)
    mw, lw = _adaptive_axis(w, ow)
    out: np.ndarray = np.einsum("ih,...hw,jw->...ij", mh, arr, mw) / np.outer(lh, lw)
    return out


def adaptive_avg_pool2d_backward(grad_output: object, input_shape: Sequence[int],
                                 output_size: int | None | Sequence[int | None]) -> np.ndarray:
    """Gradient of adaptive_avg_pool2d: ``g / window size`` spread over each (overlapping) window.

    Like ATen's adaptive_avg_pool2d_backward it rejects a grad_output with an empty spatial
    dim (an output size of 0), although the forward pass accepts it.
    """
    shape = tuple(as_int(v, "input_shape") for v in input_shape)
    oh, ow = _adaptive_shape(shape, output_size)
    g = _check_grad(grad_output, shape[:-2], (oh, ow))
    if oh == 0 or ow == 0:
        raise SolverError("adaptive_avg_pool2d_backward(): Expected grad_output to have non-zero "
                          f"size for non-batch dimensions, got {g.shape}")
    h, w = shape[-2:]
    if h * w == 0:
        return np.zeros(shape)
    mh, lh = _adaptive_axis(h, oh)
    mw, lw = _adaptive_axis(w, ow)
    grad: np.ndarray = np.einsum("ih,...ij,jw->...hw", mh, g / np.outer(lh, lw), mw)
    return grad
