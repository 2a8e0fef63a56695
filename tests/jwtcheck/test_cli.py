"""`tutor jwt` end to end (in-process): every algorithm, tokens from PyJWT and joserfc,
tampering, wrong keys, time claims, and the exit statuses 0 / 1 / 2."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.jwtcheck.keys import ALGORITHMS, MAKERS, key_file, make_token, pair
from tutor.cli.main import main

NOW = int(time.time())
CLAIMS = {"sub": "alice", "role": "reader", "iat": NOW - 60, "exp": NOW + 3600}


def run_jwt(capsys: pytest.CaptureFixture[str], *args: str,
            stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None
            ) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    status = main(["jwt", *args])
    out, err = capsys.readouterr()
    return status, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    status, out, err = run_jwt(capsys, *args, "--json")
    assert "Traceback" not in err
    return status, json.loads(out)


def key_args(tmp_path: Path, alg: str, form: str = "pem", which: int = 0) -> list[str]:
    if alg.startswith("HS") and form == "pem":
        return ["--secret", pair(alg, which).private.decode()]
    if form == "jwks":
        return ["--jwks", str(key_file(tmp_path, alg, "jwks", which))]
    return ["--key", str(key_file(tmp_path, alg, form, which))]


@pytest.mark.parametrize("maker", MAKERS)
@pytest.mark.parametrize("alg", ALGORITHMS)
def test_a_good_token_is_valid_with_each_kind_of_key(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, maker: str, alg: str) -> None:
    token = make_token(maker, alg, CLAIMS)
    for form in ("pem", "jwk", "jwks"):
        status, report = run_json(capsys, token, *key_args(tmp_path, alg, form))
        assert (status, report["result"], report["failed_stage"]) == (0, "valid", None), form
        assert report["header"]["alg"] == alg and report["claims"]["sub"] == "alice"
        assert [s["status"] for s in report["stages"]] == ["passed"] * 5
        assert report["sent_anywhere"] is False


@pytest.mark.parametrize("maker", MAKERS)
@pytest.mark.parametrize("alg", ALGORITHMS)
def test_a_tampered_token_fails_at_the_signature_stage(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, maker: str, alg: str) -> None:
    header, _, signature = make_token(maker, alg, CLAIMS).split(".")
    forged_claims = make_token(maker, alg, {**CLAIMS, "role": "admin"}).split(".")[1]
    status, report = run_json(capsys, f"{header}.{forged_claims}.{signature}",
                              *key_args(tmp_path, alg))
    assert (status, report["failed_stage"]) == (1, "signature")
    assert [s["status"] for s in report["stages"]][-1] == "not reached"


@pytest.mark.parametrize("maker", MAKERS)
@pytest.mark.parametrize("alg", ALGORITHMS)
def test_another_key_of_the_same_kind_fails_at_the_signature_stage(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, maker: str, alg: str) -> None:
    token = make_token(maker, alg, CLAIMS)
    status, report = run_json(capsys, token, *key_args(tmp_path, alg, "jwk", which=1))
    assert (status, report["failed_stage"]) == (1, "signature")
    assert "another key" in report["reason"]


@pytest.mark.parametrize(("alg", "key_alg"), [
    ("HS256", "RS256"), ("RS256", "ES256"), ("ES256", "EdDSA"), ("EdDSA", "HS256"),
    ("PS256", "ES256"),
])
def test_a_key_of_another_kind_fails_at_the_algorithm_stage(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, alg: str, key_alg: str) -> None:
    token = make_token("pyjwt", alg, CLAIMS)
    status, report = run_json(capsys, token, *key_args(tmp_path, key_alg))
    assert (status, report["failed_stage"]) == (1, "algorithm")


def test_hs256_signed_with_the_public_key_is_algorithm_confusion_and_refused(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """RFC 8725 §2.1: the public PEM as an HMAC secret; the key decides the algorithm."""
    pem = pair("RS256").public_pem
    assert pem is not None
    from tutor.jwtcheck.signing import sign

    forged = sign({"typ": "JWT"}, {**CLAIMS, "role": "admin"}, "HS256", pem)
    status, report = run_json(capsys, forged, *key_args(tmp_path, "RS256"))
    assert (status, report["failed_stage"]) == (1, "algorithm")
    assert "algorithm confusion" in report["reason"]
    # Given the PEM as a secret on purpose, PyJWT itself refuses to use it as one.
    status, report = run_json(capsys, forged, "--secret", pem.decode())
    assert (status, report["failed_stage"]) == (1, "signature")
    assert "should not be used as an HMAC secret" in report["reason"]


@pytest.mark.parametrize("maker", MAKERS)
@pytest.mark.parametrize("alg", ALGORITHMS)
def test_time_claims_on_the_real_clock_with_leeway(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, maker: str, alg: str) -> None:
    keys = key_args(tmp_path, alg)
    expired = make_token(maker, alg, {**CLAIMS, "exp": NOW - 600})
    status, report = run_json(capsys, expired, *keys)
    assert (status, report["failed_stage"]) == (1, "claims")
    assert "expired" in report["reason"]
    assert run_json(capsys, expired, *keys, "--leeway", "3600")[0] == 0
    early = make_token(maker, alg, {**CLAIMS, "nbf": NOW + 600})
    status, report = run_json(capsys, early, *keys)
    assert (status, report["failed_stage"]) == (1, "claims")
    assert "not valid yet" in report["reason"]
    assert run_json(capsys, early, *keys, "--leeway", "3600")[0] == 0


def test_audience_issuer_kid_and_alg_pins(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    token = make_token("pyjwt", "ES256", {**CLAIMS, "aud": "bank", "iss": "https://bank.test"},
                       header={"kid": "k0"})
    keys = key_args(tmp_path, "ES256", "jwks")
    assert run_json(capsys, token, *keys, "--aud", "bank", "--iss", "https://bank.test")[0] == 0
    status, report = run_json(capsys, token, *keys, "--aud", "shop")
    assert (status, report["failed_stage"]) == (1, "claims")
    assert "another service" in report["reason"]
    assert run_json(capsys, token, *keys, "--iss", "https://evil.test")[1]["failed_stage"] == (
        "claims")
    assert run_json(capsys, token, *keys, "--alg", "RS256")[1]["failed_stage"] == "algorithm"
    rotated = make_token("pyjwt", "ES256", CLAIMS, header={"kid": "old"})
    status, report = run_json(capsys, rotated, *keys)
    assert (status, report["failed_stage"]) == (1, "key")
    assert "rotated" in report["reason"]


def test_alg_none_is_invalid_at_the_algorithm_stage(capsys: pytest.CaptureFixture[str]) -> None:
    from tutor.repeater.jwt_editor import unsigned

    status, report = run_json(capsys, unsigned({"typ": "JWT"}, CLAIMS), "--secret", "x")
    assert (status, report["failed_stage"]) == (1, "algorithm")


def test_no_key_means_unverified_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    token = make_token("joserfc", "HS256", CLAIMS)
    status, out, err = run_jwt(capsys, token)
    assert status == 1 and err == ""
    assert "UNVERIFIED" in out and "Nothing was sent anywhere" in out
    assert '"sub": "alice"' in out


def test_the_text_report_names_the_stages_and_never_the_secret(
        capsys: pytest.CaptureFixture[str]) -> None:
    token = make_token("pyjwt", "HS256", {**CLAIMS, "exp": NOW - 5})
    secret = pair("HS256").private.decode()
    status, out, _ = run_jwt(capsys, token, "--secret", secret)
    assert status == 1
    for stage in ("decode", "algorithm", "key", "signature", "claims"):
        assert stage in out
    assert "INVALID at the claims stage" in out and "expired" in out
    assert secret not in out and token in out  # the token is the learner's: shown


def test_standard_input(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                        tmp_path: Path) -> None:
    token = make_token("joserfc", "EdDSA", CLAIMS)
    status, out, _ = run_jwt(capsys, "-", *key_args(tmp_path, "EdDSA"),
                             stdin=f"Bearer {token}\n", monkeypatch=monkeypatch)
    assert status == 0 and "VALID" in out


def test_control_characters_in_claims_are_shown_not_obeyed(
        capsys: pytest.CaptureFixture[str]) -> None:
    token = make_token("pyjwt", "HS256", {**CLAIMS, "name": "\x1b[2J\x9b evil"})
    _, out, _ = run_jwt(capsys, token)
    assert "\x1b" not in out and "\x9b" not in out
    assert "\\u001b[2J\\x9b evil" in out  # JSON's escape, then visible()'s for C1
    _, out, _ = run_jwt(capsys, token, "--json")
    assert "\x1b" not in out and "\x9b" not in out
