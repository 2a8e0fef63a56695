"""Server modes: one small module per mode in this package, found and registered here.

A new mode is a module here (its `ServerMode`, registered) and its backend module; no
other file lists modes. Importing this package stays light (no HTTP stack).
"""

from __future__ import annotations

import importlib
import pkgutil

from tutor.server.modes.registry import (
    BrowserStore,
    ServerMode,
    all_modes,
    credential_names,
    get_mode,
    mode_names,
    register,
    unregister,
)

__all__ = [
    "BrowserStore",
    "ServerMode",
    "all_modes",
    "credential_names",
    "get_mode",
    "mode_names",
    "register",
    "unregister",
]

# Each module registers its mode on import; pkgutil only lists the folder.
for _info in pkgutil.iter_modules(__path__):
    if _info.name != "registry":
        importlib.import_module(f"{__name__}.{_info.name}")
