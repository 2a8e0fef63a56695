"""Textual's Footer without its leak: every screen of the tutor uses this one."""

from __future__ import annotations

from textual.widgets import Footer


class TutorFooter(Footer):
    """A Footer that lets go of the key widgets it replaces.

    Footer rebuilds its keys whenever its screen's bindings change (each time the screen
    comes back from another), and each key is data-bound to the footer's `compact`.
    Textual keeps that binding on the footer and prunes it only when `compact` changes,
    which it never does here, so every rebuild kept the old keys alive: ten widgets and
    their styles per lesson opened (Textual issue #6666). Poking `compact` after a
    rebuild runs the prune; the keys' watchers see the same value and do nothing.
    """

    async def recompose(self) -> None:
        await super().recompose()
        self.mutate_reactive(Footer.compact)
