"""`tutor inspect` as a core function: a HAR file on disk → its report, streamed.

The file is read one entry at a time (`stream.HarStream`), each entry analysed
(`analysis.Analyser`) and written (`render.TextReport` / `JsonReport`) before the next is
read, so memory follows one entry whatever the file's size. The report is spooled and
written to `out` only once the whole file has been read: a bad file writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from tutor.har import reader
from tutor.har.analysis import Analyser
from tutor.har.files import is_regular
from tutor.har.model import HarEntry
from tutor.har.render import JsonReport, TextReport
from tutor.har.stream import HarStream

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

SPOOL_BYTES = 4 * 1024 * 1024
"""Report text kept in memory before the spool moves to a temporary file."""


def inspect_file(path: Path, out: IO[str], as_json: bool = False) -> None:
    """Write the report of the HAR file at `path` to `out`, or raise one HarError.

    A pipe or standard input cannot be read twice, so it is read whole (up to the
    whole-file reader's limit) instead of streamed."""
    if not is_regular(path):
        har = reader.read_har(path, reader.MAX_HAR_BYTES, decode_media=False)
        _report(har.entries, lambda: har.creator, out, as_json)
        return
    stream = HarStream(path)
    _report(stream.entries(), lambda: stream.creator, out, as_json)


class _Spool:
    """Text kept in memory (as the strings written) until it passes SPOOL_BYTES, then in
    a temporary file: tempfile.SpooledTemporaryFile's idea without importing tempfile
    (and random) on every run, for the usual report that stays in memory. Written, then
    rewound once and read.

    In memory, a read takes the strings written as they are (never the whole report
    joined, then cut: that, and copying the pieces, took 3% of `tutor inspect`'s time on
    a report of a few megabytes, most of it the kernel giving the copies fresh pages)."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        """The strings written; once rewound, those not read yet, last first."""
        self._kept = 0
        """Characters in memory; each takes up to two bytes (the report's arrows and
        ellipses make its text two bytes a character)."""
        self._file: IO[str] | None = None
        self._rewound = False

    def write(self, text: str) -> int:
        if self._file is not None:
            return self._file.write(text)
        self._parts.append(text)
        self._kept += len(text)
        if 2 * self._kept > SPOOL_BYTES:
            import tempfile

            # Closed by close().
            self._file = tempfile.TemporaryFile(  # noqa: SIM115
                "w+", encoding="utf-8", errors="surrogatepass")
            self._file.write("".join(self._parts))
            self._parts = []
        return len(text)

    def seek(self, offset: int, whence: int = 0) -> int:
        if self._file is not None:
            return self._file.seek(offset, whence)
        if offset or whence or self._rewound:
            raise ValueError("a spool in memory is only rewound, once")
        self._rewound = True
        self._parts.reverse()  # read from the end: list.pop
        return 0

    def read(self, size: int | None = -1) -> str:
        if self._file is not None:
            return self._file.read(-1 if size is None else size)
        left = -1 if size is None else size  # below 0: all the rest
        taken: list[str] = []
        while left and self._parts:
            part = self._parts.pop()
            if 0 < left < len(part):
                self._parts.append(part[left:])
                part = part[:left]
            taken.append(part)
            if left > 0:
                left -= len(part)
        return "".join(taken)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _spool() -> _Spool:
    # Closed by the caller's with.
    return _Spool()


def _report(entries: Iterable[HarEntry], creator: Callable[[], str], out: IO[str],
            as_json: bool) -> None:
    """Analyse and write every entry; `creator` is asked once the entries are read."""
    analyser = Analyser()
    with _spool() as first, _spool() as second:
        report = JsonReport(first, second) if as_json else TextReport(first)
        for entry in entries:
            report.add(*analyser.visit(entry))
        report.finish(out, creator())
