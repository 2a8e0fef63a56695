"""Everything a scene runs in: the clock, the mock server, the attacker's site, the
network joining them, and the browsers; with exact snapshots of all of it."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tutor.browser.browser import Browser, BrowserSnapshot
from tutor.browser.network import Network
from tutor.clock import SimulatedClock
from tutor.scenes.model import Scene
from tutor.server.attacker import AttackerSite, Loot
from tutor.server.cluster import MockServer, ServerSnapshot
from tutor.server.cookie_lab import CookieLab


@dataclass
class PageMemory:
    """What the site's own page script keeps in JavaScript variables (not storage)."""

    csrf_token: str | None = None
    previous_refresh_token: str | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    """Tokens the page keeps in a JavaScript variable (`page_keeps: memory`)."""
    last_dpop_proof: str | None = None
    """The DPoP header the page's script sent last (what a proxy or a log would see)."""


@dataclass
class WorldSnapshot:
    """The whole world at one moment."""

    server: ServerSnapshot
    browsers: dict[str, BrowserSnapshot]
    pages: dict[str, PageMemory]
    loot: list[Loot]
    captured: dict[str, str]
    now: float
    pinned_replica: str | None
    """The server's event log (ServerSnapshot keeps only its length, which can undo
    events but not bring them back when stepping forward again)."""


class World:
    """The live objects one scene acts on."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.clock = SimulatedClock()
        self.server = MockServer(scene.server, self.clock)
        self.attacker = AttackerSite(self.clock)
        self.network = Network()
        self.site = scene.site
        self.attacker_origin = scene.attacker_site
        self.network.attach(_host(scene.site), self.server.app)
        self.network.attach(_host(scene.attacker_site), self.attacker.app)
        for lab_origin in scene.lab_sites:
            # Stateless, so nothing of it needs a snapshot.
            self.network.attach(_host(lab_origin), CookieLab().app)
        names = list(dict.fromkeys([*scene.browsers]))
        self.browsers = {name: Browser(name, self.network, self.clock, scene.cookie_policy)
                         for name in names}
        self.pages = {name: PageMemory() for name in names}
        self.pinned_replica: str | None = None
        self.captured: dict[str, str] = {}
        """Credentials copied off the wire or a device (for `replay` with `use: captured`)."""

    def browser(self, name: str) -> Browser:
        """A browser by name."""
        return self.browsers[name]

    def url(self, path: str) -> str:
        """An absolute URL on the mock server's site."""
        if "://" in path:
            return path
        return f"{self.site}{path if path.startswith('/') else '/' + path}"

    def snapshot(self) -> WorldSnapshot:
        """Everything, copied."""
        return WorldSnapshot(
            server=self.server.snapshot(),
            browsers={n: b.snapshot() for n, b in self.browsers.items()},
            pages={n: _copy_page(p) for n, p in self.pages.items()},
            loot=self.attacker.snapshot(),
            captured=dict(self.captured),
            now=self.clock.now(),
            pinned_replica=self.pinned_replica,
        )

    def restore(self, snapshot: WorldSnapshot) -> None:
        """Put everything back exactly."""
        self.server.restore(snapshot.server)
        for name, browser_snapshot in snapshot.browsers.items():
            self.browsers[name].restore(browser_snapshot)
        self.pages = {n: _copy_page(p) for n, p in snapshot.pages.items()}
        self.attacker.restore(snapshot.loot)
        self.captured = dict(snapshot.captured)
        self.clock.set(snapshot.now)
        self.pin_replica(snapshot.pinned_replica)

    def pin_replica(self, name: str | None) -> None:
        """Send the site's traffic to one replica (a sticky balancer), or None for round-robin."""
        app = self.server.app if name is None else self.server.replica(name).app
        self.network.attach(_host(self.site), app)
        self.pinned_replica = name

    def fingerprint(self) -> Any:
        """A comparable copy of all state, to prove time travel is exact."""
        server = self.server
        users = {name: vars(server.users.get(name)) for name in server.users.usernames()}
        return copy.deepcopy((
            self.clock.now(),
            [r.context.store for r in server.replicas],
            repr(users),
            {n: (b.jar.cookies(), b.local_storage, b.session_storage, b.location)
             for n, b in self.browsers.items()},
            {n: sorted(b.keys) for n, b in self.browsers.items()},
            {n: (p.csrf_token, p.previous_refresh_token, p.tokens, p.last_dpop_proof)
             for n, p in self.pages.items()},
            list(self.attacker.loot),
            dict(self.captured),
            self.pinned_replica,
            len(server.log.events),
            [k.kid for k in server.keys.published()],
            [(c.keys.kid, c.state.fetched_at) if c else None for c in server.caches],
        ))


def _copy_page(page: PageMemory) -> PageMemory:
    return PageMemory(page.csrf_token, page.previous_refresh_token, dict(page.tokens),
                      page.last_dpop_proof)


def _host(origin: str) -> str:
    return urlsplit(origin).hostname or origin
