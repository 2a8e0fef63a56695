"""Progress is saved atomically, survives a round trip, and a bad file never crashes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.progress import LessonProgress, Progress
from tutor.progress_store import ProgressStore, data_dir


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


def test_opening_a_lesson_starts_it_and_nothing_more() -> None:
    fresh = LessonProgress()
    fresh.opened()
    assert fresh.status == "in_progress"
    finished = LessonProgress(status="done")
    finished.opened()
    assert finished.status == "done", "reopening a finished lesson keeps it done"


def test_a_lesson_is_done_at_the_end_of_its_last_scene_and_stays_done() -> None:
    scenes = ["intro", "attack"]
    entry = LessonProgress()
    entry.reached(scenes, 0, 3, scene_at_end=True)
    assert (entry.status, entry.scene, entry.step) == ("in_progress", "intro", 3)
    entry.reached(scenes, 1, 1, scene_at_end=False)
    assert entry.status == "in_progress"
    entry.reached(scenes, 1, 4, scene_at_end=True)
    assert (entry.status, entry.step) == ("done", 4)
    entry.reached(scenes, 0, 0, scene_at_end=False)  # back to the start to replay it
    assert (entry.status, entry.scene, entry.step) == ("done", "intro", 0)


def test_a_lesson_resumes_where_it_was_left_unless_that_scene_is_gone() -> None:
    entry = LessonProgress(scene="attack", step=2)
    assert entry.resume_point(["intro", "attack"]) == (1, 2)
    assert entry.resume_point(["intro", "defence"]) == (0, 0)
    assert LessonProgress().resume_point(["intro"]) == (0, 0)
