"""What to say after an answer, limited to what may be said at that point."""

from __future__ import annotations

from tutor.quiz.grading import Grade, status_meaning
from tutor.quiz.live import live_lines
from tutor.quiz.questions import Question


def feedback_lines(question: Question, grade: Grade, settled: bool) -> list[str]:
    """The summary, then why: every chosen option's feedback (and, once settled, every
    missed one), the live exchange of a predict question once settled, the explanation."""
    lines = [grade.summary]
    for verdict in grade.options:
        if verdict.chosen:
            mark = "right" if verdict.correct else "wrong"
        elif verdict.correct and settled:
            mark = "missed"
        else:
            continue
        lines.append(f"  [{mark}] {verdict.number}. {verdict.text}: {verdict.feedback}")
    if grade.detail:
        lines.append(f"  {grade.detail}")
    if settled:
        if grade.live is not None:
            lines += live_lines(grade.live)
            note = question.quiz.data.get("feedback")
            if isinstance(note, str) and note.strip():
                lines.append(note.strip())
        if question.explanation:
            lines.append(question.explanation)
    return lines


def answer_lines(question: Question) -> list[str]:
    """The right answer, for after the last miss or a skip."""
    if question.kind in ("single", "true_false"):
        number, option = next((i + 1, o) for i, o in enumerate(question.options) if o.correct)
        return [f"The answer: {number}. {option.text}", f"  {option.feedback}"]
    if question.kind == "multiple":
        lines = ["The right options:"]
        lines += [f"  {i + 1}. {o.text}: {o.feedback}"
                  for i, o in enumerate(question.options) if o.correct]
        return lines
    if question.kind == "order":
        numbers = ",".join(str(question.shown_items.index(item) + 1) for item in question.items)
        lines = [f"The right order ({numbers}):"]
        lines += [f"  {i + 1}. {item}" for i, item in enumerate(question.items)]
        return lines
    if question.kind == "predict":
        status = question.answer_status
        return [f"The answer: {status} ({status_meaning(status)})."]
    solution = question.quiz.data.get("solution")
    if isinstance(solution, str) and solution.strip():
        return ["One way to do it:", *("  " + line for line in solution.strip().splitlines())]
    if isinstance(solution, list):
        return ["One way to do it:", *(f"  {line}" for line in solution)]
    return ["This challenge has no reference solution written down."]
