"""The application layer: a study session. The CLI and the TUI go through here only.

Everything returned is a pydantic object; time comes in as an aware ``now``.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache, wraps
from typing import TYPE_CHECKING

from pydantic import Field

from trainer.app.authoring import DeckChanges, DeckLibrary
from trainer.app.exercise_cards import draw, exercise_of, with_exercises
from trainer.app.formatting import format_interval
from trainer.app.interview import InterviewMode, Readiness
from trainer.app.memory import memory_model
from trainer.config.settings import Settings
from trainer.core.model import Model
from trainer.core.time import require_utc
from trainer.deck.cards import Card, Deck
from trainer.deck.loader import builtin_content_dir
from trainer.deck.math_markdown import render_math
from trainer.deck.topics import OTHER_GROUP, OTHER_TITLES, TopicPlan, load_plan
from trainer.exercises.base import AnswerKind, CheckResult, Instance
from trainer.scheduling.leech import is_leech_lapse
from trainer.scheduling.memory import FsrsCard, Grade, from_fsrs, to_fsrs
from trainer.scheduling.queue import pick_interleaved, sibling_note
from trainer.scheduling.study_day import study_day_bounds
from trainer.store.database import Database, StoreError, open_database
from trainer.store.deck_sync import sync_cards
from trainer.store.records import Attempt, CardState, StoredState
from trainer.store.repository import CardChanged, Repository
from trainer.store.stats_queries import ProgressQueries

if TYPE_CHECKING:  # NumPy is imported when an exercise is drawn (the first card needs none)
    import numpy as np

_CANDIDATES = 12  # enough to find one of another topic without reading the whole queue


def _one_at_a_time(method):
    """Deck reloads (from a worker thread) never interleave with moves through the queue."""

    @wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._deck_lock:
            return method(self, *args, **kwargs)

    return wrapper


class ExerciseView(Model):
    """What the UI needs to take an answer: the instance's identity and the answer's form."""

    family: str
    level: int
    seed: int | None
    kind: AnswerKind
    rows: int | None = None
    cols: int | None = None


class PracticeCard(Model):
    """A card ready to show: markdown with formulas already turned into Unicode."""

    key: str
    topic: str
    topic_title: str
    lang: str
    question: str
    answer: str
    is_new: bool
    source: str
    intervals: dict[int, str] = Field(description="grade -> interval label, e.g. {3: '3d'}")
    exercise: ExerciseView | None = None


class TopicOverview(Model):
    topic: str
    title: str
    due: int
    new: int  # never studied
    total: int
    waits_for: list[str] = Field(default_factory=list)  # titles of what it builds on


class GroupOverview(Model):
    """A group of topics (``content/topics.toml``) as the topics screen shows it."""

    slug: str
    title: str
    topics: list[TopicOverview]

    @property
    def due(self) -> int:
        return sum(t.due for t in self.topics)

    @property
    def new(self) -> int:
        return sum(t.new for t in self.topics)

    @property
    def total(self) -> int:
        return sum(t.total for t in self.topics)


class Overview(Model):
    topics: list[TopicOverview]
    groups: list[GroupOverview] = Field(default_factory=list)
    due: int
    new_available: int
    new_left_today: int
    reviewed_today: int
    language: str
    problems: list[str] = Field(default_factory=list)

    @property
    def to_study(self) -> int:
        return self.due + min(self.new_available, self.new_left_today)


class SessionCount(Model):
    """Cards answered in this session, and those still to come today."""

    done: int
    remaining: int

    @property
    def total(self) -> int:
        return self.done + self.remaining


class AnswerOutcome(Model):
    review_id: int
    grade: int
    next_due: datetime
    leech: bool = False  # this answer made the card a leech: it is now suspended


class SessionSummary(Model):
    reviewed: int
    correct: int
    seconds: float
    next_due: datetime | None

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.reviewed if self.reviewed else None


class _Answered(Model):
    review_id: int
    key: str
    grade: int
    duration_ms: int | None
    topic: str
    seed: int | None = None
    leech: bool = False


class StudySession:
    """One person studying: the deck in memory, the store on disk, FSRS in between."""

    def __init__(
        self, settings: Settings, deck: Deck, db: Database, *,
        tz: tzinfo | None = None, enable_fuzzing: bool = True,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.settings = settings
        self.deck = with_exercises(deck) if settings.exercises else deck
        self.library: DeckLibrary | None = None  # set by open(): the deck folders, for reloads
        self._deck_lock = threading.RLock()
        self._renamed: dict[str, str] = {}  # old key -> new key, after a reload
        self._rng = rng  # made on first use: NumPy is not needed to show a concept card
        self._instances: dict[tuple[str, int | None], Instance] = {}
        self.db = db
        self.repo = Repository(db)
        self.tz = tz
        self.language = settings.language
        self.topic: str | tuple[str, ...] | None = None  # a topic, a group's topics, or all
        self.plan = load_plan(builtin_content_dir() / "topics.toml") if settings.builtin_deck \
            else TopicPlan(groups=[], requires={})
        self._intro_day: datetime | None = None  # the study day the counts below are of
        self._introduced: dict[str, int] = {}  # per topic: cards introduced so far
        self._waiting: dict[str, int] = {}  # per topic: new cards not yet introduced
        self.memory = memory_model(settings, enable_fuzzing=enable_fuzzing)
        # A deadline, when settings.interview_date is set.
        self.interview = InterviewMode(settings, memory=self.memory, db=db, repo=self.repo,
                                       tz=tz)
        self._answered: list[_Answered] = []
        self._seen_day: datetime | None = None  # the study day _seen_today is about
        # note -> its deletions reviewed that day (a reviewed one buries its siblings)
        self._seen_today: dict[str, set[str]] = {}
        self._started: datetime | None = None
        self._sync_cards()

    def _sync_cards(self) -> None:
        """The cards table as the decks say (streamed: 100,000 cards are never copied)."""
        sync_cards(self.db, lambda: ((c.key, c.deck, c.topic, c.kind, c.ordinal)
                                     for c in self.deck.cards.values()))

    @classmethod
    def open(cls, settings: Settings, **kwargs) -> StudySession:
        """Load the decks named by ``settings`` and open (or create) its database.

        The deck folders are synced with the store first (trainer/app/authoring.py): unchanged
        files come from the store's cache, and edited, moved or renamed cards keep their
        history.
        """
        db = open_database(settings.db_path)
        try:
            library = DeckLibrary(settings, db)
            session = cls(settings, library.load(), db, **kwargs)
            session.library = library
            return session
        except BaseException:  # e.g. the deck sync failed on a full disk: let the file go
            db.close()
            raise

    def close(self) -> None:
        self.db.close()

    def checkpoint(self) -> None:
        """Move the answers so far from the WAL into the database file (a moment when
        nobody waits: between cards)."""
        self.db.checkpoint()

    # -- what there is to do ---------------------------------------------------------------
    def day_bounds(self, now: datetime) -> tuple[datetime, datetime]:
        return study_day_bounds(now, self.settings.rollover_hour, self.tz)

    def overview(self, now: datetime) -> Overview:
        now = require_utc(now)
        start, end = self.day_bounds(now)
        counts = {c.topic: c for c in self.repo.topic_counts(now, end)}
        titles = self._topic_titles()
        introduced, waiting = self.repo.introduced_by_topic()
        locked = self.plan.locked(introduced, waiting)
        topics = [
            TopicOverview(topic=t, title=titles.get(t, t), due=c.due, new=c.new, total=c.total,
                          waits_for=[titles.get(n, n) for n in self.plan.requires.get(t, [])
                                     if t in locked])
            for t, c in sorted(counts.items(), key=lambda kv: (self.plan.rank(kv[0]),
                               list(titles).index(kv[0]) if kv[0] in titles else len(titles)))
        ]
        by_group: dict[str, list[TopicOverview]] = {}
        for topic in topics:
            by_group.setdefault(self.plan.group_of(topic.topic), []).append(topic)
        groups = [GroupOverview(slug=g.slug, title=g.title(self.language),
                                topics=by_group[g.slug])
                  for g in self.plan.groups if g.slug in by_group]
        if OTHER_GROUP in by_group:
            groups.append(GroupOverview(slug=OTHER_GROUP, title=OTHER_TITLES.get(
                self.language, OTHER_TITLES["en"]), topics=by_group[OTHER_GROUP]))
        return Overview(
            topics=topics,
            groups=groups,
            due=sum(t.due for t in topics),
            new_available=sum(t.new for t in topics),
            new_left_today=self._new_left(start),
            reviewed_today=self.repo.reviews_since(start),
            language=self.language,
            problems=[p.format() for p in self.deck.problems],
        )

    def _topic_titles(self) -> dict[str, str]:
        titles: dict[str, str] = {}
        for card in self.deck.cards.values():
            titles.setdefault(card.topic, card.topic_title(self.language))
        return titles

    def _new_left(self, day_start: datetime) -> int:
        quota = self.interview.new_per_day(day_start)  # new_per_day, or the interview's pace
        return max(0, quota - self.repo.new_introduced_since(day_start))

    def progress(self, now: datetime) -> SessionCount:
        """Done and left in this session: two bounded, indexed counts (it runs per answer)."""
        now = require_utc(now)
        start, end = self.day_bounds(now)
        # Learning cards within the learn-ahead window are served before the session ends
        # (next_card): counted too, or the counter read 21/21 with a card still to come.
        ahead = now + timedelta(minutes=self.settings.learn_ahead_minutes)
        due = self.repo.due_count(ahead, end, self.topic)
        new = self.repo.new_count(self._new_left(start), self.topic, self._locked(start))
        return SessionCount(done=len(self._answered), remaining=due + new)

    # -- the deck folders ------------------------------------------------------------------
    @_one_at_a_time
    def reload_decks(self, only_if_changed: bool = False) -> DeckChanges:
        """Read the deck folders again (only edited files are parsed) and serve the new
        texts at once; the session (answers, undo) goes on. ``only_if_changed``: return at
        once when no file's modification time or size moved (a cheap poll)."""
        if self.library is None or (only_if_changed and not self.library.changed_on_disk()):
            return DeckChanges()
        changes = self.library.rescan()
        if changes.any:
            deck = self.library.deck
            self.deck = with_exercises(deck) if self.settings.exercises else deck
            self._instances = {}
            for old, new in changes.renamed.items():
                self._renamed = {k: (new if v == old else v) for k, v in self._renamed.items()}
                self._renamed[old] = new
            self._sync_cards()
        return changes

    def current_key(self, key: str) -> str:
        """``key`` after the reloads of this session (a renamed file moves its cards)."""
        return self._renamed.get(key, key)

    @_one_at_a_time
    def refreshed(self, card: PracticeCard, now: datetime) -> PracticeCard | None:
        """The card on screen as the decks now say (same exercise instance); None when it
        is no longer in any deck."""
        key = self.current_key(card.key)
        if key not in self.deck.cards or self.repo.card(key) is None:
            return None
        seed = card.exercise.seed if card.exercise is not None else None
        return self.card_for(key, now, seed=seed)

    # -- the queue -------------------------------------------------------------------------
    @_one_at_a_time
    def next_card(self, now: datetime) -> PracticeCard | None:
        """The next card to show, or None when the session is done for now."""
        now = require_utc(now)
        if self._started is None:
            self._started = now
        self.interview.replan(now)  # once a day: reviews that would come after the interview
        state = self._next_state(now)
        if state is None:
            return None
        return self._practice_card(state, now)

    def _next_state(self, now: datetime) -> CardState | None:
        start, end = self.day_bounds(now)
        last = self._answered[-1].topic if self._answered else None
        topic = self.topic

        def first(cards: list[CardState], bury: bool = False) -> CardState | None:
            known = [c for c in cards if c.key in self.deck.cards
                     and not (bury and self._buried(c.key, start))]
            return pick_interleaved(known, last, lambda c: c.topic)

        def unburied(fetch) -> CardState | None:
            """The first of ``fetch(limit)`` that is not a buried sibling; a wider look when
            the first candidates all were (a note with many deletions)."""
            for limit in (_CANDIDATES, _CANDIDATES * 40):
                cards = fetch(limit)
                picked = first(cards, bury=True)
                if picked is not None or len(cards) < limit:
                    return picked
            return None

        picked = first(self.repo.learning_due(now, _CANDIDATES, topic))
        # Interview mode keeps room under the cap for the day's planned new cards
        # (review_limit); the reviews past it come when no new card is left to wait for.
        if picked is None and self.repo.reviews_since(start) < self.interview.review_limit(start):
            picked = unburied(lambda n: self.repo.reviews_due(end, n, topic))
        if picked is None and self._new_left(start) > 0:
            locked = self._locked(start)
            picked = unburied(lambda n: self.repo.new_cards(n, topic, locked))
        if picked is None and self.repo.reviews_since(start) < self.interview.review_cap(start):
            picked = unburied(lambda n: self.repo.reviews_due(end, n, topic))
        if picked is None:
            ahead = now + timedelta(minutes=self.settings.learn_ahead_minutes)
            picked = first(self.repo.learning_due(ahead, _CANDIDATES, topic))
        return picked

    def _buried(self, key: str, day_start: datetime) -> bool:
        """Whether ``key`` is a cloze whose sibling (another deletion of the same note) was
        reviewed this study day: it waits for tomorrow, as Anki buries siblings, so one
        deletion does not show the next one's hidden text."""
        card = self.deck.cards.get(key)
        note = sibling_note(key) if card is not None and card.kind == "cloze" else None
        if note is None:
            return False
        if self._seen_day != day_start:  # a new study day: what was reviewed so far today
            self._seen_day = day_start
            self._seen_today = {}
            for seen in self.repo.keys_reviewed_since(day_start):
                self._see(seen)
        return bool(self._seen_today.get(note, set()) - {key})

    def _see(self, key: str) -> None:
        if (note := sibling_note(key)) is not None:
            self._seen_today.setdefault(note, set()).add(key)

    def _practice_card(
        self, state: CardState, now: datetime, seed: int | None = None
    ) -> PracticeCard:
        card = self.deck.cards[state.key]
        preview = self.memory.preview(to_fsrs(state, now), now)
        preview = self.interview.preview(to_fsrs(state, now), now, preview)  # the interview
        common = dict(
            key=card.key, topic=card.topic, topic_title=card.topic_title(self.language),
            is_new=state.is_new, intervals={int(g): format_interval(d) for g, d in preview.items()},
        )
        if card.kind != "exercise":
            question, answer, source = _rendered(card, self.language)
            return PracticeCard(**common, lang=card.shown_language(self.language),
                                question=question, answer=answer, source=source)
        if seed is None:
            seed = int(self.rng.integers(0, 2**31 - 1))
        instance = self.exercise_instance(card.key, seed)
        lang = self.language if self.language in instance.prompt else "en"
        expected = instance.expected
        answer = instance.solution[lang]
        shown = expected.display()
        if shown not in answer:  # said once: most worked solutions end with it already
            shown = f"\n```\n{shown}\n```" if "\n" in shown else f"`{shown}`"
            answer = f"{answer}\n\n**{_ANSWER_LABEL[lang]}** {shown}"
        return PracticeCard(
            **common, lang=lang, question=_rendered_text(instance.prompt[lang]),
            answer=_rendered_text(answer), source=f"exercise {instance.family} seed {seed}",
            exercise=ExerciseView(family=instance.family, level=instance.level, seed=seed,
                                  kind=expected.kind, rows=expected.rows, cols=expected.cols),
        )

    @_one_at_a_time
    def card_for(self, key: str, now: datetime, seed: int | None = None) -> PracticeCard:
        """``key`` ready to show outside the queue (an exercise posed with ``seed``, a fresh
        instance when None); KeyError when the card is in no deck or not in the database."""
        state = self.repo.card(key)
        if state is None or key not in self.deck.cards:
            raise KeyError(f"no card {key!r}")
        return self._practice_card(state, require_utc(now), seed=seed)

    # -- exercises -------------------------------------------------------------------------
    @property
    def rng(self) -> np.random.Generator:
        """Where a new exercise instance's seed is drawn from."""
        if self._rng is None:
            import numpy as np

            self._rng = np.random.default_rng()
        return self._rng

    def exercise_instance(self, key: str, seed: int) -> Instance:
        """The instance an exercise card poses for ``seed`` (the same seed, the same one)."""
        cached = self._instances.get((key, seed))
        if cached is None:
            card = self.deck.cards.get(key)
            if card is not None and card.exercise is not None:  # declared in markdown
                cached = draw(card.exercise, seed)
            else:
                from trainer.exercises.families import FAMILIES

                family, level = exercise_of(key)
                cached = FAMILIES[family].generate(level, seed)
            self._instances = {(key, seed): cached}  # only the card on screen is needed
        return cached

    def check_exercise(self, card: PracticeCard, typed: str) -> CheckResult:
        """Judge a typed answer (pure computation: no database, safe on the UI thread)."""
        if card.exercise is None or card.exercise.seed is None:
            raise ValueError(f"{card.key} is not an exercise")
        from trainer.exercises.families import FAMILIES

        instance = self.exercise_instance(card.key, card.exercise.seed)
        return FAMILIES[instance.family].check(instance, typed)

    # -- answering -------------------------------------------------------------------------
    @_one_at_a_time
    def answer(
        self, key: str, grade: Grade | int, now: datetime, duration_ms: int | None = None,
        attempt: Attempt | None = None, *, _changed: int = 0,
    ) -> AnswerOutcome:
        """Grade a card; the review and the new state are committed before this returns.

        For an exercise, ``attempt`` records the instance (seed, parameters) and the typed
        answer; a wrong answer is always graded Again. If another window answered the same
        card in the meantime, this answer is scheduled on top of that one (never over it).
        Raises ``StoreError`` when the answer could not be saved (nothing was changed).
        """
        now = require_utc(now)
        key = self.current_key(key)
        grade = Grade(int(grade))
        if attempt is not None and not attempt.correct:
            grade = Grade.AGAIN
        before = self.repo.card(key)
        if before is None:
            raise KeyError(f"no card {key!r} in the database")
        updated = self.memory.review(to_fsrs(before, now), grade, now)
        updated.due = self.interview.due_after_answer(updated, now)  # earlier, for the interview
        after = reviewed_state(before, updated)
        # A lapse (Again on a Review card) can make it a leech (trainer/scheduling/leech.py):
        # marked and suspended in the same transaction as the review.
        leech = (grade == Grade.AGAIN and before.state == StoredState.REVIEW and is_leech_lapse(
            ProgressQueries(self.db).lapses(before.id) + 1, self.settings.leech_threshold))
        try:
            review_id = self.repo.record_review(
                before, after, rating=int(grade), reviewed_at=now, duration_ms=duration_ms,
                lang=self.language, attempt=attempt, leech=leech,
            )
        except CardChanged:  # read again and schedule from the other window's answer
            if _changed >= 5:
                raise StoreError(f"{self.db.path}: {key} keeps changing in another window; "
                                 "not saved, try again") from None
            return self.answer(key, grade, now, duration_ms, attempt, _changed=_changed + 1)
        self._answered.append(_Answered(
            review_id=review_id, key=key, grade=int(grade), duration_ms=duration_ms,
            topic=before.topic, seed=attempt.seed if attempt else None, leech=leech))
        if self._seen_day is not None and now >= self._seen_day:
            self._see(key)
        if before.is_new and self._intro_day is not None:  # one more introduced: may unlock
            self._introduced[before.topic] = self._introduced.get(before.topic, 0) + 1
            self._waiting[before.topic] = self._waiting.get(before.topic, 1) - 1
        return AnswerOutcome(review_id=review_id, grade=int(grade), next_due=updated.due,
                             leech=leech)

    def attempt(self, card: PracticeCard, typed: str, result: CheckResult) -> Attempt | None:
        """The record of an exercise answer, or None for a plain card or unreadable input."""
        if card.exercise is None or result.correct is None:
            return None
        instance = self.exercise_instance(card.key, card.exercise.seed)
        return Attempt(seed=card.exercise.seed, params=instance.params, answer=typed,
                       correct=result.correct)

    def can_undo(self) -> bool:
        return bool(self._answered)

    @_one_at_a_time
    def undo(self, now: datetime) -> PracticeCard | None:
        """Take back the last answer of this session (database included) and show it again."""
        if not self._answered:
            return None
        last = self._answered[-1]
        state = self.repo.undo_review(last.review_id)  # StoreError: still undoable later
        self._answered.pop()
        if state is not None and last.leech:  # the undone answer had made it a leech
            ProgressQueries(self.db).mark_leech(state.key, False)
        if state is None or state.key not in self.deck.cards:
            return None
        return self._practice_card(state, require_utc(now), seed=last.seed)

    def summary(self, now: datetime) -> SessionSummary:
        now = require_utc(now)
        correct = sum(1 for a in self._answered if a.grade != Grade.AGAIN)
        seconds = (now - self._started).total_seconds() if self._started else 0.0
        return SessionSummary(reviewed=len(self._answered), correct=correct, seconds=seconds,
                              next_due=self.repo.next_due_after(now))

    # -- settings for this session ---------------------------------------------------------
    def set_language(self, language: str) -> None:
        self.language = language

    def apply_settings(self, settings: Settings) -> None:
        """Take new settings at once: language, limits, rollover, interview date. The memory
        model (desired retention, FSRS parameters, steps) keeps its values until next start."""
        self.settings = settings
        self.interview.settings = settings
        self.language = settings.language

    def readiness(self, now: datetime) -> Readiness | None:
        """The interview countdown and expected recall on the day; None without a date."""
        return self.interview.readiness(require_utc(now))

    def set_topic(self, topic: str | None) -> None:
        """Study one topic, one group of topics (its slug, e.g. ``transformers``), or all."""
        topics = {c.topic for c in self.deck.cards.values()}
        group = self.plan.group(topic) if topic is not None else None
        if group is not None and topic not in topics:
            self.topic = tuple(group.topics)
        elif topic == OTHER_GROUP and topic not in topics:  # the user's own topics
            self.topic = tuple(sorted(t for t in topics if self.plan.group_of(t) == OTHER_GROUP))
        else:
            self.topic = topic

    def _locked(self, day_start: datetime) -> tuple[str, ...]:
        """Topics whose new cards wait for the topics they build on (``deck/topics.py``);
        none when one topic was chosen."""
        if isinstance(self.topic, str) or not self.plan.requires:
            return ()
        if self._intro_day != day_start:
            self._intro_day = day_start
            self._introduced, self._waiting = self.repo.introduced_by_topic()
        return tuple(sorted(self.plan.locked(self._introduced, self._waiting, self.topic)))

    def cards(self) -> list[Card]:
        return list(self.deck.cards.values())


_ANSWER_LABEL = {"en": "Answer:", "zh": "答案："}


def render_markdown(markdown: str) -> str:
    """Card markdown with its formulas as Unicode (for plain-text output)."""
    return _rendered_text(markdown)


@lru_cache(maxsize=512)
def _rendered_text(markdown: str) -> str:
    return render_math(markdown)


def _rendered(card: Card, language: str) -> tuple[str, str, str]:
    text = card.text(language)
    return (_rendered_text(text.question), _rendered_text(text.answer),
            f"{text.path}:{text.line}")


def reviewed_state(before: CardState, card: FsrsCard) -> CardState:
    """``before`` with the scheduling state of ``card``, the ``fsrs.Card`` FSRS gave back."""
    return CardState(id=before.id, key=before.key, topic=before.topic, **from_fsrs(card))
