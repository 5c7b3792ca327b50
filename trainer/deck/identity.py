"""Which stored card is which written card, after the author edited the files.

Nothing is ever written into the author's markdown, so a card's identity has to be
recovered from what is there. The rule (documented in ``docs/authoring.md``):

1. **Key.** A card whose key (``deck:id``) is already in the store is that card. With an
   explicit ``{#id}`` the key survives any edit of the text; a derived id survives any
   edit that leaves the question's words alone (moving the card, editing its answer).
2. **Explicit id across decks.** A card whose explicit id was used, until now, by a card
   that is no longer found (the file was renamed, so the deck name changed) is that card.
   **The same note.** A plain card turned into a cloze (``deck:id`` -> ``deck:id:c1``,
   ``:c2``...) keeps its history on its first deletion; a cloze turned back, the same.
3. **Content.** A card whose normalized text (case, spacing and markdown formatting
   ignored) equals that of a card no longer found is that card: it moved to another file,
   its file was renamed, its heading was reformatted, or it was deleted and restored.
4. **Similarity.** The cards still unmatched on both sides are paired by text similarity
   (character trigrams of the question and of the answer), one to one, best pairs first,
   preferring the same file and a nearby position, and only above ``THRESHOLD``; an
   unchanged answer (not a short one) counts as enough. A typo fix or a reworded question
   keeps the history; a different card never takes it.

Everything here is pure: the application layer feeds in what the store knows and what the
files say, and applies the returned pairs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

_CLOZE_KEY = re.compile(r"^(?P<note>[^:]+:.+):c(?P<n>[0-9]+)$")  # deck:id:cN, not deck:c3
THRESHOLD = 0.7  # similarity (0..1) below which two cards are never the same card
QUESTION_WEIGHT = 0.4  # the answer weighs more: it is longer and carries the card's facts
SAME_ANSWER_CHARS = 24  # an unchanged answer at least this long: a reworded question
SAME_FILE_BONUS = 0.05  # ranking only: never lifts a pair over the threshold
NEARBY_BONUS = 0.05
PAIR_BUDGET = 250_000  # beyond this many pairs, only cards of the same file are compared

_LIST_MARKER = re.compile(r"^\s*(?:[-+*]|\d{1,9}[.)])\s+", re.M)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$", re.M)
_FORMATTING = str.maketrans("", "", "*_`#>|~")


def normalize(text: str) -> str:
    """Text with case, spacing, line wrapping and markdown formatting ignored."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _TABLE_RULE.sub(" ", _LIST_MARKER.sub(" ", text))
    return " ".join(text.translate(_FORMATTING).split())


def digest(question: str, answer: str) -> str:
    """The content hash of a card: equal for texts that differ only in formatting."""
    data = f"{normalize(question)}\x00{normalize(answer)}".encode()
    return hashlib.blake2b(data, digest_size=10).hexdigest()


def combined_digest(parts: Iterable[tuple[str, str]]) -> str:
    """One hash for a card written in several languages: ``(lang, digest)`` pairs."""
    parts = sorted(parts)
    if len(parts) == 1:
        return parts[0][1]
    joined = "|".join(f"{lang}:{value}" for lang, value in parts)
    return hashlib.blake2b(joined.encode(), digest_size=10).hexdigest()


def trigrams(text: str) -> Counter[str]:
    padded = f" {text} "
    return Counter(padded[i : i + 3] for i in range(len(padded) - 2))


def dice(a: Counter[str], b: Counter[str]) -> float:
    """Sørensen–Dice coefficient of two trigram multisets (1.0: same text)."""
    total = sum(a.values()) + sum(b.values())
    if total == 0:
        return 1.0
    common = sum((a & b).values())
    return 2 * common / total


@dataclass
class Candidate:
    """One side of a possible pair: a stored card, or a card found in the files.

    ``ref`` is the caller's handle (a row id, a card key). ``explicit_id`` is the id the
    author wrote (None for a derived id). ``question`` and ``answer`` are raw texts; or
    ``load`` returns them, called only if the texts are compared (rule 4).
    """

    ref: object
    key: str
    path: str | None
    position: int | None
    digest: str | None
    question: str = ""
    answer: str = ""
    explicit_id: str | None = None
    load: Callable[[], tuple[str, str]] | None = field(default=None, repr=False)
    _grams: tuple[Counter[str], Counter[str]] | None = field(default=None, repr=False)

    def grams(self) -> tuple[Counter[str], Counter[str]]:
        if self._grams is None:
            if self.load is not None:
                self.question, self.answer = self.load()
                self.load = None
            self._grams = (trigrams(normalize(self.question)), trigrams(normalize(self.answer)))
        return self._grams


@dataclass
class Match:
    found: Candidate
    known: Candidate
    rule: str  # "explicit-id", "note", "content" or "similar"
    score: float = 1.0


def similarity(a: Candidate, b: Candidate) -> float:
    """How alike two cards' texts are, 0..1 (weighted question and answer similarity).

    An answer left exactly as it was (and long enough to say something) makes the pair
    similar enough whatever the question became: that is a reworded question.
    """
    qa, aa = a.grams()
    qb, ab = b.grams()
    q, ans = dice(qa, qb), dice(aa, ab)
    if not (qa or qb):
        return ans
    if not (aa or ab):
        return q
    score = QUESTION_WEIGHT * q + (1 - QUESTION_WEIGHT) * ans
    if aa == ab and sum(aa.values()) >= SAME_ANSWER_CHARS:
        score = max(score, THRESHOLD + (1 - THRESHOLD) * q)
    return score


def _placement(found: Candidate, known: Candidate) -> float:
    """A small ranking bonus: same file, and close to where the card was."""
    if found.path is None or found.path != known.path:
        return 0.0
    bonus = SAME_FILE_BONUS
    if found.position is not None and known.position is not None:
        bonus += NEARBY_BONUS * max(0.0, 1 - abs(found.position - known.position) / 10)
    return bonus


def match(found: Sequence[Candidate], known: Sequence[Candidate]) -> list[Match]:
    """Pair cards found in the files with stored cards no longer found (rules 2 to 4).

    Both lists hold only what rule 1 (same key) left unmatched. One to one: a stored card
    is given to at most one found card and the other way round.
    """
    matches: list[Match] = []
    free_found = list(found)
    free_known = list(known)

    def take(pairs: list[tuple[float, int, int, str]]) -> None:
        nonlocal free_found, free_known
        used_f: set[int] = set()
        used_k: set[int] = set()
        for score, fi, ki, rule in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
            if fi in used_f or ki in used_k:
                continue
            used_f.add(fi)
            used_k.add(ki)
            matches.append(Match(free_found[fi], free_known[ki], rule, round(score, 4)))
        free_found = [c for i, c in enumerate(free_found) if i not in used_f]
        free_known = [c for i, c in enumerate(free_known) if i not in used_k]

    # Rule 2: the same explicit id (the file was renamed, so the deck part of the key moved).
    by_id: dict[str, list[int]] = {}
    for ki, k in enumerate(free_known):
        if k.explicit_id:
            by_id.setdefault(k.explicit_id, []).append(ki)
    take([(1.0 + _placement(f, free_known[ki]), fi, ki, "explicit-id")
          for fi, f in enumerate(free_found) if f.explicit_id
          for ki in by_id.get(f.explicit_id, [])])

    # Rule 2b: a card turned into a cloze (or back): ``deck:id`` and ``deck:id:c1`` are the
    # same note, and its first deletion keeps the history (a split keeps it on the part
    # nearest the old card).
    by_key = {k.key: ki for ki, k in enumerate(free_known)}
    deletions: dict[str, list[tuple[int, int]]] = {}  # note key -> (n, index) of known clozes
    for ki, k in enumerate(free_known):
        if was := _CLOZE_KEY.match(k.key):
            deletions.setdefault(was["note"], []).append((int(was["n"]), ki))
    pairs = []
    for fi, f in enumerate(free_found):
        cloze = _CLOZE_KEY.match(f.key)
        if cloze and cloze["note"] in by_key:  # was a plain card, is a cloze now
            pairs.append((1.0 - int(cloze["n"]) / 1000, fi, by_key[cloze["note"]], "note"))
        for n, ki in deletions.get(f.key, ()):  # was a cloze, is a plain card now
            pairs.append((1.0 - n / 1000, fi, ki, "note"))
    take(pairs)

    # Rule 3: the same content.
    by_digest: dict[str, list[int]] = {}
    for ki, k in enumerate(free_known):
        if k.digest:
            by_digest.setdefault(k.digest, []).append(ki)
    take([(1.0 + _placement(f, free_known[ki]), fi, ki, "content")
          for fi, f in enumerate(free_found) if f.digest
          for ki in by_digest.get(f.digest, [])])

    # Rule 4: similar text, above the threshold; placement only breaks near-ties.
    if free_found and free_known:
        everything = len(free_found) * len(free_known) <= PAIR_BUDGET
        pairs = []
        for fi, f in enumerate(free_found):
            for ki, k in enumerate(free_known):
                if not everything and f.path != k.path:
                    continue
                score = similarity(f, k)
                if score >= THRESHOLD:
                    pairs.append((score + _placement(f, k), fi, ki, "similar"))
        take(pairs)
    return matches


def duplicate_texts(cards: Iterable) -> list[tuple[object, object, str]]:
    """Cards of different decks with the same text in a language (formatting ignored):
    ``(card, first card with that text, lang)`` for each later one. A deck copied beside
    the one it came from doubles every card, and each copy is studied on its own."""
    first: dict[tuple[str, str], object] = {}
    found = []
    for card in cards:
        if card.kind == "exercise":
            continue
        for lang, text in card.texts.items():
            seen = first.setdefault((lang, text.digest or digest(text.question, text.answer)),
                                    card)
            if seen is not card and seen.deck != card.deck:
                found.append((card, seen, lang))
    return found
