"""Garbage collection while the user reads a card, never while a key is being handled.

CPython's automatic full collections walk every tracked object that is not frozen; in
a practice session they came in the middle of an answer, the largest part of its slowest
answers (docs/performance.md). So while the practice screen is up, automatic collection
is off, and the screen collects right after it has drawn a card: the young generations
every time (cheap), the whole heap every ``FULL_EVERY`` cards. Leaving the screen turns
automatic collection back on.
"""

from __future__ import annotations

import gc


class IdleCollector:
    FULL_EVERY = 20

    def __init__(self) -> None:
        self._drawn = 0
        self._disabled_here = False

    def start(self) -> None:
        if gc.isenabled():
            gc.disable()
            self._disabled_here = True

    def stop(self) -> None:
        if self._disabled_here:
            gc.enable()
            self._disabled_here = False

    def after_frame(self) -> None:
        """A card was just drawn: the user reads it for seconds from now."""
        if not self._disabled_here:
            return
        self._drawn += 1
        gc.collect(2 if self._drawn % self.FULL_EVERY == 0 else 1)
