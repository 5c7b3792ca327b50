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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
