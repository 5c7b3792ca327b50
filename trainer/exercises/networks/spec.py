"""Network spec files (YAML or TOML) -> :class:`Network`, errors at ``path:line``.

The format is documented in ``docs/network-spec.md``.  In short::

    name: tiny-resnet
    input: [3, 32, 32]
    layers:
      - {type: conv2d, name: stem, out: 16, kernel: 3, padding: 1}
      - relu                                  # a bare type: a layer without settings
      - {type: conv2d, name: a, out: 16, kernel: 3, padding: 1}
      - {type: add, inputs: [stem, a]}        # named references for residuals / concat

Layers are sequential by default (each reads the previous one); ``inputs`` (or ``input``)
names earlier layers.  Every error is a :class:`NetworkError` whose text starts with
``path:line:`` when the line is known (always for YAML; for TOML, ``[[layers]]`` tables).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import AliasChoices, TypeAdapter, ValidationError

from trainer.core.yaml_errors import yaml_error_at

from .errors import NetworkError
from .network import LAYER_TYPES, AnyLayer, InputLayer, Network

__all__ = ["TYPE_ALIASES", "dump_spec", "load_spec", "parse_spec", "spec_data"]

SpecFormat = Literal["yaml", "toml"]

TYPE_ALIASES: dict[str, str] = {
    "conv": "conv2d",
    "maxpool": "maxpool2d",
    "max_pool2d": "maxpool2d",
    "avgpool": "avgpool2d",
    "avg_pool2d": "avgpool2d",
    "adaptive_avgpool2d": "adaptive_avg_pool2d",
    "adaptiveavgpool2d": "adaptive_avg_pool2d",
    "bn": "batchnorm2d",
    "batchnorm": "batchnorm2d",
    "fc": "linear",
    "cat": "concat",
}
"""Accepted spellings of layer types, besides the canonical ones of ``LAYER_TYPES``."""

_TOP_KEYS = ("name", "input", "input_shape", "layers")
_LAYER_ADAPTER: TypeAdapter[Any] = TypeAdapter(AnyLayer)


@dataclass
class _Lines:
    """Line numbers (1-based) found in the source text, ``None`` where unknown."""

    top: dict[str, int] = field(default_factory=dict)
    layers: list[int | None] = field(default_factory=list)
    keys: list[dict[str, int]] = field(default_factory=list)

    def layer(self, index: int) -> int | None:
        return self.layers[index] if index < len(self.layers) else None

    def key(self, index: int, key: str) -> int | None:
        if index < len(self.keys) and key in self.keys[index]:
            return self.keys[index][key]
        return self.layer(index)


def _yaml_lines(text: str) -> _Lines:
    lines = _Lines()
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key_node, value_node in root.value:
        key = str(key_node.value)
        lines.top[key] = key_node.start_mark.line + 1
        if key == "layers" and isinstance(value_node, yaml.SequenceNode):
            for item in value_node.value:
                lines.layers.append(item.start_mark.line + 1)
                keys: dict[str, int] = {}
                if isinstance(item, yaml.MappingNode):
                    for k, _ in item.value:
                        keys[str(k.value)] = k.start_mark.line + 1
                lines.keys.append(keys)
    return lines


_TOML_TABLE = re.compile(r"^\s*\[\[\s*layers\s*\]\]\s*(#.*)?$")
_TOML_HEADER = re.compile(r"^\s*\[")
_TOML_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")


def _toml_lines(text: str) -> _Lines:
    """Lines of top-level keys and of ``[[layers]]`` tables and their keys (a line scan)."""
    lines = _Lines()
    current: dict[str, int] | None = None
    in_top = True
    for number, line in enumerate(text.splitlines(), start=1):
        if _TOML_TABLE.match(line):
            in_top = False
            lines.layers.append(number)
            current = {}
            lines.keys.append(current)
        elif _TOML_HEADER.match(line):
            in_top, current = False, None
        elif match := _TOML_KEY.match(line):
            key = match.group(1).strip('"')
            if in_top:
                lines.top.setdefault(key, number)
            elif current is not None:
                current.setdefault(key, number)
    return lines


def _parse(text: str, fmt: SpecFormat, source: str) -> tuple[Any, _Lines]:
    if fmt == "toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"\(at line (\d+)", str(exc))
            where = f"{source}:{match.group(1)}" if match else source
            raise NetworkError(f"invalid TOML: {exc}", location=where) from exc
        return data, _toml_lines(text)
    try:
        data = yaml.safe_load(text)
        lines = _yaml_lines(text)
    except yaml.YAMLError as exc:
        at = yaml_error_at(exc, open_bracket=True)
        where = f"{source}:{at.line}" if at.line is not None else source
        raise NetworkError(f"invalid YAML: {at.problem or exc}", location=where) from exc
    return data, lines


def _describe(error: dict[str, Any], kind: str | None) -> tuple[str, str | None]:
    """A readable message for one pydantic error, and the spec key it is about."""
    loc = [str(part) for part in error["loc"]]
    if kind is not None and loc and loc[0] == kind:
        loc = loc[1:]
    key = loc[0] if loc else None
    what = ".".join(loc)
    etype = error["type"]
    if etype == "extra_forbidden" and kind in LAYER_TYPES:
        names = _setting_names(kind)
        close = difflib.get_close_matches(what, names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown setting {what!r} for {kind} ({hint}settings: {', '.join(names)})", key
    if etype == "missing":
        return f"missing required setting {what!r}", key
    message = str(error["msg"]).removeprefix("Value error, ")
    return (f"{what}: {message}" if what else message), key


def _setting_names(kind: str) -> list[str]:
    """Every key a layer of type ``kind`` accepts (field names and their aliases)."""
    names: list[str] = []
    for name, info in LAYER_TYPES[kind].model_fields.items():
        if name == "type":
            continue
        alias = info.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [name]
        names += [str(c) for c in choices if str(c) not in names]
    return names


def _first_error(exc: ValidationError) -> dict[str, Any]:
    """The most telling error: an unknown key before the missing one it probably misspells."""
    order = {"extra_forbidden": 0, "missing": 2}
    return dict(min(exc.errors(), key=lambda e: order.get(e["type"], 1)))


def _normalize_layer(raw: Any, index: int, source: str, lines: _Lines) -> Any:
    where = _where(source, lines.layer(index))
    if isinstance(raw, str):
        raw = {"type": raw}
    if not isinstance(raw, dict):
        raise NetworkError(f"layer #{index + 1}: expected a mapping such as "
                           f"{{type: conv2d, out: 16, kernel: 3}} or a type name, got {raw!r}",
                           location=where)
    raw = dict(raw)
    kind = raw.get("type")
    if kind is None:
        raise NetworkError(f"layer #{index + 1}: missing 'type' (one of "
                           f"{', '.join(LAYER_TYPES)})", location=where)
    if not isinstance(kind, str):
        raise NetworkError(f"layer #{index + 1}: 'type' must be a string, got {kind!r}",
                           location=_where(source, lines.key(index, "type")))
    canonical = TYPE_ALIASES.get(kind.lower(), kind.lower())
    if canonical not in LAYER_TYPES:
        raise NetworkError(f"layer #{index + 1}: unknown type {kind!r}; known types: "
                           f"{', '.join(LAYER_TYPES)}",
                           location=_where(source, lines.key(index, "type")))
    raw["type"] = canonical
    return raw


def _where(source: str, line: int | None) -> str:
    return f"{source}:{line}" if line is not None else source


def _validate_layer(raw: dict[str, Any], index: int, source: str, lines: _Lines) -> Any:
    try:
        return _LAYER_ADAPTER.validate_python(raw)
    except ValidationError as exc:
        kind = raw["type"]
        message, key = _describe(_first_error(exc), kind)
        line = lines.key(index, key) if key is not None else lines.layer(index)
        name = raw.get("name") if isinstance(raw.get("name"), str) else f"#{index + 1}"
        raise NetworkError(message, layer=name, layer_type=kind,
                           location=_where(source, line)) from exc


def _network(data: Any, source: str, lines: _Lines) -> Network:
    if not isinstance(data, dict):
        raise NetworkError("a network spec is a mapping with 'layers' (and optionally "
                           "'name' and 'input')", location=_where(source, 1))
    for key in data:
        if key not in _TOP_KEYS:
            raise NetworkError(f"unknown top-level key {key!r} (known: {', '.join(_TOP_KEYS)})",
                               location=_where(source, lines.top.get(str(key))))
    raw_layers = data.get("layers")
    if not isinstance(raw_layers, list) or not raw_layers:
        raise NetworkError("'layers' must be a non-empty list of layers",
                           location=_where(source, lines.top.get("layers", 1)))
    layers = []
    for index, raw in enumerate(raw_layers):
        layer = _normalize_layer(raw, index, source, lines)
        layers.append(_validate_layer(layer, index, source, lines))
    seen: dict[str, int] = {}
    for index, layer in enumerate(layers):
        if layer.name in seen:
            first = _where(source, lines.layer(seen[layer.name]))
            raise NetworkError(f"duplicate layer name {layer.name!r} (first defined at {first})",
                               layer=layer.name, layer_type=layer.kind,
                               location=_where(source, lines.key(index, "name")))
        if layer.name:
            seen[layer.name] = index
    shape_key = "input" if "input" in data else "input_shape"
    top: dict[str, Any] = {"layers": layers}
    if "name" in data:
        top["name"] = data["name"]
    elif source not in ("<string>", ""):
        top["name"] = Path(source).stem
    if shape_key in data:
        top["input_shape"] = data[shape_key]
    try:
        network = Network.model_validate(top)
    except ValidationError as exc:
        message, key = _describe(_first_error(exc), None)
        if key == "input_shape":
            key, message = shape_key, message.replace("input_shape", shape_key, 1)
        raise NetworkError(message, location=_where(source, lines.top.get(str(key)))) from exc
    offset = 0 if isinstance(layers[0], InputLayer) else 1
    locations = {}
    if offset and shape_key in lines.top:
        locations[network.layers[0].name] = _where(source, lines.top[shape_key])
    for index in range(len(layers)):
        line = lines.layer(index)
        if line is not None:
            locations.setdefault(network.layers[index + offset].name, _where(source, line))
    network.locations = locations
    network.check()
    return network


def parse_spec(text: str, *, fmt: SpecFormat = "yaml", source: str = "<string>") -> Network:
    """Parse a spec given as text (``fmt`` ``"yaml"`` or ``"toml"``); ``source`` names it in
    error locations.  Raises :class:`NetworkError`."""
    if fmt not in ("yaml", "toml"):
        raise NetworkError(f"unknown spec format {fmt!r}: use 'yaml' or 'toml'")
    data, lines = _parse(text, fmt, source)
    return _network(data, source, lines)


_READERS: dict[str, SpecFormat] = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml",
                                   ".json": "yaml"}


def load_spec(path: str | Path, *, fmt: SpecFormat | None = None) -> Network:
    """Load a spec file: TOML for ``.toml``, YAML otherwise (JSON is YAML too).

    Errors read ``path:line: layer 'name' (type): message``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NetworkError(f"cannot read spec file: {exc.strerror or exc}",
                           location=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise NetworkError(f"spec file is not UTF-8 text: {exc}", location=str(path)) from exc
    chosen: SpecFormat = fmt or _READERS.get(path.suffix.lower(), "yaml")
    return parse_spec(text, fmt=chosen, source=str(path))


def _compact(value: Any) -> Any:
    if isinstance(value, list | tuple) and len(value) == 2 and value[0] == value[1]:
        return value[0]
    return list(value) if isinstance(value, tuple) else value


def spec_data(network: Network) -> dict[str, Any]:
    """The network as spec data (what :func:`parse_spec` reads back to the same network).

    Settings equal to their defaults are left out, ``(k, k)`` pairs become ``k``, and
    ``inputs`` is written only where it is not the previous layer.
    """
    layers: list[Any] = []
    previous = None
    for layer in network.layers:
        item: dict[str, Any] = {"type": layer.type}
        dumped = layer.model_dump(mode="json", exclude_defaults=True)
        for key, value in dumped.items():
            if key == "type" or (key == "inputs" and value == [previous]):
                continue
            item[key] = value if key in ("inputs", "shape") else _compact(value)
        previous = layer.name
        if isinstance(layer, InputLayer) and layer.name == "input" and layer.shape is None:
            continue
        layers.append(item["type"] if list(item) == ["type"] else item)
    data: dict[str, Any] = {"name": network.name}
    if network.input_shape is not None:
        data["input"] = list(network.input_shape)
    data["layers"] = layers
    return data


def dump_spec(network: Network) -> str:
    """The network as YAML spec text, one layer per line (see :func:`spec_data`)."""
    data = spec_data(network)
    head = {key: value for key, value in data.items() if key != "layers"}
    lines = [yaml.safe_dump(head, default_flow_style=None, sort_keys=False).rstrip(),
             "layers:"]
    for item in data["layers"]:
        text = yaml.safe_dump(item, default_flow_style=True, sort_keys=False,
                              width=10**6).strip()
        lines.append(f"  - {text}")
    return "\n".join(lines) + "\n"
