"""The database as the commands open it without a study session: created or migrated
before serving (so the browser tabs' processes start on an up-to-date file), and read-only
for an export (no decks loaded, nothing written)."""

from __future__ import annotations

from trainer.config.settings import Settings
from trainer.store.database import Reader, open_database, open_reader

__all__ = ["Reader", "prepare", "reader"]


def prepare(settings: Settings) -> None:
    """Create or migrate the database, then let go of it (``StoreError``: unusable)."""
    open_database(settings.db_path).close()


def reader(settings: Settings) -> Reader:
    """A read-only connection (plain sqlite3, no SQLAlchemy); the caller closes it."""
    return open_reader(settings.db_path)
