"""Interval fuzz is fixed per card and review: two reveals of one card show the same
intervals (Easy read 8d, then 7d), and the answer gives what the button said."""

from datetime import UTC, datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import State

from trainer.scheduling.memory import Grade, MemoryModel

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def review_card(card_id: int) -> FsrsCard:
    return FsrsCard(card_id=card_id, state=State.Review, step=None, stability=40.0,
                    difficulty=5.0, due=NOW, last_review=NOW - timedelta(days=40))


def test_the_same_card_previews_the_same_and_the_answer_matches():
    memory = MemoryModel(enable_fuzzing=True)
    card = review_card(7)
    first = memory.preview(card, NOW)
    assert all(memory.preview(card, NOW) == first for _ in range(20))
    assert memory.review(card, Grade.EASY, NOW).due - NOW == first[Grade.EASY]


def test_fuzz_still_spreads_cards_that_would_fall_on_one_day():
    memory = MemoryModel(enable_fuzzing=True)
    easy = {memory.preview(review_card(i), NOW)[Grade.EASY] for i in range(200)}
    assert len(easy) >= 3  # different cards land on different days
    plain = MemoryModel(enable_fuzzing=False).preview(review_card(1), NOW)[Grade.EASY]
    assert all(abs((d - plain).days) <= plain.days * 0.1 + 2 for d in easy)
