"""What to say after an answer, limited to what may be said at that point."""

from __future__ import annotations

from tutor.quiz.grading import Grade
from tutor.quiz.kinds.base import Question


def feedback_lines(question: Question, grade: Grade, settled: bool) -> list[str]:
    """The summary, then the kind's why (every chosen option's feedback, and once settled
    every missed one; a predict question's live exchange once settled), the explanation."""
    lines = [grade.summary, *question.quiz_kind.feedback(question, grade, settled)]
    if settled and question.explanation:
        lines.append(question.explanation)
    return lines


def answer_lines(question: Question) -> list[str]:
    """The right answer, for after the last miss or a skip."""
    return question.quiz_kind.answer_lines(question)
