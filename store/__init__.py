"""Persistence behind one async interface (``store.interface``), with SQLite and MongoDB backends."""
