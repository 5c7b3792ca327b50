"""`trainer add` (a real editor process, scripted) and `trainer import`, end to end."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from tests.authoring.conftest import FAKE_EDITOR, rows
from tests.helpers import NOW, open_study
from trainer.app.authoring import editor_argv, editor_command
from trainer.cli.main import main
from trainer.config.settings import load_settings


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    (folder / "config.toml").write_text("builtin-deck = false\nexercises = false\n",
                                        encoding="utf-8")
    return folder


CARD = "## What is the receptive field of two 3×3 convs?\n\n5×5.\n"


# -- trainer add ---------------------------------------------------------------------------
def test_add_appends_the_card_and_it_is_practised_in_the_same_minute(home, editor, capsys):
    editor.then(CARD)
    assert main(["--home", str(home), "add"]) == 0
    assert "added 1 card to" in capsys.readouterr().out
    target = home / "decks" / "my-cards.md"
    assert target.read_text(encoding="utf-8") == CARD  # no header, no id, nothing else
    (call,) = editor.calls
    assert call["text"].startswith("<!-- trainer add → ") and "For example:" in call["text"]
    assert call["text"].rstrip().endswith("-->")  # the example is inside the comment
    settings = load_settings(home=home)
    study = open_study(settings)
    card = study.next_card(NOW)  # the new card is there at once, due now
    assert card.question == "What is the receptive field of two 3×3 convs?" and card.is_new
    study.answer(card.key, 3, NOW)
    assert rows(settings.db_path, "SELECT c.key, r.rating FROM reviews r JOIN cards c "
                "ON c.id = r.card_id") == [(card.key, 3)]
    study.close()


def test_writing_below_the_template_saves_only_what_was_written(home, editor, capsys):
    """The template's example once sat outside the comment and was saved as a real card."""
    editor.then(replace=[("-->\n", "-->\n" + CARD)])
    assert main(["--home", str(home), "add"]) == 0
    assert (home / "decks" / "my-cards.md").read_text(encoding="utf-8") == CARD
    assert "added 1 card to" in capsys.readouterr().out


def test_add_reopens_the_editor_with_the_errors_until_it_is_valid(home, editor, capsys):
    editor.then("## First card {#one}\n\nFine.\n\n## Second card {#two}\n")  # no answer
    editor.then(replace=[("## Second card {#two}\n", "## Second card {#two}\n\nNow fine.\n")])
    assert main(["--home", str(home), "add", "--deck", "conv"]) == 0
    first, second = editor.calls
    shown = second["text"]
    header, _, body = shown.partition("-->\n\n")
    assert body == "## First card {#one}\n\nFine.\n\n## Second card {#two}\n"
    # The problem names its line in the file the editor shows (header included).
    problem_line = header.count("\n") + 2 + 4 + 1  # "-->", a blank line, then body line 5
    assert f"line {problem_line}:1: card has no answer" in header
    assert shown.splitlines()[problem_line - 1] == "## Second card {#two}"
    text = (home / "decks" / "conv.md").read_text(encoding="utf-8")
    assert text == "## First card {#one}\n\nFine.\n\n## Second card {#two}\n\nNow fine.\n"
    assert "added 2 cards" in capsys.readouterr().out


@pytest.mark.parametrize("attempt", ["unchanged", "empty", "editor-failed", "errors-kept"])
def test_add_gives_up_without_writing_anything(home, editor, capsys, attempt):
    if attempt == "empty":
        editor.then("")
    elif attempt == "editor-failed":
        editor.then(CARD, exit_status=1)
    elif attempt == "errors-kept":
        editor.then("## No answer {#n}\n").then()  # second run: leaves the file as shown
    else:
        editor.then()
    assert main(["--home", str(home), "add"]) == 1
    assert "nothing added" in capsys.readouterr().err
    assert not (home / "decks").exists()


def test_add_appends_to_an_existing_deck_in_a_registered_folder(home, editor, tmp_path):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "conv.md").write_text("## Old card {#old}\n\nOld answer.", encoding="utf-8")
    (home / "config.toml").write_text(f"builtin-deck = false\nexercises = false\n"
                                      f"decks = [\"{mine}\"]\n", encoding="utf-8")
    editor.then("## New card {#new}\n\nNew answer.\n")
    assert main(["--home", str(home), "add", "--deck", "conv"]) == 0
    assert (mine / "conv.md").read_text(encoding="utf-8") == (
        "## Old card {#old}\n\nOld answer.\n\n## New card {#new}\n\nNew answer.\n")
    assert rows(home / "trainer.sqlite3", "SELECT key FROM cards ORDER BY key") == [
        ("conv:new",), ("conv:old",)]


def test_an_id_already_in_the_deck_file_is_an_error_to_fix(home, editor):
    (home / "decks").mkdir()
    (home / "decks" / "my-cards.md").write_text("## Old {#same}\n\nA.\n", encoding="utf-8")
    editor.then("## New {#same}\n\nB.\n").then(replace=[("{#same}", "{#other}")])
    assert main(["--home", str(home), "add"]) == 0
    assert "duplicate card id 'same'" in editor.calls[1]["text"]


def test_editor_arguments_open_the_card_line():
    assert editor_argv(["vim"], Path("/d/a.md"), 12) == ["vim", "+12", "/d/a.md"]
    assert editor_argv(["/usr/bin/nano"], Path("a.md"), 3) == ["/usr/bin/nano", "+3", "a.md"]
    assert editor_argv(["emacsclient", "-t"], Path("a.md"), 3) == [
        "emacsclient", "-t", "+3", "a.md"]
    assert editor_argv(["code", "-w"], Path("a.md"), 3) == ["code", "-w", "--goto", "a.md:3"]
    assert editor_argv(["python3", "ed.py"], Path("a.md"), 3) == ["python3", "ed.py", "a.md"]


def test_editor_command_splits_without_a_shell_and_falls_back_to_nano(tmp_path):
    assert editor_command({"EDITOR": "python3 '/my dir/ed.py' --wait"}) == [
        "python3", "/my dir/ed.py", "--wait"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    nano = bin_dir / "nano"
    nano.write_text("#!/bin/sh\n", encoding="utf-8")
    nano.chmod(nano.stat().st_mode | stat.S_IXUSR)
    old_path = os.environ["PATH"]
    try:
        os.environ["PATH"] = str(bin_dir)
        assert editor_command({}) == [str(nano)]
    finally:
        os.environ["PATH"] = old_path


def test_the_fake_editor_is_a_real_program(editor, tmp_path):
    """The scripted editor the tests use runs as its own process (no mock)."""
    import subprocess

    editor.then("written by another process\n")
    target = tmp_path / "x.md"
    target.write_text("before\n", encoding="utf-8")
    subprocess.run([sys.executable, str(FAKE_EDITOR), str(target)], check=True)
    assert target.read_text(encoding="utf-8") == "written by another process\n"


# -- trainer import ------------------------------------------------------------------------
def test_import_registers_a_folder_and_later_edits_are_seen(home, tmp_path, capsys):
    repo = tmp_path / "my-repo"
    repo.mkdir()
    (repo / "conv.md").write_text("## Q1 {#q1}\n\nA1.\n\n## Q2 {#q2}\n\nA2.\n", encoding="utf-8")
    assert main(["--home", str(home), "import", str(repo)]) == 0
    captured = capsys.readouterr()
    assert f"registered {repo}" in captured.out
    assert f"2 cards from {repo} (2 new)" in captured.err
    assert f'decks = [\n    "{repo}",\n]' in (home / "config.toml").read_text(encoding="utf-8")
    assert (repo / "conv.md").read_text(encoding="utf-8").count("##") == 2  # untouched
    settings = load_settings(home=home)
    study = open_study(settings)
    study.answer("conv:q1", 3, NOW)
    (repo / "conv.md").write_text("## Q1, edited {#q1}\n\nA1.\n", encoding="utf-8")
    study.reload_decks()
    assert study.deck.cards["conv:q1"].text("en").question == "Q1, edited"
    study.close()
    assert main(["--home", str(home), "import", str(repo)]) == 0  # twice: registered once
    assert "is already in a deck folder" in capsys.readouterr().out
    assert (home / "config.toml").read_text(encoding="utf-8").count(str(repo)) == 1
    assert main(["--home", str(home), "--decks", str(tmp_path / "other"), "paths"]) == 0
    assert f"decks     {repo}" in capsys.readouterr().out  # --decks adds to the config


def test_import_copy_copies_and_refuses_to_overwrite(home, tmp_path, capsys):
    source = tmp_path / "bn.md"
    source.write_text("## Q {#q}\n\nA.\n", encoding="utf-8")
    assert main(["--home", str(home), "import", "--copy", str(source)]) == 0
    copied = home / "decks" / "bn.md"
    assert copied.read_text(encoding="utf-8") == source.read_text(encoding="utf-8")
    assert "decks" not in (home / "config.toml").read_text(encoding="utf-8")
    assert rows(home / "trainer.sqlite3", "SELECT key FROM cards") == [("bn:q",)]
    source.write_text("## Q {#q}\n\nOther.\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--home", str(home), "import", "--copy", str(source)]) == 2
    assert "already exists with other content" in capsys.readouterr().err
    assert copied.read_text(encoding="utf-8") == "## Q {#q}\n\nA.\n"


def test_import_reports_problems_by_line_and_exits_1(home, tmp_path, capsys):
    broken = tmp_path / "broken.md"
    broken.write_text("## Fine {#fine}\n\nA.\n\n## No answer {#n}\n", encoding="utf-8")
    assert main(["--home", str(home), "import", str(broken)]) == 1
    assert f"{broken}:5:1: error: card has no answer" in capsys.readouterr().out
    assert main(["--home", str(home), "import", str(tmp_path / "missing")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_adding_to_a_file_with_errors_elsewhere_warns_that_the_cards_wait(home, editor,
                                                                         capsys):
    (home / "decks").mkdir()
    target = home / "decks" / "my-cards.md"
    target.write_text("## Broken old card {#old}\n", encoding="utf-8")  # no answer
    editor.then(CARD)
    assert main(["--home", str(home), "add"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {target}:1:1: error: card has no answer" in err
    assert target.read_text(encoding="utf-8").endswith(CARD)


def test_import_counts_what_it_brings_and_refuses_a_copy_of_a_registered_deck(home, tmp_path,
                                                                               capsys):
    source = tmp_path / "mine"
    source.mkdir()
    (source / "a.md").write_text("## A?\n\na.\n\n## B?\n\nb.\n\n## C?\n\nc.\n\n"
                                 "## Cl\n\nx {{c1::one}} and {{c2::two}}.\n", encoding="utf-8")
    assert main(["--home", str(home), "import", str(source)]) == 0
    # a cloze makes two cards: 5 cards, 5 new (the first start's built-in cards not counted)
    assert f"5 cards from {source} (5 new)" in capsys.readouterr().err
    assert main(["--home", str(home), "import", str(source), "--copy"]) == 2
    err = capsys.readouterr().err
    assert "already registered as a deck" in err and "nothing was copied" in err
    assert not (home / "decks" / "mine").exists()


def test_check_warns_about_the_same_card_in_two_decks(tmp_path, capsys):
    one, two = tmp_path / "one.md", tmp_path / "two.md"
    one.write_text("## What is a stride?\n\nThe step of the window.\n", encoding="utf-8")
    two.write_text("# Copy\n\n## What is a  stride?\n\nThe *step* of the window.\n",
                   encoding="utf-8")
    assert main(["check", str(one), str(two)]) == 0  # a warning, not an error
    out = capsys.readouterr().out
    assert f"{two}:3:1: warning: the same card as one:" in out or \
        f"{one}:1:1: warning: the same card as two:" in out
