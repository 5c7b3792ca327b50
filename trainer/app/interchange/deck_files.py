"""``trainer export deck OUT/``: the built-in deck (or one topic) as markdown files.

The built-in deck is written in the deck format itself (``content/<lang>/<topic>.md``),
so its files are copied byte for byte, in the same ``en/`` and ``zh/`` folders: a folder
that ``trainer check`` and ``trainer import`` read as it is. The copy is a deck of its
own (named after each file), so set ``builtin_deck = false`` to study it instead of the
built-in one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from trainer.app.exercise_cards import read_spec
from trainer.app.interchange.files import OutputError
from trainer.deck.loader import builtin_content_dir, parse_builtin


def builtin_topics(content: Path | None = None) -> dict[str, list[Path]]:
    """Each topic of the built-in deck and its files (one per language)."""
    content = content or builtin_content_dir()
    topics: dict[str, list[Path]] = {}
    for parsed in parse_builtin(content, exercises=read_spec):
        if parsed.cards:
            topics.setdefault(parsed.cards[0].topic, []).append(Path(parsed.path))
    return topics


def export_deck(out: Path, topic: str | None = None, content: Path | None = None
                ) -> list[Path]:
    """Copy the built-in deck's files (those of ``topic`` only, when given) into ``out``,
    a new or empty folder, all or nothing. Returns the files written."""
    content = content or builtin_content_dir()
    topics = builtin_topics(content)
    if topic is not None and topic not in topics:
        raise OutputError(f"{topic}: no such topic in the built-in deck; topics: "
                          f"{', '.join(sorted(topics))}")
    sources = sorted(p for t, files in topics.items() if topic in (None, t) for p in files)
    target = out.expanduser().absolute()
    if target.exists() and not target.is_dir():
        raise OutputError(f"{out}: is a file; give a new or empty folder")
    if target.is_dir() and any(target.iterdir()):
        raise OutputError(f"{out}: is not empty; give a new or empty folder (nothing is "
                          "overwritten)")
    if not target.parent.is_dir():
        raise OutputError(f"{out}: no such folder: {target.parent}")
    try:
        partial = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial",
                                        dir=target.parent))
    except OSError as exc:
        raise OutputError(f"{out}: cannot write in {target.parent} "
                          f"({exc.strerror or exc})") from None
    try:
        written = []
        for source in sources:
            relative = source.relative_to(content)
            (partial / relative.parent).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, partial / relative)
            written.append(target / relative)
        mask = os.umask(0)
        os.umask(mask)
        partial.chmod(0o777 & ~mask)  # mkdtemp makes it owner-only; a deck folder is plain
        os.rename(partial, target)  # POSIX: replaces an empty folder in one step
    except OSError as exc:
        raise OutputError(f"{out}: cannot write ({exc.strerror or exc}); nothing was "
                          "written") from None
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    return written
