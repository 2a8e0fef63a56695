"""`tutor inspect` as a core function: a HAR file on disk → its report, streamed.

The file is read one entry at a time (`stream.HarStream`), each entry analysed
(`analysis.Analyser`) and written (`render.TextReport` / `JsonReport`) before the next is
read, so memory follows one entry whatever the file's size. The report is spooled and
written to `out` only once the whole file has been read: a bad file writes nothing.
"""

from __future__ import annotations

import tempfile
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


def _spool() -> IO[str]:
    # Closed by the caller's with.
    return tempfile.SpooledTemporaryFile(
        max_size=SPOOL_BYTES, mode="w+", encoding="utf-8", errors="surrogatepass")


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
