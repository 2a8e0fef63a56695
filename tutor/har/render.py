"""What `tutor inspect` and `tutor replay --plain` print: text for people, JSON for tools.

Credential values are never printed whole: text shows the first characters and an
ellipsis; the JSON has names and decoded claims only.
"""

from __future__ import annotations

import math
from typing import Any

from tutor.har.analysis import Analysis, EntryAnalysis
from tutor.har.credentials import CookieSet, SentCredential, shorten
from tutor.login_steps import LOGIN_STEP_NAMES, RECORDED_STEP_NOTES


def _json_safe(value: Any) -> Any:
    """Claims are JSON already; NaN and infinities (allowed by Python's json) are not."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


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


def analysis_json(analysis: Analysis) -> dict[str, Any]:
    """The document `tutor inspect --json` prints (docs/har-inspect.md)."""
    entries = [{
        "method": item.entry.request.method,
        "url": item.entry.request.url,
        "status": item.entry.response.status,
        "login_step": item.login_step,
        "login_steps": list(item.login_steps),
        "sent": [_sent_json(c) for c in item.sent],
        "set": [_set_json(c) for c in item.set],
        "tokens": [{"location": t.location, "header": _json_safe(t.header),
                    "claims": _json_safe(t.claims), "verified": False}
                   for t in item.tokens],
    } for item in analysis.entries]
    findings = [{"kind": f.kind, "entry": f.entry, "message": f.message}
                for f in analysis.findings]
    return {"entries": entries, "findings": findings}


def _sent_text(credential: SentCredential) -> str:
    if credential.type == "cookie":
        return f"Cookie {credential.name}={shorten(credential.value)}"
    if credential.type == "basic":
        return f"Authorization: Basic (user {credential.user or '?'})"
    return f"Authorization: Bearer {shorten(credential.value)}"


def _set_text(cookie: CookieSet) -> str:
    if cookie.parsed is None:
        return f"Set-Cookie {cookie.name or '?'}: not a cookie ({cookie.rejected})"
    parsed = cookie.parsed
    flags = [name for name, on in (("HttpOnly", parsed.http_only), ("Secure", parsed.secure))
             if on]
    if parsed.same_site != "Default":
        flags.append(f"SameSite={parsed.same_site}")
    if parsed.max_age is not None:
        flags.append(f"Max-Age={parsed.max_age}")
    elif parsed.expires is not None:
        flags.append("Expires")
    verb = "clears" if cookie.cleared else "sets"
    shown = "" if cookie.cleared else "=" + shorten(cookie.value)
    return f"Set-Cookie {verb} {cookie.name}{shown}  [{', '.join(flags) or 'no attributes'}]"


def entry_lines(item: EntryAnalysis, analysis: Analysis) -> list[str]:
    """One exchange as a few indented lines (shared by inspect and replay)."""
    request, response = item.entry.request, item.entry.response
    lines = [f"#{item.entry.index}  {request.method} {request.url}  → {response.status}"
             + (f" {response.status_text}" if response.status_text else "")]
    for step in item.login_steps:
        note = f" ({RECORDED_STEP_NOTES[step]})" if step in RECORDED_STEP_NOTES else ""
        lines.append(f"    login step {step}: {LOGIN_STEP_NAMES[step]}{note}")
    lines += [f"    sent  {_sent_text(c)}" for c in item.sent]
    lines += [f"    set   {_set_text(c)}" for c in item.set]
    for token in item.tokens:
        claims = ", ".join(f"{k}={_claim_text(v)}" for k, v in list(token.claims.items())[:6])
        lines.append(f"    JWT   in {token.location}, alg {token.header.get('alg', '?')}, "
                     f"UNVERIFIED: {claims or 'no claims'}")
    lines += [f"    ! {f.kind}: {f.message}" for f in analysis.findings_for(item.entry.index)]
    return lines


def _claim_text(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def inspect_text(analysis: Analysis) -> str:
    """The default `tutor inspect` output."""
    har = analysis.har
    lines = [f"{len(har.entries)} exchanges" + (f", recorded by {har.creator}"
                                                if har.creator else "")]
    interesting = {e.entry.index for e in analysis.entries if e.sent or e.set or e.tokens
                   or e.login_steps or analysis.findings_for(e.entry.index)}
    quiet = len(analysis.entries) - len(interesting)
    for item in analysis.entries:
        request, response = item.entry.request, item.entry.response
        if item.entry.index in interesting:
            lines.append("")
            lines += entry_lines(item, analysis)
        elif quiet <= 20:
            lines.append(f"#{item.entry.index}  {request.method} {request.url}  → "
                         f"{response.status}  (no credentials)")
    if quiet > 20:
        lines.append(f"\n({quiet} exchanges without credentials not shown)")
    lines += ["", _summary(analysis)]
    return "\n".join(lines)


def _summary(analysis: Analysis) -> str:
    if not analysis.findings:
        return "No findings."
    counts: dict[str, int] = {}
    for finding in analysis.findings:
        counts[finding.kind] = counts.get(finding.kind, 0) + 1
    return "Findings: " + ", ".join(f"{kind} ×{n}" for kind, n in counts.items())


def replay_text(analysis: Analysis) -> str:
    """`tutor replay --plain`: the timeline as a transcript, one block per exchange."""
    har = analysis.har
    lines = [f"Replay of {len(har.entries)} recorded exchanges"
             + (f" ({har.creator})" if har.creator else "")]
    start = next((e.started for e in har.entries if e.started is not None), None)
    for item in analysis.entries:
        offset = ("" if start is None or item.entry.started is None
                  else f"  [+{item.entry.started - start:.3f}s]")
        block = entry_lines(item, analysis)
        block[0] += offset
        lines += ["", *block]
    lines += ["", _summary(analysis)]
    return "\n".join(lines)
