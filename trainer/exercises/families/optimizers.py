"""Optimizer families: parameter values after SGD/Adam/AdamW steps; learning-rate schedules."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import SolverError
from trainer.exercises.solver.optim import (
    AdamStep,
    SGDStep,
    adam_steps,
    multistep_lr,
    one_cycle_lr,
    one_cycle_phase,
    sgd_steps,
    step_lr,
    warmup_cosine_lr,
)

from ._common import LANGS, ExerciseFamily, Text, need, one_of, pick, randint, rounding
from ._numbers import (
    VECTOR_HINT,
    near_tie,
    rounded,
    row_answer,
    sci,
    sci_tex,
    short,
    significant_decimals,
    vec,
)

# ------------------------------------------------------------------ optimizer-step

_OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW"}
_STEP_DECIMALS = 4


def _floats(params: dict[str, Any], key: str) -> list[float]:
    value = need(params, key)
    if not isinstance(value, list) or not all(isinstance(v, int | float) for v in value):
        raise SolverError(f"{key} must be a list of numbers")
    return [float(v) for v in value]


class OptimizerStep(ExerciseFamily):
    name = "optimizer-step"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        n = 2 if level == 1 else randint(rng, 2, 3)
        param = [randint(rng, -20, 20) / 10 for _ in range(n)]

        def grads(steps: int) -> list[list[float]]:
            return [[pick(rng, [-1, 1]) * randint(rng, 1, 10) / 10 for _ in range(n)]
                    for _ in range(steps)]

        if level == 1:
            if rng.random() < 0.5:
                return {"optimizer": "sgd", "param": param, "grads": grads(1),
                        "lr": pick(rng, [0.1, 0.5, 0.05]), "momentum": 0.0,
                        "weight_decay": pick(rng, [0.1, 0.01, 0.05]), "nesterov": False}
            return {"optimizer": "sgd", "param": param, "grads": grads(2),
                    "lr": pick(rng, [0.1, 0.5]), "momentum": 0.9, "weight_decay": 0.0,
                    "nesterov": False}
        if level == 2:
            if rng.random() < 0.6:
                nesterov = bool(rng.random() < 0.6)
                return {"optimizer": "sgd", "param": param, "grads": grads(2),
                        "lr": pick(rng, [0.1, 0.05]), "momentum": pick(rng, [0.9, 0.5]),
                        "weight_decay": 0.0 if nesterov and rng.random() < 0.5
                        else pick(rng, [0.1, 0.01]), "nesterov": nesterov}
            return {"optimizer": "adam", "param": param, "grads": grads(1),
                    "lr": pick(rng, [0.1, 0.01, 0.001]), "betas": [0.9, 0.999], "eps": 1e-8,
                    "weight_decay": 0.0}
        return {"optimizer": pick(rng, ["adam", "adamw"]), "param": param, "grads": grads(2),
                "lr": pick(rng, [0.1, 0.01]), "betas": [0.9, pick(rng, [0.999, 0.99])],
                "eps": 1e-8, "weight_decay": pick(rng, [0.1, 0.01])}

    def solve(self, params: dict[str, Any]) -> list[SGDStep] | list[AdamStep]:
        kind = one_of(params, "optimizer", list(_OPTIMIZERS))
        param, lr = _floats(params, "param"), float(need(params, "lr"))
        grads = need(params, "grads")
        if not isinstance(grads, list) or not grads or len(grads) > 3:
            raise SolverError("grads must list one gradient per step (1 to 3 steps)")
        grads = [_floats({"g": g}, "g") for g in grads]
        if kind == "sgd":
            return sgd_steps(param, grads, lr, float(params.get("momentum", 0.0)),
                             float(params.get("dampening", 0.0)),
                             float(params.get("weight_decay", 0.0)),
                             bool(params.get("nesterov", False)))
        b1, b2 = _floats({"betas": params.get("betas", [0.9, 0.999])}, "betas")
        default_wd = 0.01 if kind == "adamw" else 0.0  # torch's defaults
        return adam_steps(param, grads, lr, (b1, b2), float(params.get("eps", 1e-8)),
                          float(params.get("weight_decay", default_wd)),
                          decoupled=kind == "adamw")

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        return not near_tie(solved[-1].param, _STEP_DECIMALS)

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        steps = self.solved(params)
        prompt = _step_prompt(params, len(steps))
        if params["optimizer"] == "sgd":
            solution = _sgd_solution(params, steps)
        else:
            solution = _adam_solution(params, steps)
        answer = steps[-1].param
        shown = "(" + ", ".join(rounded(v, _STEP_DECIMALS) for v in answer) + ")"
        for lang, word in (("en", "Answer"), ("zh", "答案")):
            colon = ": " if lang == "en" else "："
            solution[lang] += f"\n\n{word}{colon}**{shown}**" + ("." if lang == "en" else "。")
        return self.instance(params, level, seed, row_answer(answer, _STEP_DECIMALS), prompt,
                             solution, rounding(_STEP_DECIMALS))


def _optimizer_code(params: dict[str, Any]) -> str:
    kind = params["optimizer"]
    args = [f"lr={short(params['lr'])}"]
    if kind == "sgd":
        if params.get("momentum", 0.0):
            args.append(f"momentum={short(params['momentum'])}")
        if params.get("dampening", 0.0):
            args.append(f"dampening={short(params['dampening'])}")
        if params.get("weight_decay", 0.0):
            args.append(f"weight_decay={short(params['weight_decay'])}")
        if params.get("nesterov"):
            args.append("nesterov=True")
    else:
        b1, b2 = params.get("betas", [0.9, 0.999])
        args += [f"betas=({short(b1)}, {short(b2)})", f"eps={sci(params.get('eps', 1e-8))}",
                 f"weight_decay={short(params.get('weight_decay', 0.0))}"]
    theta = ", ".join(repr(float(v)) for v in params["param"])  # floats: requires_grad needs them
    return (f"```python\ntheta = torch.tensor([{theta}], requires_grad=True)\n"
            f"opt = torch.optim.{_OPTIMIZERS[kind]}([theta], {', '.join(args)})\n```")


def _rules(params: dict[str, Any]) -> Text:
    kind = params["optimizer"]
    if kind == "sgd":
        wd = params.get("weight_decay", 0.0)
        en = ["PyTorch's SGD at each step:"]
        zh = ["PyTorch 的 SGD 每一步："]
        if wd:
            en.append("weight decay first, $g \\leftarrow g + \\lambda \\theta$;")
            zh.append("先做权重衰减，$g \\leftarrow g + \\lambda \\theta$；")
        if params.get("momentum", 0.0):
            en.append("the momentum buffer starts as the first gradient, $b_1 = g_1$, then "
                      "$b \\leftarrow \\mu b + g$ (dampening 0);")
            zh.append("动量缓冲区第一步直接取梯度，$b_1 = g_1$，之后 "
                      "$b \\leftarrow \\mu b + g$（dampening 为 0）；")
            if params.get("nesterov"):
                en.append("Nesterov steps along $d = g + \\mu b$;")
                zh.append("Nesterov 沿 $d = g + \\mu b$ 更新；")
            else:
                en.append("the step direction is $d = b$;")
                zh.append("更新方向 $d = b$；")
        else:
            en.append("the step direction is $d = g$;")
            zh.append("更新方向 $d = g$；")
        en.append("then $\\theta \\leftarrow \\theta - \\mathrm{lr} \\cdot d$.")
        zh.append("然后 $\\theta \\leftarrow \\theta - \\mathrm{lr} \\cdot d$。")
        return {"en": " ".join(en), "zh": "".join(zh)}
    adam = {
        "en": "PyTorch's Adam: $m$ and $v$ start at 0; at step $t$, "
              "$m \\leftarrow \\beta_1 m + (1 - \\beta_1) g$, "
              "$v \\leftarrow \\beta_2 v + (1 - \\beta_2) g^2$, "
              "$\\hat{m} = m / (1 - \\beta_1^t)$, $\\hat{v} = v / (1 - \\beta_2^t)$, "
              "$\\theta \\leftarrow \\theta - \\mathrm{lr} \\cdot \\hat{m} / (\\sqrt{\\hat{v}} + "
              "\\epsilon)$ (element-wise).",
        "zh": "PyTorch 的 Adam：$m$、$v$ 初值为 0；第 $t$ 步 "
              "$m \\leftarrow \\beta_1 m + (1 - \\beta_1) g$，"
              "$v \\leftarrow \\beta_2 v + (1 - \\beta_2) g^2$，"
              "$\\hat{m} = m / (1 - \\beta_1^t)$，$\\hat{v} = v / (1 - \\beta_2^t)$，"
              "$\\theta \\leftarrow \\theta - \\mathrm{lr} \\cdot \\hat{m} / (\\sqrt{\\hat{v}} + "
              "\\epsilon)$（逐元素）。",
    }
    if kind == "adamw":
        adam["en"] += (" AdamW first decays the weights, $\\theta \\leftarrow \\theta - "
                       "\\mathrm{lr} \\cdot \\lambda \\theta$, then takes this step with the raw "
                       "gradient.")
        adam["zh"] += ("AdamW 先衰减权重，$\\theta \\leftarrow \\theta - \\mathrm{lr} \\cdot "
                       "\\lambda \\theta$，再用原始梯度走上面这一步。")
    elif params.get("weight_decay", 0.0):
        adam["en"] += " Adam's weight_decay adds $\\lambda \\theta$ to $g$ first (L2)."
        adam["zh"] += "Adam 的 weight_decay 是先把 $\\lambda \\theta$ 加到 $g$ 上（L2 正则）。"
    return adam


def _step_prompt(params: dict[str, Any], n_steps: int) -> Text:
    code = _optimizer_code(params)
    lines = [f"- step {i + 1}: `theta.grad` = {vec(g)}" for i, g in enumerate(params["grads"])]
    lines_zh = [f"- 第 {i + 1} 步：`theta.grad` = {vec(g)}"
                for i, g in enumerate(params["grads"])]
    rules = _rules(params)
    if n_steps == 1:
        steps_en, steps_zh = "One step is taken", "执行一步"
        ask_en, ask_zh = "after this step", "这一步之后"
    else:
        steps_en, steps_zh = f"{n_steps} steps are taken", f"执行 {n_steps} 步"
        ask_en, ask_zh = f"after step {n_steps}", f"第 {n_steps} 步之后"
    note = rounding(_STEP_DECIMALS)
    return {
        "en": f"{code}\n\n{steps_en} (`opt.step()`), with these gradients (given, not computed "
              "from a loss):\n\n" + "\n".join(lines) + f"\n\n{rules['en']}\n\n"
              f"What is $\\theta$ {ask_en}? {note['en']} {VECTOR_HINT['en']}",
        "zh": f"{code}\n\n{steps_zh}（`opt.step()`），各步梯度如下（直接给定，不由损失计算）：\n\n"
              + "\n".join(lines_zh) + f"\n\n{rules['zh']}\n\n"
              f"{ask_zh}的 $\\theta$ 是多少？{note['zh']}{VECTOR_HINT['zh']}",
    }


def _sgd_solution(params: dict[str, Any], steps: list[SGDStep]) -> Text:
    lr, mu = params["lr"], params.get("momentum", 0.0)
    wd, nesterov = params.get("weight_decay", 0.0), bool(params.get("nesterov"))
    theta = params["param"]
    out: dict[str, list[str]] = {"en": [], "zh": []}
    for t, step in enumerate(steps, start=1):
        en, zh = [f"**Step {t}.**"], [f"**第 {t} 步。**"]
        g = step.decayed
        if wd:
            line = (f"$g = {tvec(step.grad)} + {short(wd)} \\cdot {tvec(theta)} = {tvec(g)}$")
            en.append(f"- with weight decay: {line}")
            zh.append(f"- 加上权重衰减：{line}")
        if mu:
            if t == 1:
                en.append(f"- $b_1 = g = {tvec(step.buffer)}$")
                zh.append(f"- $b_1 = g = {tvec(step.buffer)}$")
            else:
                line = (f"$b_{t} = {short(mu)} \\cdot {tvec(steps[t - 2].buffer)} + {tvec(g)} = "
                        f"{tvec(step.buffer)}$")
                en.append(f"- {line}")
                zh.append(f"- {line}")
            if nesterov:
                line = f"$d = g + {short(mu)} b_{t} = {tvec(step.direction)}$"
                en.append(f"- Nesterov: {line}")
                zh.append(f"- Nesterov：{line}")
        update = (f"$\\theta = {tvec(theta)} - {short(lr)} \\cdot {tvec(step.direction)} = "
                  f"{tvec(step.param)}$")
        en.append(f"- {update}")
        zh.append(f"- {update}")
        out["en"].append("\n".join(en))
        out["zh"].append("\n".join(zh))
        theta = step.param
    intro = {"en": "Apply PyTorch's SGD update step by step (vectors element-wise):",
             "zh": "按 PyTorch 的 SGD 更新逐步计算（向量逐元素）："}
    return {lang: intro[lang] + "\n\n" + "\n\n".join(out[lang]) for lang in LANGS}


def _adam_solution(params: dict[str, Any], steps: list[AdamStep]) -> Text:
    kind, lr = params["optimizer"], params["lr"]
    b1, b2 = params.get("betas", [0.9, 0.999])
    eps, wd = params.get("eps", 1e-8), params.get("weight_decay", 0.0)
    theta = params["param"]
    out: dict[str, list[str]] = {"en": [], "zh": []}
    m_prev: Any = None
    v_prev: Any = None
    for t, s in enumerate(steps, start=1):
        en, zh = [f"**Step {t}.**"], [f"**第 {t} 步。**"]
        if wd and kind == "adamw":
            line = (f"$\\theta \\leftarrow (1 - {short(lr)} \\cdot {short(wd)}) {tvec(theta)} = "
                    f"{tvec(s.decayed_param)}$")
            en.append(f"- decoupled decay: {line}")
            zh.append(f"- 解耦的权重衰减：{line}")
        elif wd:
            line = f"$g = {tvec(s.grad)} + {short(wd)} \\cdot {tvec(theta)} = {tvec(s.used_grad)}$"
            en.append(f"- L2 term in the gradient: {line}")
            zh.append(f"- 梯度里加 L2 项：{line}")
        g = tvec(s.used_grad)
        if t == 1:
            m_line = f"$m_1 = (1 - {short(b1)}) \\cdot {g} = {tvec(s.exp_avg)}$"
            v_line = f"$v_1 = (1 - {short(b2)}) \\cdot {g}^2 = {tvec(s.exp_avg_sq, 8)}$"
        else:
            m_line = (f"$m_{t} = {short(b1)} \\cdot {tvec(m_prev)} + {short(1 - b1)} \\cdot {g} = "
                      f"{tvec(s.exp_avg)}$")
            v_line = (f"$v_{t} = {short(b2)} \\cdot {tvec(v_prev, 8)} + {short(1 - b2)} \\cdot "
                      f"{g}^2 = {tvec(s.exp_avg_sq, 8)}$")
        hats = (f"$\\hat{{m}} = m_{t} / {short(s.bias_correction1, 8)} = {tvec(s.m_hat)}$, "
                f"$\\hat{{v}} = v_{t} / {short(s.bias_correction2, 8)} = {tvec(s.v_hat, 8)}$")
        start = tvec(s.decayed_param)
        update = (f"$\\theta = {start} - {short(lr)} \\cdot \\hat{{m}} / (\\sqrt{{\\hat{{v}}}} + "
                  f"{sci_tex(eps)}) = {tvec(s.param)}$")
        en += [f"- {m_line}", f"- {v_line}", f"- {hats}", f"- {update}"]
        zh += [f"- {m_line}", f"- {v_line}", f"- {hats.replace('$, $', '$，$')}", f"- {update}"]
        out["en"].append("\n".join(en))
        out["zh"].append("\n".join(zh))
        theta, m_prev, v_prev = s.param, s.exp_avg, s.exp_avg_sq
    intro = {"en": "Apply PyTorch's update step by step (element-wise; $g^2$ squares each entry):",
             "zh": "按 PyTorch 的更新规则逐步计算（逐元素；$g^2$ 表示逐项平方）："}
    tail = {"en": "", "zh": ""}
    if len(steps) == 1:
        tail = {"en": "\n\nAt the first step $\\hat{m} = g$ and $\\sqrt{\\hat{v}} = |g|$, so every "
                      "entry moves by almost exactly lr against the sign of its gradient, "
                      "whatever the gradient's size.",
                "zh": "\n\n第一步时 $\\hat{m} = g$、$\\sqrt{\\hat{v}} = |g|$，所以每个分量几乎都"
                      "正好沿梯度符号的反方向移动 lr，与梯度大小无关。"}
    elif wd:
        tail = {"en": "\n\nAdam's L2 term passes through $m$ and $v$ and gets rescaled by "
                      "$1/\\sqrt{\\hat{v}}$; AdamW's decay bypasses them (decoupled).",
                "zh": "\n\nAdam 的 L2 项会进入 $m$、$v$，被 $1/\\sqrt{\\hat{v}}$ 重新缩放；"
                      "AdamW 的衰减绕开它们（解耦）。"}
    return {lang: intro[lang] + "\n\n" + "\n\n".join(out[lang]) + tail[lang] for lang in LANGS}


def tvec(values: Any, digits: int = 6) -> str:
    return vec(values, digits, tex=True)


# ------------------------------------------------------------------ lr-schedule

_SCHEDULES = ("step", "multistep", "warmup_cosine", "onecycle")


class Schedule(NamedTuple):
    lr: float
    decimals: int


class LrSchedule(ExerciseFamily):
    name = "lr-schedule"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        if level == 1:
            size = pick(rng, [5, 10, 20, 30])
            return {"schedule": "step", "base_lr": pick(rng, [0.1, 0.05, 0.01]),
                    "step_size": size, "gamma": pick(rng, [0.1, 0.5]),
                    "t": randint(rng, 0, 4 * size)}
        if level == 2:
            if rng.random() < 0.4:
                first = pick(rng, [10, 20, 30])
                milestones = [first, first + pick(rng, [10, 20, 30]), first + 50]
                return {"schedule": "multistep", "base_lr": pick(rng, [0.1, 0.01]),
                        "milestones": milestones, "gamma": pick(rng, [0.1, 0.2, 0.5]),
                        "t": randint(rng, 0, milestones[-1] + 10)}
            warmup, t_max = pick(rng, [5, 10]), pick(rng, [20, 40, 50, 90])
            return {"schedule": "warmup_cosine", "base_lr": pick(rng, [0.1, 0.001, 0.003]),
                    "warmup": warmup, "start_factor": pick(rng, [0.1, 0.2, 0.5]),
                    "t_max": t_max, "eta_min": 0.0, "t": randint(rng, 0, warmup + t_max)}
        if rng.random() < 0.6:
            total = pick(rng, [20, 50, 100, 200])
            return {"schedule": "onecycle", "max_lr": pick(rng, [0.1, 0.01, 0.004, 1.0]),
                    "total_steps": total, "t": randint(rng, 0, total - 2)}
        warmup, t_max = pick(rng, [4, 5, 10]), pick(rng, [20, 30, 60, 100])
        base = pick(rng, [0.1, 0.01, 0.006])
        return {"schedule": "warmup_cosine", "base_lr": base, "warmup": warmup,
                "start_factor": pick(rng, [0.01, 0.1, 0.25]), "t_max": t_max,
                "eta_min": round(base / pick(rng, [10, 100]), 12),
                "t": randint(rng, 0, warmup + t_max)}

    def solve(self, params: dict[str, Any]) -> Schedule:
        kind = one_of(params, "schedule", _SCHEDULES)
        t = need(params, "t")
        if kind == "step":
            lr = step_lr(float(need(params, "base_lr")), need(params, "step_size"),
                         float(params.get("gamma", 0.1)), t)
        elif kind == "multistep":
            milestones = need(params, "milestones")
            if not isinstance(milestones, list) or milestones != sorted(milestones):
                raise SolverError("milestones must be an increasing list of steps")
            lr = multistep_lr(float(need(params, "base_lr")), milestones,
                              float(params.get("gamma", 0.1)), t)
        elif kind == "warmup_cosine":
            lr = warmup_cosine_lr(float(need(params, "base_lr")), need(params, "warmup"),
                                  float(need(params, "start_factor")), need(params, "t_max"),
                                  float(params.get("eta_min", 0.0)), t)
        else:
            lr = one_cycle_lr(float(need(params, "max_lr")), need(params, "total_steps"), t)
        if lr <= 0:
            raise SolverError(f"this schedule gives lr = {lr:g} at step {t}: nothing to ask")
        return Schedule(lr, significant_decimals(lr))

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        # below 1e-4 six decimals keep too few digits (OneCycleLR's tail, a tiny warm-up start)
        return solved.lr >= 1e-4 and not near_tie(solved.lr, solved.decimals)

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        result = self.solved(params)
        note = rounding(result.decimals)
        code, facts = _schedule_code(params)
        t = params["t"]
        prompt = {
            "en": f"```python\n{code}\nfor epoch in range(num_epochs):\n    train(...)"
                  "  # calls opt.step()\n    sched.step()\n```\n\n"
                  f"{facts['en']}\n\nWhat is `sched.get_last_lr()[0]` after `sched.step()` has "
                  f"been called $t = {t}$ times ($t = 0$: right after construction)? "
                  f"{note['en']}",
            "zh": f"```python\n{code}\nfor epoch in range(num_epochs):\n    train(...)"
                  "  # 内部调用 opt.step()\n    sched.step()\n```\n\n"
                  f"{facts['zh']}\n\n`sched.step()` 调用 $t = {t}$ 次之后（$t = 0$ 表示刚构造完），"
                  f"`sched.get_last_lr()[0]` 是多少？{note['zh']}",
        }
        work = _schedule_work(params, result)
        answer = rounded(result.lr, result.decimals)
        solution = {"en": f"{work['en']}\n\nAnswer: **{answer}**.",
                    "zh": f"{work['zh']}\n\n答案：**{answer}**。"}
        expected = ExpectedAnswer(kind="number", value=result.lr, decimals=result.decimals)
        return self.instance(params, level, seed, expected, prompt, solution, note)


def _schedule_code(params: dict[str, Any]) -> tuple[str, Text]:
    kind = params["schedule"]
    lr = params.get("base_lr", 0.1)
    opt = f"opt = torch.optim.SGD(model.parameters(), lr={sci(lr)}, momentum=0.9)"
    sched = "torch.optim.lr_scheduler"
    if kind == "step":
        code = (f"{opt}\nsched = {sched}.StepLR(opt, step_size={params['step_size']}, "
                f"gamma={short(params.get('gamma', 0.1))})")
        return code, {"en": "StepLR multiplies the learning rate by gamma every step_size "
                            "calls of `step()`.",
                      "zh": "StepLR 每调用 step_size 次 `step()` 就把学习率乘以 gamma。"}
    if kind == "multistep":
        code = (f"{opt}\nsched = {sched}.MultiStepLR(opt, milestones={params['milestones']}, "
                f"gamma={short(params.get('gamma', 0.1))})")
        return code, {"en": "MultiStepLR multiplies the learning rate by gamma when the step "
                            "count reaches each milestone.",
                      "zh": "MultiStepLR 在步数到达每个里程碑时把学习率乘以 gamma。"}
    if kind == "warmup_cosine":
        w, tm = params["warmup"], params["t_max"]
        code = (f"{opt}\nwarmup = {sched}.LinearLR(opt, start_factor="
                f"{short(params['start_factor'])}, total_iters={w})\n"
                f"cosine = {sched}.CosineAnnealingLR(opt, T_max={tm}, "
                f"eta_min={sci(params.get('eta_min', 0.0))})\n"
                f"sched = {sched}.SequentialLR(opt, [warmup, cosine], milestones=[{w}])")
        return code, {
            "en": "LinearLR scales the base lr by a factor going linearly from start_factor "
                  "(at its step 0) to 1 (at total_iters); at the milestone SequentialLR switches "
                  "to CosineAnnealingLR, started from its own step 0 (the base lr), which "
                  "follows $\\eta_{\\min} + (\\mathrm{base} - \\eta_{\\min}) (1 + \\cos(\\pi k / "
                  "T_{\\max})) / 2$ at its step $k$.",
            "zh": "LinearLR 把基础学习率乘以一个系数，系数从 start_factor（第 0 步）线性增长到 1"
                  "（第 total_iters 步）；到达里程碑时 SequentialLR 切换到 CosineAnnealingLR，"
                  "后者从自己的第 0 步（基础学习率）开始，第 $k$ 步为 "
                  "$\\eta_{\\min} + (\\mathrm{base} - \\eta_{\\min}) (1 + \\cos(\\pi k / "
                  "T_{\\max})) / 2$。",
        }
    code = (f"opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n"
            f"sched = {sched}.OneCycleLR(opt, max_lr={sci(params['max_lr'])}, "
            f"total_steps={params['total_steps']})")
    return code, {
        "en": "OneCycleLR ignores the optimizer's lr and uses its defaults: pct_start=0.3, "
              "anneal_strategy='cos', div_factor=25, final_div_factor=1e4, three_phase=False. "
              "It starts at max_lr/div_factor, rises to max_lr at step pct_start · total_steps "
              "− 1, then falls to (max_lr/div_factor)/final_div_factor at step total_steps − 1, "
              "both phases as $\\mathrm{end} + (\\mathrm{start} - \\mathrm{end}) (1 + \\cos(\\pi "
              "\\cdot \\mathrm{pct})) / 2$ with pct the fraction of the phase done.",
        "zh": "OneCycleLR 不使用优化器里的 lr，其默认参数为：pct_start=0.3、"
              "anneal_strategy='cos'、div_factor=25、final_div_factor=1e4、three_phase=False。"
              "学习率从 max_lr/div_factor 出发，在第 pct_start · total_steps − 1 步升到 max_lr，"
              "再在第 total_steps − 1 步降到 (max_lr/div_factor)/final_div_factor；两段都按 "
              "$\\mathrm{end} + (\\mathrm{start} - \\mathrm{end}) (1 + \\cos(\\pi \\cdot "
              "\\mathrm{pct})) / 2$ 变化，pct 为该段已完成的比例。",
    }


def _schedule_work(params: dict[str, Any], result: Schedule) -> Text:
    kind, t, lr = params["schedule"], params["t"], result.lr
    if kind == "step":
        base, size, gamma = params["base_lr"], params["step_size"], params.get("gamma", 0.1)
        k = t // size
        line = (f"$\\mathrm{{lr}} = {sci_tex(base)} \\cdot {short(gamma)}^{{\\lfloor {t} / {size} "
                f"\\rfloor}} = {sci_tex(base)} \\cdot {short(gamma)}^{{{k}}} = {sci_tex(lr)}$")
        return {"en": f"After $t$ steps StepLR has decayed $\\lfloor t / \\mathrm{{step\\_size}} "
                      f"\\rfloor$ times:\n\n{line}",
                "zh": f"$t$ 步之后 StepLR 已经衰减了 $\\lfloor t / \\mathrm{{step\\_size}} "
                      f"\\rfloor$ 次：\n\n{line}"}
    if kind == "multistep":
        base, gamma, ms = params["base_lr"], params.get("gamma", 0.1), params["milestones"]
        passed = [m for m in ms if m <= t]
        listed = ", ".join(str(m) for m in passed) if passed else "—"
        line = (f"$\\mathrm{{lr}} = {sci_tex(base)} \\cdot {short(gamma)}^{{{len(passed)}}} = "
                f"{sci_tex(lr)}$")
        return {"en": f"Milestones reached by $t = {t}$ (milestone $\\le t$): {listed}, so "
                      f"{len(passed)} decay(s):\n\n{line}",
                "zh": f"到 $t = {t}$ 为止已到达的里程碑（里程碑 $\\le t$）："
                      f"{listed.replace(', ', '、')}，"
                      f"共衰减 {len(passed)} 次：\n\n{line}"}
    if kind == "warmup_cosine":
        base, w, sf = params["base_lr"], params["warmup"], params["start_factor"]
        tm, em = params["t_max"], params.get("eta_min", 0.0)
        if t < w:
            factor = sf + (1 - sf) * t / w
            line = (f"$\\mathrm{{lr}} = {sci_tex(base)} \\cdot ({short(sf)} + (1 - {short(sf)}) "
                    f"\\cdot {t} / {w}) = {sci_tex(base)} \\cdot {short(factor)} = {sci_tex(lr)}$")
            return {"en": f"$t = {t} < {w}$: still in the linear warm-up.\n\n{line}",
                    "zh": f"$t = {t} < {w}$：仍在线性预热阶段。\n\n{line}"}
        k = t - w
        line = (f"$\\mathrm{{lr}} = {sci_tex(em)} + ({sci_tex(base)} - {sci_tex(em)}) \\cdot "
                f"(1 + \\cos(\\pi \\cdot {k} / {tm})) / 2 = {sci_tex(lr)}$")
        return {"en": f"$t = {t} \\ge {w}$: the cosine schedule is at its step $k = {t} - {w} = "
                      f"{k}$.\n\n{line}",
                "zh": f"$t = {t} \\ge {w}$：余弦退火处于它自己的第 $k = {t} - {w} = {k}$ 步。"
                      f"\n\n{line}"}
    mx, total = params["max_lr"], params["total_steps"]
    phase = one_cycle_phase(mx, total, t)
    start, end = short(phase.start_step, 4), short(phase.end_step, 4)
    pct = f"({t} - {start}) / ({end} - {start}) = {short(phase.pct)}"
    line = (f"$\\mathrm{{lr}} = {sci_tex(phase.end_lr)} + ({sci_tex(phase.start_lr)} - "
            f"{sci_tex(phase.end_lr)}) \\cdot (1 + \\cos(\\pi \\cdot {short(phase.pct)})) / 2 = "
            f"{sci_tex(lr)}$")
    peak = short(0.3 * total - 1, 4)
    if phase.index == 0:
        where_en = f"$t = {t} \\le {peak}$: the warm-up phase, from max_lr/25 to max_lr"
        where_zh = f"$t = {t} \\le {peak}$：处于上升阶段，从 max_lr/25 升到 max_lr"
    else:
        where_en = (f"$t = {t} > {peak}$: the annealing phase, from max_lr down to "
                    f"max_lr/25/10^4")
        where_zh = f"$t = {t} > {peak}$：处于下降阶段，从 max_lr 降到 max_lr/25/10^4"
    return {
        "en": f"The warm-up ends at step $0.3 \\cdot {total} - 1 = {peak}$ and the annealing at "
              f"step ${total - 1}$. {where_en} (from {sci(phase.start_lr)} to "
              f"{sci(phase.end_lr)}), pct $= {pct}$:\n\n{line}",
        "zh": f"上升段在第 $0.3 \\cdot {total} - 1 = {peak}$ 步结束，下降段在第 ${total - 1}$ 步"
              f"结束。{where_zh}（从 {sci(phase.start_lr)} 到 {sci(phase.end_lr)}），"
              f"pct $= {pct}$：\n\n{line}",
    }
