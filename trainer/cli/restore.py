"""``trainer restore [BACKUP]``: put a backup back, safely (see ``app.backups``)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from trainer.cli.errors import EXIT_OK, EXIT_USAGE, fail
from trainer.config.settings import Settings


def restore_command(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.backups import (
        backup_folder,
        check_backup,
        check_target,
        database_path,
        list_backups,
        restore,
    )
    from trainer.app.errors import StoreError

    folder = backup_folder(settings)
    db_path = database_path(settings)
    try:
        check_target(settings)
        if args.backup is None:
            chosen = _choose(list_backups(settings), db_path, folder)
            if chosen is None:
                return EXIT_USAGE
        else:
            chosen = _named(args.backup, folder)
            reviews = check_backup(chosen)
            if not args.yes and not _confirm(f"Replace {db_path} with {chosen} "
                                             f"({_reviews(reviews)})?"):
                print("trainer: nothing was changed", file=sys.stderr)
                return EXIT_USAGE
        result = restore(settings, chosen)
    except StoreError as exc:
        return fail(str(exc))
    for kept in result.kept:
        print(f"kept the replaced file as {kept}")
    print(f"restored {chosen}: {_reviews(result.reviews)} in {db_path}")
    return EXIT_OK


def _named(given: Path, folder: Path) -> Path:
    """A path as given, or a bare name found in the backups folder."""
    given = given.expanduser()
    if not given.exists() and given.parent == Path(".") and (folder / given.name).exists():
        return folder / given.name
    return given


def _choose(backups, db_path: Path, folder: Path) -> Path | None:
    if not backups:
        fail(f"no backups of {db_path} in {folder} (nor beside it); nothing was changed")
        return None
    print(f"Backups of {db_path}, newest first:")
    for number, info in enumerate(backups, 1):
        when = info.taken.astimezone().strftime("%Y-%m-%d %H:%M")
        what = (f"unusable: {info.problem}" if info.problem is not None
                else f"{_reviews(info.reviews)}, last {_moment(info.last_review)}")
        print(f"{number:>3}  {when}  {info.path.name:<44} {what}")
    answer = _ask(f"Restore which one? [1-{len(backups)}, enter for none] ")
    if not answer:
        print("trainer: nothing was changed", file=sys.stderr)
        return None
    if not answer.isdigit() or not 1 <= int(answer) <= len(backups):
        fail(f"{answer!r} is not a number from 1 to {len(backups)}; nothing was changed")
        return None
    return backups[int(answer) - 1].path


def _confirm(question: str) -> bool:
    return _ask(f"{question} [y/N] ").lower() in {"y", "yes"}


def _ask(prompt: str) -> str:
    print(prompt, end="", flush=True)
    line = sys.stdin.readline()
    if not line:  # no input (end of file): nothing is chosen
        print()
    return line.strip()


def _reviews(count: int | None) -> str:
    return "1 review" if count == 1 else f"{count:,} reviews"


def _moment(moment: datetime | None) -> str:
    return "never" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M")
