"""A draft as three pieces of text (request line, `Name: value` lines, body) and back:
how the Repeater's editor shows a request and reads the learner's edits."""

from __future__ import annotations

from tutor.repeater.draft import DraftError, RequestDraft


def draft_from_editor(request_line: str, headers: str, body: str) -> RequestDraft:
    """The editor's three fields as a draft; `DraftError` says what is wrong and where."""
    parts = request_line.split()
    if len(parts) != 2:
        raise DraftError(["request line: write the method and the path, e.g. GET /profile"])
    draft = RequestDraft(parts[0].upper(), parts[1])
    for number, line in enumerate(headers.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise DraftError([f"headers, line {number}: write Name: value"])
        draft = draft.with_header(name.strip(), value.strip())
    draft = draft.with_body(body)
    draft.validate()
    return draft


def editor_headers(draft: RequestDraft) -> str:
    """A draft's headers (and its cookies, as one Cookie header) as editor lines."""
    lines = [f"{name}: {value}" for name, value in draft.headers]
    if draft.cookies:
        lines.append("Cookie: " + "; ".join(f"{name}={value}" for name, value in draft.cookies))
    return "\n".join(lines)
