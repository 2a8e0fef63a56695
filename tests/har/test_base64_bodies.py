"""Base64 bodies: exactly what `base64.b64decode(text, validate=True)` gives (after removing
whitespace, for line-wrapped text), or the one HarError."""

from __future__ import annotations

import base64
import binascii

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.long_run import examples
from tutor.har.model import HarError, decode_base64

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _expected(text: str) -> bytes | None:
    """What the standard library's strict decoding accepts (None: refused)."""
    for attempt in (text, "".join(text.split())):
        try:
            return base64.b64decode(attempt.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            continue
    return None


def _decoded(text: str) -> bytes | None:
    try:
        return decode_base64(text, "entries[0].response.content.text")
    except HarError as error:
        assert error.where == "entries[0].response.content.text"
        return None


@pytest.mark.parametrize("text", [
    "", "QQ==", "QUI=", "QUJD", "QUJDRA==",
    "QUJD=",  # "=" after a whole quad: binascii's strict mode takes it
    "QUJD\nRA==", " QUJD ", "QUJD\r\n", "=QUJD", "QQ=A", "QQ==QQ==", "QUJ", "Q",
    "QUJD-_==", "QUJDé", "QUJD\u3000", "QUJD\x00", "\ud800",
])
def test_each_tricky_text_decodes_as_the_standard_library_does(text: str) -> None:
    assert _decoded(text) == _expected(text)


@settings(max_examples=examples(200), deadline=None)
@given(st.binary(max_size=40), st.lists(st.tuples(st.integers(0, 80), st.sampled_from(
    [*"=\n\r\t -_*é", "=="])), max_size=3))
def test_any_damage_to_base64_decodes_as_the_standard_library_does(
        data: bytes, damage: list[tuple[int, str]]) -> None:
    text = base64.b64encode(data).decode()
    for at, inserted in damage:
        text = text[:at] + inserted + text[at:]
    assert _decoded(text) == _expected(text)


@given(st.text(_ALPHABET + "=\n ", max_size=20))
@settings(max_examples=examples(100), deadline=None)
def test_any_text_of_base64_characters_decodes_as_the_standard_library_does(
        text: str) -> None:
    assert _decoded(text) == _expected(text)
