"""Progress is saved atomically, survives a round trip, and a bad file never crashes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.progress import Progress, ProgressStore, data_dir


def test_round_trip(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    progress = Progress()
    progress.lesson("cookie-jar").status = "done"
    progress.lesson("jwt-bearer").step = 3
    progress.last_lesson = "jwt-bearer"
    progress.settings.theme = "nord"
    store.save(progress)
    loaded = ProgressStore(tmp_path / "progress.json").load()
    assert loaded == progress
    assert [p.name for p in tmp_path.iterdir()] == ["progress.json"]  # no temp files left


def test_missing_file_is_a_fresh_start(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "none" / "progress.json")
    assert store.load() == Progress()
    assert store.notice is None


@pytest.mark.parametrize("content", [
    b"{not json", b"\xff\xfe\x00", b"[]", b'{"version": 99, "lessons": {}}',
    b'{"version": 1, "lessons": {"a": {"status": "weird"}}}',
    b'{"version": 1, "lessons": {"a": {"bogus": 1}}}',
])
def test_bad_file_is_set_aside_with_a_notice(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "progress.json"
    path.write_bytes(content)
    store = ProgressStore(path)
    assert store.load() == Progress()
    assert store.notice and "could not be used" in store.notice
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("progress.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes() == content
    assert not path.exists()


def test_newer_version_says_so(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text(json.dumps({"version": 3}))
    store = ProgressStore(path)
    store.load()
    assert store.notice and "newer tutor" in store.notice


def test_reset_keeps_a_backup(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    store.save(Progress(last_lesson="x"))
    backup = store.reset()
    assert backup is not None and backup.exists()
    assert store.load() == Progress()
    assert ProgressStore(tmp_path / "other.json").reset() is None


def test_data_dir_honours_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> (
    None
):
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
