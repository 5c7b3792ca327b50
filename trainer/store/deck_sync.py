"""What the store keeps about deck files and card sources (tables of migration 0004).

The application layer (``trainer/authoring.py``) decides which stored card is which written
card; this module reads what it needs and applies its decisions, one transaction each.
Plain pydantic records go in and out; the deck's own objects never reach the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from pydantic import BaseModel
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.sqlite import insert

from trainer.store.database import Database, guarded_write
from trainer.store.models import CardRow, CardSourceRow, DeckFileRow
from trainer.store.records import CardEntry


class KnownCard(NamedTuple):
    """A stored card and, when it has one, where it was last found (no texts).

    A named tuple: every start-up reads one per card (10,000 pydantic objects would cost
    a third of a second)."""

    id: int
    key: str
    deck: str
    kind: str
    retired: bool
    path: str | None = None
    position: int | None = None
    digest: str | None = None
    explicit_id: str | None = None


class Source(BaseModel):
    """Where a card is written and what it says (what the next sync compares)."""

    path: str
    position: int
    digest: str
    explicit_id: str | None = None
    question: str = ""
    answer: str = ""


class Rename(BaseModel):
    """A stored card found again under another key: its row (and history) moves along."""

    id: int
    key: str
    deck: str
    kind: str


class CachedFile(BaseModel):
    path: str
    digest: str
    parse_key: str
    good: str | None
    problems: str


Plan = Callable[
    [list[KnownCard], Callable[[Iterable[int]], dict[int, tuple[str, str]]]],
    tuple[list[Rename], list[tuple[CardEntry, Source]], list[tuple[int, Source]]],
]


class DeckSources:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- cards -------------------------------------------------------------------------
    def sync(self, plan: Plan) -> dict[str, int]:
        """Read every stored card, let ``plan`` decide, apply its decisions: one transaction.

        ``plan(known, texts)`` gets the stored cards and a function returning the stored
        texts of some of them, and returns (renames, inserts, updates). Reading and writing
        under the same write lock means two instances starting at once never both insert
        the same new card. Retried while another instance holds the lock; a failure is a
        ``StoreError`` and changes nothing. Returns the row id of each inserted key.
        """
        return guarded_write(self.db.path, lambda: self._sync(plan))

    def _sync(self, plan: Plan) -> dict[str, int]:
        query = (select(CardRow.id, CardRow.key, CardRow.deck, CardRow.kind, CardRow.retired,
                        CardSourceRow.path, CardSourceRow.position, CardSourceRow.digest,
                        CardSourceRow.explicit_id)
                 .outerjoin(CardSourceRow, CardSourceRow.card_id == CardRow.id))
        with self.db.sessions.begin() as s:
            known = [KnownCard(*row) for row in s.execute(query).all()]
            renames, inserts, updates = plan(known, lambda ids: self._texts(s, ids))
            return self._write(s, renames, inserts, updates)

    @staticmethod
    def _texts(s, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        ids = list(ids)
        found: dict[int, tuple[str, str]] = {}
        for start in range(0, len(ids), 500):
            query = select(CardSourceRow.card_id, CardSourceRow.question,
                           CardSourceRow.answer).where(
                CardSourceRow.card_id.in_(ids[start : start + 500]))
            found.update({r[0]: (r[1], r[2]) for r in s.execute(query).all()})
        return found

    @staticmethod
    def _write(s, renames: list[Rename], inserts: list[tuple[CardEntry, Source]],
               updates: list[tuple[int, Source]]) -> dict[str, int]:
        for rename in renames:
            s.execute(update(CardRow).where(CardRow.id == rename.id).values(
                key=rename.key, deck=rename.deck, kind=rename.kind))
        ids: dict[str, int] = {}
        if inserts:
            s.execute(CardRow.__table__.insert(), [
                dict(key=e.key, deck=e.deck, topic=e.topic, kind=e.kind, ordinal=e.ordinal,
                     suspended=False, retired=False, leech=False) for e, _ in inserts])
            wanted = {e.key for e, _ in inserts}
            ids = {key: id_ for key, id_ in s.execute(select(CardRow.key, CardRow.id))
                   if key in wanted}
        rows = [dict(card_id=card_id, **source.model_dump()) for card_id, source in updates]
        rows += [dict(card_id=ids[entry.key], **source.model_dump())
                 for entry, source in inserts]
        if rows:
            statement = insert(CardSourceRow.__table__)
            statement = statement.on_conflict_do_update(
                index_elements=["card_id"],
                set_={name: statement.excluded[name] for name in Source.model_fields})
            s.execute(statement, rows)
        return ids

    # -- files -------------------------------------------------------------------------
    def files(self) -> dict[str, CachedFile]:
        with self.db.sessions.begin() as s:
            return {r.path: CachedFile(path=r.path, digest=r.digest, parse_key=r.parse_key,
                                       good=r.good, problems=r.problems)
                    for r in s.scalars(select(DeckFileRow)).all()}

    def save_files(self, files: list[CachedFile], removed: list[str]) -> None:
        if not (files or removed):
            return
        guarded_write(self.db.path, lambda: self._save_files(files, removed))

    def _save_files(self, files: list[CachedFile], removed: list[str]) -> None:
        with self.db.sessions.begin() as s:
            if removed:
                for start in range(0, len(removed), 500):
                    s.execute(delete(DeckFileRow).where(
                        DeckFileRow.path.in_(removed[start : start + 500])))
            if files:
                statement = insert(DeckFileRow.__table__)
                statement = statement.on_conflict_do_update(
                    index_elements=["path"],
                    set_={name: statement.excluded[name]
                          for name in ("digest", "parse_key", "good", "problems")})
                s.execute(statement, [f.model_dump() for f in files])
