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
