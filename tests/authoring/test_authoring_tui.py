"""The real app, driven by Pilot: live reload, `r` and `e` (a real editor process)."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.authoring.conftest import FAKE_EDITOR, rows
from tests.helpers import NOW, open_study, settle
from trainer.tui.app import make_app
from trainer.tui.screens.home_screen import HomeScreen
from trainer.tui.screens.practice_screen import PracticeScreen
from trainer.tui.widgets.markdown_text import MarkdownText

SIZE = (100, 30)
DECK = ("---\ntopic: pooling\ntitle: Pooling\n---\n\n"
        "## Where does a max-pool send the gradient? {#pool-max}\n\nTo the maximum.\n\n"
        "## What does average pooling send back? {#pool-avg}\n\nAn equal share.\n")


def question(app) -> str:
    return app.screen.query_one("#question", MarkdownText).source


async def wait_for(pilot, condition, seconds: float = 15.0) -> bool:
    """Let the app run (real time: the watcher polls) until ``condition()`` holds."""
    for _ in range(int(seconds / 0.1)):
        if condition():
            return True
        await pilot.pause(0.1)
    return condition()


def reviews(settings) -> list[tuple]:
    return rows(settings.db_path, "SELECT c.key, r.rating FROM reviews r JOIN cards c "
                "ON c.id = r.card_id ORDER BY r.id")


async def test_saving_a_deck_file_while_the_app_runs_serves_the_new_text(settings, decks):
    path = decks / "pooling.md"
    path.write_text(DECK, encoding="utf-8")
    study = open_study(settings)
    app = make_app(settings, study, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PracticeScreen)
        first = screen.card.key
        await pilot.press("space", "3")
        await settle(pilot)
        second = screen.card
        assert second.key != first
        # Save the file from outside: the card on screen is reworded, a card is added.
        old = second.question
        path.write_text(DECK.replace(old, old.replace("?", ", exactly?"))
                        + "\n## Where does the gradient of a strided conv go? {#conv}\n\n"
                          "Back through the transposed convolution.\n", encoding="utf-8")
        assert await wait_for(pilot, lambda: question(app) == old.replace("?", ", exactly?"))
        assert screen.card.key == second.key
        assert study.can_undo()  # the session went on
        await pilot.press("space", "4")
        await settle(pilot)
        assert screen.card is not None and screen.card.key == "pooling:conv"  # the new card
        assert reviews(settings) == [(first, 3), (second.key, 4)]


async def test_r_reloads_at_once_on_the_practice_and_home_screens(settings, decks):
    path = decks / "pooling.md"
    path.write_text(DECK, encoding="utf-8")
    study = open_study(settings)
    app = make_app(settings, study, clock=lambda: NOW, poll_decks=None)  # only `r` reloads
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        card = app.screen.card
        path.write_text(DECK.replace(card.question, "Reworded: " + card.question),
                        encoding="utf-8")
        await pilot.pause(0.3)
        await settle(pilot)
        assert question(app) == card.question  # not polled
        await pilot.press("r")
        await settle(pilot)
        assert question(app) == "Reworded: " + card.question

        (decks / "bn.md").write_text("---\ntopic: batch-norm\ntitle: Batch norm\n---\n\n"
                                     "## Why eval()? {#eval}\n\nRunning statistics.\n",
                                     encoding="utf-8")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#topics")
        titles = [str(table.get_row_at(i)[0]).strip() for i in range(table.row_count)]
        assert "Batch norm" not in titles
        await pilot.press("r")
        await settle(pilot)
        titles = [str(table.get_row_at(i)[0]).strip() for i in range(table.row_count)]
        assert "Batch norm" in titles


def vi_named_editor(tmp_path: Path) -> Path:
    """The scripted fake editor installed under the name ``vi`` (so it gets ``+LINE``)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    vi = folder / "vi"
    vi.write_text(f"#!{sys.executable}\n" + FAKE_EDITOR.read_text(encoding="utf-8"),
                  encoding="utf-8")
    vi.chmod(0o755)
    return vi


async def test_e_opens_the_card_at_its_line_and_reloads_it(settings, decks, editor, tmp_path,
                                                           monkeypatch):
    path = decks / "pooling.md"
    path.write_text(DECK, encoding="utf-8")
    monkeypatch.setenv("EDITOR", str(vi_named_editor(tmp_path)))
    study = open_study(settings)
    # No polling: the reload must come from `e` itself.
    app = make_app(settings, study, clock=lambda: NOW, poll_decks=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        card = app.screen.card
        line = study.deck.cards[card.key].text("en").line
        editor.then(replace=[(card.question, card.question + " (edited)")])
        await pilot.press("e")
        await settle(pilot)
        (call,) = editor.calls
        assert call["argv"] == [f"+{line}", str(path)]
        assert question(app) == card.question + " (edited)"
        assert app.screen.card.key == card.key
        await pilot.press("space", "3")
        await settle(pilot)
    assert reviews(settings) == [(card.key, 3)]
    assert (card.question + " (edited)") in path.read_text(encoding="utf-8")
