"""Deck folders on disk: which files changed, their parses, and what is served.

A scan reads every deck file and hashes its bytes; a file whose hash (and parse defaults)
is unchanged keeps its previous parse, so only edited files are parsed again. A file
with errors keeps serving its **last good version** (all or nothing per file: a broken
file is never half-imported) and says so with a warning.

Nothing here touches a database: the application layer persists ``FileRecord``s (their
last good parse packed as text, ``packed.py``) and hands them back at the next start-up,
where a record's parse is read from the store only once the scan found its file unchanged.
"""

from __future__ import annotations

import gc
import hashlib
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter

from trainer.deck.cards import Deck, ParsedFile, Problem
from trainer.deck.exercise_spec import SpecReader, read_as_written
from trainer.deck.loader import LANGUAGES, deck_files
from trainer.deck.packed import PackedFile, merge
from trainer.deck.parser import parse_bytes

# Part of every cache key: a new parser output (or a new packing) re-parses every file.
PARSER_VERSION = "3"
_PROBLEMS = TypeAdapter(list[Problem])

Stat = tuple[int, int, int]  # mtime_ns, size, inode


@dataclass(frozen=True)
class DeckRoot:
    """A folder (or one file) of decks. ``deck`` forces the deck name (the built-in
    deck); otherwise each file's name is its deck, unless its front matter says.
    ``exercises`` reads its exercise blocks (``parser.parse_text``)."""

    path: Path
    deck: str | None = None
    exercises: SpecReader = read_as_written

    def defaults(self, file: Path) -> tuple[str | None, str | None]:
        """(deck, language) defaults for ``file``: a folder named en/zh sets the language."""
        lang = file.parent.name if file.parent.name in LANGUAGES else None
        return self.deck, lang

    def parse_key(self, file: Path) -> str:
        deck, lang = self.defaults(file)
        return f"{PARSER_VERSION}|{deck or ''}|{lang or ''}"


@dataclass
class FileRecord:
    """One deck file as last read: its hash, its problems, and its last good parse.

    ``packed`` is that parse once in memory; ``stored`` says the store holds one that was
    not read yet (``load_packed``: only files the scan found unchanged need it).
    """

    path: str
    digest: str
    parse_key: str
    problems: list[Problem]
    stat: Stat | None = None
    packed: PackedFile | None = None
    stored: bool = False

    @property
    def good(self) -> ParsedFile | None:
        """The last version of this file without errors (unpacked: for checks and tests)."""
        return self.packed.to_parsed() if self.packed is not None else None

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def encoded_good(self) -> str | None:
        return self.packed.encode() if self.packed is not None else None

    def encoded_problems(self) -> str:
        return _PROBLEMS.dump_json(self.problems).decode()

    def load_packed(self, text: str | None) -> None:
        """Take the last good parse the store kept (None, or unreadable: there is none)."""
        self.stored = False
        if text is not None:
            try:
                self.packed = PackedFile.decode(text)
            except (ValueError, KeyError, TypeError, zlib.error):  # damaged: as if none
                self.packed = None

    @classmethod
    def from_cache(cls, path: str, digest: str, parse_key: str, has_good: bool,
                   problems: str) -> FileRecord:
        return cls(path=path, digest=digest, parse_key=parse_key,
                   problems=_PROBLEMS.validate_json(problems), stored=has_good)


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


Loader = Callable[[list[str]], Iterable[tuple[str, str | None]]]


def scan(roots: Iterable[DeckRoot], previous: dict[str, FileRecord],
         load: Loader | None = None) -> Scan:
    """Read every deck file under ``roots``; parse only those whose content changed.

    ``load(paths)`` yields ``(path, text)``: the packed parses the store keeps, read for
    the records that need theirs (``stored``), one at a time. A file found unchanged whose
    stored parse is missing or unreadable is parsed again.
    """
    with paused_gc():
        result, found = _scan(roots, previous)
        if load is not None:
            _load(result, found, load)
        return result


def _scan(roots: Iterable[DeckRoot], previous: dict[str, FileRecord]
          ) -> tuple[Scan, dict[str, tuple[DeckRoot, Path]]]:
    records: dict[str, FileRecord] = {}
    changed: list[str] = []
    found: dict[str, tuple[DeckRoot, Path]] = {}
    for root, file in _files(roots):
        key = str(file)
        found[key] = (root, file)
        stat = _stat(file)
        prev = previous.get(key)
        parse_key = root.parse_key(file)
        try:
            data = file.read_bytes()
        except OSError as exc:
            problem = Problem(path=key, line=1, message=f"cannot read: {exc.strerror or exc}")
            records[key] = FileRecord(path=key, digest="", parse_key=parse_key,
                                      problems=[problem], stat=stat,
                                      packed=prev.packed if prev else None,
                                      stored=prev.stored if prev else False)
            changed.append(key)
            continue
        digest = content_digest(data)
        if prev is not None and prev.digest == digest and prev.parse_key == parse_key:
            prev.stat = stat
            records[key] = prev
            continue
        records[key] = _parsed(root, file, data, digest, stat, prev)
        changed.append(key)
    removed = [key for key in previous if key not in records]
    return Scan(records=records, changed=changed, removed=removed), found


def _parsed(root: DeckRoot, file: Path, data: bytes, digest: str, stat: Stat | None,
            prev: FileRecord | None) -> FileRecord:
    deck, lang = root.defaults(file)
    parsed = parse_bytes(data, file, deck=deck, lang=lang, exercises=root.exercises)
    record = FileRecord(path=str(file), digest=digest, parse_key=root.parse_key(file),
                        problems=parsed.problems, stat=stat)
    if not parsed.has_errors:
        record.packed = PackedFile.from_parsed(parsed)
    elif prev is not None:  # the last good version stays (still in the store, maybe)
        record.packed, record.stored = prev.packed, prev.stored
    return record


def _load(result: Scan, found: dict[str, tuple[DeckRoot, Path]], load: Loader) -> None:
    wanted = [path for path, record in result.records.items() if record.stored]
    if not wanted:
        return
    changed = set(result.changed)
    for path, text in load(wanted):
        record = result.records.get(path)
        if record is not None and record.stored:
            record.load_packed(text)
    for path in wanted:
        record = result.records[path]
        record.stored = False  # not in the store after all: no last good version
        if record.packed is None and path not in changed:
            root, file = found[path]  # found unchanged, but its parse is lost: parse it
            try:
                data = file.read_bytes()
            except OSError:
                continue
            result.records[path] = _parsed(root, file, data, content_digest(data),
                                           record.stat, None)
            result.changed.append(path)


def served(records: Iterable[FileRecord], previous: Deck | None = None) -> Deck:
    """The deck the app studies: every file's last good version, and every problem.

    Records whose parse is still in the store only (``stored``) must be loaded first.
    Cards of ``previous`` found unchanged are served as the same objects."""
    with paused_gc():
        return _served(records, previous)


def _served(records: Iterable[FileRecord], previous: Deck | None) -> Deck:
    good: list[PackedFile] = []
    problems: list[Problem] = []
    for record in records:
        problems += record.problems
        if record.stored:
            raise ValueError(f"{record.path}: its last good parse was not loaded")
        packed = record.packed
        if packed is None:
            continue
        if record.has_errors:
            count = packed.count
            problems.append(Problem(
                path=record.path, line=min(p.line for p in record.problems if
                                           p.severity == "error"),
                severity="warning",
                message=f"this file has errors: its last good version ({count} card"
                        f"{'s' if count != 1 else ''}) is served until they are fixed",
                hint="run 'trainer check' on it"))
        good.append(packed)
    deck = merge(good, previous)
    deck.problems = problems + deck.problems
    return deck


def absolute(path: Path) -> Path:
    """``path`` made absolute without resolving symlinks (the author's own view of it)."""
    return Path(os.path.abspath(path.expanduser()))
