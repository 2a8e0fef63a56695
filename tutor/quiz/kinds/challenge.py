"""challenge: reach a goal against a live, sandboxed server; graded from the server's log.

This kind owns the quiz's dependency on the Repeater (tutor.repeater): the goal and the
attempt lines are read by `repeater.goal`, each answer is one attempt of a
`ChallengeRun`, and lint runs the reference solution against a fresh server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tutor.lessons.model import Lesson, QuizBlock
from tutor.lessons.quizspec import (
    LessonRun,
    QuizSpec,
    QuizSpecError,
    SpecProblem,
    parse_common,
)
from tutor.quiz.grading import Grade
from tutor.quiz.kinds.base import Answer, BadAnswer, Question, expect_answer

if TYPE_CHECKING:
    # A run loads the whole HTTP stack; parsing a lesson must not (goal.py does not).
    from tutor.repeater.challenges import ChallengeRun
    from tutor.repeater.goal import Goal
    from tutor.server.config import ServerConfig

GOAL_REACHED = "Goal reached: the server accepted it."
RUN_KEY = "challenge_run"
"""Where a question's grading state keeps its live run."""


@dataclass(frozen=True)
class ChallengeSpec(QuizSpec):
    """What the server must accept, the server it runs, and a solution lint runs."""

    goal: Goal
    server: ServerConfig
    solution: tuple[Any, ...]
    """The reference solution's steps as written: curl text or cross_site mappings."""

    @property
    def solution_lines(self) -> tuple[str, ...]:
        """The solution as the lines a learner could type or read."""
        return tuple(str(step) for step in self.solution)


@dataclass(frozen=True)
class Words(Answer):
    """One line sent to the server: a curl command, or a cross-site line."""

    text: str


@dataclass(frozen=True)
class ChallengeKind:
    """Any number of attempts; each line is one request, judged by the server's log."""

    name: str = "challenge"
    label: str = "challenge"
    limited_tries: bool = False
    retry_prompt: str = "Send another request, or s to skip."

    def parse_spec(self, data: Mapping[str, Any]) -> ChallengeSpec:
        # Imported here: the goal's curl parser is needed by the two lessons that have a
        # challenge, not by the warm-up that loads the parser for the first lesson.
        from tutor.repeater.goal import challenge_config, challenge_problems, parse_goal

        common, problems = parse_common(data, self.name, {"goal", "mode", "server", "solution"})
        problems += [SpecProblem(path, message) for path, message in challenge_problems(data)]
        if problems:
            raise QuizSpecError(problems)
        return ChallengeSpec(common.kind, common.question, common.hints, common.explanation,
                             parse_goal(data["goal"]), challenge_config(data),
                             tuple(data["solution"]))

    def question(self, lesson: Lesson, quiz: QuizBlock) -> Question:
        return Question(lesson.meta.id, quiz, self)

    def instructions(self, question: Question) -> str:
        return "Answer with one curl command; each line is sent to the server."

    def parse_answer(self, question: Question, text: str) -> Words | BadAnswer:
        return Words(text)

    async def grade(self, question: Question, answer: Answer, state: dict[str, Any]) -> Grade:
        line = expect_answer(answer, Words).text
        result = await challenge_run(question, state).attempt_line(line)
        return Grade(result.passed, GOAL_REACHED if result.passed else "Not yet.",
                     detail=result.message)

    def feedback(self, question: Question, grade: Grade, settled: bool) -> list[str]:
        return [f"  {grade.detail}"] if grade.detail else []

    def answer_lines(self, question: Question) -> list[str]:
        lines = question.spec_as(ChallengeSpec).solution_lines
        return ["One way to do it:", *(f"  {line}" for line in lines)]

    async def check(self, quiz: QuizBlock, run: LessonRun) -> list[SpecProblem]:
        """A challenge must be winnable and not already won: its reference solution runs
        against a fresh server, after checking that doing nothing fails."""
        spec = quiz.spec
        assert isinstance(spec, ChallengeSpec)
        from tutor.repeater.challenges import verify_challenge

        problems = await verify_challenge(_fresh_run(spec), _fresh_run(spec))
        return [SpecProblem(path, message) for path, message in problems]


def challenge_run(question: Question, state: dict[str, Any]) -> ChallengeRun:
    """The question's live run, started on first use and kept in its grading state, so
    typed lines and the TUI's Repeater act on one server."""
    from tutor.repeater.challenges import ChallengeRun

    run = state.get(RUN_KEY)
    if not isinstance(run, ChallengeRun):
        run = state[RUN_KEY] = _fresh_run(question.spec_as(ChallengeSpec))
    return run


def goal_grade(run: ChallengeRun) -> Grade:
    """The grade once the Repeater reports the goal met (from the server's own log)."""
    verdict = run.goal_met()
    return Grade(verdict.passed, GOAL_REACHED if verdict.passed else "Not yet.",
                 detail=verdict.message)


def _fresh_run(spec: ChallengeSpec) -> ChallengeRun:
    from tutor.repeater.challenges import ChallengeRun

    return ChallengeRun(spec.goal, spec.server, spec.solution)


CHALLENGE = ChallengeKind()
