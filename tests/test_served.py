"""A running `tutor serve` says where it listens; a stopped or damaged one says nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tutor import served


def _ended_pid() -> int:
    """The id of a process that has already ended."""
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                             capture_output=True, text=True, check=True)
    return int(process.stdout)


def test_a_published_address_is_read_back_until_withdrawn(tmp_path: Path) -> None:
    assert served.published_url(tmp_path) is None
    served.publish(tmp_path, "http://127.0.0.1:43210")
    assert served.published_url(tmp_path) == "http://127.0.0.1:43210"
    served.withdraw(tmp_path)
    assert served.published_url(tmp_path) is None
    assert not (tmp_path / served.ADDRESS_FILE).exists()


def test_the_last_server_started_wins_and_an_earlier_one_leaves_it_alone(
    tmp_path: Path,
) -> None:
    served.publish(tmp_path, "https://127.0.0.1:1111", pid=os.getpid())
    later = os.getppid()  # another process that is running
    served.publish(tmp_path, "http://127.0.0.1:2222", pid=later)
    served.withdraw(tmp_path, pid=os.getpid())  # the first one stops
    assert served.published_url(tmp_path) == "http://127.0.0.1:2222"


def test_a_server_that_stopped_without_withdrawing_is_not_aimed_at(tmp_path: Path) -> None:
    served.publish(tmp_path, "http://127.0.0.1:3333", pid=_ended_pid())
    assert served.published_url(tmp_path) is None


def test_damaged_or_foreign_files_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / served.ADDRESS_FILE
    mine = os.getpid()
    for content in [b"", b"{not json", b"[1, 2]", b"\xff\xfe",
                    json.dumps({"url": "file:///etc/passwd", "pid": mine}).encode(),
                    json.dumps({"url": 7, "pid": mine}).encode(),
                    json.dumps({"url": "http://127.0.0.1:1", "pid": "1"}).encode(),
                    json.dumps({"url": "http://127.0.0.1:1", "pid": True}).encode(),
                    json.dumps({"url": "http://127.0.0.1:1", "pid": -4}).encode(),
                    json.dumps({"url": "http://127.0.0.1:1", "pid": mine,
                                "pad": "x" * served.MAX_ADDRESS_BYTES}).encode()]:
        path.write_bytes(content)
        assert served.published_url(tmp_path) is None, content[:60]
    path.unlink()
    path.mkdir()  # a folder where the file should be
    assert served.published_url(tmp_path) is None


def test_the_cookie_names_come_back_and_f6_names_the_cookies_by_them(tmp_path: Path) -> None:
    """A naive double-submit server over https keeps `csrf` plain: f6's curl command must
    send it so, where the scheme alone would say `__Host-csrf`."""
    from tutor.repeater.curl import for_serve
    from tutor.repeater.draft import RequestDraft

    names = {"jwt": "__Host-jwt", "csrf": "csrf"}
    served.publish(tmp_path, "https://127.0.0.1:8443", cookie_names=names)
    server = served.published(tmp_path)
    assert server == served.PublishedServer("https://127.0.0.1:8443", names)
    draft = RequestDraft("POST", "/logout", (), (("jwt", "t"), ("__Host-csrf", "c"),
                                                 ("theme", "dark")))
    assert for_serve(draft, server.url, server.cookie_names).cookies == (
        ("__Host-jwt", "t"), ("csrf", "c"), ("theme", "dark"))
    assert for_serve(draft, server.url).cookies[1] == ("__Host-csrf", "c")  # unpublished


def test_cookie_names_that_are_not_strings_are_left_out(tmp_path: Path) -> None:
    (tmp_path / served.ADDRESS_FILE).write_text(json.dumps(
        {"url": "http://127.0.0.1:1", "pid": os.getpid(), "cookie_names": {"sid": 3}}))
    assert served.published(tmp_path) == served.PublishedServer("http://127.0.0.1:1", {})
