"""One recorder for everything that acts on a `World`: scene steps and the Repeater alike.

A `Recorder` listens to every browser and to the server's log for the duration of one
action and files what it hears in a `Recording`: the ordered list of everything that
happened (`happenings`), the exchanges, refused requests, server events, and the
server's access-log lines (`RequestHandled`) paired with the exchange that caused them,
each carrying the server events emitted while it was handled (`caused`).

A `Timeline` keeps recorded entries in order with a snapshot of the world after each,
and moves among them (`goto`), restoring the world exactly; adding an entry while
stepped back drops the entries after that point, as an editor's undo history does.

Everything a later feature wants to show about an action (store reads, key use, a clock
jump) belongs in a `Recording`'s happenings, tied to its request through `cause_of`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

from tutor.browser.events import BrowserEvent, Exchange, RequestBlocked
from tutor.browser.sites import origin_of
from tutor.server.events import RequestHandled, ServerEvent

if TYPE_CHECKING:
    # Only for types: expectations import this module, and parsing a scene must not
    # load the server machinery a World brings.
    from tutor.scenes.world import World, WorldSnapshot

Happening = BrowserEvent | ServerEvent
"""Anything a browser or the server reported while an action ran."""
LOGIN_PATH = "/login"


def login_steps_of(exchange: Exchange) -> tuple[int, ...]:
    """Which of the four login steps an exchange shows (none for a stranger's request)."""
    request, response = exchange.request, exchange.response
    path = request.url.split("://", 1)[-1].partition("/")[2].split("?")[0]
    if request.method == "POST" and "/" + path == LOGIN_PATH:
        # Step 3 happened when the server accepted the credentials, even if it answered
        # without a new cookie (a server that does not rotate the session id).
        return (2, 3) if response.status < 400 else (2,)
    if response.header("x-tutor-lab"):
        return ()  # a cookie lab site (lesson scenes): its cookies are not a login
    if request.header("authorization") or request.header("cookie"):
        return (4,)
    return ()


@dataclass(frozen=True)
class HandledRequest:
    """One line of the server's access log with the exchange that caused it."""

    event: RequestHandled
    exchange: Exchange | None
    """None when no browser reported it (a request no exchange was seen for)."""
    sender: str
    """Which browser sent it."""
    caused: tuple[ServerEvent, ...] = ()
    """The server events emitted while this request was handled, in order."""


@dataclass
class Recording:
    """Everything one action caused, in the order it happened."""

    happenings: list[Happening] = field(default_factory=list)
    """Every browser and server event, in order (access-log lines included)."""
    exchanges: list[Exchange] = field(default_factory=list)
    blocked: list[RequestBlocked] = field(default_factory=list)
    server_events: list[ServerEvent] = field(default_factory=list)
    """Every server event, access-log lines included."""
    handled: list[HandledRequest] = field(default_factory=list)
    """The access-log lines, each with its exchange and the events it caused."""
    primary_index: int | None = None
    """Where the action's main request starts (earlier ones open pages it needs)."""

    def mark_primary(self) -> None:
        """The next exchange is the action's main one (the first call wins)."""
        if self.primary_index is None:
            self.primary_index = len(self.exchanges)

    @property
    def main(self) -> Exchange | None:
        """The main exchange: the request the action is about, before any redirect."""
        if self.primary_index is not None and self.primary_index < len(self.exchanges):
            return self.exchanges[self.primary_index]
        return self.exchanges[-1] if self.exchanges else None

    @property
    def last(self) -> Exchange | None:
        """The final exchange (after redirects), if any."""
        return self.exchanges[-1] if self.exchanges else None

    @property
    def main_index(self) -> int:
        """The index of `main` within `exchanges` (-1 when there is none)."""
        main = self.main
        return self.exchanges.index(main) if main is not None else -1

    @property
    def login_steps(self) -> dict[int, tuple[int, ...]]:
        """Exchange index → which of the four login steps it shows."""
        return {i: login_steps_of(e) for i, e in enumerate(self.exchanges)}

    def cause_of(self, event: ServerEvent) -> HandledRequest | None:
        """The request whose handling emitted `event` (None: no request, e.g. a sweep)."""
        for line in self.handled:
            if line.event is event or any(e is event for e in line.caused):
                return line
        return None

    def handled_for(self, exchange: Exchange) -> HandledRequest | None:
        """The server's log line for an exchange (None: another site, or refused)."""
        return next((line for line in self.handled if line.exchange is exchange), None)


class Recorder:
    """Records into a `Recording` while open: `with Recorder(world) as recording: ...`.

    Listeners hear each happening after it is filed, so a live view sees it at once.
    Server events are tied to a request by order: the server emits what a request does
    while handling it, then its access-log line; the browser reports the exchange after
    that. So the events since the previous log line belong to the next one, and a log
    line belongs to the next exchange with the site's origin. Events after the last log
    line (a sweep when the clock moves) belong to no request.
    """

    def __init__(self, world: World, recording: Recording | None = None, *,
                 sender: str = "", listener: Callable[[Happening], None] | None = None
                 ) -> None:
        self.world = world
        self.recording = recording if recording is not None else Recording()
        self.sender = sender
        """Who a log line is put down to when no exchange claims it."""
        self._listener = listener
        self._site = origin_of(world.site)
        self._unclaimed: list[ServerEvent] = []
        self._pending: list[tuple[RequestHandled, tuple[ServerEvent, ...]]] = []
        self._stops: list[Callable[[], None]] = []

    def __enter__(self) -> Recording:
        self._stops = [b.subscribe(self._on_browser) for b in self.world.browsers.values()]
        self._stops.append(self.world.server.log.subscribe(self._on_server))
        return self.recording

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        for stop in self._stops:
            stop()
        self._stops = []
        self.recording.handled += [HandledRequest(event, None, self.sender, caused)
                                   for event, caused in self._pending]
        self._pending = []

    def _on_browser(self, event: BrowserEvent) -> None:
        recording = self.recording
        recording.happenings.append(event)
        if isinstance(event, Exchange):
            recording.exchanges.append(event)
            if origin_of(event.request.url) == self._site and self._pending:
                line, caused = self._pending.pop(0)
                recording.handled.append(HandledRequest(line, event, event.browser, caused))
        elif isinstance(event, RequestBlocked):
            recording.blocked.append(event)
        self._tell(event)

    def _on_server(self, event: ServerEvent) -> None:
        self.recording.happenings.append(event)
        self.recording.server_events.append(event)
        if isinstance(event, RequestHandled):
            self._pending.append((event, tuple(self._unclaimed)))
            self._unclaimed = []
        else:
            self._unclaimed.append(event)
        self._tell(event)

    def _tell(self, event: Happening) -> None:
        if self._listener is not None:
            self._listener(event)


Entry = TypeVar("Entry")


class Timeline(Generic[Entry]):
    """Recorded entries with a world snapshot after each, and where we are among them."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.entries: list[Entry] = []
        self.position = 0
        """How many entries are applied (0 = the start)."""
        self.start: WorldSnapshot | None = None
        """The world before the first entry; None until `begin`."""
        self._after: list[WorldSnapshot] = []

    @property
    def started(self) -> bool:
        """True once `begin` took the starting snapshot."""
        return self.start is not None

    @property
    def applied(self) -> list[Entry]:
        """The entries applied now (before the position)."""
        return self.entries[: self.position]

    @property
    def at_end(self) -> bool:
        """True when every entry is applied."""
        return self.position >= len(self.entries)

    def begin(self) -> None:
        """Take the starting snapshot (the moment `goto(0)` returns to)."""
        self.start = self.world.snapshot()

    def add(self, entry: Entry) -> None:
        """Append an entry with a snapshot of the world now; while stepped back, the
        entries after the position are dropped first (a new branch)."""
        del self.entries[self.position:]
        del self._after[self.position:]
        self.entries.append(entry)
        self._after.append(self.world.snapshot())
        self.position = len(self.entries)

    def goto(self, position: int) -> None:
        """Restore the world as it was after `position` entries (0 = the start)."""
        if not 0 <= position <= len(self.entries):
            raise IndexError(f"position {position} is outside 0..{len(self.entries)}")
        snapshot = self.start if position == 0 else self._after[position - 1]
        if snapshot is None:
            raise IndexError("the timeline has not begun")
        self.world.restore(snapshot)
        self.position = position

    def clear(self) -> None:
        """Forget every entry (the world is left as it is)."""
        self.entries.clear()
        self._after.clear()
        self.position = 0
