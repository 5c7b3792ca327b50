"""Writing one setting back to the config file (reading is in config.py)."""

from __future__ import annotations

import errno
import os
import stat
import tomllib
from pathlib import Path

import tomli_w


def save_setting(path: Path, key: str, value: object) -> None:
    """Set ``key`` in the TOML file at ``path``, keeping the other settings; atomic replace."""
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[key.replace("_", "-")] = value
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # the home: owner only
    write_atomically(path, tomli_w.dumps(data))


def remove_setting(path: Path, key: str) -> bool:
    """Remove ``key`` from the TOML file at ``path``; False when it was not there."""
    if not path.exists():
        return False
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    found = [k for k in (key.replace("_", "-"), key.replace("-", "_")) if k in data]
    if not found:
        return False
    for k in found:
        del data[k]
    write_atomically(path, tomli_w.dumps(data))
    return True


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` whole or not at all: a temporary file beside it,
    synced and renamed; removed again when writing it fails (a full disk, a quota)."""
    path = Path(os.path.realpath(path))  # a symlinked file stays a symlink
    if path.exists() and not os.access(path, os.W_OK):  # a rename would get round its mode
        raise PermissionError(errno.EACCES, "the file is read-only", str(path))
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o600
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, mode)  # a user's deck file keeps its mode; a new file is owner-only
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
