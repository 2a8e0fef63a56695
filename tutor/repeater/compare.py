"""Two exchanges side by side: what the learner changed and what the server answered
differently."""

from __future__ import annotations

import contextlib
import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from tutor.browser.events import Exchange
from tutor.repeater.draft import RequestDraft


@dataclass(frozen=True)
class HeaderChange:
    """One header whose values differ (an empty tuple: absent on that side)."""

    name: str
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True)
class ExchangeDiff:
    """Every difference between an old exchange and its resent copy."""

    old_status: int
    new_status: int
    request_line: tuple[str, str]
    """(old, new) `METHOD /path` of the two requests."""
    request_headers: tuple[HeaderChange, ...]
    request_body: tuple[str, ...]
    """Unified diff lines of the request bodies (empty when equal)."""
    response_headers: tuple[HeaderChange, ...]
    response_body: tuple[str, ...]
    """Unified diff lines of the response bodies (JSON compared pretty-printed)."""

    @property
    def status_changed(self) -> bool:
        """Whether the server answered with another status."""
        return self.old_status != self.new_status

    def summary(self) -> list[str]:
        """One line per difference, for a plain-text view."""
        lines: list[str] = []
        if self.request_line[0] != self.request_line[1]:
            lines.append(f"request: {self.request_line[0]} → {self.request_line[1]}")
        lines += [f"sent {_change(c)}" for c in self.request_headers]
        if self.request_body:
            lines.append("sent a different body")
        lines.append(f"status: {self.old_status} → {self.new_status}" if self.status_changed
                     else f"status: {self.new_status} both times")
        lines += [f"received {_change(c)}" for c in self.response_headers]
        if self.response_body:
            lines.append("received a different body")
        return lines


def compare(old: Exchange, new: Exchange) -> ExchangeDiff:
    """What differs between two exchanges, request and response."""
    old_draft, new_draft = RequestDraft.from_exchange(old), RequestDraft.from_exchange(new)
    return ExchangeDiff(
        old_status=old.response.status,
        new_status=new.response.status,
        request_line=(f"{old_draft.method} {old_draft.path}",
                      f"{new_draft.method} {new_draft.path}"),
        request_headers=_header_changes(old_draft.wire_headers(), new_draft.wire_headers()),
        request_body=_body_diff(old.request.body, new.request.body, "request"),
        response_headers=_header_changes(old.response.headers, new.response.headers),
        response_body=_body_diff(old.response.body, new.response.body, "response"),
    )


def _header_changes(
    old: Sequence[tuple[str, str]], new: Sequence[tuple[str, str]]
) -> tuple[HeaderChange, ...]:
    def grouped(headers: Sequence[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
        groups: dict[str, list[str]] = {}
        for name, value in headers:
            groups.setdefault(name.lower(), []).append(value)
        return {name: tuple(values) for name, values in groups.items()}

    before, after = grouped(old), grouped(new)
    names = list(dict.fromkeys([*before, *after]))
    return tuple(HeaderChange(name, before.get(name, ()), after.get(name, ()))
                 for name in names if before.get(name, ()) != after.get(name, ()))


def _body_diff(old: bytes, new: bytes, label: str) -> tuple[str, ...]:
    if old == new:
        return ()
    return tuple(difflib.unified_diff(
        _readable(old), _readable(new), f"old {label}", f"new {label}", lineterm="", n=2,
    ))


def _readable(body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace")
    with contextlib.suppress(ValueError):
        text = json.dumps(json.loads(text), indent=2, sort_keys=True)
    return text.splitlines()


def _change(change: HeaderChange) -> str:
    if not change.old:
        return f"{change.name} added: {' | '.join(change.new)}"
    if not change.new:
        return f"{change.name} removed (was {' | '.join(change.old)})"
    return f"{change.name}: {' | '.join(change.old)} → {' | '.join(change.new)}"
