"""The built-in deck: complete, bilingual, clean, and free of raw LaTeX on screen."""

import re
from collections import Counter

import pytest

from trainer.app.exercise_cards import read_spec
from trainer.deck.loader import builtin_content_dir, load_deck
from trainer.deck.math_markdown import render_math

FIRST_TEN = {"feature-scaling", "normalization-methods", "receptive-field", "depth-width",
             "sampling", "pooling-backprop", "add-vs-concat", "separable-conv",
             "transposed-conv", "batch-norm"}
TOPICS = FIRST_TEN | {"attention", "long-context", "language-models", "optimizers",
                      "regularization", "losses-activations", "init-stability",
                      "cnn-architectures", "sequence-models", "evaluation-detection"}
MEDIAN_ANSWER_WORDS = 45  # CONTENT.md: short answers


@pytest.fixture(scope="module")
def deck():
    return load_deck(builtin_content_dir(), exercises=read_spec)  # as the app reads it


def test_deck_loads_without_problems(deck):
    assert [p.format() for p in deck.problems] == []


def test_twenty_topics_350_cards_twenty_per_new_topic(deck):
    per_topic = Counter(card.topic for card in deck.cards.values())
    assert set(per_topic) == TOPICS
    assert len(deck.cards) >= 350
    assert min(per_topic[t] for t in TOPICS - FIRST_TEN) >= 20


def test_the_first_ten_topics_hold_150_concept_cards_15_of_them_clozes(deck):
    concepts = [c for c in deck.cards.values() if c.topic in FIRST_TEN and c.kind != "exercise"]
    clozes = [c for c in concepts if c.kind == "cloze"]
    print(f"first ten topics: {len(concepts)} concept cards, {len(clozes)} clozes")
    assert len(concepts) >= 150 and len(clozes) >= 15


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_median_answer_length(deck, lang):
    """Reported per topic (-s shows it); the deck's median must stay short."""
    import statistics

    def words(card) -> float:
        text = card.text(lang).answer
        if lang == "en":
            return len(text.split())
        han = len(re.findall(r"[\u4e00-\u9fff]", text))  # a Chinese word is about 2 characters
        return han / 2 + len(re.sub(r"[\u4e00-\u9fff]", " ", text).split())

    by_topic: dict[str, list[float]] = {}
    for card in deck.cards.values():
        if card.kind == "basic":
            by_topic.setdefault(card.topic, []).append(words(card))
    for topic, counts in sorted(by_topic.items()):
        print(f"{lang} {topic}: median answer {statistics.median(counts):.0f} words")
    overall = statistics.median(w for counts in by_topic.values() for w in counts)
    print(f"{lang} all: median answer {overall:.0f} words")
    assert overall <= MEDIAN_ANSWER_WORDS


def test_every_card_in_both_languages_with_one_identity(deck):
    for card in deck.cards.values():
        assert sorted(card.texts) == ["en", "zh"], card.key
        assert card.key == f"builtin:{card.id}"
        assert re.search(r"[\u4e00-\u9fff]", card.text("zh").question + card.text("zh").answer)


def test_required_formulas_are_present(deck):
    answers = " ".join(render_math(c.text("en").answer) for c in deck.cards.values())
    for formula in ["⌊(Hᵢₙ + 2P − K)/S⌋ + 1", "(x − μ)/σ", "rₗ = rₗ₋₁ + (kₗ − 1) ∏ᵢ₌₁ˡ⁻¹ sᵢ",
                    "= 1/Cₒᵤₜ + 1/K²"]:  # (8,768/73,728 is an exercise now: fresh numbers)
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
