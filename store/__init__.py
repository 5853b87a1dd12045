"""Persistence behind one async interface (``store.interface``): SQLite and MongoDB."""
