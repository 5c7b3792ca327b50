"""Arbitrary markdown never crashes the parser, and every problem it reports is located."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainer.app.exercise_cards import read_spec
from trainer.deck.parser import parse_bytes, parse_text

# Pieces of the format (and of its mistakes), glued at random with arbitrary text.
FRAGMENTS = [
    "## ", "# ", "### ", "\n", "\n\n", "?", "\n?\n", "tags: a, b", "{#id}", "{#Bad Id}",
    "{#", "}", "{{", "}}", "{{c1::", "{{c0::", "::", "{{c2::x::hint}}", "{{short}}",
    "{{c1::$x^{2}$}}", "`", "```", "```exercise\n", "family: conv-output-size\n",
    "family: nope\n", "level: 2\n", "level: 9\n", "params:\n", "  input: 28..64\n",
    "  kernel: 3|5\n", "  stride: 9..1\n", "  colour: red\n", "---\n", "topic: t\n",
    "deck: [x\n", "lang: fr\n", "$", "$$", "\\frac{a}{b}", "\\foo", "| a | b |\n",
    "|---|---|\n", "- item\n", "> quote\n", "<!-- c -->", "\t", "\r\n", "\ufeff", "é", "中",
]

documents = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)),
                     max_size=40).map("".join)


def check(parsed, text: str) -> None:
    last = max(1, text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1)
    for problem in parsed.problems:
        assert 1 <= problem.line <= last, problem
        assert problem.col >= 1 and problem.message
        assert problem.format().startswith(f"{problem.path}:{problem.line}:{problem.col}: ")
    for card in parsed.cards:
        assert 1 <= card.text.line <= last
        assert card.text.question
        if card.kind == "exercise":
            assert card.exercise is not None


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.booleans())
def test_the_parser_never_raises_and_locates_every_problem(text, math):
    parsed = parse_text(text, "fuzz.md", check_math=math, exercises=read_spec)
    check(parsed, text)
    again = parse_text(text, "fuzz.md", check_math=math, exercises=read_spec)
    assert again == parsed  # deterministic


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_are_a_located_problem_not_a_crash(data):
    from pathlib import Path

    parsed = parse_bytes(data, Path("fuzz.md"), exercises=read_spec)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        (problem,) = parsed.problems
        assert "not UTF-8" in problem.message and problem.line >= 1
        return
    check(parsed, text.removeprefix("\ufeff"))
