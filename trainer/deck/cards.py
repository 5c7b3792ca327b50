"""Domain objects of a deck: what the parser produces and the study layer consumes."""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import Field

from trainer.core.model import Model
from trainer.deck.exercise_spec import ExerciseSpec

Severity = Literal["error", "warning"]
CardKind = Literal["basic", "cloze", "exercise"]


class Problem(Model):
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


class CardText(Model):
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


class ParsedCard(Model):
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


class ParsedFile(Model):
    path: str
    deck: str
    lang: str
    cards: list[ParsedCard] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


class _Meta:
    """What a card shares with the other cards of its file: one object per file and kind,
    not per card. An own object for a card built by hand (``Card(...)``)."""

    __slots__ = ("deck", "id", "topic", "titles", "tags", "kind", "explicit_id", "exercise")

    def __init__(self, deck: str, id: str | None, topic: str, titles: tuple, tags: tuple,
                 kind: str, explicit_id: bool, exercise: ExerciseSpec | None) -> None:
        self.deck, self.id, self.topic, self.titles = deck, id, topic, titles
        self.tags, self.kind, self.explicit_id, self.exercise = tags, kind, explicit_id, exercise

    def replace(self, **changes) -> _Meta:
        values = {name: getattr(self, name) for name in self.__slots__}
        return _Meta(**{**values, **changes})


class TextSource(Protocol):
    """Where a stored card's texts are read from when asked for (``trainer/deck/packed.py``)."""

    path: str
    lang: str

    def text(self, index: int) -> CardText: ...

    def digest(self, index: int) -> str: ...


class Card:
    """A card with every language it is written in; ``key`` is its identity in the store.

    A plain object with ``__slots__`` (100,000 cards are held at once): ``Card(...)`` holds
    its texts itself; a card served from deck files (``packed.merge``) holds only where its
    texts are and reads them when asked (``text(lang)``, ``texts``). ``topic_titles`` and
    ``tags`` return copies: set them to change them.
    """

    __slots__ = ("key", "ordinal", "_meta", "_texts")

    def __init__(self, *, key: str, deck: str, id: str, topic: str,
                 topic_titles: dict[str, str], tags: list[str], ordinal: int,
                 texts: dict[str, CardText], kind: CardKind = "basic",
                 explicit_id: bool = False, exercise: ExerciseSpec | None = None) -> None:
        self.key = key
        self.ordinal = ordinal
        self._meta = _Meta(deck, id, topic, tuple(topic_titles.items()), tuple(tags), kind,
                           explicit_id, exercise)
        self._texts: dict[str, CardText] | TextSource | tuple = dict(texts)

    @classmethod
    def stored(cls, key: str, ordinal: int, meta: _Meta,
               texts: TextSource | tuple[tuple[TextSource, int], ...]) -> Card:
        """A card whose texts stay where they are: ``texts`` is the source it was read from
        (its index there is ``ordinal``), or (source, index) pairs, one per language."""
        card = cls.__new__(cls)
        card.key, card.ordinal, card._meta, card._texts = key, ordinal, meta, texts
        return card

    # -- what every card says ----------------------------------------------------------
    @property
    def deck(self) -> str:
        return self._meta.deck

    @property
    def id(self) -> str:
        meta = self._meta
        return meta.id if meta.id is not None else self.key[len(meta.deck) + 1 :]

    @property
    def topic(self) -> str:
        return self._meta.topic

    @property
    def kind(self) -> CardKind:
        return self._meta.kind

    @property
    def explicit_id(self) -> bool:
        return self._meta.explicit_id

    @property
    def exercise(self) -> ExerciseSpec | None:
        return self._meta.exercise

    @property
    def topic_titles(self) -> dict[str, str]:
        return dict(self._meta.titles)

    @topic_titles.setter
    def topic_titles(self, value: dict[str, str]) -> None:
        self._meta = self._meta.replace(titles=tuple(value.items()))

    @property
    def tags(self) -> list[str]:
        return list(self._meta.tags)

    @tags.setter
    def tags(self, value: list[str]) -> None:
        self._meta = self._meta.replace(tags=tuple(value))

    # -- texts -------------------------------------------------------------------------
    def _sources(self) -> tuple[tuple[TextSource, int], ...]:
        texts = self._texts
        return texts if isinstance(texts, tuple) else ((texts, self.ordinal),)

    @property
    def languages(self) -> list[str]:
        """The languages the card is written in (its texts are not read)."""
        if isinstance(self._texts, dict):
            return list(self._texts)
        return [source.lang for source, _ in self._sources()]

    @property
    def texts(self) -> dict[str, CardText]:
        """Every language's text (read from the deck's store for a served card)."""
        if isinstance(self._texts, dict):
            return self._texts
        return {source.lang: source.text(index) for source, index in self._sources()}

    def shown_language(self, lang: str) -> str:
        """``lang`` if the card is written in it, else English, else its first language."""
        languages = self.languages
        if lang in languages:
            return lang
        return "en" if "en" in languages else languages[0]

    def text(self, lang: str) -> CardText:
        lang = self.shown_language(lang)
        if isinstance(self._texts, dict):
            return self._texts[lang]
        for source, index in self._sources():
            if source.lang == lang:
                return source.text(index)
        raise KeyError(lang)

    def source(self, lang: str) -> tuple[str, str]:
        """(path, digest) of the text in ``lang`` (or the language shown instead), without
        reading the text itself: what identity matching compares at every start."""
        lang = self.shown_language(lang)
        if isinstance(self._texts, dict):
            text = self._texts[lang]
            return text.path, text.digest
        for source, index in self._sources():
            if source.lang == lang:
                return source.path, source.digest(index)
        raise KeyError(lang)

    def topic_title(self, lang: str) -> str:
        titles = self._meta.titles
        for title_lang, title in titles:
            if title_lang == lang and title:
                return title
        return titles[0][1] if titles else self.topic

    def __repr__(self) -> str:
        return f"Card(key={self.key!r}, topic={self.topic!r}, kind={self.kind!r})"


class Deck:
    """Every card that was loaded (by key, in deck order), and every problem met."""

    __slots__ = ("cards", "problems")

    def __init__(self, cards: dict[str, Card] | None = None,
                 problems: list[Problem] | None = None) -> None:
        self.cards: dict[str, Card] = cards if cards is not None else {}
        self.problems: list[Problem] = list(problems) if problems else []

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]
