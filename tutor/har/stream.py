"""Reading a HAR file one entry at a time, so memory follows one entry, not the file.

`tutor inspect` reads every regular file this way, in one pass, at the speed of
`json.load`: Python's own JSON decoder (its C scanner, the one `raw_decode` calls) decodes each
value, and only the frame around them is walked here, by hand:

    { ... "log": { ... "entries": [ entry, entry, ... ] ... } ... }

The file is decoded to text a chunk at a time; each entry is decoded from the chunk in
memory and checked by `entries.entry_from_json`, so its errors name the same places
(`entries[3].request`) as the whole-file reader's. An entry that runs past the end of
the chunk is decoded again once more text is read (the buffer grows by at least its own
size, so a huge entry costs a few decodes, not one per chunk). What comes before the
entries (version, creator, pages) is checked before the first entry; what comes after
them (a late creator) once the list ends; the whole file must be JSON, as for
`json.load`, and a syntax error names its line and column (as the whole-file reader's does) and
the entry it is in.

Hand-written because ijson (tutor's first choice, even with its C backend) took about
twice `json.load`'s CPU to yield the same entries, and the standard decoder already
decodes one value at a position: what is left is a few lines of framing. A key given
twice keeps the last value, as `json.load` does, except that every "entries" list given
is read (a file cannot be streamed and also wait for a later list).
"""

from __future__ import annotations

import codecs
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from tutor.har.entries import entry_from_json
from tutor.har.files import open_har
from tutor.har.model import HarEntry, HarError
from tutor.har.reader import SURROGATE_ESCAPE, har_from_json, log_parts, whole_characters

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHUNK = 512 * 1024
"""Bytes read at a time: a few hundred typical entries, and the memory used besides the
entry being read."""
_AHEAD = _CHUNK // 4
"""Text kept ahead of an entry before it is decoded: less, and more is read first, so
that an entry seldom runs past the end of the text read (decoding it would fail there
and start again, and the failure alone costs a count of the lines before it)."""
_MARGIN = 16
"""A decoding error this close to the end of the text read so far may be the chunk's
end cutting a token (`tru`, `\\u00`), not a mistake: read more and decode again."""
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NEXT_ITEM = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
_scan_once = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
"""The C scanner that `raw_decode` calls: its Python frame was about 1% of decoding."""
_HEAD = object()
"""Yielded once the head (what comes before the entries) has been read and checked."""


class HarSyntaxError(HarError):
    """The file is not JSON (with the line and column, and the entry being read)."""


class HarStream:
    """A HAR file on disk whose entries are read lazily, in order.

    Open it (the head is read and checked), iterate `entries()` once, then `version`,
    `creator` and `count` are final."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.version = ""
        self.creator = ""
        """creator.name plus its version, for display."""
        self.count = 0
        """Entries read so far."""
        self._text = _Text(path)
        self._items = self._walk()
        try:
            next(self._items)  # up to the first entry: the head, checked
        except BaseException:
            self._text.close()
            raise

    def entries(self) -> Iterator[HarEntry]:
        """Every entry, checked and normalised, one at a time (base64 media bodies left
        encoded: `MediaBody`)."""
        try:
            for item in self._items:
                yield entry_from_json(item, self.count, decode_media=False)
                self.count += 1
        finally:
            self._text.close()

    def _walk(self) -> Iterator[Any]:
        """_HEAD, then each entry as decoded JSON; checks the whole file as it goes."""
        text = self._text
        first = text.skip()
        if not first:
            raise HarError("", "the file is empty")
        if first != "{":
            log_parts(text.value())  # the whole-file reader's refusal of that top level
        log_seen = False
        for key in text.members():
            if key == "log" and text.skip() == "{":
                log_seen = True
                yield from self._log()
            else:
                value = text.value()
                if key == "log":
                    log_parts({"log": value})  # not an object: refused as the reader does
        if not log_seen:
            log_parts({})
        if text.skip():
            raise text.error("Extra data")

    def _log(self) -> Iterator[Any]:
        text = self._text
        head: dict[str, Any] = {}
        listed = False
        for key in text.members():
            if key == "entries" and text.skip() == "[":
                if not listed:
                    _, self.version, self.creator = log_parts({"log": {**head, "entries": []}})
                    yield _HEAD
                listed = True
                yield from text.items()
            else:
                head[key] = text.value()
                if key == "entries":  # not a list: the reader's error for it
                    har_from_json({"log": head})
        if not listed:
            log_parts({"log": head})  # no entries: the reader's error
        # Whatever came after the list (a late creator) is checked and read too.
        _, self.version, self.creator = log_parts({"log": {**head, "entries": []}})


class _Text:
    """The file as text, read a chunk at a time, with a position in it; what is behind
    the position is dropped whenever more is read."""

    def __init__(self, path: Path) -> None:
        raw, regular = open_har(path)
        if not regular:  # a pipe cannot be read twice: inspect_file reads it whole
            raw.close()
            raise HarError(str(path), "is not a regular file, so it cannot be streamed")
        self._raw = raw
        start = raw.read(1024)
        self._start = start
        """The first bytes, to tell binary data in an error."""
        self._encoding = "utf-8"
        for bom, encoding in _WIDE_BOMS:
            if start.startswith(bom):
                self._encoding = encoding
                break
        skip = len(codecs.BOM_UTF8) if start.startswith(codecs.BOM_UTF8) else 0
        self._bom = skip > 0 or self._encoding != "utf-8"
        self._first = 0 if self._encoding != "utf-8" else skip
        """Where the text starts in the file (after a UTF-8 byte-order mark)."""
        raw.seek(self._first)
        self._offset = skip
        """Bytes handed to the decoder so far."""
        self._decoder = codecs.getincrementaldecoder(self._encoding)()
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._dropped = 0
        """Characters of the text before buf[0] (their lines are counted only for an
        error: counting each chunk's lines as it went cost about 2% of `tutor inspect`)."""
        self.index: int | None = None
        """The entry being read, once the entries list is reached."""
        self._surrogates = False
        """Whether `buf` holds an escaped surrogate anywhere."""

    def close(self) -> None:
        self._raw.close()

    def more(self) -> bool:
        """Read more text (at least as much as is still ahead of the position); False at
        the end of the file."""
        if self.eof:
            return False
        buf, drop = self.buf, self.pos
        if drop:
            self._dropped += drop
            buf = buf[drop:]
            self.pos = 0
        data = self._raw.read(max(_CHUNK, len(buf)))
        pending = len(self._decoder.getstate()[0])
        try:
            text = self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise self._not_text(exc, self._offset - pending + exc.start) from None
        self._offset += len(data)
        self.eof = not data
        self.buf = buf + text
        # Escaped surrogates are rare: looked for once per chunk, not once per value.
        self._surrogates = SURROGATE_ESCAPE.search(self.buf) is not None
        return True

    def _not_text(self, exc: UnicodeDecodeError, offset: int) -> HarError:
        if self._bom:
            name = "utf-8-sig" if self._encoding == "utf-8" else self._encoding
            return HarError("", f"starts with a {name} byte-order mark but byte {offset} is "
                            f"not valid {name}")
        bad = exc.object[exc.start] if exc.start < len(exc.object) else 0
        hint = " (it looks like binary data, not a HAR file)" if b"\0" in self._start else ""
        return HarError("", f"not UTF-8 text: byte 0x{bad:02x} at offset {offset}{hint}")

    def skip(self) -> str:
        """Skip whitespace; the next character, or "" at the end of the file."""
        while True:
            self.pos = _WHITESPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def value(self) -> Any:
        """The JSON value at the position (after whitespace), decoded by json."""
        while True:
            start = self.pos
            try:
                value, end = _scan_once(self.buf, start)
            except StopIteration as exc:  # no value starts there
                problem = json.JSONDecodeError("Expecting value", self.buf, exc.value)
            except json.JSONDecodeError as exc:
                problem = exc
            except RecursionError:
                raise HarError(self._where(start), "not a HAR file: JSON nested too "
                               "deeply") from None
            except ValueError as exc:  # e.g. an integer with more digits than Python allows
                raise HarError(self._where(start), f"not valid JSON: {exc}") from None
            else:
                if end == len(self.buf) and self.more():
                    continue  # a number may go on in the next chunk
                if self._surrogates and SURROGATE_ESCAPE.search(self.buf, start, end):
                    value = whole_characters(value)
                self.pos = end
                return value
            cut = (problem.msg.startswith("Unterminated string")
                   or problem.pos >= len(self.buf) - _MARGIN)
            if not (cut and self.more()):
                raise self.error(problem.msg, problem.pos) from None

    def members(self) -> Iterator[str]:
        """The keys of the object at the position, each yielded with the position at
        its value (which the caller reads)."""
        self.pos += 1
        char = self.skip()
        if char == "}":
            self.pos += 1
            return
        while True:
            if char != '"':
                raise self.error("Expecting property name enclosed in double quotes")
            key = self.value()
            if self.skip() != ":":
                raise self.error("Expecting ':' delimiter")
            self.pos += 1
            self.skip()
            yield key
            char = self.skip()
            if char == ",":
                self.pos += 1
                char = self.skip()
            elif char == "}":
                self.pos += 1
                return
            else:
                raise self.error("Expecting ',' delimiter")

    def items(self) -> Iterator[Any]:
        """Each value of the entries list at the position, decoded."""
        self.pos += 1
        self.index = 0
        if self.skip() == "]":
            self.pos += 1
            self.index = None
            return
        while True:  # at the next value, whitespace skipped
            if len(self.buf) - self.pos < _AHEAD and not self.eof:
                self.more()
            yield self.value()
            self.index += 1
            # Usually a comma and the next value: one match, not two skips (per entry).
            found = _NEXT_ITEM.match(self.buf, self.pos)
            if found is not None and found.end() < len(self.buf):
                self.pos = found.end()
                continue
            char = self.skip()
            if char == ",":
                self.pos += 1
                self.skip()
            elif char == "]":
                self.pos += 1
                self.index = None
                return
            else:
                raise self.error("Expecting ',' delimiter")

    def _where(self, pos: int) -> str:
        buf = self.buf
        newline = buf.rfind("\n", 0, pos)
        start = self._start_of_buffer()
        if start is None:  # the file could not be read again: say which character
            where = f"character {self._dropped + pos + 1}"
        else:
            line = start[0] + buf.count("\n", 0, pos)
            column = pos - newline if newline >= 0 else start[1] + pos + 1
            where = f"line {line}, column {column}"
        return where if self.index is None else f"{where} (entries[{self.index}])"

    def _start_of_buffer(self) -> tuple[int, int] | None:
        """The line of buf[0] (1-based) and the characters before it on its line: the
        text already dropped is decoded again from the file (a regular file, read
        with pread, so the reading position stays) and its lines counted."""
        line, column, left = 1, 0, self._dropped
        decoder = codecs.getincrementaldecoder(self._encoding)()
        offset = self._first
        try:
            while left > 0:
                data = os.pread(self._raw.fileno(), _CHUNK, offset)
                offset += len(data)
                part = decoder.decode(data, final=not data)[:left]
                if not data and not part:
                    return None  # the file got shorter since it was read
                left -= len(part)
                newlines = part.count("\n")
                if newlines:
                    line += newlines
                    column = len(part) - part.rfind("\n") - 1
                else:
                    column += len(part)
        except (OSError, UnicodeDecodeError):
            return None
        return line, column

    def error(self, message: str, pos: int | None = None) -> HarSyntaxError:
        """A syntax error at `pos` (the position by default), with the reader's hint
        when the file ends there."""
        at = self.pos if pos is None else pos
        truncated = self.eof and at >= len(self.buf.rstrip()) - 1
        hint = " (the file looks truncated)" if truncated else ""
        return HarSyntaxError(self._where(at), f"not valid JSON: {message}{hint}")
