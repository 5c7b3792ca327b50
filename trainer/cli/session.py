"""What the commands that open the app share: the study session, the terminal check, and
running the app with the exit backup after it (``trainer``, ``practice``, ``review``)."""

from __future__ import annotations

import argparse
import os
import sys

from trainer.cli.errors import EXIT_OK, EXIT_USAGE, fail
from trainer.config.settings import Settings


def practice(settings: Settings, args: argparse.Namespace) -> int:
    """``trainer`` and ``trainer practice [--topic SLUG]``: the app on the study queue."""
    study = open_study(settings)
    if study is None:
        return EXIT_USAGE
    topics = {c.topic for c in study.cards()}
    groups = [g.slug for g in study.plan.groups]
    if args.topic and args.topic not in topics | set(groups):
        study.close()
        return fail(f"no topic or group {args.topic!r}; groups: {', '.join(groups)}; "
                    f"topics: {', '.join(sorted(topics))}")
    if (problem := needs_terminal()) is not None:
        study.close()
        return fail(problem)
    return run_app(settings, study, topic=args.topic)


def open_study(settings: Settings):
    """The study session, or None after printing why it cannot be opened (one line)."""
    from trainer.app.errors import StoreError
    from trainer.app.study import StudySession

    try:
        return StudySession.open(settings)
    except StoreError as exc:
        print(f"trainer: {exc}", file=sys.stderr)
        return None


def needs_terminal() -> str | None:
    """Why the app cannot run here (None: it can). Without a terminal on standard input
    (``trainer < /dev/null``, a pipe, cron) Textual drew to stderr forever at 85 % of a core.
    A served app (textual-serve) brings its own driver and needs none."""
    if os.environ.get("TEXTUAL_DRIVER") or sys.stdin.isatty():
        return None
    return ("practising needs a terminal, and standard input is not one; run trainer in a "
            "terminal (for scripts: trainer exercise, stats, cards, review --missed --list)")


def run_app(settings: Settings, study, **options) -> int:
    """Run the app on ``study`` (``make_app``'s options), then keep the exit backup, even
    when the app crashed: the copy is taken after it let go of the file."""
    from trainer.tui.app import make_app

    app = make_app(settings, study, **options)
    try:
        app.run()
    finally:
        keep_exit_backup(settings)
    return app.return_code or EXIT_OK


def keep_exit_backup(settings: Settings) -> None:
    """A failure to write the exit backup is a warning, never a reason to lose the exit
    status of the session."""
    from trainer.app.backups import keep_exit_backup as keep
    from trainer.app.errors import StoreError

    try:
        keep(settings)
    except StoreError as exc:
        print(f"trainer: warning: {exc}", file=sys.stderr)
