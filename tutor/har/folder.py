"""Where HAR files are saved: a folder the learner can find, never silently the
current directory.

`$TUTOR_HAR_DIR` when set (the learner's choice), else the platform's Downloads
folder when it exists, else `har/` in tutor's data directory (next to the progress
file). Whatever saves a file says the full path it wrote.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

HAR_DIR_VARIABLE = "TUTOR_HAR_DIR"


def har_folder() -> Path:
    """The folder HAR files go to when the learner names no path."""
    chosen = os.environ.get(HAR_DIR_VARIABLE)
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    downloads = Path(platformdirs.user_downloads_dir())
    if downloads.is_dir():
        return downloads
    return Path(platformdirs.user_data_dir("tutor", appauthor=False)) / "har"


def unique_path(folder: Path, stem: str, suffix: str = ".har") -> Path:
    """`folder/stem-YYYYmmdd-HHMMSS.har`, numbered when that exists already."""
    base = f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    path = folder / f"{base}{suffix}"
    number = 2
    while path.exists():
        path = folder / f"{base}-{number}{suffix}"
        number += 1
    return path
