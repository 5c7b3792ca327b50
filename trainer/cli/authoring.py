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
import sys
from pathlib import Path

from trainer.cli.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from trainer.cli.errors import fail as _fail
from trainer.cli.session import open_study
from trainer.config.settings import Settings

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
    study = open_study(settings)
    if study is None:
        return EXIT_USAGE
    from trainer.app.deck_import import errors_in_file

    broken = errors_in_file(study, result.path)
    study.close()
    print(f"{result.message}; ready to study now (a running trainer picks them up too)")
    if broken:  # errors the file had before: all or nothing, so the new cards wait too
        print(f"trainer: warning: {broken[0].format()}; the file's new cards are studied "
              f"once it is fixed (trainer check {result.path})", file=sys.stderr)
    return EXIT_OK


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.deck_import import ImportRefused, import_deck

    if args.file is not None or (args.path == Path("reviews") and not args.path.exists()):
        # `trainer import reviews FILE.csv`; `trainer import reviews` alone still imports
        # a deck folder of that name when there is one
        from trainer.cli.interchange import import_reviews_command

        if args.path != Path("reviews") or args.file is None or args.copy:
            return _fail("usage: trainer import PATH [--copy], or trainer import reviews "
                         "FILE.csv")
        return import_reviews_command(settings, args)
    try:
        done = import_deck(settings, args.path, copy=args.copy)
    except ImportRefused as exc:
        return _fail(str(exc))
    except OSError as exc:
        target = exc.filename or settings.config_path
        return _fail(f"{target}: cannot write ({exc.strerror or exc}); nothing was imported")
    where = done.where
    if args.copy:
        print(f"copied {done.copied} file(s) to {where}")
    elif done.registered:
        print(f"registered {where} in {settings.config_path}")
    else:
        print(f"{where} is already in a deck folder")
    for problem in done.problems:
        print(problem.format())
    errors = sum(1 for p in done.problems if p.severity == "error")
    print(f"{done.cards} cards from {where} ({done.new} new); {errors} error(s)",
          file=sys.stderr)
    return EXIT_PROBLEMS if errors else EXIT_OK


HANDLERS = {"add": _add, "import": _import}
