"""A quiz session: questions in order, hints, a retry, the answer after two misses.

The rules, shared by the plain CLI and the TUI:

- Hints come one at a time, on request, and never use up an attempt.
- A wrong answer gets feedback and a second try; feedback on a first miss never gives
  the answer away (a predict question keeps the live response for later).
- After a second miss the right answer is shown and the session moves on.
- A question counts as correct if it is answered right within those two attempts, but
  the score counts only the ones right at once, out of every question of the quiz: a
  question left unanswered (end of input, leaving early) counts against it, and is
  counted and named as such.
- A kind may take any number of tries (a challenge: each line is one request, and the
  goal may take several). Skipping shows the reference solution.
- Skipping any question counts it as missed and shows its answer.

The session is a pure state machine: it never grades by itself. `submit` (async) reads
a line, grades it with a `Grader` and feeds the grade to the session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tutor.plural import plural
from tutor.quiz.feedback import answer_lines, feedback_lines
from tutor.quiz.grading import Grade, Grader
from tutor.quiz.questions import (
    Answer,
    BadAnswer,
    Question,
    answer_instructions,
    parse_answer,
)

MAX_ATTEMPTS = 2
HINT_WORDS = frozenset({"h", "hint"})
SKIP_WORDS = frozenset({"s", "skip"})


@dataclass(frozen=True)
class QuizEvent:
    """Something the quiz UI should show."""


@dataclass(frozen=True)
class QuestionShown(QuizEvent):
    number: int
    """1-based."""
    total: int
    question: Question
    instructions: str


@dataclass(frozen=True)
class HintShown(QuizEvent):
    number: int
    """1-based; `text` is empty when no hint was left."""
    text: str
    remaining: int


@dataclass(frozen=True)
class AnswerRejected(QuizEvent):
    """The line could not be read as an answer; no attempt was used."""

    message: str


@dataclass(frozen=True)
class AnswerGraded(QuizEvent):
    question: Question
    grade: Grade
    attempt: int
    settled: bool
    """True when this question is over (right, or no attempt left)."""
    lines: tuple[str, ...]
    """Feedback to show, already limited to what may be said at this point."""
    retry: str = ""
    """When not settled: what to do next ("Try once more (h for a hint)."), from the kind."""

    @property
    def shown_lines(self) -> tuple[str, ...]:
        """The feedback, then the retry prompt if there is one: what every front end shows."""
        return (*self.lines, self.retry) if self.retry else self.lines


@dataclass(frozen=True)
class AnswerRevealed(QuizEvent):
    """After the last miss or a skip: the right answer."""

    question: Question
    lines: tuple[str, ...]


@dataclass(frozen=True)
class QuestionUnavailable(QuizEvent):
    """The question cannot be graded here; it is left out of the score."""

    question: Question
    message: str


@dataclass(frozen=True)
class QuestionResult:
    """How one question went."""

    key: str
    lesson_id: str
    correct: bool
    attempts: int
    hints_used: int
    skipped: bool = False

    @property
    def first_try(self) -> bool:
        """Right with the first answer."""
        return self.correct and self.attempts == 1


@dataclass(frozen=True)
class Score:
    """How a quiz went: first tries out of every question that could be graded."""

    correct: int
    """Right within the allowed attempts."""
    answered: int
    """Questions settled (right, missed twice or skipped)."""
    first_try: int
    """Right with the first answer: what the score counts."""
    total: int
    """Questions in the quiz that could be graded (unanswered ones included)."""

    @property
    def unanswered(self) -> int:
        """Questions never settled: the quiz ended (or was left) before them."""
        return self.total - self.answered

    def __str__(self) -> str:
        return f"{self.first_try}/{self.total}"

    def summary(self) -> str:
        """The sentence every front end ends a quiz with."""
        words = [f"{self.first_try} of {self.total} right at the first try"]
        if self.correct > self.first_try:
            words.append(f"{self.correct - self.first_try} more at the second")
        if self.unanswered:
            words.append(f"{plural(self.unanswered, 'question')} not answered, "
                         "counted as missed")
        return "; ".join(words) + "."


@dataclass(frozen=True)
class QuizFinished(QuizEvent):
    score: Score
    results: tuple[QuestionResult, ...]


class QuizSession:
    """Walks through questions; every method returns the events to show."""

    def __init__(self, questions: Sequence[Question], max_attempts: int = MAX_ATTEMPTS) -> None:
        self.questions = tuple(questions)
        self.max_attempts = max_attempts
        self.index = 0
        self.attempts = 0
        """Answers given to the current question."""
        self.hints_used = 0
        self.results: list[QuestionResult] = []
        self.unavailable = 0
        """Questions that could not be graded here: left out of the score's total."""
        self.finished = False

    @property
    def current(self) -> Question | None:
        """The question being asked (None once finished)."""
        return None if self.finished else self.questions[self.index]

    @property
    def score(self) -> Score:
        """First tries out of every gradable question (settled or not) so far."""
        return Score(sum(r.correct for r in self.results), len(self.results),
                     sum(r.first_try for r in self.results),
                     len(self.questions) - self.unavailable)

    def start(self) -> list[QuizEvent]:
        """The first question (or the end, for an empty quiz)."""
        if not self.questions:
            return [self.stop()]
        return [self._shown()]

    def hint(self) -> QuizEvent:
        """The next hint of the current question."""
        question = self._require()
        if self.hints_used >= len(question.hints):
            return HintShown(self.hints_used, "", 0)
        self.hints_used += 1
        return HintShown(self.hints_used, question.hints[self.hints_used - 1],
                         len(question.hints) - self.hints_used)

    def read(self, line: str) -> Answer | BadAnswer:
        """Parse an answer line for the current question."""
        return parse_answer(self._require(), line)

    def record(self, grade: Grade) -> list[QuizEvent]:
        """Take the grade of an answer to the current question."""
        question = self._require()
        if grade.unavailable:
            self.unavailable += 1
            return [QuestionUnavailable(question, grade.summary), *self._next()]
        self.attempts += 1
        kind = question.quiz_kind
        settled = grade.correct or (kind.limited_tries and self.attempts >= self.max_attempts)
        events: list[QuizEvent] = [AnswerGraded(
            question, grade, self.attempts, settled,
            tuple(feedback_lines(question, grade, settled)),
            "" if settled else kind.retry_prompt)]
        if not settled:
            return events
        if not grade.correct:
            events.append(AnswerRevealed(question, tuple(answer_lines(question))))
        self.results.append(QuestionResult(question.key, question.lesson_id, grade.correct,
                                           self.attempts, self.hints_used))
        return events + self._next()

    def skip(self) -> list[QuizEvent]:
        """Give up on the current question: it counts as missed; its answer is shown."""
        question = self._require()
        self.results.append(QuestionResult(question.key, question.lesson_id, False,
                                           self.attempts, self.hints_used, skipped=True))
        return [AnswerRevealed(question, tuple(answer_lines(question))), *self._next()]

    def stop(self) -> QuizFinished:
        """End now (end of input, or the learner quits); the score covers what was settled."""
        self.finished = True
        return QuizFinished(self.score, tuple(self.results))

    def _require(self) -> Question:
        question = self.current
        if question is None:
            raise RuntimeError("the quiz is over")
        return question

    def _next(self) -> list[QuizEvent]:
        self.attempts = self.hints_used = 0
        self.index += 1
        if self.index >= len(self.questions):
            return [self.stop()]
        return [self._shown()]

    def _shown(self) -> QuestionShown:
        question = self.questions[self.index]
        return QuestionShown(self.index + 1, len(self.questions), question,
                             answer_instructions(question))


async def submit(session: QuizSession, grader: Grader, line: str) -> list[QuizEvent]:
    """One line typed by the learner: a hint request, a skip, or an answer to grade."""
    if session.finished:
        return []
    word = line.strip().lower()
    if word in HINT_WORDS:
        return [session.hint()]
    if word in SKIP_WORDS:
        return session.skip()
    return await submit_answer(session, grader, session.read(line))


async def submit_answer(session: QuizSession, grader: Grader,
                        answer: Answer | BadAnswer) -> list[QuizEvent]:
    """A typed answer (from a front end's widget, or a line read by the kind): graded, or
    explained when it cannot be, without using an attempt."""
    question = session.current
    if question is None:
        return []
    if isinstance(answer, BadAnswer):
        return [AnswerRejected(answer.message)]
    return session.record(await grader.grade(question, answer))
