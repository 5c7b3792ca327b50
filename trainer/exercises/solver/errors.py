"""The one exception type of the solver."""

from __future__ import annotations

__all__ = ["SolverError"]


class SolverError(ValueError):
    """An invalid layer configuration: raised exactly where PyTorch 2.13 (CPU) raises.

    PyTorch signals these cases with ``RuntimeError`` (ATen ``TORCH_CHECK``) or
    ``ValueError`` (``torch.nn`` constructors); the solver uses this single
    ``ValueError`` subclass and says why in the message.
    """
