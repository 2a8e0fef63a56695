"""Textual's Footer, rebuilt only when what it shows changes, and without its leak."""

from __future__ import annotations

from textual.widgets import Footer


class TutorFooter(Footer):
    """A Footer that rebuilds its keys only when they change, and lets go of old ones.

    Footer rebuilds every key widget whenever its screen's bindings are updated: three or
    four times while a lesson opens (eleven keys each time) and again each time a screen
    comes back, although the keys shown are the same. This one compares what it would
    show with what it shows and rebuilds only on a difference.

    Each key is also data-bound to the footer's `compact`; Textual keeps that binding on
    the footer and prunes it only when `compact` changes, which it never does here, so
    every rebuild kept the old keys alive (Textual issue #6666). Poking `compact` after a
    rebuild runs the prune; the keys' watchers see the same value and do nothing.
    """

    _shown: tuple[object, ...] | None = None
    """What the keys were last built from (None: not built yet)."""

    def _to_show(self) -> tuple[object, ...]:
        """Everything Footer.compose reads from the screen and app to build its keys."""
        app = self.app
        keys = tuple(
            (name, binding.action, binding.description, app.get_key_display(binding),
             binding.group, binding.tooltip, enabled, tooltip)
            for name, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or name == app.COMMAND_PALETTE_BINDING
        )
        return (self._bindings_ready, self.show_command_palette,
                app.ENABLE_COMMAND_PALETTE, keys)

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        to_show = self._to_show()
        if to_show == self._shown:
            return
        self._shown = to_show
        await super().recompose()
        self.mutate_reactive(Footer.compact)
