"""The built-in deck's topics, grouped and ordered: ``content/topics.toml``.

Two things a deck of twenty topics needs and a file of cards cannot say:

- **Groups** (CNN basics, Training, ...): what the topics screen shows, and what
  ``--group`` studies. A topic of the user's own decks belongs to no group ("Your topics").
- **What builds on what**: a topic's new cards are introduced once every topic it requires
  has had ``UNLOCK_AFTER`` of its cards introduced (or has none left to introduce), so a
  new learner meets normalization before batch norm and sequence models before attention,
  instead of the first card of all twenty topics on day one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import cache
from pathlib import Path

from trainer.core.model import Model

UNLOCK_AFTER = 5  # cards of each required topic introduced before a topic's first new card
OTHER_GROUP = "mine"
OTHER_TITLES = {"en": "Your topics", "zh": "你的主题"}


class TopicGroup(Model):
    slug: str
    titles: dict[str, str]
    topics: list[str]

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get("en") or self.slug


class TopicPlan(Model):
    groups: list[TopicGroup]
    requires: dict[str, list[str]]

    def group_of(self, topic: str) -> str:
        return next((g.slug for g in self.groups if topic in g.topics), OTHER_GROUP)

    def group(self, slug: str) -> TopicGroup | None:
        return next((g for g in self.groups if g.slug == slug), None)

    def rank(self, topic: str) -> tuple[int, int]:
        """Where a topic sorts: its group's place, then its place in the group."""
        for gi, group in enumerate(self.groups):
            if topic in group.topics:
                return gi, group.topics.index(topic)
        return len(self.groups), 0

    def locked(self, introduced: Mapping[str, int], waiting: Mapping[str, int],
               within: Collection[str] | None = None) -> set[str]:
        """Topics whose new cards wait: a required topic has had fewer than ``UNLOCK_AFTER``
        cards introduced (``introduced``) while it still has new cards (``waiting``).
        ``within``: the topics being studied (a group); what they require from outside it
        is waived, since the learner chose that group."""
        return {topic for topic, needs in self.requires.items()
                if any(introduced.get(need, 0) < UNLOCK_AFTER and waiting.get(need, 0) > 0
                       and (within is None or need in within) for need in needs)}


@cache
def load_plan(path: Path) -> TopicPlan:
    """The plan in ``path`` (``content/topics.toml``); an empty plan when there is none."""
    if not path.is_file():
        return TopicPlan(groups=[], requires={})
    import tomllib

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    groups = [TopicGroup(slug=g["slug"], titles={k: g[k] for k in ("en", "zh") if k in g},
                         topics=list(g["topics"])) for g in data.get("groups", [])]
    return TopicPlan(groups=groups, requires={k: list(v) for k, v in
                                              data.get("requires", {}).items()})
