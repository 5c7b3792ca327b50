"""Optimizer steps (SGD, Adam, AdamW) and learning-rate schedules (PyTorch 2.13, CPU).

The update rules follow ``torch/optim/sgd.py`` (``_single_tensor_sgd``) and
``torch/optim/adam.py`` (``_single_tensor_adam``; AdamW is Adam with
``decoupled_weight_decay=True``), in the same order of operations, in float64.  The
schedules are the closed forms (``_get_closed_form_lr``) of ``torch.optim.lr_scheduler``;
the value at step ``t`` is ``scheduler.get_last_lr()[0]`` after ``t`` calls of
``scheduler.step()`` (``t = 0``: right after construction).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ._args import as_int
from .errors import SolverError

__all__ = [
    "AdamStep",
    "SGDStep",
    "adam_steps",
    "multistep_lr",
    "OneCyclePhase",
    "one_cycle_lr",
    "one_cycle_phase",
    "sgd_steps",
    "step_lr",
    "warmup_cosine_lr",
]


class SGDStep(NamedTuple):
    """One ``optimizer.step()`` of SGD: the quantities of the torch.optim.SGD algorithm."""

    grad: np.ndarray  # g_t as given
    decayed: np.ndarray  # g_t + λ θ_{t-1} (equal to ``grad`` when λ = 0)
    buffer: np.ndarray | None  # b_t (None without momentum)
    direction: np.ndarray  # what is multiplied by lr: b_t, g_t + μ b_t (Nesterov) or g_t
    param: np.ndarray  # θ_t


class AdamStep(NamedTuple):
    """One ``optimizer.step()`` of Adam/AdamW: the quantities of the torch.optim.Adam docs."""

    grad: np.ndarray  # g_t as given
    decayed_param: np.ndarray  # θ after AdamW's θ(1 - lr λ); θ_{t-1} for Adam
    used_grad: np.ndarray  # g_t + λ θ_{t-1} for Adam with weight decay, else g_t
    exp_avg: np.ndarray  # m_t
    exp_avg_sq: np.ndarray  # v_t
    bias_correction1: float  # 1 - β1^t
    bias_correction2: float  # 1 - β2^t
    m_hat: np.ndarray
    v_hat: np.ndarray
    param: np.ndarray  # θ_t


def _vectors(param: Sequence[float], grads: Sequence[Sequence[float]]
             ) -> tuple[np.ndarray, list[np.ndarray]]:
    theta = np.asarray(param, dtype=np.float64)
    if theta.ndim != 1 or theta.size == 0:
        raise SolverError(f"the parameter must be a non-empty vector, got shape {theta.shape}")
    if len(grads) == 0:
        raise SolverError("at least one gradient (one step) is needed")
    out = []
    for g in grads:
        g = np.asarray(g, dtype=np.float64)
        if g.shape != theta.shape:  # torch: "assigned grad has data of a different size"
            raise SolverError(f"assigned grad has data of a different size: {g.shape} for a "
                              f"parameter of shape {theta.shape}")
        out.append(g)
    return theta, out


def sgd_steps(param: Sequence[float], grads: Sequence[Sequence[float]], lr: float,
              momentum: float = 0.0, dampening: float = 0.0, weight_decay: float = 0.0,
              nesterov: bool = False) -> list[SGDStep]:
    """torch.optim.SGD: g ← g + λθ; b ← g (first step) else μb + (1 − τ)g; d = g + μb
    (Nesterov) or b; θ ← θ − lr·d.  One entry per gradient (per ``step()``)."""
    if lr < 0.0:
        raise SolverError(f"Invalid learning rate: {lr}")
    if momentum < 0.0:
        raise SolverError(f"Invalid momentum value: {momentum}")
    if weight_decay < 0.0:
        raise SolverError(f"Invalid weight_decay value: {weight_decay}")
    if nesterov and (momentum <= 0 or dampening != 0):
        raise SolverError("Nesterov momentum requires a momentum and zero dampening")
    theta, gs = _vectors(param, grads)
    buf: np.ndarray | None = None
    steps = []
    for g in gs:
        d = g + weight_decay * theta if weight_decay != 0 else g
        decayed = d
        if momentum != 0:
            buf = d.copy() if buf is None else buf * momentum + (1 - dampening) * d
            d = d + momentum * buf if nesterov else buf
        theta = theta - lr * d
        steps.append(SGDStep(g, decayed, None if buf is None else buf.copy(), d, theta))
    return steps


def adam_steps(param: Sequence[float], grads: Sequence[Sequence[float]], lr: float = 1e-3,
               betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
               weight_decay: float = 0.0, decoupled: bool = False) -> list[AdamStep]:
    """torch.optim.Adam (``decoupled=True``: AdamW, θ ← θ(1 − lr·λ) first): m ← β1 m + (1 − β1)g,
    v ← β2 v + (1 − β2)g², θ ← θ − lr·m̂/(√v̂ + ε) with m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t)."""
    b1, b2 = betas
    if not 0.0 <= lr:
        raise SolverError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise SolverError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= b1 < 1.0:
        raise SolverError(f"Invalid beta parameter at index 0: {b1}")
    if not 0.0 <= b2 < 1.0:
        raise SolverError(f"Invalid beta parameter at index 1: {b2}")
    if not 0.0 <= weight_decay:
        raise SolverError(f"Invalid weight_decay value: {weight_decay}")
    theta, gs = _vectors(param, grads)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    steps = []
    for t, g in enumerate(gs, start=1):
        used = g
        if weight_decay != 0:
            if decoupled:
                theta = theta * (1 - lr * weight_decay)
            else:
                used = g + weight_decay * theta
        decayed = theta
        m = m + (1 - b1) * (used - m)  # torch: exp_avg.lerp_(grad, 1 - beta1)
        v = v * b2 + (1 - b2) * used * used
        bc1, bc2 = 1 - b1**t, 1 - b2**t
        denom = np.sqrt(v) / math.sqrt(bc2) + eps
        theta = theta - (lr / bc1) * (m / denom)
        steps.append(AdamStep(g, decayed, used, m, v, bc1, bc2, m / bc1, v / bc2, theta))
    return steps


# ------------------------------------------------------------------------ schedules

def _step(t: int) -> int:
    t = as_int(t, "t")
    if t < 0:
        raise SolverError(f"the step count t must be >= 0, got {t}")
    return t


def step_lr(base_lr: float, step_size: int, gamma: float, t: int) -> float:
    """StepLR: ``base_lr · γ^⌊t / step_size⌋`` (its ``_get_closed_form_lr``)."""
    step_size = as_int(step_size, "step_size")
    if step_size < 1:  # torch divides by it (ZeroDivisionError) from the first step on
        raise SolverError(f"step_size must be a positive integer, got {step_size}")
    return base_lr * gamma ** (_step(t) // step_size)


def multistep_lr(base_lr: float, milestones: Sequence[int], gamma: float, t: int) -> float:
    """MultiStepLR: ``base_lr · γ^(number of milestones ≤ t)`` (``bisect_right``)."""
    return base_lr * gamma ** bisect_right(sorted(as_int(m, "milestone") for m in milestones),
                                           _step(t))


def warmup_cosine_lr(base_lr: float, warmup: int, start_factor: float, t_max: int,
                     eta_min: float, t: int) -> float:
    """SequentialLR([LinearLR(start_factor, total_iters=warmup), CosineAnnealingLR(T_max,
    eta_min)], milestones=[warmup]): linear factor for t < warmup, then
    ``η_min + (base − η_min)(1 + cos(π(t − warmup)/T_max))/2``."""
    warmup, t_max, t = as_int(warmup, "warmup"), as_int(t_max, "T_max"), _step(t)
    if start_factor > 1.0 or start_factor <= 0:
        raise SolverError("Starting multiplicative factor expected to be greater than 0 and "
                          "less or equal to 1.")
    if warmup < 1:
        raise SolverError(f"the warm-up length (LinearLR total_iters) must be >= 1, got {warmup}")
    if t_max < 1:
        raise SolverError(f"T_max must be a positive integer, got {t_max}")
    if t < warmup:
        return base_lr * (start_factor + (1.0 - start_factor) * t / warmup)
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * (t - warmup) / t_max)) / 2


class OneCyclePhase(NamedTuple):
    """Where step ``t`` falls in OneCycleLR: the phase's step range, its two lrs, and pct."""

    index: int  # 0: warm-up to max_lr; 1 (2): annealing (three_phase: back down, then to min)
    start_step: float
    end_step: float
    start_lr: float
    end_lr: float
    pct: float


def one_cycle_phase(max_lr: float, total_steps: int, t: int, pct_start: float = 0.3,
                    div_factor: float = 25.0, final_div_factor: float = 1e4,
                    three_phase: bool = False) -> OneCyclePhase:
    """The phase of OneCycleLR that step ``t`` falls in (the loop of its ``get_lr``)."""
    total_steps, t = as_int(total_steps, "total_steps"), _step(t)
    if total_steps <= 0:
        raise SolverError(f"Expected positive integer total_steps, but got {total_steps}")
    if isinstance(pct_start, bool) or not isinstance(pct_start, float) or \
            not 0 <= pct_start <= 1:
        raise SolverError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
    if t > total_steps:
        raise SolverError(f"Tried to step {t} times. The specified number of total steps is "
                          f"{total_steps}")
    initial = max_lr / div_factor
    lrs = {"initial_lr": initial, "max_lr": max_lr, "min_lr": initial / final_div_factor}
    phases = [(float(pct_start * total_steps) - 1, "initial_lr", "max_lr")]
    if three_phase:
        phases.append((float(2 * pct_start * total_steps) - 2, "max_lr", "initial_lr"))
        phases.append((float(total_steps - 1), "initial_lr", "min_lr"))
    else:
        phases.append((float(total_steps - 1), "max_lr", "min_lr"))
    start = 0.0
    for i, (end, lo, hi) in enumerate(phases):
        if t <= end or i == len(phases) - 1:
            if end == start:  # torch: ZeroDivisionError in (t - start) / (end - start)
                raise SolverError("OneCycleLR divides by zero: phase "
                                  f"{i + 1} has length 0 (pct_start · total_steps = "
                                  f"{pct_start * total_steps:g})")
            return OneCyclePhase(i, start, end, lrs[lo], lrs[hi], (t - start) / (end - start))
        start = end
    raise AssertionError("unreachable: the last phase always matches")


def one_cycle_lr(max_lr: float, total_steps: int, t: int, pct_start: float = 0.3,
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False) -> float:
    """OneCycleLR, anneal_strategy='cos': ``end + (start − end)/2 · (1 + cos(π·pct))`` in the
    phase of step t; it starts at max_lr/div_factor and ends at that / final_div_factor."""
    for earlier in range(_step(t)):  # torch computes every step before t: a 0/0 there raises
        one_cycle_phase(max_lr, total_steps, earlier, pct_start, div_factor, final_div_factor,
                        three_phase)
    phase = one_cycle_phase(max_lr, total_steps, t, pct_start, div_factor, final_div_factor,
                            three_phase)
    cos_out = math.cos(math.pi * phase.pct) + 1
    return phase.end_lr + (phase.start_lr - phase.end_lr) / 2.0 * cos_out
