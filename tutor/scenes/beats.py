"""The story of a scene as beats on lanes: who acted, what travelled, where state changed.

A beat is one row of the stage's sequence diagram and one line of the plain transcript:
the person typing (login step 1), a request travelling (2), the server's work in its own
lane and the store's (3, and the verification of step 4), the answer, where the browser
kept the credential, an attacker taking a copy or replaying it, a jump of the clock.
The stage tells it through a `StoryBook` (each step told once), the plain transcript
through the same `server_beats`, and `story_of` tells a whole event list at once.

Beats are derived from the engine's recorded events, which arrive in the order things
happened: the server's events for a request come before the browser reports the
exchange (the server acts before it answers), so they are drawn between that request's
arrow and its answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from tutor.browser.cookie_policy import MAX_COOKIES_PER_DOMAIN
from tutor.browser.events import (
    BrowserEvent,
    CookieRejected,
    CookieRemoved,
    CookieStored,
    Exchange,
    ScriptRead,
    StorageWritten,
)
from tutor.redaction import redact_url
from tutor.scenes.events import (
    BrowserChanged,
    ClockMoved,
    ExchangeSeen,
    RequestRefused,
    SceneEvent,
    ServerChanged,
    StepFinished,
    StepStarted,
    UserActed,
)
from tutor.scenes.model import Scene
from tutor.scenes.sentences import duration_words, person_name
from tutor.scenes.server_beats import server_beats
from tutor.scenes.story import ATTACKER_LANE, STORE_LANE, Beat, BeatKind, Lane, LaneKind, Story
from tutor.server import events as server_events
from tutor.visible import visible

__all__ = [
    "ATTACKER_LANE", "PASSWORD_MASK", "STORE_LANE", "Beat", "BeatKind", "Lane", "LaneKind",
    "Story", "StoryBook", "credential_of", "host_of", "lanes_of", "login_steps_covered",
    "named", "person_name", "request_target", "response_label", "story_of",
]

ATTACKER = "attacker"
"""The browser name scenes give the attacker's own client."""
ATTACKER_ACTIONS = frozenset({"capture", "replay"})
"""Actions that give the attacker a lane of their own even without an attacker browser
(a cross-site page acts through evil.test's lane instead)."""
CROSS_SITE_ACTIONS = frozenset({"xss_steal", "xss_request", "cross_site_request"})
"""Actions that reach the attacker's own site (evil.test)."""
PASSWORD_MASK = "••••"
"""What the stage shows of a typed password: never its characters, nor its length."""


def host_of(url: str) -> str:
    """`bank.test` for `https://bank.test/login` (lower-cased, no port; control
    characters made visible)."""
    try:
        return visible((urlsplit(url).hostname or url).lower())
    except ValueError:
        return visible(url)


def lanes_of(scene: Scene) -> tuple[Lane, ...]:
    """The scene's lanes, fixed up front so nothing shifts while it plays.

    Left to right: the person, their browsers, the site's server and its store, then the
    attacker's site and the attacker, apart on the right so that no arrow of Alice's
    seems to pass through them.
    """
    actions = {step.action for step in scene.steps}
    victims = [name for name in scene.browsers if name != ATTACKER]
    lanes = [Lane("person", "Alice", "person")] if victims else []
    for name in victims:
        label = "Browser" if name == "user" else f"{person_name(name)}"
        lanes.append(Lane(f"browser:{name}", label, "browser"))
    site = host_of(scene.site)
    lanes.append(Lane(f"server:{site}", site, "server"))
    lanes.append(Lane(STORE_LANE, "Store", "store"))
    for lab in scene.lab_sites:
        lanes.append(Lane(f"server:{host_of(lab)}", host_of(lab), "server"))
    if any(step.action in CROSS_SITE_ACTIONS and not (
            step.action == "cross_site_request" and "from" in step.params)
           for step in scene.steps):
        # A cross-site request `from` another page (a lab site, http://bank.test) does
        # not reach evil.test; the others do.
        evil = host_of(scene.attacker_site)
        lanes.append(Lane(f"server:{evil}", evil, "server"))
    if ATTACKER in scene.browsers or actions & ATTACKER_ACTIONS:
        lanes.append(Lane(ATTACKER_LANE, "Attacker", "attacker"))
    return tuple(lanes)


def credential_of(exchange: Exchange) -> str | None:
    """What credential the request carried: "cookie", "bearer", "both" or None.

    Another Authorization scheme (Basic, say) is named by its scheme, lower-cased.
    """
    authorization = (exchange.request.header("authorization") or "").strip()
    # The scheme comes from the request (a recording's, say): shown, never obeyed.
    scheme = visible(authorization.split(" ", 1)[0].lower()) if authorization else None
    cookie = exchange.request.header("cookie") is not None
    if scheme and cookie:
        return "both"
    return "cookie" if cookie else scheme


class _Teller:
    """Turns one track's events into beats, remembering what the previous ones said."""

    def __init__(self, scene: Scene, lanes: tuple[Lane, ...]) -> None:
        self.site_lane = f"server:{host_of(scene.site)}"
        self.attacker_host = host_of(scene.attacker_site)
        self.lane_ids = {lane.id for lane in lanes}
        self.has_attacker = ATTACKER_LANE in self.lane_ids
        self.beats: list[Beat] = []
        self.exchanges = 0
        self.action = ""
        self.actor = "user"
        self.username = "alice"
        self.pending: list[server_events.ServerEvent] = []
        self.last_login_steps: tuple[int, ...] = ()
        self.run: list[str] = []
        """The cookies the last beat says were stored, while more may join it."""
        self.page_host = self.attacker_host
        """The host of the page a cross-site request comes from (evil.test unless told)."""

    # -- lanes ------------------------------------------------------------------------
    def client_lane(self, browser: str, *, attacking: bool = False) -> str:
        if (browser == ATTACKER or attacking) and self.has_attacker:
            return ATTACKER_LANE
        lane = f"browser:{browser}"
        return lane if lane in self.lane_ids else next(
            (i for i in self.lane_ids if i.startswith("browser:")), self.site_lane)

    def server_lane(self, url: str) -> str:
        lane = f"server:{host_of(url)}"
        return lane if lane in self.lane_ids else self.site_lane

    def person_lane(self, browser: str) -> str:
        if browser == ATTACKER and self.has_attacker:
            return ATTACKER_LANE
        return "person" if "person" in self.lane_ids else self.client_lane(browser)

    def add(self, beat: Beat) -> None:
        self.beats.append(beat)
        self.run = []

    # -- events -------------------------------------------------------------------------
    def feed(self, event: SceneEvent) -> None:
        if isinstance(event, StepStarted):
            self.flush_server(event.step_index)
            self.action, self.actor = event.step.action, event.step.actor
            self.page_host = host_of(str(event.step.params.get("from", "")) or
                                     self.attacker_host)
            self.username = str(event.step.params.get("username", "alice"))
        elif isinstance(event, UserActed):
            self.user_acted(event)
        elif isinstance(event, ServerChanged):
            self.pending.append(event.event)
        elif isinstance(event, ExchangeSeen):
            self.exchange(event)
        elif isinstance(event, RequestRefused):
            blocked = event.blocked
            lane = self.client_lane(blocked.browser)
            self.add(Beat("refused", lane, lane, f"✗ {blocked.method} not sent",
                          f"The browser refuses to send {blocked.method} {blocked.url}: "
                          f"{blocked.reason}.", event.step_index))
        elif isinstance(event, BrowserChanged):
            self.browser_changed(event.step_index, event.event)
        elif isinstance(event, StepFinished):
            self.flush_server(event.step_index)
        elif isinstance(event, ClockMoved):
            self.flush_server(event.step_index)
            jump = duration_words(event.after - event.before)
            # U+25F7, a clock face in DejaVu Sans Mono and most terminal fonts (the stopwatch
            # emoji is missing from many, and drawn two cells wide by others).
            self.add(Beat("clock", "", "", f"◷ +{jump}",
                          f"The clock jumps forward {jump}.", event.step_index))

    def user_acted(self, event: UserActed) -> None:
        index = event.step_index
        if event.login_step == 1:
            lane = self.person_lane(event.browser)
            who = person_name(event.browser)
            self.add(Beat("typed", lane, self.client_lane(event.browser),
                          f"{self.username} {PASSWORD_MASK}",
                          f"{who} types the username {self.username} and a password into "
                          "the login form.", index, (1,)))
        elif self.action == "capture":
            source = self.client_lane(event.browser)
            target = ATTACKER_LANE if self.has_attacker else source
            self.add(Beat("captured", source, target, "copy taken",
                          f"The attacker takes a copy of {person_name(event.browser)}'s "
                          "credential (a shared computer, a log, a proxy).", index))
        elif self.action == "replay":
            return  # the replayed request itself is drawn, marked as a replay
        elif self.action in CROSS_SITE_ACTIONS:
            lane = self.client_lane(event.browser)
            what = (f"opens a page on {self.page_host}" if self.action == "cross_site_request"
                    else "injected script runs")
            self.add(Beat("note", lane, lane, what,
                          _sentence(named(event.text, event.browser)), index))
        else:
            lane = self.person_lane(event.browser)
            text = named(event.text, event.browser)
            self.add(Beat("note", lane, lane, text, _sentence(text), index))

    def exchange(self, event: ExchangeSeen) -> None:
        exchange = event.exchange
        index = event.step_index
        attacking = self.action == "replay"
        client = self.client_lane(exchange.browser, attacking=attacking)
        server = self.server_lane(exchange.request.url)
        steps = event.login_steps
        request_steps = tuple(s for s in steps if s in (2, 4))
        answer_steps = tuple(s for s in steps if s in (3, 4))
        credential = credential_of(exchange)
        replay = attacking or (client == ATTACKER_LANE and credential is not None)
        if replay:
            # Someone else's credential: not a step of Alice's login, whatever it carries.
            request_steps = answer_steps = ()
        target = request_target(exchange.request.url)
        method = visible(exchange.request.method)
        who = "The attacker" if client == ATTACKER_LANE else "The browser"
        carried = f", carrying a {credential} credential" if credential else ""
        self.add(Beat("request", client, server, f"{method} {target}",
                      f"{who} sends {method} {target} to {host_of(exchange.request.url)}"
                      f"{carried}{' (a replayed copy)' if replay else ''}.", index,
                      request_steps, self.exchanges, credential, None, replay))
        self.flush_server(index, server, answer_steps, self.exchanges)
        status = exchange.response.status
        label = response_label(exchange)
        self.add(Beat("response", server, client, label,
                      f"{host_of(exchange.request.url)} answers {status}"
                      f"{' and sets a cookie' if label.endswith(SET_COOKIE) else ''}"
                      f"{f' (replica {event.replica})' if event.replica else ''}.",
                      index, answer_steps, self.exchanges, None, status, replay,
                      event.replica))
        self.last_login_steps = answer_steps
        self.exchanges += 1

    def flush_server(self, index: int, lane: str | None = None,
                     steps: tuple[int, ...] = (), exchange: int | None = None) -> None:
        """Draw the server events collected since the last exchange (as part of
        `exchange`, the request that caused them, when there is one)."""
        events, self.pending = self.pending, []
        for event in events:
            for beat in server_beats(event, lane or self.site_lane, index, steps):
                self.add(replace(beat, exchange=exchange))

    def browser_changed(self, index: int, event: BrowserEvent) -> None:
        lane = self.client_lane(event.browser)
        steps = (3,) if 3 in self.last_login_steps else ()
        if isinstance(event, CookieStored):
            if not event.replaced and self.stored_run(lane, index, event.cookie.name):
                return
            verb = "replaces" if event.replaced else "keeps"
            self.add(Beat("kept", lane, lane, f"jar: {event.cookie.name}",
                          f"The browser {verb} the cookie {event.cookie.name} in its cookie "
                          "jar (not in web storage).", index, steps))
            self.run = [] if event.replaced else [event.cookie.name]
        elif isinstance(event, CookieRemoved) and event.reason.startswith("evicted"):
            cookie = event.cookie
            # A loss the learner must not miss among many stored cookies: drawn as a refusal.
            evicted = Beat("refused", lane, lane, f"✗ jar evicts {cookie.name}",
                           f"The browser evicts the cookie {cookie.name}: {cookie.domain} went "
                           f"over its {MAX_COOKIES_PER_DOMAIN} cookies and {cookie.name} was "
                           f"the oldest{'' if cookie.secure else ' without Secure'}.", index)
            last = self.beats[-1] if self.beats else None
            if self.run and last is not None and (last.step_index, last.source) == (index, lane):
                # Drawn above the row of cookies that caused it, which stays open for the
                # rest of the response's cookies: the loss sits right under the answer and
                # stays on screen when the stage has only a few rows to show.
                self.beats.insert(len(self.beats) - 1, evicted)
            else:
                self.add(evicted)
        elif isinstance(event, CookieRemoved):
            self.add(Beat("kept", lane, lane, f"jar: −{event.cookie.name}",
                          f"The browser drops the cookie {event.cookie.name} "
                          f"({event.reason}).", index))
        elif isinstance(event, CookieRejected):
            self.add(Beat("kept", lane, lane, f"jar refuses {event.name}",
                          f"The browser refuses to store the cookie {event.name}: "
                          f"{event.reason}.", index))
        elif isinstance(event, StorageWritten):
            if event.value is None:
                self.add(Beat("kept", lane, lane, f"{event.area}: −{event.key}",
                              f"The page removes {event.key} from {event.area}.", index))
            else:
                self.add(Beat("kept", lane, lane, f"{event.area}: {event.key}",
                              f"The page keeps {event.key} in {event.area}, where any "
                              "script on the page can read it.", index, steps))
        elif isinstance(event, ScriptRead):
            self.add(Beat("note", lane, lane, f"script reads {event.what}",
                          f"A script on {event.origin} reads {event.what}.", index))

    def stored_run(self, lane: str, index: int, name: str) -> bool:
        """Fold a cookie stored right after others of the same step into their beat, so
        fifty Set-Cookie lines make one row ("jar: ad1 … ad50 (50)"), not fifty. True
        when folded. An eviction goes above the row and leaves it open; anything else
        between two stored cookies starts a new row."""
        last = self.beats[-1] if self.beats else None
        if (not self.run or last is None or last.kind != "kept" or last.source != lane
                or last.step_index != index or not last.label.startswith("jar: ")):
            return False
        self.run.append(name)
        names = self.run
        label = (f"jar: {names[0]}, {names[1]}" if len(names) == 2
                 else f"jar: {names[0]} … {names[-1]} ({len(names)})")
        listed = names if len(names) <= 6 else [*names[:3], "…", *names[-2:]]
        self.beats[-1] = replace(last, label=label, sentence=(
            f"The browser keeps {len(names)} cookies in its cookie jar: "
            f"{', '.join(listed)}."))
        return True

    def story_so_far(self) -> list[Beat]:
        self.flush_server(self.beats[-1].step_index if self.beats else 0)
        return self.beats


SET_COOKIE = " +Set-Cookie"


def response_label(exchange: Exchange) -> str:
    """`303 +Set-Cookie`: the status, and whether the answer set a cookie."""
    label = str(exchange.response.status)
    return label + SET_COOKIE if exchange.response.header("set-cookie") is not None else label


def request_target(url: str) -> str:
    """The path and query of `url` (`/profile?tab=1`), as a request line shows them, with
    control characters made visible (a recording's URL is not to be obeyed) and any
    credential in it shortened (tutor.redaction's rule, as everywhere)."""
    try:
        parts = urlsplit(redact_url(url))
    except ValueError:
        return visible(redact_url(url))
    path = parts.path or "/"
    return visible(f"{path}?{parts.query}" if parts.query else path)


def named(text: str, browser: str) -> str:
    """An action's words with the browser's name made the person's ("user types" →
    "Alice types")."""
    name = person_name(browser)
    for form in (f"{browser}'s ", f"{browser} "):
        if text.startswith(form) or f" {form}" in text:
            text = text.replace(form, form.replace(browser, name))
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def story_of(scene: Scene, events: Sequence[SceneEvent]) -> Story:
    """The lanes of `scene` and the beats of `events` (one track's, in order), told at
    once: the teller starts each step afresh at its StepStarted, so one list will do."""
    return StoryBook(scene).story([events])


def login_steps_covered(beats: Iterable[Beat]) -> tuple[int, ...]:
    """Every login step the given beats show, in order (for the stepper)."""
    return tuple(sorted({step for beat in beats for step in beat.login_steps}))



class StoryBook:
    """A track's story kept step by step, so that a redraw re-tells only new steps.

    Each step is told once, from its own events and the number of exchanges before it
    (all a step's beats depend on); stepping back and forward reuses the told steps, as
    the engine reuses its records.
    """

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.lanes = lanes_of(scene)
        self._told: list[tuple[Sequence[SceneEvent], int, int]] = []
        """Per step told: its events (by identity), beats and exchanges after it."""
        self._beats: list[Beat] = []

    def story(self, steps: Sequence[Sequence[SceneEvent]]) -> Story:
        """The story of `steps` (each step's events, in order)."""
        told = self._told
        for index, events in enumerate(steps):
            if index < len(told) and told[index][0] is events:
                continue
            del told[index:]
            del self._beats[told[-1][1] if told else 0:]
            teller = _Teller(self.scene, self.lanes)
            teller.exchanges = told[-1][2] if told else 0
            for event in events:
                teller.feed(event)
            self._beats.extend(teller.story_so_far())
            told.append((events, len(self._beats), teller.exchanges))
        shown = told[len(steps) - 1][1] if steps else 0
        return Story(self.lanes, tuple(self._beats[:shown]))
