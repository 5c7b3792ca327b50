"""ORM rows. The UI never sees these: the study layer turns them into domain objects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from trainer.store.types import TZDateTime


class Base(DeclarativeBase):
    pass


class CardRow(Base):
    """A card's identity and its FSRS memory state; a card never reviewed has ``due`` NULL."""

    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String, unique=True)
    deck: Mapped[str] = mapped_column(String)
    topic: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String, default="basic")
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[int | None] = mapped_column(Integer)
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime | None] = mapped_column(TZDateTime)
    last_review: Mapped[datetime | None] = mapped_column(TZDateTime)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    leech: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (
        Index("ix_cards_due", "due", sqlite_where=due.is_not(None)),
        Index("ix_cards_new", "ordinal", "topic", sqlite_where=due.is_(None)),
        Index("ix_cards_queue", "state", "due", "suspended", "retired", "topic"),
    )


class ReviewRow(Base):
    """One answer. ``state_before`` (FSRS card JSON, NULL for a new card) makes undo exact."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(Integer)
    reviewed_at: Mapped[datetime] = mapped_column(TZDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    was_new: Mapped[bool] = mapped_column(Boolean, default=False)
    state_before: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String)
    # Exercise attempts (NULL for plain cards): the instance can be rebuilt from its seed.
    seed: Mapped[int | None] = mapped_column(BigInteger)
    params: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    correct: Mapped[bool | None] = mapped_column(Boolean)
    # "scheduled" moved the FSRS state; "drill" is extra practice, logged only.
    kind: Mapped[str] = mapped_column(String, default="scheduled", server_default="scheduled")
    # The card's FSRS state and scheduled interval (days) just before this review, NULL
    # for a new card: what retention (young / mature) is computed from.
    prev_state: Mapped[int | None] = mapped_column(Integer)
    prev_interval: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_reviews_day", "reviewed_at", "kind", "was_new", "rating", "duration_ms",
              "prev_state", "prev_interval"),
        Index("ix_reviews_card", "card_id", "reviewed_at"),
    )


class CardSourceRow(Base):
    """Where a card was last found and what it said: what identity matching compares.

    ``digest`` is the content hash (formatting ignored); ``question`` and ``answer`` are
    the raw texts (every language, joined), kept so a card can be recognised after its
    file changed or disappeared. ``explicit_id`` is the ``{#id}`` the author wrote.
    """

    __tablename__ = "card_sources"

    card_id: Mapped[int] = mapped_column(
        ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(String)
    position: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String)
    explicit_id: Mapped[str | None] = mapped_column(String)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_card_sources_digest", "digest"),)


class DeckFileRow(Base):
    """A deck file as last scanned: its content hash, and its last good parse.

    ``good`` (JSON) is what is served while the file has errors, and what start-up uses
    instead of parsing a file whose ``digest`` has not changed. ``parse_key`` records the
    defaults (deck, language) it was parsed with.
    """

    __tablename__ = "deck_files"

    path: Mapped[str] = mapped_column(String, primary_key=True)
    digest: Mapped[str] = mapped_column(String)
    parse_key: Mapped[str] = mapped_column(String)
    good: Mapped[str | None] = mapped_column(Text)
    problems: Mapped[str] = mapped_column(Text)
