"""Opening a HAR file whatever it turns out to be, without hanging and within the limit.

A path can name a regular file, a pipe (`<(cat x.har)`, a FIFO), standard input (`-`),
a device (`/dev/zero`, a terminal) or a folder. Opening is non-blocking, so a FIFO with
no writer cannot hang the open; a device or folder is refused; and whatever is read is
read only up to the limit plus one byte, so an endless stream costs no more memory than
the largest file accepted. Only a regular file can be read twice, which streaming needs.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from tutor.har.model import HarError

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO

STDIN = Path("-")
"""The path that means standard input."""


def open_har(path: Path) -> tuple[BinaryIO, bool]:
    """The file open for reading (blocking again once open) and whether it is a regular
    file; a folder, a device or an unreadable path is one HarError."""
    if path == STDIN:
        return sys.stdin.buffer, False
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise HarError(str(path), "is a folder, not a HAR file") from None
    except OSError as exc:
        raise HarError(str(path), exc.strerror or str(exc)) from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise HarError(str(path), "is a folder, not a HAR file")
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
            raise HarError(str(path), "is a device (a terminal, /dev/zero...), not a HAR "
                           "file")
        # Open without waiting for a writer; read waiting for one (a pipe being filled).
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "rb"), stat.S_ISREG(mode)


def too_big_error(path: Path, size: int | None, max_bytes: int, advice: str) -> HarError:
    """The size refusal; `size` is None when only "more than the limit" is known."""
    told = "it" if size is None else f"{size / 2**20:.1f} MiB"
    return HarError(str(path), f"{told} is more than the {max_bytes / 2**20:.0f} MiB limit; "
                    + (advice or "export fewer requests (filter the devtools Network panel "
                       "first)"))


def read_limited(path: Path, max_bytes: int, advice: str = "") -> bytes:
    """Every byte of the file, or a HarError when it has more than `max_bytes`."""
    file, regular = open_har(path)
    try:
        if regular:
            size = os.fstat(file.fileno()).st_size
            if size > max_bytes:
                raise too_big_error(path, size, max_bytes, advice)
        raw = file.read(max_bytes + 1)
    except OSError as exc:
        raise HarError(str(path), exc.strerror or str(exc)) from None
    finally:
        if file is not sys.stdin.buffer:
            file.close()
    if len(raw) > max_bytes:
        raise too_big_error(path, None, max_bytes, advice)
    return raw


def is_regular(path: Path) -> bool:
    """Whether `path` is a regular file (which can be streamed: read more than once)."""
    if path == STDIN:
        return False
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False
