"""How long a test waits before calling something hung.

Tests wait for readiness (a banner, a screen, an answer), never for a guessed time. The
bound below is not how long anything should take (seconds when the machine is idle);
it only stops a real hang from stalling the whole run, and is generous because a busy
two-core machine can be many times slower than an idle one.
"""

from __future__ import annotations

HANG_BOUND = 120.0
"""Seconds after which a wait for readiness fails as a hang."""

HANG_BOUND_MS = int(HANG_BOUND * 1000)
"""The same bound for APIs that count milliseconds (Playwright)."""
