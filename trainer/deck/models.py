"""Domain objects of a deck: what the parser produces and the study layer consumes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from trainer.deck.exercise_cards import ExerciseSpec

Severity = Literal["error", "warning"]
CardKind = Literal["basic", "cloze", "exercise"]


class Problem(BaseModel):
    """One thing wrong with a deck file, located as ``path:line:col``."""

    path: str
    line: int = Field(ge=1)
    col: int = Field(1, ge=1)
    severity: Severity = "error"
    message: str
    hint: str = ""

    def format(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


class CardText(BaseModel):
    """A card's text in one language, with where it was written.

    ``digest`` is the content hash the identity rule compares (formatting ignored);
    ``deleted`` is, for a cloze card, the text its blanks hide.
    """

    question: str
    answer: str
    path: str
    line: int
    digest: str = ""
    deleted: str | None = None


class ParsedCard(BaseModel):
    """One card as read from one file (one language)."""

    id: str
    explicit_id: bool
    topic: str
    topic_title: str
    tags: list[str]
    lang: str
    text: CardText
    kind: CardKind = "basic"
    exercise: ExerciseSpec | None = None


class ParsedFile(BaseModel):
    path: str
    deck: str
    lang: str
    cards: list[ParsedCard] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


class Card(BaseModel):
    """A card with every language it is written in; ``key`` is its identity in the store."""

    key: str
    deck: str
    id: str
    topic: str
    topic_titles: dict[str, str]
    tags: list[str]
    kind: CardKind = "basic"
    ordinal: int
    texts: dict[str, CardText]
    explicit_id: bool = False
    exercise: ExerciseSpec | None = None  # an exercise declared in markdown

    def shown_language(self, lang: str) -> str:
        """``lang`` if the card is written in it, else English, else its first language."""
        if lang in self.texts:
            return lang
        return "en" if "en" in self.texts else next(iter(self.texts))

    def text(self, lang: str) -> CardText:
        return self.texts[self.shown_language(lang)]

    def topic_title(self, lang: str) -> str:
        return self.topic_titles.get(lang) or next(iter(self.topic_titles.values()), self.topic)


class Deck(BaseModel):
    """Every card that was loaded, and every problem met on the way."""

    cards: dict[str, Card] = Field(default_factory=dict)
    problems: list[Problem] = Field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]
