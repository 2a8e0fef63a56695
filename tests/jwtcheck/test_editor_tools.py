"""What the Repeater's JWT editor builds on: attacker keys and their JWKS, signing any
header, and offline cracking with the shipped word list."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from tests.jwtcheck import make_wordlist
from tutor.clock import SystemClock
from tutor.jwtcheck import crack
from tutor.jwtcheck.attacker import (
    ASYMMETRIC_ALGORITHMS,
    ATTACKER_JWKS_URL,
    attacker_jwks,
    attacker_key,
)
from tutor.jwtcheck.keys import KeySet, jwk_key, jwks_keys, secret_key
from tutor.jwtcheck.pipeline import Verifier
from tutor.jwtcheck.token import TokenFormatError, decode
from tutor.repeater import jwt_editor
from tutor.server.config import WEAK_SECRETS

CLAIMS = {"sub": "alice", "role": "admin"}


def _verifies(token: str, keys: KeySet) -> bool:
    return Verifier(keys).check(token, SystemClock()).outcome == "valid"


@pytest.mark.parametrize("alg", ASYMMETRIC_ALGORITHMS)
def test_attacker_signed_tokens_verify_against_the_jwks_evil_test_serves(alg: str) -> None:
    keys, notes = jwks_keys(attacker_jwks(), "evil.test")
    assert notes == [] and len(keys) == len(ASYMMETRIC_ALGORITHMS)
    token = jwt_editor.re_sign({"typ": "at+jwt"}, CLAIMS, alg)
    decoded = decode(token)
    assert decoded.header == {"typ": "at+jwt", "kid": attacker_key(alg).kid, "alg": alg}
    assert _verifies(token, KeySet(tuple(keys)))
    assert attacker_key(alg) is attacker_key(alg)  # one key per process: the JWKS holds it


@pytest.mark.parametrize("alg", ASYMMETRIC_ALGORITHMS)
def test_embedded_jwk_and_jku_headers(alg: str) -> None:
    header = jwt_editor.with_embedded_jwk({"typ": "at+jwt", "jku": "x"}, alg)
    assert "jku" not in header and header["jwk"]["kid"] == header["kid"]
    token = jwt_editor.re_sign(header, CLAIMS, alg)
    embedded = jwk_key(decode(token).header["jwk"], "the token's jwk")
    assert _verifies(token, KeySet((embedded,)))  # what a server trusting `jwk` does
    pointed = jwt_editor.with_attacker_jku(header, alg)
    assert pointed["jku"] == ATTACKER_JWKS_URL and "jwk" not in pointed
    assert pointed["kid"] in {key["kid"] for key in attacker_jwks()["keys"]}


def test_hmac_re_signing_exactly_as_written_even_with_an_empty_secret() -> None:
    """A kid naming an empty file gives an empty key; PyJWT's encode refuses one."""
    header = jwt_editor.with_kid({"typ": "JWT"}, "../../../../dev/null")
    for alg, digest in (("HS256", hashlib.sha256), ("HS384", hashlib.sha384),
                        ("HS512", hashlib.sha512)):
        token = jwt_editor.re_sign(header, CLAIMS, alg, "")
        decoded = decode(token)
        assert decoded.header["kid"] == "../../../../dev/null"
        assert decoded.signature_bytes == hmac.new(b"", decoded.signing_input, digest).digest()
    with pytest.raises(TokenFormatError, match="cannot sign with"):
        jwt_editor.re_sign(header, CLAIMS, "none")


def test_the_shipped_word_list_is_ours_and_holds_the_lessons_weak_secrets() -> None:
    shipped = crack.shipped_words()
    assert shipped == [word.encode() for word in make_wordlist.words()]
    assert set(WEAK_SECRETS) <= {word.decode() for word in shipped}
    assert len(shipped) == len(set(shipped))


def test_cracking_finds_the_secret_and_reports_progress() -> None:
    words = crack.shipped_words()
    secret = words[-1].decode()  # the last word: every batch is tried
    token = jwt_editor.sign_hs256({"typ": "JWT"}, CLAIMS, secret)
    reports: list[crack.CrackProgress] = []
    ticks = iter(range(10_000))

    def heard(progress: crack.CrackProgress) -> bool:
        reports.append(progress)
        return True

    result = crack.HmacTarget(token).crack(words, len(words), heard,
                                           timer=lambda: float(next(ticks)))
    assert result.found == secret.encode() and result.done and result.tried == len(words)
    assert len(reports) == -(-len(words) // crack.BATCH)
    assert [r.tried for r in reports][:-1] == [crack.BATCH * (n + 1)
                                                for n in range(len(reports) - 1)]
    assert reports[-1] == result
    assert result.line().startswith(f"tried {len(words):,} of {len(words):,} · ")
    assert result.line().endswith("offline: the server never sees a guess")


def test_cracking_stops_when_asked_and_when_no_word_fits() -> None:
    token = jwt_editor.sign_hs256({}, CLAIMS, "a secret no list has: 8f1c0e2a")
    words = crack.shipped_words()
    stopped = jwt_editor.crack_secret(token, words, len(words), lambda progress: False)
    assert stopped.found is None and not stopped.done and stopped.tried == crack.BATCH
    finished = jwt_editor.crack_secret(token, words)
    assert finished.found is None and finished.done and finished.tried == len(words)


def test_the_learners_own_word_list_in_any_encoding(tmp_path: Path) -> None:
    secret = "contraseña".encode("latin-1")
    path = tmp_path / "mine.txt"
    path.write_bytes(b"one\r\ntwo\n\n" + b"x" * 5000 + b"\n" + secret + b"\nlast")
    token = jwt_editor.re_sign({}, CLAIMS, "HS384", secret)
    result = crack.HmacTarget(token).crack(crack.words_in_file(path))
    assert result.found == secret and result.tried == 3 and result.total is None
    with pytest.raises(OSError):
        crack.words_in_file(tmp_path / "missing.txt")


def test_only_hmac_tokens_can_be_cracked() -> None:
    token = jwt_editor.re_sign({}, CLAIMS, "ES256")
    with pytest.raises(TokenFormatError, match="only HMAC tokens"):
        crack.HmacTarget(token)
    assert jwt_editor.secret_matches(jwt_editor.sign_hs256({}, CLAIMS, "jwt"), "jwt")


def test_a_weak_secret_triggers_a_note() -> None:
    token = jwt_editor.sign_hs256({}, CLAIMS, "secret")
    report = Verifier(KeySet((secret_key("secret"),))).check(token, SystemClock())
    assert report.outcome == "valid"
    assert any("weak key" in note for note in report.notes)
