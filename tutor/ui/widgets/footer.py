"""The footer: a screen's most useful keys first, as many as fit, never a key cut in half.

One widget draws every key as one line of text. Textual's Footer mounts a widget per key
(ten or so), rebuilt three or four times while a lesson opens: styling, laying out and
rendering them was a tenth of a lesson switch. The mouse works as it did there: a key
under the pointer is highlighted and shows its tooltip, and a click presses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.binding import ActiveBinding
    from textual.screen import Screen

SEPARATOR = "▏"
"""Drawn left of the palette's key (Textual's Footer gives that key a `vkey` border)."""


class ShownKey(NamedTuple):
    """One key of the footer, as drawn. (Named tuples, not frozen dataclasses: this
    module is imported before the first frame, and a dataclass costs a millisecond or
    two to make.)"""

    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    members: tuple[ShownKey, ...] = ()
    """The keys of a `Binding.Group` drawn as this one entry (`[ ]` Scene), each its own
    click target; empty for a key of its own."""

    @property
    def width(self) -> int:
        """Cells it takes: `key description` and a space after it."""
        return cell_len(self.display) + 1 + cell_len(self.description) + 1


class Placed(NamedTuple):
    """Where a key was drawn: cells `start` to `end` (exclusive) of the footer's line."""

    key: ShownKey
    """The key a click there presses and whose tooltip shows: over a group's keys, that
    member; over its description, the group (its first member's key, every tooltip)."""
    start: int
    end: int


def footer_order(screen: object) -> tuple[str, ...]:
    """Binding ids in the order the screen wants them in its footer (most useful first);
    a key listed there is shown even when its binding says `show=False`."""
    order = getattr(screen, "FOOTER_KEYS", ())
    return tuple(order) if isinstance(order, tuple) else ()


class TutorFooter(Widget, can_focus=False):
    """The screen's keys in the order it ranks them (`FOOTER_KEYS`, binding ids), then the
    rest; as the terminal narrows, the least useful are left out whole (Textual's Footer
    cuts the last one mid-word and never shows a `show=False` key). The command
    palette's key sits at the right end.

    Drawn again only when what would be shown changes: the screen's bindings are updated
    three or four times while a lesson opens.
    """

    ALLOW_SELECT: ClassVar[bool] = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {"tutor-footer--key", "tutor-footer--description",
                         "tutor-footer--hover", "tutor-footer--separator"}
    # The colours Textual's Footer and its keys use, so themes look the same.
    DEFAULT_CSS = """
    TutorFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        & > .tutor-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .tutor-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .tutor-footer--hover {
            background: $block-hover-background;
        }
        & > .tutor-footer--separator {
            color: $foreground 20%;
        }
    }
    """

    _bindings_ready = False
    """Textual has told the footer its screen's bindings (not before the screen mounts)."""
    _keys: tuple[ShownKey, ...] = ()
    """The keys to draw, left to right."""
    _palette: ShownKey | None = None
    """The command palette's key, at the right end."""
    _placed: tuple[Placed, ...] = ()
    """Where each key (and member of a group) was last drawn, left to right."""
    _hover: ShownKey | None = None
    """The key under the mouse pointer (a whole entry, group or not)."""

    # --- which keys --------------------------------------------------------------------

    def ranked_keys(self, active: dict[str, ActiveBinding] | None = None) -> list[ShownKey]:
        """Every key the screen offers now, one per action, most useful first (`active`:
        the screen's active bindings, if the caller has them already)."""
        app = self.app
        screen = self.screen
        order = footer_order(screen)
        by_action: dict[str, ShownKey] = {}
        rank: dict[str, int] = {}
        groups: dict[str, str] = {}  # action → the description of its binding's group
        if active is None:
            active = screen.active_bindings
        for _, binding, enabled, tooltip in active.values():
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
        seen = {binding.id for _, binding, _, _ in active.values()}
        for bindings in screen._bindings.key_to_bindings.values():
            for binding in bindings:
                if (binding.id in order and binding.id not in seen
                        and binding.action not in by_action and binding.description
                        and screen.check_action(binding.action.partition("(")[0], ())):
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
                merged.append(key._replace(description=group, members=(key,)))
            else:
                first = merged[at[group]]
                merged[at[group]] = first._replace(
                    display=f"{first.display} {key.display}",
                    tooltip=f"{first.tooltip}; {key.tooltip}",
                    enabled=first.enabled or key.enabled, members=(*first.members, key))
        return merged

    def _palette_key(self, active: dict[str, ActiveBinding]) -> ShownKey | None:
        app = self.app
        if not app.ENABLE_COMMAND_PALETTE:
            return None
        palette = active.get(app.COMMAND_PALETTE_BINDING)
        if palette is None:
            return None
        _, binding, enabled, _ = palette
        return ShownKey(binding.key, app.get_key_display(binding), binding.description,
                        binding.action, enabled, binding.tooltip or binding.description)

    def _width(self) -> int:
        return self.size.width or self.screen.size.width or self.app.size.width

    def _fitting(self) -> tuple[tuple[ShownKey, ...], ShownKey | None]:
        """The keys that fit the footer's width whole, in rank order, and the palette's."""
        # Worked out once: it asks every binding's check_action.
        active = self.screen.active_bindings
        palette = self._palette_key(active)
        room = self._width() - (palette.width if palette else 0)
        shown: list[ShownKey] = []
        for key in self.ranked_keys(active):
            if key.width > room:
                break  # the rest rank lower: leaving one out and showing a later one
                # would make the footer's contents jump about as the width changes
            shown.append(key)
            room -= key.width
        return tuple(shown), palette

    def shown_keys(self) -> tuple[ShownKey, ...]:
        """The keys drawn now, left to right, without the palette's."""
        return self._keys

    def placed(self) -> tuple[Placed, ...]:
        """Where each key was last drawn: the click targets, left to right (a group's
        members one by one, then its description)."""
        return self._placed

    def key_at(self, x: int) -> Placed | None:
        """The key drawn at cell `x` of the footer, if any."""
        return next((place for place in self._placed if place.start <= x < place.end), None)

    # --- keeping up with the screen ---------------------------------------------------

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        # As Textual's Footer: while the terminal has not the focus, its bindings are not
        # the ones the learner will use (focus comes back with the app's).
        if self.app.app_focus and self.is_attached and screen is self.screen:
            self._update()

    def on_resize(self, event: events.Resize) -> None:
        self._update()

    def _update(self) -> None:
        """Work out what fits now; draw again only if that changed."""
        if not (self.is_attached and self._bindings_ready):
            return
        keys, palette = self._fitting()
        if (keys, palette) != (self._keys, self._palette):
            self._keys, self._palette = keys, palette
            self.refresh()

    # --- drawing ----------------------------------------------------------------------

    def render(self) -> Text:
        key_style = self.get_component_rich_style("tutor-footer--key")
        description_style = self.get_component_rich_style("tutor-footer--description")
        hover_background = self.get_component_rich_style("tutor-footer--hover").bgcolor
        hover = Style(bgcolor=hover_background)
        dim = Style(dim=True)
        text = Text(no_wrap=True, overflow="crop", end="")
        placed: list[Placed] = []

        def draw(key: ShownKey) -> None:
            start = text.cell_len
            members = key.members or (key,)
            for index, member in enumerate(members):
                if index:
                    text.append(" ", key_style)
                at = text.cell_len
                text.append(member.display, key_style + (dim if not member.enabled else Style()))
                placed.append(Placed(member, at, text.cell_len))
            at = text.cell_len
            text.append(f" {key.description}", description_style)
            if not key.enabled:
                text.stylize(dim, start)
            placed.append(Placed(key, at, text.cell_len))  # a group's: its first member's key
            if self._hover == key:
                text.stylize(hover, start)

        for key in self._keys:
            draw(key)
            text.append(" ")
        if self._palette is not None:
            # At the right end: the separator, the key, a blank cell after it. The last
            # key's own blank may lie under the separator (`_fitting` lets it).
            room = self._width() - text.cell_len - self._palette.width - 1
            if room < 0:
                text.right_crop(-room)
            text.append(" " * max(room, 0))
            text.append(SEPARATOR, self.get_component_rich_style("tutor-footer--separator"))
            draw(self._palette)
            text.append(" ")
        self._placed = tuple(placed)
        return text

    # --- the mouse --------------------------------------------------------------------

    def _entry_of(self, place: Placed | None) -> ShownKey | None:
        """The whole entry (a group, not one member) a click target belongs to."""
        if place is None:
            return None
        for key in (*self._keys, self._palette):
            if key is not None and (place.key == key or place.key in key.members):
                return key
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        place = self.key_at(event.x)
        entry = self._entry_of(place)
        self.tooltip = place.key.tooltip if place is not None and place.key.tooltip else None
        if entry != self._hover:
            self._hover = entry
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        self.tooltip = None
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """A click presses the key under it, as Textual's footer keys do (a disabled key
        rings the bell)."""
        place = self.key_at(event.x)
        if place is None:
            return
        if place.key.enabled:
            self.app.simulate_key(place.key.key)
        else:
            self.app.bell()
