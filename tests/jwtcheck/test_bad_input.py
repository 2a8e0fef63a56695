"""`tutor jwt` with bad input: a clear message naming what is wrong, exit status 2, never a
traceback; keys from a loopback URL only."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.jwtcheck.keys import make_token, pair
from tests.jwtcheck.test_cli import CLAIMS, run_jwt
from tests.long_run import examples
from tutor.cli.jwt import run
from tutor.cli.main import build_parser


@pytest.mark.parametrize(("token", "expected"), [
    ("", "no token to read"),
    ("hello", "has 1"),
    ("a.b.c.d.e", "encrypted JWE"),
    ("a+b.e30.x", "plain base64"),
    ("e30.e30.!!", "part 3 (signature) is not base64url"),
    ("WzFd.e30.", "must be a JSON object"),
    ("_w.e30.", "not UTF-8"),
    ("x" * 20_000, "at most"),
])
def test_garbage_tokens_exit_2_with_the_reason(capsys: pytest.CaptureFixture[str],
                                               token: str, expected: str) -> None:
    status, out, err = run_jwt(capsys, token)
    assert status == 2
    assert expected in err and "Traceback" not in err
    assert "NOT A TOKEN" in out


def _write(tmp_path: Path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return str(path)


def test_bad_keys_exit_2_with_the_option_and_reason(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    token = make_token("pyjwt", "HS256", CLAIMS)
    cases = [
        (["--key", str(tmp_path / "missing.pem")], "no such file"),
        (["--key", str(tmp_path)], "is a folder"),
        (["--key", _write(tmp_path, "junk.pem", "hello")], "not a PEM key"),
        (["--key", _write(tmp_path, "bad.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n"
                                               "-----END PUBLIC KEY-----\n")],
         "not a PEM public key"),
        (["--key", _write(tmp_path, "bad.jwk", '{"kty": "RSA", "n": 1}')], "not a valid RSA"),
        (["--key", _write(tmp_path, "odd.jwk", '{"kty": "XYZ"}')], "unsupported key type"),
        (["--key", _write(tmp_path, "trunc.jwk", '{"kty": ')], "not JSON: line 1"),
        (["--key", _write(tmp_path, "bin.jwk", b"{\xff\xfe")], "not UTF-8"),
        (["--jwks", _write(tmp_path, "empty.json", '{"keys": []}')], "no usable"),
        (["--jwks", _write(tmp_path, "list.json", "[1, 2]")], "a JWK or JWKS is a JSON"),
        (["--jwks", _write(tmp_path, "deep.json", "{\"keys\": " + "[" * 100_000)], "JSON"),
        (["--secret", ""], "the secret is empty"),
        (["--leeway", "-5", "--secret", "x"], "leeway"),
        (["--leeway", "nan", "--secret", "x"], "leeway"),
        (["--alg", "HS999", "--secret", "x"], "unknown algorithm"),
        (["--jwks", "https://example.com/jwks.json"], "only from this machine"),
        (["--jwks", "http://10.0.0.1/jwks.json"], "only from this machine"),
        (["--jwks", "http://user:pw@127.0.0.1/jwks"], "user name or password"),
        (["--jwks", "ftp://127.0.0.1/jwks"], "only http"),
        (["--jwks", "http://127.0.0.1:99999/"], "not a URL"),
    ]
    for args, expected in cases:
        status, out, err = run_jwt(capsys, token, *args)
        assert status == 2, (args, err)
        assert expected in err, (args, err)
        assert "Traceback" not in err and err.startswith("tutor jwt: ")
        status, out, _ = run_jwt(capsys, token, *args, "--json")
        assert json.loads(out)["result"] == "bad input"


def test_a_jwks_with_an_odd_key_skips_it_with_a_note(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    token = make_token("pyjwt", "EdDSA", CLAIMS)
    jwks = {"keys": [{"kty": "XYZ"}, {**pair("RS256").public_jwk, "use": "enc"},
                     pair("EdDSA").public_jwk]}
    status, out, _ = run_jwt(capsys, token, "--jwks", _write(tmp_path, "k.json",
                                                             json.dumps(jwks)), "--json")
    report = json.loads(out)
    assert status == 0
    assert any("unsupported key type" in note for note in report["notes"])
    assert any("encryption key" in note for note in report["notes"])


@pytest.fixture
def loopback_jwks() -> Iterator[str]:
    """A JWKS served on 127.0.0.1 (port 0) by the standard library's HTTP server."""
    body = json.dumps({"keys": [pair("ES256").public_jwk]}).encode()
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            status = 200 if self.path == "/jwks.json" else 302
            self.send_response(status)
            if status == 302:
                self.send_header("Location", "https://example.com/jwks.json")
            self.send_header("Content-Length", str(len(body) if status == 200 else 0))
            self.end_headers()
            if status == 200:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert all("eyJ" not in path for path in seen)  # the token is never sent


def test_a_jwks_from_a_loopback_url(capsys: pytest.CaptureFixture[str],
                                    loopback_jwks: str) -> None:
    token = make_token("joserfc", "ES256", CLAIMS)
    status, out, _ = run_jwt(capsys, token, "--jwks", f"{loopback_jwks}/jwks.json", "--json")
    report = json.loads(out)
    assert status == 0 and report["keys_fetched_from"] == f"{loopback_jwks}/jwks.json"
    status, _, err = run_jwt(capsys, token, "--jwks", f"{loopback_jwks}/moved")
    assert status == 2 and "302" in err and "redirects are not followed" in err


@settings(max_examples=examples(100), deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.text(max_size=300),
    st.lists(st.text(alphabet="eyJABCabc0123456789-_=+/.{}\"\x00\x1b", max_size=60),
             min_size=1, max_size=5).map(".".join),
    st.binary(max_size=200).map(lambda raw: raw.decode("latin-1")),
))
def test_any_input_gets_an_answer_never_a_traceback(text: str) -> None:
    """Whatever is given, the command ends with 0, 1 or 2 and says why on its streams."""
    import io

    args = build_parser().parse_args(["jwt", "-", "--secret", "s", "--json"])
    out, err = io.StringIO(), io.StringIO()
    status = run(args, stdin=io.StringIO(text), stdout=out, stderr=err)
    assert status in (1, 2)
    report = json.loads(out.getvalue())
    assert report["result"] in ("invalid", "unreadable", "bad input")
    if status == 2:
        assert err.getvalue().startswith("tutor jwt: ")
