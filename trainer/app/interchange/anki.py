"""``trainer export anki``: the deck as an Anki package (``.apkg``), written with genanki.

- Concept cards become notes of a Basic note type (Front, Back); the cards of one cloze
  heading (``…:c1``, ``…:c2``) become one note of a Cloze note type (Text, Back Extra),
  whose ``{{c1::…}}`` deletions Anki turns into the same cards.
- Markdown becomes HTML; formulas become MathJax, ``\\( … \\)`` inline and ``\\[ … \\]``
  displayed, which Anki and AnkiDroid typeset.
- Each exercise card gives N frozen instances (seeds 0 .. N-1, the same on every
  export) with their worked solutions, as Basic notes.
- A note's GUID comes from its card's key (and an exercise instance's seed): importing a
  new export into Anki updates the notes instead of adding them again. The note types' and
  decks' ids are fixed for the same reason. Tags: the card's tags and its topic.
- One Anki deck per topic, under ``trainer::``.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from trainer.app.exercise_cards import draw, read_spec, with_exercises
from trainer.app.interchange.files import OutputError, check_new_file, write_atomically
from trainer.config.settings import Settings
from trainer.core.model import Model
from trainer.deck import cloze
from trainer.deck.cards import Card, Deck
from trainer.deck.loader import builtin_content_dir, load_deck
from trainer.deck.topics import OTHER_GROUP, load_plan
from trainer.exercises.base import Instance

LanguageChoice = Literal["en", "zh", "both"]
ROOT_DECK = "trainer"
# Fixed forever: Anki recognises a note type by its id (a new id would be a new type).
BASIC_MODEL_ID = 1_607_392_619
CLOZE_MODEL_ID = 1_607_392_620
BASIC_MODEL = "trainer · Basic"
CLOZE_MODEL = "trainer · Cloze"
_ID_SUFFIX = re.compile(r"\s*\{#[^{}]*\}\s*$")
_CLOZE_SUFFIX = re.compile(r":c\d+$")
_LANG_ORDER = ("en", "zh")
_CSS = """\
.card { font-family: -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", sans-serif;
        font-size: 18px; text-align: left; color: black; background: white; }
.nightMode .card, .night_mode .card { color: #eee; background: #222; }
.cloze { font-weight: bold; color: #1a6fd4; }
pre, code { font-size: 15px; }
pre { overflow-x: auto; padding: 6px; background: rgba(127, 127, 127, 0.12); }
table { border-collapse: collapse; }
td, th { border: 1px solid #999; padding: 2px 6px; }
hr.lang { border: none; border-top: 1px dashed #999; margin: 12px 0; }
"""


class AnkiExport(Model):
    """What was written: notes by kind, and the package's path."""

    path: str
    basic: int = 0
    cloze: int = 0  # notes (each holds one Anki card per deletion number)
    exercise: int = 0
    topics: list[str] = []


# -- markdown to Anki HTML -------------------------------------------------------------------
@cache
def _markdown() -> MarkdownIt:
    """The deck's markdown (as ``trainer.deck.parser``) rendered for Anki: formulas as
    MathJax delimiters, cloze deletions as Anki's own ``{{cN::…::hint}}``."""
    md = (MarkdownIt("commonmark").enable("table").use(front_matter_plugin)
          .use(dollarmath_plugin, double_inline=True).use(cloze.cloze_plugin))
    md.add_render_rule("math_inline", lambda self, tokens, idx, options, env:
                       f"\\({escapeHtml(tokens[idx].content)}\\)")
    for display in ("math_inline_double", "math_block", "math_block_label"):
        md.add_render_rule(display, lambda self, tokens, idx, options, env:
                           f"\\[{escapeHtml(tokens[idx].content.strip())}\\]")
    md.add_render_rule(cloze.CLOZE, _render_deletion)
    return md


def _render_deletion(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    number = token.meta.get("number")
    if number is None:  # {{…}}: numbered in reading order, as the deck parser does
        env["cloze"] = number = env.get("cloze", 0) + 1
    inner = _markdown().renderInline(token.content)
    # Anki ends a deletion at the first "}}": LaTeX's "}}" becomes "} }" (the same maths).
    while "}}" in inner:
        inner = inner.replace("}}", "} }")
    hint = token.meta.get("hint")
    tail = f"::{html.escape(hint, quote=False)}" if hint else ""
    return f"{{{{c{number}::{inner}{tail}}}}}"


def to_html(markdown: str, env: dict | None = None) -> str:
    """A card's markdown as the HTML of an Anki field."""
    return _markdown().render(markdown, env if env is not None else {}).strip()


# -- the cards --------------------------------------------------------------------------------
def _languages(card_languages: Iterable[str], choice: LanguageChoice) -> list[str]:
    available = list(card_languages)
    if choice == "both":
        both = [lang for lang in _LANG_ORDER if lang in available]
        return both or available[:1]
    if choice in available:
        return [choice]
    return ["en"] if "en" in available else available[:1]


def _joined(parts: list[str]) -> str:
    return '\n<hr class="lang">\n'.join(part for part in parts if part)


def _tags(card: Card) -> list[str]:
    tags = []
    for tag in [*card.tags, card.topic]:
        tag = re.sub(r"\s+", "_", tag.strip())
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _sections(path: str) -> dict[int, tuple[str, list[str]]]:
    """Each ``## `` card of a deck file by its heading's line (1-based): the heading's
    text (without ``{#id}``) and the lines below it up to the next card."""
    lines = Path(path).read_text(encoding="utf-8").removeprefix("\ufeff").splitlines()
    tokens = _markdown().parse("\n".join(lines))
    heads = [i for i, t in enumerate(tokens)
             if t.type == "heading_open" and t.tag == "h2" and t.level == 0 and t.map]
    found = {}
    for n, i in enumerate(heads):
        start, body = tokens[i].map
        end = tokens[heads[n + 1]].map[0] if n + 1 < len(heads) else len(lines)
        heading = _ID_SUFFIX.sub("", tokens[i + 1].content).strip()
        found[start + 1] = (heading, lines[body:end])
    return found


def _cloze_fields(card: Card, lang: str, files: dict[str, dict]) -> tuple[str, str]:
    """(Text, Back Extra) of a cloze card's note in ``lang``, from its source: the
    heading and the lines above the ``?`` line keep their deletions; the lines below it
    are the extra shown with the answer. ``files``: the sections of the files read so far
    (by this export)."""
    text = card.text(lang)
    if text.path not in files:
        files[text.path] = _sections(text.path)
    heading, body = files[text.path][text.line]
    # The top-level blocks of the body (open tags and self-contained blocks at level 0).
    blocks = [t for t in _markdown().parse("\n".join(body))
              if t.level == 0 and t.map is not None and t.nesting in (0, 1)]
    start, split, extra_from = 0, len(body), len(body)
    for n, token in enumerate(blocks):
        if token.type != "paragraph_open":
            continue
        content = "\n".join(body[token.map[0]:token.map[1]]).strip()
        if n == 0 and content.lower().startswith("tags:"):
            start = token.map[1]
        elif content == "?":
            split, extra_from = token.map
            break
    question = "\n".join([heading, "", *body[start:split]])
    return to_html(question, {}), to_html("\n".join(body[extra_from:]))


def _exercise_instance(card: Card, seed: int) -> Instance:
    """The instance an exercise card poses for ``seed`` (as the study session draws it)."""
    if card.exercise is not None:  # declared in markdown
        return draw(card.exercise, seed)
    from trainer.exercises.families import FAMILIES

    _, family, level = card.key.split(":")
    return FAMILIES[family].generate(int(level), seed)


_ANSWER_LABEL = {"en": "Answer:", "zh": "答案："}


def _exercise_fields(instance: Instance, choice: LanguageChoice) -> tuple[str, str]:
    fronts, backs = [], []
    shown = instance.expected.display()
    for lang in _languages(instance.prompt, choice):
        solution = instance.solution.get(lang, "")
        if shown not in solution:  # most worked solutions end with the answer already
            block = f"\n```\n{shown}\n```" if "\n" in shown else f"`{shown}`"
            solution = f"**{_ANSWER_LABEL.get(lang, 'Answer:')}** {block}\n\n{solution}"
        fronts.append(to_html(instance.prompt[lang]))
        backs.append(to_html(solution))
    return _joined(fronts), _joined(backs)


# -- the package -------------------------------------------------------------------------------
def _stable_id(kind: str, name: str) -> int:
    """A positive 56-bit id from a name: the same deck gets the same id on every export."""
    digest = hashlib.sha256(f"trainer:{kind}:{name}".encode()).digest()
    return int.from_bytes(digest[:7], "big") + 1


def _models():
    import genanki

    basic = genanki.Model(
        BASIC_MODEL_ID, BASIC_MODEL, fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}",
                    "afmt": '{{FrontSide}}\n<hr id="answer">\n{{Back}}'}],
        css=_CSS)
    cloze_model = genanki.Model(
        CLOZE_MODEL_ID, CLOZE_MODEL, fields=[{"name": "Text"}, {"name": "Back Extra"}],
        templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}",
                    "afmt": "{{cloze:Text}}<br>\n{{Back Extra}}"}],
        css=_CSS, model_type=genanki.Model.CLOZE)
    return basic, cloze_model


def load_export_deck(settings: Settings) -> Deck:
    """The cards ``settings`` study (the built-in deck unless turned off, the user's decks,
    the exercise cards unless turned off), read from the deck files."""
    deck = load_deck(builtin_content_dir() if settings.builtin_deck else None,
                     settings.deck_dirs, exercises=read_spec)
    return with_exercises(deck) if settings.exercises else deck


def topic_set(deck: Deck, topic: str | None, group: str | None) -> set[str] | None:
    """The topics to export: one (``--topic``), a group's (``--group``: a group of
    ``content/topics.toml``, or ``mine`` for the topics of your own decks), or None (all).
    Raises ``OutputError`` naming an unknown topic or group."""
    known = {card.topic for card in deck.cards.values()}
    if topic is not None:
        if topic not in known:
            raise OutputError(f"{topic}: no such topic; topics: {', '.join(sorted(known))}")
        return {topic}
    if group is None:
        return None
    plan = load_plan(builtin_content_dir() / "topics.toml")
    slugs = [g.slug for g in plan.groups] + [OTHER_GROUP]
    if group not in slugs:
        raise OutputError(f"{group}: no such group; groups: {', '.join(slugs)}")
    return {t for t in known if plan.group_of(t) == group}


def export_anki(deck: Deck, out: Path, *, topics: set[str] | None = None,
                lang: LanguageChoice = "en", exercises: int = 3,
                now: datetime | None = None) -> AnkiExport:
    """Write the cards of ``deck`` (of ``topics`` only, when given) to ``out`` (.apkg),
    all or nothing."""
    import genanki

    target = check_new_file(out, ".apkg")
    if not 0 <= exercises <= 100:
        raise OutputError(f"--exercises {exercises}: give 0 to 100 instances per card")
    basic, cloze_model = _models()
    decks: dict[str, genanki.Deck] = {}
    result = AnkiExport(path=str(target))
    done_clozes: set[str] = set()
    files: dict[str, dict] = {}
    title_lang = "zh" if lang == "zh" else "en"
    for card in deck.cards.values():
        if topics is not None and card.topic not in topics:
            continue
        anki_deck = decks.get(card.topic)
        if anki_deck is None:
            name = f"{ROOT_DECK}::{card.topic_title(title_lang)}"
            anki_deck = decks[card.topic] = genanki.Deck(_stable_id("deck", card.topic), name)
            result.topics.append(card.topic)
        tags = _tags(card)
        if card.kind == "exercise":
            for seed in range(exercises):
                front, back = _exercise_fields(_exercise_instance(card, seed), lang)
                anki_deck.add_note(genanki.Note(
                    model=basic, fields=[front, back], tags=tags,
                    guid=genanki.guid_for(card.key, seed)))
                result.exercise += 1
        elif card.kind == "cloze":
            base = _CLOZE_SUFFIX.sub("", card.key)
            if base in done_clozes:
                continue
            done_clozes.add(base)
            texts, extras = [], []
            for language in _languages(card.languages, lang):
                text, extra = _cloze_fields(card, language, files)
                texts.append(text)
                extras.append(extra)
            anki_deck.add_note(genanki.Note(
                model=cloze_model, fields=[_joined(texts), _joined(extras)], tags=tags,
                guid=genanki.guid_for(base)))
            result.cloze += 1
        else:
            fronts, backs = [], []
            for language in _languages(card.languages, lang):
                text = card.text(language)
                fronts.append(to_html(text.question))
                backs.append(to_html(text.answer))
            anki_deck.add_note(genanki.Note(
                model=basic, fields=[_joined(fronts), _joined(backs)], tags=tags,
                guid=genanki.guid_for(card.key)))
            result.basic += 1
    if not decks:
        raise OutputError(f"{out}: no cards to export; nothing was written")
    package = genanki.Package(list(decks.values()))
    stamp = (now or datetime.now(UTC)).timestamp()
    write_atomically(target, lambda handle: package.write_to_file(handle, timestamp=stamp))
    return result
