"""Opaque global ids of ``Node`` objects and the receipt cursor.

Ids carry the natural key of a record, never a backend's row id, so that they
stay valid across backends and purges.
"""

import json
import re

from store.tokens import decode_token, encode_token

CONNECTION_LOG = "ConnectionLog"
SENT_MESSAGE = "SentMessage"


_COMPACT = json.JSONEncoder(separators=(",", ":"))
"""``json.dumps(parts, separators=(",", ":"))`` without building an encoder a call."""


_PLAIN = re.compile(r"[ !#-\[\]-~]*")
"""Printable ASCII but ``"`` and ``\\``: JSON writes such a string as it is."""


def encode(*parts: str) -> str:
    if all(_PLAIN.fullmatch(part) for part in parts):
        raw = ('["' + '","'.join(parts) + '"]').encode()
    else:
        raw = _COMPACT.encode(parts).encode()
    return encode_token(raw)


def decode(value: str) -> list[str] | None:
    """The parts of an id or cursor made by :func:`encode`; None for anything else."""
    raw = decode_token(value)
    if raw is None:
        return None
    try:
        parts = json.loads(raw)
    except ValueError:  # UnicodeDecodeError included
        return None
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        return None
    return parts
