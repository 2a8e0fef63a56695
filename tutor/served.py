"""Where `tutor serve` listens: its `--port` default, and the address a running one
publishes so that a client (the Repeater's f6 curl export) aims at it even on another
port. Light (the standard library and `tutor.records`), so the command line reads it
without the server package. A running server also publishes the names of its own
cookies (`ServerConfig.served_cookie_names`), which depend on its scheme and its
weaknesses."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tutor.records import Record

DEFAULT_PORT = 8000
"""`tutor serve --port`'s default."""
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"
"""Where `tutor serve` listens with no options."""
ADDRESS_FILE = "serve.json"
"""In the data directory: the URL and process id of the `tutor serve` that started last."""
MAX_ADDRESS_BYTES = 4096


class PublishedServer(Record):
    """A running `tutor serve`, as it described itself. (A plain record: every command
    imports this module, and a dataclass or NamedTuple cost each of them at import.)"""

    __slots__ = ("cookie_names", "url")
    _fields = ("url", "cookie_names")

    def __init__(self, url: str, cookie_names: dict[str, str]) -> None:
        self.url = url
        self.cookie_names = cookie_names
        """Its own cookies, base name → the name it writes
        (`ServerConfig.served_cookie_names`: `__Host-` over https, but a naive
        double-submit `csrf` keeps its plain name)."""


def publish(folder: Path, url: str, pid: int | None = None,
            cookie_names: dict[str, str] | None = None) -> Path:
    """Say where this `tutor serve` listens and how it names its cookies (replacing what
    an earlier one said)."""
    # Imported here: only `tutor serve` publishes, and the other commands read this
    # module without tempfile.
    from tutor.progress_store import write_atomically

    path = folder / ADDRESS_FILE
    record = {"url": url, "pid": pid or os.getpid(), "cookie_names": cookie_names or {}}
    write_atomically(path, json.dumps(record))  # the old address or the new, never half
    return path


def withdraw(folder: Path, pid: int | None = None) -> None:
    """Take the address back when this server stops, unless a later one replaced it."""
    path = folder / ADDRESS_FILE
    if _read(path).get("pid") == (pid or os.getpid()):
        path.unlink(missing_ok=True)


def published(folder: Path) -> PublishedServer | None:
    """The `tutor serve` still running that started last, or None (no file, a damaged
    one, or its server has stopped without taking it back). Cookie names that are not
    all strings are left out, as from a server that published none."""
    found = _read(folder / ADDRESS_FILE)
    url, pid, names = found.get("url"), found.get("pid"), found.get("cookie_names")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    if not isinstance(pid, int) or isinstance(pid, bool) or not _running(pid):
        return None
    if not isinstance(names, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in names.items()):
        names = {}
    return PublishedServer(url, names)


def published_url(folder: Path) -> str | None:
    """The URL of the `tutor serve` still running that started last (see `published`)."""
    server = published(folder)
    return server.url if server is not None else None


def _read(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_ADDRESS_BYTES + 1)
        data = json.loads(raw) if len(raw) <= MAX_ADDRESS_BYTES else None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _running(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":
        return True  # there, os.kill would end the process instead of asking about it
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but is someone else's, or the platform cannot tell
    return True
