"""`tutor inspect` and `tutor replay`: the HAR subcommands (registered by tutor.cli.main).

Exit statuses: 0 done, 1 (`replay --against-mock` only) some statuses differ, 2 the
file could not be read or the command needs what is not there (a terminal).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tutor.cli.lazy import LazyChoices

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

COMMANDS = frozenset({"inspect", "replay"})


def _mode_names() -> list[str]:
    # Imported when `--mode` is checked or shown, not whenever the CLI starts.
    from tutor.server.modes import mode_names

    return mode_names()


def add_commands(commands: Any) -> None:
    """Add `inspect` and `replay` to the CLI's subparsers."""
    inspect = commands.add_parser(
        "inspect", help="analyse a HAR file: credentials, login steps, findings",
        description="Read a HAR file saved by a browser or tool and show every credential "
        "sent or set, the login steps and what to notice. Nothing leaves this machine.")
    inspect.add_argument("har", type=Path, metavar="FILE.har",
                         help="the recording (- reads standard input)")
    inspect.add_argument("--json", action="store_true",
                         help="machine-readable output (schema in docs/har-inspect.md)")
    replay = commands.add_parser(
        "replay", help="step through a HAR file's exchanges",
        description="Replay a HAR recording: in the TUI, as a transcript (--plain), or "
        "re-sent to the in-process mock server (--against-mock).")
    replay.add_argument("har", type=Path, metavar="FILE.har",
                        help="the recording (- reads standard input, with --plain or "
                        "--against-mock)")
    replay.add_argument("--plain", action="store_true",
                        help="print the timeline as a text transcript")
    replay.add_argument("--against-mock", action="store_true",
                        help="re-send each request to the mock server and compare statuses")
    replay.add_argument("--mode", choices=LazyChoices(_mode_names), default=None,
                        metavar="MODE", help="mock server mode for --against-mock: "
                        "%(choices)s (default: guessed)")


def run(args: argparse.Namespace) -> int:
    """Run `inspect` or `replay`; returns the exit status."""
    from tutor.har import reader
    from tutor.har.analysis import analyse
    from tutor.har.model import HarError

    try:
        if args.command == "inspect":
            return _inspect(args)
        # The replay screens need every entry at once, so replay reads the whole file
        # and refuses one too big for that, pointing to inspect, which streams.
        har = reader.read_har(args.har, reader.MAX_HAR_BYTES, too_big="tutor replay holds a "
                              f"whole recording in memory; `tutor inspect {args.har}` reads "
                              "a file of any size")
    except HarError as exc:
        print(f"tutor {args.command}: {args.har}: {exc}" if exc.where != str(args.har)
              else f"tutor {args.command}: {exc}", file=sys.stderr)
        return 2
    analysis = analyse(har)
    if args.against_mock:
        return _against_mock(args, analysis)
    if args.plain:
        from tutor.har.render import replay_text

        print(replay_text(analysis))
        return 0
    return _run_replay_tui(args, analysis)


def _inspect(args: argparse.Namespace) -> int:
    """Stream the file into its report (compact JSON: the indented encoder is pure
    Python and slow on big recordings)."""
    from tutor.har.inspect import inspect_file

    inspect_file(args.har, sys.stdout, as_json=args.json)
    return 0


def _against_mock(args: argparse.Namespace, analysis: Any) -> int:
    import asyncio

    from tutor.har.replay import guess_mode, replay_against_mock, replay_report

    mode = args.mode or guess_mode(analysis)
    print(f"Replaying against the mock server in {mode} mode (no network).")
    results = asyncio.run(replay_against_mock(analysis, mode))
    print(replay_report(results))
    return 1 if any(r.differs for r in results) else 0


def _run_replay_tui(args: argparse.Namespace, analysis: Any) -> int:
    """The interactive replay: the tutor opens on the recording's timeline."""
    from tutor.cli.main import run_tui

    return run_tui(args, replay=(analysis, args.har.name))
