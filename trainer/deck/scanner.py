"""Deck folders on disk: which files changed, their parses, and what is served.

A scan reads every deck file and hashes its bytes; a file whose hash (and parse defaults)
is unchanged keeps its previous parse, so only edited files are parsed again. A file
with errors keeps serving its **last good version** (all or nothing per file: a broken
file is never half-imported) and says so with a warning.

Nothing here touches a database: the application layer persists ``FileRecord``s (their
last good parse as JSON) and hands them back at the next start-up.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter

from trainer.deck.loader import LANGUAGES, deck_files, merge
from trainer.deck.models import Deck, ParsedFile, Problem
from trainer.deck.parser import parse_bytes

PARSER_VERSION = "2"  # part of every cache key: a new parser output re-parses every file
_PROBLEMS = TypeAdapter(list[Problem])

Stat = tuple[int, int, int]  # mtime_ns, size, inode


@dataclass(frozen=True)
class DeckRoot:
    """A folder (or one file) of decks. ``deck`` forces the deck name (the built-in
    deck); otherwise each file's name is its deck, unless its front matter says."""

    path: Path
    deck: str | None = None

    def defaults(self, file: Path) -> tuple[str | None, str | None]:
        """(deck, language) defaults for ``file``: a folder named en/zh sets the language."""
        lang = file.parent.name if file.parent.name in LANGUAGES else None
        return self.deck, lang

    def parse_key(self, file: Path) -> str:
        deck, lang = self.defaults(file)
        return f"{PARSER_VERSION}|{deck or ''}|{lang or ''}"


@dataclass
class FileRecord:
    """One deck file as last read: its hash, its problems, and its last good parse."""

    path: str
    digest: str
    parse_key: str
    problems: list[Problem]
    stat: Stat | None = None
    good_json: str | None = None  # the last good parse, still encoded (from the store)
    _good: ParsedFile | None = field(default=None, repr=False)

    @property
    def good(self) -> ParsedFile | None:
        """The last version of this file without errors (decoded on first use)."""
        if self._good is None and self.good_json is not None:
            self._good = ParsedFile.model_validate_json(self.good_json)
        return self._good

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def encoded_good(self) -> str | None:
        if self.good_json is None and self._good is not None:
            self.good_json = self._good.model_dump_json()
        return self.good_json

    def encoded_problems(self) -> str:
        return _PROBLEMS.dump_json(self.problems).decode()

    @classmethod
    def from_cache(cls, path: str, digest: str, parse_key: str, good: str | None,
                   problems: str) -> FileRecord:
        return cls(path=path, digest=digest, parse_key=parse_key,
                   problems=_PROBLEMS.validate_json(problems), good_json=good)


@dataclass
class Scan:
    records: dict[str, FileRecord]  # by absolute path, in reading order
    changed: list[str]  # parsed this time (new or edited files)
    removed: list[str]  # known before, not found now


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off while a deck is built.

    Parsing allocates hundreds of thousands of objects that mostly survive (the cards);
    each full collection on the way walks all of them again, which made a 10,000-card
    import nearly twice as slow. Nothing built here forms cycles worth collecting early;
    reference counting still frees the parser's temporary tokens at once.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _files(roots: Iterable[DeckRoot]) -> list[tuple[DeckRoot, Path]]:
    seen: set[Path] = set()
    found = []
    for root in roots:
        for file in deck_files(root.path):
            if file not in seen:
                seen.add(file)
                found.append((root, file))
    return found


def _stat(file: Path) -> Stat | None:
    try:
        st = file.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def snapshot(roots: Iterable[DeckRoot]) -> dict[str, Stat | None]:
    """Every deck file's modification time, size and inode: cheap enough to poll."""
    return {str(file): _stat(file) for _, file in _files(roots)}


def scan(roots: Iterable[DeckRoot], previous: dict[str, FileRecord]) -> Scan:
    """Read every deck file under ``roots``; parse only those whose content changed."""
    with paused_gc():
        return _scan(roots, previous)


def _scan(roots: Iterable[DeckRoot], previous: dict[str, FileRecord]) -> Scan:
    records: dict[str, FileRecord] = {}
    changed: list[str] = []
    for root, file in _files(roots):
        key = str(file)
        stat = _stat(file)
        prev = previous.get(key)
        parse_key = root.parse_key(file)
        deck, lang = root.defaults(file)
        try:
            data = file.read_bytes()
        except OSError as exc:
            problem = Problem(path=key, line=1, message=f"cannot read: {exc.strerror or exc}")
            records[key] = FileRecord(path=key, digest="", parse_key=parse_key,
                                      problems=[problem], stat=stat,
                                      _good=prev.good if prev else None)
            changed.append(key)
            continue
        digest = content_digest(data)
        if prev is not None and prev.digest == digest and prev.parse_key == parse_key:
            prev.stat = stat
            records[key] = prev
            continue
        parsed = parse_bytes(data, file, deck=deck, lang=lang)
        good = prev.good if parsed.has_errors and prev is not None else None
        record = FileRecord(path=key, digest=digest, parse_key=parse_key,
                            problems=parsed.problems, stat=stat)
        if not parsed.has_errors:
            record._good = parsed.model_copy(update={"problems": []})
        elif good is not None:
            record._good = good
        records[key] = record
        changed.append(key)
    removed = [key for key in previous if key not in records]
    return Scan(records=records, changed=changed, removed=removed)


def served(records: Iterable[FileRecord]) -> Deck:
    """The deck the app studies: every file's last good version, and every problem."""
    with paused_gc():
        return _served(records)


def _served(records: Iterable[FileRecord]) -> Deck:
    good: list[ParsedFile] = []
    problems: list[Problem] = []
    for record in records:
        problems += record.problems
        parsed = record.good
        if parsed is None:
            continue
        if record.has_errors:
            count = len(parsed.cards)
            problems.append(Problem(
                path=record.path, line=min(p.line for p in record.problems if
                                           p.severity == "error"),
                severity="warning",
                message=f"this file has errors: its last good version ({count} card"
                        f"{'s' if count != 1 else ''}) is served until they are fixed",
                hint="run 'trainer check' on it"))
        good.append(parsed)
    deck = merge(good)
    deck.problems = problems + deck.problems
    return deck


def absolute(path: Path) -> Path:
    """``path`` made absolute without resolving symlinks (the author's own view of it)."""
    return Path(os.path.abspath(path.expanduser()))
