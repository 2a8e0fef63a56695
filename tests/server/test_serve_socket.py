"""`tutor serve`'s listening socket: every accepted connection gets TCP_NODELAY.

Without it, Nagle's algorithm holds each small kept-alive response until the client's
delayed ACK (about 40 ms), so a keep-alive client gets one answer per 40 ms. The check
reads the option on the accepted socket, served by `loop.create_server(sock=...)`: the
call uvicorn makes with the sockets `tutor serve` hands it. No timing is involved.
"""

from __future__ import annotations

import asyncio
import socket

import pytest

from tests.readiness import HANG_BOUND
from tutor.cli.serve import ServeError, bind


def _ipv6_loopback_works() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


class _Accepted(asyncio.Protocol):
    """Reports the TCP_NODELAY value of the connection the server accepted."""

    def __init__(self, seen: asyncio.Future[int]) -> None:
        self.seen = seen

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        if not self.seen.done():
            self.seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        transport.close()


async def _nodelay_of_accepted(host: str) -> int:
    listening = bind(host, 0, allow_remote=False)
    loop = asyncio.get_running_loop()
    seen: asyncio.Future[int] = loop.create_future()
    server = await loop.create_server(lambda: _Accepted(seen), sock=listening)
    try:
        address = listening.getsockname()[:2]
        _, writer = await asyncio.wait_for(asyncio.open_connection(*address), HANG_BOUND)
        try:
            return await asyncio.wait_for(seen, HANG_BOUND)
        finally:
            writer.close()
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "[::1]"])
async def test_accepted_connections_have_tcp_nodelay(host: str) -> None:
    """RFC 1122 §4.2.3.4 (Nagle) with §4.2.3.2 (delayed ACK): a request/response server
    that writes small answers must turn Nagle off, or each kept-alive answer waits."""
    if ":" in host and not _ipv6_loopback_works():
        pytest.skip("no IPv6 loopback on this machine")
    assert await _nodelay_of_accepted(host) != 0


def test_the_listening_socket_is_made_with_the_tcp_protocol_number() -> None:
    """asyncio turns Nagle off only for sockets whose `proto` is IPPROTO_TCP."""
    with bind("127.0.0.1", 0, allow_remote=False) as listening:
        assert listening.proto == socket.IPPROTO_TCP
        assert listening.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_a_busy_port_is_still_a_clear_error() -> None:
    """Binding a port already taken says which and why (no traceback for the learner)."""
    with bind("127.0.0.1", 0, allow_remote=False) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"cannot listen on 127.0.0.1:{port}"):
            # SO_REUSEADDR lets a port in TIME_WAIT be reused, not one that listens.
            bind("127.0.0.1", port, allow_remote=False)
