"""A real browser signs DPoP proofs: headless Chromium logs in on `tutor serve --mode jwt
--dpop`'s own page, whose script binds the tokens to a WebCrypto key it cannot read.

What a learner would check in devtools: every request with the token carries a proof,
the key survives a reload (IndexedDB), the private key cannot be exported, and the token
copied out of localStorage is refused without the key (RFC 9449 §7.1, §7.2).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import httpx
import pytest

from tests.readiness import HANG_BOUND
from tests.server.chromium import (
    BrowserRecording,
    launched_chromium,
    missing_tools,
    record_session,
)
from tests.server.live import running_server

pytestmark = [pytest.mark.slow, pytest.mark.long]

# Run in the page: whether the private key kept in IndexedDB can be read out.
EXPORT_PRIVATE_KEY = """async () => {
  const keys = await keyStore("readonly", (store) => store.get("keys"));
  try {
    await crypto.subtle.exportKey("jwk", keys.privateKey);
    return "exported";
  } catch (error) {
    return error.name;
  }
}"""


def _claims(jwt: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload = (json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
                       for part in jwt.split(".")[:2])
    return header, payload


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One login, reload, reuse and logout on the DPoP page; plus what was tried while
    the server still ran (a copied token, the key's export)."""
    if reason := missing_tools():
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("dpop")
    with running_server("jwt", "--dpop", data_dir=folder) as server, \
            launched_chromium() as browser:
        recording = record_session(browser, "jwt", server.url, folder / "dpop.har")
        token = recording.storage_logged_in["access_token"]
        with httpx.Client(base_url=server.url, timeout=HANG_BOUND, trust_env=False) as client:
            as_bearer = client.get("/profile", headers={"Authorization": f"Bearer {token}"})
            without_proof = client.get("/profile", headers={"Authorization": f"DPoP {token}"})
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(server.url + "/")
            page.wait_for_function("typeof keyStore === 'function'")
            page.evaluate("dpopKeys()")
            export = page.evaluate(EXPORT_PRIVATE_KEY)
        finally:
            context.close()
    return {"recording": recording, "as_bearer": as_bearer, "without_proof": without_proof,
            "export": export}


def test_the_page_logs_in_reloads_reuses_the_token_and_logs_out(
    session: dict[str, Any],
) -> None:
    recording: BrowserRecording = session["recording"]
    assert "GET /profile -> 200" in recording.texts["profile"]
    # The key is kept in IndexedDB: after a reload the same token still works.
    assert "GET /profile -> 200" in recording.texts["home"]
    assert "POST /logout -> 200" in recording.texts["logout"]
    assert recording.console == []


def test_every_request_with_the_token_carries_a_proof_for_it(session: dict[str, Any]) -> None:
    recording: BrowserRecording = session["recording"]
    login = [sent for sent in recording.sent if sent.path == "/login"]
    assert len(login) == 1 and "dpop" in login[0].headers
    used = [sent for sent in recording.sent if sent.path in ("/profile", "/logout")]
    assert len(used) == 3, [(sent.method, sent.path) for sent in recording.sent]
    keys = set()
    for sent in used:
        scheme, _, token = sent.headers["authorization"].partition(" ")
        assert scheme == "DPoP"
        header, claims = _claims(sent.headers["dpop"])
        assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256"
        assert "d" not in header["jwk"], "the proof carries the public key only"
        assert claims["htm"] == sent.method
        assert claims["htu"].endswith(sent.path)
        digest = hashlib.sha256(token.encode()).digest()
        assert claims["ath"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        keys.add(json.dumps(header["jwk"], sort_keys=True))
    assert len(keys) == 1, "one key for the whole session, reload included"
    _, login_claims = _claims(login[0].headers["dpop"])
    assert "ath" not in login_claims  # no token yet at the token request


def test_a_token_copied_from_local_storage_is_refused_without_the_key(
    session: dict[str, Any],
) -> None:
    for answer in (session["as_bearer"], session["without_proof"]):
        assert answer.status_code == 401, answer.text
        assert answer.json()["stage"] == "dpop"
        assert answer.headers["www-authenticate"].startswith("DPoP ")


def test_the_private_key_cannot_be_read_even_by_the_page(session: dict[str, Any]) -> None:
    assert session["export"] == "InvalidAccessError"

