"""predict: which HTTP status a scene's step gets. Graded by running the scene for real,
and linted by checking that the lesson's stated answer is what the step returns."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tutor.lessons.model import Lesson, QuizBlock
from tutor.lessons.quizspec import (
    LessonRun,
    QuizSpec,
    QuizSpecError,
    SpecProblem,
    is_text,
    parse_common,
)
from tutor.quiz.grading import Grade
from tutor.quiz.kinds.base import (
    LIMITED_RETRY,
    Answer,
    BadAnswer,
    Question,
    expect_answer,
)
from tutor.quiz.statuses import status_meaning
from tutor.scenes.model import Scene

if TYPE_CHECKING:
    from tutor.quiz.live import LiveExchange

LIVE_KEY = "live"
"""Where a question's state keeps its live run: the scene runs once, the retry reuses it."""


@dataclass(frozen=True)
class PredictSpec(QuizSpec):
    """The step whose response answers it, and the status the lesson says it gets."""

    scene: str
    """The id of a scene block of the same lesson."""
    track: str | None
    """The track label, needed when the scene has several."""
    step: int
    """0-based."""
    answer: int
    feedback: str
    """Said once the question is settled (may be empty)."""


@dataclass(frozen=True)
class PredictQuestion(Question):
    """A predict question and the scene track it runs."""

    scene: Scene | None = None


@dataclass(frozen=True)
class StatusGuess(Answer):
    """A predicted HTTP status."""

    status: int


@dataclass(frozen=True)
class PredictKind:
    """Predict the response's status; the scene then runs live and shows the proof."""

    name: str = "predict"
    label: str = "predict the response"
    limited_tries: bool = True
    retry_prompt: str = LIMITED_RETRY

    def parse_spec(self, data: Mapping[str, Any]) -> PredictSpec:
        common, problems = parse_common(data, self.name,
                                        {"scene", "track", "step", "answer", "feedback"})
        scene, step, answer = data.get("scene"), data.get("step"), data.get("answer")
        if not is_text(scene):
            problems.append(SpecProblem("scene", "a predict quiz names the `scene` (a block "
                                        "id) it runs"))
        if not isinstance(step, int) or isinstance(step, bool):
            problems.append(SpecProblem("step", "a predict quiz names the `step` (0-based) "
                                        "whose response answers it"))
        if not (isinstance(answer, int) and 100 <= answer <= 599):
            problems.append(SpecProblem("answer", "answer must be the HTTP status the step "
                                        "returns"))
        if "feedback" in data and not is_text(data["feedback"]):
            problems.append(SpecProblem("feedback", "feedback must be text, shown once the "
                                        "question is settled"))
        if problems:
            raise QuizSpecError(problems)
        assert isinstance(step, int) and isinstance(answer, int)
        track = data.get("track")
        return PredictSpec(common.kind, common.question, common.hints, common.explanation,
                           str(scene), None if track is None else str(track), step, answer,
                           str(data.get("feedback", "")).strip())

    def question(self, lesson: Lesson, quiz: QuizBlock) -> PredictQuestion:
        spec = quiz.spec
        assert isinstance(spec, PredictSpec)
        return PredictQuestion(lesson.meta.id, quiz, self, scene=_track(lesson, spec))

    def instructions(self, question: Question) -> str:
        return "Answer with the HTTP status code the response will have (for example 200)."

    def parse_answer(self, question: Question, text: str) -> StatusGuess | BadAnswer:
        if not re.fullmatch(r"\d{3}", text) or not 100 <= int(text) <= 599:
            return BadAnswer(f"{text!r} is not an HTTP status: type three digits, 100 to 599.")
        return StatusGuess(int(text))

    async def grade(self, question: Question, answer: Answer, state: dict[str, Any]) -> Grade:
        guess = expect_answer(answer, StatusGuess)
        live = await self.live(question, state)
        if isinstance(live, str):
            return Grade(False, f"The scene could not be run: {live}", unavailable=True)
        if guess.status == live.status:
            return Grade(True, f"Right: the server answered {live.status} "
                         f"({live.meaning()}).", live=live)
        return Grade(False, f"Not {guess.status}: that would mean "
                     f"{live.meaning(guess.status)}. That is not what happened.", live=live)

    async def live(self, question: Question, state: dict[str, Any]) -> LiveExchange | str:
        """The step's real exchange (run once per question), or why there is none."""
        if LIVE_KEY not in state:
            from tutor.quiz.live import run_predict_step  # the HTTP stack, once answered

            spec = question.spec_as(PredictSpec)
            scene = question.scene if isinstance(question, PredictQuestion) else None
            state[LIVE_KEY] = await run_predict_step(scene, spec.scene, spec.track or "",
                                                     spec.step)
        live: LiveExchange | str = state[LIVE_KEY]
        return live

    def feedback(self, question: Question, grade: Grade, settled: bool) -> list[str]:
        if not settled or grade.live is None:
            return []  # the live response would give the answer away
        from tutor.quiz.live import live_lines

        note = question.spec_as(PredictSpec).feedback
        return live_lines(grade.live) + ([note] if note else [])

    def answer_lines(self, question: Question) -> list[str]:
        status = question.spec_as(PredictSpec).answer
        return [f"The answer: {status} ({status_meaning(status)})."]

    async def check(self, quiz: QuizBlock, run: LessonRun) -> list[SpecProblem]:
        """A predict quiz cannot lie: its answer must be what the named step returns."""
        spec = quiz.spec
        assert isinstance(spec, PredictSpec)
        scene_id, step = spec.scene, spec.step
        block = next((b for b in run.lesson.scenes if b.id == scene_id), None)
        if block is None:
            return [SpecProblem("scene", f"names scene {scene_id!r}, which this lesson does "
                                "not have")]
        labels = [label for label, _ in block.tracks]
        track = spec.track if spec.track is not None else (
            labels[0] if len(labels) == 1 else None)
        if track not in labels:
            return [SpecProblem("track", f"scene {scene_id!r} has tracks {', '.join(labels)}: "
                                "name one with `track:`")]
        assert track is not None
        results = run.statuses.get((scene_id, track), [])
        if not 0 <= step < len(results):
            return [SpecProblem("step", f"step {step} is outside scene {scene_id!r} "
                                f"(steps 0 to {len(results) - 1})")]
        actual = results[step]
        if actual is None:
            return [SpecProblem("step", f"step {step} of scene {scene_id!r} makes no HTTP "
                                "request")]
        if actual != spec.answer:
            return [SpecProblem("answer", f"answer {spec.answer}, but step {step} of scene "
                                f"{scene_id!r} really returns {actual}")]
        return []


def _track(lesson: Lesson, spec: PredictSpec) -> Scene | None:
    """The scene track the question runs (None when the lesson has no such scene)."""
    block = next((b for b in lesson.scenes if b.id == spec.scene), None)
    if block is None:
        return None
    label = spec.track if spec.track is not None else (
        block.tracks[0][0] if len(block.tracks) == 1 else None)
    return dict(block.tracks).get(label) if label is not None else None


PREDICT = PredictKind()
