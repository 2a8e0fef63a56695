"""`tutor web` and `tutor classroom report`: the tutor for a room of learners."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

COMMANDS = frozenset({"web", "classroom"})


def default_class_folder() -> Path:
    """Where `tutor web` keeps learners unless told: the data folder's `classroom`."""
    from tutor.progress_store import data_dir

    return data_dir() / "classroom"


def add_commands(commands: Any) -> None:
    """Add `web` and `classroom` to the CLI's subparsers."""
    web = commands.add_parser(
        "web", help="serve the tutor to browser tabs (a class without installs)",
        description="Serve the interactive tutor to browser tabs with textual-serve: one "
        "app process per tab, each learner's progress kept apart by name. Loopback only "
        "unless --allow-remote. Needs the extra: pip install 'cookie-jwt-tutor[web]'.")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    web.add_argument("--port", type=int, default=8080, help="port (0 picks a free one)")
    web.add_argument("--allow-remote", action="store_true",
                     help="allow a non-loopback --host (learners on other machines)")
    web.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                     help="also answer for this host name (repeatable), e.g. a DNS name "
                     "learners type")
    web.add_argument("--class-dir", type=Path, default=None, metavar="DIR",
                     help="where learners' progress is kept (default: the data folder's "
                     "classroom)")
    web.add_argument("--lessons", type=Path, metavar="DIR", default=argparse.SUPPRESS,
                     help="use the course in DIR instead of the built-in one")
    classroom = commands.add_parser(
        "classroom", help="a teacher's view of a class's progress",
        description="A teacher's tools. `tutor classroom report [PATH...]` reads learners' "
        "progress (a `tutor web` class folder, learner folders or exported progress "
        "files) and shows per learner and lesson what is finished and the quiz scores, "
        "and the questions the class missed most.")
    actions = classroom.add_subparsers(dest="classroom_command", metavar="ACTION",
                                       required=True)
    report = actions.add_parser("report", help="per learner and lesson, and the hard "
                                "questions", description="Read learners' progress "
                                "(nothing is changed) and print the class report.")
    report.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="class folders, learner folders or progress files "
                        "(default: the folder `tutor web` uses)")
    report.add_argument("--html", type=Path, metavar="FILE",
                        help="also write the report as a static HTML page")
    report.add_argument("--lessons", type=Path, metavar="DIR", default=argparse.SUPPRESS,
                        help="the course the learners took (default: the built-in one)")


def run(args: argparse.Namespace) -> int:
    """Run `web` or `classroom`; returns the exit status."""
    if args.command == "web":
        return _web(args)
    return _report(args)


def _web(args: argparse.Namespace) -> int:
    try:
        from tutor.cli import web
    except ImportError as exc:
        print(f"tutor web needs textual-serve, which is not installed ({exc.name} is "
              "missing). Install it with:  pip install 'cookie-jwt-tutor[web]'",
              file=sys.stderr)
        return 2
    from tutor.cli.serve import ServeError

    folder = args.class_dir or default_class_folder()
    try:
        web.serve_web(folder, getattr(args, "lessons", None), args.host, args.port,
                      args.allow_remote, frozenset(args.allowed_host), sys.stdout)
    except ServeError as exc:
        print(f"tutor web: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def _report(args: argparse.Namespace) -> int:
    from tutor.classroom.render import report_html, report_text
    from tutor.classroom.report import build_report, read_class
    from tutor.lessons.course import default_course_dir, load_course
    from tutor.quiz.kinds import KINDS

    course = getattr(args, "lessons", None) or default_course_dir()
    lessons, errors = load_course(course, KINDS)
    if errors and not lessons:
        print(f"tutor classroom report: cannot read the course in {course}: {errors[0]}",
              file=sys.stderr)
        return 2
    paths = args.paths or [default_class_folder()]
    learners, skipped = read_class(paths)
    report = build_report(learners, lessons, skipped)
    sys.stdout.write(report_text(report))
    if args.html is not None:
        from tutor.progress_store import write_atomically

        try:
            write_atomically(args.html, report_html(report))
        except OSError as exc:
            print(f"tutor classroom report: cannot write {args.html}: "
                  f"{exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"HTML report written to {args.html}")
    return 0
