"""Grading one answer of any kind, with feedback that says why.

Choice kinds explain every chosen option (and, once the question is settled, every
missed one); order names the first misplaced item; predict runs the scene live and
compares the guess with the status the server really returned; challenges go to the
Repeater, which grades from what the mock server accepted.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from tutor.browser.events import Exchange
from tutor.quiz.questions import Answer, Picked, Question, StatusGuess, Words

STATUS_MEANINGS = {
    200: "OK: the server accepted the request and answered it",
    201: "Created: the server made something new",
    204: "No Content: accepted, with nothing to send back",
    302: "Found: a redirect to another address",
    303: "See Other: a redirect, the usual answer to a submitted form",
    400: "Bad Request: the server could not make sense of the request",
    401: "Unauthorized: no valid credential came with the request",
    403: "Forbidden: the server knows who it is, or suspects a forgery, and refuses",
    404: "Not Found: nothing at that address",
    405: "Method Not Allowed: the address exists but not for this method",
    409: "Conflict: the request clashes with the current state",
    422: "Unprocessable Content: well-formed but wrong",
    429: "Too Many Requests: slow down",
    500: "Internal Server Error: the server failed",
}
BODY_EXCERPT = 200


def status_meaning(status: int) -> str:
    """A short reading of an HTTP status."""
    if status in STATUS_MEANINGS:
        return STATUS_MEANINGS[status]
    family = {2: "a success", 3: "a redirect", 4: "a refusal caused by the request",
              5: "a server failure"}.get(status // 100, "an unusual status")
    return f"{status} is {family}"


@dataclass(frozen=True)
class OptionVerdict:
    """How one option of a choice question relates to the answer given."""

    number: int
    """1-based, as shown."""
    text: str
    chosen: bool
    correct: bool
    feedback: str


@dataclass(frozen=True)
class LiveExchange:
    """The request and response a predict question's step really produced."""

    scene_id: str
    track: str
    step: int
    """0-based, as written in the quiz."""
    method: str
    url: str
    status: int
    request_headers: tuple[tuple[str, str], ...]
    response_headers: tuple[tuple[str, str], ...]
    body: str
    """The start of the response body."""
    exchange: Exchange | None = field(default=None, compare=False, repr=False)
    """The whole exchange, for a view that draws it (the stage's exchange view)."""


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer."""

    correct: bool
    summary: str
    """One sentence: right or not, and in brief why."""
    options: tuple[OptionVerdict, ...] = ()
    """Choice kinds: every option, chosen or not."""
    placed: int = 0
    """Order kind: how many items from the start are in the right place."""
    live: LiveExchange | None = None
    """Predict kind: what the server really answered."""
    detail: str = ""
    """Challenge kind: what the Repeater reported."""
    unavailable: bool = False
    """The question could not be graded here (no attempt is used)."""


def grade_choice(question: Question, answer: Picked) -> Grade:
    """single, multiple, true_false: right only if exactly the correct options are chosen."""
    chosen = set(answer.indexes)
    verdicts = tuple(OptionVerdict(i + 1, o.text, i in chosen, o.correct, o.feedback)
                     for i, o in enumerate(question.options))
    wrong = [v for v in verdicts if v.chosen and not v.correct]
    missed = [v for v in verdicts if v.correct and not v.chosen]
    if not wrong and not missed:
        summary = "Right."
    elif question.kind != "multiple":
        summary = "Not right."
    elif not wrong:
        summary = (f"Partly right: every option you chose is right, but {len(missed)} more "
                   f"{'is' if len(missed) == 1 else 'are'} right too.")
    else:
        right = sum(1 for v in verdicts if v.chosen and v.correct)
        summary = f"Not right: {right} of your choices {'is' if right == 1 else 'are'} right, " \
                  f"{len(wrong)} {'is' if len(wrong) == 1 else 'are'} wrong."
    return Grade(not wrong and not missed, summary, options=verdicts)


def grade_order(question: Question, answer: Picked) -> Grade:
    """order: right only if every item is in its place; names the first misplaced one."""
    given = [question.shown_items[i] for i in answer.indexes]
    expected = list(question.items)
    placed = next((i for i, (a, b) in enumerate(zip(given, expected, strict=True)) if a != b),
                  len(expected))
    if placed == len(expected):
        return Grade(True, "Right: every step is in its place.", placed=placed)
    number = question.shown_items.index(given[placed]) + 1
    lead = (f"The first {placed} {'is' if placed == 1 else 'are'} in place, but"
            if placed else "Not right:")
    return Grade(False, f"{lead} item {number} ({given[placed]!r}) does not come "
                 f"{_ordinal(placed + 1)}.", placed=placed)


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth",
            7: "seventh", 8: "eighth"}.get(n, f"at position {n}")


def grade_status(question: Question, guess: StatusGuess, live: LiveExchange) -> Grade:
    """predict: the guess against the status the server really returned."""
    if guess.status == live.status:
        return Grade(True, f"Right: the server answered {live.status} "
                     f"({status_meaning(live.status)}).", live=live)
    return Grade(False, f"Not {guess.status}: that would mean {status_meaning(guess.status)}"
                 ". That is not what happened.", live=live)


ChallengeGrader = Callable[[Mapping[str, Any], str, dict[str, Any]], tuple[bool, str]]


def load_challenge_grader() -> ChallengeGrader | None:
    """The Repeater's grader, imported only when a challenge is answered (None if absent)."""
    try:
        module = importlib.import_module("tutor.repeater.challenges")
    except ModuleNotFoundError as exc:
        if exc.name not in ("tutor.repeater", "tutor.repeater.challenges"):
            raise  # the Repeater is there but broken: that must not look like "absent"
        return None
    return cast(ChallengeGrader, module.grade_challenge_line)


def grade_challenge(question: Question, answer: Words, state: dict[str, Any],
                    grader: ChallengeGrader | None) -> Grade:
    """challenge: the Repeater sends the line and judges from the server's own log."""
    if grader is None:
        return Grade(False, "Challenges are solved in the Repeater, which this copy of the "
                     "tutor does not have yet.", unavailable=True)
    done, message = grader(question.quiz.data, answer.text, state)
    summary = "Goal reached: the server accepted it." if done else "Not yet."
    return Grade(done, summary, detail=message)


@dataclass
class Grader:
    """Grades answers; remembers each predict scene's live run and each challenge's state."""

    challenge_grader: Callable[[], ChallengeGrader | None] = load_challenge_grader
    """Where the challenge grader comes from (tests may pass their own)."""
    _live: dict[str, LiveExchange | str] = field(default_factory=dict)
    _challenges: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def grade(self, question: Question, answer: Answer) -> Grade:
        """The grade for one answer that `parse_answer` accepted."""
        if isinstance(answer, Picked):
            if question.kind == "order":
                return grade_order(question, answer)
            return grade_choice(question, answer)
        if isinstance(answer, StatusGuess):
            live = await self.live(question)
            if isinstance(live, str):
                return Grade(False, f"The scene could not be run: {live}", unavailable=True)
            return grade_status(question, answer, live)
        state = self.challenge_state(question)
        return grade_challenge(question, answer, state, self.challenge_grader())

    def challenge_state(self, question: Question) -> dict[str, Any]:
        """What a challenge question keeps between attempts (its live run, once started):
        the Repeater and typed answers share it, so they act on one server."""
        return self._challenges.setdefault(question.key, {})

    async def live(self, question: Question) -> LiveExchange | str:
        """Run a predict question's scene up to its step (once), or say why it cannot."""
        if question.key not in self._live:
            from tutor.quiz.live import run_predict_step

            self._live[question.key] = await run_predict_step(question)
        return self._live[question.key]
