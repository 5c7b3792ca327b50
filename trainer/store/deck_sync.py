"""What the store keeps about deck files and card sources (tables of migration 0004).

The application layer (``trainer/app/authoring.py``) decides which stored card is which written
card; this module reads what it needs and applies its decisions, one transaction each.
Plain records go in and out; the deck's own objects never reach the store.

Memory: a collection has 100,000 cards, and every start compares all of them with the
store. The comparisons run in SQLite: what the decks say is streamed into a temporary
table (``executemany`` over a generator: never a list in Python), and only the rows that
differ come back. Deck files' parses are read one file at a time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import NamedTuple

from trainer.core.model import Model
from trainer.store.database import Database, guarded_write
from trainer.store.records import CardEntry

_BATCH = 500  # rows per statement (SQLite allows 999 variables in older versions)


class KnownCard(NamedTuple):
    """A stored card and, when it has one, where it was last found (no texts)."""

    id: int
    key: str
    deck: str
    kind: str
    retired: bool
    path: str | None = None
    position: int | None = None
    digest: str | None = None
    explicit_id: str | None = None


class Source(Model):
    """Where a card is written and what it says (what the next sync compares)."""

    path: str
    position: int
    digest: str
    explicit_id: str | None = None
    question: str = ""
    answer: str = ""


class Rename(Model):
    """A stored card found again under another key: its row (and history) moves along."""

    id: int
    key: str
    deck: str
    kind: str


class CachedFile(Model):
    """A deck file's row: ``good`` is its last good parse (read apart: ``goods``), and
    ``has_good`` says whether there is one."""

    path: str
    digest: str
    parse_key: str
    good: str | None = None
    problems: str
    has_good: bool = False


# key, path, position, digest, explicit_id: where a card is found and its content hash
Place = tuple[str, str, int, str, str | None]


class Differences(NamedTuple):
    """What the store says differently from the decks (everything else is equal)."""

    moved: list[tuple[int, str]]  # (row id, key): same key, another place or content
    unmatched: list[str]  # keys no stored card has
    pool: list[KnownCard]  # stored cards with a source whose key is in no deck now


Plan = Callable[
    [Differences, Callable[[Iterable[int]], dict[int, tuple[str, str]]]],
    tuple[list[Rename], Iterable[tuple[CardEntry, Source]], Iterable[tuple[int, Source]]],
]

_SOURCE_COLUMNS = ("path", "position", "digest", "explicit_id", "question", "answer")
_UPSERT_SOURCE = (
    f"INSERT INTO card_sources (card_id, {', '.join(_SOURCE_COLUMNS)}) "
    f"VALUES (?, {', '.join('?' * len(_SOURCE_COLUMNS))}) ON CONFLICT (card_id) DO UPDATE "
    f"SET {', '.join(f'{c} = excluded.{c}' for c in _SOURCE_COLUMNS)}")
_INSERT_CARD = ("INSERT INTO cards (key, deck, topic, kind, ordinal, suspended, retired, "
                "leech) VALUES (?, ?, ?, ?, ?, 0, 0, 0)")


def _batches(items: Iterable, size: int = _BATCH) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _marks(n: int) -> str:
    return ", ".join("?" * n)


class DeckSources:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- cards -------------------------------------------------------------------------
    def sync(self, places: Callable[[], Iterable[Place]], plan: Plan) -> int:
        """Compare ``places()`` (every card the decks hold) with the store, let ``plan``
        decide about the differences, apply its decisions: one transaction.

        ``plan(differences, texts)`` gets what differs and a function returning the stored
        texts of some cards, and returns (renames, inserts, updates); inserts and updates
        may be generators (written in batches). Reading and writing under the same write
        lock means two instances starting at once never both insert the same new card.
        Retried while another instance holds the lock (``places`` and ``plan`` are called
        again); a failure is a ``StoreError`` and changes nothing. Returns the number of
        cards inserted.
        """
        return guarded_write(self.db.path, lambda: self._sync(places, plan))

    def _sync(self, places: Callable[[], Iterable[Place]], plan: Plan) -> int:
        with self.db.write() as c:
            with _temporary_rows(c, "found_places", "key TEXT PRIMARY KEY, path TEXT, "
                                 "position INTEGER, digest TEXT, explicit_id TEXT", places()):
                moved = c.execute(
                    "SELECT c.id, f.key FROM temp.found_places f JOIN cards c ON c.key = f.key "
                    "LEFT JOIN card_sources s ON s.card_id = c.id "
                    "WHERE s.card_id IS NULL OR s.path IS NOT f.path "
                    "OR s.position IS NOT f.position OR s.digest IS NOT f.digest "
                    "OR s.explicit_id IS NOT f.explicit_id").fetchall()
                unmatched = [key for (key,) in c.execute(
                    "SELECT f.key FROM temp.found_places f "
                    "WHERE NOT EXISTS (SELECT 1 FROM cards c WHERE c.key = f.key)")]
                pool = []
                if unmatched:
                    pool = [KnownCard(*row[:4], bool(row[4]), *row[5:]) for row in c.execute(
                        "SELECT c.id, c.key, c.deck, c.kind, c.retired, s.path, s.position, "
                        "s.digest, s.explicit_id FROM cards c "
                        "JOIN card_sources s ON s.card_id = c.id WHERE NOT EXISTS "
                        "(SELECT 1 FROM temp.found_places f WHERE f.key = c.key) "
                        "ORDER BY c.id")]
            renames, inserts, updates = plan(Differences(moved, unmatched, pool),
                                             lambda ids: self._texts(c, ids))
            return self._write(c, renames, inserts, updates)

    @staticmethod
    def _texts(c, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        found: dict[int, tuple[str, str]] = {}
        for batch in _batches(ids):
            found.update({row[0]: (row[1], row[2]) for row in c.execute(
                "SELECT card_id, question, answer FROM card_sources "
                f"WHERE card_id IN ({_marks(len(batch))})", batch)})
        return found

    @staticmethod
    def _write(c, renames: list[Rename], inserts: Iterable[tuple[CardEntry, Source]],
               updates: Iterable[tuple[int, Source]]) -> int:
        c.executemany("UPDATE cards SET key = ?, deck = ?, kind = ? WHERE id = ?",
                      [(r.key, r.deck, r.kind, r.id) for r in renames])
        inserted = 0
        for batch in _batches(inserts):
            c.executemany(_INSERT_CARD, [(e.key, e.deck, e.topic, e.kind, e.ordinal)
                                         for e, _ in batch])
            keys = [e.key for e, _ in batch]
            ids = dict(c.execute(f"SELECT key, id FROM cards WHERE key IN ({_marks(len(keys))})",
                                 keys).fetchall())
            c.executemany(_UPSERT_SOURCE, [(ids[e.key], *_values(s)) for e, s in batch])
            inserted += len(batch)
        for batch in _batches(updates):
            c.executemany(_UPSERT_SOURCE, [(card_id, *_values(s)) for card_id, s in batch])
        return inserted

    # -- files -------------------------------------------------------------------------
    def files(self) -> dict[str, CachedFile]:
        """Every deck file's row, without its parse (``goods`` reads those)."""
        with self.db.read() as c:
            return {row[0]: CachedFile(path=row[0], digest=row[1], parse_key=row[2],
                                       problems=row[3], has_good=bool(row[4]))
                    for row in c.execute("SELECT path, digest, parse_key, problems, "
                                         "good IS NOT NULL FROM deck_files")}

    def goods(self, paths: list[str]) -> Iterator[tuple[str, str | None]]:
        """``(path, good)`` of these files, read one row at a time."""
        with self.db.read() as c:
            for batch in _batches(paths):
                yield from c.execute(
                    f"SELECT path, good FROM deck_files WHERE path IN ({_marks(len(batch))})",
                    batch)

    def save_files(self, files: list[CachedFile], removed: list[str]) -> None:
        if not (files or removed):
            return
        guarded_write(self.db.path, lambda: self._save_files(files, removed))

    def _save_files(self, files: list[CachedFile], removed: list[str]) -> None:
        with self.db.write() as c:
            for batch in _batches(removed):
                c.execute(f"DELETE FROM deck_files WHERE path IN ({_marks(len(batch))})", batch)
            c.executemany(
                "INSERT INTO deck_files (path, digest, parse_key, good, problems) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET "
                "digest = excluded.digest, parse_key = excluded.parse_key, "
                "good = excluded.good, problems = excluded.problems",
                [(f.path, f.digest, f.parse_key, f.good, f.problems) for f in files])


def _values(source: Source) -> tuple:
    return tuple(getattr(source, name) for name in _SOURCE_COLUMNS)


# -- the cards table, for the study session ------------------------------------------------
Entry = tuple[str, str, str, str, int]  # key, deck, topic, kind, ordinal


def sync_cards(db: Database, entries: Callable[[], Iterable[Entry]]) -> tuple[int, int]:
    """The cards table as the decks say, without holding the collection in Python: insert
    new cards, refresh topic and order, retire cards no longer in any deck (they keep
    their history and come back when their key reappears). Returns (added, retired).

    ``entries()`` yields one ``(key, deck, topic, kind, ordinal)`` per card of the decks
    (a generator is fine: it is called again when the write is retried).
    """
    return guarded_write(db.path, lambda: _sync_cards(db, entries))


def _sync_cards(db: Database, entries: Callable[[], Iterable[Entry]]) -> tuple[int, int]:
    with db.write() as c, _temporary_rows(
            c, "wanted_cards", "key TEXT PRIMARY KEY, deck TEXT, topic TEXT, kind TEXT, "
            "ordinal INTEGER", entries()):
        added = c.execute(
            "INSERT INTO cards (key, deck, topic, kind, ordinal, suspended, retired, leech) "
            "SELECT w.key, w.deck, w.topic, w.kind, w.ordinal, 0, 0, 0 "
            "FROM temp.wanted_cards w "
            "WHERE NOT EXISTS (SELECT 1 FROM cards c WHERE c.key = w.key) "
            "ORDER BY w.rowid").rowcount
        retired = c.execute(
            "UPDATE cards SET retired = 1 WHERE NOT retired AND NOT EXISTS "
            "(SELECT 1 FROM temp.wanted_cards w WHERE w.key = cards.key)").rowcount
        stale = c.execute(
            "SELECT c.id, w.topic, w.ordinal FROM temp.wanted_cards w "
            "JOIN cards c ON c.key = w.key "
            "WHERE c.retired OR c.topic IS NOT w.topic OR c.ordinal IS NOT w.ordinal"
        ).fetchall()
        c.executemany("UPDATE cards SET retired = 0, topic = ?, ordinal = ? WHERE id = ?",
                      [(topic, ordinal, card_id) for card_id, topic, ordinal in stale])
    return added, retired


@contextmanager
def _temporary_rows(c: sqlite3.Connection, name: str, columns: str,
                    rows: Iterable[tuple]) -> Iterator[None]:
    """``rows`` in the temporary table ``name`` (``columns``: its SQL column list) for the
    statements of the block, so SQLite compares them with the store; dropped after."""
    c.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})")
    try:
        c.execute(f"DELETE FROM temp.{name}")
        marks = ", ".join("?" for _ in columns.split(","))
        c.executemany(f"INSERT INTO temp.{name} VALUES ({marks})", rows)
        yield
    finally:
        c.execute(f"DROP TABLE IF EXISTS temp.{name}")
