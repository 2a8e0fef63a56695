"""The four login steps, worded once for every front end (lesson 1 defines them).

The player's stepper, the plain transcript, `tutor replay` and `tutor inspect` all say
these words, so the same exchange never gets two names.
"""

from __future__ import annotations

LOGIN_STEP_NAMES = {
    1: "the user enters credentials",
    2: "the credentials travel to the server",
    3: "the server verifies them and returns a credential",
    4: "the client attaches the credential to a later request",
}
RECORDED_STEP_NOTES = {
    1: "in the form this page showed; a recording cannot see the typing itself",
}
"""What a recording can show of a step, where it differs from a live scene."""
