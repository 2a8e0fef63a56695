"""Expiry by heap: a sweep does the work that is due, not a walk over every row.

The sweep runs at the start of every route (on the real clock, every request) and after
a scene moves the clock, where the stage shows what expired. These tests hold it to the
old walk-everything sweep's results exactly (which rows, which reason, in which order),
through snapshots and restores, while doing only the due rows' work.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ServerFactory
from tests.long_run import examples
from tutor.clock import SimulatedClock
from tutor.server import MockServer, ServerConfig
from tutor.server.context import ReplicaContext
from tutor.server.events import SessionDestroyed
from tutor.server.state import SessionRecord


def _destroyed(server: MockServer, since: int) -> list[tuple[str, str]]:
    return [(e.session_id, e.reason) for e in server.log.events[since:]
            if isinstance(e, SessionDestroyed)]


def _walk_everything(ctx: ReplicaContext) -> list[tuple[str, str]]:
    """The sweep as it was: every row in store order, the absolute timeout checked first."""
    now, config = ctx.clock.now(), ctx.config
    due = []
    for record in ctx.store.sessions.values():
        if now - record.created_at >= config.session_absolute_timeout:
            due.append((record.session_id, "absolute-timeout"))
        elif now - record.last_seen >= config.session_idle_timeout:
            due.append((record.session_id, "idle-timeout"))
    return due


@dataclass(frozen=True)
class _Op:
    kind: str
    value: int


_OPS = st.lists(
    st.one_of(
        st.builds(_Op, st.sampled_from(["login", "visit", "use", "logout", "snapshot",
                                         "restore"]), st.integers(0, 30)),
        st.builds(_Op, st.just("advance"), st.integers(1, 400)),
    ),
    max_size=60,
)


@settings(max_examples=examples(60), deadline=None)
@given(ops=_OPS)
def test_sweep_expires_what_a_walk_over_every_row_would(ops: list[_Op]) -> None:
    """OWASP Session Management (idle and absolute timeouts): after any history of logins,
    visits, uses, logouts, snapshots and restores, a sweep after the clock moves destroys
    exactly the rows a full walk finds expired, with the same reasons, in store order."""
    clock = SimulatedClock()
    server = MockServer(_config(), clock)
    ctx = server.replicas[0].context
    snapshot = server.snapshot()
    for op in ops:
        rows = list(ctx.store.sessions.values())
        if op.kind == "login":
            ctx.create_session("alice")
        elif op.kind == "visit":
            ctx.create_session(None)
        elif op.kind in ("use", "logout") and rows:
            record = rows[op.value % len(rows)]
            if op.kind == "use":
                record.last_seen = clock.now()
            else:
                ctx.destroy_session(record.session_id, "logout")
        elif op.kind == "snapshot":
            snapshot = server.snapshot()
        elif op.kind == "restore":
            server.restore(snapshot)
        elif op.kind == "advance":
            clock.advance(op.value)
            expected = _walk_everything(ctx)
            since = len(server.log.events)
            server.sweep()
            assert _destroyed(server, since) == expected
            assert _walk_everything(ctx) == []
        # One heap entry per live row, give or take stale ones not yet due.
        assert {e[2] for e in ctx.store.session_due} >= set(ctx.store.sessions)


def _config() -> ServerConfig:
    # Short timeouts so that a few jumps cross both of them.
    return ServerConfig(scrypt_cost=2**4, session_idle_timeout=300,
                        session_absolute_timeout=1_000)


def test_a_sweep_looks_only_at_the_rows_that_are_due(
    make_server: ServerFactory, clock: SimulatedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With thousands of live rows, a sweep that expires a hundred reads about a hundred:
    its cost follows what is due, not the size of the store."""
    server = make_server(session_idle_timeout=900)
    ctx = server.replicas[0].context
    for _ in range(100):
        ctx.create_session("alice")
    clock.advance(60)
    for _ in range(3_000):
        ctx.create_session("bob")
    looked_at: list[SessionRecord] = []
    deadline = ctx.session_deadline

    def counting(record: SessionRecord) -> float:
        looked_at.append(record)
        return deadline(record)

    monkeypatch.setattr(ctx, "session_deadline", counting)
    server.sweep()
    assert looked_at == []  # nothing due yet: a peek at the heap
    clock.advance(900 - 60)
    server.sweep()
    assert len(looked_at) == 100
    assert {r.username for r in looked_at} == {"alice"}
    assert len(ctx.store.sessions) == 3_000


def test_expiries_come_in_store_order_even_when_a_later_row_fell_due_first(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """The stage draws one row per expiry after a clock jump: their order is the store's
    (creation) order, as the full walk gave, not the order the deadlines fell in."""
    server = make_server(session_idle_timeout=300, session_absolute_timeout=10_000)
    ctx = server.replicas[0].context
    first = ctx.create_session("alice")
    clock.advance(100)
    second = ctx.create_session(None)
    clock.advance(50)
    first.last_seen = clock.now()  # first now falls due at 450, second at 400
    clock.advance(150)
    server.sweep()  # at 300 first's old entry comes due and is filed again under 450
    assert len(ctx.store.sessions) == 2
    clock.advance(1_000)
    since = len(server.log.events)
    server.sweep()
    assert _destroyed(server, since) == [(first.session_id, "idle-timeout"),
                                         (second.session_id, "idle-timeout")]


def test_a_used_session_is_filed_again_under_its_new_deadline(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """Activity moves the idle deadline: the old heap entry comes due, finds the row
    used since, and files it again instead of expiring it."""
    server = make_server(session_idle_timeout=900, session_absolute_timeout=28_800)
    ctx = server.replicas[0].context
    record = ctx.create_session("alice")
    clock.advance(600)
    record.last_seen = clock.now()
    clock.advance(300)
    server.sweep()
    assert record.session_id in ctx.store.sessions
    assert [e[2] for e in ctx.store.session_due] == [record.session_id]
    clock.advance(600)
    since = len(server.log.events)
    server.sweep()
    assert _destroyed(server, since) == [(record.session_id, "idle-timeout")]


def test_logouts_do_not_leave_the_heap_growing(make_server: ServerFactory) -> None:
    """Rows deleted before they are due leave stale heap entries; once those outnumber the
    live rows the heap is compacted, so memory follows the live sessions."""
    server = make_server()
    ctx = server.replicas[0].context
    keep = ctx.create_session("queen")
    for _ in range(5_000):
        ctx.destroy_session(ctx.create_session("alice").session_id, "logout")
    assert list(ctx.store.sessions) == [keep.session_id]
    assert len(ctx.store.session_due) <= 2 * len(ctx.store.sessions) + 64 + 1


async def test_restore_brings_back_the_heap_with_the_rows(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """Stepping a scene back restores the rows and when they fall due: a jump after the
    restore expires the restored row, like the first time."""
    server = make_server(session_idle_timeout=900)
    ctx = server.replicas[0].context
    before = server.snapshot()
    record = ctx.create_session("alice")
    after_login = server.snapshot()
    clock.advance(900)
    server.sweep()
    assert record.session_id not in ctx.store.sessions
    server.restore(after_login)
    assert record.session_id in ctx.store.sessions
    clock.advance(900)
    since = len(server.log.events)
    server.sweep()
    assert _destroyed(server, since) == [(record.session_id, "idle-timeout")]
    server.restore(before)
    assert ctx.store.sessions == {} and ctx.store.session_due == []


async def test_expired_tokens_leave_the_issued_list_and_the_denylist(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """RFC 7519 §4.1.4: once `exp` passes a token is refused anyway, so neither the list of
    a user's live tokens nor the denylist needs to remember it."""
    server = make_server(mode="jwt", denylist=True)
    async with server.client() as client:
        first = await client.post("/login", json={"username": "alice", "password": "wonderland"})
        clock.advance(10)
        second = await client.post("/login", json={"username": "alice", "password": "wonderland"})
        for response in (first, second):
            token = response.json()["access_token"]
            await client.post("/logout", headers={"Authorization": f"Bearer {token}"})
    store = server.store
    assert len(store.issued_access["alice"]) == 2 and len(store.denylist) == 2
    clock.advance(server.config.access_token_ttl - 10)
    server.sweep()
    assert len(store.issued_access["alice"]) == 1 and len(store.denylist) == 1
    clock.advance(10)
    server.sweep()
    assert store.issued_access["alice"] == {} and store.denylist == {}
    assert store.token_due == []
