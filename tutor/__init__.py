"""tutor: a terminal tutor for web authentication (session cookies versus JWTs)."""

from __future__ import annotations

import sys

__version__ = "0.1.0"

# httpx imports its command-line client (click, pygments, rich.syntax) on every import
# whenever those happen to be installed, as they are here (uvicorn brings click, Textual
# brings rich and pygments): a tenth of a second and 4 MB that tutor never uses. A None
# entry in sys.modules makes that one import fail, and httpx then defines a stub
# `httpx.main` (its own fallback for a missing CLI). Nothing changes if httpx is loaded.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
