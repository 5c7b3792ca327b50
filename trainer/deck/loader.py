"""Find deck files, parse them and merge the languages of each card into one ``Card``.

The built-in deck lives in ``content/<lang>/<topic>.md`` (shipped in the wheel as
``trainer/_content``); a card's identity is ``deck:id``, the same in every language, so
switching language keeps progress. A file with errors contributes no cards at all here
(``trainer check``, ``trainer cards``); the app goes through ``scanner.py``, which serves
such a file's last good version instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from trainer.deck.cards import Card, Deck, ParsedFile, Problem
from trainer.deck.exercise_spec import SpecReader, read_as_written
from trainer.deck.parser import parse_file

BUILTIN_DECK = "builtin"
LANGUAGES = ("en", "zh")


def builtin_content_dir() -> Path:
    """The built-in deck: inside the installed package, else the source checkout's content/."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "_content"
    return shipped if shipped.is_dir() else package.parent / "content"


def deck_files(root: Path) -> list[Path]:
    """Markdown files under ``root`` (or ``root`` itself), in a stable order.

    Folders and files whose name starts with ``.`` are skipped, and hidden folders are
    not even entered (a registered git repository's ``.git`` is never walked: the app
    polls these folders twice a second).
    """
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(folder, f) for f in files if f.endswith(".md") and not f.startswith(".")]
    return sorted(p for p in found if p.is_file())


def parse_builtin(content: Path, check_math: bool = False,
                  exercises: SpecReader = read_as_written) -> list[ParsedFile]:
    """The built-in deck's files (``exercises`` reads exercise blocks: ``parse_text``)."""
    return [
        parse_file(path, deck=BUILTIN_DECK, lang=path.parent.name, check_math=check_math,
                   exercises=exercises)
        for lang in LANGUAGES
        for path in deck_files(content / lang)
    ]


def parse_paths(paths: Iterable[Path], check_math: bool = False,
                exercises: SpecReader = read_as_written) -> list[ParsedFile]:
    """Parse user deck files; a file inside an ``en``/``zh`` folder takes that language."""
    parsed = []
    for root in paths:
        for path in deck_files(root):
            lang = path.parent.name if path.parent.name in LANGUAGES else None
            parsed.append(parse_file(path, lang=lang, check_math=check_math,
                                     exercises=exercises))
    return parsed


def missing_paths(paths: Iterable[Path]) -> list[Problem]:
    return [
        Problem(path=str(p), line=1, message="no such file or directory",
                hint="check the path; 'trainer paths' shows the deck folders")
        for p in paths
        if not p.exists()
    ]


def load_deck(builtin: Path | None, user_dirs: Iterable[Path] = (),
              exercises: SpecReader = read_as_written) -> Deck:
    """Everything the app can study: the built-in deck (unless None) and the user decks."""
    files = parse_builtin(builtin, exercises=exercises) if builtin is not None else []
    files += parse_paths((d for d in user_dirs if d.exists()), exercises=exercises)
    return merge(files)


def merge(files: list[ParsedFile]) -> Deck:
    """Join the languages of each card; files with errors are left out whole."""
    deck = Deck()
    seen_at: dict[tuple[str, str], str] = {}
    for parsed in files:
        deck.problems.extend(parsed.problems)
        if parsed.has_errors:
            continue
        for ordinal, item in enumerate(parsed.cards):
            key = f"{parsed.deck}:{item.id}"
            where = f"{item.text.path}:{item.text.line}"
            first = seen_at.get((key, item.lang))
            if first is not None:
                deck.problems.append(Problem(
                    path=item.text.path, line=item.text.line,
                    message=f"card id {item.id!r} is already used in deck "
                            f"{parsed.deck!r} at {first}",
                    hint="ids must be unique within a deck and language",
                ))
                continue
            seen_at[(key, item.lang)] = where
            card = deck.cards.get(key)
            if card is None:
                deck.cards[key] = Card(
                    key=key, deck=parsed.deck, id=item.id, topic=item.topic,
                    topic_titles={item.lang: item.topic_title}, tags=item.tags,
                    ordinal=ordinal, texts={item.lang: item.text}, kind=item.kind,
                    explicit_id=item.explicit_id, exercise=item.exercise,
                )
            else:
                card.texts[item.lang] = item.text
                titles = card.topic_titles
                titles.setdefault(item.lang, item.topic_title)
                card.topic_titles = titles
                card.tags += [t for t in item.tags if t not in card.tags]
    return deck
