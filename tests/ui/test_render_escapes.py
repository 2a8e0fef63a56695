"""Escape sequences from a recording or a server never reach the terminal through the
stage's renderers (exchange view, replay headers, JWT view): drawn with a plain Rich
console, the output holds no ESC, BEL or CSI."""

from __future__ import annotations

import base64
import io
import json

from rich.console import Console, RenderableType

from tutor.browser.cookie_model import RequestContext
from tutor.browser.events import Exchange, RecordedRequest, RecordedResponse
from tutor.ui.render._text import shorten
from tutor.ui.render.exchange import render_exchange
from tutor.ui.screens.replay import headers_text

HOSTILE = "\x1b]0;retitled\x07\x1b[2J\x9b31m\x1b]52;c;aGk=\x07"


def _drawn(renderable: RenderableType) -> str:
    out = io.StringIO()
    Console(file=out, color_system=None, width=100, force_terminal=False).print(renderable)
    return out.getvalue()


def _clean(text: str) -> bool:
    return not {"\x1b", "\x07", "\x9b"} & set(text)


def test_the_exchange_view_shows_escapes_instead_of_sending_them() -> None:
    url = f"https://bank.test/{HOSTILE}"
    exchange = Exchange(0.0, "recorded", RecordedRequest(
        f"GET{HOSTILE}", url, ((f"X-{HOSTILE}", HOSTILE), ("Cookie", f"sid={HOSTILE}")),
        HOSTILE.encode()), RecordedResponse(200, (("Set-Cookie", f"a={HOSTILE}"),),
                                            json.dumps({"a": HOSTILE}).encode()),
        RequestContext(url, "GET"))
    assert _clean(_drawn(render_exchange(exchange)))


def test_replay_headers_shorten_after_making_escapes_visible() -> None:
    value = "x" * 46 + HOSTILE  # the cut falls inside the sequence
    assert _clean(_drawn(headers_text("Request", (("Authorization", value), ("X", value)))))


def test_every_renderer_shortening_makes_escapes_visible_first() -> None:
    claims = base64.urlsafe_b64encode(json.dumps({"sub": HOSTILE}).encode()).decode()
    for limit in range(1, 30):
        assert _clean(shorten(f"eyJ.{claims}.{HOSTILE}", limit))


def test_urls_in_headers_have_their_credentials_hidden() -> None:
    secret = "hunter2-the-password"
    url = f"https://bank.test/next?password={secret}"
    exchange = Exchange(0.0, "recorded", RecordedRequest("GET", url, (("Referer", url),), b""),
                        RecordedResponse(302, (("Location", url),), b""),
                        RequestContext(url, "GET"))
    assert secret not in _drawn(render_exchange(exchange))
    assert secret not in _drawn(headers_text("Response", (("Location", url),)))
