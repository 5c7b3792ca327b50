"""The built-in deck: complete, bilingual, clean, and free of raw LaTeX on screen."""

import re
from collections import Counter

import pytest

from trainer.deck.loader import builtin_content_dir, load_deck
from trainer.deck.math_markdown import render_math

TOPICS = {"feature-scaling", "normalization-methods", "receptive-field", "depth-width",
          "sampling", "pooling-backprop", "add-vs-concat", "separable-conv", "transposed-conv",
          "batch-norm"}


@pytest.fixture(scope="module")
def deck():
    return load_deck(builtin_content_dir())


def test_deck_loads_without_problems(deck):
    assert [p.format() for p in deck.problems] == []


def test_ten_topics_sixty_cards_four_per_topic(deck):
    per_topic = Counter(card.topic for card in deck.cards.values())
    assert set(per_topic) == TOPICS
    assert len(deck.cards) >= 60
    assert min(per_topic.values()) >= 4


def test_every_card_in_both_languages_with_one_identity(deck):
    for card in deck.cards.values():
        assert sorted(card.texts) == ["en", "zh"], card.key
        assert card.key == f"builtin:{card.id}"
        assert re.search(r"[\u4e00-\u9fff]", card.text("zh").question + card.text("zh").answer)


def test_required_formulas_are_present(deck):
    answers = " ".join(render_math(c.text("en").answer) for c in deck.cards.values())
    for formula in ["⌊(Hᵢₙ + 2P − K)/S⌋ + 1", "(x − μ)/σ", "rₗ = rₗ₋₁ + (kₗ − 1) ∏ᵢ₌₁ˡ⁻¹ sᵢ",
                    "= 1/Cₒᵤₜ + 1/K²", "8,768/73,728"]:
        assert formula in answers, formula


def test_no_raw_latex_reaches_the_screen(deck):
    for card in deck.cards.values():
        for lang, text in card.texts.items():
            for part in (text.question, text.answer):
                shown = _outside_code(render_math(part))
                assert "$" not in shown, (card.key, lang)
                assert not re.search(r"\\[a-zA-Z]{2,}", shown), (card.key, lang, shown)


def _outside_code(markdown: str) -> str:
    without_fences = re.sub(r"```.*?```", "", markdown, flags=re.S)
    return re.sub(r"`[^`]*`", "", without_fences)
