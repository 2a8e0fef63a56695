"""`tutor watch URL`: a real Chromium on the learner's own site, explained live
(registered by tutor.cli.main; the core is tutor.watch).

Exit statuses: 0 done, 1 the HAR could not be saved, 2 bad input or nothing to run
with (no Playwright extra, no browser, no terminal for the TUI).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

COMMAND = "watch"
EPILOG = """\
Only loopback and the URL's own origin may be reached: requests anywhere else are
blocked in the browser unless you name their origin with --allow-origin.
Needs the browser extra:  pip install 'cookie-jwt-tutor[browser]'
and a Chromium (the system's, e.g. apt-get install chromium, or `playwright install
chromium`; TUTOR_CHROMIUM=/path names one). HAR files go to $TUTOR_HAR_DIR, else your
Downloads folder, else tutor's data folder, unless --har names a path.

examples:
  tutor serve --mode jwt &  tutor watch http://127.0.0.1:8000/
  tutor watch http://localhost:3000/ --har --plain
"""


def add_command(commands: Any) -> None:
    """Add `watch` to the CLI's subparsers."""
    watch = commands.add_parser(
        COMMAND, help="open a real browser on your own site and explain its login live",
        description="Open Chromium on URL and show, as they happen, the login steps, the "
        "cookies and tokens with their attributes, storage writes and the findings of "
        "the HAR analysis, while you log in and click.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    watch.add_argument("url", metavar="URL", help="the page to open, e.g. "
                       "http://127.0.0.1:8000/ (a loopback address unless --allow-origin)")
    watch.add_argument("--headless", action="store_true",
                       help="no browser window (for tests and scripts)")
    watch.add_argument("--plain", action="store_true",
                       help="print each event as a line of text instead of the TUI")
    watch.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                       help="let the browser reach ORIGIN too (repeatable; '*' for any)")
    watch.add_argument("--har", nargs="?", const="", default=None, metavar="FILE",
                       help="record the session as HAR when the watch ends: to FILE, or "
                       "with no FILE into the HAR folder (below)")
    watch.add_argument("--redact", action="store_true",
                       help="with --har: blank every credential value in the file")


def _har_destination(value: str | None) -> tuple[bool, Path | None, str | None]:
    """(record?, path or None for the HAR folder, error)."""
    if value is None:
        return False, None, None
    if value == "":
        return True, None, None
    path = Path(value).expanduser()
    if not path.is_dir() and not path.parent.is_dir():
        return True, None, f"--har {value}: no folder {path.parent}"
    return True, path, None


def run(args: argparse.Namespace) -> int:
    """Check the input, then watch in the TUI or as plain text."""
    from tutor.watch.target import TargetError, parse_target

    try:
        target = parse_target(args.url, args.allow_origin)
    except TargetError as exc:
        print(f"tutor watch: {exc}", file=sys.stderr)
        return 2
    record, har, problem = _har_destination(args.har)
    if problem:
        print(f"tutor watch: {problem}", file=sys.stderr)
        return 2
    from tutor.watch.driver import WatchOptions, missing_extra

    if reason := missing_extra():
        print(f"tutor watch: {reason}", file=sys.stderr)
        return 2
    options = WatchOptions(target, headless=args.headless, record=record, har=har,
                           redact=args.redact)
    if args.plain:
        import asyncio

        from tutor.watch.plain import watch_plain

        return asyncio.run(watch_plain(options, sys.stdout, sys.stderr))
    from tutor.cli.main import run_tui

    return run_tui(args, watch=options)
