"""What `tutor inspect` and `tutor replay --plain` print: text for people, JSON for tools.

Credential values are never printed whole: text shows the first characters and an
ellipsis; the JSON has names and decoded claims only.

`tutor inspect` writes one entry at a time (`TextReport`, `JsonReport`) into a spool (a
temporary file past a few megabytes), so a streamed recording's output never has to sit
in memory, and nothing reaches stdout until the whole file has been read: a file that
turns out to be bad prints only its error. `inspect_text` and `analysis_json` give the
same output for an analysis held in memory.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence

from tutor.har.analysis import Analysis, EntryAnalysis
from tutor.har.credentials import CookieSet, SentCredential
from tutor.har.findings import Finding
from tutor.har.notes import recording_notes
from tutor.login_steps import LOGIN_STEP_NAMES, RECORDED_STEP_NOTES
from tutor.plural import plural
from tutor.redaction import REDACTED, redact_url, shorten
from tutor.visible import Shown, visible

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any, Protocol

    from tutor.har.model import HarResponse


def _json_safe(value: Any) -> Any:
    """Claims are JSON already; NaN and infinities (allowed by Python's json) are not."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


_C1 = r"[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
"""What json_text escapes besides what json does (compiled on first use by re's cache:
only `--json` needs it, and compiling it was a millisecond of every start)."""
_ENCODER = json.JSONEncoder(ensure_ascii=False)
"""What `json.dumps(value, ensure_ascii=False)` uses, made once: json.dumps makes a new
encoder on every call that passes an option, once or twice per entry of a report."""


def json_text(value: Any) -> str:
    """Compact JSON that a terminal cannot obey: json escapes C0 controls itself, and
    DEL and the C1 controls (0x9b is a CSI on some terminals), the characters `visible`
    also shows, and lone surrogates (which UTF-8 cannot write) are escaped here too,
    which leaves the same JSON value."""
    text = _ENCODER.encode(value)
    return re.sub(_C1, _escape, text) if re.search(_C1, text) else text


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _redacted(_secret: str) -> str:
    return REDACTED


def _sent_json(credential: SentCredential) -> dict[str, Any]:
    out: dict[str, Any] = {"type": credential.type, "name": credential.name}
    if credential.user is not None:
        out["user"] = credential.user
    return out


def _set_json(cookie: CookieSet) -> dict[str, Any]:
    out: dict[str, Any] = {"name": cookie.name, "attributes": cookie.attributes(),
                           "cleared": cookie.cleared}
    if cookie.rejected is not None:
        out["rejected"] = cookie.rejected
    return out


def entry_json(item: EntryAnalysis) -> dict[str, Any]:
    """One element of the document's "entries"."""
    return {
        "method": item.entry.request.method,
        "url": redact_url(item.entry.request.url, _redacted),
        "status": item.entry.response.status,
        "login_step": item.login_step,
        "login_steps": list(item.login_steps),
        "sent": [_sent_json(c) for c in item.sent],
        "set": [_set_json(c) for c in item.set],
        "tokens": [{"location": t.location, "header": _json_safe(t.header),
                    "claims": _json_safe(t.claims), "verified": False}
                   for t in item.tokens],
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    """One element of the document's "findings"."""
    return {"kind": finding.kind, "entry": finding.entry, "message": finding.message}


def analysis_json(analysis: Analysis) -> dict[str, Any]:
    """The document `tutor inspect --json` prints (docs/har-inspect.md)."""
    return {"entries": [entry_json(item) for item in analysis.entries],
            "findings": [finding_json(f) for f in analysis.findings],
            "notes": analysis_notes(analysis)}


def analysis_notes(analysis: Analysis) -> list[str]:
    """`notes.recording_notes` for an analysis held in memory."""
    return recording_notes(analysis.har.creator,
                           any(item.sent or item.set for item in analysis.entries))


def _sent_line(credential: SentCredential) -> str:
    if credential.type == "cookie":
        return f"    sent  Cookie {credential.name}={shorten(credential.value)}"
    if credential.type == "basic":
        return f"    sent  Authorization: Basic (user {credential.user or '?'})"
    return f"    sent  Authorization: Bearer {shorten(credential.value)}"


def _set_line(cookie: CookieSet) -> str:
    if cookie.parsed is None:
        return f"    set   Set-Cookie {cookie.name or '?'}: not a cookie ({cookie.rejected})"
    parsed = cookie.parsed
    flags = []
    if parsed.http_only:
        flags.append("HttpOnly")
    if parsed.secure:
        flags.append("Secure")
    if parsed.same_site != "Default":
        flags.append(f"SameSite={parsed.same_site}")
    if parsed.max_age is not None:
        flags.append(f"Max-Age={parsed.max_age}")
    elif parsed.expires is not None:
        flags.append("Expires")
    verb = "clears" if cookie.cleared else "sets"
    shown = "" if cookie.cleared else "=" + shorten(cookie.value)
    return (f"    set   Set-Cookie {verb} {cookie.name}{shown}  "
            f"[{', '.join(flags) or 'no attributes'}]")


_STEP_LINES = {
    step: f"    login step {step}: {name}"
    + (f" ({RECORDED_STEP_NOTES[step]})" if step in RECORDED_STEP_NOTES else "")
    for step, name in LOGIN_STEP_NAMES.items()
}
"""The line of each login step (the same words every time: written once)."""


NO_ANSWER = "no answer (failed or blocked)"
"""What status 0 means in a recording: Chrome writes it for a request that got no
response (a network error, a blocked or cancelled request)."""


def answer_text(response: HarResponse, with_reason: bool = True) -> str:
    """The status as the report shows it: `200 OK`, or what status 0 means."""
    if response.status == 0:
        return NO_ANSWER
    if with_reason and response.status_text:
        return f"{response.status} {response.status_text}"
    return str(response.status)


def entry_lines(item: EntryAnalysis, findings: Analysis | Sequence[Finding]) -> list[str]:
    """One exchange as a few indented lines (shared by inspect and replay); `findings`
    are this entry's, or the analysis to look them up in. Everything in them came from
    the file, so control characters are shown, never sent to the terminal."""
    if isinstance(findings, Analysis):
        findings = findings.findings_for(item.entry.index)
    request, response = item.entry.request, item.entry.response
    lines = [f"#{item.entry.index}  {request.method} {redact_url(request.url)}  → "
             f"{answer_text(response)}"]
    for step in item.login_steps:
        lines.append(_STEP_LINES[step])
    # Plain loops: a comprehension costs a frame of its own, and most lists are empty.
    for credential in item.sent:
        lines.append(_sent_line(credential))
    for cookie in item.set:
        lines.append(_set_line(cookie))
    for token in item.tokens:
        lines.append(f"    JWT   in {token.location}, alg {token.header.get('alg', '?')}, "
                     f"UNVERIFIED: {_claims_text(token.claims)}")
    for finding in findings:
        lines.append(f"    ! {finding.kind}: {finding.message}")
    if "".join(lines).isprintable():  # nothing to show (see tutor.visible): the usual case
        return lines
    return [visible(line) for line in lines]


def _claims_text(claims: dict[str, Any]) -> str:
    """The first six claims as `name=value`, each value cut to 40 characters."""
    shown = []
    for name, value in claims.items():
        text = str(value)
        shown.append(f"{name}={text}" if len(text) <= 40 else f"{name}={text[:40]}…")
        if len(shown) == 6:
            break
    return ", ".join(shown) or "no claims"


if TYPE_CHECKING:
    class Spool(Protocol):
        """Where a report's text waits until the whole file is read (io.StringIO will do)."""

        def write(self, text: str, /) -> int: ...
        def seek(self, offset: int, whence: int = 0, /) -> int: ...
        def read(self, size: int | None = -1, /) -> str: ...


BATCH = 64
"""Entries whose text is joined before it goes to the spool."""

COPY_CHARACTERS = 1 << 16
"""Characters copied from a spool to the output at a time (a few batches' text: the
copies stay small enough to reuse the same memory)."""

QUIET_SHOWN = 20
"""Exchanges without credentials get a line each up to this many; past it, only a count."""


class TextReport:
    """The default `tutor inspect` output, written one entry at a time.

    The header needs the count and the quiet lines need to know whether there will be
    more than QUIET_SHOWN of them, so entries go to `spool` as they come, the first quiet
    lines are kept aside with the spool position they belong at, and `finish` writes the
    whole report."""

    def __init__(self, spool: Spool) -> None:
        self._spool = spool
        self._quiet: list[tuple[int, str]] = []
        """(characters written before it, line) of the first QUIET_SHOWN quiet exchanges
        (counted here: a text file's tell() is no character count)."""
        self._written = 0
        self._pending: list[str] = []
        """Entries' text not yet in the spool: written a batch at a time (a spool's write
        is a Python method, worth calling once per BATCH entries, not once per entry)."""
        self.quiet = 0
        self.count = 0
        self.kinds: Counter[str] = Counter()
        self.carried = False
        """Whether any exchange carried or set a credential (`notes.recording_notes`)."""

    def add(self, item: EntryAnalysis, findings: Sequence[Finding]) -> None:
        """One exchange, with the findings about it."""
        self.count += 1
        if findings:
            kinds = self.kinds
            for finding in findings:
                kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
        if item.sent or item.set or item.tokens or item.login_steps or findings:
            if item.sent or item.set:
                self.carried = True
            text = "\n\n" + "\n".join(entry_lines(item, findings))
            self._pending.append(text)
            self._written += len(text)
            if len(self._pending) >= BATCH:
                self._spool.write("".join(self._pending))
                self._pending.clear()
            return
        self.quiet += 1
        if self.quiet <= QUIET_SHOWN:
            request, response = item.entry.request, item.entry.response
            self._quiet.append((self._written, visible(
                f"#{item.entry.index}  {request.method} {redact_url(request.url)}  → "
                f"{answer_text(response, with_reason=False)}  (no credentials)")))

    def finish(self, out: IO[str], creator: str) -> None:
        """Write the whole report to `out`."""
        self._spool.write("".join(self._pending))
        self._pending.clear()
        out.write(plural(self.count, "exchange")
                  + (f", recorded by {visible(creator)}" if creator else ""))
        for note in recording_notes(creator, self.carried):
            out.write("\n\n" + note)
        self._spool.seek(0)
        if self.quiet <= QUIET_SHOWN:
            # A run of exchanges without credentials is a line each, set apart from the
            # header and from the entries around it by a blank line, as entries are.
            done = -1
            for position, line in self._quiet:
                if position != done:
                    out.write(Shown(self._spool.read(position - max(done, 0))))
                    out.write("\n")
                    done = position
                out.write("\n" + line)
        _copy(self._spool, out)
        if self.quiet > QUIET_SHOWN:
            out.write(f"\n\n({plural(self.quiet, 'exchange')} without credentials not shown)")
        out.write("\n\n" + summary_line(self.kinds) + "\n")


class JsonReport:
    """The `tutor inspect --json` document, written one entry at a time: entries to one
    spool, findings to another, joined by `finish` (as compact as `json.dumps`)."""

    def __init__(self, entries: Spool, findings: Spool) -> None:
        self._entries, self._findings = entries, findings
        self._separator = self._finding_separator = ""
        self.carried = False
        """Whether any exchange carried or set a credential (`notes.recording_notes`)."""

    def add(self, item: EntryAnalysis, findings: Sequence[Finding]) -> None:
        """One exchange, with the findings about it."""
        if item.sent or item.set:
            self.carried = True
        self._entries.write(self._separator + json_text(entry_json(item)))
        self._separator = ", "
        if findings:
            self._findings.write(self._finding_separator + ", ".join(
                [json_text(finding_json(finding)) for finding in findings]))
            self._finding_separator = ", "

    def finish(self, out: IO[str], creator: str) -> None:
        """Write the whole document to `out`."""
        out.write('{"entries": [')
        self._entries.seek(0)
        _copy(self._entries, out)
        out.write('], "findings": [')
        self._findings.seek(0)
        _copy(self._findings, out)
        out.write('], "notes": ' + json_text(recording_notes(creator, self.carried)) + "}\n")


def _copy(spool: Spool, out: IO[str]) -> None:
    """The rest of a spool to `out`, marked Shown: a report's every value went through
    `visible` or json_text's escapes when it was written, so a VisibleWriter (every
    plain command's stdout) need not look at each character again."""
    while True:
        text = spool.read(COPY_CHARACTERS)
        if not text:
            return
        out.write(Shown(text))


def inspect_text(analysis: Analysis) -> str:
    """The default `tutor inspect` output, for an analysis held in memory."""
    import io

    report, out = TextReport(io.StringIO()), io.StringIO()
    for item in analysis.entries:
        report.add(item, analysis.findings_for(item.entry.index))
    report.finish(out, analysis.har.creator)
    return out.getvalue().removesuffix("\n")


def summary_line(kinds: Counter[str]) -> str:
    """The last line: how many findings of each kind, in the order first seen."""
    if not kinds:
        return "No findings."
    return "Findings: " + ", ".join(f"{kind} ×{n}" for kind, n in kinds.items())


def _summary(analysis: Analysis) -> str:
    return summary_line(Counter(f.kind for f in analysis.findings))


def replay_text(analysis: Analysis) -> str:
    """`tutor replay --plain`: the timeline as a transcript, one block per exchange."""
    har = analysis.har
    lines = [f"Replay of {plural(len(har.entries), 'recorded exchange')}"
             + (f" ({visible(har.creator)})" if har.creator else "")]
    lines += [line for note in analysis_notes(analysis) for line in ("", note)]
    start = next((e.started for e in har.entries if e.started is not None), None)
    for item in analysis.entries:
        offset = ("" if start is None or item.entry.started is None
                  else f"  [+{item.entry.started - start:.3f}s]")
        block = entry_lines(item, analysis)
        block[0] += offset
        lines += ["", *block]
    lines += ["", _summary(analysis)]
    return "\n".join(lines)
