"""A save never overwrites a progress file that changed on disk since it was read."""

from __future__ import annotations

import json
from pathlib import Path

from tutor.progress import Progress, QuestionProgress
from tutor.progress_store import ProgressStore
from tutor.progress_transfer import export_progress, import_progress


def test_an_import_while_another_store_is_open_is_merged_not_overwritten(
    tmp_path: Path,
) -> None:
    path = tmp_path / "progress.json"
    tui = ProgressStore(path)
    progress = tui.load()  # the TUI starts: no file yet
    progress.lesson("session-cookies").status = "done"
    assert tui.save(progress) == []
    # Meanwhile `tutor progress --import` brings in another machine's lesson.
    other = Progress()
    other.lesson("jwt-bearer").status = "in_progress"
    other.quiz["jwt-bearer/bearer-header"] = QuestionProgress(attempts=1, times_asked=1)
    export_progress(other, tmp_path / "other.json")
    import_progress(ProgressStore(path), tmp_path / "other.json")
    # The TUI's next save: before, it wrote its own copy and the import was gone.
    progress.lesson("cookie-jar").opened()
    told = tui.save(progress)
    assert told and "changed on disk" in told[0] and "merged" in told[0]
    saved = ProgressStore(path).load()
    assert saved.status("jwt-bearer") == "in_progress"
    assert "jwt-bearer/bearer-header" in saved.quiz
    assert saved.status("session-cookies") == "done"
    assert saved.status("cookie-jar") == "in_progress"
    assert progress.status("jwt-bearer") == "in_progress", "merged into the TUI's copy too"
    assert tui.save(progress) == [], "its own last write is no change on disk"


def test_an_unreadable_change_on_disk_is_kept_as_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    progress = store.load()
    store.save(progress)
    path.write_text("{ not json", encoding="utf-8")
    progress.lesson("cookie-jar").opened()
    told = store.save(progress)
    assert told and "kept as" in told[0]
    backups = list(tmp_path.glob("progress.conflict-*.json"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == "{ not json"
    assert json.loads(path.read_text(encoding="utf-8"))["lessons"]["cookie-jar"]


def test_a_reset_by_this_store_is_no_conflict(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    progress = store.load()
    progress.lesson("cookie-jar").opened()
    store.save(progress)
    store.reset()
    assert store.save(Progress()) == []
