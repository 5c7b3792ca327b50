"""The card format of docs/authoring.md, feature by feature: what the parser makes of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import NOW, open_study
from trainer.app.exercise_cards import draw, read_spec
from trainer.deck.parser import parse_text
from trainer.exercises.families import FAMILIES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"


def parse(text: str, **kwargs):
    """As the app parses: exercise blocks checked against the families."""
    return parse_text(text, "deck.md", exercises=read_spec, **kwargs)


def errors(text: str) -> list[str]:
    return [p.format() for p in parse(text).problems if p.severity == "error"]


# -- question and answer ---------------------------------------------------------------------
def test_single_and_multi_line_cards():
    parsed = parse("## Short question? {#short}\n\nShort answer.\n\n"
                   "## Compute it {#long}\n\nInput 7, kernel 3.\n\n?\n\n"
                   "```python\n(7 - 3) // 1 + 1\n```\n\n| k | out |\n|---|---|\n| 3 | 5 |\n")
    short, long = parsed.cards
    assert (short.text.question, short.text.answer) == ("Short question?", "Short answer.")
    assert long.text.question == "Compute it\n\nInput 7, kernel 3."
    assert long.text.answer.startswith("```python") and "| 3 | 5 |" in long.text.answer
    assert parsed.problems == []


def test_front_matter_sets_topic_title_deck_language_and_tags():
    parsed = parse("---\ntopic: pooling\ntitle: Pooling\ndeck: mine\nlang: zh\ntags: [cnn]\n"
                   "---\n\n## 问题 {#q}\n\ntags: backprop, formula\n\n答案\n")
    (card,) = parsed.cards
    assert (parsed.deck, parsed.lang, card.topic, card.topic_title) == (
        "mine", "zh", "pooling", "Pooling")
    assert card.tags == ["cnn", "backprop", "formula"]
    assert card.text.answer == "答案"


def test_an_html_comment_before_the_first_card_is_not_a_warning():
    parsed = parse("<!-- my notes -->\n\n## Q {#q}\n\nA\n")
    assert parsed.problems == [] and len(parsed.cards) == 1


# -- cloze -------------------------------------------------------------------------------------
NOTE = """## BatchNorm at inference {#bn-inf}

At inference BN uses the {{c1::running mean::a statistic}} and the {{c2::running variance}}.
`{{c3::not a deletion in code}}` and $x^{{2}}$ stay as written.

- {{c1::moving averages}} are updated in training only

?

Extra notes, shown with the answer.
"""


def test_cloze_one_card_per_number_with_blanks_and_hints():
    parsed = parse(NOTE)
    assert parsed.problems == []
    c1, c2 = parsed.cards
    assert (c1.id, c2.id, c1.kind) == ("bn-inf:c1", "bn-inf:c2", "cloze")
    assert "the [a statistic] and the running variance." in c1.text.question
    assert "- […] are updated" in c1.text.question  # every c1 of the note is blanked
    assert "the running mean and the […]." in c2.text.question
    assert "- moving averages are updated" in c2.text.question
    assert "**running mean**" in c1.text.answer and "**moving averages**" in c1.text.answer
    assert c1.text.answer.endswith("Extra notes, shown with the answer.")
    assert "Extra notes" not in c1.text.question
    for card in (c1, c2):  # code and math are never deletions
        assert "`{{c3::not a deletion in code}}`" in card.text.question
        assert "$x^{{2}}$" in card.text.question
    assert c1.text.deleted == "running mean … moving averages"


def test_short_cloze_numbers_itself_and_can_be_the_heading():
    first, second = parse("## The {{receptive field}} grows by {{k − 1::how much?}}.\n").cards
    assert first.text.question == "The […] grows by k − 1."
    assert second.text.question == "The receptive field grows by [how much?]."
    assert second.text.answer == "The receptive field grows by **k − 1**."


def test_cloze_can_hide_a_formula_and_markdown():
    (card,) = parse("## Output size\n\nIt is {{c1::$\\lfloor (H - K)/S \\rfloor + 1$}}.\n").cards
    assert card.text.question == "Output size\n\nIt is […]."
    assert card.text.answer == "It is **$\\lfloor (H - K)/S \\rfloor + 1$**."


@pytest.mark.parametrize(("text", "where", "message"), [
    ("## Q\n\nA {{c0::zero}} here.\n", "deck.md:3:3:", "cloze numbers start at c1"),
    ("## Q\n\nSee {{c1::open\n", "deck.md:3:5:", "cloze deletion is not closed"),
    ("## Q\n\nEmpty {{c1::}} here.\n", "deck.md:3:7:", "cloze deletion has no text"),
    ("## Q\n\nMixed {{c1::a}} and {{b}}.\n", "deck.md:3:21:", "mixes numbered"),
    ("## Q {{c1::a}}\n\n?\n\nThe {{c1::b}}\n", "deck.md:5:5:", "after the '?' line"),
])
def test_cloze_errors_have_line_and_column(text, where, message):
    (problem,) = errors(text)
    assert problem.startswith(f"{where} error: ") and message in problem
    assert "(hint: " in problem


def test_literal_braces_are_not_cloze():
    (card,) = parse("## Templates\n\nWrite `{{ name }}` in Jinja; {{}} stays.\n").cards
    assert card.kind == "basic" and "{{}} stays" in card.text.answer


# -- exercises ------------------------------------------------------------------------------
def test_an_exercise_block_with_level_ranges_and_choices():
    (card,) = parse("## VGG sizes {#vgg}\n\n```exercise\nfamily: conv-output-size\nlevel: 1\n"
                    "params:\n  input: 28..64\n  kernel: 3|5\n  stride: 2\n```\n").cards
    assert (card.kind, card.exercise.family, card.exercise.level) == (
        "exercise", "conv-output-size", 1)
    for seed in range(30):
        instance = draw(card.exercise, seed)
        params = instance.params
        assert 28 <= params["input"] <= 64 and params["kernel"] in (3, 5)
        assert params["stride"] == 2
        assert instance == draw(card.exercise, seed)  # the seed reproduces it


@pytest.mark.parametrize(("block", "line", "message"), [
    ("family: conv-output-sise\n", 4, "unknown exercise family 'conv-output-sise'"),
    ("family: conv-output-size\nlevel: 5\n", 5, "level must be 1, 2 or 3"),
    ("family: conv-output-size\nparams:\n  colour: 3\n", 6, "unknown parameter 'colour'"),
    ("family: conv-output-size\nparams:\n  input: 9..3\n", 6, "empty range"),
    ("family: conv-output-size\nparams:\n  input: 1\n  kernel: 9\n  padding: 0\n", 5,
     "no valid conv-output-size instance"),
    ("family: [unclosed\n", 5, "not valid YAML"),
])
def test_exercise_block_errors_are_located(block, line, message):
    (problem,) = errors(f"## Drill {{#d}}\n\n```exercise\n{block}```\n")
    assert problem.startswith(f"deck.md:{line}:1: error: ") and message in problem


def test_the_unknown_family_hint_names_the_closest():
    (problem,) = errors("## D {#d}\n\n```exercise\nfamily: conv-output-sise\n```\n")
    assert "did you mean conv-output-size?" in problem


def test_the_deck_alone_reads_a_block_as_written():
    """Without the app's reader the deck never reaches the families: a block's shape is
    checked, its family, level and parameter names are taken as written."""
    (card,) = parse_text("## D {#d}\n\n```exercise\nfamily: not-a-family\nlevel: 7\n"
                         "params:\n  colour: 1..3\n  size: a|b\n  depth: 4\n```\n",
                         "deck.md").cards
    assert (card.exercise.family, card.exercise.level) == ("not-a-family", 7)
    assert (card.exercise.ranges, card.exercise.choices, card.exercise.fixed) == (
        {"colour": (1, 3)}, {"size": ["a", "b"]}, {"depth": 4})
    for block, line, message in [("family: x\nparams:\n  input: 9..3\n", 6, "empty range"),
                                 ("family: x\ncolour: 3\n", 5, "unknown key 'colour'"),
                                 ("level: 2\n", 4, "exercise block needs a family"),
                                 ("family: x\nlevel: two\n", 5, "level must be a whole number"),
                                 ("family: x\nparams: 5\n", 5, "params must be"),
                                 ("family: [unclosed\n", 5, "not valid YAML")]:
        (problem,) = [p.format() for p in parse_text(f"## D {{#d}}\n\n```exercise\n{block}```\n",
                                                     "deck.md").problems]
        assert problem.startswith(f"deck.md:{line}:1: error: ") and message in problem


def test_a_markdown_exercise_is_scheduled_like_the_built_in_ones(settings, decks):
    (decks / "drills.md").write_text(
        "---\ntopic: sampling\n---\n\n## Strided sizes {#strided}\n\n```exercise\n"
        "family: conv-output-size\nlevel: 2\nparams:\n  stride: 2\n```\n", encoding="utf-8")
    study = open_study(settings)
    card = study.next_card(NOW)
    assert card.key == "drills:strided" and card.exercise is not None
    instance = study.exercise_instance(card.key, card.exercise.seed)
    assert instance.family == "conv-output-size" and instance.params["stride"] == 2
    result = study.check_exercise(card, instance.expected.display())
    assert result.correct
    study.answer(card.key, 3, NOW, attempt=study.attempt(card, "x", result))
    from tests.authoring.conftest import rows
    assert rows(settings.db_path, "SELECT c.kind, r.seed, r.correct FROM reviews r JOIN cards c "
                "ON c.id = r.card_id") == [("exercise", card.exercise.seed, 1)]
    study.close()


# -- the documentation ------------------------------------------------------------------------
def test_every_example_in_the_docs_parses_as_documented():
    """Each ```markdown example of docs/authoring.md is a deck file without errors (the
    examples of mistakes are fenced as ```text)."""
    examples = [body for _, body in re.findall(
        r"^(`{3,})markdown\n(.*?)^\1$", DOCS.read_text(encoding="utf-8"), flags=re.S | re.M)]
    assert len(examples) >= 6
    for example in examples:
        parsed = parse(example, check_math=True)
        assert [p.format() for p in parsed.problems if p.severity == "error"] == []
        assert parsed.cards
    families = set(FAMILIES)
    named = set(re.findall(r"family: ([a-z0-9-]+)", DOCS.read_text(encoding="utf-8")))
    assert named and named <= families
