"""Card titles in the browser, the missed list and the dialogs read as the card shows its
question: formulas in Unicode, markdown marks dropped, underscores of code and of plain
words kept (issue 13: a heading with `d_k` showed `dk`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.helpers import NOW, open_study
from trainer.app.progress import ProgressTracker
from trainer.config.settings import Settings
from trainer.scheduling.memory import Grade

DECK = """---
topic: attention
title: Attention
---

## Why divide the scores by `d_k`? {#attn-code}

Their variance grows with the dimension.

## Why divide by $\\sqrt{d_k}$ and not by d_k? {#attn-math}

The standard deviation of a dot product of d_k unit-variance terms is √d_k.

## Scale $d_{model}$ with **care** and *ease* {#attn-marks}

Words.

## Why can `torch.sqrt((x**2).sum())` give NaN at $x = 0$? {#attn-nan}

The derivative of √ at 0 is infinite.
"""

TITLES = {
    "attention:attn-code": "Why divide the scores by d_k?",
    "attention:attn-math": "Why divide by √dₖ and not by d_k?",
    "attention:attn-marks": "Scale d_(model) with care and ease",
    "attention:attn-nan": "Why can torch.sqrt((x**2).sum()) give NaN at x = 0?",
}


@pytest.fixture
def attention_settings(tmp_path: Path) -> Settings:
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "attention.md").write_text(DECK, encoding="utf-8")
    return Settings(home=tmp_path / "home", builtin_deck=False, exercises=False,
                    decks=[folder])


def test_browser_titles_keep_code_underscores_and_render_formulas(attention_settings):
    study = open_study(attention_settings)
    tracker = ProgressTracker.of(study)
    assert {c.key: c.title for c in tracker.browse()} == TITLES
    assert tracker.history("attention:attn-code", NOW).card.title == TITLES[
        "attention:attn-code"]


def test_missed_titles_are_the_same(attention_settings):
    study = open_study(attention_settings)
    for key in TITLES:
        study.answer(key, Grade.AGAIN, NOW - timedelta(hours=1))
    missed = ProgressTracker.of(study).missed(NOW, timedelta(days=1))
    assert {m.key: m.title for m in missed} == TITLES
