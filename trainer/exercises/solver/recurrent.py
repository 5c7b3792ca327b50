"""Parameter counts of nn.RNN, nn.LSTM and nn.GRU (PyTorch 2.13, ``RNNBase.__init__``).

Per layer and direction torch creates ``weight_ih (G·H, I_l)``, ``weight_hh (G·H, R)``,
``bias_ih (G·H)``, ``bias_hh (G·H)`` and, for an LSTM with ``proj_size = P > 0``,
``weight_hr (P, H)``; ``G`` = 1 (RNN), 3 (GRU), 4 (LSTM), ``R = P or H``, and
``I_l = input_size`` for layer 0, ``R · num_directions`` above it.
"""

from __future__ import annotations

from typing import NamedTuple

from .errors import SolverError

__all__ = ["GATES", "RNNLayerCount", "rnn_layer_counts", "rnn_params"]

GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


class RNNLayerCount(NamedTuple):
    """The parameters of one layer in one direction."""

    layer: int
    direction: int  # 0 forward, 1 reverse
    input_size: int  # I_l
    weight_ih: int
    weight_hh: int
    biases: int  # bias_ih + bias_hh
    weight_hr: int

    @property
    def total(self) -> int:
        return self.weight_ih + self.weight_hh + self.biases + self.weight_hr


def rnn_layer_counts(mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                     bias: bool = True, bidirectional: bool = False,
                     proj_size: int | None = None) -> list[RNNLayerCount]:
    """Each layer/direction's tensors as ``RNNBase.__init__`` creates them, with its checks
    (``proj_size`` given to RNN/GRU at all, or ``proj_size >= hidden_size``, is refused)."""
    if mode not in GATES:
        raise SolverError(f"mode must be one of {list(GATES)}, got {mode!r}")
    if mode != "LSTM" and proj_size is not None:
        raise SolverError("proj_size argument is only supported for LSTM, not RNN or GRU")
    proj = 0 if proj_size is None else proj_size
    if not isinstance(bias, bool):
        raise SolverError(f"bias should be of type bool, got: {type(bias).__name__}")
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SolverError(f"{name} should be of type int, got: {type(value).__name__}")
        if value <= 0:
            raise SolverError(f"{name} must be greater than zero")
    if isinstance(num_layers, bool) or not isinstance(num_layers, int):
        raise SolverError(f"num_layers must be an integer, got {num_layers!r}")
    if num_layers <= 0:
        raise SolverError("num_layers must be greater than zero")
    if isinstance(proj, bool) or not isinstance(proj, int):
        raise SolverError(f"proj_size must be an integer, got {proj!r}")
    if proj < 0:
        raise SolverError("proj_size should be a positive integer or zero to disable projections")
    if proj >= hidden_size:
        raise SolverError("proj_size has to be smaller than hidden_size")
    gates = GATES[mode] * hidden_size
    real = proj if proj > 0 else hidden_size
    directions = 2 if bidirectional else 1
    counts = []
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else real * directions
        for direction in range(directions):
            counts.append(RNNLayerCount(layer, direction, layer_input, gates * layer_input,
                                        gates * real, 2 * gates if bias else 0,
                                        proj * hidden_size))
    return counts


def rnn_params(mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
               bias: bool = True, bidirectional: bool = False,
               proj_size: int | None = None) -> int:
    """Total learnable parameters: ``sum(p.numel() for p in module.parameters())``."""
    return sum(c.total for c in rnn_layer_counts(mode, input_size, hidden_size, num_layers,
                                                 bias, bidirectional, proj_size))
