"""HAR analysis is linear in its input: the work is counted (Python lines run in tutor's
code, characters the JWT scanner reads), at one size and at four times it; quadratic
work would grow sixteen times, linear four."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tutor
from tests.har.builders import entry, har_bytes, headers
from tutor import redaction
from tutor.har.analysis import Analyser
from tutor.har.reader import parse_har
from tutor.redaction import find_jwts

TUTOR = str(Path(tutor.__file__).parent)
GROWTH = 6.0
"""Allowed work ratio for four times the input: 4 plus slack for fixed costs."""


def lines_run(work: Callable[[], object]) -> int:
    """How many lines of tutor's own code `work` runs (a count of work, not a time)."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def global_(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename.startswith(TUTOR) else None

    sys.settrace(global_)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def _analyse(raw: bytes) -> Callable[[], object]:
    entries = parse_har(raw).entries

    def run() -> None:
        analyser = Analyser()
        for item in entries:
            analyser.visit(item)
    return run


def _many_cookies(n: int) -> bytes:
    """n cookies on distinct paths, each set by one response, then every request going to
    a path none of them matches: the old tracker rescanned every held cookie per entry."""
    return har_bytes(*[entry("GET", f"https://bank.test/q/{i}", 200,
                             request_headers=headers(accept="*/*"),
                             response_headers=headers(set_cookie=f"c{i}=v{i}; Path=/p/{i}"))
                       for i in range(n)])


def _ratio(make: Callable[[int], bytes], n: int) -> float:
    small, large = lines_run(_analyse(make(n))), lines_run(_analyse(make(4 * n)))
    return large / small


def test_the_dropped_cookie_tracker_is_linear_in_the_cookies_held() -> None:
    assert _ratio(_many_cookies, 150) < GROWTH


def _cookies_then_dropped(n: int) -> bytes:
    """Every cookie held, then each request on its path sends none: each is dropped once."""
    sets = [entry("GET", "https://bank.test/", 200, request_headers=headers(accept="*/*"),
                  response_headers=headers(set_cookie=f"s{i}=v; Path=/a/{i % 7}"))
            for i in range(n)]
    visits = [entry("GET", f"https://bank.test/a/{i % 7}/x", 200,
                    request_headers=headers(accept="*/*")) for i in range(n)]
    return har_bytes(*sets, *visits)


def test_dropping_held_cookies_is_linear_too() -> None:
    assert _ratio(_cookies_then_dropped, 100) < GROWTH


class _CountingRuns:
    """Stands in for the scanner's run pattern and counts the characters its runs cover."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.read = 0

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        for match in self.pattern.finditer(text):
            self.read += match.end() - match.start() + 1
            yield match


@pytest.mark.parametrize("unit", ["eyJ", "eyJaaaa.", "eyJaaaa.b", "eyJ-", "x.eyJ"])
def test_the_jwt_scanner_reads_each_character_a_bounded_number_of_times(
        unit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    counting = _CountingRuns(redaction._RUNS)
    monkeypatch.setattr(redaction, "_RUNS", counting)
    # One run-finding pattern, a single character class: it cannot backtrack.
    assert re.fullmatch(r"\[[^\]]+\]\+", counting.pattern.pattern)
    for size in (1_000, 4_000):
        text = unit * size
        counting.read = 0
        lines = lines_run(lambda t=text: find_jwts(t))  # type: ignore[misc]
        assert counting.read <= len(text) + 1
        assert lines <= 12 * len(text) // len(unit) + 50


def test_a_recording_full_of_eyj_is_analysed_in_linear_work() -> None:
    def make(n: int) -> bytes:
        text = "eyJ" * n
        return har_bytes(entry("POST", f"https://bank.test/?q={text}", 200, body=text,
                               mime="text/plain",
                               request_headers=headers(authorization=f"Bearer {text}")))
    assert _ratio(make, 2_000) < GROWTH


# The scanner finds what a regular expression free to backtrack would, minus the cost.
_REFERENCE = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\."
                        r"[A-Za-z0-9_-]*")


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet="eyJab.-_ =", max_size=60))
def test_the_scanner_agrees_with_the_reference_pattern(text: str) -> None:
    assert find_jwts(text) == _REFERENCE.findall(text)


_PATHS = st.lists(st.sampled_from(["a", "b", "", "ab"]), max_size=4).map(
    lambda parts: "/" + "/".join(parts))


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(cookies=st.lists(_PATHS, max_size=6), request=_PATHS)
def test_the_path_index_matches_exactly_what_path_matches_allows(
        cookies: list[str], request: str) -> None:
    from tutor.browser.cookie_parse import path_matches
    from tutor.har.findings import _CookiePaths

    index = _CookiePaths()
    for number, path in enumerate(cookies):
        index.add("bank.test", path, f"c{number}")
    expected = {f"c{n}" for n, path in enumerate(cookies) if path_matches(request, path)}
    assert set(index.matching("bank.test", request)) == expected
