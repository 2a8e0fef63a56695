"""The JWT editor: tolerant decoding, and each way of finishing an edited token, sent
through the real server, fixed and vulnerable, failing at the stage RFC 8725 predicts."""

from __future__ import annotations

import pytest

from tests.repeater.helpers import bearer_draft, body_of, login_draft, sandbox
from tutor.repeater import jwt_editor
from tutor.repeater.jwt_editor import TokenFormatError
from tutor.repeater.sandbox import Sandbox
from tutor.server.config import WEAK_SECRETS

FIXED_SECRET = "a fixed secret that is long enough for HS256 tests"


async def _token(box: Sandbox) -> str:
    await box.start()
    token: str = body_of(await box.send(login_draft()))["access_token"]
    return token


async def _admin(box: Sandbox, token: str) -> tuple[int, str | None]:
    entry = await box.send(bearer_draft("/admin", token))
    body = body_of(entry)
    assert entry.main is not None
    return entry.main.response.status, body.get("stage")


def _word_that_signed(token: str) -> str | None:
    """A word-list attack, offline: the first weak secret that made this signature."""
    return next((word for word in WEAK_SECRETS if jwt_editor.secret_matches(token, word)), None)


def _as_admin(token: str) -> jwt_editor.DecodedToken:
    return jwt_editor.decode(token)


async def test_decode_reads_a_real_token_and_keeps_it_byte_for_byte() -> None:
    box = sandbox("jwt")
    token = await _token(box)
    decoded = jwt_editor.decode(f"  Bearer {token} ")
    assert decoded.algorithm == "HS256"
    assert decoded.claims["sub"] == "alice" and decoded.claims["role"] == "reader"
    assert jwt_editor.keep_signature(decoded) == token == decoded.token
    assert await _admin(box, token) == (403, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "no token"),
        ("abc", "has 1"),
        ("a.b.c.d", "has 4"),
        ("a+b.eyJ9.x", "part 1 (header) is not base64url: it has '+'"),
        ("e30.e30.!", "part 3 (signature) is not base64url"),
        ("YQ.e30.x", "part 1 (header): line 1, column 1"),
        ("WzFd.e30.x", "must be a JSON object"),
        ("e30.eyJleHAiOk5hTn0.x", "NaN is not a JSON number"),
        ("e30./w.x", "not base64url"),
        ("e30.eyJhY.x", "part 2 (claims) is not base64url: its length"),
        ("e30.eyJhIjox.x", "part 2 (claims): line 1"),
        ("x" * 20_000, "at most"),
    ],
)
def test_malformed_tokens_get_a_message_not_a_traceback(text: str, expected: str) -> None:
    with pytest.raises(TokenFormatError) as caught:
        jwt_editor.decode(text)
    assert expected in str(caught.value)


def test_edited_json_is_checked_with_line_and_column() -> None:
    assert jwt_editor.parse_json_object('{"role": "admin"}', "claims") == {"role": "admin"}
    with pytest.raises(TokenFormatError, match=r"claims: line 2, column 1"):
        jwt_editor.parse_json_object('{"role":\n}', "claims")
    with pytest.raises(TokenFormatError, match="must be a JSON object"):
        jwt_editor.parse_json_object("[1]", "header")


@pytest.mark.parametrize("vulnerable", [False, True], ids=["fixed", "vulnerable"])
async def test_keeping_the_signature_fails_at_the_signature_stage(vulnerable: bool) -> None:
    """RFC 7515 §5.2: the signature covers header and payload; any edit breaks it."""
    box = sandbox("jwt", *(["accept_alg_none"] if vulnerable else []))
    decoded = jwt_editor.decode(await _token(box))
    forged = jwt_editor.keep_signature(decoded, claims={**decoded.claims, "role": "admin"})
    assert await _admin(box, forged) == (401, "signature")


async def test_a_changed_key_id_with_the_old_signature_fails_at_the_key_stage() -> None:
    box = sandbox("jwt")
    decoded = jwt_editor.decode(await _token(box))
    forged = jwt_editor.keep_signature(decoded, header={**decoded.header, "kid": "other"},
                                       claims={**decoded.claims, "role": "admin"})
    assert await _admin(box, forged) == (401, "key")


@pytest.mark.parametrize(("vulnerable", "expected"), [
    (False, (401, "algorithm")), (True, (200, None)),
], ids=["fixed", "vulnerable"])
async def test_alg_none(vulnerable: bool, expected: tuple[int, str | None]) -> None:
    """RFC 8725 §2.1, §3.1: only a server that lets the token pick the algorithm takes it."""
    box = sandbox("jwt", *(["accept_alg_none"] if vulnerable else []))
    decoded = jwt_editor.decode(await _token(box))
    forged = jwt_editor.unsigned(decoded.header, {**decoded.claims, "role": "admin"})
    assert forged.endswith(".") and jwt_editor.decode(forged).algorithm == "none"
    assert await _admin(box, forged) == expected


async def test_the_weak_secret_is_found_offline_and_re_signing_works() -> None:
    """RFC 8725 §2.2 / §3.5: a word-list secret falls to an offline guess."""
    box = sandbox("jwt", "weak_hmac_secret")
    token = await _token(box)
    secret = _word_that_signed(token)
    assert secret is not None and jwt_editor.secret_matches(token, secret)
    decoded = jwt_editor.decode(token)
    forged = jwt_editor.sign_hs256(decoded.header, {**decoded.claims, "role": "admin"}, secret)
    assert await _admin(box, forged) == (200, None)
    wrong = next(word for word in WEAK_SECRETS if word != secret)
    badly = jwt_editor.sign_hs256(decoded.header, {**decoded.claims, "role": "admin"}, wrong)
    assert await _admin(box, badly) == (401, "signature")


async def test_against_the_fixed_server_no_word_is_the_secret() -> None:
    box = sandbox("jwt")
    token = await _token(box)
    assert _word_that_signed(token) is None
    decoded = jwt_editor.decode(token)
    forged = jwt_editor.sign_hs256(decoded.header, {**decoded.claims, "role": "admin"},
                                   "secret")
    assert await _admin(box, forged) == (401, "signature")


async def test_re_signing_with_the_right_key_leaves_only_the_claims_check() -> None:
    box = sandbox("jwt", secret=FIXED_SECRET)
    decoded = jwt_editor.decode(await _token(box))
    assert jwt_editor.sign_hs256(decoded.header, decoded.claims, FIXED_SECRET) == decoded.token
    stale = jwt_editor.sign_hs256(decoded.header, {**decoded.claims, "iss": "https://evil.test"},
                                  FIXED_SECRET)
    assert await _admin(box, stale) == (401, "claims")


async def test_a_garbled_token_fails_at_the_decode_stage() -> None:
    box = sandbox("jwt")
    await box.start()
    assert await _admin(box, "not.a-token") == (401, "decode")


def test_values_json_cannot_hold_are_refused() -> None:
    with pytest.raises(TokenFormatError, match="cannot be written as JSON"):
        jwt_editor.unsigned({}, {"exp": float("inf")})
    token = jwt_editor.unsigned({"typ": "at+jwt"}, {"n": 1})
    assert jwt_editor.decode(token).header == {"typ": "at+jwt", "alg": "none"}
