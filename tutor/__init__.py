"""tutor: a terminal tutor for web authentication (session cookies versus JWTs)."""

from __future__ import annotations

__version__ = "0.1.0"
