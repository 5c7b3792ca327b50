"""SettingsScreen: the settings a learner changes most, checked and saved to config.toml.

Only the values that changed are written. The running session takes them at once where
it can (language, limits, day start, interview date); desired retention applies from the
next start (the FSRS scheduler is built once per session).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Select, Static

from trainer.app.preferences import SettingError, dashed, save_form
from trainer.config.settings import Settings
from trainer.tui.screens.help_modal import HELP_AND_QUIT

# (setting, label, hint) for the text fields; the language is a Select above them.
FIELDS = (
    ("desired_retention", "Desired retention", "0.70–0.97: the share of due cards you recall"),
    ("new_per_day", "New cards per day", "before the interview, paced up to cover the deck"),
    ("max_reviews_per_day", "Maximum reviews per day", "reviews shown in one study day"),
    ("rollover_hour", "Day starts at (hour)", "0–23, local time"),
    ("interview_date", "Interview date", "YYYY-MM-DD; empty: none"),
)
NEXT_START = {"desired_retention"}  # the memory model is built once per session
LANGUAGES = (("English", "en"), ("中文", "zh"))


def _text(value: object) -> str:
    return "" if value is None else str(value)


class SettingsScreen(Screen):
    HELP_TITLE = "Settings"
    # A field always has the focus here and takes the letters: help is ? or f1, quit is
    # ctrl+q only (a q typed while the language list has the focus must not quit).
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save-settings", priority=True),
        Binding("escape", "close", "Back", id="close-settings"),
        *(b for b in HELP_AND_QUIT if b.key != "q"),
    ]

    @dataclass
    class Saved(Message):
        settings: Settings
        changed: list[str] = field(default_factory=list)

    @dataclass
    class Invalid(Message):
        error: str

    def compose(self) -> ComposeResult:
        settings: Settings = self.app.settings
        yield Label("[b]Settings[/b]  saved to config.toml · ctrl+s save · esc back",
                    id="settings-title")
        with VerticalScroll(id="settings-form"):
            with Horizontal(classes="setting-row"):
                yield Label("Language", classes="setting-label")
                yield Select(LANGUAGES, value=settings.language, allow_blank=False,
                             id="set-language")
                yield Label("cards in English or Chinese", classes="setting-hint")
            for name, label, hint in FIELDS:
                with Horizontal(classes="setting-row"):
                    yield Label(label, classes="setting-label")
                    yield Input(_text(getattr(settings, name)), id=f"set-{dashed(name)}",
                                placeholder="YYYY-MM-DD" if name == "interview_date" else "")
                    yield Label(hint, classes="setting-hint")
        yield Static("", id="settings-error")
        yield Footer()

    def raw_values(self) -> dict[str, str]:
        values = {"language": str(self.query_one("#set-language", Select).value)}
        for name, _, _ in FIELDS:
            values[name] = self.query_one(f"#set-{dashed(name)}", Input).value
        return values

    def action_save(self) -> None:
        self.save(self.raw_values())

    def action_close(self) -> None:
        self.app.pop_screen()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    @work(thread=True, exclusive=True, group="settings")
    def save(self, raw: dict[str, str]) -> None:
        """Check every value, then write the changed ones (file work: off the UI thread)."""
        try:
            saved = save_form(self.app.settings, raw)
        except SettingError as exc:  # invalid, or the file cannot be written
            self.post_message(self.Invalid(str(exc)))
            return
        self.post_message(self.Saved(saved.settings, saved.changed))

    def on_settings_screen_invalid(self, message: Invalid) -> None:
        error = self.query_one("#settings-error", Static)
        error.update(message.error)
        error.display = True
        self.notify(message.error, title="Not saved", severity="error")

    def on_settings_screen_saved(self, message: Saved) -> None:
        self.app.settings = message.settings
        self.app.study.apply_settings(message.settings)
        later = [dashed(n).replace("-", " ") for n in message.changed if n in NEXT_START]
        if not message.changed:
            note = "Nothing changed"
        elif later:
            note = f"Saved · {', '.join(later)} applies next start"
        else:
            note = "Saved"
        self.notify(note, timeout=3)
        self.app.pop_screen()
