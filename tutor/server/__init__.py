"""The mock auth server: cookie sessions, signed cookies and JWTs, as real servers do them.

This package never imports Textual (a test enforces it). Its exports load lazily, so
reading a config (`tutor.server.config`) does not pull in Starlette, httpx and PyJWT.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tutor.server.cluster import MockServer, ServerSnapshot
    from tutor.server.config import ConfigError, DemoUser, ServerConfig, Vulnerabilities

__all__ = [
    "ConfigError",
    "DemoUser",
    "MockServer",
    "ServerConfig",
    "ServerSnapshot",
    "Vulnerabilities",
]
_HOMES = {"MockServer": "cluster", "ServerSnapshot": "cluster", "ConfigError": "config",
          "DemoUser": "config", "ServerConfig": "config", "Vulnerabilities": "config"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(f"tutor.server.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'tutor.server' has no attribute {name!r}")
