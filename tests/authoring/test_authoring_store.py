"""Migration 0004 on a database with history, and the matching rule on its own."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import create_engine

from tests.authoring.conftest import rows
from tests.helpers import open_study
from trainer.deck import identity
from trainer.store.database import HEAD_REVISION, run_migrations


def database_at_0003(path: Path) -> None:
    """A database as the previous release left it: schema 0003, a card with a review."""
    engine = create_engine(f"sqlite:///{path}")
    run_migrations(engine, "0003")
    engine.dispose()
    with closing(sqlite3.connect(path)) as c:
        c.execute("INSERT INTO cards (id, key, deck, topic, kind, ordinal, state, step, "
                  "stability, difficulty, due, last_review, suspended, retired, leech) VALUES "
                  "(7, 'notes:q-1', 'notes', 'notes', 'basic', 0, 2, NULL, 3.5, 5.0, "
                  "'2026-11-29 12:00:00.000000', '2026-11-26 12:00:00.000000', 0, 0, 0)")
        c.execute("INSERT INTO reviews (card_id, rating, reviewed_at, was_new, lang, kind) "
                  "VALUES (7, 3, '2026-11-26 12:00:00.000000', 1, 'en', 'scheduled')")
        c.commit()


def test_0004_upgrades_a_database_with_history_and_the_first_sync_fills_it(settings, decks):
    settings.db_path.parent.mkdir(parents=True)
    database_at_0003(settings.db_path)
    (decks / "notes.md").write_text("## Question one {#q-1}\n\nAnswer one.\n", encoding="utf-8")
    study = open_study(settings)
    study.close()
    assert rows(settings.db_path, "SELECT version_num FROM alembic_version") == [
        (HEAD_REVISION,)]
    assert Path(f"{settings.db_path}.before-{HEAD_REVISION}.bak").exists()
    assert rows(settings.db_path, "SELECT id, key, stability FROM cards") == [
        (7, "notes:q-1", 3.5)]
    assert rows(settings.db_path, "SELECT card_id, position, explicit_id FROM card_sources") == [
        (7, 0, "q-1")]
    # From now on the identity rule covers this old card too: rename its file.
    (decks / "notes.md").rename(decks / "interview.md")
    study = open_study(settings)
    study.close()
    assert rows(settings.db_path, "SELECT c.id, c.key, count(r.id) FROM cards c JOIN reviews r "
                "ON r.card_id = c.id GROUP BY c.id") == [(7, "interview:q-1", 1)]


def candidate(ref, question, answer, *, path="a.md", position=0, explicit=None):
    return identity.Candidate(ref=ref, key=str(ref), path=path, position=position,
                              digest=identity.digest(question, answer), question=question,
                              answer=answer, explicit_id=explicit)


def test_similarity_separates_edits_from_different_cards():
    answer = "The region of the input that can change one output unit."
    edited = [
        ("What is a receptive feild?", answer),  # typo
        ("Define the receptive field of a unit.", answer),  # reworded question
        ("What is a receptive field?", answer.replace("change", "influence")),
    ]
    other = [
        ("What is a dilated convolution?", "A convolution whose kernel taps are spaced apart."),
        ("What is the receptive field of two 3×3 convs?", "5×5."),
    ]
    original = candidate(0, "What is a receptive field?", answer)
    for question, text in edited:
        assert identity.similarity(candidate(1, question, text), original) >= identity.THRESHOLD
    for question, text in other:
        assert identity.similarity(candidate(1, question, text), original) < identity.THRESHOLD


def test_matching_is_one_to_one_and_prefers_the_same_file_and_place():
    text = ("What is BN?", "Batch normalization.")
    known = [candidate("far", *text, path="b.md", position=0),
             candidate("here", *text, path="a.md", position=5)]
    found = [candidate("new", *text, path="a.md", position=6)]
    (match,) = identity.match(found, known)
    assert (match.found.ref, match.known.ref, match.rule) == ("new", "here", "content")
    two = identity.match(found + [candidate("new2", *text, path="c.md")], known)
    assert sorted((m.found.ref, m.known.ref) for m in two) == [("new", "here"),
                                                             ("new2", "far")]


def test_an_explicit_id_is_matched_before_the_content():
    known = [candidate("old-x", "Q", "A", explicit="x"), candidate("old-y", "Q2", "A2")]
    found = [candidate("new-x", "Q2", "A2", explicit="x")]
    (match,) = identity.match(found, known)
    assert (match.known.ref, match.rule) == ("old-x", "explicit-id")


def test_normalization_ignores_formatting_only():
    assert identity.normalize("- **Running**  mean\n- `var`") == "running mean var"
    assert identity.digest("Q", "a + b") != identity.digest("Q", "a - b")
    assert identity.digest("Q *x*", "| a |\n|---|\n| 1 |") == identity.digest("q x", "a 1")
