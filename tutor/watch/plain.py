"""`tutor watch --plain`: print each event as it happens, save the HAR at the end."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any, TextIO

from tutor.har.folder import har_folder, unique_path
from tutor.watch.driver import WatchError, WatchOptions, run_watch
from tutor.watch.session import WatchEvent, WatchSession
from tutor.watch.text import event_lines


def save_session(session: WatchSession, destination: Path | None, *, redact: bool,
                 folder: bool = False) -> Path:
    """Write the session as HAR: to the file `destination`, or into it when it is a
    folder (`folder`, or an existing one), else into `har_folder()`. Returns the path
    written; raises OSError."""
    stem = "tutor-watch" + ("-redacted" if redact else "")
    if destination is None or folder or destination.is_dir():
        into = destination if destination is not None else har_folder()
        into.mkdir(parents=True, exist_ok=True)
        path = unique_path(into, stem)
    else:
        path = destination
    path.write_text(session.har(redact=redact), encoding="utf-8")
    return path.resolve()


async def watch_plain(options: WatchOptions, out: TextIO, err: TextIO, *,
                      stop: asyncio.Event | None = None) -> int:
    """Watch until Ctrl+C (or `stop`), printing each event; 2 when the browser cannot
    start. With `options.record`, the HAR is saved at the end."""
    session = WatchSession(options.target)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[tuple[signal.Signals, Any]] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)
        try:
            loop.add_signal_handler(sig, stop.set)
            handled.append((sig, previous))
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread, or a platform without signal handlers

    def emit(event: WatchEvent) -> None:
        for line in event_lines(event):
            print(line, file=out, flush=True)

    try:
        await run_watch(session, options, emit, stop)
    except WatchError as exc:
        print(f"tutor watch: {exc}", file=err)
        return 2
    finally:
        for sig, previous in handled:
            loop.remove_signal_handler(sig)
            # asyncio would leave Python's default behind, not what was there before
            # (a test runner's worker may ignore SIGINT on purpose).
            signal.signal(sig, previous)
    if options.record:
        redact = options.redact
        try:
            path = save_session(session, options.har, redact=redact)
        except OSError as exc:
            print(f"tutor watch: could not save the HAR file: {exc}", file=err)
            return 1
        secrets = "credential values redacted" if redact else (
            "it holds this session's credentials: keep it private")
        print(f"Saved {len(session.entries)} exchanges to {path} ({secrets}).", file=out,
              flush=True)
    return 0
