"""Notes about a recording as a whole: what it cannot show, as opposed to findings, which
are about what it shows.

One so far. Chrome's DevTools exports a "sanitized" HAR unless the learner turns on its
setting "Allow to generate HAR (with sensitive data)": no Cookie, Set-Cookie or
Authorization header is written (devtools-frontend, "[network] Export sanitized HARs by
default", crbug.com/361717594). A login recorded that way looks, to `tutor inspect`,
like a site without credentials, which would teach the opposite of what happened.
"""

from __future__ import annotations

DEVTOOLS_CREATOR = "WebInspector"
"""`log.creator.name` in a HAR that Chrome's DevTools (and other Chromium browsers')
exported."""

SANITIZED_NOTE = (
    "Note: no request here carries a Cookie or Authorization header, and no response a "
    "Set-Cookie. Chrome's DevTools leaves those headers out of the HARs it exports "
    "unless its setting \"Allow to generate HAR (with sensitive data)\" is on; with it "
    "on, \"Export HAR (with sensitive data)\" keeps them. Such a file holds live "
    "sessions: keep it to yourself.")


def recording_notes(creator: str, carried_credentials: bool) -> list[str]:
    """The notes for a recording made by `creator` ("name version"), given whether any
    of its exchanges carried or set a credential in a header (or the cookie lists)."""
    if carried_credentials or creator.split(" ", 1)[0] != DEVTOOLS_CREATOR:
        return []
    return [SANITIZED_NOTE]
