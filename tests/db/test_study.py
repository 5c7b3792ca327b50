from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.helpers import NOW, open_study
from trainer.scheduling.memory import Grade


@pytest.fixture
def open_session():
    """``open_study``, and every session it opened closed when the test ends."""
    sessions = []

    def opener(settings):
        session = open_study(settings)
        sessions.append(session)
        return session

    yield opener
    for session in sessions:
        session.close()


def review_rows(study) -> list[tuple]:
    with study.db.engine.connect() as c:
        return c.execute(text(
            "SELECT c.key, r.rating, r.was_new, r.lang FROM reviews r JOIN cards c "
            "ON c.id = r.card_id ORDER BY r.id")).all()


def test_a_whole_first_session(open_session, tiny_settings):
    study = open_session(tiny_settings)
    seen = []
    now = NOW
    while (card := study.next_card(now)) is not None:
        seen.append(card.key)
        study.answer(card.key, Grade.EASY, now, duration_ms=1500)
        now += timedelta(seconds=30)
    assert sorted(seen) == ["conv:conv-params", "conv:conv-size", "pooling:pool-avg",
                            "pooling:pool-max"]
    assert len(review_rows(study)) == 4
    summary = study.summary(now)
    assert (summary.reviewed, summary.correct) == (4, 4)
    assert summary.next_due is not None and summary.next_due > now + timedelta(days=1)


def test_topics_are_interleaved(open_session, tiny_settings):
    study = open_session(tiny_settings)
    topics = []
    while (card := study.next_card(NOW)) is not None:
        topics.append(card.topic)
        study.answer(card.key, Grade.EASY, NOW)
    assert topics[0] != topics[1] != topics[2] != topics[3]
    assert sorted(topics) == ["conv", "conv", "pooling", "pooling"]


def test_new_cards_per_day_limit_and_rollover(open_session, tiny_settings):
    settings = tiny_settings.model_copy(update={"new_per_day": 2})
    study = open_session(settings)
    for _ in range(2):
        card = study.next_card(NOW)
        study.answer(card.key, Grade.EASY, NOW)
    assert study.next_card(NOW) is None
    assert study.overview(NOW).new_left_today == 0
    # 04:00 UTC next day: a new study day with two more new cards.
    tomorrow = NOW.replace(hour=4) + timedelta(days=1)
    assert study.overview(tomorrow).new_left_today == 2
    assert study.next_card(tomorrow) is not None


def test_due_reviews_come_before_new_cards(open_session, tiny_settings):
    study = open_session(tiny_settings)
    first = study.next_card(NOW)
    study.answer(first.key, Grade.EASY, NOW)
    due_at = study.repo.card(first.key).due
    later = due_at + timedelta(hours=1)
    assert study.next_card(later).key == first.key


def test_answered_card_is_not_shown_again_after_reopening(open_session, tiny_settings):
    study = open_session(tiny_settings)
    first = study.next_card(NOW)
    study.answer(first.key, Grade.GOOD, NOW)
    study.close()  # before it is opened again
    again = open_session(tiny_settings)
    assert again.next_card(NOW + timedelta(seconds=5)).key != first.key
    assert review_rows(again) == [(first.key, 3, True, "en")]


def test_learning_card_returns_after_its_step(open_session, tiny_settings):
    study = open_session(tiny_settings.model_copy(update={"new_per_day": 1}))
    first = study.next_card(NOW)
    assert (first.intervals[1], first.intervals[3]) == ("1m", "10m")
    study.answer(first.key, Grade.AGAIN, NOW)
    # Nothing else to do: the learning card is shown within the learn-ahead window.
    assert study.next_card(NOW).key == first.key


def test_undo_restores_the_database_and_the_card(open_session, tiny_settings):
    study = open_session(tiny_settings)
    first = study.next_card(NOW)
    study.answer(first.key, Grade.EASY, NOW)
    second = study.next_card(NOW)
    study.answer(second.key, Grade.AGAIN, NOW)
    assert len(review_rows(study)) == 2
    shown = study.undo(NOW)
    assert shown.key == second.key and shown.is_new
    assert review_rows(study) == [(first.key, 4, True, "en")]
    assert study.repo.card(second.key).is_new
    assert study.undo(NOW).key == first.key
    assert review_rows(study) == [] and study.undo(NOW) is None


def test_switching_language_keeps_progress(open_session, builtin_settings):
    study = open_session(builtin_settings)
    card = study.next_card(NOW)
    study.answer(card.key, Grade.EASY, NOW)
    study.set_language("zh")
    due = study.repo.card(card.key).due
    again = study.next_card(due + timedelta(minutes=1))
    assert again.key == card.key and again.lang == "zh"
    assert again.question != card.question
    assert any("\u4e00" <= ch <= "\u9fff" for ch in again.question)


def test_topic_filter(open_session, tiny_settings):
    study = open_session(tiny_settings)
    study.set_topic("pooling")
    keys = []
    while (card := study.next_card(NOW)) is not None:
        keys.append(card.key)
        study.answer(card.key, Grade.EASY, NOW)
    assert sorted(keys) == ["pooling:pool-avg", "pooling:pool-max"]


def test_formulas_reach_the_screen_as_unicode(open_session, tiny_settings):
    study = open_session(tiny_settings)
    study.set_topic("conv")
    cards = {}
    while (card := study.next_card(NOW)) is not None:
        cards[card.key] = card
        study.answer(card.key, Grade.EASY, NOW)
    assert "⌊(H + 2P − K)/S⌋ + 1" in cards["conv:conv-size"].answer
    assert "$" not in cards["conv:conv-size"].answer


def test_naive_now_is_refused(open_session, tiny_settings):
    study = open_session(tiny_settings)
    with pytest.raises(ValueError, match="naive"):
        study.next_card(NOW.replace(tzinfo=None))


def test_cloze_siblings_are_buried_for_the_rest_of_the_study_day(open_session, tmp_path):
    """c2 came right after c1 and showed c1's hidden text; it now waits for tomorrow."""
    from trainer.config.settings import Settings as _Settings

    now = NOW

    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "n.md").write_text(
        "## Softmax {#sm}\n\nsoftmax(z)ᵢ = {{c1::exp(zᵢ)}} / {{c2::∑ⱼ exp(zⱼ)}}\n\n"
        "## Plain? {#plain}\n\nYes.\n", encoding="utf-8")
    settings = _Settings(home=tmp_path / "home", builtin_deck=False, exercises=False,
                         decks=[decks], learning_steps_minutes=[1440.0])
    study = open_session(settings)
    first = study.next_card(now)
    assert first.key.startswith("n:sm:c")
    study.answer(first.key, 3, now)
    shown = []
    moment = now
    while (card := study.next_card(moment)) is not None and len(shown) < 5:
        shown.append(card.key)
        study.answer(card.key, 3, moment)
        moment += timedelta(minutes=1)
    assert shown == ["n:plain"]  # the sibling waits
    tomorrow = now + timedelta(days=1)
    keys_tomorrow = set()
    moment = tomorrow
    while (card := study.next_card(moment)) is not None and len(keys_tomorrow) < 5:
        keys_tomorrow.add(card.key)
        study.answer(card.key, 3, moment)
        moment += timedelta(minutes=1)
    sibling = ({"n:sm:c1", "n:sm:c2"} - {first.key}).pop()
    assert sibling in keys_tomorrow  # the next study day it comes


def test_new_cards_build_on_what_they_require_and_groups_can_be_studied(open_session,
                                                                         tmp_path):
    """Twenty topics: a new learner starts with the topics that require none and meets a
    topic only once each topic it builds on has had UNLOCK_AFTER cards introduced."""
    from trainer.config.settings import Settings as _Settings
    from trainer.deck.topics import UNLOCK_AFTER

    settings = _Settings(home=tmp_path / "home", exercises=False, new_per_day=80,
                         learning_steps_minutes=[1440.0])
    study = open_session(settings)
    plan = study.plan
    assert [g.slug for g in plan.groups] == ["cnn-basics", "training", "transformers",
                                             "evaluation"]
    grouped = {t for g in plan.groups for t in g.topics}
    assert grouped == {c.topic for c in study.cards()}  # every built-in topic has a group
    moment, order = NOW, []
    for _ in range(80):
        card = study.next_card(moment)
        order.append(card.topic)
        study.answer(card.key, 3, moment)
        moment += timedelta(seconds=30)
    free = {t for t in grouped if t not in plan.requires}
    assert set(order[:len(free)]) == free
    for i, topic in enumerate(order):
        before = order[:i]
        for need in plan.requires.get(topic, []):
            assert before.count(need) >= UNLOCK_AFTER, (topic, need, i)
    study.set_topic("transformers")
    assert study.topic == tuple(plan.group("transformers").topics)
    assert study.next_card(moment + timedelta(days=2)).topic in study.topic
