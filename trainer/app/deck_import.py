"""``trainer import PATH [--copy]``: a markdown file or folder of the user's becomes a deck,
registered in config.toml (the files stay where they are) or copied into the decks folder.

All or nothing: the database is opened (and the cards synced) before anything is kept;
copies go through temporary files and are removed again if a later step fails;
config.toml is written last.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from trainer.app.authoring import plan_copy
from trainer.app.exercise_cards import read_spec
from trainer.app.study import StudySession
from trainer.config.file import save_setting
from trainer.config.settings import Settings, read_config_file
from trainer.core.model import Model
from trainer.deck.cards import Problem
from trainer.deck.loader import deck_files, merge, parse_paths
from trainer.deck.scanner import absolute


class ImportRefused(ValueError):
    """Why nothing was imported, in one line naming the path."""


class DeckImport(Model):
    where: Path
    copied: int  # files copied (with --copy)
    registered: bool  # added to config.toml's decks
    problems: list[Problem]  # of the imported files
    cards: int  # the deck's cards from these files
    new: int  # of which new to the database


def import_deck(settings: Settings, given: Path, *, copy: bool) -> DeckImport:
    """Import ``given``; ``ImportRefused`` (nothing changed) for a path that is not a deck
    or a copy that would clash, ``StoreError`` for a database that cannot be opened, and
    ``OSError`` for a file that cannot be written (copies removed again)."""
    source = absolute(given)
    if not source.exists():
        raise ImportRefused(f"{given}: no such file or directory")
    if source.is_file() and source.suffix != ".md":
        raise ImportRefused(f"{given}: not a markdown (.md) file")
    if not deck_files(source):
        raise ImportRefused(f"{given}: no .md files in it")
    known = [absolute(Path(d)) for d in settings.deck_dirs]
    copied: list[Path] = []
    register = None
    if copy:
        if any(source == d or d in source.parents for d in known[1:]):
            raise ImportRefused(f"{given}: is already registered as a deck (config.toml "
                                "decks); a copy would double every card; nothing was copied")
        pairs = plan_copy(settings, source)
        clashes = [to for frm, to in pairs if to.exists() and to.read_bytes() != frm.read_bytes()]
        if clashes:
            raise ImportRefused(f"{clashes[0]}: already exists with other content; nothing "
                                "was copied (rename one of them, or register instead of "
                                "--copy)")
        where = pairs[0][1] if source.is_file() else settings.user_decks_dir / source.name
    else:
        where = source
        if not any(where == d or d in where.parents for d in known):
            configured = read_config_file(settings.config_path).get("decks", [])
            register = [*map(str, configured), str(where)]
            settings = settings.model_copy(update={"decks": [*settings.decks, where]})
    try:
        if copy:
            copied = _copy_all(pairs)
        study = StudySession.open(settings)
        try:
            if register is not None:
                save_setting(settings.config_path, "decks", register)
            added = set(study.library.changes.added)
            inside = [c for c in study.cards() if c.kind != "exercise" and any(
                Path(t.path) == where or where in Path(t.path).parents
                for t in c.texts.values())]
        finally:
            study.close()
    except BaseException:
        _remove(copied)
        raise
    problems = merge(parse_paths([where], check_math=True, exercises=read_spec)).problems
    return DeckImport(where=where, copied=len(pairs) if copy else 0,
                      registered=register is not None, problems=problems, cards=len(inside),
                      new=sum(1 for c in inside if c.key in added))


def _copy_all(pairs: list[tuple[Path, Path]]) -> list[Path]:
    """Copy each file through a temporary file beside its target, renamed when complete;
    returns the files created. On a failure, those already created are removed again."""
    created: list[Path] = []
    try:
        for frm, to in pairs:
            if to.exists():  # the same content already (clashes were refused)
                continue
            to.parent.mkdir(parents=True, exist_ok=True)
            partial = to.with_name(f".{to.name}.partial")
            try:
                shutil.copy2(frm, partial)
                os.replace(partial, to)
            finally:
                partial.unlink(missing_ok=True)
            created.append(to)
    except BaseException:
        _remove(created)
        raise
    return created


def _remove(files: list[Path]) -> None:
    for file in files:
        file.unlink(missing_ok=True)


def errors_in_file(study: StudySession, path: Path) -> list[Problem]:
    """The errors the study session's deck has in ``path`` (a file's cards wait for them)."""
    where = str(absolute(path))
    return [p for p in study.deck.problems if p.path == where and p.severity == "error"]
