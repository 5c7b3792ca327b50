"""Turn the ``$…$`` and ``$$…$$`` formulas of card markdown into Unicode text.

The formulas are found by markdown-it's dollarmath plugin (so ``$`` inside code is left
alone); each is replaced in the source by its Unicode rendering, escaped so that the
markdown renderer shows it literally.
"""

from __future__ import annotations

from trainer.deck.latex import latex_to_unicode
from trainer.deck.parser import markdown_parser

_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_[]|<>#"})


def render_math(markdown: str) -> str:
    """``markdown`` with every formula rendered as Unicode; the rest left as written."""
    if "$" not in markdown:
        return markdown
    lines = markdown.split("\n")
    tokens = markdown_parser().parse(markdown)
    # Work bottom-up so earlier line numbers stay valid while blocks are replaced.
    for token in reversed(tokens):
        if token.map is None:
            continue
        start, end = token.map
        if token.type == "math_block":
            # An indented block: shown literally and set apart, like display math.
            formula = latex_to_unicode(token.content.strip())
            lines[start:end] = ["", *(f"    {row}" for row in formula.split("\n")), ""]
        elif token.type == "inline" and token.children:
            maths = [c for c in token.children if c.type in {"math_inline", "math_inline_double"}]
            if maths:
                block = "\n".join(lines[start:end])
                lines[start:end] = _replace_inline(block, maths).split("\n")
    return "\n".join(lines)


def _replace_inline(block: str, maths: list) -> str:
    out: list[str] = []
    cursor = 0
    for math in maths:
        marker = "$$" if math.type == "math_inline_double" else "$"
        source = f"{marker}{math.content}{marker}"
        found = block.find(source, cursor)
        if found < 0:
            continue
        out.append(block[cursor:found])
        after = found + len(source)
        on_own_lines = (found == 0 or block[found - 1] == "\n") and (
            after == len(block) or block[after] == "\n")
        if marker == "$$" and on_own_lines:
            # Display math written inside a paragraph (no blank line around it): set
            # apart as its own block, like a ``math_block``, not run into the sentence.
            formula = latex_to_unicode(math.content.strip())
            out.append("\n" + "\n".join(f"    {row}" for row in formula.split("\n")) + "\n")
        else:
            out.append(_escape(latex_to_unicode(math.content)))
        cursor = after
    out.append(block[cursor:])
    return "".join(out)


def _escape(text: str) -> str:
    return text.translate(_MARKDOWN_SPECIALS)
