"""Recorded exchanges in the shape the stage draws, so a HAR plays like a scene.

Only what the sequence diagram and the exchange view read is filled in: the recording
has no cookie-jar decisions, and the browser that made it is not simulated here.
"""

from __future__ import annotations

from collections.abc import Sequence

from tutor.browser.cookie_model import RequestContext
from tutor.browser.events import Exchange, RecordedRequest, RecordedResponse
from tutor.har.analysis import Analysis
from tutor.scenes.beats import (
    Beat,
    Lane,
    Story,
    credential_of,
    host_of,
    request_target,
    response_label,
)
from tutor.scenes.events import ExchangeSeen
from tutor.visible import visible

RECORDED_BROWSER = "recorded"
"""The browser name recorded exchanges carry."""


def staged_exchanges(analysis: Analysis) -> list[ExchangeSeen]:
    """One stage exchange per HAR entry, tagged with the analysis' login steps."""
    staged: list[ExchangeSeen] = []
    for item in analysis.entries:
        entry = item.entry
        request, response = entry.request, entry.response
        # HTTP/2 pseudo-headers (:authority, :path) are framing, not headers to show.
        request_headers = tuple((n, v) for n, v in request.headers if not n.startswith(":"))
        response_headers = tuple((n, v) for n, v in response.headers if not n.startswith(":"))
        exchange = Exchange(
            at=entry.started or 0.0,
            browser=RECORDED_BROWSER,
            request=RecordedRequest(request.method, request.url, request_headers,
                                    request.body.data if request.body else b""),
            response=RecordedResponse(response.status, response_headers,
                                      response.body.data if response.body else b""),
            context=RequestContext(request.url, request.method),
        )
        staged.append(ExchangeSeen(entry.index, exchange, item.login_steps, None))
    return staged


MAX_HOST_LANES = 4
"""Hosts of a recording that get lanes of their own; the rest share one."""
OTHER_HOSTS = "server:*"


def story_of_exchanges(exchanges: Sequence[ExchangeSeen]) -> Story:
    """A recording's story (a HAR): one browser, a lane per host, no store (a recording
    cannot see inside a server). Step 1 is the page whose login form the user filled."""
    hosts: list[str] = []
    for seen in exchanges:
        host = host_of(seen.exchange.request.url)
        if host not in hosts:
            hosts.append(host)
    lanes = [Lane("browser:recorded", "Browser", "browser")]
    lanes += [Lane(f"server:{h}", h, "server") for h in hosts[:MAX_HOST_LANES]]
    if len(hosts) > MAX_HOST_LANES:
        lanes.append(Lane(OTHER_HOSTS, "other hosts", "server"))
    lane_ids = {lane.id for lane in lanes}
    beats: list[Beat] = []
    for index, seen in enumerate(exchanges):
        exchange = seen.exchange
        host = host_of(exchange.request.url)
        server = f"server:{host}" if f"server:{host}" in lane_ids else OTHER_HOSTS
        target = request_target(exchange.request.url)
        method, status = visible(exchange.request.method), exchange.response.status
        credential = credential_of(exchange)
        steps = seen.login_steps
        carried = f", carrying a {credential} credential" if credential else ""
        beats.append(Beat("request", "browser:recorded", server, f"{method} {target}",
                          f"The browser sends {method} {target} to {host}{carried}.",
                          index, tuple(s for s in steps if s in (2, 4)), index, credential))
        beats.append(Beat("response", server, "browser:recorded", response_label(exchange),
                          f"{host} answers {status}.", index,
                          tuple(s for s in steps if s in (3, 4)), index, None, status))
        if 1 in steps:
            beats.append(Beat("typed", "browser:recorded", "browser:recorded",
                              "login form shown",
                              "The page shows a login form: this is where the user enters "
                              "credentials (a recording cannot see the typing).", index, (1,),
                              index))
    return Story(tuple(lanes), tuple(beats))
