"""`trainer check`, all-or-nothing import per file, the last good version, incremental scans."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.authoring.conftest import rows
from tests.helpers import NOW, open_study
from trainer.cli.main import main

GOOD = ("---\ntopic: pooling\n---\n\n## Where does a max-pool send the gradient? {#pool-max}\n\n"
        "To the maximum of each window.\n\n## What does average pooling send back? {#pool-avg}"
        "\n\nThe gradient divided by the window size.\n")
BROKEN = GOOD.replace("## What does average pooling send back? {#pool-avg}\n\n"
                      "The gradient divided by the window size.\n",
                      "## What does average pooling send back now? {#pool-avg}\n\n"
                      "## A new card {#pool-new}\n\nIts {{c1::answer\n")


def served(study) -> dict[str, str]:
    return {key: card.text("en").question for key, card in study.deck.cards.items()}


def test_check_reports_the_broken_file_by_line_and_exits_1(decks, capsys):
    (decks / "good.md").write_text(GOOD, encoding="utf-8")
    (decks / "broken.md").write_text(BROKEN, encoding="utf-8")
    assert main(["check", str(decks)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{decks / 'broken.md'}:9:1: error: card has no answer (hint: write the answer below "
        "the question (after the '?' line if there is one))",
        f"{decks / 'broken.md'}:13:5: error: cloze deletion is not closed (hint: end it with "
        "'}}' on the same line)",
    ]
    assert main(["check", "--json", str(decks / "broken.md")]) == 1
    problems = json.loads(capsys.readouterr().out)
    assert [(Path(p["path"]).name, p["line"], p["col"], p["severity"]) for p in problems] == [
        ("broken.md", 9, 1, "error"), ("broken.md", 13, 5, "error")]
    assert all(p["hint"] for p in problems)
    assert main(["check", str(decks / "good.md")]) == 0


def test_a_broken_file_keeps_serving_its_last_good_version(settings, decks, capsys):
    path = decks / "pooling.md"
    path.write_text(GOOD, encoding="utf-8")
    study = open_study(settings)
    study.answer("pooling:pool-max", 3, NOW)
    study.close()

    path.write_text(BROKEN, encoding="utf-8")
    assert main(["check", str(decks)]) == 1
    assert f"{path}:9:1: error: card has no answer" in capsys.readouterr().out

    study = open_study(settings)  # a restart: the last good version comes from the store
    assert served(study) == {"pooling:pool-max": "Where does a max-pool send the gradient?",
                             "pooling:pool-avg": "What does average pooling send back?"}
    keys = []
    while (card := study.next_card(NOW)) is not None:
        keys.append(card.key)
        study.answer(card.key, 4, NOW)
    assert "pooling:pool-avg" in keys  # still served, with its old text
    warnings = [p for p in study.overview(NOW).problems if "last good version" in p]
    assert warnings == [f"{path}:9:1: warning: this file has errors: its last good version "
                        "(2 cards) is served until they are fixed (hint: run 'trainer check' "
                        "on it)"]
    assert rows(settings.db_path, "SELECT key, retired FROM cards ORDER BY key") == [
        ("pooling:pool-avg", 0), ("pooling:pool-max", 0)]

    path.write_text(BROKEN.replace("Its {{c1::answer\n", "Its {{c1::answer}}.\n")
                    .replace("send back now? {#pool-avg}\n\n",
                             "send back now? {#pool-avg}\n\nA share of the gradient.\n\n"),
                    encoding="utf-8")
    study.reload_decks()  # fixed: the new version is served at once
    assert served(study)["pooling:pool-avg"] == "What does average pooling send back now?"
    assert "pooling:pool-new:c1" in served(study)
    study.close()


def test_a_broken_file_is_never_half_imported(settings, decks):
    (decks / "half.md").write_text("## Fine card {#fine}\n\nAn answer.\n\n## No answer {#no}\n",
                                   encoding="utf-8")
    study = open_study(settings)
    assert study.deck.cards == {}
    assert rows(settings.db_path, "SELECT count(*) FROM cards") == [(0,)]
    study.close()


def test_live_reload_of_a_broken_save_keeps_the_old_cards(settings, decks):
    path = decks / "pooling.md"
    path.write_text(GOOD, encoding="utf-8")
    study = open_study(settings)
    path.write_text("---\ntopic: [oops\n---\n" + GOOD.split("---\n", 2)[2], encoding="utf-8")
    changes = study.reload_decks()
    assert changes.changed == [str(path)]
    assert any(p.startswith(f"{path}:2:1: error: front matter") for p in changes.problems)
    assert set(served(study)) == {"pooling:pool-max", "pooling:pool-avg"}
    assert study.deck.cards["pooling:pool-max"].topic == "pooling"  # the old front matter
    study.close()


def test_unchanged_files_are_skipped_by_content_hash(settings, decks):
    first, second = decks / "a.md", decks / "b.md"
    first.write_text("## A {#a}\n\nA.\n", encoding="utf-8")
    second.write_text("## B {#b}\n\nB.\n", encoding="utf-8")
    study = open_study(settings)
    assert sorted(study.library.changes.changed) == [str(first), str(second)]
    stored = dict(rows(settings.db_path, "SELECT path, digest FROM deck_files"))
    assert sorted(stored) == [str(first), str(second)]

    os.utime(first, ns=(10**18, 10**18))  # touched, same bytes: not parsed again
    assert study.library.changed_on_disk()
    assert study.reload_decks().changed == []
    second.write_text("## B {#b}\n\nB, edited.\n", encoding="utf-8")
    assert study.reload_decks().changed == [str(second)]
    study.close()

    study = open_study(settings)  # a restart: nothing changed, nothing parsed
    assert study.library.changes.changed == []
    assert study.deck.cards["b:b"].text("en").answer == "B, edited."
    study.close()
    first.write_text("## A {#a}\n\nA, edited while trainer was closed.\n", encoding="utf-8")
    study = open_study(settings)
    assert study.library.changes.changed == [str(first)]
    study.close()


def test_hidden_folders_and_files_are_not_decks(settings, decks):
    (decks / ".git" / "objects").mkdir(parents=True)
    (decks / ".git" / "objects" / "notes.md").write_text("## Q {#q}\n\nA.\n", encoding="utf-8")
    (decks / ".draft.md").write_text("## Q {#q}\n\nA.\n", encoding="utf-8")
    (decks / "sub").mkdir()
    (decks / "sub" / "real.md").write_text("## Q {#q}\n\nA.\n", encoding="utf-8")
    study = open_study(settings)
    assert list(study.deck.cards) == ["real:q"]
    study.close()
