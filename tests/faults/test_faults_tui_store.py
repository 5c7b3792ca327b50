"""A database that fails under the running TUI: a notice naming the file, never a crash.

Real failures, no mocks:

- *reads*: the pages of the ``cards`` table are overwritten on disk while the app runs
  (after a checkpoint, with the pool's connections closed so no cached page hides it);
  SQLite then answers "database disk image is malformed". Every screen's worker says so
  and the app goes on; once the pages are back, the same keys work and nothing was lost.
- *writes*: ``PRAGMA query_only`` on the pool's connections (``Database.pragmas``, the
  store's test hook); SQLite refuses every write as on a read-only file. A drill or a
  browser action that cannot be saved says "Not saved" and keeps its card.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from tests.helpers import NOW, Notes, open_study, settle
from trainer.tui.app import make_app
from trainer.tui.screens.browser_screen import BrowserScreen
from trainer.tui.screens.drill_screen import DrillScreen
from trainer.tui.screens.home_screen import HomeScreen
from trainer.tui.screens.missed_screen import MissedScreen
from trainer.tui.screens.practice_screen import PracticeScreen
from trainer.tui.screens.stats_screen import StatsScreen

SIZE = (100, 30)


# -- real failures ---------------------------------------------------------------------------
class DamagedCards:
    """Overwrite the pages of the ``cards`` table and of its indexes in the file (the
    reviews are left whole), and put them back. The engine's pool is emptied each time: a pooled
    connection keeps the pages it read, and would not see the file change."""

    def __init__(self, db) -> None:
        self.db = db
        self.path: Path = db.path
        self.saved: dict[int, bytes] = {}

    def _checkpoint(self) -> None:
        self.db.engine.dispose()
        with closing(sqlite3.connect(self.path)) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def __enter__(self) -> DamagedCards:
        self._checkpoint()
        with closing(sqlite3.connect(self.path)) as c:
            size = c.execute("PRAGMA page_size").fetchone()[0]
            pages = [p for (p,) in c.execute(
                "SELECT pageno FROM dbstat WHERE name IN (SELECT name FROM sqlite_master "
                "WHERE tbl_name = 'cards') ORDER BY pageno")]
        assert pages, "the cards table has no pages"
        with self.path.open("r+b") as f:
            for page in pages:
                f.seek((page - 1) * size)
                self.saved[page] = f.read(size)
                f.seek((page - 1) * size)
                f.write(b"\xff" * size)
        self.size = size
        with closing(sqlite3.connect(self.path)) as c:  # the damage is real
            for query in ("SELECT count(*) FROM cards", "SELECT max(stability) FROM cards"):
                try:
                    c.execute(query).fetchone()
                except sqlite3.DatabaseError as exc:
                    assert "malformed" in str(exc)
                else:
                    raise AssertionError(f"{query} still reads")
        return self

    def __exit__(self, *exc_info) -> None:
        self._checkpoint()  # whatever was written meanwhile (never a cards page) goes home
        with self.path.open("r+b") as f:
            for page, data in self.saved.items():
                f.seek((page - 1) * self.size)
                f.write(data)
        self.db.engine.dispose()


def image(path: Path) -> bytes:
    """The database as committed, page for page (what a reader sees, WAL included)."""
    with closing(sqlite3.connect(path)) as c:
        return c.serialize()


def reviews(path: Path) -> list[tuple]:
    with closing(sqlite3.connect(path)) as c:
        return c.execute("SELECT c.key, r.rating, r.kind FROM reviews r JOIN cards c "
                         "ON c.id = r.card_id ORDER BY r.id").fetchall()


def errors(notes: Notes, title: str) -> list:
    found = [n for n in notes if n.title == title]
    assert all(n.severity == "error" for n in found)
    return found


def missed_two(settings):
    """A session where the first two cards were graded Again (so missed)."""
    study = open_study(settings)
    keys = []
    for _ in range(2):
        card = study.next_card(NOW)
        study.answer(card.key, 1, NOW)
        keys.append(card.key)
    return study, keys


async def open_drill(app, pilot) -> DrillScreen:
    """From the topics screen: the missed cards (m), then their drill (d)."""
    await settle(pilot)
    for key in ("m", "d"):
        await pilot.press(key)
        await settle(pilot)
    assert isinstance(app.screen, DrillScreen)
    return app.screen


# -- reads -----------------------------------------------------------------------------------
async def test_a_damaged_file_is_a_notice_on_every_screen_and_nothing_is_lost(tiny_settings):
    study, _ = missed_two(tiny_settings)
    path = study.db.path
    app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = image(path)
        shown = str(app.screen.query_one("#home-counts").render())
        assert "reviewed today 2" in shown
        with DamagedCards(study.db):
            for key, screen, title in (("r", HomeScreen, "Topics not loaded"),
                                       ("t", StatsScreen, "Statistics not loaded"),
                                       ("m", MissedScreen, "Missed cards not loaded"),
                                       ("b", BrowserScreen, "Cards not loaded")):
                notes.clear()
                await pilot.press(key)
                await settle(pilot)
                assert app.is_running and type(app.screen) is screen
                (note,) = errors(notes, title)
                assert note.message.startswith(f"{path}: could not be read, nothing was ")
                assert "database disk image is malformed" in note.message
                assert "\n" not in note.message
                if screen is not HomeScreen:
                    await pilot.press("escape")  # back home: its counts fail again
                    await settle(pilot)
                    assert type(app.screen) is HomeScreen and errors(notes, "Topics not loaded")
            # What the screen showed stays: nothing on it was lost.
            assert str(app.screen.query_one("#home-counts").render()) == shown
        assert image(path) == before  # a failed read wrote nothing
        notes.clear()
        await pilot.press("r")  # the same key, the file whole again
        await settle(pilot)
        assert not [n for n in notes if n.severity == "error"]
        assert str(app.screen.query_one("#home-counts").render()) == shown
        await pilot.press("m")
        await settle(pilot)
        assert len(app.screen.missed) == 2
    assert image(path) == before


async def test_an_undone_drill_whose_card_cannot_be_read_leaves_the_drill_in_step(
        tiny_settings):
    """The undo's delete is saved, the card it goes back to cannot be read: the card on
    screen (the next one) is taken off, as grading it would log the wrong card; the
    drill goes on from the undone card once the file reads again."""
    study, (first, second) = missed_two(tiny_settings)
    path = study.db.path
    app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        drill = await open_drill(app, pilot)
        assert {drill.card.key} <= {first, second}
        shown = drill.card.key
        await pilot.press("space", "3")
        await settle(pilot)
        after = drill.card.key
        assert after != shown and reviews(path)[-1] == (shown, 3, "drill")
        with DamagedCards(study.db):
            await pilot.press("u")
            await settle(pilot)
            assert app.is_running and app.screen is drill
            (note,) = errors(notes, "Drill undone; its card could not be read")
            assert note.message.startswith(f"{path}: ") and "malformed" in note.message
            assert drill.card is None and not drill.busy
            assert "could not be read" in str(drill.query_one("#summary").render())
            await pilot.press("space", "3")  # nothing to grade: nothing is written
            await settle(pilot)
        assert [r for r in reviews(path) if r[2] == "drill"] == []  # the undo was saved
        await pilot.press("l")  # the card again, in the other language
        await settle(pilot)
        assert drill.card is not None and drill.card.key == shown
        await pilot.press("space", "2")
        await settle(pilot)
        assert [r for r in reviews(path) if r[2] == "drill"] == [(shown, 2, "drill")]
        assert drill.card is not None and drill.card.key == after


# -- writes ----------------------------------------------------------------------------------
def read_only(db, on: bool) -> None:
    """Every new pooled connection refuses writes ("attempt to write a readonly database")."""
    if on:
        db.pragmas["query_only"] = 1
    else:
        db.pragmas.pop("query_only")
    db.engine.dispose()


async def test_a_drill_that_cannot_be_saved_keeps_the_card(tiny_settings):
    study, _ = missed_two(tiny_settings)
    path = study.db.path
    app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        drill = await open_drill(app, pilot)
        card = drill.card
        before = image(path)
        read_only(study.db, True)
        await pilot.press("space", "3")
        await settle(pilot)
        (note,) = errors(notes, "Not saved")
        assert note.message.startswith(f"{path}: not saved") and "read-only" in note.message
        assert app.screen is drill and drill.card is card and drill.revealed
        assert not drill.busy
        assert image(path) == before
        read_only(study.db, False)
        await pilot.press("3")  # the same key saves it
        await settle(pilot)
        assert reviews(path)[-1] == (card.key, 3, "drill")
        assert drill.card is not None and drill.card.key != card.key


async def test_a_browser_action_that_cannot_be_saved_says_so(tiny_settings):
    study = open_study(tiny_settings)
    path = study.db.path
    app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        key = browser.selected_key()
        before = image(path)
        read_only(study.db, True)
        await pilot.press("s")
        await settle(pilot)
        (note,) = errors(notes, "Not saved")
        assert note.message.startswith(f"{path}: not saved") and "read-only" in note.message
        assert app.screen is browser and image(path) == before
        assert not next(c for c in browser.cards if c.key == key).suspended
        read_only(study.db, False)
        await pilot.press("s")
        await settle(pilot)
        assert next(c for c in browser.cards if c.key == key).suspended


async def test_a_practice_card_that_cannot_be_read_is_a_notice_and_keys_work_after(
        tiny_settings):
    study, _ = missed_two(tiny_settings)
    path = study.db.path
    app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = reviews(path)
        with DamagedCards(study.db):
            notes.clear()
            await pilot.press("s")  # study all: the practice screen's worker reads the queue
            await settle(pilot)
            assert app.is_running and type(app.screen) is PracticeScreen
            (note,) = errors(notes, "Card not loaded")
            assert note.message.startswith(f"{path}: could not be read")
            assert "malformed" in note.message
            assert app.screen.card is None and not app.screen.busy  # keys are not stuck
        await pilot.press("escape")  # the file whole again: the same way in shows a card
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert type(app.screen) is PracticeScreen and app.screen.card is not None
        answered = app.screen.card.key
        await pilot.press("space", "3")
        await settle(pilot)
    assert reviews(path) == [*before, (answered, 3, "scheduled")]  # nothing lost or doubled
