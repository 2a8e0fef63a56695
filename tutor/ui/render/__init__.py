"""Pure functions that turn the core's state into Rich renderables for the stage.

Rich only, never Textual (a test checks it), so every view can be tested as plain text
and reused by anything that prints with Rich.
"""

from __future__ import annotations

from tutor.ui.render.browser_view import render_browser
from tutor.ui.render.exchange import render_cookie_decisions, render_exchange
from tutor.ui.render.jwt_view import render_jwt
from tutor.ui.render.server_view import render_server
from tutor.ui.render.stepper import render_stepper
from tutor.ui.render.timeline import render_timeline, timeline_row

__all__ = [
    "render_browser",
    "render_cookie_decisions",
    "render_exchange",
    "render_jwt",
    "render_server",
    "render_stepper",
    "render_timeline",
    "timeline_row",
]
