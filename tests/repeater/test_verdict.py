"""An accepted request with a credential your client was not given is called out, from
the server's log and the timeline: a forged token, a victim's stolen cookie, a token
given up at logout; your own token is a plain success."""

from __future__ import annotations

import json

import jwt

from tutor.jwtcheck.attacker import attacker_key
from tutor.jwtcheck.signing import sign, sign_with, with_embedded_jwk
from tutor.repeater.draft import RequestDraft
from tutor.repeater.sandbox import Sandbox, TimelineEntry
from tutor.repeater.verdict import judge

LOGIN = RequestDraft("POST", "/login", (("Content-Type", "application/json"),), (),
                     '{"username": "alice", "password": "wonderland"}')


def _bearer(token: str) -> RequestDraft:
    return RequestDraft("GET", "/profile", (("Authorization", f"Bearer {token}"),))


async def _token(sandbox: Sandbox) -> tuple[TimelineEntry, str]:
    login = await sandbox.send(LOGIN)
    assert login.main is not None
    return login, str(json.loads(login.main.response.body)["access_token"])


async def test_your_own_token_is_a_plain_success() -> None:
    sandbox = Sandbox.choose("jwt")
    await sandbox.start()
    login, token = await _token(sandbox)
    assert judge(sandbox, login) is None
    assert judge(sandbox, await sandbox.send(_bearer(token))) is None
    refused = await sandbox.send(_bearer(token + "x"))
    assert judge(sandbox, refused) is None  # a refusal is plain already


async def test_a_token_resigned_with_a_guessed_secret_is_forged() -> None:
    sandbox = Sandbox.choose("jwt", vulnerabilities=["weak_hmac_secret"])
    await sandbox.start()
    _, token = await _token(sandbox)
    claims = jwt.decode(token, options={"verify_signature": False})
    secret = sandbox.world.server.keys.hmac_secret  # what cracking would have found
    forged = sign({**jwt.get_unverified_header(token)}, {**claims, "role": "admin"},
                  "HS256", secret)
    entry = await sandbox.send(_bearer(forged))
    assert entry.main is not None and entry.main.response.status == 200
    verdict = judge(sandbox, entry)
    assert verdict is not None and verdict.kind == "forged"
    assert "no response to your client issued this Bearer token" in verdict.message
    assert "weak_hmac_secret" in verdict.message


async def test_a_token_signed_with_its_own_embedded_key_is_forged() -> None:
    sandbox = Sandbox.choose("jwt", algorithm="RS256", vulnerabilities=["trust_jwk_header"])
    await sandbox.start()
    _, token = await _token(sandbox)
    claims = jwt.decode(token, options={"verify_signature": False})
    key = attacker_key("RS256")
    header = with_embedded_jwk({**jwt.get_unverified_header(token), "alg": "RS256"}, key)
    forged = sign_with(header, claims, key)
    entry = await sandbox.send(_bearer(forged))
    assert entry.main is not None and entry.main.response.status == 200
    verdict = judge(sandbox, entry)
    assert verdict is not None and verdict.kind == "forged"
    assert "which the token chose itself" in verdict.message


async def test_the_victims_cookie_is_replayed() -> None:
    sandbox = Sandbox.choose("cookie", victim="alice")
    await sandbox.start()
    assert sandbox.setup is not None and sandbox.setup.main is not None
    stolen = sandbox.setup.main.response.header("set-cookie") or ""
    name, _, rest = stolen.partition("=")
    entry = await sandbox.send(RequestDraft("GET", "/profile", (),
                                            ((name, rest.split(";")[0]),)))
    assert entry.main is not None and entry.main.response.status == 200
    verdict = judge(sandbox, entry)
    assert verdict is not None and verdict.kind == "replayed"
    assert "issued to alice's browser, not to yours" in verdict.message


async def test_a_signed_cookie_kept_after_logout_is_replayed() -> None:
    sandbox = Sandbox.choose("signed-cookie")
    await sandbox.start()
    login = await sandbox.send(LOGIN)
    assert login.main is not None
    line = login.main.response.header("set-cookie") or ""
    name, _, rest = line.partition("=")
    cookie = ((name, rest.split(";")[0]),)
    csrf = str(json.loads(login.main.response.body)["csrf_token"])
    sandbox.cookie_jar = False  # raw: the copy is sent by hand, as an attacker would
    out = await sandbox.send(RequestDraft("POST", "/logout", (("X-CSRF-Token", csrf),),
                                          cookie))
    assert out.main is not None and out.main.response.status < 400
    again = await sandbox.send(RequestDraft("GET", "/profile", (), cookie))
    assert again.main is not None and again.main.response.status == 200
    verdict = judge(sandbox, again)
    assert verdict is not None and verdict.kind == "replayed"
    assert "given up at a logout" in verdict.message
