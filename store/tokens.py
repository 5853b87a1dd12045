"""Opaque tokens (cursors, node ids): bytes as unpadded URL-safe base64, once."""

import base64
import binascii


def encode_token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> bytes | None:
    """The bytes of a token made by :func:`encode_token`; None for any other text:
    characters outside the URL-safe alphabet, padding, or another spelling of the
    same bytes (one value, one token)."""
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if encode_token(raw) == token else None
