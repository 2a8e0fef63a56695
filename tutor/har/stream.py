"""Reading a HAR file one entry at a time, so memory follows one entry, not the file.

`tutor inspect` reads every file this way (ijson's C parser builds each entry about as
fast as `json.load` builds the whole document). Two passes over the file, both cheap:

1. the head: parse events up to `log.entries`, building what comes before it (version,
   creator, pages): checked as the whole-file reader checks it, with the same errors;
2. the entries: `ijson.items(file, "log.entries.item")`, each checked and normalised by
   `reader.entry_from_json`, so its errors name the same places (`entries[3].request`).

A creator written after the entries (no exporter we know does) costs a third pass. JSON
that ijson refuses raises `HarSyntaxError`, a `HarError` naming the entry being read; the
CLI then rereads a file small enough for the whole-file reader, whose messages give the
line and column (and which accepts what Python's json does beyond JSON, like 1e400).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import ijson

from tutor.har.files import open_har
from tutor.har.model import HarEntry, HarError
from tutor.har.reader import creator_name, entry_from_json, har_from_json, log_parts

_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_EVENT_KINDS = {"start_array": "a list", "string": "a string", "number": "a number",
                "boolean": "true/false", "null": "null"}
_CHUNK = 64 * 1024


class HarSyntaxError(HarError):
    """The file is not JSON that the streaming parser accepts."""


class _Utf8Reader:
    """A binary file in UTF-16 or UTF-32 (with a byte-order mark) read as UTF-8 bytes,
    which is what ijson's C parser takes."""

    def __init__(self, raw: IO[bytes], encoding: str) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)()

    def read(self, size: int = _CHUNK) -> bytes:
        chunk = self._raw.read(size)
        try:
            text = self._decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise HarError("", f"starts with a byte-order mark but is not valid "
                           f"{exc.encoding}: {exc.reason}") from None
        return text.encode("utf-8", "surrogatepass")


class HarStream:
    """A HAR file on disk whose entries are read lazily, in order.

    Open it (the head is read and checked), iterate `entries()` once, then `creator`
    and `count` are final."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.version = ""
        self.creator = ""
        """creator.name plus its version, for display."""
        self.count = 0
        """Entries read so far."""
        self._creator_seen = False
        self._read_head()

    def _open(self) -> IO[bytes] | _Utf8Reader:
        raw, regular = open_har(self.path)
        if not regular:  # a pipe cannot be read twice: inspect_file reads it whole
            raw.close()
            raise HarError(str(self.path), "is not a regular file, so it cannot be streamed")
        start = raw.read(4)
        for bom, encoding in _WIDE_BOMS:
            if start.startswith(bom):
                raw.seek(0)
                return _Utf8Reader(raw, encoding)
        raw.seek(len(codecs.BOM_UTF8) if start.startswith(codecs.BOM_UTF8) else 0)
        return raw

    def _read_head(self) -> None:
        file = self._open()
        builder = ijson.ObjectBuilder()
        events = 0
        try:
            for prefix, event, value in ijson.parse(file, use_float=True):
                if events == 0 and event != "start_map":
                    raise HarError("", f"not a HAR file: the top level is "
                                   f"{_EVENT_KINDS.get(event, 'not an object')}, expected an "
                                   "object with a \"log\"")
                events += 1
                if prefix == "log.entries" and event == "start_array":
                    break
                builder.event(event, value)
            else:
                if events == 0:
                    raise HarError("", "the file is empty")
                har_from_json(builder.value)  # no entries list: raises the reader's error
                raise HarError("log", "no \"entries\" list")
        except ijson.JSONError as exc:
            if events == 0 and "premature EOF" in str(exc):
                raise HarError("", "the file is empty") from None
            raise _syntax_error(exc, "", events) from None
        except UnicodeDecodeError as exc:  # a lone surrogate escaped in a string
            raise _syntax_error(exc, "", events) from None
        finally:
            _close(file)
        log = builder.value.get("log")
        # Before the entries, "log" holds only what came first: check that much.
        _, self.version, self.creator = log_parts({"log": {**log, "entries": []}})
        self._creator_seen = "creator" in log

    def entries(self) -> Iterator[HarEntry]:
        """Every entry, checked and normalised, one at a time."""
        file = self._open()
        index = 0
        try:
            for item in ijson.items(file, "log.entries.item", use_float=True):
                yield entry_from_json(item, index)
                index += 1
                self.count = index
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            # UnicodeDecodeError: ijson turns an escaped lone surrogate into bytes it
            # cannot decode; the whole-file reader takes it (see inspect_file).
            raise _syntax_error(exc, f"entries[{index}]", index) from None
        finally:
            _close(file)
        if not self._creator_seen:
            self._read_late_creator()

    def _read_late_creator(self) -> None:
        file = self._open()
        try:
            for value in ijson.items(file, "log.creator", use_float=True):
                self.creator = creator_name(value)
                break
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            raise _syntax_error(exc, "log.creator", 1) from None
        finally:
            _close(file)


def _syntax_error(exc: Exception, where: str, progress: int) -> HarSyntaxError:
    """ijson's message (yajl's first line, e.g. "parse error: premature EOF") as a
    HarError; `progress` tells whether anything was read before it."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
    if message.startswith("b'") or message.startswith('b"'):
        message = message[2:].split("\\n")[0]  # yajl's bytes message, as repr
    hint = " (the file looks truncated)" if "premature EOF" in message and progress else ""
    return HarSyntaxError(where, f"not valid JSON: {message}{hint}")


def _close(file: Any) -> None:
    raw = getattr(file, "_raw", file)
    raw.close()
