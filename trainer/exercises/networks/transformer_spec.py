"""Transformer spec files (YAML or TOML) -> :class:`TransformerSpec`, errors at ``path:line:col``.

A spec file is a Transformer spec when its top level says ``type: transformer`` (or has a
``d_model``); any other spec is a CNN (:mod:`.spec`).  The keys are those of
:class:`TransformerSpec`, documented in ``docs/network-spec.md``::

    type: transformer
    name: tiny-llama
    layers: 4
    d_model: 256
    heads: 8
    kv_heads: 2
    ffn: swiglu
    ffn_width: 688
    vocab: 32000
    positions: rope
    max_positions: 2048
    norm: rmsnorm
    bias: false
    tied_embeddings: false

Every error is one line, ``path:line:col: error: what is wrong``, pointing at the offending
key (column 1 of line 1 when the whole file is at fault).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from trainer.core.yaml_errors import yaml_error_at

from .errors import NetworkError
from .transformer import (
    Biases,
    SpecIssue,
    TransformerSpec,
    builtin_transformer,
    is_builtin_transformer,
)

__all__ = ["is_transformer_data", "load_transformer_spec", "parse_transformer_spec",
           "resolve_transformer"]

Position = tuple[int, int]
"""(line, column), both 1-based."""


def is_transformer_data(data: Any) -> bool:
    """Spec data that describes a Transformer: ``type: transformer``, or a ``d_model``."""
    if not isinstance(data, dict):
        return False
    kind = data.get("type")
    if isinstance(kind, str) and kind.strip().lower() == "transformer":
        return True
    return kind is None and "d_model" in data


def _yaml_positions(text: str, source: str) -> dict[str, Position]:
    """Key -> (line, col) of top-level keys, and of ``bias.<group>`` keys.

    A key given twice is an error (PyYAML would keep the last one silently).
    """
    out: dict[str, Position] = {}
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return out

    def record(key: str, node: yaml.Node) -> None:
        here = (node.start_mark.line + 1, node.start_mark.column + 1)
        if key in out:
            raise _error(f"duplicate key {key!r} (first given at line {out[key][0]})",
                         f"{source}:{here[0]}:{here[1]}")
        out[key] = here

    for key_node, value_node in root.value:
        key = str(key_node.value)
        record(key, key_node)
        if key == "bias" and isinstance(value_node, yaml.MappingNode):
            for k, _ in value_node.value:
                record(f"bias.{k.value}", k)
    return out


_TOML_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
_TOML_KEY = re.compile(r"^(\s*)([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")


def _toml_positions(text: str) -> dict[str, Position]:
    """Key -> (line, col) of top-level ``key =`` lines and of keys in a ``[bias]`` table."""
    out: dict[str, Position] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _TOML_HEADER.match(line):
            table = header.group(1)
            out.setdefault(table, (number, header.start(1)))
        elif match := _TOML_KEY.match(line):
            key = match.group(2).strip('"')
            full = f"{table}.{key}" if table else key
            out.setdefault(full, (number, len(match.group(1)) + 1))
    return out


def _where(source: str, positions: dict[str, Position], *keys: str) -> str:
    for key in keys:
        if key in positions:
            line, col = positions[key]
            return f"{source}:{line}:{col}"
    return f"{source}:1:1"


def _error(message: str, where: str) -> NetworkError:
    return NetworkError(f"error: {message}", location=where)


def _parse(text: str, fmt: str, source: str) -> tuple[Any, dict[str, Position]]:
    if fmt == "toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
            where = f"{source}:{match.group(1)}:{match.group(2)}" if match else f"{source}:1:1"
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            raise _error(f"invalid TOML: {message}", where) from exc
        return data, _toml_positions(text)
    try:
        data = yaml.safe_load(text)
        positions = _yaml_positions(text, source)
    except yaml.YAMLError as exc:
        at = yaml_error_at(exc)
        where = f"{source}:{at.line}:{at.column}" if at.line is not None else f"{source}:1:1"
        raise _error(f"invalid YAML: {at.problem or exc}", where) from exc
    return data, positions


def _setting_names(model: type[TransformerSpec] | type[Biases]) -> list[str]:
    return list(model.model_fields)


def _describe(error: dict[str, Any]) -> tuple[str, list[str]]:
    """A readable message for one pydantic error, and the spec keys it may point at."""
    loc = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
    what = ".".join(loc)
    keys = [what, loc[0]] if loc else []
    etype = error["type"]
    if etype == "extra_forbidden":
        nested = len(loc) > 1 and loc[0] == "bias"
        names = _setting_names(Biases if nested else TransformerSpec)
        close = difflib.get_close_matches(loc[-1], names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        scope = "bias group" if nested else "key"
        return f"unknown {scope} {what!r} ({hint}known: {', '.join(names)})", keys
    if etype == "missing":
        return f"missing required key {what!r}", keys
    if etype == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{what}: {error['input']!r} is not one of {expected}", keys
    message = str(error["msg"]).removeprefix("Value error, ")
    return (f"{what}: {message}" if what else message), keys


def _first_error(exc: ValidationError) -> dict[str, Any]:
    """The most telling error: an unknown key before the missing one it probably misspells."""
    order = {"extra_forbidden": 0, "missing": 2}
    return dict(min(exc.errors(), key=lambda e: order.get(e["type"], 1)))


def _spec(data: Any, source: str, positions: dict[str, Position]) -> TransformerSpec:
    if not isinstance(data, dict):
        raise _error("a Transformer spec is a mapping of keys such as layers, d_model, heads",
                     f"{source}:1:1")
    data = dict(data)
    if isinstance(data.get("type"), str):
        data["type"] = data["type"].strip().lower()
    if "name" not in data and source not in ("<string>", ""):
        data["name"] = Path(source).stem
    try:
        spec = TransformerSpec.model_validate(data)
    except ValidationError as exc:
        message, keys = _describe(_first_error(exc))
        raise _error(message, _where(source, positions, *keys)) from exc
    try:
        return spec.check()
    except SpecIssue as issue:
        raise _error(issue.message, _where(source, positions, issue.key)) from issue


def parse_transformer_spec(text: str, *, fmt: str = "yaml",
                           source: str = "<string>") -> TransformerSpec:
    """A Transformer spec given as text (``fmt`` ``"yaml"`` or ``"toml"``); ``source`` names
    it in error locations.  Raises :class:`NetworkError` reading ``source:line:col: error: …``."""
    if fmt not in ("yaml", "toml"):
        raise NetworkError(f"unknown spec format {fmt!r}: use 'yaml' or 'toml'")
    data, positions = _parse(text, fmt, source)
    return _spec(data, source, positions)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _error(f"cannot read spec file: {exc.strerror or exc}", f"{path}:1:1") from exc
    except UnicodeDecodeError as exc:
        raise _error(f"spec file is not UTF-8 text: {exc}", f"{path}:1:1") from exc


def _format(path: Path) -> str:
    return "toml" if path.suffix.lower() == ".toml" else "yaml"


def load_transformer_spec(path: str | Path) -> TransformerSpec:
    """Load a Transformer spec file: TOML for ``.toml``, YAML otherwise."""
    path = Path(path)
    return parse_transformer_spec(_read(path), fmt=_format(path), source=str(path))


_LOOKS_LIKE_TRANSFORMER = re.compile(
    r"^\s*(type\s*[:=]\s*['\"]?transformer\b|d_model\s*[:=])", re.MULTILINE | re.IGNORECASE)
"""A file that does not parse but says it is a Transformer: its syntax error gets a column."""


def resolve_transformer(name_or_path: str | Path) -> TransformerSpec | None:
    """A built-in Transformer by name, or the Transformer spec in that file; ``None`` when it
    is neither (a CNN: a built-in CNN name or a CNN spec file, left to :mod:`.spec`).

    A file that does not parse is left to the CNN loader too, unless it says ``type:
    transformer`` or ``d_model:`` on a line of its own.
    """
    text = str(name_or_path)
    if not isinstance(name_or_path, Path) and is_builtin_transformer(text):
        return builtin_transformer(text)
    path = Path(text)
    if not path.is_file():
        return None
    source = _read(path)
    fmt = _format(path)
    try:
        data = tomllib.loads(source) if fmt == "toml" else yaml.safe_load(source)
    except (tomllib.TOMLDecodeError, yaml.YAMLError):
        if _LOOKS_LIKE_TRANSFORMER.search(source):
            return parse_transformer_spec(source, fmt=fmt, source=str(path))  # raises
        return None
    if not is_transformer_data(data):
        return None
    return parse_transformer_spec(source, fmt=fmt, source=str(path))
