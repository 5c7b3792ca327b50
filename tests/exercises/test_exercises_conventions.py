"""Prompts state the convention their answer rests on, and the convention is PyTorch's.

Issue 15 §6: max-pool ties and padding, average-pool divisors in ceil mode, legacy
``'nearest'``, BatchNorm's two variances, ratios to 3 significant digits, level-1 transposed
convolutions that upsample, and 跳距 for "jump". torch is the oracle (skipped without it,
a failure under CI=true, as in test_exercises_torch.py).
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from tests.helpers import require_torch
from trainer.exercises.base import Instance
from trainer.exercises.families import FAMILIES

SEEDS = range(1000)


@functools.cache
def generated(name: str, level: int) -> tuple[Instance, ...]:
    family = FAMILIES[name]
    return tuple(family.generate(level, seed) for seed in SEEDS)


# ------------------------------------------------------------------ max-pool backward, L3

def test_maxpool_level_3_states_the_tie_and_padding_rules():
    padded = 0
    for inst in generated("maxpool-backward", 3):
        en, zh = inst.prompt["en"], inst.prompt["zh"]
        assert "first maximum in row-major order" in en, inst.seed
        assert "按行优先顺序" in zh and "第一个最大值" in zh, inst.seed
        if inst.params["padding"]:
            padded += 1
            assert "Padding counts as $-\\infty$" in en, inst.seed
            assert "padding 位置视为 $-\\infty$" in zh, inst.seed
        else:
            assert "infty" not in en, inst.seed
    assert padded > 100  # the padding sentence is exercised


def test_the_stated_max_pool_rules_are_torchs():
    torch = require_torch()
    # a tie: the first maximum in row-major order (row 0, column 1) takes the gradient
    x = torch.tensor([[[[1.0, 3.0], [3.0, 3.0]]]], requires_grad=True)
    torch.nn.functional.max_pool2d(x, 2).sum().backward()
    assert x.grad[0, 0].tolist() == [[0.0, 1.0], [0.0, 0.0]]
    # padding is -inf: an all-negative input still gives its own maximum, never 0
    y = torch.nn.functional.max_pool2d(torch.full((1, 1, 2, 2), -5.0), 2, 2, padding=1)
    assert y.flatten().tolist() == [-5.0] * 4


# ------------------------------------------------------------------ avg-pool backward, L3

def _stated_divisors(p: dict[str, Any], out: tuple[int, int]) -> np.ndarray:
    """The divisor of every window by the prompt's rule: the window clipped to the padded
    input (count_include_pad=True), or the number of real inputs in it (False)."""
    n_h, n_w = p["input_size"]
    k, s, pad = p["kernel"], p["stride"], p["padding"]
    divisors = np.zeros(out)
    for i in range(out[0]):
        for j in range(out[1]):
            spans = []
            for index, n in ((i, n_h), (j, n_w)):
                start = index * s - pad
                low, high = (-pad, n + pad) if p["count_include_pad"] else (0, n)
                spans.append(min(start + k, high) - max(start, low))
            divisors[i, j] = spans[0] * spans[1]
    return divisors


def test_avgpool_level_3_states_the_divisor_rule_and_torch_agrees():
    torch = require_torch()
    clipped = excluded = 0
    for inst in generated("avgpool-backward", 3)[:300]:
        p = inst.params
        en, zh = inst.prompt["en"], inst.prompt["zh"]
        if p["count_include_pad"]:
            assert "number of its cells inside the padded input" in en, inst.seed
            assert "落在补零后输入之内的格子数" in zh, inst.seed
        else:
            excluded += 1
            assert "number of real inputs it covers" in en, inst.seed
            assert "真实输入个数" in zh, inst.seed
        if p["ceil_mode"] and p["count_include_pad"]:  # (else only real inputs count)
            assert "clipped there and divided by its clipped size" in en, inst.seed
            assert "除以截断后的大小" in zh, inst.seed
        # every window's divisor, from torch: the gradient one output sends to each input
        x = torch.zeros(p["input_size"], dtype=torch.float64, requires_grad=True)
        y = torch.nn.functional.avg_pool2d(x[None, None], p["kernel"], p["stride"],
                                           p["padding"], ceil_mode=p["ceil_mode"],
                                           count_include_pad=p["count_include_pad"])
        out = tuple(y.shape[-2:])
        stated = _stated_divisors(p, out)
        for i in range(out[0]):
            for j in range(out[1]):
                x.grad = None
                y = torch.nn.functional.avg_pool2d(x[None, None], p["kernel"], p["stride"],
                                                   p["padding"], ceil_mode=p["ceil_mode"],
                                                   count_include_pad=p["count_include_pad"])
                y[0, 0, i, j].backward()
                share = x.grad[x.grad > 0]
                assert float(1 / share[0]) == pytest.approx(stated[i, j]), (inst.seed, i, j)
                full = p["kernel"] ** 2
                clipped += p["ceil_mode"] and p["count_include_pad"] and stated[i, j] < full \
                    and (i == out[0] - 1 or j == out[1] - 1)
    assert clipped > 50 and excluded > 20  # both rules, and clipped windows, are exercised


# ------------------------------------------------------------------ upsample, nearest

def test_nearest_level_3_states_the_legacy_floor_rule():
    nearest = [i for i in generated("upsample-values", 3) if i.params["mode"] == "nearest"]
    assert len(nearest) > 100
    for inst in nearest:
        assert "legacy `'nearest'` rule" in inst.prompt["en"], inst.seed
        assert "\\lfloor i \\cdot \\text{in} / \\text{out} \\rfloor" in inst.prompt["en"]
        assert "not the half-pixel rule of `'nearest-exact'`" in inst.prompt["en"]
        assert "旧的 `'nearest'` 规则" in inst.prompt["zh"]
        assert "`'nearest-exact'` 的半像素规则" in inst.prompt["zh"]


def test_the_rule_is_stated_exactly_when_the_two_nearest_modes_differ():
    torch = require_torch()
    for level in (1, 3):
        for inst in generated("upsample-values", level)[:200]:
            p = inst.params
            if p["mode"] != "nearest":
                continue
            x = torch.tensor(p["x"], dtype=torch.float64)[None, None]
            size = {"size": tuple(p["size"])} if "size" in p else \
                {"scale_factor": p["scale_factor"]}
            legacy = torch.nn.functional.interpolate(x, mode="nearest", **size)[0, 0]
            assert legacy.tolist() == inst.expected.value
            # the sentence appears where the two modes copy different inputs: compare them on
            # distinct values, so that equal input values cannot hide a difference
            ids = torch.arange(x.numel(), dtype=torch.float64).reshape(x.shape)
            differ = not torch.equal(
                torch.nn.functional.interpolate(ids, mode="nearest", **size),
                torch.nn.functional.interpolate(ids, mode="nearest-exact", **size))
            assert ("nearest-exact" in inst.prompt["en"]) == differ, (level, inst.seed)
            assert differ or level == 1, inst.seed  # level 3 always needs the rule


# ------------------------------------------------------------------ batch norm

def test_training_mode_prompts_state_both_variances():
    train = eval_ = 0
    for level in (1, 2, 3):
        for inst in generated("batchnorm-forward", level)[:300]:
            en, zh = inst.prompt["en"], inst.prompt["zh"]
            if inst.params["mode"] == "train":
                train += 1
                assert "normalised with the biased batch variance (divide by $m$" in en
                assert "`running_var` is updated with the unbiased one (divide by $m - 1$)" in en
                assert "归一化用 batch 的有偏方差（除以 $m$" in zh
                assert "`running_var` 用无偏方差（除以 $m - 1$）更新" in zh
            else:
                eval_ += 1
    assert train > 300 and eval_ > 100


def test_the_stated_variances_are_torchs():
    torch = require_torch()
    x = torch.tensor([[1.0], [2.0], [4.0], [9.0]], dtype=torch.float64)[:, :, None, None]
    bn = torch.nn.BatchNorm2d(1, dtype=torch.float64).train()
    y = bn(x).detach().flatten()
    values = x.flatten()
    biased = values.var(unbiased=False)
    assert torch.allclose(y, (values - values.mean()) / torch.sqrt(biased + bn.eps))
    assert float(bn.running_var) == pytest.approx(0.9 + 0.1 * float(values.var(unbiased=True)))


# ------------------------------------------------------------------ ratios

def _significant(text: str) -> int:
    return len(text.replace("-", "").replace(".", "").lstrip("0"))


def test_separable_ratio_asks_3_significant_digits_and_the_checker_agrees():
    torch = require_torch()
    family = FAMILIES["separable-vs-standard"]
    seen = set()
    for inst in generated("separable-vs-standard", 3):
        p = inst.params
        shown = inst.expected.display()
        assert _significant(shown) == 3, (inst.seed, shown)
        assert "(that is, 3 significant digits)" in inst.prompt["en"]
        assert "（即 3 位有效数字）" in inst.prompt["zh"]
        assert f"Round to {inst.expected.decimals} decimals" in inst.prompt["en"]
        assert family.check(inst, shown).correct is True
        three_decimals = f"{inst.expected.value:.3f}"
        if float(three_decimals) != float(shown):  # 0.022 for 0.0224: too coarse, refused
            assert family.check(inst, three_decimals).correct is False, inst.seed
        key = (p["in"], p["out"], p["k"])
        if key in seen:
            continue
        seen.add(key)
        cin, cout, k = key
        standard = torch.nn.Conv2d(cin, cout, k, bias=False)
        separable = [torch.nn.Conv2d(cin, cin, k, groups=cin, bias=False),
                     torch.nn.Conv2d(cin, cout, 1, bias=False)]
        ratio = Fraction(sum(m.weight.numel() for m in separable), standard.weight.numel())
        assert inst.expected.value == pytest.approx(float(ratio), rel=1e-12)
    assert {FAMILIES["separable-vs-standard"].generate(3, s).expected.decimals
            for s in range(200)} == {3, 4}


def test_no_ratio_is_drawn_halfway_between_two_roundings():
    for inst in generated("separable-vs-standard", 3):
        scaled = inst.expected.value * 10 ** inst.expected.decimals
        assert abs(scaled - math.floor(scaled) - 0.5) > 1e-3, inst.seed


# ------------------------------------------------------------------ transposed conv, L1

def test_level_1_transposed_convolutions_always_upsample():
    torch = require_torch()
    for inst in generated("transposed-conv-output-size", 1):
        p = inst.params
        assert all(o > i for o, i in zip(inst.expected.value, p["input"], strict=True)), p
    # the case the sampler must reject really keeps 2 × 2 at 2 × 2 in torch
    layer = torch.nn.ConvTranspose2d(1, 1, kernel_size=2, stride=2, padding=1)
    assert tuple(layer(torch.zeros(1, 1, 2, 2)).shape[-2:]) == (2, 2)
    family = FAMILIES["transposed-conv-output-size"]
    bad = {"input": [2, 2], "kernel": [2, 2], "stride": [2, 2], "padding": [1, 1],
           "output_padding": [0, 0], "dilation": [1, 1], "channels": [16, 32]}
    assert not family.accept(bad, 1, family.solve(bad))
    assert family.accept(bad, 2, family.solve(bad))  # a harder level may ask it


# ------------------------------------------------------------------ receptive field, zh

def test_receptive_field_solutions_say_tiao_ju_for_jump():
    for level in (1, 2, 3):
        for inst in generated("receptive-field", level)[:100]:
            assert "跳距 $J$" in inst.solution["zh"], (level, inst.seed)
            assert "跳跃" not in inst.solution["zh"] + inst.prompt["zh"], (level, inst.seed)
