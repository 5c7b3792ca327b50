"""Detection family: IoU and GIoU of two boxes, and which boxes survive NMS."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import SolverError
from trainer.exercises.solver.detection import (
    NmsTrace,
    box_area,
    box_iou,
    generalized_box_iou,
    nms_trace,
)

from ._common import ExerciseFamily, Text, need, one_of, pick, randint, rounding
from ._numbers import near_tie, rounded, short

_DECIMALS = 4
_XYXY = "$(x_1,\\ y_1,\\ x_2,\\ y_2)$"
_MARGIN = 0.02  # no IoU this close to the NMS threshold: hand arithmetic must not flip it


class Boxes(NamedTuple):
    boxes: np.ndarray
    value: float | None  # IoU or GIoU (two boxes)
    trace: NmsTrace | None  # NMS
    iou: np.ndarray  # pairwise IoU


def _checked_boxes(params: dict[str, Any]) -> np.ndarray:
    boxes = need(params, "boxes")
    try:
        arr = np.asarray(boxes, dtype=np.float64)
    except (TypeError, ValueError):
        raise SolverError("boxes must be a list of [x1, y1, x2, y2]") from None
    if arr.ndim != 2 or arr.shape[1] != 4 or len(arr) < 2 or len(arr) > 8:
        raise SolverError("boxes must list 2 to 8 boxes [x1, y1, x2, y2]")
    # torchvision documents 0 <= x1 < x2 and 0 <= y1 < y2 (it does not check it itself)
    if np.any(arr[:, 2] <= arr[:, 0]) or np.any(arr[:, 3] <= arr[:, 1]) or np.any(arr < 0):
        raise SolverError("each box must satisfy 0 <= x1 < x2 and 0 <= y1 < y2 "
                          "(torchvision's (x1, y1, x2, y2) format)")
    return arr


class IouNms(ExerciseFamily):
    name = "iou-nms"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        def box(cx: int, cy: int, spread: int) -> list[int]:
            x1, y1 = max(0, cx + randint(rng, -spread, spread)), \
                max(0, cy + randint(rng, -spread, spread))
            return [x1, y1, x1 + randint(rng, 2, 8), y1 + randint(rng, 2, 8)]

        if level < 3:
            first = box(5, 5, 3)
            return {"ask": "iou" if level == 1 else "giou",
                    "boxes": [first, box(5, 5, 5 if level == 1 else 8)]}
        centers = [(randint(rng, 4, 10), randint(rng, 4, 10)) for _ in range(2)]
        n = randint(rng, 4, 6)
        boxes = [box(*centers[i % 2], 2) for i in range(n)]
        scores = rng.choice(np.arange(30, 100), size=n, replace=False) / 100
        return {"ask": "nms", "boxes": boxes, "scores": [float(s) for s in scores],
                "threshold": pick(rng, [0.3, 0.4, 0.5, 0.6, 0.7])}

    def solve(self, params: dict[str, Any]) -> Boxes:
        ask = one_of(params, "ask", ["iou", "giou", "nms"])
        boxes = _checked_boxes(params)
        iou = box_iou(boxes, boxes)
        if ask == "nms":
            scores = need(params, "scores")
            threshold = float(need(params, "threshold"))
            return Boxes(boxes, None, nms_trace(boxes, scores, threshold), iou)
        if len(boxes) != 2:
            raise SolverError(f"{ask} is asked for exactly two boxes")
        fn = box_iou if ask == "iou" else generalized_box_iou
        return Boxes(boxes, float(fn(boxes[:1], boxes[1:])[0, 0]), None, iou)

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        if solved.trace is None:
            if level == 1 and solved.value <= 0:
                return False  # level 1: boxes that overlap
            if level == 2 and _overlap(solved) and solved.value > 0.5:
                return False  # level 2: GIoU is interesting when boxes barely or do not overlap
            return not near_tie(solved.value, _DECIMALS)
        n = len(solved.boxes)
        off = solved.iou[~np.eye(n, dtype=bool)]
        if np.any(np.abs(off - float(params["threshold"])) < _MARGIN):
            return False
        kept = len(solved.trace.keep)
        return 2 <= kept < n and len(set(params["scores"])) == n

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        s = self.solved(params)
        if s.trace is None:
            return self._pose_pair(params, level, seed, s)
        return self._pose_nms(params, level, seed, s)

    def _pose_pair(self, params: dict[str, Any], level: int, seed: int | None,
                   s: Boxes) -> Instance:
        ask = params["ask"]
        note = rounding(_DECIMALS)
        a, b = (_box_text(x) for x in s.boxes)
        name = {"iou": ("the IoU (intersection over union)", "交并比（IoU）"),
                "giou": ("the GIoU (generalized IoU, as `torchvision.ops.generalized_box_iou`)",
                         "GIoU（广义交并比，即 `torchvision.ops.generalized_box_iou`）")}[ask]
        prompt = {
            "en": f"Two boxes in {_XYXY} format (corners; width $= x_2 - x_1$, no +1): "
                  f"A = {a}, B = {b}. What is {name[0]} of A and B? {note['en']}",
            "zh": f"两个 {_XYXY} 格式的框（角点坐标；宽 $= x_2 - x_1$，不加 1）："
                  f"A = {a}，B = {b}。A 与 B 的{name[1]}是多少？{note['zh']}",
        }
        work = _pair_work(s.boxes, ask, s.value)
        answer = rounded(s.value, _DECIMALS)
        solution = {"en": f"{work['en']}\n\nAnswer: **{answer}**.",
                    "zh": f"{work['zh']}\n\n答案：**{answer}**。"}
        expected = ExpectedAnswer(kind="number", value=s.value, decimals=_DECIMALS)
        return self.instance(params, level, seed, expected, prompt, solution, note)

    def _pose_nms(self, params: dict[str, Any], level: int, seed: int | None,
                  s: Boxes) -> Instance:
        threshold = short(params["threshold"])
        table = [f"| box | {_XYXY} | score |", "|---|---|---|"]
        table += [f"| {i + 1} | {_box_text(b)} | {short(sc)} |"
                  for i, (b, sc) in enumerate(zip(s.boxes, params["scores"], strict=True))]
        table_zh = [f"| 框 | {_XYXY} | 分数 |", "|---|---|---|", *table[2:]]
        prompt = {
            "en": "\n".join(table) + f"\n\nRun `torchvision.ops.nms(boxes, scores, "
                  f"iou_threshold={threshold})`: visit boxes by decreasing score, keep a box, "
                  f"and discard every remaining box whose IoU with it is greater than {threshold}"
                  " (strictly). Which boxes are kept? Answer with the table's box numbers "
                  "(torchvision itself returns 0-based indices) in the order NMS returns them "
                  "(decreasing score), e.g. `3, 1, 4`.",
            "zh": "\n".join(table_zh) + f"\n\n运行 `torchvision.ops.nms(boxes, scores, "
                  f"iou_threshold={threshold})`：按分数从高到低依次处理，保留当前框，并丢弃剩余框"
                  f"中与它的 IoU 严格大于 {threshold} 的框。哪些框被保留？按 NMS 返回的顺序（分数"
                  "从高到低）写出表中框的编号（torchvision 本身返回从 0 开始的下标），"
                  "例如 `3, 1, 4`。",
        }
        work = _nms_work(s, params)
        kept = [i + 1 for i in s.trace.keep]
        listed = ", ".join(str(k) for k in kept)
        solution = {"en": f"{work['en']}\n\nKept, in order: boxes {listed}. Answer: **{listed}**.",
                    "zh": f"{work['zh']}\n\n按顺序保留：框 {listed.replace(', ', '、')}。"
                          f"答案：**{listed}**。"}
        return self.instance(params, level, seed, ExpectedAnswer(kind="sequence", value=kept),
                             prompt, solution)


def _overlap(s: Boxes) -> bool:
    """True when the two boxes overlap (their IoU is positive)."""
    return bool(s.iou[0, 1] > 0)


def _box_text(box: np.ndarray) -> str:
    return "(" + ", ".join(short(v) for v in box) + ")"


def _frac(num: float, den: float) -> str:
    f = Fraction(num).limit_denominator(10**6) / Fraction(den).limit_denominator(10**6)
    return f"{f.numerator}/{f.denominator}" if f.denominator != 1 else str(f.numerator)


def _pair_work(boxes: np.ndarray, ask: str, value: float) -> Text:
    (ax1, ay1, ax2, ay2), (bx1, by1, bx2, by2) = boxes
    ix1, ix2, iy1, iy2 = max(ax1, bx1), min(ax2, bx2), max(ay1, by1), min(ay2, by2)
    w, h = max(0.0, ix2 - ix1), max(0.0, iy2 - iy1)
    inter = w * h
    area_a, area_b = box_area(boxes)
    union = area_a + area_b - inter
    s = short
    c = ",\\ "  # a comma with its space kept inside a formula

    def side(lo1: float, hi1: float, lo2: float, hi2: float) -> str:
        return (f"\\max(0{c}\\min({s(hi1)}{c}{s(hi2)}) - \\max({s(lo1)}{c}{s(lo2)}))")

    w_tex = f"$w = {side(ax1, ax2, bx1, bx2)} = {s(w)}$"
    h_tex = f"$h = {side(ay1, ay2, by1, by2)} = {s(h)}$"
    i_tex = f"$I = {s(w)} \\cdot {s(h)} = {s(inter)}$"
    a_tex = f"$|A| = {s(ax2 - ax1)} \\cdot {s(ay2 - ay1)} = {s(area_a)}$"
    b_tex = f"$|B| = {s(bx2 - bx1)} \\cdot {s(by2 - by1)} = {s(area_b)}$"
    u_tex = f"$U = {s(area_a)} + {s(area_b)} - {s(inter)} = {s(union)}$"
    iou = inter / union
    if inter == 0:
        iou_line = f"$\\mathrm{{IoU}} = I / U = 0 / {s(union)} = 0$"
    else:
        iou_line = (f"$\\mathrm{{IoU}} = I / U = {s(inter)} / {s(union)} = "
                    f"{_frac(inter, union)} \\approx {s(iou, 6)}$")
    en = [f"- intersection: {w_tex}, {h_tex}, {i_tex}",
          f"- areas: {a_tex}, {b_tex}, union {u_tex}", f"- {iou_line}"]
    zh = [f"- 交集：{w_tex}，{h_tex}，{i_tex}",
          f"- 面积：{a_tex}，{b_tex}，并集 {u_tex}", f"- {iou_line}"]
    if ask == "giou":
        enclosing = (max(ax2, bx2) - min(ax1, bx1)) * (max(ay2, by2) - min(ay1, by1))
        c_line = (f"$C = ({s(max(ax2, bx2))} - {s(min(ax1, bx1))}) \\cdot ({s(max(ay2, by2))} - "
                  f"{s(min(ay1, by1))}) = {s(enclosing)}$")
        g_line = (f"$\\mathrm{{GIoU}} = \\mathrm{{IoU}} - (C - U) / C = {s(iou, 6)} - "
                  f"({s(enclosing)} - {s(union)}) / {s(enclosing)} \\approx {s(value, 6)}$")
        en += [f"- smallest enclosing box: {c_line}", f"- {g_line}"]
        zh += [f"- 最小外接框：{c_line}", f"- {g_line}"]
        rule = {"en": "GIoU subtracts the share of the smallest enclosing box $C$ that the union "
                      "does not cover; it ranges over $(-1, 1]$, so boxes that do not overlap "
                      "(IoU 0) still get a value that says how far apart they are.",
                "zh": "GIoU 再减去最小外接框 $C$ 中没被并集覆盖的比例，取值范围为 $(-1, 1]$，"
                      "所以两框不相交（IoU 为 0）时它仍能反映两框相距多远。"}
    else:
        rule = {"en": "IoU is the intersection area over the union area (torchvision clamps "
                      "negative widths to 0 and adds no +1).",
                "zh": "IoU 是交集面积除以并集面积（torchvision 把负的宽高截为 0，不加 1）。"}
    return {"en": f"{rule['en']}\n\n" + "\n".join(en), "zh": f"{rule['zh']}\n\n" + "\n".join(zh)}


def _nms_work(s: Boxes, params: dict[str, Any]) -> Text:
    trace, iou = s.trace, s.iou
    assert trace is not None
    threshold = float(params["threshold"])
    scores = params["scores"]
    order = ", ".join(f"{i + 1} ({short(scores[i])})" for i in trace.order)
    order_zh = "、".join(f"{i + 1}（{short(scores[i])}）" for i in trace.order)
    en = [f"Boxes by decreasing score: {order}.", ""]
    zh = [f"按分数从高到低：{order_zh}。", ""]
    pos = {box: p for p, box in enumerate(trace.order)}
    sup = trace.suppressed_by
    for i in trace.keep:
        # the boxes still in the running when box i is kept
        later = [j for j in trace.order[pos[i] + 1:] if j not in sup or pos[sup[j][0]] >= pos[i]]
        checks_en, checks_zh = [], []
        for j in later:
            value = iou[i, j]
            if value > threshold:
                checks_en.append(f"box {j + 1}: {value:.3f} > {short(threshold)}, suppressed")
                checks_zh.append(f"框 {j + 1}：{value:.3f} > {short(threshold)}，被抑制")
            else:
                checks_en.append(f"box {j + 1}: {value:.3f}, stays")
                checks_zh.append(f"框 {j + 1}：{value:.3f}，保留")
        tail_en = ("; IoU with the remaining boxes: " + "; ".join(checks_en)) if checks_en \
            else "; no boxes remain"
        tail_zh = ("；与剩余框的 IoU：" + "；".join(checks_zh)) if checks_zh else "；没有剩余框"
        en.append(f"- keep box {i + 1}{tail_en}.")
        zh.append(f"- 保留框 {i + 1}{tail_zh}。")
    return {"en": "\n".join(en), "zh": "\n".join(zh)}
