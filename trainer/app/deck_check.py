"""Deck files read for ``trainer cards`` and ``trainer check``, as the app reads them: each
exercise block checked against the exercise families (``exercise_cards.read_spec``).

Every error makes its file contribute no cards here; the app itself serves a broken
file's last good version (``authoring.DeckLibrary``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from trainer.app.exercise_cards import read_spec
from trainer.config.settings import Settings
from trainer.deck import loader
from trainer.deck.cards import Deck, Problem
from trainer.deck.identity import duplicate_texts


class DeckCheck(NamedTuple):
    deck: Deck  # the cards of the files without errors
    problems: list[Problem]  # paths that do not exist, every file's, then cards found twice
    files: int  # paths given, or files read


def load_deck(settings: Settings) -> Deck:
    """The built-in deck (unless switched off) and the user decks of ``settings``."""
    return loader.load_deck(loader.builtin_content_dir() if settings.builtin_deck else None,
                            settings.deck_dirs, exercises=read_spec)


def check_decks(settings: Settings, paths: Sequence[Path]) -> DeckCheck:
    """``paths`` (or, when none are given, every deck of ``settings``) read with the math
    and punctuation checks, and the warnings about cards written twice."""
    if paths:
        missing = loader.missing_paths(paths)
        files = loader.parse_paths((p for p in paths if p.exists()), check_math=True,
                                   exercises=read_spec)
        count = len(paths)
    else:
        missing = []
        files = (loader.parse_builtin(loader.builtin_content_dir(), check_math=True,
                                      exercises=read_spec) if settings.builtin_deck else [])
        files += loader.parse_paths((d for d in settings.deck_dirs if d.exists()),
                                    check_math=True, exercises=read_spec)
        count = len(files)
    deck = loader.merge(files)
    return DeckCheck(deck, missing + deck.problems + duplicate_warnings(deck), count)


def duplicate_warnings(deck: Deck) -> list[Problem]:
    """A warning for each card whose text another deck already has."""
    warnings = []
    for card, first, lang in duplicate_texts(deck.cards.values()):
        text, other = card.text(lang), first.text(lang)
        warnings.append(Problem(
            path=text.path, line=text.line, severity="warning",
            message=f"the same card as {first.key} ({other.path}:{other.line}); both are "
                    "studied", hint="keep one copy: a deck copied with --copy and also "
                                    "registered doubles every card"))
    return warnings
