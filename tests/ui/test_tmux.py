"""The installed `tutor` in a real terminal (tmux), driven as a person would."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.readiness import HANG_BOUND

TMUX = shutil.which("tmux")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]
TUTOR = str(Path(sys.executable).with_name("tutor"))
# After the tutor exits, its pane stays for the test to read EXITED-n (kill-session ends it).
KEEP_PANE = int(HANG_BOUND)


def _tmux(*args: str) -> str:
    assert TMUX is not None
    return subprocess.run([TMUX, *args], capture_output=True, text=True, check=True,
                          timeout=HANG_BOUND).stdout


def _wait_for(predicate: Callable[[str], bool], session: str) -> str:
    """Poll the pane until `predicate` holds; returns that capture. Fails only on a hang."""
    deadline = time.monotonic() + HANG_BOUND
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if predicate(screen):
            return screen
        time.sleep(0.2)  # waiting for a real process; not a test of timing
    raise AssertionError(f"the screen never got there in {HANG_BOUND:.0f}s (a hang); "
                         f"it was:\n{screen}")


def test_catalogue_player_and_quit_in_tmux(tmp_path: Path) -> None:
    session = f"tutor-test-{time.monotonic_ns()}"
    # Unset COLUMNS/LINES: the test runner may export them, and Textual would believe them.
    env = (f"-u COLUMNS -u LINES TUTOR_DATA_DIR={tmp_path} "
           f"TUTOR_CONFIG={tmp_path / 'none.toml'} TERM=xterm-256color")
    _tmux("new-session", "-d", "-s", session, "-x", "140", "-y", "40",
          f"env {env} {TUTOR}; echo EXITED-$?; sleep {KEEP_PANE}")
    try:
        # A detached session may start at tmux's default size; make it wide enough for
        # the lesson and the stage side by side.
        _tmux("resize-window", "-t", session, "-x", "140", "-y", "40")
        _wait_for(lambda s: "The course" in s and "Why log in" in s, session)
        _tmux("send-keys", "-t", session, "Enter")
        _wait_for(lambda s: "Scene 1" in s and "step 0 of" in s, session)
        _tmux("send-keys", "-t", session, "n")
        _wait_for(lambda s: "step 1 of" in s, session)
        _tmux("send-keys", "-t", session, "q")
        _wait_for(lambda s: "The course" in s, session)
        _tmux("send-keys", "-t", session, "q")
        _wait_for(lambda s: "EXITED-0" in s, session)
        assert (tmp_path / "progress.json").exists()
    finally:
        _tmux("kill-session", "-t", session)


def test_a_quiz_and_a_live_shrink_in_tmux(tmp_path: Path) -> None:
    """`tutor quiz LESSON` opens the quiz screen; typing a status code grades it against the
    live scene; shrinking the real terminal shows the size notice, growing removes it."""
    session = f"tutor-quiz-{time.monotonic_ns()}"
    env = (f"-u COLUMNS -u LINES TUTOR_DATA_DIR={tmp_path} "
           f"TUTOR_CONFIG={tmp_path / 'none.toml'} TERM=xterm-256color")
    _tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "36",
          f"env {env} {TUTOR} quiz http-is-stateless; echo EXITED-$?; sleep {KEEP_PANE}")
    try:
        _tmux("resize-window", "-t", session, "-x", "120", "-y", "36")
        _wait_for(lambda s: "Question 1 of" in s, session)
        # Skip to the first predict question (typed answers), then answer it.
        for _ in range(10):
            screen = _tmux("capture-pane", "-p", "-t", session)
            if "predict the response" in screen:
                break
            _tmux("send-keys", "-t", session, "s")
            _wait_for(lambda s: "press n" in s, session)
            _tmux("send-keys", "-t", session, "n")
            _wait_for(lambda s: "press n" not in s, session)
        _wait_for(lambda s: "predict the response" in s, session)
        _tmux("send-keys", "-t", session, "401", "Enter")
        _wait_for(lambda s: ("Right" in s or "Not right" in s), session)
        _tmux("resize-window", "-t", session, "-x", "40", "-y", "10")
        _wait_for(lambda s: "needs at least" in s, session)
        _tmux("resize-window", "-t", session, "-x", "120", "-y", "36")
        _wait_for(lambda s: "predict the response" in s, session)
        # The quiz is what `tutor quiz` opened: leaving it quits (the catalogue was a
        # detour the learner never asked for).
        _tmux("send-keys", "-t", session, "Escape")
        _wait_for(lambda s: "EXITED-0" in s, session)
    finally:
        _tmux("kill-session", "-t", session)
