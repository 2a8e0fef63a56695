"""`tutor watch` on the command line: help, and bad input refused with exit 2 before
any browser starts."""

from __future__ import annotations

import asyncio
import importlib.util
import io
from pathlib import Path

import pytest

from tutor.cli.main import main
from tutor.watch.driver import WatchOptions
from tutor.watch.plain import watch_plain
from tutor.watch.target import parse_target


def test_help_explains_the_command_the_extra_and_the_origin_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["watch", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for words in ("--headless", "--plain", "--allow-origin", "--har",
                  "pip install 'cookie-jwt-tutor[browser]'", "blocked"):
        assert words in out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "watch" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "words"), [
    (["watch", "not a url"], "is not an http(s) URL"),
    (["watch", "https://example.com/"], "--allow-origin https://example.com"),
    (["watch", "http://127.0.0.1:8000/", "--allow-origin", "cdn.test"],
     "give an origin such as"),
    (["watch", "http://127.0.0.1:8000/", "--har", "/no/such/folder/x.har"], "no folder"),
])
def test_bad_input_is_refused_with_a_message_and_exit_2(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("tutor watch: ") and words in err and "Traceback" not in err


def test_without_the_extra_it_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    real = importlib.util.find_spec

    def without_playwright(name: str, *args: object) -> object:
        return None if name == "playwright" else real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", without_playwright)
    assert main(["watch", "http://127.0.0.1:8000/", "--plain"]) == 2
    assert "pip install 'cookie-jwt-tutor[browser]'" in capsys.readouterr().err


def test_a_missing_browser_is_named_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    monkeypatch.setenv("TUTOR_CHROMIUM", str(tmp_path / "no-chromium"))
    out, err = io.StringIO(), io.StringIO()
    options = WatchOptions(parse_target("http://127.0.0.1:9/"), headless=True)
    assert asyncio.run(watch_plain(options, out, err)) == 2
    assert "TUTOR_CHROMIUM" in err.getvalue() and "does not exist" in err.getvalue()


def test_a_window_without_a_display_says_to_use_headless(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    out, err = io.StringIO(), io.StringIO()
    options = WatchOptions(parse_target("http://127.0.0.1:9/"))
    assert asyncio.run(watch_plain(options, out, err)) == 2
    assert "no display" in err.getvalue() and "--headless" in err.getvalue()


def test_the_signal_handlers_in_place_before_are_put_back(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          ) -> None:
    import signal

    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    monkeypatch.setenv("TUTOR_CHROMIUM", str(tmp_path / "no-chromium"))
    before = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        options = WatchOptions(parse_target("http://127.0.0.1:9/"), headless=True)
        asyncio.run(watch_plain(options, io.StringIO(), io.StringIO()))
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
