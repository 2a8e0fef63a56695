"""The footer: a screen's most useful keys first, as many as fit, never a key cut in half."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PALETTE_EXTRA = 0
"""Cells the palette key takes beyond a key's: its left border, less the margin it has not."""


@dataclass(frozen=True)
class ShownKey:
    """One key of the footer, as drawn."""

    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str

    @property
    def width(self) -> int:
        """Cells it takes in a compact footer: `key description` and a margin."""
        return cell_len(self.display) + 1 + cell_len(self.description) + 1


def footer_order(screen: object) -> tuple[str, ...]:
    """Binding ids in the order the screen wants them in its footer (most useful first);
    a key listed there is shown even when its binding says `show=False`."""
    order = getattr(screen, "FOOTER_KEYS", ())
    return tuple(order) if isinstance(order, tuple) else ()


class TutorFooter(Footer):
    """The screen's keys in the order it ranks them (`FOOTER_KEYS`, binding ids), then the
    rest; as the terminal narrows, the least useful are left out whole (Textual's Footer
    cuts the last one mid-word and never shows a `show=False` key).

    Keys are rebuilt only when what would be shown changes: Footer rebuilds every key
    widget whenever its screen's bindings are updated, three or four times while a
    lesson opens. Keys are not data-bound to `compact`, whose binding Textual keeps alive
    after the key is gone (Textual issue #6666).
    """

    def __init__(self, *, compact: bool = True) -> None:
        # Compact: a cell less per key, so one or two more keys fit at 80 columns.
        super().__init__(compact=compact)

    _shown: tuple[object, ...] | None = None
    """What the keys were last built from (None: not built yet)."""
    _keys: tuple[ShownKey, ...] = ()
    """The keys to draw, left to right."""
    _palette: ShownKey | None = None
    """The command palette's key, docked right."""

    def ranked_keys(self) -> list[ShownKey]:
        """Every key the screen offers now, one per action, most useful first."""
        app = self.app
        order = footer_order(self.screen)
        by_action: dict[str, ShownKey] = {}
        rank: dict[str, int] = {}
        groups: dict[str, str] = {}  # action → the description of its binding's group
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.key == app.COMMAND_PALETTE_BINDING or binding.action in by_action:
                continue
            listed = binding.id in order if binding.id else False
            if not (binding.show or listed) or not binding.description:
                continue
            by_action[binding.action] = ShownKey(
                binding.key, app.get_key_display(binding), binding.description,
                binding.action, enabled, tooltip or binding.tooltip)
            rank[binding.action] = order.index(binding.id) if listed and binding.id else len(order)
            if binding.group is not None:
                groups[binding.action] = binding.group.description
        # A listed key a focused widget shadows (the catalogue's enter, which its table
        # also binds) is still the screen's to name: it does the same there.
        seen = {binding.id for _, binding, _, _ in self.screen.active_bindings.values()}
        for bindings in self.screen._bindings.key_to_bindings.values():
            for binding in bindings:
                if (binding.id in order and binding.id not in seen
                        and binding.action not in by_action and binding.description
                        and self.screen.check_action(binding.action.partition("(")[0], ())):
                    by_action[binding.action] = ShownKey(
                        binding.key, app.get_key_display(binding), binding.description,
                        binding.action, True, binding.tooltip)
                    rank[binding.action] = order.index(binding.id)
        keys = list(by_action.values())
        # Stable: the unlisted keep their binding order after the listed ones.
        keys.sort(key=lambda shown: rank[shown.action])
        return self._grouped(keys, groups)

    @staticmethod
    def _grouped(keys: list[ShownKey], groups: dict[str, str]) -> list[ShownKey]:
        """Keys of one `Binding.Group` as one entry where the first of them ranks:
        `[ ] Scene` takes ten cells where `] Next scene [ Prev scene` took twenty-five."""
        merged: list[ShownKey] = []
        at: dict[str, int] = {}
        for key in keys:
            group = groups.get(key.action)
            if group is None:
                merged.append(key)
            elif group not in at:
                at[group] = len(merged)
                merged.append(replace(key, description=group))
            else:
                first = merged[at[group]]
                merged[at[group]] = replace(first, display=f"{first.display} {key.display}",
                                            tooltip=f"{first.tooltip}; {key.tooltip}")
        return merged

    def _palette_key(self) -> ShownKey | None:
        app = self.app
        if not (self.show_command_palette and app.ENABLE_COMMAND_PALETTE):
            return None
        active = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
        if active is None:
            return None
        _, binding, enabled, _ = active
        return ShownKey(binding.key, app.get_key_display(binding), binding.description,
                        binding.action, enabled, binding.tooltip or binding.description)

    def _fitting(self) -> tuple[tuple[ShownKey, ...], ShownKey | None]:
        """The keys that fit the footer's width whole, in rank order, and the palette's."""
        width = self.size.width or self.screen.size.width or self.app.size.width
        palette = self._palette_key()
        room = width - (palette.width + PALETTE_EXTRA if palette else 0)
        shown: list[ShownKey] = []
        for key in self.ranked_keys():
            if key.width > room:
                break  # the rest rank lower: leaving one out and showing a later one
                # would make the footer's contents jump about as the width changes
            shown.append(key)
            room -= key.width
        return tuple(shown), palette

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        for key in self._keys:
            yield self._key_widget(key)
        if self._palette is not None:
            yield self._key_widget(self._palette, "-command-palette")

    def _key_widget(self, key: ShownKey, classes: str = "") -> FooterKey:
        compact = " -compact" if self.compact else ""
        widget = FooterKey(key.key, key.display, key.description, key.action,
                           disabled=not key.enabled, tooltip=key.tooltip,
                           classes=classes + compact)
        # Set, not bound: a data binding outlives the key (Textual issue #6666).
        widget.set_reactive(FooterKey.compact, self.compact)
        return widget

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys, palette = self._fitting() if self._bindings_ready else ((), None)
        to_show = (self._bindings_ready, keys, palette)
        if to_show == self._shown:
            return
        self._shown = to_show
        self._keys, self._palette = keys, palette
        await super().recompose()

    async def on_resize(self, event: events.Resize) -> None:
        await self.recompose()

