"""Output sizes of convolution, pooling, upsampling and unfold layers (PyTorch 2.13, CPU).

Every function validates its arguments the way PyTorch does and raises
:class:`SolverError` exactly where ``torch.nn`` (constructor or forward pass on a
tensor of that size) raises.  Sizes are spatial only: ``(H_out, W_out)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ._args import as_int, as_pair, as_tuple, check_groups, scale_pair
from .errors import SolverError

__all__ = [
    "adaptive_avg_pool2d_output_size",
    "avg_pool2d_output_size",
    "conv1d_output_size",
    "conv2d_output_size",
    "conv_output_length",
    "conv_transpose2d_output_size",
    "max_pool2d_output_size",
    "pool_output_length",
    "same_padding",
    "unfold_num_blocks",
    "unfold_output_shape",
    "upsample_output_size",
]

_PAD_STRINGS = ("same", "valid")


def conv_output_length(length: int, kernel_size: int, stride: int = 1, padding: int = 0,
                       dilation: int = 1) -> int:
    """``floor((L + 2p - d(k-1) - 1) / s) + 1``, the shape formula of torch.nn.Conv1d/Conv2d docs.

    No validation: may return a value < 1 (see :func:`conv2d_output_size` for the checks).
    """
    return (length + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def pool_output_length(length: int, kernel_size: int, stride: int, padding: int = 0,
                       dilation: int = 1, ceil_mode: bool = False) -> int:
    """ATen ``pooling_output_shape``: floor/ceil of ``(L + 2p - d(k-1) - 1)/s`` plus one.

    In ceil mode the last window is dropped when it would start in the right padding
    (``(out - 1) * s >= L + p``).  No validation.
    """
    numerator = length + 2 * padding - dilation * (kernel_size - 1) - 1
    if ceil_mode:
        numerator += stride - 1
    out = numerator // stride + 1
    if ceil_mode and (out - 1) * stride >= length + padding:
        out -= 1
    return out


def _check_positive(values: tuple[int, ...], what: str) -> None:
    if any(v <= 0 for v in values):
        raise SolverError(f"{what} should be greater than zero, but got {values}")


def _check_input(sizes: tuple[int, ...]) -> None:
    if any(v <= 0 for v in sizes):
        raise SolverError(
            f"input spatial size must be positive (PyTorch accepts only zero batch or zero "
            f"channel empty inputs), got {sizes}"
        )


def _check_conv_channels(in_channels: int, out_channels: int, groups: int) -> None:
    in_channels, out_channels, groups = check_groups(in_channels, out_channels, groups)
    if in_channels < 0 or out_channels < 0:
        raise SolverError(
            f"negative channel count: in_channels={in_channels}, out_channels={out_channels}"
        )
    if out_channels == 0:
        raise SolverError("out_channels must be at least 1 (the weight's dimension 0 is empty)")


def same_padding(kernel_size: int | Sequence[int], dilation: int | Sequence[int] = 1,
                 ndim: int = 2) -> tuple[tuple[int, int], ...]:
    """(left, right) zero padding per spatial dim used by ``padding='same'`` in torch.nn.Conv*d.

    Total ``d(k-1)``; ``left = total // 2``, the extra element (even kernels) goes right,
    as in ``torch.nn.modules.conv._ConvNd.__init__`` (``_reversed_padding_repeated_twice``).
    """
    ks = as_tuple(kernel_size, ndim, "kernel_size")
    ds = as_tuple(dilation, ndim, "dilation")
    out = []
    for k, d in zip(ks, ds, strict=True):
        total = d * (k - 1)
        out.append((total // 2, total - total // 2))
    return tuple(out)


def _conv_nd_output(input_size: object, kernel_size: object, stride: object, padding: object,
                    dilation: object, in_channels: int, out_channels: int, groups: int,
                    ndim: int) -> tuple[int, ...]:
    _check_conv_channels(in_channels, out_channels, groups)
    ks = as_tuple(kernel_size, ndim, "kernel_size")
    ss = as_tuple(stride, ndim, "stride")
    ds = as_tuple(dilation, ndim, "dilation")
    sizes = as_tuple(input_size, ndim, "input_size")
    if isinstance(padding, str):
        if padding not in _PAD_STRINGS:
            raise SolverError(
                f"Invalid padding string {padding!r}, should be one of {_PAD_STRINGS}")
        if padding == "same" and any(s != 1 for s in ss):
            raise SolverError("padding='same' is not supported for strided convolutions")
    if any(k < 0 for k in ks):
        raise SolverError(f"Trying to create a weight with negative dimension: kernel {ks}")
    if any(s <= 0 for s in ss):
        raise SolverError(f"non-positive stride is not supported, got {ss}")
    # ATen skips these three checks for an input with zero channels (in_channels == 0).
    if in_channels != 0:
        _check_positive(ks, "kernel size")
        _check_positive(ds, "dilation")
        _check_input(sizes)
    eff = tuple(d * (k - 1) + 1 for k, d in zip(ks, ds, strict=True))
    if padding == "same":
        padded = tuple(n + e - 1 for n, e in zip(sizes, eff, strict=True))
        ps = None
    else:
        ps = (0,) * ndim if padding == "valid" else as_tuple(padding, ndim, "padding")
        if any(p < 0 for p in ps):
            raise SolverError(f"negative padding is not supported, got {ps}")
        padded = tuple(n + 2 * p for n, p in zip(sizes, ps, strict=True))
    if any(n < e for n, e in zip(padded, eff, strict=True)):
        raise SolverError(
            f"Calculated padded input size per channel: {padded}. Effective kernel size: {eff}. "
            "Kernel size can't be greater than actual input size"
        )
    if ps is None:  # 'same': total padding d(k-1), output = input
        return sizes
    return tuple(
        conv_output_length(n, k, s, p, d)
        for n, k, s, p, d in zip(sizes, ks, ss, ps, ds, strict=True)
    )


def conv1d_output_size(input_length: int, kernel_size: int | Sequence[int],
                       stride: int | Sequence[int] = 1, padding: int | str | Sequence[int] = 0,
                       dilation: int | Sequence[int] = 1, *, in_channels: int = 1,
                       out_channels: int = 1, groups: int = 1) -> int:
    """L_out of torch.nn.Conv1d: ``floor((L + 2p - d(k-1) - 1)/s) + 1`` (Conv1d docs, "Shape").

    ``padding`` may be ``'valid'`` (0) or ``'same'`` (L_out = L, stride must be 1).
    """
    return _conv_nd_output(input_length, kernel_size, stride, padding, dilation,
                           in_channels, out_channels, groups, 1)[0]


def conv2d_output_size(input_size: int | Sequence[int], kernel_size: int | Sequence[int],
                       stride: int | Sequence[int] = 1, padding: int | str | Sequence[int] = 0,
                       dilation: int | Sequence[int] = 1, *, in_channels: int = 1,
                       out_channels: int = 1, groups: int = 1) -> tuple[int, int]:
    """(H_out, W_out) of torch.nn.Conv2d: ``floor((H + 2p - d(k-1) - 1)/s) + 1`` per dim (docs).

    Raises like PyTorch: groups <= 0 or channels not divisible by groups, ``'same'`` with a
    stride != 1, non-positive kernel/stride/dilation, negative padding, empty input,
    out_channels == 0, or an effective kernel ``d(k-1)+1`` larger than the padded input.
    With ``in_channels == 0`` ATen skips the kernel/dilation/empty-input checks; so does this.
    """
    h, w = _conv_nd_output(input_size, kernel_size, stride, padding, dilation,
                           in_channels, out_channels, groups, 2)
    return h, w


def _pool_output(input_size: object, kernel_size: object, stride: object, padding: object,
                 dilation: object, ceil_mode: bool) -> tuple[int, int]:
    ks = as_pair(kernel_size, "kernel_size")
    ss = ks if stride is None or (isinstance(stride, Sequence) and len(stride) == 0) \
        else as_pair(stride, "stride")
    ps = as_pair(padding, "padding")
    ds = as_pair(dilation, "dilation")
    sizes = as_pair(input_size, "input_size")
    if any(s == 0 for s in ss):
        raise SolverError("stride should not be zero")
    if any(p < 0 for p in ps):
        raise SolverError(f"pad must be non-negative, but got pad: {ps}")
    for k, p, d in zip(ks, ps, ds, strict=True):
        # ATen pooling_output_shape (C++ integer division truncates toward zero)
        if p > math.trunc((d * (k - 1) + 1) / 2):
            raise SolverError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}"
            )
    _check_positive(ks, "kernel size")
    _check_positive(ss, "stride")
    _check_positive(ds, "dilation")
    if any(k // 2 < p for k, p in zip(ks, ps, strict=True)):
        raise SolverError(
            f"pad should be smaller than or equal to half of kernel size, but got pad={ps}, "
            f"kernel_size={ks}"
        )
    _check_input(sizes)
    out = tuple(
        pool_output_length(n, k, s, p, d, ceil_mode)
        for n, k, s, p, d in zip(sizes, ks, ss, ps, ds, strict=True)
    )
    if any(o < 1 for o in out):
        raise SolverError(f"Given input size {sizes}, calculated output size {out}: "
                          "Output size is too small")
    return out[0], out[1]


def max_pool2d_output_size(input_size: int | Sequence[int], kernel_size: int | Sequence[int],
                           stride: int | Sequence[int] | None = None,
                           padding: int | Sequence[int] = 0, dilation: int | Sequence[int] = 1,
                           ceil_mode: bool = False) -> tuple[int, int]:
    """(H_out, W_out) of torch.nn.MaxPool2d: ``floor_or_ceil((H + 2p - d(k-1) - 1)/s) + 1``.

    MaxPool2d docs + ATen ``pooling_output_shape``: in ceil mode a window that would start in
    the right padding is dropped.  Needs ``p <= k // 2`` (and ``p <= (d(k-1)+1) // 2``);
    ``stride`` defaults to ``kernel_size``.
    """
    return _pool_output(input_size, kernel_size, stride, padding, dilation, ceil_mode)


def avg_pool2d_output_size(input_size: int | Sequence[int], kernel_size: int | Sequence[int],
                           stride: int | Sequence[int] | None = None,
                           padding: int | Sequence[int] = 0, ceil_mode: bool = False,
                           divisor_override: int | None = None) -> tuple[int, int]:
    """(H_out, W_out) of torch.nn.AvgPool2d: ``floor_or_ceil((H + 2p - k)/s) + 1`` (AvgPool2d docs).

    Same rules as max pooling with dilation 1; ``divisor_override=0`` is rejected as in ATen.
    """
    if divisor_override is not None and as_int(divisor_override, "divisor_override") == 0:
        raise SolverError("divisor must be not zero")
    return _pool_output(input_size, kernel_size, stride, padding, 1, ceil_mode)


def conv_transpose2d_output_size(input_size: int | Sequence[int], kernel_size: int | Sequence[int],
                                 stride: int | Sequence[int] = 1, padding: int | Sequence[int] = 0,
                                 output_padding: int | Sequence[int] = 0,
                                 dilation: int | Sequence[int] = 1, *, in_channels: int = 1,
                                 out_channels: int = 1, groups: int = 1) -> tuple[int, int]:
    """(H_out, W_out) of torch.nn.ConvTranspose2d: ``(H-1)s - 2p + d(k-1) + output_padding + 1``.

    ConvTranspose2d docs; ATen requires ``output_padding < stride or output_padding < dilation``
    in each dim, non-negative padding/output_padding and an output of at least 1.
    String paddings are not accepted (F.conv_transpose2d raises TypeError for them).
    """
    in_channels, out_channels, groups = check_groups(in_channels, out_channels, groups)
    if in_channels < 0 or out_channels < 0:
        raise SolverError(
            f"negative channel count: in_channels={in_channels}, out_channels={out_channels}"
        )
    if in_channels == 0 or out_channels == 0:
        raise SolverError("in_channels and out_channels must be at least 1 "
                          "(non-empty weight tensor expected)")
    if isinstance(padding, str):
        raise SolverError("ConvTranspose2d does not accept string padding")
    ks = as_pair(kernel_size, "kernel_size")
    ss = as_pair(stride, "stride")
    ps = as_pair(padding, "padding")
    ops = as_pair(output_padding, "output_padding")
    ds = as_pair(dilation, "dilation")
    sizes = as_pair(input_size, "input_size")
    _check_positive(ks, "kernel size")
    if any(s <= 0 for s in ss):
        raise SolverError(f"non-positive stride is not supported, got {ss}")
    _check_positive(ds, "dilation")
    if any(p < 0 for p in ps):
        raise SolverError(f"negative padding is not supported, got {ps}")
    if any(op < 0 for op in ops):
        raise SolverError(f"negative output_padding is not supported, got {ops}")
    for op, s, d in zip(ops, ss, ds, strict=True):
        if not (op < s or op < d):
            raise SolverError(
                f"output padding must be smaller than either stride or dilation, but got "
                f"output_padding={ops}, stride={ss}, dilation={ds}"
            )
    _check_input(sizes)
    out = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + op + 1
        for n, k, s, p, op, d in zip(sizes, ks, ss, ps, ops, ds, strict=True)
    )
    if any(o < 1 for o in out):
        raise SolverError(f"Given input size {sizes}, calculated output size {out}: "
                          "Output size is too small")
    return out[0], out[1]


def adaptive_avg_pool2d_output_size(input_size: int | Sequence[int],
                                    output_size: int | None | Sequence[int | None]
                                    ) -> tuple[int, int]:
    """(H_out, W_out) of torch.nn.AdaptiveAvgPool2d: the requested size (``None``: input's).

    AdaptiveAvgPool2d docs; ATen rejects negative sizes and empty inputs, allows 0 outputs,
    and takes a ``mean`` shortcut for a (1, 1) output that accepts even an empty input.
    """
    sizes = as_pair(input_size, "input_size")
    requested: list[object]
    if isinstance(output_size, Sequence):
        requested = list(output_size)
        if len(requested) != 2:
            raise SolverError(f"output_size must have 2 elements, got {output_size!r}")
    else:
        requested = [output_size, output_size]
    out = tuple(n if r is None else as_int(r, "output_size")
                for n, r in zip(sizes, requested, strict=True))
    if any(o < 0 for o in out):
        raise SolverError(
            f"adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 "
            f"but received {out}"
        )
    if out != (1, 1):  # ATen computes a (1, 1) output as input.mean((-1, -2)): no check
        _check_input(sizes)
    return out[0], out[1]


def upsample_output_size(input_size: int | Sequence[int], size: int | Sequence[int] | None = None,
                         scale_factor: float | Sequence[float] | None = None,
                         recompute_scale_factor: bool | None = None) -> tuple[int, int]:
    """(H_out, W_out) of torch.nn.Upsample / F.interpolate on a 4-D input.

    F.interpolate: exactly one of ``size``/``scale_factor``; from a scale factor the size is
    ``int(H * scale)`` (C++ ``compute_output_size``: double product truncated toward zero).
    Sizes must end up >= 1 ("Input and output sizes should be greater than 0").
    """
    sizes = as_pair(input_size, "input_size")
    if size is not None and scale_factor is not None:
        raise SolverError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise SolverError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise SolverError("recompute_scale_factor is not meaningful with an explicit size.")
    if size is not None:
        out = as_pair(size, "size")
    else:
        (h, w), (fh, fw) = sizes, scale_pair(scale_factor)
        out = (_trunc_to_int(h * fh), _trunc_to_int(w * fw))
    if any(n <= 0 for n in sizes) or any(o <= 0 for o in out):
        raise SolverError(
            f"Input and output sizes should be greater than 0, but got input {sizes} "
            f"and output {tuple(out)}"
        )
    return out[0], out[1]


def _trunc_to_int(value: float) -> int:
    if not math.isfinite(value):
        raise SolverError("value cannot be converted to type int64_t without overflow")
    return math.trunc(value)


def unfold_num_blocks(input_size: int | Sequence[int], kernel_size: int | Sequence[int],
                      dilation: int | Sequence[int] = 1, padding: int | Sequence[int] = 0,
                      stride: int | Sequence[int] = 1) -> int:
    """L of torch.nn.Unfold: ``prod_d floor((size_d + 2p_d - d_d(k_d-1) - 1)/s_d) + 1`` (docs).

    Each factor must be >= 1; kernel, stride, dilation > 0 and padding >= 0 as ATen ``im2col``.
    """
    return unfold_output_shape(input_size, kernel_size, dilation, padding, stride)[1]


def unfold_output_shape(input_size: int | Sequence[int], kernel_size: int | Sequence[int],
                        dilation: int | Sequence[int] = 1, padding: int | Sequence[int] = 0,
                        stride: int | Sequence[int] = 1, *, channels: int = 1) -> tuple[int, int]:
    """(C * kh * kw, L) of torch.nn.Unfold on a (N, C, H, W) input (Unfold docs, "Shape")."""
    ks = as_pair(kernel_size, "kernel_size")
    ds = as_pair(dilation, "dilation")
    ps = as_pair(padding, "padding")
    ss = as_pair(stride, "stride")
    sizes = as_pair(input_size, "input_size")
    channels = as_int(channels, "channels")
    _check_positive(ks, "kernel size")
    _check_positive(ds, "dilation")
    if any(p < 0 for p in ps):
        raise SolverError(f"padding should be non-negative, but got {ps}")
    _check_positive(ss, "stride")
    if channels <= 0:
        raise SolverError(f"Expected non-empty input, got {channels} channels")
    _check_input(sizes)
    blocks = tuple(
        conv_output_length(n, k, s, p, d)
        for n, k, s, p, d in zip(sizes, ks, ss, ps, ds, strict=True)
    )
    if any(b < 1 for b in blocks):
        raise SolverError(
            f"Given input with spatial size {sizes}, kernel_size={ks}, dilation={ds}, "
            f"padding={ps}, calculated shape of the array of sliding blocks as {blocks}, "
            "but its components must be at least one."
        )
    return channels * ks[0] * ks[1], blocks[0] * blocks[1]
