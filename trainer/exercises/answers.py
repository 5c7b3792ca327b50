"""Answers as people type them: parse the text, compare it with the expected answer.

Typed text is NFKC-normalised first, so full-width digits and punctuation (``１４``,
``（１４，１４）``) read like ASCII, and the Unicode minus ``−`` and the times sign ``×`` are
understood.  Accepted forms:

- integers: ``14``, ``-3``, ``1,234,567`` / ``1 234 567`` / ``1_234_567`` (groups of three
  only), and integral decimals such as ``14.0`` or ``1e3``;
- shapes: ``14x14``, ``14 × 14``, ``14*14``, ``(14, 14)``, ``[14,14]``, ``14, 14``, ``14 14``;
- numbers: ``0.125``, ``.5``, ``1e-3``, ``1/8``, ``12.5%``, and the integer forms;
- matrices: ``[[1,2],[3,4]]``, ``1 2; 3 4``, or one row per line.

Anything else raises :class:`AnswerParseError` (a ``ValueError``) whose message says what
was expected; :func:`check_answer` turns that into a ``CheckResult`` with ``correct=None``.

Numbers compare after rounding: with ``decimals = d`` the typed value is right when it
rounds (half up or half down) to a ``d``-decimal value within ``0.5 * 10**-d`` of the
expected one, which is ``round(typed, d) == round(expected, d)`` with both roundings
accepted at an exact tie.  The arithmetic is exact (``fractions.Fraction``), with a
``1e-12`` relative slack for the float noise of the expected value.

The expected answer (:class:`ExpectedAnswer`) and the verdict (:class:`CheckResult`) are
defined here, beside the parsing; ``trainer.exercises.base`` imports them, never the reverse.
"""

from __future__ import annotations

import math
import re
import unicodedata
from fractions import Fraction
from typing import Any, Literal

from trainer.core.model import Model

__all__ = [
    "MAX_INPUT_CHARS",
    "AnswerKind",
    "AnswerParseError",
    "CheckResult",
    "ExpectedAnswer",
    "check_answer",
    "fixed",
    "parse_integer",
    "parse_matrix",
    "parse_number",
    "parse_sequence",
    "parse_shape",
]

MAX_INPUT_CHARS = 10_000
_MAX_TOKEN_CHARS = 80  # one number: more characters than this is not a human answer
_MAX_EXPONENT = 400  # beyond float range either way; caps the exact arithmetic
_MAX_ENTRIES = 1_000
_MAX_DIMS = 8
_ECHO_CHARS = 40

_INTEGER_HINT = "expected a whole number like 14 or 1,234"
_SHAPE_HINT = "expected a shape like 14 × 14, 14x14 or (14, 14)"
_NUMBER_HINT = "expected a number like 0.125, -3, 1e-3 or 1/8"
_MATRIX_HINT = "expected a matrix like [[1, 2], [3, 4]] or 1 2; 3 4 (one row per line or ';')"


AnswerKind = Literal["integer", "shape", "number", "matrix", "sequence"]


class ExpectedAnswer(Model):
    """The exact answer and how a typed answer is compared with it.

    - ``integer``: ``value`` is an int; typed ``1,234``, ``１４`` are accepted.
    - ``shape``: ``value`` is a list of ints; typed ``14x14``, ``14×14``, ``(14, 14)``.
    - ``sequence``: ``value`` is a list of ints in order (e.g. the boxes NMS keeps); typed
      ``2, 1, 3`` or ``2 1 3``; a different count is a wrong answer, not a shorthand.
    - ``number``: ``value`` is a float; correct when it rounds to the same ``decimals``.
    - ``matrix``: ``value`` is a list of rows (lists of floats); each entry compared as a
      number with ``decimals``; ``rows``/``cols`` give the grid the UI shows.
    """

    kind: AnswerKind
    value: Any
    decimals: int | None = None
    rows: int | None = None
    cols: int | None = None

    def display(self) -> str:
        if self.kind == "integer":
            return f"{self.value:,}"
        if self.kind == "shape":
            return " × ".join(str(v) for v in self.value)
        if self.kind == "sequence":
            return ", ".join(str(v) for v in self.value)
        if self.kind == "number":
            return _number(self.value, self.decimals)
        return "\n".join("  ".join(_number(v, self.decimals) for v in row) for row in self.value)


def _number(value: float, decimals: int | None) -> str:
    if decimals is None:
        return f"{value:g}"
    return fixed(value, decimals)


def fixed(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` decimals, a half rounded away from zero as people do
    (6.0625 -> 6.063; ``format`` rounds half to even: 6.062 beside 6.1875 -> 6.188). The
    value is read as written (its shortest repr), so 2.675 -> 2.68."""
    value = float(value)
    written = repr(value)
    _, dot, digits = written.partition(".")
    if "e" in written or not dot or len(digits) != decimals + 1 or digits[-1] != "5":
        text = f"{value:.{decimals}f}"  # not a written half: format rounds it the same
    else:  # a half as written (6.0625 to 3 decimals): away from zero
        from decimal import ROUND_HALF_UP, Decimal

        text = f"{Decimal(written).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP):f}"
    return text.lstrip("-") if float(text) == 0 else text


class CheckResult(Model):
    """``correct`` is None when the typed text could not be read (no grade is given)."""

    correct: bool | None
    message: str
    parsed: Any = None


class AnswerParseError(ValueError):
    """The typed text is not an answer of the expected kind; the message says what was."""


# Characters NFKC leaves alone but people use: minus signs, times signs, CJK commas.
_TRANSLATE = str.maketrans({
    "\u2212": "-",  # minus sign
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",  # hyphens, dashes
    "\u00d7": "x", "\u2715": "x", "\u2716": "x", "\u2a2f": "x",  # times signs
    "\u22c5": "*", "\u2217": "*",  # dot operator, asterisk operator
    "\u3001": ",",  # ideographic comma
    "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None,  # zero-width characters
    "\t": " ", "\r": "\n", "\u2028": "\n", "\u2029": "\n",
})

_DIGITS = r"[0-9]"
_PLAIN = rf"{_DIGITS}+"
_GROUPED = rf"{_DIGITS}{{1,3}}(?:(?P<sep>[, _']){_DIGITS}{{3}})(?:(?P=sep){_DIGITS}{{3}})*"
_INTEGER_RE = re.compile(rf"(?P<sign>[+-]?)(?P<body>{_GROUPED}|{_PLAIN})")
_DECIMAL_RE = re.compile(
    rf"(?P<sign>[+-]?)(?P<body>{_GROUPED}|{_PLAIN})?(?:\.(?P<frac>{_DIGITS}*))?"
    rf"(?:[eE](?P<exp>[+-]?{_DIGITS}+))?(?P<pct>\s*%)?"
)
_FRACTION_RE = re.compile(r"(?P<num>[^/]+)/(?P<den>[^/]+)")
_NONFINITE_RE = re.compile(r"[+-]?(?:nan|inf(?:inity)?|∞)", re.IGNORECASE)
_PREFIX_RE = re.compile(r"^(?:=|≈|~|about\s)\s*", re.IGNORECASE)


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_RUN_RE = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")


def _prepare(text: str, hint: str) -> str:
    if not isinstance(text, str):
        raise AnswerParseError(f"{hint} (got no text)")
    if len(text) > MAX_INPUT_CHARS:
        raise AnswerParseError(f"the answer is too long ({len(text):,} characters); {hint}")
    # 10⁶ is a power: NFKC alone would make it 106.
    text = _SUPERSCRIPT_RUN_RE.sub(lambda m: "^" + m[0].translate(_SUPERSCRIPTS), text)
    normal = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    if len(normal) > MAX_INPUT_CHARS:
        raise AnswerParseError(f"the answer is too long; {hint}")
    normal = normal.strip()
    if not normal:
        raise AnswerParseError(f"empty answer: {hint}")
    return normal


def _echo(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _ECHO_CHARS else text[: _ECHO_CHARS - 1] + "…"


# What people write around a number: a unit or a count word after it, a scale word or
# letter (1.2k, 1.2M, 120万, 1.2 million), a power of ten (1.2 × 10^6), a working before
# an equals sign (1/8 = 0.125).
_UNIT_WORDS = (r"params?|parameters?|macs?|flops?|px|pixels?|bytes?|elements?|weights?|"
               r"values?|tokens?|entries|multiply-accumulates|个参数|参数量?|个|次|像素|字节")
_SCALES = {"k": 10**3, "thousand": 10**3, "千": 10**3, "m": 10**6, "mn": 10**6,
           "million": 10**6, "百万": 10**6, "g": 10**9, "bn": 10**9, "billion": 10**9,
           "万": 10**4, "亿": 10**8}
_SCALED_RE = re.compile(
    rf"(?P<num>.*?[0-9.%])\s*(?P<scale>{'|'.join(sorted(_SCALES, key=len, reverse=True))})?"
    rf"\s*(?:{_UNIT_WORDS})?", re.IGNORECASE)
_POWER_RE = re.compile(r"(?P<mantissa>.+?)\s*[x*·]\s*10\s*\^\s*\(?(?P<exp>[+-]?[0-9]+)\)?")


def _exact_number(token: str, hint: str) -> Fraction:
    """One number token (already normalised and stripped) as an exact fraction."""
    token = _PREFIX_RE.sub("", token.strip())
    if "=" in token:  # a working shown first: the answer is what it equals
        token = _PREFIX_RE.sub("", token.rsplit("=", 1)[1].strip())
    if not token:
        raise AnswerParseError(f"empty answer: {hint}")
    power = _POWER_RE.fullmatch(token)
    if power and len(token) <= _MAX_TOKEN_CHARS:
        exponent = int(power["exp"])
        if abs(exponent) > _MAX_EXPONENT:
            raise AnswerParseError(f"{_echo(token)!r} is out of range; {hint}")
        return _finite(_exact_number(power["mantissa"], hint) * Fraction(10) ** exponent, hint)
    scaled = _SCALED_RE.fullmatch(token)
    if scaled and scaled["num"] != token and len(token) <= _MAX_TOKEN_CHARS:
        factor = _SCALES[scaled["scale"].lower()] if scaled["scale"] else 1
        return _finite(_exact_number(scaled["num"].strip(), hint) * factor, hint)
    if len(token) > _MAX_TOKEN_CHARS:
        raise AnswerParseError(f"that number is too long; {hint}")
    if _NONFINITE_RE.fullmatch(token):
        raise AnswerParseError(f"the answer must be a finite number; {hint}")
    fraction = _FRACTION_RE.fullmatch(token)
    if fraction:
        num = _exact_decimal(fraction["num"].strip(), hint)
        den = _exact_decimal(fraction["den"].strip(), hint)
        if den == 0:
            raise AnswerParseError(f"division by zero in {_echo(token)!r}; {hint}")
        return _finite(num / den, hint)
    return _finite(_exact_decimal(token, hint), hint)


def _exact_decimal(token: str, hint: str) -> Fraction:
    match = _DECIMAL_RE.fullmatch(token)
    if not match or not (match["body"] or match["frac"]):
        if re.fullmatch(r"[+-]?[0-9]+,[0-9]+", token):
            raise AnswerParseError(
                f"{_echo(token)!r}: use a dot for decimals (a comma only groups thousands); "
                f"{hint}")
        raise AnswerParseError(f"could not read {_echo(token)!r}; {hint}")
    digits = re.sub(r"[, _']", "", match["body"] or "0")
    frac = match["frac"] or ""
    exponent = int(match["exp"]) if match["exp"] else 0
    if abs(exponent) > _MAX_EXPONENT:
        raise AnswerParseError(f"{_echo(token)!r} is out of range; {hint}")
    value = Fraction(int(digits + frac), 10 ** len(frac)) * Fraction(10) ** exponent
    if match["pct"]:
        value /= 100
    return -value if match["sign"] == "-" else value


def _finite(value: Fraction, hint: str) -> Fraction:
    try:
        as_float = float(value)
    except OverflowError:
        raise AnswerParseError(f"that number is too large; {hint}") from None
    if not math.isfinite(as_float):
        raise AnswerParseError(f"that number is too large; {hint}")
    return value


def _integer_token(token: str, hint: str) -> int:
    token = token.strip()
    match = _INTEGER_RE.fullmatch(token)
    if match:
        if len(token) > _MAX_TOKEN_CHARS:
            raise AnswerParseError(f"that number is too long; {hint}")
        value = int(re.sub(r"[, _']", "", match["body"]))
        return -value if match["sign"] == "-" else value
    if re.fullmatch(r"[+-]?[0-9][0-9, _']*", token):
        raise AnswerParseError(
            f"{_echo(token)!r}: separators must group exactly three digits; {hint}")
    exact = _exact_number(token, hint)
    if exact.denominator != 1:
        raise AnswerParseError(f"{_echo(token)!r} is not a whole number; {hint}")
    return exact.numerator


def parse_integer(text: str) -> int:
    """A whole number: ``14``, ``-3``, ``1,234,567``, ``1 234 567``, ``１４``, ``14.0``, ``1e3``."""
    return _integer_token(_prepare(text, _INTEGER_HINT), _INTEGER_HINT)


def parse_number(text: str) -> float:
    """A finite number: ``0.125``, ``.5``, ``-3``, ``−3``, ``1e-3``, ``1/8``, ``12.5%``.

    Thousands separators (``1,234.5``) and full-width forms (``０．５``) are accepted too.
    """
    return float(_parse_number_exact(text))


def _parse_number_exact(text: str) -> Fraction:
    return _exact_number(_prepare(text, _NUMBER_HINT), _NUMBER_HINT)


_SIZE_CALL_RE = re.compile(r"(?:torch\.)?size\s*\((.*)\)", re.IGNORECASE | re.DOTALL)
_BRACKETS = {"(": ")", "[": "]"}


def _unwrap(text: str) -> str:
    """Strip a ``torch.Size(...)`` call and matching outer brackets."""
    call = _SIZE_CALL_RE.fullmatch(text)
    if call:
        text = call[1].strip()
    while len(text) >= 2 and text[0] in _BRACKETS and text[-1] == _BRACKETS[text[0]]:
        text = text[1:-1].strip()
    return text


def parse_shape(text: str) -> tuple[int, ...]:
    """A shape: ``14x14``, ``14 × 14``, ``14*14``, ``(14, 14)``, ``[14,14]``, ``14, 14``, ``14``.

    With ``x``/``×``/``*`` separators a size may group thousands (``1,024 x 768``); otherwise
    commas (or spaces) separate the sizes.  Sizes must be positive.
    """
    body = _unwrap(re.sub(r"\s+by\s+", " x ", _prepare(text, _SHAPE_HINT), flags=re.I))
    body = re.sub(rf"\s*(?:{_UNIT_WORDS})\b", "", body, flags=re.IGNORECASE).strip()
    if not body:
        raise AnswerParseError(f"empty shape: {_SHAPE_HINT}")
    if re.search(r"[xX*]", body):
        parts = re.split(r"[xX*]", body)
    elif "," in body:
        parts = body.split(",")
        if len(parts) > 1 and not parts[-1].strip():
            parts = parts[:-1]  # (14,) is a one-dimensional shape
    else:
        parts = body.split()
    if len(parts) > _MAX_DIMS:
        raise AnswerParseError(f"too many dimensions ({len(parts)}); {_SHAPE_HINT}")
    dims = []
    for part in parts:
        part = part.strip()
        if not part:
            raise AnswerParseError(f"a size is missing in {_echo(body)!r}; {_SHAPE_HINT}")
        value = _integer_token(part, _SHAPE_HINT)
        if value <= 0:
            raise AnswerParseError(f"sizes are positive, got {value}; {_SHAPE_HINT}")
        dims.append(value)
    return tuple(dims)


_ROW_BOUNDARY_RE = re.compile(r"[\])]\s*[,;]?\s*[\[(]")
_ARRAY_CALL_RE = re.compile(
    r"(?:torch\.|np\.|numpy\.)?(?:tensor|array|matrix)\s*\((.*)\)", re.IGNORECASE | re.DOTALL)


def parse_matrix(text: str) -> list[list[float]]:
    """A matrix: ``[[1,2],[3,4]]``, ``1 2; 3 4``, or rows on separate lines.

    Entries are separated by commas and/or spaces and may be fractions (``1/4``); every row
    must have the same length.
    """
    return [[float(v) for v in row] for row in _parse_matrix_exact(text)]


def _parse_matrix_exact(text: str) -> list[list[Fraction]]:
    body = _prepare(text, _MATRIX_HINT)
    call = _ARRAY_CALL_RE.fullmatch(body)
    if call:
        body = call[1].strip()
    body = _ROW_BOUNDARY_RE.sub("\n", body.replace("|", " "))
    body = body.strip().lstrip("[(").rstrip("])").strip()
    if any(c in body for c in "[]()"):
        raise AnswerParseError(f"unbalanced brackets; {_MATRIX_HINT}")
    rows = []
    count = 0
    for line in re.split(r"[;\n]", body):
        line = line.strip().strip(",").strip()
        if not line:
            continue
        tokens = [t for t in re.split(r"[,\s]+", line) if t]
        count += len(tokens)
        if count > _MAX_ENTRIES:
            raise AnswerParseError(f"too many entries; {_MATRIX_HINT}")
        rows.append([_exact_number(t, _MATRIX_HINT) for t in tokens])
    if not rows:
        raise AnswerParseError(f"empty matrix: {_MATRIX_HINT}")
    lengths = sorted({len(r) for r in rows})
    if len(lengths) > 1:
        raise AnswerParseError(
            "rows have different lengths ("
            + ", ".join(str(len(r)) for r in rows)
            + f"); {_MATRIX_HINT}")
    return rows


# ------------------------------------------------------------------------ comparison

def _number_matches(typed: Fraction, expected: float, decimals: int | None) -> bool:
    """``round(typed, d) == round(expected, d)``, exactly, both roundings accepted at ties."""
    fast = _number_matches_fast(float(typed), expected, decimals)
    if fast is not None:
        return fast
    exp = Fraction(expected)
    slack = Fraction(1, 10**12) * max(Fraction(1), abs(exp))  # float noise of the expected value
    if decimals is None:
        return abs(typed - exp) <= slack
    unit = Fraction(1, 10**decimals)
    slack = min(slack, unit / 100)
    base = math.floor(exp / unit)
    accepted = {n for n in (base - 1, base, base + 1, base + 2)
                if abs(n * unit - exp) <= unit / 2 + slack}
    scaled = typed / unit
    low = math.floor(scaled)
    rest = scaled - low
    rounded = {low} if rest < Fraction(1, 2) else {low + 1} if rest > Fraction(1, 2) \
        else {low, low + 1}
    return bool(rounded & accepted)


def _number_matches_fast(typed: float, expected: float, decimals: int | None) -> bool | None:
    """The float answer of :func:`_number_matches` when no tie or tolerance edge is near."""
    if decimals is None:
        diff, tol = abs(typed - expected), 1e-12 * max(1.0, abs(expected))
        return False if diff > 2 * tol else True if diff < tol / 2 else None
    scale = 10.0**decimals
    ts, es = typed * scale, expected * scale
    if not (abs(ts) < 1e9 and abs(es) < 1e9):
        return None
    if abs(ts - math.floor(ts) - 0.5) < 1e-5 or abs(es - math.floor(es) - 0.5) < 0.02:
        return None
    return round(ts) == round(es)


def _format_number(value: float, decimals: int | None) -> str:
    text = f"{value:g}" if decimals is None else f"{value:.{decimals}f}"
    return text.lstrip("-") if float(text) == 0 else text


def _shape_text(dims: tuple[int, ...] | list[int]) -> str:
    return " × ".join(str(d) for d in dims)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def check_answer(expected: ExpectedAnswer, typed: str) -> CheckResult:
    """Compare ``typed`` with ``expected``; ``correct`` is None when the text cannot be read."""
    try:
        if expected.kind == "integer":
            return _check_integer(expected, typed)
        if expected.kind == "shape":
            return _check_shape(expected, typed)
        if expected.kind == "number":
            return _check_number(expected, typed)
        if expected.kind == "matrix":
            return _check_matrix(expected, typed)
        if expected.kind == "sequence":
            return _check_sequence(expected, typed)
    except AnswerParseError as error:
        return CheckResult(correct=None, message=str(error))
    raise ValueError(f"unknown answer kind {expected.kind!r}")


def _check_integer(expected: ExpectedAnswer, typed: str) -> CheckResult:
    value = parse_integer(typed)
    answer = expected.display()
    if value == int(expected.value):
        return CheckResult(correct=True, message=f"Correct: {answer}", parsed=value)
    return CheckResult(correct=False, parsed=value,
                       message=f"Not quite: the answer is {answer} (you wrote {value:,})")


def _check_shape(expected: ExpectedAnswer, typed: str) -> CheckResult:
    dims = parse_shape(typed)
    want = tuple(int(v) for v in expected.value)
    answer = expected.display()
    if len(dims) != len(want):  # a shorthand (25 for 25 × 25), not a wrong answer: no grade
        example = " × ".join("N" for _ in want)
        raise AnswerParseError(f"you wrote {_plural(len(dims), 'size')}; the answer has "
                               f"{len(want)}: type all of them, like {example}")
    if dims == want:
        return CheckResult(correct=True, message=f"Correct: {answer}", parsed=list(dims))
    return CheckResult(correct=False, parsed=list(dims),
                       message=f"Not quite: the answer is {answer} "
                               f"(you wrote {_shape_text(dims)})")


_DECIMAL_COMMA_RE = re.compile(r"[+-]?[0-9]{1,3},[0-9]{3}")


_SEQUENCE_HINT = "expected whole numbers in order, like 2, 1, 3"


def parse_sequence(text: str) -> list[int]:
    """Whole numbers in order: ``2, 1, 3``, ``2 1 3``, ``[2, 1, 3]``, ``2、1、3``."""
    body = _unwrap(_prepare(text, _SEQUENCE_HINT))
    parts = [p for p in re.split(r"[,;\s]+", body) if p]
    if not parts:
        raise AnswerParseError(f"empty answer: {_SEQUENCE_HINT}")
    if len(parts) > _MAX_ENTRIES:
        raise AnswerParseError(f"too many numbers; {_SEQUENCE_HINT}")
    return [_integer_token(p, _SEQUENCE_HINT) for p in parts]


def _check_sequence(expected: ExpectedAnswer, typed: str) -> CheckResult:
    values = parse_sequence(typed)
    want = [int(v) for v in expected.value]
    answer = expected.display()
    if values == want:
        return CheckResult(correct=True, message=f"Correct: {answer}", parsed=values)
    return CheckResult(correct=False, parsed=values, message=(
        f"Not quite: the answer is {answer} (you wrote {', '.join(map(str, values))})"))


def _check_number(expected: ExpectedAnswer, typed: str) -> CheckResult:
    normal = _prepare(typed, _NUMBER_HINT)
    if _DECIMAL_COMMA_RE.fullmatch(normal) and float(expected.value) != int(expected.value):
        # 0,125 or -1,342: a decimal comma or a thousands separator? Ask, do not grade.
        dot, whole = normal.replace(",", "."), normal.replace(",", "")
        raise AnswerParseError(f"{normal!r}: is the comma a decimal point? Write {dot} "
                               f"(or {whole} for the whole number)")
    value = _exact_number(normal, _NUMBER_HINT)
    answer = expected.display()
    if _number_matches(value, float(expected.value), expected.decimals):
        return CheckResult(correct=True, message=f"Correct: {answer}", parsed=float(value))
    rounding = "" if expected.decimals is None else \
        f", rounded to {_plural(expected.decimals, 'decimal')}"
    return CheckResult(correct=False, parsed=float(value),
                       message=f"Not quite: the answer is {answer}{rounding} "
                               f"(you wrote {_echo(normal)})")


def _check_matrix(expected: ExpectedAnswer, typed: str) -> CheckResult:
    rows = _parse_matrix_exact(typed)
    want = [[float(v) for v in row] for row in expected.value]
    want_shape = (len(want), len(want[0]) if want else 0)
    flat = [v for row in rows for v in row]
    if len(rows) == 1 and want_shape[0] > 1 and len(flat) == want_shape[0] * want_shape[1]:
        # one line of all the entries: read row by row
        rows = [flat[i:i + want_shape[1]] for i in range(0, len(flat), want_shape[1])]
    parsed = [[float(v) for v in row] for row in rows]
    answer = expected.display()
    got_shape = (len(rows), len(rows[0]))
    if got_shape != want_shape:  # the grid's shape is no secret: ask again, no grade
        raise AnswerParseError(f"you wrote a {_shape_text(got_shape)} matrix; the answer is "
                               f"{_shape_text(want_shape)} ({want_shape[0] * want_shape[1]} "
                               f"entries, row by row); {_MATRIX_HINT}")
    wrong = [(i, j) for i, row in enumerate(want) for j, v in enumerate(row)
             if not _number_matches(rows[i][j], v, expected.decimals)]
    if not wrong:
        return CheckResult(correct=True, message=f"Correct:\n{answer}", parsed=parsed)
    i, j = wrong[0]
    total = want_shape[0] * want_shape[1]
    first = (f"row {i + 1}, column {j + 1}: the answer is "
             f"{_format_number(want[i][j], expected.decimals)}, you wrote "
             f"{_format_number(parsed[i][j], None)}")
    rounding = "" if expected.decimals is None else \
        f" (rounded to {_plural(expected.decimals, 'decimal')})"
    return CheckResult(correct=False, parsed=parsed, message=(
        f"Not quite: {len(wrong)} of {total} entries differ, first at {first}. "
        f"The answer is{rounding}:\n{answer}"))
