"""Box overlap and non-maximum suppression, as torchvision 0.28 computes them.

Boxes are ``(x1, y1, x2, y2)``.  ``box_iou``/``generalized_box_iou`` follow
``torchvision/ops/boxes.py`` (``_box_inter_union``: widths clamped at 0, no +1 on sizes);
``nms`` follows the CPU kernel ``torchvision/csrc/ops/cpu/nms_kernel.cpp``: visit boxes by
decreasing score, keep one, suppress every later box whose IoU with it is *strictly*
greater than the threshold.  Like torchvision, these functions do not check that
``x1 < x2`` and ``y1 < y2`` (its documented precondition).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .errors import SolverError

__all__ = ["NmsTrace", "box_area", "box_iou", "generalized_box_iou", "nms", "nms_trace"]


def _boxes(boxes: Sequence[Sequence[float]] | np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(boxes, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise SolverError(f"{name} should be an (N, 4) array of (x1, y1, x2, y2), got shape "
                          f"{arr.shape}")
    return arr


def box_area(boxes: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """torchvision.ops.box_area (xyxy): ``(x2 − x1) · (y2 − y1)``."""
    b = _boxes(boxes, "boxes")
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def _inter_union(b1: np.ndarray, b2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lt = np.maximum(b1[:, None, :2], b2[None, :, :2])
    rb = np.minimum(b1[:, None, 2:], b2[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    union = box_area(b1)[:, None] + box_area(b2)[None, :] - inter
    return inter, union


def box_iou(boxes1: Sequence[Sequence[float]] | np.ndarray,
            boxes2: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """torchvision.ops.box_iou: the (N, M) matrix ``inter / (area1 + area2 − inter)``."""
    inter, union = _inter_union(_boxes(boxes1, "boxes1"), _boxes(boxes2, "boxes2"))
    with np.errstate(divide="ignore", invalid="ignore"):  # torch gives nan/inf here too
        return inter / union


def generalized_box_iou(boxes1: Sequence[Sequence[float]] | np.ndarray,
                        boxes2: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """torchvision.ops.generalized_box_iou: ``IoU − (C − union) / C`` with ``C`` the area of
    the smallest box enclosing both."""
    b1, b2 = _boxes(boxes1, "boxes1"), _boxes(boxes2, "boxes2")
    inter, union = _inter_union(b1, b2)
    lti = np.minimum(b1[:, None, :2], b2[None, :, :2])
    rbi = np.maximum(b1[:, None, 2:], b2[None, :, 2:])
    whi = np.clip(rbi - lti, 0, None)
    areai = whi[..., 0] * whi[..., 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        return inter / union - (areai - union) / areai


class NmsTrace(NamedTuple):
    """What NMS did: the visiting order, the kept indices, and who suppressed whom."""

    order: list[int]  # indices by decreasing score (a stable sort)
    keep: list[int]
    suppressed_by: dict[int, tuple[int, float]]  # index -> (kept index, IoU > threshold)


def nms_trace(boxes: Sequence[Sequence[float]] | np.ndarray, scores: Sequence[float],
              iou_threshold: float) -> NmsTrace:
    """torchvision.ops.nms (CPU kernel) with its record: greedy by decreasing score; a box
    is suppressed when its IoU with a kept box is > ``iou_threshold``."""
    b = np.asarray(boxes, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    if b.ndim != 2:
        raise SolverError(f"boxes should be a 2d tensor, got {b.ndim}D")
    if b.shape[1] != 4:
        raise SolverError(f"boxes should have 4 elements in dimension 1, got {b.shape[1]}")
    if s.ndim != 1:
        raise SolverError(f"scores should be a 1d tensor, got {s.ndim}D")
    if b.shape[0] != s.shape[0]:
        raise SolverError("boxes and scores should have same number of elements in dimension "
                          f"0, got {b.shape[0]} and {s.shape[0]}")
    order = [int(i) for i in np.argsort(-s, kind="stable")]
    iou = box_iou(b, b) if len(b) else np.zeros((0, 0))
    keep: list[int] = []
    suppressed: dict[int, tuple[int, float]] = {}
    for pos, i in enumerate(order):
        if i in suppressed:
            continue
        keep.append(i)
        for j in order[pos + 1:]:
            if j not in suppressed and iou[i, j] > iou_threshold:
                suppressed[j] = (i, float(iou[i, j]))
    return NmsTrace(order, keep, suppressed)


def nms(boxes: Sequence[Sequence[float]] | np.ndarray, scores: Sequence[float],
        iou_threshold: float) -> list[int]:
    """torchvision.ops.nms: indices of the kept boxes, by decreasing score."""
    return nms_trace(boxes, scores, iou_threshold).keep
