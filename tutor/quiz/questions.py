"""Quiz questions from a lesson's blocks, and reading a typed line as an answer.

Everything kind-specific is the kind's (tutor/quiz/kinds/); these are the entry points
the front ends use, whatever the kind.
"""

from __future__ import annotations

from tutor.lessons.model import Lesson, QuizBlock
from tutor.quiz.kinds import KINDS, KindRegistry
from tutor.quiz.kinds.base import Answer, BadAnswer, Question

__all__ = ["Answer", "BadAnswer", "Question", "answer_instructions", "lesson_questions",
           "make_question", "parse_answer"]


def make_question(lesson: Lesson, quiz: QuizBlock, kinds: KindRegistry = KINDS) -> Question:
    """The question for one quiz block of a parsed lesson."""
    return kinds.get(quiz.kind).question(lesson, quiz)


def lesson_questions(lesson: Lesson, kinds: KindRegistry = KINDS) -> list[Question]:
    """Every quiz of a lesson, as written."""
    return [make_question(lesson, quiz, kinds) for quiz in lesson.quizzes]


def answer_instructions(question: Question) -> str:
    """How to answer this question with a line of text, in one line."""
    return question.quiz_kind.instructions(question)


def parse_answer(question: Question, line: str) -> Answer | BadAnswer:
    """Read one answer line for `question`, or say clearly what is wrong with it."""
    text = line.strip()
    if not text:
        return BadAnswer("Type an answer (or h for a hint, s to skip).")
    return question.quiz_kind.parse_answer(question, text)
