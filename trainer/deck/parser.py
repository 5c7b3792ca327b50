"""Deck format v1: markdown -> cards, with every problem located as ``path:line``.

The structure comes from markdown-it-py's token stream (front matter, level-2 headings,
paragraphs, math), never from regular expressions over the markdown. The format is
documented in ``docs/authoring.md``:

    ---
    topic: receptive-field
    title: Receptive field
    ---

    ## What is a receptive field? {#rf-definition}

    tags: basics

    The input region that can change one output unit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from trainer.deck.latex import unknown_macros
from trainer.deck.models import CardText, ParsedCard, ParsedFile, Problem

FRONT_MATTER_KEYS = {"topic", "title", "deck", "lang", "tags"}
_ID_SUFFIX = re.compile(r"\s*\{#([^{}]*)\}\s*$")
_VALID_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_VALID_LANG = re.compile(r"^[a-z]{2}$")
_TAGS_PREFIX = "tags:"
_SEPARATOR = "?"


@cache
def markdown_parser() -> MarkdownIt:
    """The one markdown-it configuration used for decks (CommonMark, tables, $math$)."""
    return (
        MarkdownIt("commonmark")
        .enable("table")
        .use(front_matter_plugin)
        .use(dollarmath_plugin, double_inline=True)
    )


def parse_file(
    path: Path, *, deck: str | None = None, lang: str | None = None, check_math: bool = False
) -> ParsedFile:
    """Read and parse one deck file; unreadable files become a problem, not an exception."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return _failed(path, deck, lang, f"not UTF-8 text (byte {exc.start})")
    except OSError as exc:
        return _failed(path, deck, lang, f"cannot read: {exc.strerror or exc}")
    return parse_text(text, str(path), deck=deck, lang=lang, check_math=check_math)


def _failed(path: Path, deck: str | None, lang: str | None, message: str) -> ParsedFile:
    return ParsedFile(
        path=str(path),
        deck=deck or path.stem,
        lang=lang or "en",
        problems=[Problem(path=str(path), line=1, message=message)],
    )


def parse_text(
    text: str, path: str, *, deck: str | None = None, lang: str | None = None,
    check_math: bool = False,
) -> ParsedFile:
    """Parse deck markdown. ``deck`` and ``lang`` are defaults the front matter may override.

    ``check_math`` also warns about LaTeX that would show raw (``trainer check`` does; the
    app skips it at start-up, where it would double the parse time).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    problems: list[Problem] = []

    def problem(line: int, message: str, hint: str = "", severity: str = "error") -> None:
        problems.append(
            Problem(path=path, line=max(line, 1), message=message, hint=hint, severity=severity)
        )

    tokens = markdown_parser().parse(text)
    lines = text.split("\n")
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

    starts = _card_starts(tokens, problem)
    cards: list[ParsedCard] = []
    seen: dict[str, int] = {}
    for index, (heading, inline) in enumerate(starts):
        end = starts[index + 1][0].map[0] if index + 1 < len(starts) else len(lines)
        card = _card(
            heading, inline, end, tokens, lines, problem,
            topic=topic, title=title, tags=file_tags, lang=file_lang, path=path,
        )
        if card is None:
            continue
        first = seen.get(card.id)
        if first is not None:
            problem(
                card.text.line,
                f"duplicate card id {card.id!r} (first used on line {first})",
                "give each card its own {#id}, or merge the two cards",
            )
            continue
        seen[card.id] = card.text.line
        cards.append(card)
    if check_math:
        _check_math(tokens, problem)
    problems.sort(key=lambda p: p.line)
    if not starts and not problems:
        problem(1, "no cards in this file", "start each card with a '## question' heading",
                severity="warning")
    return ParsedFile(path=path, deck=deck_name, lang=file_lang, cards=cards, problems=problems)


def _front_matter(tokens: list[Token], problem) -> dict:
    if not tokens or tokens[0].type != "front_matter":
        return {}
    token = tokens[0]
    try:
        data = yaml.safe_load(token.content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "invalid YAML"
        problem(line, f"front matter is not valid YAML: {reason}",
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
        problem(2, f"front matter '{key}' must be text, not {type(value).__name__}")
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


def _card_starts(tokens: list[Token], problem) -> list[tuple[Token, Token]]:
    """The level-2 headings at the top level, each with its inline token."""
    starts = []
    for i, token in enumerate(tokens):
        if token.type != "heading_open" or token.level != 0:
            continue
        if token.tag == "h2":
            starts.append((token, tokens[i + 1]))
        elif token.tag == "h1" and starts:
            problem(token.map[0] + 1, "a level-1 heading inside a card",
                    "start cards with '## '; use '###' for headings inside an answer",
                    severity="warning")
    first_card = starts[0][0].map[0] if starts else None
    for token in tokens:
        if token.level != 0 or token.nesting == -1 or token.map is None:
            continue
        if token.type in {"front_matter", "heading_open"}:
            continue
        if first_card is None or token.map[0] < first_card:
            problem(token.map[0] + 1, "text before the first card is ignored",
                    "put it under a '## question' heading, or delete it", severity="warning")
            break
    return starts


def _card(
    heading: Token, inline: Token, end: int, tokens: list[Token], lines: list[str], problem,
    *, topic: str, title: str, tags: list[str], lang: str, path: str,
) -> ParsedCard | None:
    line_no = heading.map[0] + 1
    raw = inline.content
    match = _ID_SUFFIX.search(raw)
    question = (raw[: match.start()] if match else raw).strip()
    if not question:
        problem(line_no, "card has no question", "write the question after '## '")
        return None
    explicit = match is not None
    if match:
        card_id = match.group(1).strip()
        if not _VALID_ID.match(card_id):
            problem(line_no, f"invalid card id {card_id!r}",
                    "ids use lowercase letters, digits, '-' and '_', up to 80 characters")
            return None
    else:
        card_id = _derived_id(question)

    body_start = heading.map[1]
    blocks = [t for t in tokens if t.level == 0 and t.nesting >= 0 and t.map
              and body_start <= t.map[0] < end]
    card_tags = list(tags)
    question_extra = ""
    answer_from = body_start
    if blocks and blocks[0].type == "paragraph_open":
        content = _paragraph_text(blocks[0], tokens)
        if content.lower().startswith(_TAGS_PREFIX):
            card_tags += [t for t in _split_tags(content[len(_TAGS_PREFIX):]) if t not in card_tags]
            answer_from = blocks[0].map[1]
    separators = [b for b in blocks if b.type == "paragraph_open"
                  and _paragraph_text(b, tokens) == _SEPARATOR]
    if len(separators) > 1:
        problem(separators[1].map[0] + 1, "more than one '?' separator in a card",
                "a card has one '?' line between its question and its answer")
        return None
    if separators:
        question_extra = _lines(lines, answer_from, separators[0].map[0])
        answer_from = separators[0].map[1]
    answer = _lines(lines, answer_from, end)
    if not answer:
        where = separators[0].map[0] + 1 if separators else line_no
        problem(where, "card has no answer",
                "write the answer below the question (after the '?' line if there is one)")
        return None
    full_question = question if not question_extra else f"{question}\n\n{question_extra}"
    return ParsedCard(
        id=card_id,
        explicit_id=explicit,
        topic=topic,
        topic_title=title,
        tags=card_tags,
        lang=lang,
        text=CardText(question=full_question, answer=answer, path=path, line=line_no),
    )


def _paragraph_text(opening: Token, tokens: list[Token]) -> str:
    index = tokens.index(opening)
    return tokens[index + 1].content.strip()


def _lines(lines: list[str], start: int, end: int) -> str:
    return "\n".join(lines[start:end]).strip("\n").rstrip()


def _check_math(tokens: list[Token], problem) -> None:
    """Warn about LaTeX macros that would show raw in the terminal."""
    for token in tokens:
        if token.map is None:
            continue
        formulas = [token.content] if token.type == "math_block" else [
            child.content for child in token.children or [] if child.type == "math_inline"
        ]
        for formula in formulas:
            for macro in unknown_macros(formula):
                problem(token.map[0] + 1, f"unknown LaTeX macro {macro} will show raw",
                        "see the supported math in docs/authoring.md", severity="warning")


def _derived_id(question: str) -> str:
    """An id for a card written without ``{#id}``: a hash of its normalized question."""
    normalized = " ".join(unicodedata.normalize("NFKC", question).casefold().split())
    return "q-" + hashlib.blake2b(normalized.encode(), digest_size=6).hexdigest()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "general"
