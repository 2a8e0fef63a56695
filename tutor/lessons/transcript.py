"""`tutor play LESSON --plain`: a lesson as a linear text transcript.

For screen readers, pipes and CI: plain words, ASCII only, no colour or cursor control.
Every scene runs for real and each step is written out as it happened.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tutor.browser import events as browser_events
from tutor.browser.cookies import SendDecision
from tutor.lessons.model import Lesson, Prose, QuizBlock, SceneBlock
from tutor.login_steps import LOGIN_STEP_NAMES
from tutor.scenes.beats import ATTACKER, named
from tutor.scenes.engine import SceneEngine
from tutor.scenes.events import (
    BrowserChanged,
    ClockMoved,
    ExchangeSeen,
    ExpectationChecked,
    RequestRefused,
    SceneEvent,
    ServerChanged,
    StepFinished,
    StepStarted,
    UserActed,
)
from tutor.scenes.sentences import duration_words, person_name, step_words
from tutor.scenes.server_beats import server_beats
from tutor.scenes.story import STORE_LANE
from tutor.visible import visible

REQUEST_HEADERS = ("cookie", "authorization", "dpop", "origin", "x-csrf-token", "content-type",
                   "sec-fetch-site")
RESPONSE_HEADERS = ("set-cookie", "location", "www-authenticate", "x-tutor-replica")
MAX_VALUE = 60
_MARKDOWN = MarkdownIt("commonmark").enable("table")


def shorten(value: str, limit: int = MAX_VALUE) -> str:
    """Long tokens and ids cut to a readable length, saying how long they were; control
    characters are shown first, so the cut never leaves half an escape sequence."""
    shown = visible(value)
    if len(shown) <= limit:
        return shown
    return f"{shown[:limit]}... ({len(value)} characters)"


def markdown_to_text(markdown: str) -> str:
    """Markdown as plain text: headings underlined, lists dashed, code indented.

    A list item is numbered once, when it opens: a paragraph that follows a code block
    inside the same item continues the item, indented under its text, and does not
    take the next number.
    """
    lines: list[str] = []
    tokens = _MARKDOWN.parse(markdown)
    counters: list[int | None] = []  # one per open list: the next number, or None for bullets
    marker: str | None = None  # the marker of the item just opened, until its first line
    indents: list[str] = []  # per open list item: where its text starts
    row: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            lines.append(" | ".join(row))
        elif token.type == "table_close":
            lines.append("")
        elif token.type == "inline" and tokens[index - 1].type in ("th_open", "td_open"):
            row.append(_inline_text(token))
        elif token.type == "bullet_list_open":
            counters.append(None)
        elif token.type == "ordered_list_open":
            counters.append(int(token.attrGet("start") or 1))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            counters.pop()
            if not counters:
                lines.append("")
        elif token.type == "list_item_open" and counters:
            number = counters[-1]
            marker = "-" if number is None else f"{number}."
            if number is not None:
                counters[-1] = number + 1
            indents.append("  " * (len(counters) - 1) + " " * (len(marker) + 1))
        elif token.type == "list_item_close" and indents:
            indents.pop()
        elif token.type == "inline":
            text = _inline_text(token)
            opener = tokens[index - 1] if index else None
            if opener is not None and opener.type == "heading_open":
                lines += [text, ("=" if opener.tag == "h1" else "-") * len(text), ""]
            elif counters and marker is not None:
                lines.append("  " * (len(counters) - 1) + f"{marker} {text}")
                marker = None
            elif indents:
                lines.append(indents[-1] + text)
            else:
                lines += [text, ""]
        elif token.type in ("fence", "code_block"):
            indent = "    " + (indents[-1] if indents else "")
            lines += [indent + line for line in token.content.rstrip("\n").split("\n")]
            lines.append("")
    return "\n".join(lines).strip("\n")


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "link_close":
            pass
        elif child.type == "link_open":
            href = child.attrGet("href")
            if href:
                parts.append("")  # the link text follows; the address goes after it
    text = "".join(parts)
    links = [str(c.attrGet("href")) for c in token.children or [] if c.type == "link_open"]
    if links:
        text += " (" + ", ".join(links) + ")"
    return text


def describe_event(event: SceneEvent) -> Iterator[str]:
    """The transcript lines for one scene event."""
    if isinstance(event, StepStarted):
        step = event.step
        yield ""
        yield f"Step {event.step_index + 1}: {step_words(step)}"
    elif isinstance(event, UserActed):
        prefix = f"[login step 1: {LOGIN_STEP_NAMES[1]}] " if event.login_step == 1 else ""
        yield f"  {prefix}{named(event.text, event.browser)}"
    elif isinstance(event, ExchangeSeen):
        yield from _describe_exchange(event)
    elif isinstance(event, RequestRefused):
        yield f"  the browser refused to send {event.blocked.method} {event.blocked.url}: "
        yield f"    {event.blocked.reason}"
    elif isinstance(event, BrowserChanged):
        line = _describe_browser(event.event)
        if line:
            # The lesson's name for her ("Alice's browser"), never the scene's id ("user").
            yield f"  {person_name(event.event.browser)}'s browser: {line}"
    elif isinstance(event, ServerChanged):
        # The stage's own beats, in words: the same story for screen readers.
        for beat in server_beats(event.event, "server", event.step_index, ()):
            where = "store" if beat.target == STORE_LANE else "server"
            yield f"  [{where}] {beat.sentence}"
    elif isinstance(event, ClockMoved):
        yield f"  [clock] The clock jumps forward {duration_words(event.after - event.before)}."
    elif isinstance(event, ExpectationChecked):
        verdict = "ok" if event.passed else "FAILED"
        yield (f"  check {verdict}: {event.expectation.kind} {event.expectation.value!r} "
               f"({event.detail})")
    elif isinstance(event, StepFinished) and event.error:
        yield f"  step could not run: {event.error}"


def _describe_exchange(event: ExchangeSeen) -> Iterator[str]:
    exchange = event.exchange
    request, response = exchange.request, exchange.response
    steps = ", ".join(str(s) for s in event.login_steps)
    label = f"[login step {steps}] " if steps else "[no credential sent] "
    if exchange.browser == ATTACKER:
        # Someone else's client: never a step of Alice's login, whatever it carries.
        label = "[attacker] "
    yield f"  {label}{request.method} {request.url}"
    for name in REQUEST_HEADERS:
        value = request.header(name)
        if value is not None:
            yield f"    request header {name}: {shorten(value)}"
    for decision in exchange.cookies_sent:
        yield f"    cookie {_decision(decision)}"
    replica = f" (replica {event.replica})" if event.replica else ""
    yield f"  response {response.status}{replica}"
    for name in RESPONSE_HEADERS:
        for value in response.header_values(name):
            yield f"    response header {name}: {shorten(value, 120)}"
    if not exchange.readable_by_script:
        yield "    (the page's script cannot read this response)"


def _decision(decision: SendDecision) -> str:
    verb = "sent" if decision.sent else "withheld"
    return f"{decision.cookie.name} {verb}: {decision.reason}"


def _describe_browser(event: browser_events.BrowserEvent) -> str:
    if isinstance(event, browser_events.CookieStored):
        cookie = event.cookie
        verb = "replaced" if event.replaced else "stored"
        return f"cookie {cookie.name} {verb} in the cookie jar ({cookie.attributes()})"
    if isinstance(event, browser_events.CookieRejected):
        return f"cookie {event.name} rejected: {event.reason}"
    if isinstance(event, browser_events.CookieRemoved):
        return f"cookie {event.cookie.name} removed ({event.reason})"
    if isinstance(event, browser_events.StorageWritten):
        if event.value is None:
            return f"{event.area} of {event.origin}: {event.key} removed"
        return f"{event.area} of {event.origin}: {event.key} = {shorten(event.value)}"
    if isinstance(event, browser_events.ScriptRead):
        return f"a script read {event.what}: {shorten(event.value) or '(empty)'}"
    return ""


class _SceneWriter:
    """Orders lines as a reader expects: the request, what the server did, the response.

    The engine reports server changes as they happen, which is before the finished
    exchange arrives; they are held back and written right after the request lines.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.pending_server: list[str] = []

    def add(self, event: SceneEvent) -> None:
        if isinstance(event, ServerChanged):
            self.pending_server.extend(describe_event(event))
            return
        described = list(describe_event(event))
        if isinstance(event, ExchangeSeen):
            split = next((i for i, line in enumerate(described)
                          if line.startswith("  response ")), len(described))
            described[split:split] = self._take_pending()
        else:
            self.lines.extend(self._take_pending())
        self.lines.extend(described)

    def _take_pending(self) -> list[str]:
        pending, self.pending_server = self.pending_server, []
        return pending

    def finish(self) -> list[str]:
        return fold_cookie_runs(self.lines + self._take_pending())


_COOKIE_LINE = re.compile(r"^(?P<head>.*?\bcookie:? )(?P<name>[^\s=;]+)(?P<tail>.*)$")
FOLD_FROM = 6
"""A run of this many lines alike but for the cookie's name is folded."""


def fold_cookie_runs(lines: list[str]) -> list[str]:
    """Fifty Set-Cookie lines read as three: the first two, a count, the last. Lines fold
    when they differ only in the cookie's name (same header, attributes and reason), so
    a line that says something else (an eviction) always stays in view."""
    folded: list[str] = []
    index = 0
    while index < len(lines):
        shape = _shape(lines[index])
        end = index + 1
        while shape is not None and end < len(lines) and _shape(lines[end]) == shape:
            end += 1
        run = lines[index:end]
        if len(run) >= FOLD_FROM:
            indent = run[0][: len(run[0]) - len(run[0].lstrip())]
            hidden = run[2:-1]
            first, last = (_name(hidden[0]), _name(hidden[-1]))
            folded += [*run[:2], f"{indent}… {len(hidden)} more like these ({first} to "
                       f"{last})", run[-1]]
        else:
            folded += run
        index = end
    return folded


def _shape(line: str) -> str | None:
    match = _COOKIE_LINE.match(line)
    return f"{match['head']}*{match['tail']}" if match else None


def _name(line: str) -> str:
    match = _COOKIE_LINE.match(line)
    return match["name"] if match else ""


async def write_transcript(lesson: Lesson, out: TextIO) -> bool:
    """Write the whole lesson; returns False if any scene expectation failed."""
    meta = lesson.meta
    title = f"Lesson {meta.order}: {meta.title}"
    out.write(f"{title}\n{'=' * len(title)}\n")
    out.write(f"{meta.minutes} minutes, {meta.level}. {meta.summary}\n\n")
    all_passed = True
    for segment in lesson.segments:
        if isinstance(segment, Prose):
            out.write(markdown_to_text(segment.markdown) + "\n\n")
        elif isinstance(segment, SceneBlock):
            all_passed &= await _write_scene(segment, out)
        elif isinstance(segment, QuizBlock):
            out.write(f"Quiz {segment.id}: {segment.spec.question}\n")
            out.write("(take the quizzes with: tutor quiz " + meta.id + ")\n\n")
    return all_passed


async def _write_scene(block: SceneBlock, out: TextIO) -> bool:
    passed = True
    for label, scene in block.tracks:
        config = scene.server
        heading = f"Scene {block.id}" + (f", {label} track" if label else "")
        heading += f" (server mode: {config.mode}"
        heading += f", {config.algorithm})" if config.server_mode.signs_tokens else ")"
        out.write(f"{heading}\n{'-' * len(heading)}\n")
        engine = SceneEngine(scene)
        writer = _SceneWriter()
        engine.subscribe(writer.add)
        records = await engine.run_all()
        lines = writer.finish()
        passed &= all(r.passed for r in records)
        out.write("\n".join(lines).lstrip("\n") + "\n\n")
    return passed
