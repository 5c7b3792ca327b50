"""Writing one setting back to the config file (reading is in config.py)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import tomli_w


def save_setting(path: Path, key: str, value: object) -> None:
    """Set ``key`` in the TOML file at ``path``, keeping the other settings; atomic replace."""
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[key.replace("_", "-")] = value
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # the home: owner only
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


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
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
    return True
