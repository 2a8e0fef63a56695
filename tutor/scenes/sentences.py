"""A step in words, for the steps whose action says enough by itself.

The player shows a step's narration; a step without one shows the sentence its action
writes here. Actions whose point depends on the lesson (a request, a replay, a forged
token, a cross-site page) write none: `tutor lint` asks the author for a narration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tutor.scenes.model import Step

PERSON_NAMES = {"user": "Alice"}
"""How the lessons call the person behind a browser."""


def person_name(browser: str) -> str:
    """`Alice` for the scene's "user"; a browser's own name, capitalised, otherwise."""
    return PERSON_NAMES.get(browser, browser.replace("_", " ").capitalize())


def duration_words(seconds: float) -> str:
    """`15 min`, `1 h 5 min`, `2 d`, `45 s`: a jump of the clock, as people say it."""
    total = round(seconds)
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{minutes} min" if minutes else "", f"{secs} s" if secs else ""]
    return " ".join(p for p in parts if p) or "0 s"


def _login(who: str, params: Mapping[str, Any]) -> str:
    return f"{who} logs in as {params.get('username', 'alice')}."


def _clock(who: str, params: Mapping[str, Any]) -> str:
    return f"Time passes: {duration_words(float(params.get('seconds', 0)))}."


def _replica(who: str, params: Mapping[str, Any]) -> str:
    name = str(params.get("replica", ""))
    if name.lower() in ("", "any", "round-robin"):
        return "The balancer goes back to sharing requests between the replicas."
    return f"The balancer now sends {who}'s requests to replica {name.upper()}."


SENTENCES: dict[str, Callable[[str, Mapping[str, Any]], str]] = {
    "login": _login,
    "logout": lambda who, _: f"{who} logs out.",
    "visit": lambda who, p: f"{who} opens {p.get('path', '/')}.",
    "refresh": lambda who, _: f"{who}'s page trades its refresh token for a new pair.",
    "advance_clock": _clock,
    "capture": lambda who, _: (f"The attacker takes a copy of {who}'s credential "
                               "(a shared computer, a log, a proxy)."),
    "switch_replica": _replica,
    "change_password": lambda who, _: f"{who} changes the password.",
    "clear_credential": lambda who, _: f"{who}'s client deletes its copy of the credential.",
    "restart_browser": lambda who, _: f"{who} closes the browser and opens it again.",
}
"""The actions that describe themselves, and how."""


def step_sentence(step: Step) -> str | None:
    """The sentence a step's action writes for itself, or None when it needs a narration."""
    write = SENTENCES.get(step.action)
    return write(person_name(step.actor), step.params) if write else None


def step_words(step: Step) -> str:
    """What a learner reads for a step: its narration, else its action's sentence."""
    narration = step.narration.strip()
    if narration:
        return narration
    sentence = step_sentence(step)
    return sentence if sentence is not None else f"{person_name(step.actor)} acts."
