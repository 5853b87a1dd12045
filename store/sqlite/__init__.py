"""The embedded SQLite backend (the default store)."""

from store.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
