"""Deck format v1: markdown -> cards, with every problem located as ``path:line:col``.

The structure comes from markdown-it-py's token stream (front matter, level-2 headings,
paragraphs, fences, math, cloze deletions), never from regular expressions over the
markdown. The format is documented in ``docs/authoring.md``:

    ---
    topic: receptive-field
    title: Receptive field
    ---

    ## What is a receptive field? {#rf-definition}

    tags: basics

    The input region that can change one output unit.

    ## The {{c1::receptive field}} grows by {{c2::k − 1}} per stride-1 layer.

    ## Output size, drilled {#my-sizes}

    ```exercise
    family: conv-output-size
    level: 2
    ```

One pass over the tokens: the time is linear in the size of the file.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from trainer.core.yaml_errors import yaml_error_at
from trainer.deck import cloze
from trainer.deck.cards import CardText, ParsedCard, ParsedFile, Problem
from trainer.deck.exercise_spec import FENCE_INFO, SpecReader, read_as_written
from trainer.deck.identity import digest
from trainer.deck.latex import MAX_NESTING, nesting_depth, unknown_macros

FRONT_MATTER_KEYS = {"topic", "title", "deck", "lang", "tags"}
_ID_SUFFIX = re.compile(r"\s*\{#([^{}]*)\}\s*$")
_VALID_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_VALID_LANG = re.compile(r"^[a-z]{2}$")
_TAGS_PREFIX = "tags:"
_SEPARATOR = "?"


def _deck_markdown() -> MarkdownIt:
    """CommonMark with tables, front matter, ``$math$`` and cloze deletions."""
    return (
        MarkdownIt("commonmark")
        .enable("table")
        .use(front_matter_plugin)
        .use(dollarmath_plugin, double_inline=True)
        .use(cloze.cloze_plugin)
    )


@cache
def markdown_parser() -> MarkdownIt:
    """The one markdown-it configuration used for decks."""
    return _deck_markdown()


@cache
def _structure_parser() -> MarkdownIt:
    """The same parser without the inline pass: enough to find cards, ids and separators,
    and twice as fast. The inline pass then runs only on the paragraphs that need it
    (those with a deletion, or with math when it is checked)."""
    return _deck_markdown().disable(["inline", "text_join"])


def parse_file(
    path: Path, *, deck: str | None = None, lang: str | None = None, check_math: bool = False,
    exercises: SpecReader = read_as_written,
) -> ParsedFile:
    """Read and parse one deck file; unreadable files become a problem, not an exception."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return failed(path, deck, lang, f"cannot read: {exc.strerror or exc}")
    return parse_bytes(data, path, deck=deck, lang=lang, check_math=check_math,
                       exercises=exercises)


def parse_bytes(
    data: bytes, path: Path, *, deck: str | None = None, lang: str | None = None,
    check_math: bool = False, exercises: SpecReader = read_as_written,
) -> ParsedFile:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return failed(path, deck, lang, f"not UTF-8 text (byte {exc.start})", line)
    return parse_text(text.removeprefix("\ufeff"), str(path), deck=deck, lang=lang,
                      check_math=check_math, exercises=exercises)


def failed(path: Path, deck: str | None, lang: str | None, message: str,
           line: int = 1) -> ParsedFile:
    return ParsedFile(
        path=str(path),
        deck=deck or path.stem,
        lang=lang or "en",
        problems=[Problem(path=str(path), line=line, message=message,
                          hint="save the file as UTF-8" if "UTF-8" in message else "")],
    )


class _Problems:
    """Collects problems; every one has a line (clamped into the file) and a column."""

    def __init__(self, path: str, line_count: int) -> None:
        self.path = path
        self.last = max(line_count, 1)
        self.items: list[Problem] = []

    def __call__(self, line: int, message: str, hint: str = "", severity: str = "error",
                 col: int = 1) -> None:
        self.items.append(Problem(path=self.path, line=min(max(line, 1), self.last),
                                  col=max(col, 1), message=message, hint=hint,
                                  severity=severity))


def parse_text(
    text: str, path: str, *, deck: str | None = None, lang: str | None = None,
    check_math: bool = False, exercises: SpecReader = read_as_written,
) -> ParsedFile:
    """Parse deck markdown. ``deck`` and ``lang`` are defaults the front matter may override.

    ``check_math`` also warns about LaTeX that would show raw and, in a ``zh`` file, about
    ASCII punctuation beside Chinese text (``trainer check`` does; the app skips both at
    start-up, where they would double the parse time). ``exercises`` reads each exercise
    block: the app passes ``trainer.app.exercise_cards.read_spec``, which checks a block
    against the exercise families too (the deck alone reads its shape only).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    problem = _Problems(path, len(lines))
    tokens = _structure_parser().parse(text)
    _inline_where_needed(tokens, check_math)
    meta = _front_matter(tokens, problem)

    stem = Path(path).stem
    deck_name = _str_field(meta, "deck", problem) or deck or stem
    file_lang = _str_field(meta, "lang", problem) or lang or "en"
    if not _VALID_LANG.match(file_lang):
        problem(1, f"lang {file_lang!r} is not a two-letter language code", "use en or zh")
        file_lang = "en"
    topic = _str_field(meta, "topic", problem) or _slug(stem)
    title = _str_field(meta, "title", problem) or topic
    file_tags = _tags_field(meta, problem)

    blocks = _top_level_blocks(tokens)
    starts = _card_starts(tokens, blocks, problem)
    block_lines = [tokens[i].map[0] for i in blocks]
    context = dict(topic=topic, title=title, tags=file_tags, lang=file_lang, path=path,
                   cloze_possible="{{" in text, exercises=exercises)
    cards: list[ParsedCard] = []
    seen: dict[str, int] = {}
    for number, heading in enumerate(starts):
        end = tokens[starts[number + 1]].map[0] if number + 1 < len(starts) else len(lines)
        body_start = tokens[heading].map[1]
        body = [i for i in blocks[bisect.bisect_left(block_lines, body_start):
                                  bisect.bisect_left(block_lines, end)]]
        for card in _cards(tokens, heading, body, end, lines, problem, **context):
            first = seen.get(card.id)
            if first is not None:
                problem(card.text.line,
                        f"duplicate card id {card.id!r} (first used on line {first})",
                        "give each card its own {#id}, or merge the two cards")
                continue
            seen[card.id] = card.text.line
            cards.append(card)
    if check_math:
        _check_math(tokens, problem, lines)
        if file_lang == "zh":
            _check_punctuation(tokens, problem, lines)
    problems = sorted(problem.items, key=lambda p: (p.line, p.col))
    if not starts and not problems:
        problems.append(Problem(path=path, line=1, severity="warning",
                                message="no cards in this file",
                                hint="start each card with a '## question' heading"))
    return ParsedFile(path=path, deck=deck_name, lang=file_lang, cards=cards,
                      problems=problems)


def _inline_where_needed(tokens: list[Token], check_math: bool) -> None:
    """Run markdown-it's inline pass (code spans, math, deletions) on the inline tokens
    that may hold a deletion, or a formula when math is checked."""
    md = markdown_parser()
    for token in tokens:
        if token.type != "inline":
            continue
        content = token.content
        if "{{" in content or (check_math and "$" in content):
            token.children = []
            md.inline.parse(content, md, {}, token.children)


def _front_matter(tokens: list[Token], problem) -> dict:
    if not tokens or tokens[0].type != "front_matter":
        return {}
    token = tokens[0]
    import yaml  # only for a file with front matter: the practice screen draws without it

    try:
        data = yaml.safe_load(token.content)
    except yaml.YAMLError as exc:
        at = yaml_error_at(exc)
        line = at.line + 1 if at.line is not None else 1  # the YAML starts on line 2
        problem(line, f"front matter is not valid YAML: {at.problem or 'invalid YAML'}",
                "write 'key: value' lines between the two '---' lines")
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        problem(2, "front matter must be 'key: value' lines", "for example 'topic: pooling'")
        return {}
    for key in data:
        if key not in FRONT_MATTER_KEYS:
            problem(_key_line(token, str(key)), f"unknown front matter key {key!r}",
                    f"known keys: {', '.join(sorted(FRONT_MATTER_KEYS))}", severity="warning")
    return data


def _key_line(token: Token, key: str) -> int:
    for offset, line in enumerate(token.content.split("\n")):
        if line.startswith(f"{key}:"):
            return token.map[0] + 2 + offset
    return token.map[0] + 1


def _str_field(meta: dict, key: str, problem) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        problem(2, f"front matter '{key}' must be text, not {type(value).__name__}",
                f"for example '{key}: my-{key}'")
        return None
    return str(value).strip() or None


def _tags_field(meta: dict, problem) -> list[str]:
    value = meta.get("tags")
    if value is None:
        return []
    if isinstance(value, str):
        return _split_tags(value)
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return [str(v).strip().lower() for v in value if str(v).strip()]
    problem(2, "front matter 'tags' must be a list or comma-separated text",
            "for example 'tags: [cnn, formula]'")
    return []


def _split_tags(text: str) -> list[str]:
    return [t.strip().lstrip("#").lower() for t in re.split(r"[,\s]+", text) if t.strip("# ")]


def _top_level_blocks(tokens: list[Token]) -> list[int]:
    """Indexes of the top-level block tokens that open or stand alone, in order."""
    return [i for i, t in enumerate(tokens)
            if t.level == 0 and t.nesting >= 0 and t.map is not None and t.type != "inline"]


def _card_starts(tokens: list[Token], blocks: list[int], problem) -> list[int]:
    """Indexes of the level-2 headings at the top level."""
    starts: list[int] = []
    for i in blocks:
        token = tokens[i]
        if token.type != "heading_open":
            continue
        if token.tag == "h2":
            starts.append(i)
        elif token.tag == "h1" and starts:
            problem(token.map[0] + 1, "a level-1 heading inside a card",
                    "start cards with '## '; use '###' for headings inside an answer",
                    severity="warning")
    first_card = tokens[starts[0]].map[0] if starts else None
    for i in blocks:
        token = tokens[i]
        if token.type in {"front_matter", "heading_open"} or _is_comment(token):
            continue
        if first_card is None or token.map[0] < first_card:
            problem(token.map[0] + 1, "text before the first card is ignored",
                    "put it under a '## question' heading, or delete it", severity="warning")
            break
    return starts


def _is_comment(token: Token) -> bool:
    return token.type == "html_block" and token.content.lstrip().startswith("<!--")


def _paragraph_text(tokens: list[Token], opening: int) -> str:
    return tokens[opening + 1].content.strip()


def _cards(
    tokens: list[Token], heading: int, body: list[int], end: int, lines: list[str], problem,
    *, topic: str, title: str, tags: list[str], lang: str, path: str, cloze_possible: bool,
    exercises: SpecReader,
) -> list[ParsedCard]:
    """The cards of one ``## `` section: one, one per cloze number, or none (errors)."""
    token = tokens[heading]
    inline = tokens[heading + 1]
    line_no = token.map[0] + 1
    raw = inline.content
    match = _ID_SUFFIX.search(raw)
    question = (raw[: match.start()] if match else raw).strip()
    if not question:
        problem(line_no, "card has no question", "write the question after '## '")
        return []
    explicit = match is not None
    if match:
        card_id = match.group(1).strip()
        if not _VALID_ID.match(card_id):
            col = lines[token.map[0]].find("{#") + 1 if token.map[0] < len(lines) else 1
            problem(line_no, f"invalid card id {card_id!r}",
                    "ids use lowercase letters, digits, '-' and '_', up to 80 characters",
                    col=col)
            return []
    else:
        card_id = _derived_id(question)

    body_start = token.map[1]
    card_tags = list(tags)
    answer_from = body_start
    if body and tokens[body[0]].type == "paragraph_open":
        content = _paragraph_text(tokens, body[0])
        if content.lower().startswith(_TAGS_PREFIX):
            card_tags += [t for t in _split_tags(content[len(_TAGS_PREFIX):]) if t not in card_tags]
            answer_from = tokens[body[0]].map[1]
            body = body[1:]
    separators = [i for i in body if tokens[i].type == "paragraph_open"
                  and _paragraph_text(tokens, i) == _SEPARATOR]
    if len(separators) > 1:
        problem(tokens[separators[1]].map[0] + 1, "more than one '?' separator in a card",
                "a card has one '?' line between its question and its answer")
        return []
    separator = tokens[separators[0]].map if separators else None
    common = dict(id=card_id, explicit_id=explicit, topic=topic, topic_title=title,
                  tags=card_tags, lang=lang)

    fences = [i for i in body if tokens[i].type == "fence"
              and tokens[i].info.strip().lower() == FENCE_INFO]
    deletions = _deletions(tokens, heading, end, lines) if cloze_possible else []
    if fences:
        if deletions:
            problem(line_no, "a card is either an exercise or a cloze, not both",
                    "move the deletions to a card of their own")
            return []
        return _exercise_card(tokens, fences, body, question, line_no, path, problem, common,
                              exercises)
    if deletions:
        return _cloze_cards(question, deletions, body_start, end, answer_from,
                            separator, lines, line_no, path, problem, common)

    question_extra = ""
    if separator:
        question_extra = _lines(lines, answer_from, separator[0])
        answer_from = separator[1]
    answer = _lines(lines, answer_from, end)
    if not answer:
        where = separator[0] + 1 if separator else line_no
        problem(where, "card has no answer",
                "write the answer below the question (after the '?' line if there is one)")
        return []
    full_question = question if not question_extra else f"{question}\n\n{question_extra}"
    text = CardText(question=full_question, answer=answer, path=path, line=line_no,
                    digest=digest(full_question, answer))
    return [ParsedCard(**common, text=text)]


def _deletions(tokens: list[Token], heading: int, end: int,
               lines: list[str]) -> list[cloze.Deletion]:
    """Every deletion from the heading to the end of the card, in reading order."""
    found: list[cloze.Deletion] = []
    i = heading + 1
    while i < len(tokens):
        token = tokens[i]
        if token.map is not None and token.map[0] >= end:
            break
        if token.type == "inline" and token.children and any(
                c.type == cloze.CLOZE for c in token.children):
            found += cloze.locate(token, lines)
        i += 1
    return found


def _cloze_cards(
    question: str, deletions: list[cloze.Deletion], body_start: int, end: int,
    answer_from: int, separator: list[int] | None, lines: list[str], line_no: int, path: str,
    problem, common: dict,
) -> list[ParsedCard]:
    broken = False
    for deletion in deletions:
        if deletion.error:
            message, hint = deletion.error
            problem(deletion.line + 1, message, hint, col=deletion.col + 1)
            broken = True
    note_end = separator[0] if separator else end
    late = [d for d in deletions if d.line >= note_end]
    for deletion in late:
        problem(deletion.line + 1, "a cloze deletion after the '?' line is never blanked",
                "move it above the '?' line, or remove its braces", col=deletion.col + 1)
        broken = True
    numbered = {d.number is not None for d in deletions if not d.error}
    if len(numbered) > 1:
        first = next(d for d in deletions if d.number is None and not d.error)
        problem(first.line + 1, "a card mixes numbered {{c1::…}} and unnumbered {{…}} "
                "deletions", "number them all, or none", col=first.col + 1)
        broken = True
    if broken:
        return []
    if numbered == {False}:
        for number, deletion in enumerate(deletions, start=1):
            deletion.number = number

    head = [d for d in deletions if d.line < body_start]
    body = [d for d in deletions if d.line >= body_start]
    # The heading's deletions, re-based on the question text (the heading's inline content).
    head_local = [cloze.Deletion(number=d.number, answer=d.answer, hint=d.hint, line=d.line,
                                 col=d.start, end=d.stop) for d in head]
    extra = _lines(lines, separator[1], end) if separator else ""

    def note(number: int, mode: str) -> tuple[str, str]:
        heading = cloze.fill(question, head_local, number, mode)
        rows = []
        for index in range(answer_from, note_end):
            row = lines[index]
            on_row = [d for d in body if d.line == index]
            rows.append(cloze.fill(row, on_row, number, mode) if on_row else row)
        return heading, "\n".join(rows).strip("\n").rstrip()

    cards = []
    for number in sorted({d.number for d in deletions}):
        heading_q, body_q = note(number, "question")
        heading_a, body_a = note(number, "answer")
        shown = [heading_a] if any(d.number == number for d in head) else []
        answer = "\n\n".join(part for part in [*shown, body_a, extra] if part)
        full_question = heading_q if not body_q else f"{heading_q}\n\n{body_q}"
        hidden = " … ".join(d.answer.strip() for d in deletions if d.number == number)
        text = CardText(question=full_question, answer=answer, path=path, line=line_no,
                        digest=digest(full_question, hidden), deleted=hidden)
        cards.append(ParsedCard(**{**common, "id": f"{common['id']}:c{number}"},
                                kind="cloze", text=text))
    return cards


def _exercise_card(
    tokens: list[Token], fences: list[int], body: list[int], question: str, line_no: int,
    path: str, problem, common: dict, exercises: SpecReader,
) -> list[ParsedCard]:
    if len(fences) > 1:
        problem(tokens[fences[1]].map[0] + 1, "more than one exercise block in a card",
                "give each exercise its own '## ' heading")
        return []
    fence = tokens[fences[0]]
    others = [i for i in body if i != fences[0]]
    if others:
        problem(tokens[others[0]].map[0] + 1,
                "text beside an exercise block is not shown",
                "the exercise writes its own question and worked solution", severity="warning")
    spec = exercises(fence.content, fence.map[0] + 2, problem)
    if spec is None:
        return []
    answer = fence.content.strip()
    text = CardText(question=question, answer=answer, path=path, line=line_no,
                    digest=digest(question, answer))
    return [ParsedCard(**common, kind="exercise", exercise=spec, text=text)]


def _lines(lines: list[str], start: int, end: int) -> str:
    return "\n".join(lines[start:end]).strip("\n").rstrip()


def _locate(token: Token, formula: str, offset: int, lines: list[str]) -> tuple[int, int]:
    """1-based line and column of ``formula[offset]`` in the source lines of ``token``."""
    first, last = token.map
    block = "\n".join(lines[first:last])
    start = block.find(formula)
    if start < 0:
        return first + 1, 1
    before = block[:start + offset]
    return first + 1 + before.count("\n"), len(before) - (before.rfind("\n") + 1) + 1


def _check_math(tokens: list[Token], problem, lines: list[str]) -> None:
    """Warn about LaTeX macros that would show raw in the terminal."""
    for token in tokens:
        if token.map is None:
            continue
        formulas = [token.content] if token.type == "math_block" else [
            child.content for child in token.children or [] if child.type == "math_inline"
        ]
        for formula in formulas:
            _, deep_at = nesting_depth(formula)
            if deep_at >= 0:
                line, col = _locate(token, formula, deep_at, lines)
                problem(line, f"formula nested too deeply (more than {MAX_NESTING} levels "
                        "of braces)", "simplify the formula; it is shown as written",
                        col=col)
                continue
            for macro in unknown_macros(formula):
                problem(token.map[0] + 1, f"unknown LaTeX macro {macro} will show raw",
                        "see the supported math in docs/authoring.md", severity="warning")


# Chinese text takes full-width punctuation; these are the ASCII marks authors type instead.
FULL_WIDTH = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "?": "？", "!": "！"}
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Beside Han characters. A full-width mark ('）?', '。,') counts too, except for brackets:
# '(0, 0)。' or '：(Rq)' hold a tuple or a formula, and ASCII is right there.
_CHINESE = re.compile(f"[{_HAN}]")
_CHINESE_OR_MARK = re.compile(f"[{_HAN}\u3000-\u303f\uff01-\uff60]")
_CLOZE_NUMBER = re.compile(r"c\d{1,4}::")  # the 'c1::' after '{{', as cloze.py reads it
_EMPHASIS = "*_~"  # markers that sit between two rendered characters without showing
# Only a prefilter: which inline tokens are worth an inline parse at all.
_SUSPECT = re.compile(f"{_CHINESE_OR_MARK.pattern}[*_~]*[,;:()?!]"
                      f"|[,;:()?!][*_~]*{_CHINESE_OR_MARK.pattern}")


def _check_punctuation(tokens: list[Token], problem, lines: list[str]) -> None:
    """Warn about an ASCII ``, ; : ( ) ? !`` directly beside Chinese text in prose: math,
    code spans, fences and the cloze markers (``{{c1::``, ``::``, ``}}``) are left alone."""
    for index, token in enumerate(tokens):
        if token.type != "inline" or token.map is None or not _SUSPECT.search(token.content):
            continue
        if _is_tags_line(tokens, index):
            continue  # tags are split on ASCII commas: '，' would join two tags
        content = token.content
        for offset, mark in _ascii_marks(content, _inline_children(content), 0, len(content)):
            line, col = _content_position(token, offset, lines)
            problem(line, f"ASCII {mark!r} beside Chinese text; use {FULL_WIDTH[mark]!r}",
                    severity="warning", col=col)


def _ascii_marks(content: str, children: list[Token], base: int,
                 end: int) -> list[tuple[int, str]]:
    """Offsets (into ``content``) of the ASCII marks beside Chinese in the prose children
    of ``content[base:end]``: text tokens, and the answer and hint of each deletion."""
    found: list[tuple[int, str]] = []
    cursor = base
    for child in children:
        if child.type == "text":
            start = content.find(child.content, cursor, end)
            if start < 0:  # text is verbatim source; never expected, but never a guess
                continue
            cursor = start + len(child.content)
            found += [(i, content[i]) for i in range(start, cursor)
                      if content[i] in FULL_WIDTH and _beside_chinese(content, i)]
        elif child.type in {"code_inline", "math_inline", "math_inline_double",
                            "text_special", "html_inline"}:
            # Skip the whole span so a later text is never found inside it.
            raw = (child.markup + child.content + child.markup
                   if child.type.startswith("math") else child.markup or child.content)
            start = content.find(raw, cursor, end)
            if child.type == "code_inline" and start >= 0:
                close = content.find(child.markup, start + len(child.markup), end)
                cursor = close + len(child.markup) if close >= 0 else cursor
            elif start >= 0:
                cursor = start + len(raw)
        elif child.type == cloze.CLOZE:
            # The deletion's answer and hint are prose (with their own math and code); the
            # markers around them are syntax.
            start, stop = base + child.meta["start"], base + child.meta["end"]
            numbered = _CLOZE_NUMBER.match(content, start + 2, stop)
            at = numbered.end() if numbered else start + 2
            for part in (child.content, child.meta["hint"]):
                at = content.find(part, at, stop) if part else -1
                if at < 0:
                    break
                found += _ascii_marks(content, _inline_children(part), at, at + len(part))
                at += len(part)
            cursor = stop
    return found


def _is_tags_line(tokens: list[Token], inline: int) -> bool:
    """Is ``tokens[inline]`` a card's 'tags:' line (the first paragraph under its heading)?"""
    return (inline >= 2 and tokens[inline - 1].type == "paragraph_open"
            and tokens[inline - 1].level == 0 and tokens[inline - 2].type == "heading_close"
            and tokens[inline - 2].tag == "h2"
            and tokens[inline].content.lower().startswith(_TAGS_PREFIX))


def _inline_children(text: str) -> list[Token]:
    """The inline tokens of ``text`` without the core's text join, so every text token is
    a verbatim slice of ``text`` (escapes stay tokens of their own)."""
    md = markdown_parser()
    children: list[Token] = []
    md.inline.parse(text, md, {}, children)
    return children


def _beside_chinese(content: str, i: int) -> bool:
    """Is the character at ``i`` next to Chinese text (emphasis markers skipped)?"""
    chinese = _CHINESE if content[i] in "()" else _CHINESE_OR_MARK
    before, after = i - 1, i + 1
    while before >= 0 and content[before] in _EMPHASIS:
        before -= 1
    while after < len(content) and content[after] in _EMPHASIS:
        after += 1
    return any(0 <= j < len(content) and chinese.match(content[j]) for j in (before, after))


def _content_position(token: Token, offset: int, lines: list[str]) -> tuple[int, int]:
    """1-based line and column of ``token.content[offset]`` in the file (an inline token's
    content is its source lines with the block markers taken off, as in ``cloze.locate``)."""
    content = token.content
    row = content.count("\n", 0, offset)
    line_start = content.rfind("\n", 0, offset) + 1
    index = token.map[0] + row
    source = lines[index] if 0 <= index < len(lines) else ""
    content_line = content[line_start:].split("\n", 1)[0]
    prefix = source.find(content_line) if content_line else -1
    return index + 1, max(prefix, 0) + offset - line_start + 1


def _derived_id(question: str) -> str:
    """An id for a card written without ``{#id}``: a hash of its normalized question."""
    normalized = " ".join(unicodedata.normalize("NFKC", question).casefold().split())
    return "q-" + hashlib.blake2b(normalized.encode(), digest_size=6).hexdigest()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "general"
