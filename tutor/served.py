"""Where `tutor serve` listens when given no options: its `--port` default and the URL a
client (the Repeater's f6 curl export) aims at. No imports, so the command line reads it
without the server package. The names of the server's cookies over http and https are
`ServerMode.cookie_name` (`tutor.server.modes.registry`), the one rule for those."""

from __future__ import annotations

DEFAULT_PORT = 8000
"""`tutor serve --port`'s default."""
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"
"""Where `tutor serve` listens with no options."""
