"""Password hashing off the event loop, a bounded queue, clients that hang up, and refresh
families forgotten once they can no longer be used."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest
from starlette.types import Message

from tests.conftest import TEST_SCRYPT_COST, ServerFactory
from tests.readiness import HANG_BOUND
from tests.server.helpers import ALICE, bearer
from tutor.clock import SimulatedClock
from tutor.server import MockServer, ServerConfig
from tutor.server.app import CLIENT_GONE
from tutor.server.events import RequestHandled
from tutor.server.hashing import ClientGone, HashingBusy, HashingStopped, HashPool


def _blocker() -> tuple[threading.Event, threading.Event, Callable[[], str]]:
    """A job that holds a worker until released; `started` is set once it runs."""
    started, release = threading.Event(), threading.Event()

    def job() -> str:
        started.set()
        release.wait(HANG_BOUND)
        return "done"

    return started, release, job


async def _wait_for(event: threading.Event) -> None:
    assert await asyncio.to_thread(event.wait, HANG_BOUND), "a hash never started"


async def _never_disconnects() -> Message:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


async def test_a_full_queue_is_refused_at_once_with_a_retry_hint() -> None:
    pool = HashPool(workers=1, queue=1)
    started, release, job = _blocker()
    running = asyncio.ensure_future(pool.run(job))
    await _wait_for(started)
    queued = asyncio.ensure_future(pool.run(lambda: "queued"))
    await asyncio.sleep(0)
    with pytest.raises(HashingBusy) as busy:
        await pool.run(lambda: "one too many")
    assert busy.value.retry_after >= 1
    release.set()
    assert await running == "done" and await queued == "queued"
    assert pool.pending == 0
    pool.shutdown()


async def test_a_queued_hash_whose_client_hung_up_never_runs() -> None:
    pool = HashPool(workers=1, queue=4)
    started, release, job = _blocker()
    running = asyncio.ensure_future(pool.run(job))
    await _wait_for(started)
    hung_up = asyncio.Event()
    ran: list[str] = []

    async def receive() -> Message:
        await hung_up.wait()
        return {"type": "http.disconnect"}

    gone = asyncio.ensure_future(pool.run(lambda: ran.append("hashed"), receive))
    await asyncio.sleep(0)
    hung_up.set()
    with pytest.raises(ClientGone):
        await gone
    release.set()
    await running
    assert ran == [] and pool.dropped == 1 and pool.pending == 0
    pool.shutdown()


async def test_other_requests_are_answered_while_a_password_hashes(clock: SimulatedClock) -> None:
    """The event loop is free during scrypt: GET / completes while a login waits."""
    pool = HashPool(workers=1, queue=4)
    server = MockServer(ServerConfig(mode="jwt", scrypt_cost=TEST_SCRYPT_COST), clock,
                        hashing=pool)
    started, release, job = _blocker()
    holder = asyncio.ensure_future(pool.run(job))
    await _wait_for(started)
    async with server.client() as client:
        login = asyncio.ensure_future(client.post("/login", json=ALICE))
        page = await client.get("/")
        assert page.status_code == 200 and not login.done()
        release.set()
        assert (await login).status_code == 200
    await holder
    pool.shutdown()


async def test_a_login_when_the_queue_is_full_is_503_with_retry_after(clock: SimulatedClock) -> (
    None
):
    pool = HashPool(workers=1, queue=0)
    server = MockServer(ServerConfig(mode="cookie", scrypt_cost=TEST_SCRYPT_COST), clock,
                        hashing=pool)
    started, release, job = _blocker()
    holder = asyncio.ensure_future(pool.run(job))
    await _wait_for(started)
    async with server.client() as client:
        response = await client.post("/login", json=ALICE,
                                     headers={"Origin": "http://tutor.local"})
    release.set()
    await holder
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) >= 1
    assert "busy" in response.json()["error_description"]
    pool.shutdown()


async def test_a_client_aborting_mid_body_is_logged_not_raised(make_server: ServerFactory) -> (
    None
):
    """Starlette's ClientDisconnect from a body cut short is an ordinary event: the access
    log records it (499) and nothing propagates to the ASGI server as an error."""
    server = make_server(mode="jwt")
    messages: list[Message] = [
        {"type": "http.request", "body": b'{"username": "al', "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> Message:
        return messages.pop(0)

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http", "method": "POST", "path": "/login", "raw_path": b"/login",
        "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
        "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5555),
        "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
                    (b"content-length", b"40")],
    }
    await server.app(scope, receive, send)
    last = server.log.events[-1]
    assert isinstance(last, RequestHandled)
    assert last.status == CLIENT_GONE and "hung up" in last.reason


async def test_refresh_families_are_forgotten_after_their_last_token_expires(
    make_server: ServerFactory, clock: SimulatedClock,
) -> None:
    server = make_server(mode="jwt")
    ttl = server.config.refresh_token_ttl
    async with server.client() as client:
        for _ in range(20):
            tokens = (await client.post("/login", json=ALICE)).json()
        store = server.store
        assert len(store.families) == 20 and len(store.families_of("alice")) == 20
        clock.advance(ttl // 2)
        # A family used since is kept for its newest token's whole lifetime.
        renewed = await client.post("/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert renewed.status_code == 200
        clock.advance(ttl // 2)
        await client.get("/profile", headers=bearer(renewed.json()["access_token"]))
        assert list(store.families) == [f.family for f in store.families_of("alice")]
        assert len(store.families) == 1
        clock.advance(ttl)
        server.sweep()
    assert store.families == {} and store.user_families == {} and store.family_due == []


async def test_a_password_change_revokes_only_that_users_families(
    make_server: ServerFactory,
) -> None:
    server = make_server(mode="jwt")
    async with server.client() as client:
        alice = (await client.post("/login", json=ALICE)).json()
        await client.post("/login", json={"username": "bob", "password": "builder123"})
        changed = await client.post("/password", headers=bearer(alice["access_token"]), json={
            "current_password": "wonderland", "new_password": "through-the-glass"})
        assert changed.status_code == 200
    revoked = {f.username: f.revoked for f in server.store.families.values() if f.revoked}
    assert revoked == {"alice": True}
    assert any(f.username == "bob" and not f.revoked for f in server.store.families.values())


def test_start_up_hashes_the_demo_passwords_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Side by side, three 128 MiB scrypt runs made `tutor serve` peak over 400 MiB."""
    from tutor.server import users

    running, most = 0, 0
    lock = threading.Lock()
    real = users._scrypt

    def counting(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            return real(password, salt, n, r, p)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(users, "_scrypt", counting)
    users.UserDirectory(ServerConfig().users, TEST_SCRYPT_COST)
    assert most == 1


async def test_an_http_client_sees_the_same_answers_through_the_pool(clock: SimulatedClock) -> (
    None
):
    """The pool changes where scrypt runs, not what the server answers."""
    answers = []
    for hashing in (None, HashPool()):
        server = MockServer(ServerConfig(mode="jwt", scrypt_cost=TEST_SCRYPT_COST), clock,
                            hashing=hashing)
        async with server.client() as client:
            wrong = await client.post("/login", json={"username": "alice", "password": "x"})
            right = await client.post("/login", json=ALICE)
        answers.append((wrong.status_code, wrong.json()["error"], right.status_code))
        if isinstance(hashing, HashPool):
            hashing.shutdown()
    assert answers[0] == answers[1] == (401, "invalid_credentials", 200)


async def test_a_password_change_ends_only_that_users_sessions(make_server: ServerFactory) -> (
    None
):
    """Found through a per-user index, not a walk over every row in the store."""
    server = make_server(mode="cookie")
    async with server.client() as alice, server.client() as other, server.client() as bob:
        await alice.post("/login", json=ALICE)
        await other.post("/login", json=ALICE)
        await bob.post("/login", json={"username": "bob", "password": "builder123"})
        csrf = (await alice.get("/profile")).json()["csrf_token"]
        changed = await alice.post(
            "/password", headers={"X-CSRF-Token": csrf, "Origin": "http://tutor.local"},
            json={"current_password": "wonderland", "new_password": "through-the-glass"})
        assert changed.status_code == 200, changed.text
        assert (await other.get("/profile")).status_code == 401
        assert (await bob.get("/profile")).status_code == 200
        assert (await alice.get("/profile")).status_code == 200
    store = server.store
    assert [r.username for r in store.sessions_of("alice")] == ["alice"]
    assert [r.username for r in store.sessions_of("bob")] == ["bob"]


async def test_stopping_drops_queued_hashes_and_their_logins_get_503(
    clock: SimulatedClock,
) -> None:
    """Ctrl+C waits for the hashes already running, not for the whole queue; a login
    whose hash was dropped gets an answer, not a traceback."""
    pool = HashPool(workers=1, queue=4)
    server = MockServer(ServerConfig(mode="jwt", scrypt_cost=TEST_SCRYPT_COST), clock,
                        hashing=pool)
    started, release, job = _blocker()
    holder = asyncio.ensure_future(pool.run(job))
    await _wait_for(started)
    async with server.client() as client:
        login = asyncio.ensure_future(client.post("/login", json=ALICE))
        while pool.pending < 2:  # readiness: the login's hash is queued
            await asyncio.sleep(0)
        pool.shutdown()
        response = await login
    release.set()
    await holder
    assert response.status_code == 503
    assert response.json()["error_description"] == "the server is stopping"


async def test_a_hash_asked_for_after_stopping_is_refused_cleanly() -> None:
    pool = HashPool()
    pool.shutdown()
    with pytest.raises(HashingStopped):
        await pool.run(lambda: "late")
    assert pool.pending == 0
