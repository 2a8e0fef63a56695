"""Hostile progress files: loading sets every bad one aside with a notice and starts fresh,
importing refuses it with one TransferError; neither raises anything else, hangs or
reads more than the limit. Temporary files a kill left behind are cleaned up."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.long_run import examples
from tutor import progress_store
from tutor.cli import main
from tutor.progress import Progress
from tutor.progress_format import progress_document
from tutor.progress_store import ORPHAN_AGE, ProgressStore
from tutor.progress_transfer import TransferError, read_progress_file

HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(),
    st.just(10**4000), st.text(max_size=8), st.sampled_from(["\x1b[2J", "\ud800", "new"]),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.none(),
                                                         max_size=2))
FIELDS = ["version", "lessons", "last_lesson", "settings", "quiz", "review_sessions",
          "status", "step", "box", "due", "speed", "theme", "scene"]


@st.composite
def documents(draw: st.DrawFn) -> Any:
    """A progress document with some fields, at any level, replaced by hostile values."""
    document: dict[str, Any] = progress_document(Progress())
    document["lessons"] = {"l1": {"status": "done", "scene": "s", "step": 2,
                                  "hints_shown": 1}}
    document["quiz"] = {"l1/q": {"attempts": 1, "box": 2, "due": 3}}
    document["settings"] = {"theme": "dark", "reduced_motion": False, "speed": 1.5}
    for _ in range(draw(st.integers(1, 3))):
        place = draw(st.sampled_from([
            ("top",), ("lessons", "l1"), ("quiz", "l1/q"), ("settings",)]))
        target = document
        for key in place[1:]:
            target = target[key] if isinstance(target.get(key), dict) else target
        key = draw(st.one_of(st.sampled_from(FIELDS), st.text(max_size=4)))
        target[key] = draw(HOSTILE)
    return document


def _raw(document: Any) -> bytes:
    return json.dumps(document).encode("utf-8", "surrogatepass")


SETTINGS = settings(max_examples=examples(80), deadline=None, derandomize=True,
                    database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                          HealthCheck.too_slow])


@SETTINGS
@given(document=documents())
def test_a_hostile_progress_file_loads_or_is_set_aside(document: Any,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    raw = _raw(document)
    path.write_bytes(raw)
    store = ProgressStore(path)
    loaded = store.load()
    assert isinstance(loaded, Progress)
    if store.notice:
        assert not path.exists()  # set aside, never deleted
        assert any(p.name.startswith("progress.corrupt-") for p in tmp_path.iterdir())
    else:
        store.save(loaded)  # what loaded can be written back
    path.write_bytes(raw)
    try:
        read_progress_file(path)
    except TransferError as exc:
        assert str(exc).startswith(str(path))
    for leftover in tmp_path.iterdir():
        leftover.unlink()


@pytest.mark.parametrize("raw", [b"[" * 100_000 + b"]" * 100_000,
                                 b'{"settings": ' * 5000 + b"{}" + b"}" * 5000,
                                 b'{"review_sessions": 1' + b"0" * 5000 + b"}",
                                 b'{"version": 2, "settings": {"speed": NaN}}',
                                 b'{"version": 2, "settings": {"speed": Infinity}}',
                                 b'{"version": 2, "settings": {"speed": 1e400}}'])
def test_each_reported_bad_file_is_set_aside_and_refused_on_import(
        raw: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "progress.json"
    path.write_bytes(raw)
    store = ProgressStore(path)
    assert store.load() == Progress() and store.notice
    bad = tmp_path / "bad.json"
    bad.write_bytes(raw)
    with pytest.raises(TransferError):
        read_progress_file(bad)


def test_import_has_a_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(progress_store, "MAX_PROGRESS_BYTES", 1000)
    big = tmp_path / "big.json"
    document = progress_document(Progress())
    document["lessons"] = {f"l{i}": {"status": "done"} for i in range(200)}
    big.write_text(json.dumps(document))
    assert main(["progress", "--import", str(big)]) != 0
    err = capsys.readouterr().err
    assert "more than" in err and "Traceback" not in err


def test_a_fifo_or_device_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for source in (fifo, Path("/dev/zero")):
        with pytest.raises(TransferError, match="not a regular file"):
            read_progress_file(source)
    store = ProgressStore(fifo)
    assert store.load() == Progress() and store.notice


def test_temporary_files_orphaned_by_a_kill_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    old, fresh = tmp_path / ".progress-abc123", tmp_path / ".progress-def456"
    for orphan in (old, fresh):
        orphan.write_text("{half a fi")
    long_ago = time.time() - ORPHAN_AGE - 60
    os.utime(old, (long_ago, long_ago))
    ProgressStore(path).load()
    assert not old.exists()
    assert fresh.exists()  # perhaps another process's write in progress: left alone
