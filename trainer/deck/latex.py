"""LaTeX math to readable Unicode for the terminal.

pylatexenc parses the LaTeX (groups, macros and their arguments); unicodeit supplies the
symbol, combining-mark and sub/superscript tables. What is ours is the layout a terminal
needs: ``\\frac{a+b}{c}`` becomes ``(a + b)/c``, scripts become Unicode sub/superscripts
where every character has one (``r_{l-1}`` -> ``rₗ₋₁``) and ``_(…)``/``^(…)`` where not,
and binary operators get spaces around them: ``⌊(H + 2P − K)/S⌋ + 1``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache

from pylatexenc.latexwalker import (
    LatexCharsNode,
    LatexCommentNode,
    LatexGroupNode,
    LatexMacroNode,
    LatexMathNode,
    LatexSpecialsNode,
    LatexWalker,
    LatexWalkerError,
)
from unicodeit.data import COMBININGMARKS, REPLACEMENTS, SUBSUPERSCRIPTS

# Operators that get a space on each side (unless they are unary).
_BINARY = set("=+−×·<>≤≥≠≈→←↔⇒∈∉⊂⊆∝≡∼±")
_UNARY_AFTER = set("([{=+−×·<>≤≥≠≈→,/∈")
_TEXT_MACROS = {"text", "mathrm", "textrm", "operatorname", "mathit", "textit", "mathbf",
                "textbf", "boldsymbol", "mathsf", "mathtt", "texttt", "mbox"}
_FRAC_MACROS = {"frac", "dfrac", "tfrac", "cfrac"}
_DROPPED = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
            "displaystyle", "textstyle", "limits", "nolimits", "middle"}
_SPACES = {",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": "  ", "qquad": "   "}
_FUNCTIONS = {"max", "min", "log", "ln", "exp", "sin", "cos", "tan", "tanh", "arg",
              "argmax", "argmin", "lim", "sup", "inf", "det", "dim", "Var", "var", "mod"}
_OVERRIDES = {"cdot": "·", "epsilon": "ε", "varepsilon": "ε", "to": "→", "ldots": "…",
              "cdots": "⋯", "dots": "…", "{": "{", "}": "}", "%": "%", "$": "$", "&": "&",
              "_": "_", "#": "#", "|": "‖", "lVert": "‖", "rVert": "‖", "vert": "|"}


@cache
def _symbols() -> dict[str, str]:
    table = {}
    for latex, uni in REPLACEMENTS:
        if latex.startswith("\\") and latex[1:].isalpha():
            table.setdefault(latex[1:], uni)
    table.update(_OVERRIDES)
    return table


@cache
def _styled() -> dict[tuple[str, str], str]:
    """(font macro, character) -> styled character, e.g. ('mathbb', 'R') -> 'ℝ'."""
    table = {}
    for latex, uni in REPLACEMENTS:
        if latex.startswith("\\math") and latex.endswith("}") and "{" in latex:
            name, _, arg = latex[1:-1].partition("{")
            if len(arg) == 1:
                table[(name, arg)] = uni
    return table


@cache
def _scripts() -> dict[str, str]:
    table = {latex: uni for latex, uni in SUBSUPERSCRIPTS}
    table["_−"] = table.get("_-", "₋")
    table["^−"] = table.get("^-", "⁻")
    return table


_TIGHT_COMMA = "\x00"
_SCRIPT_CHARS = frozenset(uni for _, uni in SUBSUPERSCRIPTS)
_COMBINING = {latex[1:]: mark for latex, mark in COMBININGMARKS}


# Deeper groups are not rendered: pylatexenc and the renderer recurse once per level, and
# a few hundred levels exhaust Python's stack (a worker thread's C stack first). Real
# formulas nest a handful of levels.
MAX_NESTING = 40


@dataclass
class _Out:
    """Rendered text plus the macros nobody could render (reported by ``trainer check``)."""

    unknown: list[str] = field(default_factory=list)
    too_deep: bool = False


def latex_to_unicode(source: str) -> str:
    """Render one formula (the text between the dollar signs) as a line of Unicode."""
    text, _ = _convert(source)
    return text


def unknown_macros(source: str) -> list[str]:
    """Macros in ``source`` that have no Unicode rendering (shown raw, so worth a warning)."""
    _, out = _convert(source)
    return out.unknown


def nesting_depth(source: str) -> tuple[int, int]:
    """The deepest ``{``/``[`` group nesting in ``source`` and the 0-based offset where it
    first exceeds ``MAX_NESTING`` (-1 if it never does). Escaped braces do not count."""
    depth = deepest = 0
    where = -1
    escaped = False
    for offset, char in enumerate(source):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "{[":
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > MAX_NESTING and where < 0:
                    where = offset
        elif char in "}]":
            depth = max(depth - 1, 0)
    return deepest, where


def _convert(source: str) -> tuple[str, _Out]:
    out = _Out()
    if nesting_depth(source)[1] >= 0:
        out.too_deep = True
        return source, out  # shown as written
    try:
        nodes, _, _ = LatexWalker(source, tolerant_parsing=True).get_latex_nodes()
    except LatexWalkerError:
        return source, out
    return _space_operators(_render(nodes or [], out)).replace(_TIGHT_COMMA, ","), out


def _render(nodes: list, out: _Out) -> str:
    """Render a node list without operator spacing (that is applied once, at the end)."""
    items = _flatten(nodes)
    parts: list[str] = []
    i = 0
    while i < len(items):
        item = items[i]
        i += 1
        if isinstance(item, str):
            if item in "_^" and i < len(items):
                arg = items[i]
                i += 1
                parts.append(_script(item, _render_item(arg, out)))
                if _big_operator_done(parts, items, i):
                    parts.append(" ")
            elif item.isspace() or item == "~":
                continue
            else:
                parts.append("−" if item == "-" else item)
            continue
        if isinstance(item, LatexMacroNode) and item.macroname in _DROPPED:
            continue
        if isinstance(item, LatexMacroNode) and _needs_args(item):
            args, i = _take_args(item, items, i)
            parts.append(_macro(item.macroname, args, out))
            if item.macroname in _FRAC_MACROS and _next_is_term(items, i):
                parts.append(" ")  # "a/b x", not "a/bx"
            continue
        rendered = _render_item(item, out)
        if isinstance(item, LatexMacroNode) and item.macroname in _FUNCTIONS:
            nxt = items[i] if i < len(items) else None
            if isinstance(nxt, str) and nxt.isspace() and i + 1 < len(items):
                nxt = items[i + 1]
            if isinstance(nxt, str) and nxt.isalnum() or isinstance(nxt, LatexMacroNode):
                rendered += " "
        if rendered in _BIG_OPERATORS and parts and not parts[-1].endswith(" "):
            parts.append(" ")
        parts.append(rendered)
        if rendered in _BIG_OPERATORS and not _next_is_script(items, i):
            parts.append(" ")
    return "".join(parts)


_BIG_OPERATORS = {"∑", "∏", "∫", "∮", "⋃", "⋂"}


def _next_is_term(items: list, i: int) -> bool:
    while i < len(items) and isinstance(items[i], str) and items[i].isspace():
        i += 1
    if i >= len(items):
        return False
    nxt = items[i]
    if isinstance(nxt, LatexMacroNode):
        if nxt.macroname in _DROPPED:
            return False
        nxt = _symbols().get(nxt.macroname, nxt.macroname)[:1]
    elif isinstance(nxt, LatexGroupNode):
        return True
    return isinstance(nxt, str) and (nxt.isalnum() or nxt in "(√∑∏∫∂")


def _next_is_script(items: list, i: int) -> bool:
    return i < len(items) and isinstance(items[i], str) and items[i] in "_^"


def _big_operator_done(parts: list[str], items: list, i: int) -> bool:
    """After the last script of a sum or product, leave a space before its body."""
    if _next_is_script(items, i):
        return False
    for part in reversed(parts):
        if part in _BIG_OPERATORS:
            return True
        if not (part.startswith(("_", "^")) or all(c in _SCRIPT_CHARS for c in part)):
            return False
    return False


def _flatten(nodes: list) -> list:
    """Characters of text nodes one by one, other nodes whole: scripts bind to the next item."""
    items: list = []
    for node in nodes:
        if isinstance(node, LatexCharsNode):
            items.extend(node.chars)
        elif isinstance(node, LatexCommentNode):
            continue
        else:
            items.append(node)
    return items


def _render_item(item: object, out: _Out) -> str:
    if isinstance(item, str):
        return "−" if item == "-" else item
    if isinstance(item, LatexGroupNode | LatexMathNode):
        text = _render(item.nodelist or [], out)
        return _TIGHT_COMMA if text == "," else text  # 73{,}856 keeps its comma tight
    if isinstance(item, LatexSpecialsNode):
        return {"&": " ", "~": " ", "\\\\": "\n"}.get(item.specials_chars, item.specials_chars)
    if isinstance(item, LatexMacroNode):
        args = [a for a in (item.nodeargd.argnlist if item.nodeargd else []) if a is not None]
        return _macro(item.macroname, args, out)
    return ""


_ARITY = {**{m: 2 for m in _FRAC_MACROS}, "sqrt": 1, **{m: 1 for m in _TEXT_MACROS},
          **{m: 1 for m in _COMBINING}, "mathbb": 1, "mathcal": 1, "mathfrak": 1,
          "overline": 1, "underline": 1, "widehat": 1, "widetilde": 1}


def _needs_args(node: LatexMacroNode) -> bool:
    return node.macroname in _ARITY


def _take_args(node: LatexMacroNode, items: list, i: int) -> tuple[list, int]:
    """The macro's arguments: parsed by pylatexenc when it knows the macro, else the next items."""
    args = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a is not None]
    mandatory = [a for a in args if not _is_optional(a)]
    while len(mandatory) < _ARITY[node.macroname] and i < len(items):
        if isinstance(items[i], str) and items[i].isspace():
            i += 1
            continue
        args.append(items[i])
        mandatory.append(items[i])
        i += 1
    return args, i


def _is_optional(arg: object) -> bool:
    return isinstance(arg, LatexGroupNode) and arg.delimiters == ("[", "]")


def _macro(name: str, args: list, out: _Out) -> str:
    optional = [a for a in args if _is_optional(a)]
    mandatory = [a for a in args if not _is_optional(a)]
    rendered = [_render_item(a, out) for a in mandatory]
    if name in _FRAC_MACROS and len(rendered) == 2:
        return f"{_atom(_space_operators(rendered[0]))}/{_atom(_space_operators(rendered[1]))}"
    if name == "sqrt" and rendered:
        root = ""
        if optional:
            root = _script("^", _render_item(optional[0], out))
        return f"{root}√{_atom(_space_operators(rendered[0]))}"
    if name in _TEXT_MACROS and rendered:
        return _text_arg(mandatory[0]) if name in {"text", "textrm", "mbox"} else rendered[0]
    if name in {"mathbb", "mathcal", "mathfrak"} and rendered:
        return "".join(_styled().get((name, c), c) for c in rendered[0])
    if name in _COMBINING or name in {"overline", "widehat", "widetilde", "underline"}:
        mark = _COMBINING.get(name) or _COMBINING.get(
            {"overline": "bar", "widehat": "hat", "widetilde": "tilde"}.get(name, name), "")
        return (rendered[0] + mark) if rendered else mark
    if name in _SPACES:
        return _SPACES[name]
    if name in _FUNCTIONS:
        return name
    symbol = _symbols().get(name)
    if symbol is not None:
        return symbol
    out.unknown.append("\\" + name)
    return "\\" + name + "".join(rendered)


def _text_arg(arg: object) -> str:
    """``\\text{...}`` keeps its spaces and hyphens exactly as written."""
    if isinstance(arg, LatexGroupNode):
        return "".join(n.chars if isinstance(n, LatexCharsNode) else "" for n in arg.nodelist)
    return arg if isinstance(arg, str) else ""


def _script(kind: str, text: str) -> str:
    """``x_{in}`` -> ``xᵢₙ`` when every character has a Unicode script form, else ``x_(in)``."""
    table = _scripts()
    mapped = [table.get(kind + c) for c in text]
    if text and all(mapped):
        return "".join(mapped)  # type: ignore[arg-type]
    return kind + (text if len(text) == 1 else f"({text})")


def _atom(text: str) -> str:
    """Parenthesize a fraction part or radicand unless it is a single term."""
    plain = text.strip()
    if _is_single_term(plain):
        return plain
    if plain[0] in "([{⌊⌈" and not _has_top_level_operator(plain):
        return plain
    if plain[0] == "√" and _atom(plain[1:]) == plain[1:]:
        return plain
    return f"({plain})"


def _is_single_term(text: str) -> bool:
    """``7``, ``0.5``, ``x``, ``Cₒᵤₜ``, ``x̂``, ``∂L``: safe to write without parentheses."""
    if len(text) <= 1 or text.replace(",", "").replace(".", "", 1).isdigit():
        return True
    body = text[1:] if text[0] == "∂" else text
    return bool(body) and body[0].isalpha() and all(
        c in _SCRIPT_CHARS or unicodedata.combining(c) for c in body[1:])


def _has_top_level_operator(text: str) -> bool:
    """True for ``a + b`` or ``(a)/(b)``, false for ``(a + b)`` or ``√(x + y)``."""
    depth = 0
    for char in text:
        if char in "([{⌊⌈":
            depth += 1
        elif char in ")]}⌋⌉":
            depth -= 1
        elif depth == 0 and char in " +−=×·/<>≤≥∑∏":
            return True
    return False


def _space_operators(text: str) -> str:
    """One space each side of binary operators and after commas; unary signs stay tight,
    and so does a comma between digits (``73,728``)."""
    result: list[str] = []
    for index, char in enumerate(text):
        if char in _BINARY:
            previous = "".join(result).rstrip()
            if char in "+−" and (not previous or previous[-1] in _UNARY_AFTER):
                result.append(char)
            else:
                while result and result[-1] == " ":
                    result.pop()
                result.append(f" {char} ")
        elif char == ",":
            following = text[index + 1 : index + 2]
            digits = index > 0 and text[index - 1].isdigit() and following.isdigit()
            result.append("," if digits else ", ")
        elif char == " " and result and result[-1].endswith(" "):
            continue
        else:
            result.append(char)
    return "".join(result).strip()
