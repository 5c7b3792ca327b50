"""Cloze deletions: ``{{c1::answer}}``, ``{{c1::answer::hint}}`` and the short ``{{answer}}``.

A markdown-it inline rule finds them, so a deletion is never recognised inside a code
span, a fenced block or a formula (those rules consume their text first). A deletion stays
on one line; braces inside it may nest (``{{c1::$x^{2}$}}``). The hint is separated by the
first ``::`` outside backticks and ``$…$``.

``locate`` maps each deletion of an inline token back to its line and column in the file,
and ``fill`` writes a line with the deletions blanked (``[…]`` or ``[hint]``), revealed in
bold, or shown as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

CLOZE = "cloze"
BLANK = "[…]"
_NUMBERED = re.compile(r"c(\d{1,4})::")
_HINT_SPECIALS = str.maketrans({c: "\\" + c for c in "\\[]`*_<>"})


def cloze_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("escape", CLOZE, _cloze_rule)
    md.add_render_rule(CLOZE, lambda self, tokens, idx, options, env:
                       escapeHtml(tokens[idx].content))


def _cloze_rule(state: StateInline, silent: bool) -> bool:
    src, start, end = state.src, state.pos, state.posMax
    if start + 1 >= end or src[start] != "{" or src[start + 1] != "{":
        return False
    close = _closing(src, start + 2, end)
    error = None
    if close is None:
        if not _NUMBERED.match(src, start + 2):
            return False  # literal braces
        stop = start + 2
        number, answer, hint = None, "", None
        error = ("cloze deletion is not closed", "end it with '}}' on the same line")
    else:
        stop = close + 2
        inner = src[start + 2 : close]
        if not inner.strip():
            return False  # '{{}}' is left as text
        numbered = _NUMBERED.match(inner)
        number = int(numbered.group(1)) if numbered else None
        answer, hint = _split_hint(inner[numbered.end():] if numbered else inner)
        if number == 0:
            error = ("cloze numbers start at c1", "write {{c1::…}}, {{c2::…}}, …")
        elif not answer.strip():
            error = ("cloze deletion has no text", "write the hidden text after 'c1::'")
    if not silent:
        token = state.push(CLOZE, "", 0)
        token.content = answer
        token.meta = {"number": number, "hint": hint, "start": start, "end": stop,
                      "error": error}
    state.pos = stop
    return True


def _closing(src: str, pos: int, end: int) -> int | None:
    """Index of the ``}}`` closing a deletion whose text starts at ``pos`` (None: none)."""
    depth = 0
    while pos < end:
        ch = src[pos]
        if ch == "\n":
            return None
        if ch == "\\":
            pos += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return pos if pos + 1 < end and src[pos + 1] == "}" else None
            depth -= 1
        pos += 1
    return None


def _split_hint(body: str) -> tuple[str, str | None]:
    code = math = False
    for i, ch in enumerate(body):
        if ch == "`":
            code = not code
        elif ch == "$" and not code:
            math = not math
        elif ch == ":" and not code and not math and body.startswith("::", i):
            hint = body[i + 2 :].strip()
            return body[:i], hint or None
    return body, None


@dataclass
class Deletion:
    """One ``{{…}}`` of a card: where it is (0-based line, columns) and what it hides."""

    number: int | None
    answer: str
    hint: str | None
    line: int  # 0-based line in the file
    col: int  # 0-based column of the opening '{{'
    end: int  # column just after the closing '}}'
    error: tuple[str, str] | None = None
    start: int = 0  # the same span as offsets into the inline token's content
    stop: int = 0


def locate(inline: Token, lines: list[str]) -> list[Deletion]:
    """The deletions of one inline token, located in the file's ``lines``.

    Inline content is the source with block markers (``> ``, ``- ``, ``## ``, leading
    spaces) taken off each line, so a content line is found inside its source line and
    the deletion's offset carried over; the raw ``{{…}}`` is checked to be there.
    """
    children = [c for c in inline.children or [] if c.type == CLOZE]
    if not children or inline.map is None:
        return []
    content = inline.content
    content_lines = content.split("\n")
    taken: dict[int, int] = {}
    found = []
    for child in children:
        start, stop = child.meta["start"], child.meta["end"]
        row = content.count("\n", 0, start)
        offset = start - (content.rfind("\n", 0, start) + 1)
        index = inline.map[0] + row
        source = lines[index] if 0 <= index < len(lines) else ""
        raw = content[start:stop]
        prefix = source.find(content_lines[row]) if content_lines[row] else -1
        col = prefix + offset if prefix >= 0 else -1
        if col < taken.get(index, 0) or source[col : col + len(raw)] != raw:
            col = source.find(raw, taken.get(index, 0))
        if col < 0:  # cannot happen for text markdown-it read from these lines
            continue
        taken[index] = col + len(raw)
        found.append(Deletion(number=child.meta["number"], answer=child.content,
                              hint=child.meta["hint"], line=index, col=col,
                              end=col + len(raw), error=child.meta["error"],
                              start=start, stop=stop))
    return found


def blank(deletion: Deletion) -> str:
    """What the question shows in place of the hidden text."""
    if deletion.hint:
        return f"[{deletion.hint.translate(_HINT_SPECIALS)}]"
    return BLANK


def revealed(deletion: Deletion) -> str:
    """The hidden text as the answer shows it: in bold, spaces kept outside the markers."""
    text = deletion.answer
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}**{core}**{trail}"


def fill(line: str, deletions: list[Deletion], number: int | None, mode: str) -> str:
    """``line`` with its deletions replaced: those of ``number`` blanked (``mode``
    "question") or revealed ("answer"); the others shown as their plain text."""
    for deletion in sorted(deletions, key=lambda d: d.col, reverse=True):
        if deletion.number == number and number is not None:
            shown = blank(deletion) if mode == "question" else revealed(deletion)
        else:
            shown = deletion.answer
        line = line[: deletion.col] + shown + line[deletion.end :]
    return line
