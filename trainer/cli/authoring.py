"""``trainer add`` and ``trainer import``: writing and bringing in your own cards.

- ``trainer add [--deck NAME]`` opens ``$EDITOR`` (else nano, else vi) on a template; what
  is saved is checked and the editor reopens with the problems listed until it is valid,
  or until the author gives up (an empty file, or the template left unchanged). The cards
  are appended to ``NAME.md`` (default ``my-cards``) and are in the database at once.
- ``trainer import PATH`` registers a file or folder as a deck folder (added to the
  ``decks`` setting of config.toml: your files stay where they are, in your git, and every
  edit is picked up); ``--copy`` copies them into the trainer home's decks folder instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from trainer.cli.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from trainer.cli.errors import fail as _fail
from trainer.config.settings import Settings, read_config_file

DEFAULT_DECK = "my-cards"


def add_parsers(commands, parents) -> None:
    add = commands.add_parser(
        "add", parents=parents,
        help="write cards in $EDITOR; they are checked, saved to your decks and ready to study")
    add.add_argument("--deck", default=DEFAULT_DECK,
                     help=f"the deck (file name without .md) to add to (default {DEFAULT_DECK})")
    imp = commands.add_parser(
        "import", parents=parents,
        help="use a markdown file or folder as a deck (registered in config.toml; --copy "
             "copies it into the decks folder)")
    imp.add_argument("path", type=Path, help="a .md file or a folder of them; or the word "
                     "'reviews' followed by FILE.csv: a review history (trainer export reviews)")
    imp.add_argument("file", nargs="?", type=Path, metavar="FILE.csv", help=argparse.SUPPRESS)
    imp.add_argument("--copy", action="store_true",
                     help="copy into the trainer home's decks folder instead of registering")


def _sync(settings: Settings):
    """Open the study session once: the decks are scanned and synced into the database."""
    from trainer.app.study import StudySession
    from trainer.store.database import StoreError

    try:
        study = StudySession.open(settings)
    except StoreError as exc:
        print(f"trainer: {exc}", file=sys.stderr)
        return None
    return study


def _add(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.authoring import AddNotSaved, add_cards, editor_command

    deck = args.deck.strip()
    if not deck or "/" in deck or deck.startswith("."):
        return _fail(f"--deck {args.deck!r}: give a file name without folders, e.g. my-cards")
    editor = editor_command()
    if editor is None:
        return _fail("no editor found: set $EDITOR (e.g. EDITOR=nano)")
    try:
        result = add_cards(settings, deck, editor)
    except AddNotSaved as exc:
        if exc.kept is None:  # nowhere to keep it: the text goes to the terminal
            print(exc.text, end="")
            return _fail(f"{exc}; nothing was added, and your text could not be kept either")
        return _fail(f"{exc}; nothing was added; your text is kept in {exc.kept} "
                     f"(fix the problem, then: trainer import {exc.kept} --copy)")
    except OSError as exc:
        return _fail(f"cannot run the editor {editor[0]}: {exc.strerror or exc}")
    if result.gave_up:
        print("trainer: nothing added", file=sys.stderr)
        return EXIT_PROBLEMS
    study = _sync(settings)
    if study is None:
        return EXIT_USAGE
    from trainer.deck.scanner import absolute

    broken = [p for p in study.deck.problems
              if p.path == str(absolute(result.path)) and p.severity == "error"]
    study.close()
    print(f"{result.message}; ready to study now (a running trainer picks them up too)")
    if broken:  # errors the file had before: all or nothing, so the new cards wait too
        print(f"trainer: warning: {broken[0].format()}; the file's new cards are studied "
              f"once it is fixed (trainer check {result.path})", file=sys.stderr)
    return EXIT_OK


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.authoring import plan_copy
    from trainer.config.file import save_setting
    from trainer.deck.loader import deck_files, merge, parse_paths
    from trainer.deck.scanner import absolute

    if args.file is not None or (args.path == Path("reviews") and not args.path.exists()):
        # `trainer import reviews FILE.csv`; `trainer import reviews` alone still imports
        # a deck folder of that name when there is one
        from trainer.cli.interchange import import_reviews_command

        if args.path != Path("reviews") or args.file is None or args.copy:
            return _fail("usage: trainer import PATH [--copy], or trainer import reviews "
                         "FILE.csv")
        return import_reviews_command(settings, args)
    source = absolute(args.path)
    if not source.exists():
        return _fail(f"{args.path}: no such file or directory")
    if source.is_file() and source.suffix != ".md":
        return _fail(f"{args.path}: not a markdown (.md) file")
    if not deck_files(source):
        return _fail(f"{args.path}: no .md files in it")
    # All or nothing: the database is opened (and the cards synced) before anything is
    # kept; copies go through temporary files and are removed again if a later step
    # fails; config.toml is written last.
    copied: list[Path] = []
    register = None
    try:
        known = [absolute(Path(d)) for d in settings.deck_dirs]
        if args.copy and any(source == d or d in source.parents for d in known[1:]):
            return _fail(f"{args.path}: is already registered as a deck (config.toml decks); "
                         "a copy would double every card; nothing was copied")
        if args.copy:
            pairs = plan_copy(settings, source)
            clashes = [to for frm, to in pairs
                       if to.exists() and to.read_bytes() != frm.read_bytes()]
            if clashes:
                return _fail(f"{clashes[0]}: already exists with other content; nothing was "
                             "copied (rename one of them, or register instead of --copy)")
            copied = _copy_all(pairs)
            where = pairs[0][1] if source.is_file() else settings.user_decks_dir / source.name
        else:
            where = source
            if not any(where == d or d in where.parents for d in known):
                configured = read_config_file(settings.config_path).get("decks", [])
                register = [*map(str, configured), str(where)]
                settings = settings.model_copy(update={"decks": [*settings.decks, where]})
        study = _sync(settings)
        if study is None:
            _remove(copied)
            return EXIT_USAGE
        if register is not None:
            try:
                save_setting(settings.config_path, "decks", register)
            except BaseException:
                study.close()
                raise
    except OSError as exc:
        _remove(copied)
        target = exc.filename or settings.config_path
        return _fail(f"{target}: cannot write ({exc.strerror or exc}); nothing was imported")
    if args.copy:
        print(f"copied {len(pairs)} file(s) to {where}")
    elif register is not None:
        print(f"registered {where} in {settings.config_path}")
    else:
        print(f"{where} is already in a deck folder")
    problems = merge(parse_paths([where], check_math=True)).problems
    for problem in problems:
        print(problem.format())
    added = set(study.library.changes.added)
    inside = [c for c in study.cards() if c.kind != "exercise" and any(
        Path(t.path) == where or where in Path(t.path).parents for t in c.texts.values())]
    study.close()
    errors = sum(1 for p in problems if p.severity == "error")
    new = sum(1 for c in inside if c.key in added)  # of these cards (a first start adds all)
    print(f"{len(inside)} cards from {where} ({new} new); {errors} error(s)", file=sys.stderr)
    return EXIT_PROBLEMS if errors else EXIT_OK


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


HANDLERS = {"add": _add, "import": _import}
