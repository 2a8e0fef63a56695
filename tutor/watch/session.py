"""A live browser session, analysed as it happens: each exchange, cookie and storage
write becomes an event the screen and `--plain` show at once.

Exchanges go through `tutor.har.analysis.Analyser` one at a time (the same pass
`tutor inspect` makes over a file), so a live login and its recording get the same
login steps and findings. What the HAR cannot see, the browser tells directly: its
cookie jar (`context.cookies()`, diffed after each response) and the page's
`localStorage`/`sessionStorage` writes (reported by an init script).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tutor.har.analysis import Analyser, Analysis, EntryAnalysis
from tutor.har.export import har_json
from tutor.har.findings import Finding
from tutor.har.model import Har
from tutor.har.stage import staged_exchanges, story_of_exchanges
from tutor.scenes.beats import host_of
from tutor.scenes.events import ExchangeSeen
from tutor.scenes.story import Beat, Story
from tutor.visible import visible
from tutor.watch.observed import ObservedExchange, to_entry
from tutor.watch.target import WatchTarget

BROWSER_LANE = "browser:recorded"
"""The lane `har.stage` gives the browser; cookie and storage beats happen in it."""


@dataclass(frozen=True)
class ExchangeWatched:
    """A request and its answer, analysed."""

    item: EntryAnalysis
    findings: tuple[Finding, ...]
    new_steps: tuple[int, ...]
    """Login steps seen for the first time in this session."""
    failure: str = ""
    """Why the request got no answer (Chromium's error text), when it got none."""


@dataclass(frozen=True)
class PasswordTyped:
    """The learner typed into a password field: login step 1, seen live (the value is
    never reported, only the field's name)."""

    origin: str
    field: str
    new_step: bool
    """The first step 1 of this session."""


@dataclass(frozen=True)
class CookieChanged:
    """The browser's cookie jar gained, changed or lost a cookie."""

    change: Literal["stored", "changed", "removed"]
    name: str
    value: str
    domain: str
    path: str
    http_only: bool
    secure: bool
    same_site: str
    expires: float
    """Unix time; -1 for a session cookie (gone when the browser closes)."""

    def attributes(self) -> str:
        """The attributes as devtools' Application panel would list them."""
        flags = [name for name, on in (("HttpOnly", self.http_only),
                                       ("Secure", self.secure)) if on]
        flags.append(f"SameSite={self.same_site or 'unset'}")
        flags.append("session cookie" if self.expires < 0 else "persistent")
        return f"Domain={self.domain}, Path={self.path}, " + ", ".join(flags)


@dataclass(frozen=True)
class StorageWritten:
    """A page script wrote to (or removed from) localStorage or sessionStorage."""

    area: Literal["localStorage", "sessionStorage"]
    origin: str
    op: Literal["set", "remove", "clear"]
    key: str
    value: str


@dataclass(frozen=True)
class RequestBlocked:
    """A request to an origin the learner did not allow, stopped in the browser."""

    method: str
    url: str


@dataclass(frozen=True)
class WatchNote:
    """Something about the watch itself: the browser opened or closed, a HAR saved."""

    text: str


WatchEvent = (ExchangeWatched | PasswordTyped | CookieChanged | StorageWritten
              | RequestBlocked | WatchNote)
CookieKey = tuple[str, str, str]


class WatchSession:
    """Everything seen so far in one browser session, and what each new thing means."""

    def __init__(self, target: WatchTarget) -> None:
        self.target = target
        self.entries: list[EntryAnalysis] = []
        """Every exchange, analysed, in the order the browser finished them."""
        self.findings: list[Finding] = []
        self.events: list[WatchEvent] = []
        """Everything reported, in order (a session lasts as long as a person clicks)."""
        self.steps_seen: set[int] = set()
        self._analyser = Analyser()
        self._staged: list[ExchangeSeen] = []
        self._jar: dict[CookieKey, CookieChanged] = {}

    def _add(self, event: WatchEvent) -> WatchEvent:
        self.events.append(event)
        return event

    def exchange(self, seen: ObservedExchange) -> ExchangeWatched:
        """Analyse the next exchange: its login steps, credentials and findings."""
        item, found = self._analyser.visit(to_entry(seen, len(self.entries)))
        self.entries.append(item)
        self.findings += found
        self._staged += staged_exchanges(Analysis(Har((item.entry,)), [item], []))
        new = tuple(s for s in item.login_steps if s not in self.steps_seen)
        self.steps_seen.update(item.login_steps)
        event = ExchangeWatched(item, tuple(found), new, seen.failure)
        self._add(event)
        return event

    def cookie_jar(self, cookies: Sequence[Mapping[str, Any]]) -> list[CookieChanged]:
        """Compare the browser's jar (Playwright's `context.cookies()`) with the last one."""
        now: dict[CookieKey, CookieChanged] = {}
        for row in cookies:
            key = (str(row.get("domain", "")), str(row.get("path", "/")),
                   str(row.get("name", "")))
            now[key] = CookieChanged(
                "stored", key[2], str(row.get("value", "")), key[0], key[1],
                bool(row.get("httpOnly")), bool(row.get("secure")),
                str(row.get("sameSite", "")), float(row.get("expires", -1)))
        changes: list[CookieChanged] = []
        for key, cookie in now.items():
            before = self._jar.get(key)
            if before is None:
                changes.append(cookie)
            elif _differs(before, cookie):
                changes.append(_as(cookie, "changed"))
        changes += [_as(cookie, "removed") for key, cookie in self._jar.items()
                    if key not in now]
        self._jar = now
        for change in changes:
            self._add(change)
        return changes

    def storage(self, area: str, origin: str, op: str, key: str,
                value: str) -> StorageWritten | None:
        """A write the page's script made; None for a report that is not one."""
        if area not in ("localStorage", "sessionStorage") or op not in ("set", "remove",
                                                                        "clear"):
            return None
        event = StorageWritten(area, origin, op, key, value)  # type: ignore[arg-type]
        self._add(event)
        return event

    def typed(self, origin: str, field: str) -> PasswordTyped:
        """The learner started typing a password: step 1, as it happens."""
        event = PasswordTyped(origin, field, 1 not in self.steps_seen)
        self.steps_seen.add(1)
        self._add(event)
        return event

    def blocked(self, method: str, url: str) -> RequestBlocked:
        """A request stopped because its origin is not allowed."""
        event = RequestBlocked(method, url)
        self._add(event)
        return event

    def note(self, text: str) -> WatchNote:
        """A line about the watch itself."""
        event = WatchNote(text)
        self._add(event)
        return event

    def analysis(self) -> Analysis:
        """The session so far as a recording's analysis (what `tutor replay` shows)."""
        return Analysis(Har(tuple(i.entry for i in self.entries), creator="tutor watch"),
                        list(self.entries), list(self.findings))

    def story(self) -> Story:
        """The stage's story: each exchange as `har.stage` tells a recording, with the
        browser's own cookie, storage and blocking beats in between, in order."""
        base = story_of_exchanges(self._staged)
        by_exchange: dict[int, list[Beat]] = {}
        for beat in base.beats:
            by_exchange.setdefault(beat.exchange or 0, []).append(beat)
        beats: list[Beat] = []
        last = 0
        for event in self.events:
            if isinstance(event, ExchangeWatched):
                last = event.item.entry.index
                beats += by_exchange.get(last, [])
            elif (extra := _browser_beat(event, last)) is not None:
                beats.append(extra)
        return Story(base.lanes, tuple(beats))

    def har(self, *, redact: bool) -> str:
        """The session as HAR 1.2 text (`tutor.har.export`, credentials blanked when
        `redact`)."""
        return har_json((seen.exchange for seen in self._staged), redact=redact)


def _differs(a: CookieChanged, b: CookieChanged) -> bool:
    return (a.value, a.http_only, a.secure, a.same_site, a.expires) != (
        b.value, b.http_only, b.secure, b.same_site, b.expires)


def _as(cookie: CookieChanged, change: Literal["stored", "changed", "removed"]) -> (
    CookieChanged
):
    return CookieChanged(change, cookie.name, cookie.value, cookie.domain, cookie.path,
                         cookie.http_only, cookie.secure, cookie.same_site, cookie.expires)


def _browser_beat(event: WatchEvent, last: int) -> Beat | None:
    """A beat in the browser's lane for what the browser did by itself."""
    if isinstance(event, CookieChanged):
        verb = {"stored": "+", "changed": "~", "removed": "−"}[event.change]
        name = visible(event.name)
        return Beat("kept", BROWSER_LANE, BROWSER_LANE, f"jar {verb}{name}",
                    f"The browser's cookie jar {event.change} {name} "
                    f"({visible(event.attributes())}).", last, (), last)
    if isinstance(event, StorageWritten):
        what = visible(event.key) if event.op != "clear" else "everything"
        verb = {"set": "+", "remove": "−", "clear": "−"}[event.op]
        return Beat("kept", BROWSER_LANE, BROWSER_LANE, f"{event.area} {verb}{what}",
                    f"A script on {visible(event.origin)} {event.op}s {what} in {event.area}.",
                    last, (), last)
    if isinstance(event, PasswordTyped):
        return Beat("typed", BROWSER_LANE, BROWSER_LANE, "password typed",
                    "The user types a password into the page's form (login step 1; the "
                    "value stays in the browser until the form is sent).", last, (1,), last)
    if isinstance(event, RequestBlocked):
        host = host_of(event.url)
        return Beat("refused", BROWSER_LANE, BROWSER_LANE, f"blocked {host}",
                    f"tutor watch blocked {event.method} to {host}: that origin is not "
                    "allowed.", last, (), last)
    return None
