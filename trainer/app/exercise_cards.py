"""Exercise cards against the exercise families: checking a block, drawing its instances.

The deck reads an ``exercise`` block for its shape (``trainer/deck/exercise_spec.py``, which
has the format); this is what needs the families. ``read_spec`` is the reader the app gives
the deck parser: the block's shape, then its family (with the closest name when unknown),
level and parameter names, and whether its ranges give a valid instance at all, each
problem at its line. ``draw`` poses the instance for a seed: the parameters the block fixes
or draws, the rest drawn as the family does at that level; the seed reproduces it.
"""

from __future__ import annotations

import difflib
from functools import cache
from typing import TYPE_CHECKING

from trainer.deck.cards import Card, CardText, Deck
from trainer.deck.exercise_spec import ExerciseSpec, ProblemSink, add_param, read_block
from trainer.exercises.catalog import BY_NAME as FAMILY_NAMES
from trainer.exercises.catalog import CATALOG, LEVELS

if TYPE_CHECKING:
    from trainer.exercises.base import Instance

# NumPy and the families (which import it) are imported when an instance is drawn.

_TRIES = 50  # draws per instance before the parameters are declared impossible
_CHECK_SEEDS = range(5)


def draw(spec: ExerciseSpec, seed: int) -> Instance:
    """The instance of ``spec`` for ``seed`` (the same seed, the same instance).

    Raises ValueError when no valid instance is found (``trainer check`` reports such
    blocks, so a checked deck never does).
    """
    import numpy as np

    from trainer.exercises.families import FAMILIES

    family = FAMILIES[spec.family]
    rng = np.random.default_rng(seed)
    problem: Exception | None = None
    for _ in range(_TRIES):
        params = dict(family.sample_params(spec.level, rng))
        params.update(spec.fixed)
        for name, (low, high) in spec.ranges.items():
            params[name] = int(rng.integers(low, high + 1))
        for name, options in spec.choices.items():
            params[name] = options[int(rng.integers(len(options)))]
        try:
            return family.pose(params, spec.level, seed)
        except (ValueError, TypeError, KeyError, IndexError, ArithmeticError) as exc:
            problem = exc
    raise ValueError(f"no valid {spec.family} instance with these parameters: {problem}")


@cache
def family_parameters(name: str) -> tuple[str, ...]:
    """The parameter names a family uses (read from its own draws at every level)."""
    import numpy as np

    from trainer.exercises.families import FAMILIES

    family = FAMILIES[name]
    names: set[str] = set()
    for level in LEVELS:
        for seed in range(5):
            names.update(family.sample_params(level, np.random.default_rng(seed)))
    return tuple(sorted(names))


def read_spec(content: str, first_line: int, problem: ProblemSink) -> ExerciseSpec | None:
    """Read and check a block (its first line is ``first_line`` of the file, 1-based).

    ``problem(line, message, hint)`` is called for each error; None when there is one.
    """
    block = read_block(content, first_line, problem)
    if block is None:
        return None
    family = block.family
    if not isinstance(family, str) or family not in FAMILY_NAMES:
        close = difflib.get_close_matches(str(family), list(FAMILY_NAMES), n=1)
        problem(block.line("family"),
                "exercise block needs a family" if family is None
                else f"unknown exercise family {family!r}",
                f"did you mean {close[0]}?" if close
                else "'trainer exercise --list' shows the families")
        return None
    level = block.level
    if isinstance(level, bool) or level not in LEVELS:
        problem(block.line("level"), f"level must be 1, 2 or 3, not {level!r}",
                "1 is the easiest")
        return None
    params = block.params(problem)
    if params is None:
        return None
    spec = ExerciseSpec(family=family, level=level)
    known = family_parameters(family)
    failed = block.failed
    for param in params:
        if param.name not in known:
            problem(param.line, f"unknown parameter {param.name!r} for {family}",
                    f"its parameters: {', '.join(known)}")
            failed = True
        elif not add_param(spec, param, problem):
            failed = True
    if failed:
        return None
    errors = []
    for seed in _CHECK_SEEDS:
        try:
            draw(spec, seed)
            break
        except ValueError as exc:
            errors.append(str(exc))
        except Exception as exc:  # a family meeting values it was never written for
            errors.append(f"{type(exc).__name__}: {exc}")
    else:
        problem(block.line("params") if params else first_line, errors[-1],
                "widen the ranges or drop a fixed value")
        return None
    return spec


EXERCISE_DECK = "exercise"  # the deck name, and the first part of every exercise card's key


def with_exercises(deck: Deck) -> Deck:
    """The deck plus one card per exercise family and level (``exercise:FAMILY:LEVEL``).

    They sort among the concept cards of their topic: level 1 after the topic's 4th card,
    level 2 after its 8th, level 3 after its 12th.
    """
    cards = dict(deck.cards)
    for family in CATALOG:
        for level in LEVELS:
            key = f"{EXERCISE_DECK}:{family.name}:{level}"
            texts = {lang: CardText(question=f"{title} · L{level}", answer="",
                                    path=f"exercise:{family.name}", line=1)
                     for lang, title in family.title.items()}
            cards[key] = Card(
                key=key, deck=EXERCISE_DECK, id=f"{family.name}:{level}", topic=family.topic,
                topic_titles={}, tags=["exercise"], kind="exercise", ordinal=4 * level,
                texts=texts,
            )
    titles = {c.topic: c.topic_titles for c in deck.cards.values()}
    for card in cards.values():
        if not card.topic_titles:
            card.topic_titles = titles.get(card.topic) or {"en": card.topic}
    return Deck(cards=cards, problems=deck.problems)


def exercise_of(key: str) -> tuple[str, int]:
    """(family, level) of an exercise card's key ``exercise:FAMILY:LEVEL``."""
    _, family, level = key.split(":")
    return family, int(level)
