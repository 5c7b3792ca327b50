"""Writing your own cards: deck folders kept in sync with the store, editing, importing.

The application layer for authoring (beside ``study.py``; the CLI and the TUI may call it):

- ``DeckLibrary`` scans the deck folders (only changed files are parsed again), serves each
  file's last good version, and keeps every card's history across edits, moves and file
  renames (the rule is in ``trainer/deck/identity.py`` and ``docs/authoring.md``);
- ``add_cards`` runs ``$EDITOR`` on a template until what was written is valid;
- ``import_path`` registers (or copies) a file or folder of decks;
- ``editor_argv`` opens a file at a line in the user's editor.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import Field

from trainer.app.exercise_cards import read_spec
from trainer.config.file import write_atomically
from trainer.config.settings import Settings
from trainer.core.model import Model
from trainer.deck import identity
from trainer.deck.cards import Card, Deck, Problem
from trainer.deck.loader import builtin_content_dir, deck_files
from trainer.deck.parser import parse_text
from trainer.deck.scanner import (
    DeckRoot,
    FileRecord,
    Scan,
    absolute,
    paused_gc,
    scan,
    served,
    snapshot,
)
from trainer.store.database import Database
from trainer.store.deck_sync import (
    CachedFile,
    DeckSources,
    Differences,
    KnownCard,
    Place,
    Rename,
    Source,
)
from trainer.store.records import CardEntry

BUILTIN_DECK = "builtin"


def deck_roots(settings: Settings) -> list[DeckRoot]:
    """The built-in deck (unless switched off), then the user deck folders, absolute."""
    roots = []
    if settings.builtin_deck:
        content = builtin_content_dir()
        roots += [DeckRoot(absolute(content / lang), deck=BUILTIN_DECK, exercises=read_spec)
                  for lang in ("en", "zh")]
    roots += [DeckRoot(absolute(folder), exercises=read_spec) for folder in settings.deck_dirs]
    return roots


class DeckChanges(Model):
    """What a scan changed: files parsed again, cards renamed (old key -> new key), added."""

    changed: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    renamed: dict[str, str] = Field(default_factory=dict)
    added: list[str] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.changed or self.removed)


class DeckLibrary:
    """The deck folders of one settings object, kept in sync with one database.

    Thread-safe: a scan may run in a worker thread while another thread reads ``deck``
    (a new ``Deck`` object replaces the old one; it is never changed in place).
    """

    def __init__(self, settings: Settings, db: Database,
                 roots: Sequence[DeckRoot] | None = None) -> None:
        self.roots = list(roots) if roots is not None else deck_roots(settings)
        self.sources = DeckSources(db)
        self.records: dict[str, FileRecord] = {}
        self.deck = Deck()
        self.changes = DeckChanges()  # what the last load or rescan changed
        self._lock = threading.Lock()

    def load(self) -> Deck:
        """Start-up: files unchanged since the last run come from the store, not the parser
        (read one at a time, and only once the scan found them unchanged)."""
        with self._lock, paused_gc():
            previous = {path: FileRecord.from_cache(c.path, c.digest, c.parse_key, c.has_good,
                                                    c.problems)
                        for path, c in self.sources.files().items()}
            self.changes = self._apply(scan(self.roots, previous, self.sources.goods))
            return self.deck

    def changed_on_disk(self) -> bool:
        """Cheap (stat only): has any deck file been added, removed or written since the
        last scan?"""
        known = {path: record.stat for path, record in self.records.items()}
        return snapshot(self.roots) != known

    def rescan(self) -> DeckChanges:
        """Read the folders again; parse and sync only what changed."""
        with self._lock, paused_gc():
            result = scan(self.roots, self.records, self.sources.goods)
            if not (result.changed or result.removed):
                self.records = result.records
                self.changes = DeckChanges()
            else:
                self.changes = self._apply(result)
            return self.changes

    def _apply(self, result: Scan) -> DeckChanges:
        deck = served(result.records.values(), previous=self.deck)
        if result.changed or result.removed:
            renamed, added = sync_identity(self.sources, deck)
        else:  # every file as last synced (the cache is saved after the sync it follows)
            renamed, added = {}, []
        self.sources.save_files(
            [CachedFile(path=r.path, digest=r.digest, parse_key=r.parse_key,
                        good=r.encoded_good(), problems=r.encoded_problems())
             for r in (result.records[path] for path in result.changed)],
            result.removed)
        self.records = result.records
        self.deck = deck
        return DeckChanges(changed=result.changed, removed=result.removed, renamed=renamed,
                           added=added, problems=[p.format() for p in deck.problems])


def _place(card: Card) -> Place:
    """Where ``card`` is written and its content hash, its texts left unread."""
    languages = card.languages
    path = card.source("en" if "en" in languages else languages[0])[0]
    digest = identity.combined_digest((lang, card.source(lang)[1]) for lang in languages)
    return (card.key, path, card.ordinal, digest, card.id if card.explicit_id else None)


def _source(card: Card) -> Source:
    """What the store keeps about ``card``: its place, and its texts (every language)."""
    _, path, position, digest, explicit_id = _place(card)
    texts = card.texts
    langs = sorted(texts)
    return Source(path=path, position=position, digest=digest, explicit_id=explicit_id,
                  question="\n\n".join(texts[lang].question for lang in langs),
                  answer="\n\n".join(texts[lang].deleted or texts[lang].answer
                                     for lang in langs))


def _texts_of(card: Card) -> tuple[str, str]:
    source = _source(card)
    return source.question, source.answer


def _entry(card: Card) -> CardEntry:
    return CardEntry(key=card.key, deck=card.deck, topic=card.topic, kind=card.kind,
                     ordinal=card.ordinal)


def sync_identity(sources: DeckSources, deck: Deck) -> tuple[dict[str, str], list[str]]:
    """Give every card of ``deck`` its stored row: the same key first, then the identity
    rule for the rest (renaming the matched rows), else a new row. Returns the renames
    (old key -> new key) and the new keys. Retiring cards no longer written is left to
    ``StudySession._sync_cards``, which also sees the exercise cards.

    Only what differs comes back from the store (``DeckSources.sync``); a card's texts
    are read only when its row is written, or to compare it by similarity."""
    renamed: dict[str, str] = {}
    added: list[str] = []

    def places():
        return (_place(card) for card in deck.cards.values())

    def plan(differences: Differences, stored_texts):
        renamed.clear()
        added.clear()
        unmatched = set(differences.unmatched)
        found = {key: card for key, card in deck.cards.items() if key in unmatched}
        renames: list[Rename] = []
        matched: list[tuple[int, Card]] = []
        pool = differences.pool
        if found and pool:
            stored = stored_texts(row.id for row in pool)
            matches = identity.match(
                [identity.Candidate(ref=key, key=key, path=place[1], position=place[2],
                                    digest=place[3], explicit_id=place[4],
                                    load=lambda card=card: _texts_of(card))
                 for key, card in found.items() for place in [_place(card)]],
                [identity.Candidate(ref=row, key=row.key, path=row.path,
                                    position=row.position, digest=row.digest,
                                    question=stored.get(row.id, ("", ""))[0],
                                    answer=stored.get(row.id, ("", ""))[1],
                                    explicit_id=row.explicit_id)
                 for row in pool])
            for m in matches:
                row: KnownCard = m.known.ref
                card = found.pop(m.found.key)
                renames.append(Rename(id=row.id, key=card.key, deck=card.deck, kind=card.kind))
                renamed[row.key] = card.key
                matched.append((row.id, card))
        added.extend(found)
        moved = [(row_id, deck.cards[key]) for row_id, key in differences.moved]
        inserts = ((_entry(card), _source(card)) for card in found.values())
        writes = ((row_id, _source(card)) for row_id, card in [*matched, *moved])
        return renames, inserts, writes

    sources.sync(places, plan)
    return renamed, added


# -- opening a card's source -----------------------------------------------------------
def source_location(deck: Deck, key: str, lang: str) -> tuple[Path, int] | None:
    """The file and line a card is written at; None for cards with no file (the built-in
    exercises)."""
    card = deck.cards.get(key)
    if card is None:
        return None
    text = card.text(lang)
    path = Path(text.path)
    return (path, text.line) if path.suffix == ".md" and path.is_file() else None


_LINE_PLUS = {"vi", "vim", "nvim", "view", "gvim", "nano", "pico", "emacs", "emacsclient",
              "micro", "kak", "joe", "mg", "ne"}
_GOTO = {"code", "codium", "code-insiders", "cursor"}


def editor_command(environ: dict[str, str] | None = None) -> list[str] | None:
    """``$EDITOR`` split into an argument list (no shell), else nano, else vi."""
    environ = os.environ if environ is None else environ
    value = environ.get("EDITOR", "").strip()
    if value:
        try:
            command = shlex.split(value)
        except ValueError:
            command = [value]
        if command:
            return command
    for fallback in ("nano", "vi"):
        found = shutil.which(fallback)
        if found:
            return [found]
    return None


def editor_argv(command: list[str], path: Path, line: int | None = None) -> list[str]:
    """The arguments that open ``path`` (at ``line`` when the editor is known to take it)."""
    name = Path(command[0]).name
    if line is None or line < 1:
        return [*command, str(path)]
    if name in _LINE_PLUS:
        return [*command, f"+{line}", str(path)]
    if name in _GOTO:
        return [*command, "--goto", f"{path}:{line}"]
    if name in {"subl", "sublime_text", "zed", "hx", "helix"}:
        return [*command, f"{path}:{line}"]
    return [*command, str(path)]


# -- trainer add ---------------------------------------------------------------------------
ADD_MARKER = "<!-- trainer add"
ADD_BODY = ""  # the example lives in the comment: a placeholder card once got saved as real


class AddResult(Model):
    added: int = 0
    path: Path | None = None
    keys: list[str] = Field(default_factory=list)
    message: str = ""
    gave_up: bool = False


class AddNotSaved(Exception):
    """The cards were written and valid but could not be saved; ``kept`` holds the text
    (None when it could not be kept anywhere: the caller then prints it)."""

    def __init__(self, target: Path, reason: str, kept: Path | None, text: str) -> None:
        super().__init__(f"{target}: the cards could not be saved ({reason})")
        self.target, self.reason, self.kept, self.text = target, reason, kept, text


def keep_draft(body: str, deck: str) -> Path | None:
    """Save what the author wrote where it survives this command: the temporary folder
    (the home may be the full or read-only place). None when that fails too."""
    try:
        fd, name = tempfile.mkstemp(prefix=f"trainer-add-{deck}-", suffix=".md")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body)
    except OSError:
        return None
    return Path(name)


def target_file(settings: Settings, deck: str) -> Path:
    """Where ``trainer add --deck NAME`` writes: an existing NAME.md in a deck folder, else
    NAME.md in the default decks folder."""
    for folder in settings.deck_dirs:
        for file in deck_files(folder):
            if file.stem == deck:
                return file
    return settings.user_decks_dir / f"{deck}.md"


def _header(target: Path, problems: list[str]) -> str:
    lines = [f"{ADD_MARKER} → {target}",
             "  Write one or more cards below: '## question', then the answer",
             "  (cloze: {{c1::hidden text}}; the format: docs/authoring.md).",
             "  Save and quit to add them. To give up: delete everything, or quit",
             "  without changing anything. This comment is not added. For example:",
             "",
             "  ## Why does BatchNorm need a running mean at test time?",
             "",
             "  A test batch may hold one sample: its own mean says nothing."]
    if problems:
        lines += ["", "  Fix these, then save and quit (line numbers are in this file):"]
        lines += [f"  {p}" for p in problems]
    return "\n".join(lines).replace("-->", "- ->") + "\n-->\n\n"


def _split_header(text: str) -> str:
    """The text the author wrote, without the instructions comment at the top."""
    text = text.replace("\r\n", "\n")
    stripped = text.lstrip()
    if stripped.startswith(ADD_MARKER):
        end = stripped.find("-->")
        return stripped[end + 3 :].lstrip("\n") if end >= 0 else ""
    return text


def _joint(existing: str) -> str:
    """What goes between a deck file's text and appended cards: one blank line."""
    if not existing.strip() or existing.endswith("\n\n"):
        return ""
    return "\n" if existing.endswith("\n") else "\n\n"


def validate_addition(target: Path, body: str) -> tuple[list[Problem], list[str]]:
    """Problems of ``body`` once appended to ``target`` (lines counted from the first line
    of ``body``), and the keys of the cards it adds."""
    existing = target.read_text(encoding="utf-8") if target.is_file() else ""
    if not existing.strip():
        existing = ""
    head = existing + _joint(existing)
    offset = head.count("\n")
    parsed = parse_text(head + body, str(target), check_math=True, exercises=read_spec)
    problems = [p.model_copy(update={"path": str(target), "line": p.line - offset})
                for p in parsed.problems if p.line > offset]
    keys = [f"{parsed.deck}:{c.id}" for c in parsed.cards if c.text.line > offset]
    if not keys and not any(p.severity == "error" for p in problems):
        problems.append(Problem(path=str(target), line=1, message="no card to add",
                                hint="start each card with a '## question' heading"))
    return problems, keys


def add_cards(settings: Settings, deck: str, editor: list[str],
              run: Callable[[list[str]], int] | None = None) -> AddResult:
    """Open ``editor`` on a template until what is written is valid, then append it to the
    deck file. Giving up: an empty file, the template or the errors left unchanged, or an
    editor that exits with an error."""
    run = run or (lambda argv: subprocess.run(argv, check=False).returncode)
    target = target_file(settings, deck)
    gave_up = AddResult(gave_up=True, path=target, message="nothing added")
    shown: list[str] = []
    body = ADD_BODY
    with tempfile.TemporaryDirectory(prefix="trainer-add-") as folder:
        draft = Path(folder) / f"{deck}.md"
        while True:
            header = _header(target, shown)
            draft.write_text(header + body, encoding="utf-8")
            code = run(editor_argv(editor, draft))
            text = draft.read_text(encoding="utf-8") if draft.exists() else ""
            written = _split_header(text)
            if (code != 0 or not written.strip() or written.strip() == ADD_BODY.strip()
                    or (shown and written == body)):
                return gave_up
            body = written
            problems, keys = validate_addition(target, body)
            errors = [p for p in problems if p.severity == "error"]
            if not errors:
                break
            # Numbered as the next round shows them: below a header that lists them.
            lines = _header(target, ["-"] * len(errors)).count("\n")
            shown = [f"line {p.line + lines}:{p.col}: {p.message}"
                     + (f" (hint: {p.hint})" if p.hint else "") for p in errors]
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        existing = target.read_text(encoding="utf-8") if target.is_file() else ""
        # The whole file is rewritten through a temporary file: an append cut short by a
        # full disk would leave half a card at the end of the deck.
        write_atomically(target, existing + _joint(existing) + body.rstrip("\n") + "\n")
    except OSError as exc:
        raise AddNotSaved(target, exc.strerror or str(exc), keep_draft(body, deck),
                          body) from exc
    return AddResult(added=len(keys), path=target, keys=keys,
                     message=f"added {len(keys)} card{'s' if len(keys) != 1 else ''} "
                             f"to {target}")


# -- trainer import ------------------------------------------------------------------------
def plan_copy(settings: Settings, source: Path) -> list[tuple[Path, Path]]:
    """(from, to) pairs that copy a file, or a folder's deck files, into the decks folder."""
    target = settings.user_decks_dir
    if source.is_file():
        return [(source, target / source.name)]
    return [(file, target / source.name / file.relative_to(source))
            for file in deck_files(source)]
