"""Automatic persisted queries, Apollo's protocol (SPEC §10).

A client sends ``extensions.persistedQuery = {"version": 1, "sha256Hash": H}``
without the document; the server runs the document it holds under ``H``, or
answers ``PERSISTED_QUERY_NOT_FOUND`` (HTTP 200, message ``PersistedQueryNotFound``,
which is what Apollo's links look for), after which the client sends the
document with the hash once. Over ``GET`` too, so that caches can serve a query
whose URL stays short.

* A document is remembered only once it has been run without a request or
  validation error (as Apollo Server does): a document that fails the query
  limits is never stored, and the limits apply to a stored one as to any other
  because it goes through the same path.
* A hash that does not match its document is ``BAD_USER_INPUT`` (HTTP 400).
* The documents are an LRU of :data:`MAX_DOCUMENTS` per process, of at most
  :data:`MAX_DOCUMENT_CHARS` each (larger ones run but are not kept), so it
  holds at most a few MiB. A miss costs one round trip: the protocol recovers.
"""

import hashlib
import re
from collections import OrderedDict
from typing import Any

from cross_web import HTTPException

MAX_DOCUMENTS = 512
MAX_DOCUMENT_CHARS = 32_768
NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"
NOT_FOUND_HEADERS = {"Cache-Control": "private, no-cache, must-revalidate"}
"""A miss must not be cached: the next request, sent with the document, fixes it."""
_SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")


class PersistedQueryError(HTTPException):
    """A persisted-query request that cannot run, with its GraphQL error code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, message)
        self.code = code
        self.headers = NOT_FOUND_HEADERS if code == NOT_FOUND_CODE else {}


def _bad(message: str) -> PersistedQueryError:
    return PersistedQueryError(400, "BAD_USER_INPUT", f"extensions.persistedQuery{message}")


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def requested_hash(extensions: dict[str, Any] | None) -> str | None:
    """The hash a request names (lower case), None when it uses no persisted query;
    a malformed ``persistedQuery`` is BAD_USER_INPUT naming the field."""
    if not extensions or "persistedQuery" not in extensions:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict):
        raise _bad(": must be an object {version, sha256Hash}")
    if persisted.get("version") != 1:
        raise _bad(".version: only version 1 is supported")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _SHA256_HEX.match(digest):
        raise _bad(".sha256Hash: must be the 64 hex digits of the document's SHA-256")
    return digest.lower()


class PersistedQueries:
    """The documents of this process by hash, least recently used out first."""

    def __init__(
        self, max_documents: int = MAX_DOCUMENTS, max_chars: int = MAX_DOCUMENT_CHARS
    ) -> None:
        self.max_documents = max_documents
        self.max_chars = max_chars
        self._documents: OrderedDict[str, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._documents)

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> str | None:
        """The document to run: ``query`` itself, checked against the hash when one is
        given, or the stored document of the hash. Raises :class:`PersistedQueryError`."""
        digest = requested_hash(extensions)
        if digest is None:
            return query
        if query is not None:
            if sha256_hex(query) != digest:
                raise _bad(".sha256Hash: does not match the SHA-256 of the query sent with it")
            return query
        document = self._documents.get(digest)
        if document is None:
            raise PersistedQueryError(200, NOT_FOUND_CODE, NOT_FOUND_MESSAGE)
        self._documents.move_to_end(digest)
        return document

    def remember(self, query: str, extensions: dict[str, Any] | None) -> None:
        """Keep ``query`` under its hash after it ran (only for a request that named one)."""
        digest = requested_hash(extensions)
        if digest is None or len(query) > self.max_chars:
            return
        self._documents[digest] = query
        self._documents.move_to_end(digest)
        while len(self._documents) > self.max_documents:
            self._documents.popitem(last=False)
