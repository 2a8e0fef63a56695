"""Keys a browser keeps for itself, so a tutor served in a tab (`tutor web`) never sees
them: the help lists which actions they hide and where else to find those actions.

Pages can take most keys (xterm.js cancels the browser's default for the keys it
handles), but not these: Chromium and Firefox reserve them for the window and the tab
strip before a page is asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.binding import Binding, BindingType

BROWSER_KEYS = frozenset({
    "f6", "f7", "f10", "f11", "f12", "ctrl+w", "ctrl+t", "ctrl+n", "ctrl+tab",
    "ctrl+shift+tab", "ctrl+q", "ctrl+shift+w", "ctrl+shift+n", "ctrl+shift+t",
})
"""F6 address bar, F7 caret browsing, F10 menu, F11 full screen, F12 devtools; the
window and tab shortcuts."""


def hidden_in_a_browser(sections: Iterable[tuple[str, Sequence[BindingType]]],
                        remapped: dict[str, str]) -> list[tuple[str, str, str]]:
    """(screen, key, action) for every action whose keys a browser keeps, all of them."""
    hidden = []
    for title, bindings in sections:
        for binding in bindings:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            keys = [key.strip() for key in remapped.get(binding.id or "", binding.key)
                    .split(",")]
            if keys and all(key in BROWSER_KEYS for key in keys):
                hidden.append((title, keys[0], binding.description))
    return hidden
