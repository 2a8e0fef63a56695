"""A workaround for a Textual memory leak that no widget of ours can avoid by itself.

`StylesCache.get_inner_outer` (Textual 8.2) is an instance method under
`functools.lru_cache(1024)`, so the cache keeps up to 1,024 `StylesCache` objects alive
after their widgets are gone, each with every line it rendered: a tour of the course
grew the app by 60 MB (Textual issue #6665). The two styles it returns depend on the
colours only, so `patch_styles_cache` caches them by colour alone, with no instance in
the key. Once Textual fixes this (no `lru_cache` there), the patch does nothing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.style import Style


def patch_styles_cache() -> bool:
    """Cache `get_inner_outer` by colour only; True if it was patched (now or before)."""
    method: Any = StylesCache.__dict__.get("get_inner_outer")
    if getattr(method, "__tutor_patched__", False):
        return True
    if not hasattr(method, "cache_clear"):  # fixed upstream: nothing to work around
        return False
    original = method.__wrapped__

    @lru_cache(1024)
    def inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
        # The original never reads its first argument (it names it `cls`).
        result: tuple[Style, Style] = original(None, base_background, background)
        return result

    def get_inner_outer(self: StylesCache, base_background: Color,
                        background: Color) -> tuple[Style, Style]:
        """Get inner and outer background colors (cached by colour, not by instance)."""
        return inner_outer(base_background, background)

    get_inner_outer.__tutor_patched__ = True  # type: ignore[attr-defined]
    method.cache_clear()  # let go of the instances it holds already
    setattr(StylesCache, "get_inner_outer", get_inner_outer)  # noqa: B010
    return True
