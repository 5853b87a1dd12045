"""The embedded SQLite backend (the default store)."""

from store.sqlite.backend import SqliteStore

__all__ = ["SqliteStore"]
