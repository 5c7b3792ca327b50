from pathlib import Path

from trainer.deck.loader import merge
from trainer.deck.parser import parse_file, parse_text

GOOD = """---
topic: pooling
title: Pooling
tags: [cnn]
---

## Where does a max-pool send the gradient? {#pool-max}

tags: backprop, formula

To the argmax of each window.

- others get zero
- overlapping windows add up

## Compute the size: {#pool-size}

Input 7, kernel 3, stride 2.

?

```python
(7 - 3) // 2 + 1  # = 3
```

| k | s | out |
|---|---|-----|
| 3 | 2 | 3 |

## A card without an id

Its id is derived from the question.
"""


def test_cards_questions_answers_and_lines():
    parsed = parse_text(GOOD, "deck.md")
    assert parsed.problems == []
    assert [c.id for c in parsed.cards][:2] == ["pool-max", "pool-size"]
    first, second, third = parsed.cards
    assert first.text.question == "Where does a max-pool send the gradient?"
    assert first.text.answer.startswith("To the argmax of each window.")
    assert "- overlapping windows add up" in first.text.answer
    assert first.tags == ["cnn", "backprop", "formula"]
    assert first.text.line == 7 and first.topic == "pooling" and first.topic_title == "Pooling"
    assert second.text.question == "Compute the size:\n\nInput 7, kernel 3, stride 2."
    assert second.text.answer.startswith("```python") and "| 3 | 2 | 3 |" in second.text.answer
    assert third.explicit_id is False and third.id.startswith("q-")


def test_derived_id_ignores_case_and_spacing_only():
    a = parse_text("## What  is BN?\n\nx\n", "a.md").cards[0].id
    b = parse_text("## what is bn?\n\ny\n", "b.md").cards[0].id
    c = parse_text("## What is LN?\n\nx\n", "c.md").cards[0].id
    assert a == b != c


def _messages(text: str) -> list[str]:
    return [p.format() for p in parse_text(text, "broken.md").problems]


def test_bad_front_matter_is_located():
    text = "---\ntopic: [unclosed\ntitle: x\n---\n\n## Q {#q}\n\nA\n"
    (message,) = _messages(text)
    assert message.startswith("broken.md:3:1: error: front matter is not valid YAML")


def test_card_errors_are_located():
    text = ("## Has no answer {#a}\n\n## Bad id {#Bad Id}\n\nx\n\n## Dup {#d}\n\nx\n\n"
            "## Dup again {#d}\n\ny\n\n## Two seps {#t}\n\n?\n\nx\n\n?\n\ny\n")
    messages = _messages(text)
    assert messages[0].startswith("broken.md:1:1: error: card has no answer")
    assert messages[1].startswith("broken.md:3:11: error: invalid card id 'Bad Id'")
    assert messages[2].startswith(
        "broken.md:11:1: error: duplicate card id 'd' (first used on line 7)")
    assert messages[3].startswith("broken.md:21:1: error: more than one '?' separator")
    assert len(messages) == 4


def test_warnings_do_not_block_cards():
    text = "---\ncolour: red\n---\nstray text\n\n## Q {#q}\n\n$\\foo{x}$\n"
    parsed = parse_text(text, "w.md", check_math=True)
    assert [c.id for c in parsed.cards] == ["q"]
    assert [(p.line, p.severity) for p in parsed.problems] == [
        (2, "warning"), (4, "warning"), (8, "warning")]
    assert "unknown front matter key 'colour'" in parsed.problems[0].message
    assert "\\foo" in parsed.problems[2].message


def test_file_with_errors_contributes_no_cards(tmp_path: Path):
    (tmp_path / "ok.md").write_text("## Q1 {#q1}\n\nA\n", encoding="utf-8")
    (tmp_path / "bad.md").write_text("## Q2 {#q2}\n\nA\n\n## Q3 {#q3}\n", encoding="utf-8")
    deck = merge([parse_file(tmp_path / "ok.md", deck="d"), parse_file(tmp_path / "bad.md",
                                                                      deck="d")])
    assert sorted(deck.cards) == ["d:q1"]
    assert [p.line for p in deck.errors] == [5]


def test_unreadable_bytes_are_a_problem_not_a_crash(tmp_path: Path):
    path = tmp_path / "latin1.md"
    path.write_bytes(b"## caf\xe9 {#c}\n\nA\n")
    parsed = parse_file(path)
    assert parsed.cards == [] and "not UTF-8" in parsed.problems[0].message


def test_languages_merge_into_one_card(tmp_path: Path):
    en = parse_text("---\ntopic: t\ntitle: Topic\n---\n## Q {#same}\n\nA\n", "en/t.md",
                    deck="b", lang="en")
    zh = parse_text("---\ntopic: t\ntitle: 主题\n---\n## 问 {#same}\n\n答\n", "zh/t.md",
                    deck="b", lang="zh")
    deck = merge([en, zh])
    card = deck.cards["b:same"]
    assert sorted(card.texts) == ["en", "zh"]
    assert card.text("zh").question == "问" and card.topic_title("zh") == "主题"
    assert card.text("fr").question == "Q"  # falls back to English
