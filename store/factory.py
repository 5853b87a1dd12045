"""Build a store from its URL (``--store`` / ``TRACKING_STORE``)."""

from urllib.parse import urlsplit

from store.interface import Store
from store.limits import DEFAULT_RETENTION_DAYS

_SQLITE_PREFIX = "sqlite:///"


def sqlite_path(url: str) -> str | None:
    """The file of a ``sqlite:///`` URL; ``None`` for any other store."""
    scheme = urlsplit(url).scheme.lower() if "://" in url else ""
    if scheme != "sqlite":
        return None
    path = url[len(_SQLITE_PREFIX) :] if url.startswith(_SQLITE_PREFIX) else ""
    if not path:
        raise ValueError(
            f"a sqlite store URL is sqlite:///relative/path.db or sqlite:////abs/path.db,"
            f" not {url!r}"
        )
    return path


def open_store(url: str, retention_days: int = DEFAULT_RETENTION_DAYS) -> Store:
    """An unopened store for ``url``; the caller awaits its ``open()``.

    * ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``: the
      embedded backend on that file (created with its folder when missing, readable
      by its owner only);
    * ``mongodb://...`` or ``mongodb+srv://...``: the MongoDB backend.
    """
    path = sqlite_path(url)
    if path is not None:
        from store.sqlite import SqliteStore

        return SqliteStore(path, retention_days)
    scheme = urlsplit(url).scheme.lower() if "://" in url else ""
    if scheme in ("mongodb", "mongodb+srv"):
        from store.mongo import MongoStore

        return MongoStore(url, retention_days)
    raise ValueError(
        f"unsupported store URL scheme {scheme!r} in {url!r}: use sqlite:/// or mongodb://"
    )
