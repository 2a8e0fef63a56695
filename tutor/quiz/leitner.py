"""The Leitner-box review: missed questions come back soon, known ones rarely.

Time is counted in review sessions (each `tutor quiz` run is one), not days, so the
schedule needs no clock and a learner who pauses for a month loses nothing.

- A question right at the first try moves up one box (at most 5).
- Right at the second try: it stays in its box.
- Missed or skipped: back to box 1.
- A question in box b is due again `INTERVALS[b]` sessions later.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from tutor.progress import LEITNER_BOXES, Progress, QuestionProgress
from tutor.quiz.questions import Question
from tutor.quiz.session import QuestionResult

INTERVALS = {1: 1, 2: 2, 3: 4, 4: 8, 5: 16}
"""Box → sessions until the question is due again."""
REVIEW_SIZE = 10


def schedule(entry: QuestionProgress, result: QuestionResult, session: int) -> QuestionProgress:
    """The question's history after `result`, answered in review session `session`."""
    if result.first_try:
        box = min(entry.box + 1, LEITNER_BOXES)
    elif result.correct:
        box = entry.box
    else:
        box = 1
    return QuestionProgress(
        attempts=entry.attempts + result.attempts,
        times_asked=entry.times_asked + 1,
        times_correct=entry.times_correct + int(result.correct),
        last_correct=result.correct,
        box=box,
        due=session + INTERVALS[box],
    )


def start_review_session(progress: Progress) -> int:
    """Count a new quiz session; returns its number (1 for the first)."""
    progress.review_sessions += 1
    return progress.review_sessions


def record_results(progress: Progress, results: Iterable[QuestionResult]) -> None:
    """Store each result and reschedule its question, in the current review session."""
    for result in results:
        entry = progress.quiz.get(result.key, QuestionProgress())
        progress.quiz[result.key] = schedule(entry, result, progress.review_sessions)


def is_due(progress: Progress, key: str, session: int) -> bool:
    """True when the question was asked before and its turn has come."""
    entry = progress.quiz.get(key)
    return entry is not None and entry.due <= session


def pick_review(questions: Sequence[Question], progress: Progress, session: int, seed: int,
                size: int = REVIEW_SIZE) -> list[Question]:
    """A mixed review: due questions first (lowest box first), then ones never asked, then
    the ones due soonest; shuffled within each group by `seed`, and the chosen ones mixed so
    lessons (cookie and JWT alike) alternate rather than come in blocks."""
    rng = random.Random(seed)
    due, new, later = [], [], []
    for question in questions:
        entry = progress.quiz.get(question.key)
        if entry is None:
            new.append(question)
        elif entry.due <= session:
            due.append(question)
        else:
            later.append(question)
    for group in (due, new, later):
        rng.shuffle(group)
    due.sort(key=lambda q: progress.quiz[q.key].box)  # stable: keeps the shuffle within a box
    later.sort(key=lambda q: progress.quiz[q.key].due)
    chosen = (due + new + later)[:size]
    rng.shuffle(chosen)
    return chosen
