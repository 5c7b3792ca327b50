"""What the exercise families share: resampling, parameter access, text formatting."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

from trainer.exercises.answers import fixed
from trainer.exercises.base import ExpectedAnswer, Family, Instance
from trainer.exercises.solver import SolverError

Text = dict[str, str]  # one text per language, keyed by LANGS
LANGS = ("en", "zh")

MATRIX_HINT: Text = {
    "en": "Type the matrix row by row, e.g. `1 2; 3 4` or one row per line.",
    "zh": "按行输入矩阵，例如 `1 2; 3 4`，也可以每行单独一行。",
}
SHAPE_HINT: Text = {
    "en": "Answer as H × W (for example `12 × 20` or `12x20`).",
    "zh": "按 H × W 的格式作答（例如 `12 × 20` 或 `12x20`）。",
}


def rounding(decimals: int | None) -> Text:
    """The rounding sentence of a prompt (and ``Instance.rounding_note``)."""
    if decimals is None:
        return {"en": "Give exact values (e.g. `0.25` or `1/4`).",
                "zh": "请给出精确值（例如 `0.25` 或 `1/4`）。"}
    return {"en": f"Round to {decimals} decimals.", "zh": f"保留 {decimals} 位小数。"}


def pick(rng: np.random.Generator, options: Sequence[Any]) -> Any:
    """One of ``options`` (its own Python type, not a NumPy scalar)."""
    return options[int(rng.integers(len(options)))]


def randint(rng: np.random.Generator, low: int, high: int) -> int:
    """A Python int in ``[low, high]`` (both included)."""
    return int(rng.integers(low, high + 1))


def need(params: dict[str, Any], key: str) -> Any:
    """``params[key]``, or a SolverError saying which parameter is missing."""
    if key not in params:
        raise SolverError(f"missing parameter {key!r}")
    return params[key]


def pair(value: Any) -> list[int]:
    """An int or a 2-sequence as a list of two ints (the JSON form of torch's ``_pair``)."""
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise SolverError(f"expected an int or a pair of ints, got {value!r}")
        return [int(value[0]), int(value[1])]
    return [int(value), int(value)]


def one_of(params: dict[str, Any], key: str, options: Sequence[Any]) -> Any:
    value = need(params, key)
    if value not in options:
        raise SolverError(f"{key} must be one of {list(options)}, got {value!r}")
    return value


def num(value: float) -> str:
    """A number for a worked solution: integers plainly, others with up to 4 decimals."""
    if type(value) is int:
        return str(value)
    value = float(value)
    if value.is_integer() or abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    text = fixed(value, 4).rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def approx(value: float, decimals: int = 3) -> str:
    return fixed(value, decimals)


def signed(value: float) -> str:
    """``+ 3`` / ``- 3`` for a term in a sum (LaTeX minus)."""
    return f"- {num(-value)}" if value < 0 else f"+ {num(value)}"


def sum_tex(values: Any) -> str:
    """``3 + 1 - 3 - 1``: a sum written out, negative terms subtracted."""
    terms = [float(v) for v in values]
    if not terms:
        return "0"
    text = num(terms[0])
    for v in terms[1:]:
        text += f" {signed(v)}"
    return text


def paren(value: float) -> str:
    """A number, in parentheses when negative (for products)."""
    return f"({num(value)})" if value < 0 else num(value)


def size_tex(dims: Sequence[int]) -> str:
    return " \\times ".join(str(int(d)) for d in dims)


def exact_decimals(values: Any, limit: int = 3) -> int | None:
    """None when every value is exactly written with at most ``limit`` decimals (and short),
    else ``limit``: the answer is then asked rounded."""
    arr = np.asarray(values, dtype=np.float64)
    scaled = arr * 10**limit
    if np.all(np.abs(scaled - np.round(scaled)) < 1e-6) and np.all(np.abs(arr) < 1000):
        return None
    return limit


def grid(rows: Any, fmt: Any = num, marks: set[tuple[int, int]] | None = None,
         blank: set[tuple[int, int]] | None = None) -> list[str]:
    """Right-aligned lines of a matrix; ``marks`` cells get [brackets], ``blank`` shows ``·``."""
    marks = marks or set()
    blank = blank or set()
    if isinstance(rows, np.ndarray):
        rows = rows.tolist()  # Python floats format much faster than NumPy scalars
    cells = [[("·" if (i, j) in blank else fmt(v)) for j, v in enumerate(row)]
             for i, row in enumerate(rows)]
    width = max((len(c) for row in cells for c in row), default=1)
    lines = []
    for i, row in enumerate(cells):
        parts = []
        for j, cell in enumerate(row):
            if (i, j) in marks:
                parts.append(f"[{cell.rjust(width)}]")
            else:
                parts.append(f" {cell.rjust(width)} ")
        lines.append("".join(parts).rstrip())
    return lines


def fenced(lines: Sequence[str]) -> str:
    return "```\n" + "\n".join(lines) + "\n```"


def side_by_side(blocks: Sequence[Sequence[str]], gap: int = 4) -> list[str]:
    """Place several blocks of lines next to each other (top-aligned)."""
    if not blocks:
        return []
    widths = [max((len(line) for line in block), default=0) for block in blocks]
    height = max(len(block) for block in blocks)
    lines = []
    for r in range(height):
        parts = [(block[r] if r < len(block) else "").ljust(w)
                 for block, w in zip(blocks, widths, strict=True)]
        lines.append((" " * gap).join(parts).rstrip())
    return lines


def matrix_value(array: Any) -> list[list[float]]:
    """A 2-D array as JSON-friendly rows of Python floats (``-0.0`` made ``0.0``)."""
    arr = np.asarray(array, dtype=np.float64) + 0.0
    return [[float(v) for v in row] for row in arr]


class ExerciseFamily(Family):
    """A family whose parameters are drawn, checked by the solver, and posed.

    Subclasses implement ``draw`` (random candidate parameters), ``solve`` (the solver's
    results; raises SolverError for invalid parameters) and ``pose``; ``accept`` may reject
    valid but uninteresting draws.

    ``pose`` computes first, then writes: the numbers of the instance go into a small
    NamedTuple (a "work", e.g. ``BatchNormWork``), and module functions write the prompt and
    the worked solution from it, one text per language of ``LANGS``.
    """

    max_tries = 1000

    def sample_params(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        for _ in range(self.max_tries):
            params = self.draw(level, rng)
            try:
                solved = self.solve(params)
            except SolverError:
                continue
            if self.accept(params, level, solved):
                self._recent = (params, solved)
                return params
        raise RuntimeError(f"{self.name}: no valid parameters after {self.max_tries} draws")

    _recent: tuple[dict[str, Any], Any] | None = None

    def solved(self, params: dict[str, Any]) -> Any:
        """``solve(params)``, reusing the result ``sample_params`` just computed for them."""
        recent = self._recent  # one read: safe if another thread replaces it meanwhile
        if recent is not None and recent[0] is params:
            return recent[1]
        return self.solve(params)

    @abstractmethod
    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        """Candidate parameters for ``level`` (may be invalid: they are checked by ``solve``)."""

    @abstractmethod
    def solve(self, params: dict[str, Any]) -> Any:
        """The solver's results for ``params``; raises SolverError when they are invalid."""

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        return True

    def instance(self, params: dict[str, Any], level: int, seed: int | None,
                 expected: ExpectedAnswer, prompt: Text, solution: Text,
                 note: Text | None = None) -> Instance:
        if level not in (1, 2, 3):
            raise SolverError(f"level must be 1, 2 or 3, not {level!r}")
        return Instance(family=self.name, level=level, seed=seed, params=params,
                        prompt=prompt, expected=expected, solution=solution,
                        rounding_note={k: v for k, v in (note or {}).items() if v})
