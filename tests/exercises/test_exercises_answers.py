"""Typed answers: every accepted form, every rejection, and property tests of the parsers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.exercises.answers import (
    MAX_INPUT_CHARS,
    AnswerParseError,
    check_answer,
    parse_integer,
    parse_matrix,
    parse_number,
    parse_shape,
)
from trainer.exercises.base import ExpectedAnswer

PROPERTY = settings(derandomize=True, database=None, max_examples=300, deadline=None)
FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


# ------------------------------------------------------------------ accepted forms

@pytest.mark.parametrize(("typed", "value"), [
    ("14", 14), (" 14 ", 14), ("\t14\n", 14), ("+14", 14), ("-3", -3), ("−3", -3),
    ("1,234,567", 1234567), ("1 234 567", 1234567), ("1_234_567", 1234567),
    ("1,234", 1234), ("12,345", 12345), ("123,456", 123456), ("0", 0),
    ("１４", 14), ("１，２３４", 1234), ("－３", -3), ("1\u00a0234", 1234), ("1\u202f234", 1234),
    ("14.0", 14), ("1e3", 1000), ("1.2e6", 1200000), ("8/2", 4), ("= 14", 14),
])
def test_parse_integer_accepts(typed: str, value: int) -> None:
    assert parse_integer(typed) == value


@pytest.mark.parametrize(("typed", "dims"), [
    ("14x14", (14, 14)), ("14 x 14", (14, 14)), ("14X14", (14, 14)), ("14×14", (14, 14)),
    ("14 × 14", (14, 14)), ("14*14", (14, 14)), ("(14, 14)", (14, 14)), ("[14,14]", (14, 14)),
    ("14, 14", (14, 14)), ("14 14", (14, 14)), ("（１４，１４）", (14, 14)),
    ("１４×１４", (14, 14)),
    ("7ｘ9", (7, 9)), ("64 × 28 × 28", (64, 28, 28)), ("(1, 3, 224, 224)", (1, 3, 224, 224)),
    ("torch.Size([1, 3, 8, 8])", (1, 3, 8, 8)), ("([14, 14])", (14, 14)), ("14", (14,)),
    ("(14,)", (14,)), ("1,024 x 768", (1024, 768)), (" 2 ✕ 3 ", (2, 3)),
])
def test_parse_shape_accepts(typed: str, dims: tuple[int, ...]) -> None:
    assert parse_shape(typed) == dims


@pytest.mark.parametrize(("typed", "value"), [
    ("0.125", 0.125), (".5", 0.5), ("-.5", -0.5), ("5.", 5.0), ("1e-3", 0.001), ("1E-3", 0.001),
    ("2.5e+2", 250.0), ("1/8", 0.125), ("-1/8", -0.125), ("3 / 8", 0.375), ("−0.5", -0.5),
    ("−1/4", -0.25), ("０．５", 0.5), ("１／８", 0.125), ("12.5%", 0.125), ("1,234.5", 1234.5),
    ("1 234.5", 1234.5), ("-3", -3.0), ("≈ 0.333", 0.333), ("0.1/0.4", 0.25), ("1e-400", 0.0),
])
def test_parse_number_accepts(typed: str, value: float) -> None:
    assert parse_number(typed) == pytest.approx(value, rel=1e-15, abs=0)


@pytest.mark.parametrize(("typed", "rows"), [
    ("[[1,2],[3,4]]", [[1, 2], [3, 4]]),
    ("[[1, 2], [3, 4]]", [[1, 2], [3, 4]]),
    ("1 2; 3 4", [[1, 2], [3, 4]]),
    ("1,2;3,4", [[1, 2], [3, 4]]),
    ("1 2\n3 4", [[1, 2], [3, 4]]),
    ("1 2\r\n3 4\n", [[1, 2], [3, 4]]),
    ("\n 1  2 \n\n 3  4 \n", [[1, 2], [3, 4]]),
    ("[1 2; 3 4]", [[1, 2], [3, 4]]),
    ("[[1. 2.]\n [3. 4.]]", [[1, 2], [3, 4]]),
    ("tensor([[1., 2.], [3., 4.]])", [[1, 2], [3, 4]]),
    ("((1, 2), (3, 4))", [[1, 2], [3, 4]]),
    ("[1, 2]\n[3, 4]", [[1, 2], [3, 4]]),
    ("0.25 -1/4; −0.5 .5", [[0.25, -0.25], [-0.5, 0.5]]),
    ("１　２；３　４", [[1, 2], [3, 4]]),
    ("| 1 | 2 |\n| 3 | 4 |", [[1, 2], [3, 4]]),
    ("7", [[7]]),
    ("1 2 3", [[1, 2, 3]]),
])
def test_parse_matrix_accepts(typed: str, rows: list[list[float]]) -> None:
    assert parse_matrix(typed) == [[float(v) for v in row] for row in rows]


# ------------------------------------------------------------------ rejections

REJECTED = ["", "   ", "\n\t", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "∞", "1e999",
            "-1e999", "9" * 81, "x" * (MAX_INPUT_CHARS + 1), "1" * (MAX_INPUT_CHARS + 1),
            "12abc", "abc", "1..2", "--3", "1/0", "0x10", "١٤", "3 apples"]


@pytest.mark.parametrize("typed", REJECTED)
@pytest.mark.parametrize("parse", [parse_integer, parse_number, parse_shape, parse_matrix])
def test_junk_is_rejected_with_a_message(parse, typed: str) -> None:
    with pytest.raises(AnswerParseError) as info:
        parse(typed)
    assert str(info.value)
    assert "expected" in str(info.value)


@pytest.mark.parametrize(("parse", "typed", "fragment"), [
    (parse_integer, "", "expected a whole number like 14 or 1,234"),
    (parse_integer, "1,23", "three digits"),
    (parse_integer, "12 34", "three digits"),
    (parse_integer, "1234,567", "three digits"),
    (parse_integer, "14.5", "not a whole number"),
    (parse_number, "0,5", "use a dot for decimals"),
    (parse_number, "nan", "finite"),
    (parse_number, "1e999", "out of range"),
    (parse_number, "9" * 60 + "e300", "too large"),
    (parse_shape, "14xx14", "missing"),
    (parse_shape, "0x14", "positive"),
    (parse_shape, "-3 x 4", "positive"),
    (parse_shape, "14 x 1.5", "not a whole number"),
    (parse_shape, " x ".join(["2"] * 9), "too many dimensions"),
    (parse_matrix, "1 2\n3", "different lengths"),
    (parse_matrix, "1 2; 3 4x", "could not read"),
    (parse_matrix, "1 2; 3 (4", "unbalanced"),
])
def test_rejection_messages_say_what_was_expected(parse, typed: str, fragment: str) -> None:
    with pytest.raises(AnswerParseError) as info:
        parse(typed)
    assert fragment in str(info.value)


def test_answer_parse_error_is_a_value_error() -> None:
    assert issubclass(AnswerParseError, ValueError)


# ------------------------------------------------------------------ check_answer

def _integer(v: int) -> ExpectedAnswer:
    return ExpectedAnswer(kind="integer", value=v)


def _shape(*dims: int) -> ExpectedAnswer:
    return ExpectedAnswer(kind="shape", value=list(dims))


def _number(v: float, d: int | None = 3) -> ExpectedAnswer:
    return ExpectedAnswer(kind="number", value=v, decimals=d)


def _matrix(rows: list[list[float]], d: int | None = None) -> ExpectedAnswer:
    return ExpectedAnswer(kind="matrix", value=rows, decimals=d, rows=len(rows),
                          cols=len(rows[0]))


@pytest.mark.parametrize(("expected", "typed", "correct"), [
    (_integer(1234567), "1 234 567", True),
    (_integer(1234567), "1,234,567", True),
    (_integer(1234567), "1234568", False),
    (_integer(14), "１４", True),
    (_shape(14, 14), "14×14", True),
    (_shape(14, 14), "(14, 14)", True),
    (_shape(14, 14), "13x14", False),
    # A wrong number of dimensions is a shorthand (25 for 25 × 25): asked again, no grade.
    (_shape(14, 14), "14", None),
    (_shape(14, 14), "14x14x1", None),
    (_shape(14, 14), "14 by 14", True),
    (_shape(14, 14), "14 px x 14 px", True),
    (_shape(64, 28, 28), "64 × 28 × 28", True),
    (_number(0.125), "0.125", True),
    (_number(0.125), "1/8", True),
    (_number(0.125), ".125", True),
    (_number(0.125), "0.1249", True),  # rounds to 0.125
    (_number(0.125), "0.13", False),  # 0.130 is not 0.125
    (_number(0.125), "0.124", False),
    (_number(0.1234), "0.123", True),
    (_number(0.1234), "0.1238", False),
    (_number(0.1235), "0.123", True),  # a tie (up to float noise): both roundings are accepted
    (_number(0.1235), "0.124", True),
    (_number(0.0625), "0.062", True),
    (_number(0.0625), "0.063", True),
    (_number(2 / 3), "0.667", True),
    (_number(2 / 3), "0.666", False),
    (_number(2 / 3), "2/3", True),
    (_number(-1.683), "−1.683", True),
    (_number(-1.6834), "-1.683", True),
    (_number(-1.6834), "1.683", False),
    (_number(1e-7), "0.000", True),
    (_number(1e-7), "-0.000", True),
    (_number(0.5, None), "0.5", True),
    (_number(0.5, None), "0.50001", False),
    (_number(3.0, 0), "3", True),
    (_number(3.0, 0), "2.6", True),
    (_number(3.0, 0), "2.4", False),
    (_matrix([[1, 0.5], [0, 2]]), "1 0.5; 0 2", True),
    (_matrix([[1, 0.5], [0, 2]]), "[[1, 1/2], [0, 2]]", True),
    (_matrix([[1, 0.5], [0, 2]]), "1 0.5; 0 3", False),
    (_matrix([[1, 0.5], [0, 2]]), "1 0.5 0 2", True),  # all entries on one line, row by row
    (_matrix([[1, 0.5], [0, 2]]), "1 0.5 0", None),  # 3 entries for 2 x 2: asked again
    (_integer(1_200_000), "1.2M", True),
    (_integer(1_200_000), "1200k", True),
    (_integer(1_200_000), "1.2 million", True),
    (_integer(1_200_000), "120万", True),
    (_integer(1_200_000), "1.2×10^6", True),
    (_integer(1_200_000), "1.2×10⁶", True),
    (_integer(1_200_000), "1.2e6 MACs", True),
    (_integer(1200), "1.2k", True),
    (_integer(1234), "1234 params", True),
    (_integer(14), "14 px", True),
    (_number(0.125), "1/8 = 0.125", True),
    (_number(-1.342), "-1,342", None),  # a decimal comma or thousands? asked, not graded
    (_number(0.5), "0,500", None),
    (_number(0.125), "0,125", None),
    (_matrix([[1 / 3, 2 / 3]], 3), "0.333 0.667", True),
    (_matrix([[1 / 3, 2 / 3]], 3), "0.333 0.666", False),
])
def test_check_answer(expected: ExpectedAnswer, typed: str, correct: bool | None) -> None:
    result = check_answer(expected, typed)
    assert result.correct is correct, result.message
    if correct is not None:
        assert result.message.startswith("Correct" if correct else "Not quite")
    else:  # asked again: the message must not give the answer away
        assert "the answer is" not in result.message or "×" in result.message


@pytest.mark.parametrize("expected", [_integer(3), _shape(2, 2), _number(0.5), _matrix([[1]])])
@pytest.mark.parametrize("typed", ["", "banana", "nan", "1e999"])
def test_unreadable_answers_get_no_grade(expected: ExpectedAnswer, typed: str) -> None:
    result = check_answer(expected, typed)
    assert result.correct is None
    assert "expected" in result.message


def test_messages_show_the_answer_and_what_was_typed() -> None:
    assert check_answer(_shape(14, 14), "14x14").message == "Correct: 14 × 14"
    assert check_answer(_shape(14, 14), "13 x 14").message == \
        "Not quite: the answer is 14 × 14 (you wrote 13 × 14)"
    assert "you wrote 1 size; the answer has 2" in check_answer(_shape(14, 14), "14").message
    assert check_answer(_integer(1234), "1235").message == \
        "Not quite: the answer is 1,234 (you wrote 1,235)"
    number = check_answer(_number(0.125), "0.13")
    assert number.message == \
        "Not quite: the answer is 0.125, rounded to 3 decimals (you wrote 0.13)"
    matrix = check_answer(_matrix([[1, 2], [3, 4]]), "1 2; 3 5")
    assert "1 of 4 entries differ" in matrix.message
    assert "row 2, column 2" in matrix.message
    assert matrix.message.endswith("1  2\n3  4")
    assert "the answer is 2 × 2" in check_answer(_matrix([[1, 2], [3, 4]]), "1 2 3").message


def test_parsed_values_are_json_friendly() -> None:
    assert check_answer(_shape(2, 3), "2x3").parsed == [2, 3]
    assert check_answer(_integer(5), "5").parsed == 5
    assert check_answer(_number(0.5), "1/2").parsed == 0.5
    assert check_answer(_matrix([[1, 2]]), "1 2").parsed == [[1.0, 2.0]]


# ------------------------------------------------------------------ properties

ANSWERS = [_integer(1234), _shape(14, 14), _number(0.125), _matrix([[1, 2], [3, 4]], 3)]
SPECIAL = st.sampled_from(list("0123456789 ,._-+/*x×()[];\n%eE−１４，（）．") + ["nan", "inf"])
TEXT = st.one_of(st.text(max_size=60), st.lists(SPECIAL, max_size=30).map("".join))


@PROPERTY
@given(TEXT)
def test_random_text_never_crashes_a_parser(text: str) -> None:
    for parse in (parse_integer, parse_number, parse_shape, parse_matrix):
        try:
            result = parse(text)
        except AnswerParseError as error:
            assert str(error)
            continue
        if parse is parse_number:
            assert math.isfinite(result)
        if parse is parse_matrix:
            assert all(math.isfinite(v) for row in result for v in row)


@PROPERTY
@given(TEXT)
def test_check_answer_never_raises(text: str) -> None:
    for expected in ANSWERS:
        result = check_answer(expected, text)
        assert result.correct in (True, False, None)
        assert result.message


def _grouped(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


@PROPERTY
@given(st.integers(-10**18, 10**18), st.sampled_from([",", " ", "_", ""]),
       st.booleans(), st.booleans())
def test_integers_with_separators_parse_back(n: int, sep: str, full_width: bool,
                                             unicode_minus: bool) -> None:
    text = _grouped(n, sep) if sep else str(n)
    if full_width:
        text = text.translate(FULL_WIDTH)
    if unicode_minus:
        text = text.replace("-", "−")
    assert parse_integer(text) == n
    assert parse_number(text) == float(n)


@PROPERTY
@given(st.lists(st.integers(1, 10**6), min_size=1, max_size=4),
       st.sampled_from(["x", " x ", " × ", "×", "*", ", ", ",", " "]),
       st.sampled_from(["{}", "({})", "[{}]", "（{}）"]), st.booleans())
def test_shapes_parse_back(dims: list[int], sep: str, wrap: str, full_width: bool) -> None:
    text = wrap.format(sep.join(str(d) for d in dims))
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert parse_shape(text) == tuple(dims)


@PROPERTY
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_reprs_parse_back_exactly(x: float) -> None:
    assert parse_number(repr(x)) == x


@PROPERTY
@given(st.sampled_from(["nan", "NaN", "inf", "-inf", "+inf", "Infinity", "1e999", "-1e999",
                        "1e309", "1e400", "", " ", "\n"]),
       st.sampled_from([parse_integer, parse_number, parse_shape, parse_matrix]))
def test_non_finite_and_empty_are_rejected(text: str, parse) -> None:
    with pytest.raises(AnswerParseError):
        parse(text)


@PROPERTY
@given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(0, 4))
def test_a_correctly_rounded_number_is_right_and_two_units_off_is_wrong(x: float,
                                                                       decimals: int) -> None:
    expected = _number(x, decimals)
    assert check_answer(expected, f"{x:.{decimals}f}").correct is True
    assert check_answer(expected, expected.display()).correct is True
    off = f"{x + 2 * 10.0 ** -decimals:.{decimals}f}"
    assert check_answer(expected, off).correct is False


@PROPERTY
@given(st.lists(st.lists(st.integers(-99, 99), min_size=3, max_size=3), min_size=1,
                max_size=4), st.sampled_from(["; ", "\n"]))
def test_matrices_parse_back(rows: list[list[int]], row_sep: str) -> None:
    text = row_sep.join(" ".join(str(v) for v in row) for row in rows)
    assert parse_matrix(text) == [[float(v) for v in row] for row in rows]
    bracketed = "[" + ", ".join("[" + ", ".join(str(v) for v in row) + "]" for row in rows) + "]"
    assert parse_matrix(bracketed) == [[float(v) for v in row] for row in rows]
