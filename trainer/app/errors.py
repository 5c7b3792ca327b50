"""The errors the faces catch and print as one line: the store's (a database that cannot
be opened, read or written) and a network spec's (``trainer solve``)."""

from __future__ import annotations

from trainer.store.database import StoreError

__all__ = ["StoreError"]
