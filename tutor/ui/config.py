"""What the app is built from: paths and the learner's own settings file.

The settings file (TOML) lets a learner remap keys; it is read once at start-up. Its
path is `$TUTOR_CONFIG`, else `config.toml` in the platform's user config directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.progress_store import ProgressStore

CONFIG_VARIABLE = "TUTOR_CONFIG"


@dataclass
class AppConfig:
    """Everything `build_app` needs; tests build one pointing at temporary folders."""

    course_dir: Path
    progress: ProgressStore
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id → comma-separated keys, from the settings file."""
    open_lesson: str | None = None
    """Open this lesson straight away (`tutor play LESSON`)."""
    open_quiz: tuple[list[str], int | None] | None = None
    """Open a quiz straight away (`tutor quiz [LESSON ...]`): lesson ids (none = a
    review across the course) and an optional seed for the review's pick."""
    open_replay: tuple[Any, str] | None = None
    """Open a HAR recording's timeline (`tutor replay FILE.har`): its analysis and name."""
    open_watch: Any = None
    """Open a live browser watch (`tutor watch URL`): its `tutor.watch.driver.WatchOptions`."""
    notices: list[str] = field(default_factory=list)
    """Messages to show once the app is up (a bad settings file, say)."""


def config_path() -> Path:
    """Where the settings file is looked for."""
    override = os.environ.get(CONFIG_VARIABLE)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir("tutor", appauthor=False)) / "config.toml"


def load_keymap(path: Path) -> tuple[dict[str, str], list[str]]:
    """The `[keys]` table of the settings file, and any problems found in it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [f"Settings file {path} was ignored: {exc}"]
    import tomllib  # here: most learners have no settings file, and start-up counts

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {}, [f"Settings file {path} was ignored: {exc}"]
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        return {}, [f"Settings file {path}: [keys] must be a table of binding = \"keys\""]
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding, value in keys.items():
        if isinstance(value, str) and value.strip():
            keymap[str(binding)] = value
        else:
            problems.append(f"Settings file {path}: keys.{binding} must be a string of keys")
    return keymap, problems
