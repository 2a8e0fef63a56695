"""`tutor inspect` as a core function: a HAR file on disk → its report, streamed.

The file is read one entry at a time (`stream.HarStream`), each entry analysed
(`analysis.Analyser`) and written (`render.TextReport` / `JsonReport`) before the next is
read, so memory follows one entry whatever the file's size. The report is spooled and
written to `out` only once the whole file has been read: a bad file writes nothing.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from tutor.har import reader
from tutor.har.analysis import Analyser
from tutor.har.files import is_regular
from tutor.har.model import HarEntry
from tutor.har.render import JsonReport, TextReport
from tutor.har.stream import HarStream

SPOOL_BYTES = 4 * 1024 * 1024
"""Report text kept in memory before the spool moves to a temporary file."""


def inspect_file(path: Path, out: IO[str], as_json: bool = False) -> None:
    """Write the report of the HAR file at `path` to `out`, or raise one HarError.

    A pipe or standard input cannot be read twice, so it is read whole (up to the
    whole-file reader's limit) instead of streamed."""
    if not is_regular(path):
        har = reader.read_har(path, reader.MAX_HAR_BYTES)
        _report(har.entries, lambda: har.creator, out, as_json)
        return
    stream = HarStream(path)
    _report(stream.entries(), lambda: stream.creator, out, as_json)


class _Spool:
    """Text kept in memory until it passes SPOOL_BYTES characters, then in a temporary
    file: tempfile.SpooledTemporaryFile's idea, without importing tempfile (and random)
    on every run for the usual report that stays in memory."""

    def __init__(self) -> None:
        self._file: IO[str] = io.StringIO()
        self._kept = 0
        """Characters in memory (counted until the file takes over)."""

    def write(self, text: str) -> int:
        self._file.write(text)
        if self._kept >= 0:
            self._kept += len(text)
            if self._kept > SPOOL_BYTES:
                self._roll_over()
        return len(text)

    def _roll_over(self) -> None:
        import tempfile

        # Closed by close(), like the StringIO it replaces.
        file = tempfile.TemporaryFile(  # noqa: SIM115
            "w+", encoding="utf-8", errors="surrogatepass")
        file.write(self._file.getvalue())  # type: ignore[attr-defined]
        self._file, self._kept = file, -1

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def read(self, size: int | None = -1) -> str:
        return self._file.read(-1 if size is None else size)

    def close(self) -> None:
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
        if isinstance(report, JsonReport):
            report.finish(out)
        else:
            report.finish(out, creator())
