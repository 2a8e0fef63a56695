"""The mock auth server: cookie sessions, signed cookies and JWTs, as real servers do them.

This package never imports Textual (a test enforces it).
"""

from __future__ import annotations

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
