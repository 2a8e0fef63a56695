"""Failed logins are throttled per account and per client, on the server's clock, and a
lock always ends by itself (OWASP Authentication Cheat Sheet, "Account Lockout")."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ServerFactory
from tests.long_run import examples
from tests.server.helpers import ALICE
from tutor.clock import SimulatedClock
from tutor.server import throttle as throttle_module
from tutor.server.events import LoginThrottled, PasswordChecked
from tutor.server.throttle import (
    FIRST_DELAY,
    FREE_ACCOUNT_FAILURES,
    FREE_CLIENT_FAILURES,
    MAX_DELAY,
    WINDOW,
    LoginThrottle,
)

WRONG = {"username": "alice", "password": "not-it"}


def _fail(throttle: LoginThrottle, times: int, now: float, user: str = "alice",
          client: str = "10.0.0.1") -> None:
    for _ in range(times):
        throttle.failed(user, client, now)


def test_five_failures_lock_the_account_for_a_while_then_it_opens_by_itself() -> None:
    throttle = LoginThrottle()
    _fail(throttle, FREE_ACCOUNT_FAILURES - 1, 0)
    assert throttle.check("alice", "10.0.0.1", 0) is None
    _fail(throttle, 1, 0)
    refusal = throttle.check("alice", "10.0.0.2", 0)  # from anywhere: the counter is the account's
    assert refusal is not None and refusal.scope == "account"
    assert refusal.retry_after == FIRST_DELAY
    assert throttle.check("alice", "10.0.0.1", FIRST_DELAY) is None
    assert throttle.check("bob", "10.0.0.1", 0) is None  # other accounts are untouched


def test_each_further_failure_doubles_the_wait_up_to_the_cap_and_refusals_do_not_extend() -> None:
    throttle = LoginThrottle()
    _fail(throttle, FREE_ACCOUNT_FAILURES, 0)
    now, waits = 0.0, []
    for _ in range(8):
        refusal = throttle.check("alice", "c", now)
        assert refusal is not None
        waits.append(refusal.retry_after)
        # Asking again while locked changes nothing: refused attempts are not counted.
        assert throttle.check("alice", "c", now + 1) == refusal.__class__(
            "account", refusal.retry_after - 1, refusal.failures)
        now += refusal.retry_after
        assert throttle.check("alice", "c", now) is None
        throttle.failed("alice", "c", now)
    assert waits == [min(MAX_DELAY, FIRST_DELAY * 2 ** i) for i in range(8)]
    assert max(waits) == MAX_DELAY


def test_a_quiet_window_forgets_the_failures() -> None:
    throttle = LoginThrottle()
    _fail(throttle, FREE_ACCOUNT_FAILURES - 1, 0)
    throttle.failed("alice", "c", WINDOW)  # the earlier ones are forgotten first
    assert throttle.check("alice", "c", WINDOW) is None
    assert throttle.accounts["alice"].count == 1


def test_a_client_guessing_many_accounts_is_locked_and_its_own_login_does_not_reset_it() -> None:
    throttle = LoginThrottle()
    for i in range(FREE_CLIENT_FAILURES):
        throttle.failed(f"user{i}", "6.6.6.6", 0)
    throttle.succeeded("mallory", "6.6.6.6", 0)
    refusal = throttle.check("someone", "6.6.6.6", 0)
    assert refusal is not None and refusal.scope == "client"
    assert throttle.check("someone", "7.7.7.7", 0) is None


def test_a_client_that_logged_in_before_is_not_held_by_the_accounts_lock() -> None:
    """OWASP (Device Cookies): an account lock alone lets an attacker lock the owner out;
    the owner's known client keeps working while strangers wait."""
    throttle = LoginThrottle()
    throttle.succeeded("alice", "alice-laptop", 0)
    _fail(throttle, FREE_ACCOUNT_FAILURES, 1, client="attacker")
    assert throttle.check("alice", "attacker", 2) is not None
    assert throttle.check("alice", "alice-laptop", 2) is None


@settings(max_examples=examples(50))
@given(st.lists(st.tuples(st.sampled_from("abcdefgh"), st.sampled_from("xyz"),
                          st.integers(0, 3 * WINDOW)), max_size=60))
def test_every_lock_ends_within_the_cap(attempts: list[tuple[str, str, int]]) -> None:
    throttle, now = LoginThrottle(), 0.0
    for user, client, step in attempts:
        now += step
        if throttle.check(user, client, now) is None:
            throttle.failed(user, client, now)
        for counter in (*throttle.accounts.values(), *throttle.clients.values()):
            assert counter.locked_until - now <= MAX_DELAY
    later = now + MAX_DELAY
    assert all(throttle.check(u, c, later) is None for u in "abcdefgh" for c in "xyz")


def test_counters_are_bounded_whatever_the_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle_module, "MAX_TRACKED", 50)
    throttle = LoginThrottle()
    for i in range(1_000):
        throttle.failed(f"name{i}", f"client{i}", i / 100)
        throttle.succeeded(f"name{i}", f"client{i}", i / 100)
    assert len(throttle.accounts) <= 50 and len(throttle.clients) <= 50
    assert len(throttle.trusted) <= 50


async def _post(server_client: httpx.AsyncClient, body: dict[str, str]) -> httpx.Response:
    return await server_client.post("/login", json=body)


@pytest.mark.parametrize("mode", ["cookie", "jwt", "signed-cookie"])
async def test_the_sixth_try_is_429_with_retry_after_and_no_password_check(
    make_server: ServerFactory, clock: SimulatedClock, mode: str,
) -> None:
    server = make_server(mode=mode)
    async with server.client() as client:
        for _ in range(FREE_ACCOUNT_FAILURES):
            assert (await _post(client, WRONG)).status_code == 401
        checked = sum(isinstance(e, PasswordChecked) for e in server.log.events)
        refused = await _post(client, ALICE)  # even the right password waits
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == str(FIRST_DELAY)
        assert refused.json()["error"] == "too_many_attempts"
        assert "try again in 30 s" in refused.json()["error_description"]
        assert sum(isinstance(e, PasswordChecked) for e in server.log.events) == checked
        [event] = [e for e in server.log.events if isinstance(e, LoginThrottled)]
        assert (event.scope, event.retry_after, event.failures) == ("account", 30, 5)
        assert server.log.requests()[-1].status == 429
        clock.advance(FIRST_DELAY)
        assert (await _post(client, ALICE)).status_code == 200


async def test_unknown_usernames_are_throttled_the_same_way(make_server: ServerFactory) -> None:
    """The lock must not tell real accounts from made-up ones (no user enumeration)."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        for name in ("alice", "mallory"):
            statuses = [(await _post(client, {"username": name, "password": "x"})).status_code
                        for _ in range(FREE_ACCOUNT_FAILURES + 1)]
            assert statuses == [401] * FREE_ACCOUNT_FAILURES + [429]


async def test_stepping_back_restores_the_counters(make_server: ServerFactory) -> None:
    server = make_server(mode="jwt")
    before = server.snapshot()
    async with server.client() as client:
        for _ in range(FREE_ACCOUNT_FAILURES):
            await _post(client, WRONG)
        locked = server.snapshot()
        server.restore(before)
        assert (await _post(client, ALICE)).status_code == 200
        server.restore(locked)
        assert (await _post(client, ALICE)).status_code == 429


async def test_a_wrong_current_password_counts_too(make_server: ServerFactory) -> None:
    server = make_server(mode="jwt")
    async with server.client() as client:
        token = (await _post(client, ALICE)).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        body = {"current_password": "guess", "new_password": "a-new-password"}
        statuses = [(await client.post("/password", json=body, headers=headers)).status_code
                    for _ in range(FREE_ACCOUNT_FAILURES + 1)]
    assert statuses == [403] * FREE_ACCOUNT_FAILURES + [429]

