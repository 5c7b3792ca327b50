"""Bytes of the training state of a model trained with torch.optim.AdamW.

torch.optim.AdamW keeps two state tensors per parameter, ``exp_avg`` and ``exp_avg_sq``,
created by ``torch.zeros_like(p)`` (so in the parameter's dtype), plus a 0-d ``step``
counter per parameter *tensor* (not per element; left out of these per-parameter counts).

Two conventions (the ZeRO paper, Rajbhandari et al. 2020, counts the second as 2Ψ + 2Ψ + 12Ψ
= 16Ψ bytes for Ψ parameters: 120 GB for its 7.5B-parameter example):

* ``fp32``: fp32 weights (4) + fp32 gradients (4) + fp32 m and v (4 + 4) = 16 bytes/param;
* ``bf16-mixed``: bf16 weights (2) + bf16 gradients (2) + an fp32 master copy of the weights
  (4) that AdamW updates, with fp32 m and v (4 + 4) = 16 bytes/param.  The fp32 gradient the
  master copy is stepped with is transient and not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ._args import as_int
from .errors import SolverError
from .params import linear_params

__all__ = ["DTYPE_BYTES", "PRECISIONS", "MemoryParts", "adamw_training_memory", "mlp_params"]

DTYPE_BYTES = {"float32": 4, "bfloat16": 2}
PRECISIONS = ("fp32", "bf16-mixed")


class MemoryParts(NamedTuple):
    """Bytes of each part of the training state."""

    weights: int
    grads: int
    master: int  # fp32 master weights (0 in pure fp32)
    exp_avg: int
    exp_avg_sq: int

    @property
    def optimizer(self) -> int:
        """What the optimizer holds: master weights and both moments."""
        return self.master + self.exp_avg + self.exp_avg_sq

    @property
    def total(self) -> int:
        return self.weights + self.grads + self.optimizer


def adamw_training_memory(n_params: int, precision: str = "fp32") -> MemoryParts:
    """Weights + gradients + AdamW state for ``n_params`` parameters: 16 bytes each in both
    conventions (fp32: 4+4+4+4; bf16-mixed: 2+2 bf16, then fp32 master 4 + m 4 + v 4)."""
    n = as_int(n_params, "n_params")
    if n < 0:
        raise SolverError(f"Trying to create tensor with negative dimension {n}")
    if n == 0:  # torch.optim.AdamW([]) raises
        raise SolverError("optimizer got an empty parameter list")
    if precision == "fp32":
        return MemoryParts(4 * n, 4 * n, 0, 4 * n, 4 * n)
    if precision == "bf16-mixed":
        return MemoryParts(2 * n, 2 * n, 4 * n, 4 * n, 4 * n)
    raise SolverError(f"precision must be one of {list(PRECISIONS)}, got {precision!r}")


def mlp_params(widths: Sequence[int], bias: bool = True) -> int:
    """Parameters of ``nn.Sequential(nn.Linear(w0, w1), act, nn.Linear(w1, w2), ...)``."""
    if len(widths) < 2:
        raise SolverError("an MLP needs at least an input and an output width")
    return sum(linear_params(a, b, bias) for a, b in zip(widths[:-1], widths[1:], strict=False))
