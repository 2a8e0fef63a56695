"""The signed-cookie editor in the core: decode, tamper (the server refuses), re-sign with
a guessed secret (a weak-secret server accepts, and the verdict calls it forged)."""

from __future__ import annotations

import re

import pytest

from tutor.jwtcheck.crack import shipped_words
from tutor.repeater.draft import RequestDraft
from tutor.repeater.sandbox import Sandbox
from tutor.repeater.signed_editor import (
    SignedCookieFormatError,
    crack_secret,
    decode,
    keep_signature,
    parse_data,
    re_sign,
    secret_matches,
)
from tutor.repeater.verdict import judge

LOGIN = RequestDraft("POST", "/login", (("Content-Type", "application/json"),), (),
                     '{"username": "alice", "password": "wonderland"}')


async def _logged_in(*weaknesses: str) -> tuple[Sandbox, str, str]:
    sandbox = Sandbox.choose("signed-cookie", vulnerabilities=weaknesses)
    await sandbox.start()
    await sandbox.send(LOGIN)
    cookie = next(c for c in sandbox.you.jar.cookies() if c.name.endswith("session"))
    return sandbox, cookie.name, cookie.value


async def _profile(sandbox: Sandbox, name: str, value: str) -> int:
    sandbox.cookie_jar = False
    entry = await sandbox.send(RequestDraft("GET", "/profile", (), ((name, value),)))
    assert entry.main is not None
    return entry.main.response.status


async def test_decode_and_keep_the_signature() -> None:
    sandbox, name, value = await _logged_in()
    cookie = decode(value)
    assert cookie.data["user"] == "alice" and cookie.data["role"] == "reader"
    assert cookie.timestamp == int(sandbox.world.clock.now())
    assert keep_signature(cookie, dict(cookie.data)) == value
    tampered = keep_signature(cookie, {**cookie.data, "role": "admin"})
    assert tampered != value
    assert await _profile(sandbox, name, tampered) == 401


async def test_a_guessed_secret_re_signs_and_a_weak_server_accepts() -> None:
    sandbox, name, value = await _logged_in("weak_hmac_secret")
    result = crack_secret(value, shipped_words())
    assert result.found is not None and secret_matches(value, result.found)
    assert result.found == sandbox.world.server.keys.hmac_secret
    data = {**decode(value).data, "role": "admin"}
    forged = re_sign(data, result.found.decode(), int(sandbox.world.clock.now()))
    assert await _profile(sandbox, name, forged) == 200
    verdict = judge(sandbox, sandbox.entries[-1])
    assert verdict is not None and verdict.kind == "forged"


async def test_a_strong_secret_is_not_found() -> None:
    _, _, value = await _logged_in()
    stops: list[int] = []

    def keep_going(tried: int) -> bool:
        stops.append(tried)
        return tried < 512

    result = crack_secret(value, (w for w in shipped_words()[:600]), keep_going)
    assert result.found is None and result.tried == 512 and stops == [256, 512]


@pytest.mark.parametrize(("value", "expected"), [
    ("abc", "three parts"),
    ("a..b", "three parts"),
    ("!!!.AAAA.sig", "part 1 (the data) is not base64 of JSON"),
    ("WzFd.AAAA.sig", "JSON but not an object"),
    ("e30.!!!.sig", "part 2 (the timestamp) is not base64"),
    ("x" * 5000, "longer than 4096"),
])
def test_bad_cookies_say_which_part_is_wrong(value: str, expected: str) -> None:
    with pytest.raises(SignedCookieFormatError, match=re.escape(expected)):
        decode(value)


def test_bad_data_says_where() -> None:
    with pytest.raises(SignedCookieFormatError, match="line 1 column 2"):
        parse_data("{x")
    with pytest.raises(SignedCookieFormatError, match="must be a JSON object"):
        parse_data("[1]")
    assert parse_data('{"a": 1}') == {"a": 1}
