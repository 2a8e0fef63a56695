"""The `tutor` command line. Heavy imports wait until a subcommand needs them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tutor import __version__
from tutor.cli import classroom as cli_classroom
from tutor.cli import har as cli_har
from tutor.cli import jwt as cli_jwt
from tutor.cli import quiz as cli_quiz
from tutor.cli import watch as cli_watch
from tutor.cli.lazy import LazyChoices, Parser
from tutor.served import DEFAULT_PORT

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SERVE_LEEWAY = 30
"""`tutor serve`'s default clock-skew leeway, in seconds. Scenes use none (one simulated
clock); a real server's clients and peers run on other machines' clocks, and RFC 7519
§4.1.4 allows "some small leeway, usually no more than a few minutes"."""


def _mode_names() -> list[str]:
    # Imported when help is shown or `--mode` is checked: `tutor lessons` needs neither.
    from tutor.server.modes import mode_names

    return mode_names()


def _algorithms() -> Sequence[str]:
    from tutor.server.config import ALGORITHMS

    return ALGORITHMS


def serve_hint() -> str:
    """The epilog of `tutor --help`: how to start the server, and its modes."""
    return ("Start the mock auth server for curl or a browser with:  tutor serve --mode jwt\n"
            f"(modes: {', '.join(_mode_names())}).")


def _weakness_help() -> str:
    from tutor.server.weaknesses import WEAKNESSES

    lines = [f"  {w.name}: {w.description}" for w in WEAKNESSES.values()]
    return "deliberate weaknesses for --vulnerable NAME:\n" + "\n".join(lines)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser for every subcommand; with `only` (the command line's first
    word) set to `inspect` or `replay`, the parser for just those: the same help and
    errors for them, without building fifteen others (a tenth of `tutor inspect`'s start)."""
    parser = Parser(
        prog="tutor",
        description="Learn how web login really works: session cookies versus JWTs.",
        epilog_of=serve_hint,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tutor {__version__}")
    parser.add_argument("--lessons", type=Path, metavar="DIR",
                        help="use the course in DIR instead of the built-in one")
    parser.add_argument("--reset", action="store_true",
                        help="forget all progress (the old file is kept as a backup)")
    # Accepted after the subcommand too (`tutor play X --lessons DIR`).
    course = Parser(add_help=False)
    course.add_argument("--lessons", type=Path, metavar="DIR", default=argparse.SUPPRESS,
                        help="use the course in DIR instead of the built-in one")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    if only in cli_har.COMMANDS:
        cli_har.add_commands(commands)
        return parser

    commands.add_parser("lessons", help="list the course: id, title, minutes, level",
                        description="List the course, one lesson per line, tab-separated.",
                        parents=[course])
    lint = commands.add_parser(
        "lint", help="check lesson files and run every scene",
        description="Validate lesson files or folders (default: the course) and run their "
        "scenes. Prints path:line:col: message per error; exit 1 when there are errors.",
        parents=[course],
    )
    lint.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    lint.add_argument("--no-run", action="store_true", help="skip running the scenes")
    play = commands.add_parser("play", help="play a lesson", parents=[course],
                               description="Open a lesson in the player, or with --plain "
                               "print it as a text transcript.")
    play.add_argument("lesson_id", metavar="LESSON_ID")
    play.add_argument("--plain", action="store_true",
                      help="a linear text transcript for screen readers, pipes and CI")

    serve = commands.add_parser(
        "serve",
        help="run the mock auth server on a loopback port",
        description="Run the mock auth server for curl and real browsers.",
        epilog_of=_weakness_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # A metavar, because argparse lists the choices while adding an argument without one;
    # `%(choices)s` lists them only when help is shown.
    serve.add_argument("--mode", choices=LazyChoices(_mode_names), default="cookie",
                       metavar="MODE", help="%(choices)s (default: %(default)s)")
    serve.add_argument("--alg", choices=LazyChoices(_algorithms), default="HS256",
                       metavar="ALG", help="JWT signing algorithm (jwt mode): %(choices)s")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT,
                       help="port (0 picks a free one)")
    serve.add_argument("--allow-remote", action="store_true",
                       help="allow a non-loopback --host (other machines can then log in)")
    serve.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                       help="also answer requests whose Host is NAME (repeatable; others "
                       "get 421, against DNS rebinding; '*' allows any)")
    serve.add_argument("--scrypt-cost", type=int, default=None, metavar="N",
                       help="scrypt cost for the demo passwords: a power of two up to 2^17 "
                       "(default 2^17, OWASP's minimum; lower it only to test)")
    serve.add_argument("--denylist", action="store_true",
                       help="jwt mode: refuse logged-out tokens until they expire")
    serve.add_argument("--dpop", action="store_true",
                       help="jwt mode: bind tokens to the client's key; every request needs a "
                       "DPoP proof (RFC 9449)")
    serve.add_argument("--leeway", type=int, default=SERVE_LEEWAY, metavar="SECONDS",
                       help="clock-skew leeway for exp, nbf, iat and DPoP proofs "
                       "(default: %(default)s; 0 to 300)")
    serve.add_argument("--vulnerable", action="append", default=[], metavar="NAME",
                       help="switch on a deliberate weakness (repeatable; names below)")
    serve.add_argument("--https", action="store_true",
                       help="serve over TLS with a self-signed certificate for localhost, "
                       "made on first use and kept in the data directory's tls/ folder "
                       "(never added to a trust store; its fingerprint is printed), so real "
                       "browsers keep the Secure __Host- cookies")
    serve.add_argument("--quiet", action="store_true",
                       help="no access log (by default one line per request: method, path, "
                       "status and which credential came, values redacted)")
    cli_quiz.add_commands(commands)
    cli_har.add_commands(commands)
    cli_classroom.add_commands(commands)
    cli_watch.add_command(commands)
    cli_jwt.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (`tutor play ... | head`): stop quietly, as cat would.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _main(argv: Sequence[str] | None) -> int:
    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(words[0] if words else None)
    args = parser.parse_args(argv)
    if _opens_tui(args) or args.command == "serve":
        return _run(args)
    # Every plain command's output goes through VisibleWriter: whatever it prints from a
    # lesson, a HAR or a progress file shows its control characters instead of obeying
    # them, even a line that forgot to call visible().
    from contextlib import redirect_stderr, redirect_stdout

    from tutor.visible import VisibleWriter

    with (redirect_stdout(VisibleWriter(sys.stdout)),  # type: ignore[type-var]
          redirect_stderr(VisibleWriter(sys.stderr))):  # type: ignore[type-var]
        return _run(args)


def _opens_tui(args: argparse.Namespace) -> bool:
    """Whether the command opens the interactive tutor (which draws with escapes)."""
    if args.command is None:
        return True
    if args.command in ("play", "quiz"):
        return not args.plain
    if args.command == "replay":
        return not (args.plain or args.against_mock)
    return False


def _run(args: argparse.Namespace) -> int:
    if args.command in cli_quiz.COMMANDS:
        return cli_quiz.run(args)
    if args.command == "serve":
        return _serve(args)
    if args.command in cli_har.COMMANDS:
        return cli_har.run(args)
    if args.command in cli_classroom.COMMANDS:
        return cli_classroom.run(args)
    if args.command == cli_watch.COMMAND:
        return cli_watch.run(args)
    if args.command in cli_jwt.COMMANDS:
        return cli_jwt.run(args)
    if args.command == "lessons":
        return _lessons(args)
    if args.command == "lint":
        return _lint(args)
    if args.command == "play":
        return _play(args)
    if args.reset:
        return _reset()
    return run_tui(args)


def _reset() -> int:
    from tutor.progress_store import ProgressStore

    store = ProgressStore()
    backup = store.reset()
    if backup is None:
        print("No progress to reset.")
    else:
        print(f"Progress reset. The old progress is kept at {backup}")
    return 0


def _has_a_screen() -> bool:
    """A terminal on both ends, or a Textual driver that brings its own screen (a browser
    tab under `tutor web`, which talks to the app over pipes)."""
    import os

    if os.environ.get("TEXTUAL_DRIVER"):
        return True
    return sys.stdout.isatty() and sys.stdin.isatty()


def run_tui(args: argparse.Namespace, lesson_id: str | None = None,
            quiz: tuple[list[str], int | None] | None = None,
            replay: tuple[Any, str] | None = None, watch: Any = None) -> int:
    """Open the interactive tutor: the catalogue, or a lesson, a quiz (lesson ids, seed),
    a HAR replay (its analysis and file name), or a live watch (`tutor watch`)."""
    if not _has_a_screen():
        print("tutor: the interactive tutor needs a terminal. For text, use:\n"
              "  tutor lessons                 list the course\n"
              "  tutor play LESSON_ID --plain  a lesson as a transcript\n"
              "  tutor quiz [LESSON_ID] --plain  a quiz, answers read from standard input\n"
              "  tutor replay FILE.har --plain   a recorded session, explained\n"
              "  tutor watch URL --plain         a live browser session, explained",
              file=sys.stderr)
        return 2
    from tutor.progress_store import ProgressStore
    from tutor.ui.app import build_app
    from tutor.ui.config import AppConfig, config_path, load_keymap

    folder = _course_dir(args)
    if not folder.is_dir():
        print(f"tutor: no course at {folder}", file=sys.stderr)
        return 2
    keymap, problems = load_keymap(config_path())
    config = AppConfig(course_dir=folder, progress=ProgressStore(), keymap=keymap,
                       open_lesson=lesson_id, open_quiz=quiz, open_replay=replay,
                       open_watch=watch, notices=problems)
    build_app(config).run()
    return 0


def _serve(args: argparse.Namespace) -> int:
    from tutor.cli.serve import SERVE_SCRYPT_COST, ServeError, serve
    from tutor.server.config import ConfigError, ServerConfig

    try:
        config = ServerConfig.from_mapping({
            "mode": args.mode,
            "algorithm": args.alg,
            "denylist": args.denylist,
            "dpop": args.dpop,
            "clock_skew_leeway": args.leeway,
            "scrypt_cost": _serve_scrypt_cost(args.scrypt_cost, SERVE_SCRYPT_COST),
            "vulnerabilities": list(args.vulnerable),
        })
        serve(config, args.host, args.port, args.allow_remote, sys.stdout,
              tuple(args.allowed_host), https=args.https, quiet=args.quiet)
    except (ConfigError, ServeError) as exc:
        print(f"tutor serve: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


def _serve_scrypt_cost(asked: int | None, default: int) -> int:
    from tutor.server.config import ConfigError

    if asked is None:
        return default
    # scrypt needs a little over 128 * r * n bytes; 2^17 is the most its 256 MiB bound allows.
    if not 2 <= asked <= 2**17 or asked & (asked - 1):
        raise ConfigError(f"--scrypt-cost {asked}: must be a power of two from 2 to 131072")
    return asked


def _course_dir(args: argparse.Namespace) -> Path:
    from tutor.lessons.course import default_course_dir

    folder: Path = args.lessons or default_course_dir()
    return folder


def _lessons(args: argparse.Namespace) -> int:
    from tutor.lessons.catalogue_cache import CACHE_FILE
    from tutor.lessons.course import read_catalogue
    from tutor.progress_store import data_dir

    folder = _course_dir(args)
    if not folder.is_dir():
        print(f"tutor lessons: {folder}: no such folder", file=sys.stderr)
        return 2
    catalogue = read_catalogue(folder, cache=data_dir() / CACHE_FILE)
    for meta in catalogue.lessons:
        print(f"{meta.id}\t{meta.title}\t{meta.minutes}\t{meta.level}")
    for error in catalogue.errors:
        print(error, file=sys.stderr)
    return 1 if catalogue.errors else 0


def _lint(args: argparse.Namespace) -> int:
    from tutor.lessons.lint import lint_paths
    from tutor.quiz.kinds import KINDS

    paths = list(args.paths) or [_course_dir(args)]
    errors = lint_paths(paths, KINDS, run_scenes=not args.no_run)
    for error in errors:
        print(error)
    if errors:
        from tutor.plural import plural

        print(plural(len(errors), "error"), file=sys.stderr)
        return 1
    return 0


def _play(args: argparse.Namespace) -> int:
    import asyncio

    from tutor.lessons.course import find_lesson, read_catalogue
    from tutor.lessons.transcript import write_transcript
    from tutor.quiz.kinds import KINDS

    folder = _course_dir(args)
    lesson, errors = find_lesson(folder, args.lesson_id, KINDS)
    if lesson is None:
        for error in errors:
            print(error, file=sys.stderr)
        if not errors:
            known = ", ".join(m.id for m in read_catalogue(folder).lessons)
            print(f"tutor play: no lesson {args.lesson_id!r}; lessons: {known}",
                  file=sys.stderr)
        return 2
    if not args.plain:
        return run_tui(args, lesson.meta.id)
    passed = asyncio.run(write_transcript(lesson, sys.stdout))
    return 0 if passed else 1
