"""The store's copy of each deck file's parse (packed), and the streamed card syncs."""

from __future__ import annotations

import base64
import gc
import json
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from tests.authoring.conftest import rows
from tests.authoring.test_authoring_check import BROKEN, GOOD, served
from tests.helpers import NOW, open_study
from trainer.deck.cards import CardText
from trainer.deck.packed import FORMAT, PackedFile
from trainer.deck.parser import parse_text
from trainer.store.database import open_database
from trainer.store.deck_sync import sync_cards


def _set(db: Path, sql: str, *args) -> None:
    with closing(sqlite3.connect(db)) as c, c:
        c.execute(sql, args)


def test_the_store_keeps_each_files_parse_packed_and_start_up_reads_it(settings, decks):
    (decks / "pooling.md").write_text(GOOD, encoding="utf-8")
    study = open_study(settings)
    study.answer("pooling:pool-max", 3, NOW)
    study.close()
    [(good, parse_key)] = rows(settings.db_path, "SELECT good, parse_key FROM deck_files")
    assert good.startswith(FORMAT) and parse_key.startswith("3|")
    assert PackedFile.decode(good).to_parsed() == parse_text(GOOD, str(decks / "pooling.md"))

    study = open_study(settings)  # nothing parsed: the cards come from the store
    assert study.library.changes.changed == [] and study.library.changes.added == []
    assert served(study) == {"pooling:pool-max": "Where does a max-pool send the gradient?",
                             "pooling:pool-avg": "What does average pooling send back?"}
    study.close()


def _damaged(good: str, how: str) -> str:
    if how == "cut":
        return good[: len(good) // 2]
    data = json.loads(good.removeprefix(FORMAT))
    data["index"] = base64.b64encode(b"not zlib data").decode()
    return FORMAT + json.dumps(data)


@pytest.mark.parametrize("how", ["cut", "index"])
def test_a_damaged_stored_parse_means_the_file_is_parsed_again(settings, decks, how):
    (decks / "pooling.md").write_text(GOOD, encoding="utf-8")
    study = open_study(settings)
    study.answer("pooling:pool-max", 3, NOW)
    study.close()
    ids = rows(settings.db_path, "SELECT id, key, retired FROM cards ORDER BY id")
    [(good,)] = rows(settings.db_path, "SELECT good FROM deck_files")
    _set(settings.db_path, "UPDATE deck_files SET good = ?", _damaged(good, how))

    study = open_study(settings)
    assert study.library.changes.changed == [str(decks / "pooling.md")]
    assert len(served(study)) == 2 and study.library.changes.renamed == {}
    study.close()
    assert rows(settings.db_path, "SELECT id, key, retired FROM cards ORDER BY id") == ids
    [(good,)] = rows(settings.db_path, "SELECT good FROM deck_files")
    assert PackedFile.decode(good).count == 2


def test_a_broken_file_whose_last_good_version_is_in_the_earlier_format(settings, decks):
    """After an upgrade the cache key changes (every file is parsed again); a file broken
    meanwhile still serves its last good version, stored by the previous release."""
    path = decks / "pooling.md"
    path.write_text(GOOD, encoding="utf-8")
    open_study(settings).close()
    earlier = parse_text(GOOD, str(path)).model_dump_json()  # what release 0004 stored
    _set(settings.db_path, "UPDATE deck_files SET good = ?, parse_key = '2||'", earlier)
    path.write_text(BROKEN, encoding="utf-8")

    study = open_study(settings)
    assert served(study) == {"pooling:pool-max": "Where does a max-pool send the gradient?",
                             "pooling:pool-avg": "What does average pooling send back?"}
    assert any("last good version (2 cards)" in p for p in study.overview(NOW).problems)
    study.close()
    [(good, parse_key)] = rows(settings.db_path, "SELECT good, parse_key FROM deck_files")
    assert good.startswith(FORMAT) and parse_key.startswith("3|")


def test_the_study_session_holds_where_texts_are_not_the_texts(settings, decks):
    body = "".join(f"## Question {i}? {{#q{i}}}\n\nAnswer {i}.\n\n" for i in range(1000))
    (decks / "many.md").write_text(body, encoding="utf-8")
    open_study(settings).close()
    study = open_study(settings)
    gc.collect()
    assert sum(isinstance(o, CardText) for o in gc.get_objects()) == 0
    card = study.next_card(NOW)
    assert card.answer == f"Answer {card.key.removeprefix('many:q')}."
    study.close()


# -- sync_cards: the cards table as the decks say, without the collection in Python ---------
ROUNDS = [
    [("d:a", "d", "t1", "basic", 0), ("d:b", "d", "t1", "cloze", 1),
     ("e:c", "e", "t2", "basic", 0)],
    [("d:b", "d", "t1", "cloze", 0), ("e:c", "e", "t3", "basic", 5),  # d:a retired
     ("e:d", "e", "t2", "exercise", 1)],
    [("d:a", "d", "t9", "basic", 2), ("e:c", "e", "t3", "basic", 5)],  # d:a is back
    [],
]


def _cards(path: Path) -> list[tuple]:
    return rows(path, "SELECT id, key, deck, topic, kind, ordinal, retired, suspended, leech, "
                "due FROM cards ORDER BY id")


# After each round: (added, retired), then (key, kind, topic, ordinal, retired) per row.
EXPECTED = [
    ((3, 0), [("d:a", "basic", "t1", 0, 0), ("d:b", "cloze", "t1", 1, 0),
              ("e:c", "basic", "t2", 0, 0)]),
    ((1, 1), [("d:a", "basic", "t1", 0, 1), ("d:b", "cloze", "t1", 0, 0),
              ("e:c", "basic", "t3", 5, 0), ("e:d", "exercise", "t2", 1, 0)]),
    ((0, 2), [("d:a", "basic", "t9", 2, 0), ("d:b", "cloze", "t1", 0, 1),
              ("e:c", "basic", "t3", 5, 0), ("e:d", "exercise", "t2", 1, 1)]),
    ((0, 2), [("d:a", "basic", "t9", 2, 1), ("d:b", "cloze", "t1", 0, 1),
              ("e:c", "basic", "t3", 5, 1), ("e:d", "exercise", "t2", 1, 1)]),
]


def test_sync_cards_adds_moves_retires_and_brings_back(tmp_path: Path):
    db = open_database(tmp_path / "t.sqlite3")
    for entries, (counts, expected) in zip(ROUNDS, EXPECTED, strict=True):
        got = sync_cards(db, lambda entries=entries: iter(entries))
        assert got == counts
        assert [(r[1], r[4], r[3], r[5], r[6]) for r in _cards(db.path)] == expected
        assert all(r[7] == 0 and r[8] == 0 and r[9] is None for r in _cards(db.path))
    db.close()


def test_sync_cards_waits_out_another_instances_write_lock(tmp_path: Path):
    db = open_database(tmp_path / "t.sqlite3", pragmas={"busy_timeout": 300})
    sync_cards(db, lambda: [("d:a", "d", "a", "basic", 0)])
    holder = sqlite3.connect(db.path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another instance in a long write

    def release() -> None:
        time.sleep(0.5)
        holder.execute("COMMIT")
        holder.close()

    thread = threading.Thread(target=release)
    thread.start()
    try:
        added, retired = sync_cards(
            db, lambda: ((k, "d", "a", "basic", 0) for k in ("d:a", "d:b")))
    finally:
        thread.join()
    assert (added, retired) == (1, 0)
    assert [row[1] for row in _cards(db.path) if not row[6]] == ["d:a", "d:b"]
    db.close()


def test_an_unchanged_start_skips_the_identity_sync_and_an_edit_is_still_synced(
        settings, decks, monkeypatch):
    """No file changed since the last sync: nothing in the store can differ (the cache is
    saved only after the sync it follows), so the identity sync is not run again."""
    import trainer.app.authoring

    synced = []
    real_sync = trainer.app.authoring.sync_identity

    def sync_identity(sources, deck):
        synced.append(sorted(deck.cards))
        return real_sync(sources, deck)

    monkeypatch.setattr(trainer.app.authoring, "sync_identity", sync_identity)
    (decks / "pooling.md").write_text(GOOD, encoding="utf-8")
    open_study(settings).close()
    assert synced == [["pooling:pool-avg", "pooling:pool-max"]]
    sources = ("SELECT c.key, s.path, s.position, s.digest FROM cards c "
               "JOIN card_sources s ON s.card_id = c.id ORDER BY c.key")
    before = rows(settings.db_path, sources)
    study = open_study(settings)
    assert synced == [["pooling:pool-avg", "pooling:pool-max"]]  # not again
    assert served(study) == {"pooling:pool-max": "Where does a max-pool send the gradient?",
                             "pooling:pool-avg": "What does average pooling send back?"}
    study.close()
    assert rows(settings.db_path, sources) == before
    (decks / "pooling.md").write_text(GOOD.replace("max-pool", "max pool"), encoding="utf-8")
    study = open_study(settings)
    assert len(synced) == 2 and study.library.changes.changed == [str(decks / "pooling.md")]
    assert rows(settings.db_path, sources) != before
    study.close()
