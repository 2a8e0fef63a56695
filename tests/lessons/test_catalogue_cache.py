"""The catalogue's front matter is remembered between runs, and never trusted over a file."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_startup_imports import loaded_after
from tutor.lessons import catalogue_cache
from tutor.lessons.catalogue_cache import CACHE_FILE, MAX_FOLDERS
from tutor.lessons.course import default_course_dir, read_catalogue

LESSON = """---
id: {id}
title: {title}
summary: A lesson for the cache.
order: {order}
level: beginner
minutes: 5
format_version: 1
---

# {title}
"""


def write(folder: Path, name: str, lesson_id: str, title: str, order: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(LESSON.format(id=lesson_id, title=title, order=order), encoding="utf-8")
    return path


def test_the_course_reads_the_same_with_and_without_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / CACHE_FILE
    plain = read_catalogue(default_course_dir())
    first = read_catalogue(default_course_dir(), cache=cache)  # fills it
    second = read_catalogue(default_course_dir(), cache=cache)  # reads from it
    assert plain == first == second
    assert cache.is_file()
    assert len(catalogue_cache.recall(cache, default_course_dir())) == len(plain.lessons)


def test_with_a_warm_cache_start_up_imports_no_yaml(tmp_path: Path) -> None:
    code = ("import os, sys\n"
            f"os.environ['TUTOR_DATA_DIR'] = {str(tmp_path)!r}\n"
            "from tutor.cli import main\n"
            "try:\n    main(['lessons'])\nexcept SystemExit:\n    pass\n")
    assert "yaml" in loaded_after(code)  # the first run reads the YAML and remembers it
    assert "yaml" not in loaded_after(code)
    assert "yaml" not in loaded_after(
        code.replace("main(['lessons'])", "from tutor.lessons.course import read_catalogue, "
                     "default_course_dir; read_catalogue(default_course_dir(), cache=__import__("
                     "'pathlib').Path(os.environ['TUTOR_DATA_DIR']) / 'catalogue.json')"))


def test_a_changed_file_is_read_again_even_at_the_same_size(tmp_path: Path) -> None:
    folder, cache = tmp_path / "course", tmp_path / CACHE_FILE
    path = write(folder, "a.md", "alpha", "First title")
    assert read_catalogue(folder, cache=cache).lessons[0].title == "First title"
    write(folder, "a.md", "alpha", "Other title")  # as long as the first
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000))
    assert read_catalogue(folder, cache=cache).lessons[0].title == "Other title"


def test_new_and_removed_files_are_noticed(tmp_path: Path) -> None:
    folder, cache = tmp_path / "course", tmp_path / CACHE_FILE
    write(folder, "a.md", "alpha", "A", order=1)
    read_catalogue(folder, cache=cache)
    write(folder, "b.md", "beta", "B", order=2)
    assert [m.id for m in read_catalogue(folder, cache=cache).lessons] == ["alpha", "beta"]
    (folder / "a.md").unlink()
    assert [m.id for m in read_catalogue(folder, cache=cache).lessons] == ["beta"]
    assert set(catalogue_cache.recall(cache, folder)) == {"b.md"}


def test_a_broken_lesson_is_never_remembered_so_its_errors_come_back(tmp_path: Path) -> None:
    folder, cache = tmp_path / "course", tmp_path / CACHE_FILE
    write(folder, "a.md", "alpha", "A")
    (folder / "b.md").write_text("---\nid: beta\ntitle: [unclosed\n---\n", encoding="utf-8")
    for _ in range(2):
        catalogue = read_catalogue(folder, cache=cache)
        assert [m.id for m in catalogue.lessons] == ["alpha"]
        assert [Path(e.path).name for e in catalogue.errors] == ["b.md"]
    assert set(catalogue_cache.recall(cache, folder)) == {"a.md"}


def test_the_path_is_the_files_own_whatever_was_remembered(tmp_path: Path) -> None:
    """A folder reached another way (a copy with the same stamps would be another key;
    here the same folder named relatively) gives the path the caller can open."""
    folder, cache = tmp_path / "course", tmp_path / CACHE_FILE
    write(folder, "a.md", "alpha", "A")
    read_catalogue(folder, cache=cache)
    relative = Path(os.path.relpath(folder))
    meta = read_catalogue(relative, cache=cache).lessons[0]
    assert meta.path == str(relative / "a.md")


@pytest.mark.parametrize("content", [
    b"", b"\x00\xff not json", b"[]", b'{"format": 99, "folders": {}}',
    b'{"format": 1, "folders": []}', b'{"format": 1, "folders": {"/x": 3}}',
])
def test_a_damaged_or_foreign_cache_is_read_as_empty(tmp_path: Path, content: bytes) -> None:
    folder, cache = tmp_path / "course", tmp_path / CACHE_FILE
    write(folder, "a.md", "alpha", "A")
    cache.write_bytes(content)
    assert [m.id for m in read_catalogue(folder, cache=cache).lessons] == ["alpha"]
    assert set(catalogue_cache.recall(cache, folder)) == {"a.md"}  # and written afresh


def test_a_tampered_entry_is_read_again_from_the_file(tmp_path: Path) -> None:
    folder, cache = tmp_path / "course", tmp_path / CACHE_FILE
    write(folder, "a.md", "alpha", "A")
    read_catalogue(folder, cache=cache)
    data = json.loads(cache.read_text(encoding="utf-8"))
    entry = data["folders"][str(folder.resolve())]["a.md"]
    for field, value in (("title", 5), ("requires", "not-a-list"), ("unknown", 1)):
        broken = json.loads(json.dumps(data))
        broken["folders"][str(folder.resolve())]["a.md"]["meta"] = {
            **entry["meta"], field: value}
        cache.write_text(json.dumps(broken), encoding="utf-8")
        assert catalogue_cache.recall(cache, folder) == {}, field
        assert read_catalogue(folder, cache=cache).lessons[0].title == "A"


def test_an_unwritable_cache_costs_nothing_but_the_saving(tmp_path: Path) -> None:
    folder = tmp_path / "course"
    write(folder, "a.md", "alpha", "A")
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("", encoding="utf-8")
    catalogue = read_catalogue(folder, cache=blocked / CACHE_FILE)
    assert [m.id for m in catalogue.lessons] == ["alpha"]
    assert not list(tmp_path.rglob(".catalogue*"))  # no temporary file left behind


def test_at_most_a_few_folders_are_remembered_the_latest_kept(tmp_path: Path) -> None:
    cache = tmp_path / CACHE_FILE
    folders = [tmp_path / f"course{n}" for n in range(MAX_FOLDERS + 2)]
    for n, folder in enumerate(folders):
        write(folder, "a.md", f"lesson-{n}", "A")
        read_catalogue(folder, cache=cache)
    assert catalogue_cache.recall(cache, folders[0]) == {}
    assert catalogue_cache.recall(cache, folders[-1]) != {}
    shutil.rmtree(folders[0])


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entry=JSON)
def test_any_json_in_an_entry_is_either_a_meta_or_ignored(tmp_path: Path, entry: object) -> None:
    cache = tmp_path / CACHE_FILE
    folder = tmp_path / "course"
    cache.write_text(json.dumps({"format": 1, "folders": {str(folder.resolve()): {
        "a.md": entry, "b.md": {"stamp": [1, 2], "meta": entry}}}}), encoding="utf-8")
    for name, (stamp, meta) in catalogue_cache.recall(cache, folder).items():
        assert name in {"a.md", "b.md"}
        assert all(type(n) is int for n in stamp)
        assert isinstance(meta.title, str) and isinstance(meta.requires, tuple)
