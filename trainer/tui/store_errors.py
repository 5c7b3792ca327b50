"""A database that cannot be read or written, met in a thread worker: one notification
naming the file and what is wrong, never a crash.

A worker that reads the database is wrapped in ``reports_store_errors(title)``: a
``StoreError`` (damaged file, I/O error, locked past ``busy_timeout``, ...; its message
names the file and what to do) becomes a ``StoreFailed`` message instead of an exception
that would end the app. The app shows it (``TrainerApp.on_store_failed``); a screen that
keeps state about the worker (busy, the card on screen) handles it too. Nothing is lost:
a read changes nothing, and the screen keeps what it showed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, TypeVar

from textual.message import Message
from textual.message_pump import MessagePump

from trainer.app.study import StoreError

P = ParamSpec("P")
R = TypeVar("R")
N = TypeVar("N", bound=MessagePump)


@dataclass
class StoreFailed(Message):
    """A database read (or write) in a worker failed: ``title`` says what did not happen
    ("Statistics not loaded"), ``error`` is the ``StoreError`` line (file, cause, advice)."""

    title: str
    error: str


def report_store_error(node: MessagePump, title: str, error: StoreError) -> None:
    """Post ``StoreFailed`` to ``node`` (thread-safe; it bubbles up to the app)."""
    node.post_message(StoreFailed(title, str(error)))


def reports_store_errors(title: str) -> Callable[
        [Callable[Concatenate[N, P], R]], Callable[Concatenate[N, P], R | None]]:
    """Decorate a screen's worker method (under ``@work``): a ``StoreError`` it raises is
    reported as ``StoreFailed(title, ...)`` on the screen, and the worker ends quietly."""

    def decorate(method: Callable[Concatenate[N, P], R]) -> Callable[Concatenate[N, P], R | None]:
        @functools.wraps(method)
        def guarded(node: N, *args: P.args, **kwargs: P.kwargs) -> R | None:
            try:
                return method(node, *args, **kwargs)
            except StoreError as exc:
                report_store_error(node, title, exc)
                return None

        return guarded

    return decorate
