"""Recorded exchanges in the shape the stage draws, so a HAR plays like a scene.

Only what the sequence diagram and the exchange view read is filled in: the recording
has no cookie-jar decisions, and the browser that made it is not simulated here.
"""

from __future__ import annotations

from tutor.browser.cookie_model import RequestContext
from tutor.browser.events import Exchange, RecordedRequest, RecordedResponse
from tutor.har.analysis import Analysis
from tutor.scenes.events import ExchangeSeen

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
