"""Deck files as the app holds them: packed, so that 100,000 cards cost little memory.

A parsed file (``ParsedFile``: one pydantic object per card and per text) is turned into
a ``PackedFile`` once: its cards' texts compressed in chunks of ``CHUNK`` cards, their
content hashes as raw bytes, and a compressed index (ids and what the cards of the file
share: topic, title, tags, kind). The store keeps the same packing as text (``encode``),
so an unchanged file is never parsed nor decoded card by card at start-up.

``merge`` serves them as one ``Deck`` of ``Card`` objects that hold a key, an ordinal and
where their texts are; a card's texts are decompressed when it is shown (the last few
chunks stay decoded, so walking the deck in order decodes each chunk once).
"""

from __future__ import annotations

import base64
import json
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable

from trainer.deck.cards import Card, CardText, Deck, ParsedCard, ParsedFile, Problem, _Meta
from trainer.deck.exercise_spec import ExerciseSpec

CHUNK = 64  # cards per compressed block of texts: ~10 KB of text, decoded in ~30 us
FORMAT = "trainer-pack-1:"  # what an encoded pack starts with (a ParsedFile JSON: "{")
_DIGEST = 10  # bytes of a card's content hash (identity.digest: blake2b, digest_size=10)
_DECODED = 32  # chunks kept decoded


class _Decoded:
    """The last chunks decoded, shared by every file (thread-safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[bytes, list] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, blob: bytes) -> list:
        with self.lock:
            found = self.items.get(blob)
            if found is not None:
                self.items.move_to_end(blob)
                return found
        found = _unpack(blob)
        with self.lock:
            self.items[blob] = found
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return found


_decoded = _Decoded(_DECODED)


def _pack(value: object) -> bytes:
    return zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":"))
                         .encode("utf-8"))


def _unpack(blob: bytes):
    return json.loads(zlib.decompress(blob))


class PackedFile:
    """One deck file's last good parse, packed. Immutable once built."""

    __slots__ = ("path", "deck", "lang", "count", "_index", "_chunks", "_digests")

    def __init__(self, path: str, deck: str, lang: str, count: int, index: bytes,
                 chunks: list[bytes], digests: bytes | tuple[str, ...]) -> None:
        self.path, self.deck, self.lang, self.count = path, deck, lang, count
        self._index, self._chunks, self._digests = index, chunks, digests

    # -- building --------------------------------------------------------------------
    @classmethod
    def from_parsed(cls, parsed: ParsedFile) -> PackedFile:
        metas: dict[tuple, int] = {}
        index = []
        for card in parsed.cards:
            exercise = card.exercise.model_dump_json() if card.exercise is not None else None
            meta = (card.explicit_id, card.kind, card.topic, card.topic_title, card.tags,
                    exercise)
            number = metas.setdefault(json.dumps(meta), len(metas))
            index.append((card.id, number))
        chunks = [_pack([(t.question, t.answer, t.line, t.deleted)
                         for t in (c.text for c in parsed.cards[start : start + CHUNK])])
                  for start in range(0, len(parsed.cards), CHUNK)]
        hashes = [card.text.digest for card in parsed.cards]
        try:
            digests: bytes | tuple[str, ...] = bytes.fromhex("".join(hashes))
        except ValueError:
            digests = b""
        if len(digests) != _DIGEST * len(hashes) or digests.hex() != "".join(hashes):
            digests = tuple(hashes)  # not identity.digest's hashes (a hand-made file)
        index_blob = _pack({"metas": [json.loads(m) for m in metas], "cards": index})
        return cls(parsed.path, parsed.deck, parsed.lang, len(parsed.cards), index_blob,
                   chunks, digests)

    def entries(self) -> list[tuple[str, tuple]]:
        """(id, what the card shares with others) per card, in file order; the shared
        part is one tuple per distinct value: (explicit_id, kind, topic, title, tags,
        exercise JSON or None)."""
        data = _unpack(self._index)
        metas = [(bool(m[0]), m[1], m[2], m[3], tuple(m[4]), m[5]) for m in data["metas"]]
        return [(card_id, metas[number]) for card_id, number in data["cards"]]

    def to_parsed(self) -> ParsedFile:
        """The ``ParsedFile`` this was packed from (``trainer check`` and tests)."""
        cards = []
        for i, (card_id, (explicit, kind, topic, title, tags, exercise)) in enumerate(
                self.entries()):
            cards.append(ParsedCard(
                id=card_id, explicit_id=explicit, topic=topic, topic_title=title,
                tags=list(tags), lang=self.lang, text=self.text(i), kind=kind,
                exercise=ExerciseSpec.model_validate_json(exercise) if exercise else None))
        return ParsedFile(path=self.path, deck=self.deck, lang=self.lang, cards=cards)

    # -- texts -----------------------------------------------------------------------
    def digest(self, index: int) -> str:
        digests = self._digests
        if isinstance(digests, tuple):
            return digests[index]
        return digests[index * _DIGEST : (index + 1) * _DIGEST].hex()

    def text(self, index: int) -> CardText:
        if not 0 <= index < self.count:
            raise IndexError(index)
        question, answer, line, deleted = _decoded.get(self._chunks[index // CHUNK])[
            index % CHUNK]
        return CardText(question=question, answer=answer, path=self.path, line=line,
                        digest=self.digest(index), deleted=deleted)

    # -- the store's copy ------------------------------------------------------------
    def encode(self) -> str:
        b64 = base64.b64encode
        digests = (b64(self._digests).decode() if isinstance(self._digests, bytes)
                   else list(self._digests))
        return FORMAT + json.dumps({
            "path": self.path, "deck": self.deck, "lang": self.lang, "count": self.count,
            "index": b64(self._index).decode(), "digests": digests,
            "chunks": [b64(c).decode() for c in self._chunks]}, ensure_ascii=False)

    @classmethod
    def decode(cls, text: str) -> PackedFile:
        """What ``encode`` wrote, or a ``ParsedFile`` as JSON (the cache of earlier
        versions); ValueError when it is neither."""
        if not text.startswith(FORMAT):
            return cls.from_parsed(ParsedFile.model_validate_json(text))
        data = json.loads(text[len(FORMAT):])
        b64 = base64.b64decode
        count, index, digests = data["count"], b64(data["index"]), data["digests"]
        chunks = [b64(c) for c in data["chunks"]]
        digests = b64(digests) if isinstance(digests, str) else tuple(digests)
        try:
            complete = len(_unpack(index)["cards"]) == count  # read at once by ``merge``
            for chunk in chunks:  # zlib's checksum: a damaged text is caught here, not
                zlib.decompress(chunk)  # when its card is shown (~10 us a chunk)
        except zlib.error as exc:
            raise ValueError(f"a damaged packed deck file: {exc}") from None
        if not complete or len(chunks) != -(-count // CHUNK) or len(digests) != (
                count * _DIGEST if isinstance(digests, bytes) else count):
            raise ValueError("a packed deck file with missing cards")
        return cls(data["path"], data["deck"], data["lang"], count, index, chunks, digests)


# -- the served deck ---------------------------------------------------------------------
Source = tuple[PackedFile, int]


class _Metas:
    """One ``_Meta`` per distinct value, shared by every card that has it."""

    def __init__(self) -> None:
        self.found: dict[tuple, _Meta] = {}

    def get(self, deck: str, topic: str, titles: tuple, tags: tuple, kind: str,
            explicit: bool, exercise: str | None) -> _Meta:
        key = (deck, topic, titles, tags, kind, explicit, exercise)
        meta = self.found.get(key)
        if meta is None:
            spec = ExerciseSpec.model_validate_json(exercise) if exercise else None
            meta = self.found[key] = _Meta(deck, None, topic, titles, tags, kind, explicit, spec)
        return meta


def merge(files: Iterable[PackedFile], previous: Deck | None = None) -> Deck:
    """Join the languages of each card (a card is ``deck:id``, the same in every language;
    the first file it is found in gives its topic and ordinal).

    A card of ``previous`` read from the same packed files at the same places is served
    as the same object: a reload allocates only what changed.
    """
    cards: dict[str, Card] = {}
    problems: list[Problem] = []
    metas = _Metas()
    old = previous.cards if previous is not None else {}
    partial: dict[str, int] = {}  # reused cards of several languages: sources seen again
    for packed in files:
        local: dict[int, _Meta] = {}  # entries() shares one tuple per distinct value
        for i, (card_id, shared) in enumerate(packed.entries()):
            key = f"{packed.deck}:{card_id}"
            card = cards.get(key)
            if card is None:
                reused = old.get(key)
                if reused is not None and reused.ordinal == i and _first(reused) is packed:
                    cards[reused.key] = reused  # its own key: the new string is let go
                    if isinstance(reused._texts, tuple):
                        partial[key] = 1
                    continue
                meta = local.get(id(shared))
                if meta is None:
                    meta = local[id(shared)] = _meta_of([(packed, i, shared)], metas)
                cards[key] = Card.stored(key, i, meta, packed)
                continue
            sources = card._sources()
            seen = partial.pop(key, None)
            if seen is not None:
                if seen < len(sources) and sources[seen][0] is packed and sources[seen][1] == i:
                    partial[key] = seen + 1
                    continue
                sources = sources[:seen]
                card = _built(key, _described(sources), metas)
            clash = next((s for s in sources if s[0].lang == packed.lang), None)
            if clash is not None:
                problems.append(Problem(
                    path=packed.path, line=packed.text(i).line,
                    message=f"card id {card_id!r} is already used in deck {packed.deck!r} at "
                            f"{clash[0].path}:{clash[0].text(clash[1]).line}",
                    hint="ids must be unique within a deck and language"))
                cards[key] = card
                continue
            meta = _joined(card._meta, packed.lang, shared, metas)
            cards[key] = Card.stored(key, card.ordinal, meta, (*sources, (packed, i)))
    for key, seen in partial.items():  # a language of a reused card is no longer there
        if seen < len(cards[key]._texts):
            cards[key] = _built(key, _described(cards[key]._texts[:seen]), metas)
    return Deck(cards=cards, problems=problems)


def _first(card: Card) -> PackedFile | None:
    texts = card._texts
    if isinstance(texts, tuple):
        return texts[0][0]
    return texts if isinstance(texts, PackedFile) else None


def _described(sources) -> list[tuple[PackedFile, int, tuple]]:
    return [(packed, i, packed.entries()[i][1]) for packed, i in sources]


def _built(key: str, described: list[tuple[PackedFile, int, tuple]], metas: _Metas) -> Card:
    sources = tuple((packed, i) for packed, i, _ in described)
    texts = sources if len(sources) > 1 else sources[0][0]
    return Card.stored(key, sources[0][1], _meta_of(described, metas), texts)


def _meta_of(described: list[tuple[PackedFile, int, tuple]], metas: _Metas) -> _Meta:
    packed, _, (explicit, kind, topic, title, tags, exercise) = described[0]
    meta = metas.get(packed.deck, topic, ((packed.lang, title),), tags, kind, explicit,
                     exercise)
    for other, _, shared in described[1:]:
        meta = _joined(meta, other.lang, shared, metas)
    return meta


def _joined(meta: _Meta, lang: str, shared: tuple, metas: _Metas) -> _Meta:
    """``meta`` with one more language: its title (unless one is known) and its tags."""
    title, tags = shared[3], shared[4]
    titles = meta.titles
    if not any(known == lang for known, _ in titles):
        titles = (*titles, (lang, title))
    joined = meta.tags + tuple(t for t in tags if t not in meta.tags)
    exercise = meta.exercise.model_dump_json() if meta.exercise is not None else None
    return metas.get(meta.deck, meta.topic, titles, joined, meta.kind, meta.explicit_id,
                     exercise)
