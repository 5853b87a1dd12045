"""``store.tokens``: the one encoding of cursors and node ids."""

from hypothesis import given
from hypothesis import strategies as st

from store.tokens import decode_token, encode_token


@given(st.binary(max_size=200))
def test_a_token_is_unpadded_url_safe_and_decodes_to_its_bytes(raw: bytes) -> None:
    token = encode_token(raw)
    assert "=" not in token and "+" not in token and "/" not in token
    assert decode_token(token) == raw


def test_text_outside_the_alphabet_is_no_token() -> None:
    good = encode_token(b"m:1700000000000:7")
    assert decode_token(good[:4] + "!" + good[4:]) is None
    assert decode_token(good + "+/") is None
    assert decode_token("a") is None  # a length no encoding has
    assert decode_token(encode_token(b"\xfb\xff")) == b"\xfb\xff"
    assert decode_token("-_8") == b"\xfb\xff" and decode_token("+/8") is None
    assert decode_token("AA") == b"\x00" and decode_token("AB") is None, "one spelling a value"
    assert decode_token(good + "==") is None
