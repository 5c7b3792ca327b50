"""Test helpers: a fixed clock, a reproducible study session, a small deck."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from trainer.app.study import StudySession
from trainer.config.settings import Settings

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")


def open_study(settings: Settings) -> StudySession:
    """A session with a fixed time zone and no fuzzing: every interval is reproducible."""
    return StudySession.open(settings, tz=UTC_ZONE, enable_fuzzing=False)


TINY_DECK = {
    "pooling.md": """---
topic: pooling
title: Pooling
---

## Where does the gradient of a max-pool go? {#pool-max}

tags: backprop

To the position of the maximum in each window; the others get zero.

## What does average pooling send back? {#pool-avg}

Each input of a $k \\times k$ window receives $\\frac{g}{k^2}$.
""",
    "conv.md": """---
topic: conv
title: Convolution
---

## Output size of a convolution? {#conv-size}

Input $H$, kernel $K$, stride $S$, padding $P$.

?

$$
\\left\\lfloor \\frac{H + 2P - K}{S} \\right\\rfloor + 1
$$

## Parameters of a 3x3 conv from 64 to 128 channels? {#conv-params}

$64 \\cdot 128 \\cdot 9 + 128 = 73{,}856$ with bias.
""",
}


async def settle(pilot) -> None:
    """Let thread workers finish, their messages be handled and the layout catch up.

    Several rounds: a handled message can start another worker or schedule a refresh
    (a DataTable sizes its columns after the rows arrive), and under load one round
    can end before that work does.
    """
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def require_torch():
    """The torch module for the oracle tests (one thread: the machine has two cores);
    skipped without it, but a failure under CI=true."""
    import os

    import pytest

    try:
        import torch
    except ImportError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: torch must be installed for the oracle tests ({error})",
                        pytrace=False)
        pytest.skip(f"torch is not importable: {error}")
    torch.set_num_threads(1)
    return torch


def torch_mismatches(family, oracle, torch, instances: int, exact, atol: float) -> list[str]:
    """Seeds ``0..instances-1`` (levels 1-3 in turn) where ``family``'s expected answer is
    not what ``oracle(torch, params)`` computes: compared equal when ``exact(instance)``,
    else within rtol 1e-9 and ``atol``."""
    import numpy as np

    failures = []
    for seed in range(instances):
        inst = family.generate(1 + seed % 3, seed)
        got = oracle(torch, inst.params)
        want = inst.expected.value
        if exact(inst):
            ok = np.array_equal(np.asarray(want), np.asarray(got))
        else:
            ok = np.allclose(np.asarray(want, dtype=float), np.asarray(got, dtype=float),
                             rtol=1e-9, atol=atol)
        if not ok:
            failures.append(f"seed {seed} (level {inst.level}): expected {want}, torch {got}, "
                            f"params {inst.params}")
    return failures


@dataclass(frozen=True)
class Note:
    """One notification, as the app was asked to show it (``App.notify``'s arguments)."""

    message: str
    title: str
    severity: str
    timeout: float | None


class Notes:
    """Every notification ``app`` is asked to show from now on, in order.

    ``App.notify`` (public; a widget's or screen's ``notify`` calls it) is wrapped on the
    app under test: Textual keeps the toasts on screen in a private attribute only. A note
    stays here after its toast times out; ``clear`` forgets those recorded so far."""

    def __init__(self, app) -> None:
        self.sent: list[Note] = []
        notify = app.notify

        def recording(message: str, *, title: str = "", severity: str = "information",
                      timeout: float | None = None, markup: bool = True) -> None:
            self.sent.append(Note(message, title, severity, timeout))
            notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

        app.notify = recording

    def __iter__(self):
        return iter(list(self.sent))

    def __len__(self) -> int:
        return len(self.sent)

    def clear(self) -> None:
        self.sent.clear()
