"""The mode-specific half of the routes: one backend module per server mode.

`load_backend` imports the class a mode's registry entry names; `base` holds what the
backends share (the `Backend` protocol, `Principal`, cookie attributes, CSRF checks).
"""

from __future__ import annotations

import importlib
from typing import cast

from tutor.server.backends.base import Backend, BackendFactory
from tutor.server.modes import ServerMode

__all__ = ["Backend", "BackendFactory", "load_backend"]


def load_backend(mode: ServerMode) -> BackendFactory:
    """The backend class named by `mode.backend` (`package.module:Class`)."""
    module_name, _, class_name = mode.backend.partition(":")
    return cast(BackendFactory, getattr(importlib.import_module(module_name), class_name))
