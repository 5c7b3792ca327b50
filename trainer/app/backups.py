"""Backups as the commands see them: taken by hand, kept at exit, listed, and put back.

The copying, checking and restoring are the store's (``trainer.store.backups`` and
``trainer.store.restore``); here they are applied to a user's settings (the database and
the home's ``backups/`` folder) and the current time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from trainer.config.settings import Settings
from trainer.store import backups as _backups
from trainer.store import restore as _restore
from trainer.store.restore import BackupInfo, RestoreResult

__all__ = ["BackupInfo", "RestoreResult", "backup", "backup_folder", "check_backup",
           "check_target", "database_path", "keep_exit_backup", "list_backups", "restore"]


def backup_folder(settings: Settings) -> Path:
    return _backups.backups_dir(settings.home)


def database_path(settings: Settings) -> Path:
    return settings.db_path.expanduser().absolute()


def backup(settings: Settings, target: Path | str | None) -> Path:
    """``trainer backup [PATH]``: a consistent copy, to PATH or a new time-stamped file in
    the backups folder (``StoreError`` when it cannot be taken; nothing is changed)."""
    return _backups.write_backup(settings.db_path, target, folder=backup_folder(settings),
                                 now=datetime.now(UTC))


def keep_exit_backup(settings: Settings) -> Path | None:
    """The rotating ``auto-`` copy taken when the app exits (the newest 7 are kept)."""
    return _backups.keep_exit_backup(settings.db_path, backup_folder(settings),
                                     now=datetime.now(UTC))


def list_backups(settings: Settings) -> list[BackupInfo]:
    return _restore.list_backups(database_path(settings), backup_folder(settings))


def check_target(settings: Settings) -> None:
    _restore.check_target(database_path(settings))


def check_backup(path: Path) -> int:
    return _restore.check_backup(path)


def restore(settings: Settings, source: Path) -> RestoreResult:
    return _restore.restore(database_path(settings), source, folder=backup_folder(settings),
                            now=datetime.now(UTC))
