"""TrainerApp: the screens, the app-wide actions and the command palette."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from trainer.app.preferences import SettingError, save_language
from trainer.app.study import StudySession
from trainer.config.settings import Settings
from trainer.tui.live_reload import POLL_SECONDS, DeckWatcher
from trainer.tui.screens.help_modal import HelpModal, key_names, key_rows
from trainer.tui.screens.practice_screen import PracticeScreen
from trainer.tui.store_errors import StoreFailed

STORE_NOTICE_SECONDS = 20  # a database error stays on screen this long


def utc_now() -> datetime:
    return datetime.now(UTC)


class TrainerApp(App[int]):
    TITLE = "trainer"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="palette"),
    ]
    # Every screen gets one class of each (unless it sets its own): app.tcss fits the
    # layouts to 80×24 with them.
    HORIZONTAL_BREAKPOINTS = [(0, "-cols-80"), (100, "-cols-100")]
    VERTICAL_BREAKPOINTS = [(0, "-rows-24"), (36, "-rows-36")]

    @dataclass
    class SettingNotSaved(Message):
        """A setting changed by a key (the language) could not be written to the file."""

        error: str

    def __init__(
        self, settings: Settings, study: StudySession, *,
        clock: Callable[[], datetime] = utc_now, start_practice: bool = True,
        topic: str | None = None, start_missed: bool = False,
        missed_window: timedelta | None = timedelta(days=7),
        poll_decks: float | None = POLL_SECONDS,
    ) -> None:
        """``poll_decks``: seconds between two looks at the deck files (None: only when
        asked, with r or after e)."""
        super().__init__()
        self.settings = settings
        self.study = study
        self.clock = clock
        self.deck_watcher = DeckWatcher(self, study, poll_decks)  # started when mounted
        self._saving_language = threading.Lock()
        self._start_practice = start_practice
        self._topic = topic
        self._start_missed = start_missed  # `trainer review --missed`: drill at once
        self._missed_window = missed_window
        self._store_notice: tuple[tuple[str, str], float] | None = None  # the last one shown

    def on_mount(self) -> None:
        # The deck and the imports are loaded and live as long as the app: move them out
        # of the garbage collector's sight, or every full collection walks them all (a
        # pause in the middle of an answer with a large deck).
        gc.freeze()
        gc.enable()  # off while the command started up (cli.main)
        self.deck_watcher.start()  # live reload of the deck folders (tui/live_reload.py)
        if self._start_practice:
            # Straight to a card; the topics screen is built when practice is first left
            # (composing it first, never seen, cost start-up its widgets and queries).
            self.start_practice(self._topic)
            return
        # The other screens are imported where first shown (a start on a card needs only
        # the practice screen; importing the rest delays it).
        from trainer.tui.screens.home_screen import HomeScreen
        from trainer.tui.screens.missed_screen import MissedScreen

        self.push_screen(HomeScreen())
        if self._start_missed:
            self.push_screen(MissedScreen(self._missed_window, drill_now=True))

    # -- app-wide actions ------------------------------------------------------------------
    async def action_quit(self) -> None:
        """q: in the middle of a session, its summary first (any key then quits)."""
        screen = self.screen
        if isinstance(screen, PracticeScreen) and screen.show_summary_before_quit():
            return
        self.exit()

    def start_practice(self, topic: str | None) -> None:
        self.study.set_topic(topic)
        self.push_screen(PracticeScreen(topic))

    def show_topics(self) -> None:
        from trainer.tui.screens.home_screen import HomeScreen

        if isinstance(self.screen, PracticeScreen):
            if any(isinstance(s, HomeScreen) for s in self.screen_stack):
                self.pop_screen()
            else:  # the session started on a card: the topics screen takes its place
                self.switch_screen(HomeScreen())

    def toggle_language(self) -> None:
        language = "en" if self.study.language == "zh" else "zh"
        self.study.set_language(language)
        self.save_language()
        self.notify("中文" if language == "zh" else "English", timeout=1.5)

    @work(thread=True, group="preferences")
    def save_language(self) -> None:
        """Remember the language for the next start (file work: off the UI thread). The
        language read here is the latest: two quick switches save the last one."""
        try:
            with self._saving_language:  # the language read and written in one go
                save_language(self.settings, self.study.language)
        except SettingError as exc:  # the file is not valid now, or cannot be written
            self.post_message(self.SettingNotSaved(str(exc)))

    def on_trainer_app_setting_not_saved(self, message: SettingNotSaved) -> None:
        self.notify(f"Language not saved: {message.error} (the file was left as it is)",
                    severity="warning", markup=False)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpModal):
            return
        screen = self.screen
        title = getattr(screen, "HELP_TITLE", None) or (
            "Practice" if isinstance(screen, PracticeScreen) else "Topics")
        self.push_screen(HelpModal(title, key_rows(screen, list(self.BINDINGS))))

    def on_store_failed(self, message: StoreFailed) -> None:
        """A worker could not read (or write) the database: say what and where, go on.
        The same failure from two workers at once (a refresh reads twice) is shown once."""
        now = time.monotonic()
        notice = (message.title, message.error)
        if self._store_notice is not None and self._store_notice[0] == notice \
                and now - self._store_notice[1] < STORE_NOTICE_SECONDS:
            return
        self._store_notice = (notice, now)
        self.notify(message.error, title=message.title, severity="error",
                    timeout=STORE_NOTICE_SECONDS, markup=False)

    def format_time(self, moment: datetime | None) -> str | None:
        """A due time for people: local, with the day when it is not today."""
        if moment is None:
            return None
        local = moment.astimezone()
        today = self.clock().astimezone().date()
        if local.date() == today:
            return local.strftime("today %H:%M")
        return local.strftime("%a %d %b %H:%M")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The screen's actions, one command each (its keys as the help lists them: ``? or
        f1``), then Textual's own but those the screen already offers (its Quit)."""
        keys: dict[tuple[str, str], list[str]] = {}
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                names = keys.setdefault((binding.action, binding.description), [])
                names += [k for k in key_names(binding.key) if k not in names]
        ours = [SystemCommand(
            description, f"key{'s' * (len(names) > 1)}: {' or '.join(names)}",
            lambda action=action, screen=screen: self._run_screen_action(screen, action))
            for (action, description), names in keys.items()]
        titles = {command.title for command in ours}
        yield from (c for c in super().get_system_commands(screen) if c.title not in titles)
        yield from ours
        yield from self._study_commands()

    def _study_commands(self) -> Iterable[SystemCommand]:
        """'Study: <group or topic>' for each group and topic, as --topic reaches them."""
        study = self.study
        titles: dict[str, str] = {}
        for card in study.deck.cards.values():
            titles.setdefault(card.topic, card.topic_title(study.language))
        targets = [(g.slug, g.title(study.language)) for g in study.plan.groups]
        targets += sorted(titles.items(), key=lambda kv: study.plan.rank(kv[0]))
        for slug, title in targets:
            yield SystemCommand(f"Study: {title}", f"practise {slug}",
                                lambda slug=slug: self.start_practice(slug))

    def _run_screen_action(self, screen: Screen, action: str) -> None:
        self.call_later(self.run_action, action, screen)

    def on_unmount(self) -> None:
        self.study.close()


def make_app(settings: Settings, study: StudySession, **kwargs) -> TrainerApp:
    return TrainerApp(settings, study, **kwargs)
