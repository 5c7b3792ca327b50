"""Packed deck files (trainer/deck/packed.py): what the app holds of 100,000 cards."""

from __future__ import annotations

import gc

from trainer.deck import packed as packing
from trainer.deck.cards import CardText, ParsedCard, ParsedFile
from trainer.deck.loader import merge as eager_merge
from trainer.deck.packed import CHUNK, PackedFile, merge
from trainer.deck.parser import parse_text

MIXED = """---
topic: conv
title: Convolution
tags: cnn
---

## What is a receptive field? {#rf}

tags: basics

The input region that can change one output unit.

## Output size of a conv layer

$H' = \\lfloor (H + 2P - K)/S \\rfloor + 1$

?

- for $H = 32, K = 3$: 32

## The {{c1::receptive field}} grows by {{c2::k − 1}} per stride-1 layer.

## Output sizes, drilled {#drill}

```exercise
family: conv-output-size
level: 2
```
"""


def many(n: int, lang: str = "en", word: str = "Question") -> str:
    return "---\ntopic: many\ntitle: Many\n---\n\n" + "".join(
        f"## {word} {i}? {{#q{i}}}\n\n{lang} answer {i}.\n\n" for i in range(n))


def test_a_packed_file_gives_back_the_parse_it_was_made_from():
    for text in (MIXED, many(2 * CHUNK + 5)):
        parsed = parse_text(text, "/decks/conv.md")
        assert not parsed.problems
        pack = PackedFile.from_parsed(parsed)
        assert pack.count == len(parsed.cards)
        assert pack.to_parsed() == parsed
        assert PackedFile.decode(pack.encode()).to_parsed() == parsed
        assert [pack.text(i) for i in range(pack.count)] == [c.text for c in parsed.cards]


def test_the_cache_of_earlier_versions_still_decodes():
    parsed = parse_text(MIXED, "/decks/conv.md")
    assert PackedFile.decode(parsed.model_dump_json()).to_parsed() == parsed


def test_hashes_that_are_not_the_parsers_are_kept_as_they_are():
    text = CardText(question="Q", answer="A", path="/d.md", line=3)  # digest ""
    parsed = ParsedFile(path="/d.md", deck="d", lang="en", cards=[ParsedCard(
        id="q", explicit_id=True, topic="t", topic_title="T", tags=[], lang="en", text=text)])
    pack = PackedFile.decode(PackedFile.from_parsed(parsed).encode())
    assert pack.digest(0) == "" and pack.to_parsed() == parsed


def _files() -> list[ParsedFile]:
    en = parse_text(many(3) + "## Only in English {#solo}\n\nYes.\n", "/decks/en/many.md",
                    deck="many", lang="en")
    zh = parse_text(many(3, "zh", "问题").replace("title: Many", "title: 很多\ntags: zh-tag"),
                    "/decks/zh/many.md", deck="many", lang="zh")
    twice = parse_text("## Again {#q1}\n\nA duplicate id.\n", "/decks/en/again.md",
                       deck="many", lang="en")
    return [en, zh, twice, parse_text(MIXED, "/decks/conv.md")]


def _view(card) -> tuple:
    return (card.key, card.deck, card.id, card.topic, card.topic_titles, card.tags, card.kind,
            card.ordinal, card.explicit_id, card.exercise, card.texts, card.languages,
            card.topic_title("zh"), card.text("zh"), card.source("en"))


def test_served_cards_say_what_the_parsed_files_say():
    files = _files()
    served = merge([PackedFile.from_parsed(f) for f in files])
    expected = eager_merge(files)
    assert [_view(c) for c in served.cards.values()] == [
        _view(c) for c in expected.cards.values()]
    assert served.problems == expected.problems  # the duplicate id, with both places
    card = served.cards["many:q0"]
    assert card.languages == ["en", "zh"] and card.tags == ["zh-tag"]
    assert card.topic_titles == {"en": "Many", "zh": "很多"}
    assert card.text("zh").question == "问题 0?" and card.text("fr").answer == "en answer 0."


def test_served_cards_hold_no_texts_until_asked():
    pack = PackedFile.from_parsed(parse_text(many(1000), "/decks/many.md"))
    gc.collect()
    before = sum(isinstance(o, CardText) for o in gc.get_objects())
    deck = merge([pack])
    gc.collect()
    assert sum(isinstance(o, CardText) for o in gc.get_objects()) == before
    assert deck.cards["many:q999"].text("en").answer == "en answer 999."


def test_a_reload_serves_unchanged_cards_as_the_same_objects():
    en, zh, _, conv = (PackedFile.from_parsed(f) for f in _files())
    first = merge([en, zh, conv])
    again = merge([en, zh, conv], previous=first)
    assert all(again.cards[k] is c for k, c in first.cards.items())

    edited = PackedFile.from_parsed(parse_text(MIXED.replace("one output unit",
                                                             "one output"), "/decks/conv.md"))
    reloaded = merge([en, zh, edited], previous=first)
    assert reloaded.cards["many:q0"] is first.cards["many:q0"]
    assert reloaded.cards["conv:rf"] is not first.cards["conv:rf"]
    assert reloaded.cards["conv:rf"].text("en").answer.endswith("change one output.")

    without_zh = merge([en, conv], previous=first)  # the Chinese file is gone
    card = without_zh.cards["many:q0"]
    assert card.languages == ["en"] and card.topic_titles == {"en": "Many"} and card.tags == []
    assert [_view(c) for c in without_zh.cards.values()] == [
        _view(c) for c in merge([en, conv]).cards.values()]

    zh2 = PackedFile.from_parsed(parse_text(many(3, "zh", "新问题"), "/decks/zh/many.md",
                                            deck="many", lang="zh"))
    card = merge([en, zh2, conv], previous=first).cards["many:q0"]
    assert card.text("zh").question == "新问题 0?" and card.tags == []


def test_texts_are_decoded_a_chunk_at_a_time_and_only_recent_chunks_are_kept():
    pack = PackedFile.from_parsed(parse_text(many(packing._DECODED * CHUNK * 2),
                                             "/decks/many.md"))
    deck = merge([pack])
    for card in deck.cards.values():
        assert card.text("en").answer == f"en answer {card.ordinal}."
    assert len(packing._decoded.items) == packing._DECODED


def test_a_damaged_text_chunk_is_refused_when_the_pack_is_read_not_when_shown():
    """The store's copy with one byte of a text chunk changed: ``decode`` refuses it (the
    scanner then parses the file again) instead of a card failing when it is shown."""
    import base64
    import json

    import pytest

    packed = PackedFile.from_parsed(parse_text(many(3 * CHUNK), "deck.md", deck="d"))
    text = packed.encode()
    data = json.loads(text[len(packing.FORMAT):])
    chunk = bytearray(base64.b64decode(data["chunks"][1]))
    chunk[len(chunk) // 2] ^= 0xFF
    data["chunks"][1] = base64.b64encode(bytes(chunk)).decode()
    with pytest.raises(ValueError, match="damaged"):
        PackedFile.decode(packing.FORMAT + json.dumps(data))
    assert PackedFile.decode(text).text(CHUNK + 1).question == packed.text(CHUNK + 1).question
