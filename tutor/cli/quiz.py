"""`tutor quiz` and `tutor progress`: quizzes in plain text, and the learner's progress.

Registered by tutor/cli/main.py through `add_commands` and run through `run`; everything
heavy is imported inside the functions, so `tutor --help` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

    from tutor.lessons.model import Lesson
    from tutor.progress import Progress
    from tutor.progress_store import ProgressStore
    from tutor.quiz.questions import Question
    from tutor.quiz.session import QuizEvent, QuizSession


COMMANDS = ("quiz", "progress")
ALL_LESSONS = "__all__"

QUIZ_DESCRIPTION = """\
Quiz yourself. With lesson ids, every question of those lessons in order; without, a
mixed cookie-versus-JWT review of up to 10 questions from the whole course, the ones
due for review first (missed questions come back sooner: a Leitner-box schedule kept
with your progress).

Answering (--plain reads one line per answer from standard input):
  single, true/false     one option number:               2
  multiple               every right option number:       1,3
  order                  all item numbers, in order:      3,1,4,2
  predict the response   the HTTP status code:            401
  challenge              one curl command per line
  h or hint              show the next hint (costs no attempt)
  s or skip              give up on this question and see the answer

A wrong answer gets feedback and one more try; after a second miss the answer is shown.
The score counts questions answered right at the first try, out of every question of
the quiz; a question left unanswered counts as missed, and the end says how many. Predict
questions run their scene live and show the real response. An answer that cannot be
read (not a number, no such option) is explained and asked again, without using a try.
The quiz ends with the line `score: N/M` (N first tries of M questions); end of input
ends it early, and the questions not reached count as missed."""


def _course_option() -> argparse.ArgumentParser:
    course = argparse.ArgumentParser(add_help=False)
    course.add_argument("--lessons", type=Path, metavar="DIR", default=argparse.SUPPRESS,
                        help="use the course in DIR instead of the built-in one")
    return course


def add_commands(commands: Any) -> None:
    """Add `quiz` and `progress` to the CLI's subcommands (an argparse subparsers action)."""
    quiz = commands.add_parser("quiz", help="quiz yourself on a lesson, or a mixed review",
                               description=QUIZ_DESCRIPTION, parents=[_course_option()],
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    quiz.add_argument("lesson_ids", nargs="*", metavar="LESSON_ID")
    quiz.add_argument("--plain", action="store_true",
                      help="plain text: questions on standard output, answers from standard "
                      "input (screen readers, scripts)")
    quiz.add_argument("--seed", type=int, default=None,
                      help="which review questions and in what order (default: follows your "
                      "review count, so each review differs)")
    progress = commands.add_parser(
        "progress", help="show, export, import or reset your progress",
        description="Without options, a summary per lesson. Progress is a versioned JSON "
        "file in your data directory; export and import move it between machines (import "
        "merges, and keeps a backup of what you had).", parents=[_course_option()])
    actions = progress.add_mutually_exclusive_group()
    actions.add_argument("--export", type=Path, metavar="FILE",
                         help="write your progress to FILE")
    actions.add_argument("--import", dest="import_file", type=Path, metavar="FILE",
                         help="merge the progress in FILE into yours")
    actions.add_argument("--reset", dest="reset_lesson", nargs="?", const=ALL_LESSONS,
                         metavar="LESSON_ID", help="forget one lesson's progress, or all "
                         "of it (a backup is kept)")


def run(args: argparse.Namespace) -> int:
    """Run `tutor quiz` or `tutor progress`; returns the exit status."""
    if args.command == "quiz":
        return _quiz(args)
    return _progress(args)


def _course_dir(args: argparse.Namespace) -> Path:
    from tutor.lessons.course import default_course_dir

    folder: Path = getattr(args, "lessons", None) or default_course_dir()
    return folder


def _load_lessons(args: argparse.Namespace, command: str) -> list[Lesson] | None:
    """The requested lessons (all when none named), or None after printing why not."""
    from tutor.lessons.course import load_course
    from tutor.quiz.kinds import KINDS

    folder = _course_dir(args)
    if not folder.is_dir():
        print(f"tutor {command}: no course at {folder}", file=sys.stderr)
        return None
    lessons, errors = load_course(folder, KINDS)
    wanted = list(dict.fromkeys(getattr(args, "lesson_ids", [])))  # each lesson once
    by_id = {lesson.meta.id: lesson for lesson in lessons}
    missing = [lesson_id for lesson_id in wanted if lesson_id not in by_id]
    if missing:
        for error in errors:
            print(error, file=sys.stderr)
        print(f"tutor {command}: no lesson {missing[0]!r}; lessons: "
              f"{', '.join(by_id) or '(none)'}", file=sys.stderr)
        return None
    return [by_id[lesson_id] for lesson_id in wanted] if wanted else lessons


def _load_progress(store: ProgressStore) -> Progress:
    progress = store.load()
    if store.notice:
        print(f"tutor: {store.notice}", file=sys.stderr)
    return progress


def _quiz(args: argparse.Namespace) -> int:
    from tutor.progress_store import ProgressStore
    from tutor.quiz.plan import plan_quiz
    from tutor.quiz.session import QuizSession

    lessons = _load_lessons(args, "quiz")
    if lessons is None:
        return 2
    if not args.plain:
        return _run_quiz_tui(args)
    store = ProgressStore()
    progress = _load_progress(store)
    plan = plan_quiz(lessons, args.lesson_ids, progress, args.seed)
    session = QuizSession(plan.questions)
    import asyncio

    try:
        asyncio.run(_play_plain(session, plan.title, store, progress, sys.stdin, sys.stdout))
    except KeyboardInterrupt:
        # Every settled question was saved as it ended; say where the score stood.
        print(f"\n(interrupted) score: {session.score}")
        return 130
    return 0


def _run_quiz_tui(args: argparse.Namespace) -> int:
    """The interactive quiz: the tutor opens straight on its quiz screen."""
    from tutor.cli.main import run_tui

    return run_tui(args, quiz=(list(args.lesson_ids), args.seed))


async def _play_plain(session: QuizSession, title: str, store: ProgressStore,
                      progress: Progress, stdin: TextIO, out: TextIO) -> None:
    """Ask every question on `out`, reading answers from `stdin`; save after each one."""
    from tutor.plural import plural
    from tutor.quiz.grading import Grader
    from tutor.quiz.leitner import record_results
    from tutor.quiz.session import submit

    grader = Grader()
    out.write(f"Quiz: {title}, {plural(len(session.questions), 'question')}.\n")
    events = session.start()
    saved = 0
    while True:
        for event in events:
            out.write("".join(line + "\n" for line in _plain_lines(event)))
        if len(session.results) > saved:
            record_results(progress, session.results[saved:])
            saved = len(session.results)
            _save(store, progress)
        if session.finished:
            break
        interactive = stdin.isatty()
        if interactive:
            out.write("> ")
            out.flush()
        line = stdin.readline()
        if line and not interactive:
            out.write(f"> {line.rstrip()}\n")  # so a piped run reads as a transcript
        if not line:
            out.write(("\n" if interactive else "") + "(end of input)\n")
            events = [session.stop()]
        else:
            events = await submit(session, grader, line)
    _save(store, progress)  # the review count, even when nothing was answered


def _save(store: ProgressStore, progress: Progress) -> None:
    """Save, saying so when the file had changed on disk and was merged first."""
    for line in store.save(progress):
        print(f"tutor: {line}", file=sys.stderr)


def _plain_lines(event: QuizEvent) -> list[str]:
    from tutor.quiz.session import (
        AnswerGraded,
        AnswerRejected,
        AnswerRevealed,
        HintShown,
        QuestionShown,
        QuestionUnavailable,
        QuizFinished,
    )

    if isinstance(event, QuestionShown):
        return _question_lines(event.number, event.total, event.question, event.instructions)
    if isinstance(event, HintShown):
        if not event.text:
            return ["This question has no more hints." if event.number
                    else "This question has no hints."]
        return [f"Hint {event.number}: {event.text}"
                + (f" ({event.remaining} more)" if event.remaining else "")]
    if isinstance(event, AnswerRejected):
        return [event.message]
    if isinstance(event, AnswerGraded):
        return list(event.shown_lines)
    if isinstance(event, AnswerRevealed):
        return list(event.lines)
    if isinstance(event, QuestionUnavailable):
        return [f"Left out: {event.message}"]
    if isinstance(event, QuizFinished):
        score = event.score
        return ["", score.summary(), f"score: {score}"]
    return []


def _question_lines(number: int, total: int, question: Question, instructions: str) -> list[str]:
    lines = ["", f"Question {number} of {total} ({question.quiz_kind.label}, "
             f"lesson {question.lesson_id}):", question.prompt]
    lines += [f"  {index}. {text}" for index, text in enumerate(question.choices, 1)]
    extra = " h for a hint," if question.hints else ""
    lines.append(f"{instructions} ({extra.strip()} s to skip)".replace("( ", "("))
    return lines


def _progress(args: argparse.Namespace) -> int:
    from tutor.progress_store import ProgressStore
    from tutor.progress_transfer import TransferError, export_progress, import_progress

    store = ProgressStore()
    if args.export is not None:
        try:
            export_progress(_load_progress(store), args.export)
        except TransferError as exc:
            print(f"tutor progress: {exc}", file=sys.stderr)
            return 1
        print(f"Progress exported to {args.export}")
        return 0
    if args.import_file is not None:
        try:
            lines = import_progress(store, args.import_file)
        except TransferError as exc:
            print(f"tutor progress: {exc}\nNothing was imported; your progress is unchanged.",
                  file=sys.stderr)
            return 1
        if store.notice:
            print(f"tutor: {store.notice}", file=sys.stderr)
        print("\n".join(lines))
        return 0
    if args.reset_lesson is not None:
        return _reset(args, store)
    return _summary(args, store)


def _reset(args: argparse.Namespace, store: ProgressStore) -> int:
    from tutor.progress_transfer import forget_lesson

    if args.reset_lesson == ALL_LESSONS:
        backup = store.reset()
        print("No progress to reset." if backup is None
              else f"Progress reset. The old progress is kept at {backup}")
        return 0
    lesson_id = args.reset_lesson
    progress = _load_progress(store)
    known = {lesson.meta.id for lesson in _load_lessons_quietly(args)}
    has_progress = lesson_id in progress.lessons or any(
        key.startswith(f"{lesson_id}/") for key in progress.quiz)
    if lesson_id not in known and not has_progress:
        print(f"tutor progress: no lesson {lesson_id!r}; lessons: {', '.join(sorted(known))}",
              file=sys.stderr)
        return 2
    if not has_progress:
        print(f"No progress for lesson {lesson_id} to reset.")
        return 0
    backup = store.backup("reset")
    removed = forget_lesson(progress, lesson_id)
    store.save(progress)
    from tutor.plural import plural

    print(f"Progress of lesson {lesson_id} reset ({plural(removed, 'entry')}). The old "
          f"progress is kept at {backup}")
    return 0


def _load_lessons_quietly(args: argparse.Namespace) -> list[Lesson]:
    from tutor.lessons.course import load_course
    from tutor.quiz.kinds import KINDS

    folder = _course_dir(args)
    return load_course(folder, KINDS)[0] if folder.is_dir() else []


def _summary(args: argparse.Namespace, store: ProgressStore) -> int:
    from tutor.progress import lesson_due, lesson_score

    progress = _load_progress(store)
    lessons = _load_lessons_quietly(args)
    session = progress.review_sessions
    width = max([len(lesson.meta.id) for lesson in lessons] + [6])
    print(f"{'lesson':<{width}}  {'status':<11}  quiz")
    for lesson in lessons:
        lesson_id = lesson.meta.id
        right, total = lesson_score(progress, lesson_id, len(lesson.quizzes))
        due = lesson_due(progress, lesson_id)
        status = progress.status(lesson_id).replace("_", " ")
        note = f", {due} due for review" if due else ""
        print(f"{lesson_id:<{width}}  {status:<11}  {right}/{total} right{note}")
    print(f"Quiz sessions so far: {session}. Review with: tutor quiz")
    return 0
