"""Live reload of the deck folders, and editing a card in the user's editor.

``DeckWatcher`` polls the deck files' modification times and sizes every half second in
a thread worker (portable, no new dependency) and, when a file was saved, reloads the
decks through the study session and tells every screen with a ``DecksReloaded`` message.
The session goes on: answers, undo and the card on screen are kept. The app makes its
watcher (``TrainerApp.deck_watcher``) and starts it when mounted.

``edit_card`` opens a card's source file at its line in ``$EDITOR`` (the app is suspended
while the editor runs) and reloads the decks when it exits.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

from textual.app import App, SuspendNotSupported
from textual.message import Message

from trainer.app.authoring import DeckChanges, editor_argv, editor_command, source_location
from trainer.app.errors import StoreError
from trainer.app.study import PracticeCard, StudySession

POLL_SECONDS = 0.5
QUIET_AFTER_ERROR_SECONDS = 10.0  # a full or locked database: do not retry twice a second


@dataclass
class DecksReloaded(Message):
    """The deck folders were read again; ``changes`` says what moved."""

    changes: DeckChanges
    requested: bool = False  # asked for with a key (r, e), not noticed by the poll


class DeckWatcher:
    """One per app: ``start`` polls (every ``interval`` seconds; None: never, only
    ``reload``); ``reload`` reads the folders now."""

    def __init__(self, app: App, study: StudySession, interval: float | None = POLL_SECONDS
                 ) -> None:
        self.app = app
        self.study = study
        self.interval = interval
        self._running = False
        self._pending = False  # a reload asked for while one was running
        self._quiet_until = 0.0

    def start(self) -> None:
        if self.interval is not None:
            self.app.set_interval(self.interval, self.poll, name="deck-watcher")

    def poll(self) -> None:
        if time.monotonic() >= self._quiet_until:
            self._run(requested=False)

    def reload(self) -> None:
        self._run(requested=True)

    def _run(self, requested: bool) -> None:
        if self.study.library is None:  # no deck folders (a session opened without them)
            return
        if self._running:
            self._pending = self._pending or requested
            return
        self._running = True
        # Any other error is a bug: it ends the app with its traceback (exit_on_error).
        self.app.run_worker(lambda: self._reload(requested), thread=True, group="decks",
                            name="deck-reload")

    def _reload(self, requested: bool) -> None:
        try:
            changes = self.study.reload_decks(only_if_changed=not requested)
        except (StoreError, OSError) as exc:  # a locked or full database, a folder gone:
            # say so, keep the old deck (a file that does not parse is a problem, not this)
            self._quiet_until = time.monotonic() + QUIET_AFTER_ERROR_SECONDS
            self.app.call_from_thread(self.app.notify, f"Decks not reloaded: {exc}",
                                      severity="error", timeout=6)
            return
        finally:
            self._running = False
            if self._pending:
                self._pending = False
                self.app.call_from_thread(self.reload)
        if changes.any or requested:
            self.app.call_from_thread(self._announce, changes, requested)

    def _announce(self, changes: DeckChanges, requested: bool) -> None:
        for screen in self.app.screen_stack:
            screen.post_message(DecksReloaded(changes, requested))
        if changes.any:
            files = len(changes.changed) + len(changes.removed)
            errors = [p for p in changes.problems if ": error: " in p]
            note = f"Decks reloaded: {files} file{'s' if files != 1 else ''} changed"
            if errors:
                self.app.notify(f"{note}; {errors[0]}", severity="warning", timeout=6)
            else:
                self.app.notify(note, timeout=2)
        elif requested:
            self.app.notify("Decks reloaded: no file changed", timeout=2)


def edit_card(app: App, card: PracticeCard | None) -> bool:
    """Open ``card``'s source in ``$EDITOR`` at its line, then reload the decks.

    False (with a notice) when the card has no file or no editor can be run.
    """
    if card is None:
        return False
    study = app.study
    where = source_location(study.deck, study.current_key(card.key), card.lang)
    if where is None:
        app.notify("This card is built in and has no file to edit.", severity="warning")
        return False
    command = editor_command()
    if command is None:
        app.notify("No editor found: set $EDITOR.", severity="error")
        return False
    path, line = where
    argv = editor_argv(command, path, line)
    try:
        try:
            with app.suspend():
                subprocess.run(argv, check=False)
        except SuspendNotSupported:
            if not app.is_headless:  # e.g. in a browser: there is no terminal to lend
                app.notify("The editor cannot run here (no terminal to hand over).",
                           severity="error")
                return False
            subprocess.run(argv, check=False, stdin=subprocess.DEVNULL)
    except OSError as exc:
        app.notify(f"Cannot run {command[0]}: {exc.strerror or exc}", severity="error")
        return False
    app.deck_watcher.reload()
    return True
