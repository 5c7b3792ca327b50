"""Output paths checked before any work, and files written all or nothing.

Every problem is an ``OutputError`` whose message is ``path: what is wrong``: the
command line prints it as its one line (``trainer: path: ...``) and exits 2.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


class OutputError(Exception):
    """A path that cannot be written, or a file that cannot be read: ``path: problem``."""


def check_new_file(path: Path, suffix: str) -> Path:
    """``path`` is a file that may be (over)written: it ends in ``suffix``, its folder
    exists and it is not a folder itself. Returns it absolute."""
    target = path.expanduser().absolute()
    if target.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name ending in {suffix}")
    if target.suffix.lower() != suffix:
        raise OutputError(f"{path}: the file name must end in {suffix}")
    if not target.parent.is_dir():
        raise OutputError(f"{path}: no such folder: {target.parent}")
    if not os.access(target.parent, os.W_OK):
        raise OutputError(f"{path}: cannot write in {target.parent} (permission denied)")
    return target


def write_atomically(target: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Run ``write`` on a temporary file beside ``target``, then put it in place with one
    rename: a failure half-way leaves ``target`` as it was (or absent). The file is
    readable by its owner only (``mkstemp``): a review history is personal."""
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                   dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(partial, target)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from exc
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
