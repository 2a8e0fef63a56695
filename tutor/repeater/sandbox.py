"""`Sandbox`: free play against a mock server the learner configured, on a timeline.

The sandbox is a scene world with no script: the same clock, server, attacker site,
network and browsers that scenes use (`tutor.scenes.world.World`), so its exchanges are
recorded the same way and its snapshots restore everything exactly. The learner's
browser (`you`) sends drafts as curl would: with a cookie jar (`cookie_jar`, on by
default, like `curl -b jar -c jar`), or raw with it off; an optional victim browser is
logged in at the start and can be lured to a page on evil.test.

Every action is recorded by the scenes' `Recorder` into one timeline entry (its
exchanges, the server's own log lines for them, everything else that happened) on the
scenes' `Timeline`, which keeps a snapshot after each. Stepping back and forward restores
those snapshots. Acting while stepped back starts a new branch from that moment: the
entries after it are dropped, as an editor's undo history does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tutor.browser.browser import Browser, RedirectLoop
from tutor.browser.events import Exchange, RequestBlocked
from tutor.browser.network import NetworkError
from tutor.repeater.compare import ExchangeDiff, compare
from tutor.repeater.draft import RequestDraft
from tutor.scenes.actions import StepFailed, cross_site_request, login
from tutor.scenes.model import Scene, Step
from tutor.scenes.recorder import HandledRequest, Recorder, Recording, Timeline, login_steps_of
from tutor.scenes.world import PageMemory, World
from tutor.server.config import SIMULATED_SCRYPT_COST, ConfigError, ServerConfig

__all__ = ["HandledRequest", "Resent", "Sandbox", "SandboxError", "TimelineEntry"]

YOU = "you"
VICTIM = "victim"
CROSS_SITE_KINDS = ("form", "fetch", "navigate")


class SandboxError(Exception):
    """An action could not be carried out; nothing changed, and the message says why."""


@dataclass(frozen=True)
class TimelineEntry:
    """One thing the learner did, and everything it caused."""

    index: int
    sender: str
    label: str
    recording: Recording = field(compare=False, repr=False)
    """Everything the action caused, in order, as the recorder filed it."""
    draft: RequestDraft | None = None
    """What was sent, for the learner's own requests."""

    @property
    def exchanges(self) -> list[Exchange]:
        """Every exchange, in order."""
        return self.recording.exchanges

    @property
    def handled(self) -> list[HandledRequest]:
        """The server's log lines for this entry, in order."""
        return self.recording.handled

    @property
    def blocked(self) -> list[RequestBlocked]:
        """The requests the browser refused to send."""
        return self.recording.blocked

    @property
    def main(self) -> Exchange | None:
        """The exchange this entry is about (the request sent, or the lured one)."""
        return self.recording.main

    @property
    def login_steps(self) -> tuple[int, ...]:
        """Which of the four login steps the main exchange shows."""
        return login_steps_of(self.main) if self.main else ()


@dataclass(frozen=True)
class Resent:
    """A resent request beside the one it was edited from."""

    old: Exchange
    new: Exchange
    entry: TimelineEntry
    diff: ExchangeDiff


class _QuietIO:
    """What the scene actions report to an engine; the sandbox only needs `primary`."""

    def __init__(self, recording: Recording) -> None:
        self._recording = recording

    def user(self, text: str, login_step: int | None = None) -> None:
        """Ignored: the timeline label says what happened."""

    def primary(self) -> None:
        self._recording.mark_primary()

    def clock_moved(self, before: float, after: float) -> None:
        """Ignored: the clock entry says it."""


class Sandbox:
    """A mock server, a clock, your browser and maybe a victim's, on one timeline."""

    def __init__(self, config: ServerConfig | None = None, *, victim: str | None = None,
                 world: World | None = None) -> None:
        self.config = (world.scene.server if world
                       else config or ServerConfig(scrypt_cost=SIMULATED_SCRYPT_COST))
        browsers = (YOU, VICTIM) if victim else (YOU,)
        self.world = world or World(Scene("sandbox", self.config, (), browsers=browsers))
        self._borrowed = world is not None
        if YOU not in self.world.browsers:
            # A scene's world, borrowed: add your curl-like browser beside the scene's own.
            self.world.browsers[YOU] = Browser(YOU, self.world.network, self.world.clock)
            self.world.pages[YOU] = PageMemory()
        self.victim_name = victim
        if victim is not None and victim not in {u.username for u in self.config.users}:
            known = ", ".join(u.username for u in self.config.users)
            raise SandboxError(f"victim {victim!r} is not a demo user ({known})")
        self.timeline: Timeline[TimelineEntry] = Timeline(self.world)
        """What the learner did, with the world after each; begun by `start`."""
        self.setup: TimelineEntry | None = None
        """The victim's login, done by `start` (not part of the timeline)."""
        self.cookie_jar = True
        """Your requests keep and send cookies (off: raw, exactly what the draft says)."""

    @classmethod
    def choose(
        cls,
        mode: str = "cookie",
        algorithm: str = "HS256",
        vulnerabilities: Iterable[str] = (),
        *,
        victim: str | None = None,
        **settings: Any,
    ) -> Sandbox:
        """A sandbox from the learner's choices; a bad choice is a `SandboxError`."""
        data = {"mode": mode, "algorithm": algorithm, "scrypt_cost": SIMULATED_SCRYPT_COST,
                "vulnerabilities": list(vulnerabilities), **settings}
        try:
            return cls(ServerConfig.from_mapping(data), victim=victim)
        except ConfigError as exc:
            raise SandboxError(str(exc)) from None

    # --- the pieces ---------------------------------------------------------------------------

    @property
    def you(self) -> Browser:
        """The learner's browser (its requests are sent raw, like curl)."""
        return self.world.browser(YOU)

    @property
    def victim(self) -> Browser | None:
        """The victim's browser, logged in by `start`."""
        return self.world.browsers.get(VICTIM)

    @property
    def site(self) -> str:
        """The mock server's origin."""
        return self.world.site

    @property
    def entries(self) -> list[TimelineEntry]:
        """Every entry on the timeline, applied or not."""
        return self.timeline.entries

    @property
    def position(self) -> int:
        """How many entries are applied (0 = just after start)."""
        return self.timeline.position

    @property
    def current(self) -> list[TimelineEntry]:
        """The entries applied now (before the position)."""
        return self.timeline.applied

    def fingerprint(self) -> Any:
        """All state, comparable: time travel must restore it exactly."""
        return self.world.fingerprint()

    # --- starting -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Log the victim in (if any) and take the starting snapshot. Call once."""
        if self.timeline.started:
            return
        if self.victim_name is not None:
            user = next(u for u in self.config.users if u.username == self.victim_name)
            step = Step("login", {"username": user.username, "password": user.password},
                        actor=VICTIM)
            self.setup = await self._record(
                VICTIM, f"{user.username} logs in", None,
                lambda io: login(self.world, step, io), on_timeline=False,
            )
        self.timeline.begin()

    def release(self) -> None:
        """Give a borrowed scene world back exactly as it was lent (your browser removed)."""
        if not self._borrowed:
            return
        if self.timeline.started:
            self.timeline.goto(0)
        self.world.browsers.pop(YOU, None)
        self.world.pages.pop(YOU, None)
        self.timeline.clear()

    def _require_started(self) -> None:
        if not self.timeline.started:
            raise SandboxError("the sandbox has not started: await start() first")

    # --- acting -------------------------------------------------------------------------------

    async def send(self, draft: RequestDraft) -> TimelineEntry:
        """Send a draft from your browser: nothing added but the jar's cookies (when
        `cookie_jar` is on); Set-Cookie is kept only then too."""
        self._require_started()
        draft.validate()
        headers: dict[str, str] = {}
        names: dict[str, str] = {}
        for name, value in draft.wire_headers():
            # RFC 9110 §5.3: repeated fields may be combined into one, comma-separated.
            key = names.setdefault(name.lower(), name)
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        url = self.world.url(draft.path)

        async def act(io: _QuietIO) -> None:
            io.primary()
            await self.you.send_raw(draft.method, url, headers, draft.body_bytes(),
                                    cookie_jar=self.cookie_jar)

        return await self._record(YOU, draft.summary(), draft, act)

    async def resend(self, entry_index: int, draft: RequestDraft) -> Resent:
        """Send an edited copy of an entry's request; the answer beside the old one."""
        old = self.entry(entry_index).main
        if old is None:
            raise SandboxError(f"entry {entry_index} made no request to resend")
        entry = await self.send(draft)
        assert entry.main is not None
        return Resent(old, entry.main, entry, compare(old, entry.main))

    async def victim_cross_site(
        self,
        path: str,
        method: str = "POST",
        kind: str = "form",
        fields: Mapping[str, str] | None = None,
    ) -> TimelineEntry:
        """The victim opens a page on evil.test that makes their browser send a request
        to the site: a form post, a `fetch()` with credentials, or a link (`navigate`)."""
        self._require_started()
        if self.victim is None:
            raise SandboxError("this sandbox has no victim browser")
        if kind not in CROSS_SITE_KINDS:
            raise SandboxError(f"kind {kind!r} is not one of {', '.join(CROSS_SITE_KINDS)}")
        problems = RequestDraft(method, path).problems()
        if problems:
            raise SandboxError("; ".join(problems))
        params = {"path": path, "method": method.upper(), "kind": kind,
                  "fields": dict(fields or {})}
        step = Step("cross_site_request", params, actor=VICTIM)
        label = (f"{self.victim_name} opens {self.world.attacker_origin}/: a {kind} "
                 f"{method.upper()} {path}")
        return await self._record(VICTIM, label, None,
                                  lambda io: cross_site_request(self.world, step, io))

    async def advance_clock(self, seconds: float) -> TimelineEntry:
        """Let time pass on the simulated clock (sessions and tokens may expire)."""
        self._require_started()
        if not 0 < seconds <= 10 * 365 * 86_400:
            raise SandboxError("the clock moves forward by 1 second to 10 years")

        async def act(io: _QuietIO) -> None:
            self.world.clock.advance(seconds)
            self.world.server.sweep()
            for browser in self.world.browsers.values():
                browser.expire_cookies()

        return await self._record(YOU, f"{seconds:g} seconds pass", None, act)

    async def _record(
        self,
        sender: str,
        label: str,
        draft: RequestDraft | None,
        action: Callable[[_QuietIO], Awaitable[None]],
        on_timeline: bool = True,
    ) -> TimelineEntry:
        before = self.world.snapshot()
        recording = Recording()
        try:
            with Recorder(self.world, recording, sender=sender):
                await action(_QuietIO(recording))
        except (StepFailed, NetworkError, RedirectLoop) as exc:
            self.world.restore(before)
            raise SandboxError(str(exc)) from None
        except Exception as exc:  # the server itself failed: keep the sandbox usable
            self.world.restore(before)
            raise SandboxError(f"the request could not be completed: {exc}") from None
        index = self.position if on_timeline else len(self.entries)
        entry = TimelineEntry(index, sender, label, recording, draft)
        if on_timeline:
            self.timeline.add(entry)  # drops the entries after the position: a new branch
        return entry

    # --- the timeline -------------------------------------------------------------------------

    def entry(self, index: int) -> TimelineEntry:
        """An entry by index, or `SandboxError`."""
        if not 0 <= index < len(self.entries):
            raise SandboxError(f"there is no entry {index} (the timeline has "
                               f"{len(self.entries)})")
        return self.entries[index]

    def draft_of(self, index: int) -> RequestDraft:
        """An editable copy of an entry's request."""
        entry = self.entry(index)
        if entry.draft is not None:
            return entry.draft
        if entry.main is None:
            raise SandboxError(f"entry {index} made no request")
        return RequestDraft.from_exchange(entry.main)

    def back(self) -> None:
        """Undo the last applied entry: browsers, server and clock as they were before it."""
        if self.position == 0:
            raise SandboxError("already at the start of the timeline")
        self.goto(self.position - 1)

    def forward(self) -> None:
        """Re-apply the next entry exactly as it happened (nothing is sent again)."""
        if self.position >= len(self.entries):
            raise SandboxError("already at the end of the timeline")
        self.goto(self.position + 1)

    def goto(self, position: int) -> None:
        """Jump to just after `position` entries (0 = the start)."""
        self._require_started()
        if not 0 <= position <= len(self.entries):
            raise SandboxError(f"position {position} is outside 0..{len(self.entries)}")
        self.timeline.goto(position)

    def accepted(self) -> list[HandledRequest]:
        """The server's log lines for every applied entry, oldest first."""
        return [line for entry in self.current for line in entry.handled]
