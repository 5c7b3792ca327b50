"""Upsample values (nearest, nearest-exact, bilinear) and transposed-convolution values.

Interpolation mirrors ``torch.nn.functional.interpolate`` on the last two axes of an
``(..., H, W)`` array (PyTorch 2.13 CPU kernels, ``aten/src/ATen/native/UpSample.h``),
including its float32 index arithmetic for the nearest modes.  Supported modes:
``'nearest'``, ``'nearest-exact'`` and ``'bilinear'`` (no antialias, no bicubic/area).

Transposed convolution (``F.conv_transpose2d``) supports stride, padding, dilation,
output_padding, bias and ``(C_in, C_out)`` channels, ``groups = 1`` only; inputs are
``(H, W)`` with a ``(kh, kw)`` kernel, ``(C_in, H, W)`` or ``(N, C_in, H, W)`` with a
``(C_in, C_out, kh, kw)`` weight (torch's layout).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._args import as_float_array, as_pair, scale_pair
from .errors import SolverError
from .sizes import conv_transpose2d_output_size, upsample_output_size

__all__ = [
    "bilinear_source_indices",
    "conv_transpose2d",
    "conv_transpose2d_scatter",
    "conv_transpose2d_zero_insertion",
    "interpolate",
    "nearest_source_indices",
    "upsample_bilinear",
    "upsample_nearest",
]

_MODES = ("nearest", "nearest-exact", "bilinear")


def nearest_source_indices(input_size: int, output_size: int, scale_factor: float | None = None,
                           exact: bool = False, small_output: bool = True) -> np.ndarray:
    """Source index of every output position for mode 'nearest' (or 'nearest-exact').

    ATen has two CPU kernels and picks one per call (``_use_vectorized_kernel_cond_2d``):
    when ``H_out + W_out <= 128`` (``small_output``; or channels-last with C > 3) the
    vectorized kernel uses ``nearest_idx``: identity for equal sizes, ``i >> 1`` when
    doubling, else ``floorf(i * scale)`` in *float32* with ``scale = float(1/scale_factor)``
    or ``float(In)/Out`` (nearest-exact: ``floorf((i + 0.5) * scale)``).  Larger outputs
    go through the generic kernel, which computes ``scale`` in double: ``floorf(scale * i)``
    (nearest-exact: ``floorf(max(scale*(i+0.5) - 0.5, 0) + 0.5)``).  The two can differ by
    one where ``i * In / Out`` is an integer.  Indices are clamped to ``In - 1``.
    """
    i = np.arange(output_size)
    given = scale_factor is not None and scale_factor > 0
    if small_output:
        if not exact:
            if output_size == input_size:
                return i
            if output_size == 2 * input_size:
                return i >> 1
        if given:
            scale32 = np.float32(1.0 / scale_factor)  # type: ignore[operator]
        else:
            scale32 = np.float32(input_size) / np.float32(output_size)
        if exact:
            # (int64 + 0.5) is a double, times the float scale -> double, floorf's float cast
            real = ((i + 0.5) * np.float64(scale32)).astype(np.float32)
        else:
            real = i.astype(np.float32) * scale32  # int64 * float: float arithmetic
    else:
        scale = 1.0 / scale_factor if given else input_size / output_size  # type: ignore[operator]
        if exact:
            real = (np.maximum(scale * (i + 0.5) - 0.5, 0.0) + 0.5).astype(np.float32)
        else:
            real = (scale * i).astype(np.float32)
    return np.minimum(np.floor(real).astype(np.int64), input_size - 1)


def bilinear_source_indices(input_size: int, output_size: int, align_corners: bool,
                            scale_factor: float | None = None
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(i0, i1, lambda0, lambda1) per output position, ATen ``compute_source_index_and_lambda``.

    ``scale = (In-1)/(Out-1)`` (align_corners, 0 if Out == 1) or ``1/scale_factor`` or
    ``In/Out``; source ``x = scale*i`` (align_corners) or ``max(scale*(i+0.5) - 0.5, 0)``;
    ``i0 = min(floorf(x), In-1)`` (the floor goes through float32), ``lambda1 =
    clamp(x - i0, 0, 1)``, ``i1 = min(i0 + 1, In - 1)``.  Equal sizes copy.
    """
    i = np.arange(output_size)
    if output_size == input_size:
        return i, i.copy(), np.ones(output_size), np.zeros(output_size)
    if align_corners:
        scale = (input_size - 1) / (output_size - 1) if output_size > 1 else 0.0
        real = scale * i.astype(np.float64)
    else:
        if scale_factor is not None and scale_factor > 0:
            scale = 1.0 / scale_factor
        else:
            scale = input_size / output_size
        real = np.maximum(scale * (i + 0.5) - 0.5, 0.0)
    i0 = np.minimum(np.floor(real.astype(np.float32)).astype(np.int64), input_size - 1)
    lam1 = np.clip(real - i0, 0.0, 1.0)
    i1 = np.where(i0 < input_size - 1, i0 + 1, i0)
    return i0, i1, 1.0 - lam1, lam1


def interpolate(x: object, size: int | Sequence[int] | None = None,
                scale_factor: float | Sequence[float] | None = None, mode: str = "nearest",
                align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None) -> np.ndarray:
    """torch.nn.functional.interpolate for 2-D spatial data (modes nearest/nearest-exact/bilinear).

    Output size ``int(H * scale_factor)`` or ``size``; with a scale factor (and
    ``recompute_scale_factor`` not True) the *given* factor drives the source-index
    computation (``src = dst / scale_factor``), otherwise ``In/Out`` does.  The array is
    treated as a contiguous (N, C, H, W) tensor; see :func:`nearest_source_indices` for the
    output-size-dependent kernel choice of the nearest modes.
    """
    if mode not in _MODES:
        raise SolverError(f"mode must be one of {_MODES} (the solver's subset), got {mode!r}")
    if mode != "bilinear":
        if align_corners is not None:
            raise SolverError("align_corners option can only be set with the interpolating "
                              "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    arr = as_float_array(x, "x")
    if arr.ndim < 2:
        raise SolverError(f"expected an array of shape (..., H, W), got shape {arr.shape}")
    h, w = arr.shape[-2:]
    oh, ow = upsample_output_size((h, w), size, scale_factor, recompute_scale_factor)
    if scale_factor is not None and not recompute_scale_factor:
        sh, sw = scale_pair(scale_factor)
        scales: tuple[float | None, float | None] = (sh, sw)
    else:
        scales = (None, None)
    if mode == "bilinear":
        assert align_corners is not None
        h0, h1, a0, a1 = bilinear_source_indices(h, oh, align_corners, scales[0])
        w0, w1, b0, b1 = bilinear_source_indices(w, ow, align_corners, scales[1])
        r0 = arr[..., h0, :]
        r1 = arr[..., h1, :]
        top = r0[..., w0] * b0 + r0[..., w1] * b1
        bottom = r1[..., w0] * b0 + r1[..., w1] * b1
        result: np.ndarray = top * a0[:, None] + bottom * a1[:, None]
        return result
    exact = mode == "nearest-exact"
    small = oh + ow <= 128  # ATen's kernel choice for contiguous (N, C, H, W) data
    ih = nearest_source_indices(h, oh, scales[0], exact, small)
    iw = nearest_source_indices(w, ow, scales[1], exact, small)
    return arr[..., ih[:, None], iw[None, :]]


def upsample_nearest(x: object, size: int | Sequence[int] | None = None,
                     scale_factor: float | Sequence[float] | None = None,
                     recompute_scale_factor: bool | None = None, exact: bool = False
                     ) -> np.ndarray:
    """torch.nn.Upsample(mode='nearest') (or 'nearest-exact' with ``exact=True``)."""
    return interpolate(x, size, scale_factor, "nearest-exact" if exact else "nearest", None,
                       recompute_scale_factor)


def upsample_bilinear(x: object, size: int | Sequence[int] | None = None,
                      scale_factor: float | Sequence[float] | None = None,
                      align_corners: bool = False,
                      recompute_scale_factor: bool | None = None) -> np.ndarray:
    """torch.nn.Upsample(mode='bilinear', align_corners=...)."""
    return interpolate(x, size, scale_factor, "bilinear", align_corners, recompute_scale_factor)


# ---------------------------------------------------------------- transposed convolution

class _ConvT:
    def __init__(self, x: object, weight: object, bias: object, stride: object, padding: object,
                 output_padding: object, dilation: object) -> None:
        xa = as_float_array(x, "x")
        wa = as_float_array(weight, "weight")
        if xa.ndim == 2 and wa.ndim == 2:
            self.drop = 2
            xa, wa = xa[None, None], wa[None, None]
        elif xa.ndim == 3 and wa.ndim == 4:
            self.drop = 1
            xa = xa[None]
        elif xa.ndim == 4 and wa.ndim == 4:
            self.drop = 0
        else:
            raise SolverError(f"unsupported shapes: x {xa.shape}, weight {wa.shape} (use (H, W) "
                              "with (kh, kw), or (C_in, H, W)/(N, C_in, H, W) with "
                              "(C_in, C_out, kh, kw))")
        if wa.shape[0] != xa.shape[1]:
            raise SolverError(f"weight of shape {wa.shape} expects {wa.shape[0]} input channels, "
                              f"got {xa.shape[1]}")
        self.cout = int(wa.shape[1])
        self.k = (int(wa.shape[2]), int(wa.shape[3]))
        self.s = as_pair(stride, "stride")
        self.p = as_pair(padding, "padding")
        self.op = as_pair(output_padding, "output_padding")
        self.d = as_pair(dilation, "dilation")
        self.out = conv_transpose2d_output_size(
            xa.shape[2:], self.k, self.s, self.p, self.op, self.d,
            in_channels=int(xa.shape[1]), out_channels=self.cout)
        if bias is not None:
            ba = as_float_array(bias, "bias")
            if ba.shape != (self.cout,):
                raise SolverError(f"bias must have shape ({self.cout},), got {ba.shape}")
            self.bias: np.ndarray | None = ba
        else:
            self.bias = None
        self.x, self.w = xa, wa

    def finish(self, out: np.ndarray) -> np.ndarray:
        if self.bias is not None:
            out = out + self.bias[None, :, None, None]
        if self.drop == 2:
            out = out[0, 0]
        elif self.drop == 1:
            out = out[0]
        return out


def _pad_or_crop(a: np.ndarray, axis: int, before: int, after: int) -> np.ndarray:
    n = a.shape[axis]
    lo = max(-before, 0)
    hi = n - max(-after, 0)
    a = np.take(a, np.arange(lo, hi), axis=axis)
    widths = [(0, 0)] * a.ndim
    widths[axis] = (max(before, 0), max(after, 0))
    return np.pad(a, widths)


def conv_transpose2d_zero_insertion(x: object, weight: object, bias: object = None,
                                    stride: int | Sequence[int] = 1,
                                    padding: int | Sequence[int] = 0,
                                    output_padding: int | Sequence[int] = 0,
                                    dilation: int | Sequence[int] = 1) -> np.ndarray:
    """F.conv_transpose2d by the textbook recipe (Dumoulin & Visin 2016, section 4).

    Insert ``s-1`` zeros between inputs, pad ``d(k-1) - p`` on each side (negative =
    crop) plus ``output_padding`` at the bottom/right, then a stride-1 cross-correlation
    (dilation ``d``) with the spatially flipped kernel, weight transposed to (C_out, C_in).
    """
    ct = _ConvT(x, weight, bias, stride, padding, output_padding, dilation)
    xa, (sh, sw), (kh, kw), (dh, dw) = ct.x, ct.s, ct.k, ct.d
    n, c, h, w = xa.shape
    up = np.zeros((n, c, (h - 1) * sh + 1, (w - 1) * sw + 1))
    up[:, :, ::sh, ::sw] = xa
    pad_h = dh * (kh - 1) - ct.p[0]
    pad_w = dw * (kw - 1) - ct.p[1]
    up = _pad_or_crop(up, 2, pad_h, pad_h + ct.op[0])
    up = _pad_or_crop(up, 3, pad_w, pad_w + ct.op[1])
    flipped = ct.w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C_out, C_in, kh, kw)
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    windows = sliding_window_view(up, span, axis=(2, 3))[..., ::dh, ::dw]
    out = np.einsum("nchwij,ocij->nohw", windows, flipped)
    assert out.shape[2:] == ct.out
    return ct.finish(out)


def conv_transpose2d_scatter(x: object, weight: object, bias: object = None,
                             stride: int | Sequence[int] = 1, padding: int | Sequence[int] = 0,
                             output_padding: int | Sequence[int] = 0,
                             dilation: int | Sequence[int] = 1) -> np.ndarray:
    """F.conv_transpose2d by its definition: input ``(i, j)`` adds ``x * w[t, u]`` to output
    ``(i*s - p + t*d, j*s - p + u*d)``; positions outside ``[0, H_out)`` are dropped (the
    gradient of Conv2d w.r.t. its input, ConvTranspose2d docs)."""
    ct = _ConvT(x, weight, bias, stride, padding, output_padding, dilation)
    xa, (sh, sw), (kh, kw), (dh, dw) = ct.x, ct.s, ct.k, ct.d
    n, _, h, w = xa.shape
    full_h = (h - 1) * sh + dh * (kh - 1) + 1 + ct.op[0]
    full_w = (w - 1) * sw + dw * (kw - 1) + 1 + ct.op[1]
    full = np.zeros((n, ct.cout, full_h, full_w))
    for t in range(kh):
        for u in range(kw):
            contrib = np.einsum("nchw,co->nohw", xa, ct.w[:, :, t, u])
            full[:, :, t * dh: t * dh + (h - 1) * sh + 1: sh,
                 u * dw: u * dw + (w - 1) * sw + 1: sw] += contrib
    ph, pw = ct.p
    out = full[:, :, ph: ph + ct.out[0], pw: pw + ct.out[1]]
    assert out.shape[2:] == ct.out
    return ct.finish(out)


def conv_transpose2d(x: object, weight: object, bias: object = None,
                     stride: int | Sequence[int] = 1, padding: int | Sequence[int] = 0,
                     output_padding: int | Sequence[int] = 0, dilation: int | Sequence[int] = 1,
                     method: str = "scatter") -> np.ndarray:
    """torch.nn.functional.conv_transpose2d (groups=1), by ``method``: 'scatter' (default) or
    'zero_insertion'; both equal torch's output."""
    if method == "scatter":
        return conv_transpose2d_scatter(x, weight, bias, stride, padding, output_padding,
                                        dilation)
    if method == "zero_insertion":
        return conv_transpose2d_zero_insertion(x, weight, bias, stride, padding, output_padding,
                                               dilation)
    raise SolverError(f"method must be 'scatter' or 'zero_insertion', got {method!r}")
