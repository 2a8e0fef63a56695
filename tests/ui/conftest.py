"""UI test fixtures: an app built by the real factory, on temporary folders, no animation."""

from __future__ import annotations

import os

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from collections.abc import Callable
from pathlib import Path

import pytest

from tutor.lessons.course import default_course_dir
from tutor.progress_store import ProgressStore
from tutor.ui.app import TutorApp, build_app
from tutor.ui.config import AppConfig

AppFactory = Callable[..., TutorApp]


@pytest.fixture
def make_app(tmp_path: Path) -> AppFactory:
    """`make_app(open_lesson=..., course_dir=...)`: the app as the CLI builds it."""

    def factory(**overrides: object) -> TutorApp:
        config = AppConfig(
            course_dir=default_course_dir(),
            progress=ProgressStore(tmp_path / "progress.json"),
        )
        for key, value in overrides.items():
            setattr(config, key, value)
        app = build_app(config)
        app.animation_level = "none"
        return app

    return factory
