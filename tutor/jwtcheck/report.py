"""A pipeline's result for people (Rich text, colours) and for programs (JSON).

Everything read from the token, a key file or a URL goes through `tutor.visible`, so a
control character in a claim is shown, never obeyed by the terminal. What the learner gave
is treated by one rule: the token is theirs and is shown in full (it never leaves the
machine); a secret they typed is never shown, only its length; the JSON leaves the raw
token out too, since JSON output tends to be saved and shared.
"""

from __future__ import annotations

import json
import time
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from tutor.jwtcheck.pipeline import CheckReport, TimeClaim
from tutor.visible import visible

PART_STYLES = ("bold red", "bold magenta", "bold cyan")
"""Header, claims and signature, in the token and in the section titles."""
STATUS_MARKS = {"passed": ("✓", "green"), "failed": ("✗", "bold red"),
                "skipped": ("–", "yellow"), "not reached": ("·", "dim")}
OUTCOME_LINES = {
    "valid": ("VALID: the signature and the claims check out against your key", "bold green"),
    "invalid": ("INVALID at the {stage} stage", "bold red"),
    "unverified": ("UNVERIFIED: no key given (--secret, --key or --jwks), so anyone could "
                   "have written this", "bold yellow"),
    "unreadable": ("NOT A TOKEN: it could not be decoded", "bold red"),
}
OFFLINE = ("Nothing was sent anywhere: the token never leaves this machine "
           "(--jwks URL fetches only keys, and only from this machine).")
YOURS = "your token, shown in full because you gave it"
MAX_SHOWN = 4000
"""Longer JSON is cut on screen (tokens are at most 16 KiB)."""


def render(report: CheckReport, raw_token: str | None = None) -> RenderableType:
    """The whole report: the token, its decoded parts (UNVERIFIED), the pipeline, the
    verdict and the offline line."""
    parts: list[RenderableType] = []
    token = report.token
    if token is not None:
        shown = Text(f"Token ({YOURS}):\n", style="bold")
        for index, part in enumerate(token.token.split(".")):
            if index:
                shown.append(".")
            shown.append(visible(part), style=PART_STYLES[index])
        parts += [shown, Text()]
        parts.append(Text("Decoded, UNVERIFIED until the pipeline below says so:",
                          style="bold yellow"))
        parts.append(_json_block("Header", token.header, PART_STYLES[0]))
        parts.append(_json_block("Claims", token.claims, PART_STYLES[1]))
        if report.times:
            parts.append(_times(report.times))
        size = len(token.signature_bytes)
        parts.append(Text.assemble(("Signature", PART_STYLES[2]),
                                   f"  {size} bytes" if size else "  (empty)"))
        parts.append(Text())
    elif raw_token is not None:
        parts.append(Text(f"Input ({len(raw_token)} characters) is not a JWT.", style="bold"))
    parts.append(_pipeline(report))
    notes = (*report.notes, *report.keys.notes)
    parts.extend(Text(f"note: {visible(note)}", style="yellow") for note in notes)
    parts += [Text(), verdict(report)]
    parts.append(Text(OFFLINE, style="dim"))
    return Group(*parts)


def verdict(report: CheckReport) -> Text:
    """The one-line result."""
    line, style = OUTCOME_LINES[report.outcome]
    failed = report.failed_stage
    return Text(line.format(stage=failed.name if failed else ""), style=style)


def _json_block(title: str, value: dict[str, Any], style: str) -> Text:
    dumped = json.dumps(value, indent=2, ensure_ascii=False, default=repr)
    if len(dumped) > MAX_SHOWN:
        dumped = dumped[:MAX_SHOWN] + f"\n… ({len(dumped) - MAX_SHOWN} more characters)"
    text = Text(title, style=style)
    text.append("\n")
    text.append(visible_lines(dumped))
    return text


def visible_lines(text: str) -> str:
    """`visible` line by line, keeping the line breaks of indented JSON."""
    return "\n".join(visible(line) for line in text.split("\n"))


def _times(times: tuple[TimeClaim, ...]) -> Text:
    text = Text("Times (on this machine's clock):", style="bold")
    for claim in times:
        text.append(f"\n  {claim.name}  ")
        if claim.seconds_from_now is None:
            text.append(visible(repr(claim.value))[:60] + "  not a number of seconds",
                        style="red")
            continue
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(claim.value)))
        text.append(when)
        delta = claim.seconds_from_now
        relation = "from now" if delta > 0 else "ago"
        text.append(f"  ({_duration(abs(delta))} {relation})",
                    style="red" if claim.problem else "dim")
    return text


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}".replace(".0 ", " ")
    return f"{seconds:.0f} s"


def _pipeline(report: CheckReport) -> Text:
    leeway = report.options.leeway
    text = Text("Verification pipeline", style="bold")
    text.append(f" (leeway {leeway:g} s; keys: "
                f"{len(report.keys.keys) or 'none given'})\n", style="dim")
    width = max(len(stage.name) for stage in report.stages)
    for stage in report.stages:
        mark, style = STATUS_MARKS[stage.status]
        text.append(f"  {mark} ", style=style)
        text.append(stage.name.ljust(width), style=style)
        detail = stage.detail or stage.status
        text.append(f"  {visible(detail)}\n", style="" if stage.detail else "dim")
    text.rstrip()
    return text


def as_json(report: CheckReport) -> dict[str, Any]:
    """The report for programs: the verdict, every stage, the decoded parts, the times.

    Control characters are left to JSON's escaping; the raw token and any secret are
    left out."""
    token = report.token
    failed = report.failed_stage
    return {
        "result": report.outcome,
        "valid": report.outcome == "valid",
        "failed_stage": failed.name if failed else None,
        "reason": failed.detail if failed else None,
        "stages": [{"name": s.name, "status": s.status, "detail": s.detail}
                   for s in report.stages],
        "header": token.header if token else None,
        "claims": token.claims if token else None,
        "signature_bytes": len(token.signature_bytes) if token else None,
        "times": [{"claim": c.name, "value": c.value, "seconds_from_now": c.seconds_from_now,
                   "problem": c.problem} for c in report.times],
        "now": report.now,
        "leeway": report.options.leeway,
        "key": report.used_key.label() if report.used_key else None,
        "keys_given": [key.label() for key in report.keys.keys],
        "keys_fetched_from": report.keys.fetched_from,
        "notes": list(report.notes) + list(report.keys.notes),
        "sent_anywhere": False,
    }


def json_text(report: CheckReport) -> str:
    """`as_json` as indented text (non-finite numbers are written as strings)."""
    return json.dumps(as_json(report), indent=2, ensure_ascii=True, default=repr)
