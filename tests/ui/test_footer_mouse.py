"""The footer is one widget drawing every key, and still answers the mouse as Textual's
footer keys did: the key under the pointer is highlighted and shows its tooltip, a click
presses it (each key of a `[ ]` pair its own), a disabled key rings the bell."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Static

from tests.ui.conftest import AppFactory
from tutor.ui.screens.player import PlayerScreen
from tutor.ui.widgets.footer import Placed, TutorFooter


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def _footer(pilot: Pilot[Any]) -> TutorFooter:
    return pilot.app.screen.query_one(TutorFooter)


def _place(pilot: Pilot[Any], shown: str) -> Placed:
    """Where `shown` (a key's display, or ` description`) was drawn in the footer."""
    footer = _footer(pilot)
    line = footer.render_line(0).text
    for place in footer.placed():
        if line[place.start:place.end] == shown:
            return place
    raise AssertionError(f"{shown!r} is not in the footer: {line!r}")


def _cell_styles(strip: Strip) -> list[Style | None]:
    """The style of each cell of a rendered line."""
    return [segment.style for segment in strip for _ in range(segment.cell_length)]


async def test_hovering_a_key_highlights_it_and_shows_its_tooltip(
    make_app: AppFactory,
) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        footer = _footer(pilot)
        details = _place(pilot, "d")
        plain = _cell_styles(footer.render_line(0))
        assert footer.tooltip is None
        await pilot.hover(TutorFooter, offset=(details.start, 0))
        await _settle(pilot)
        assert footer.tooltip == details.key.tooltip
        assert "detail view" in str(footer.tooltip)
        lit = _cell_styles(footer.render_line(0))
        # The whole key, `d Details`, changes its background; nothing else does.
        changed = [x for x, (old, new) in enumerate(zip(plain, lit, strict=True)) if old != new]
        assert changed == list(range(details.start, details.start + len("d Details")))
        await pilot.hover("#title-bar", offset=(5, 0))
        await _settle(pilot)
        assert footer.tooltip is None
        assert _cell_styles(footer.render_line(0)) == plain


async def test_a_click_presses_the_key_under_it(make_app: AppFactory) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        player = app.screen
        assert isinstance(player, PlayerScreen)
        stage = player.query_one("TrackStage")
        # On the description as well as on the key.
        await pilot.click(TutorFooter, offset=(_place(pilot, " Details").start + 2, 0))
        await _settle(pilot)
        assert stage.detail == "timeline"  # type: ignore[attr-defined]
        # A pair drawn as one entry: each key of it presses its own.
        await pilot.click(TutorFooter, offset=(_place(pilot, "]").start, 0))
        await _settle(pilot)
        assert player.scene_index == 1
        await pilot.click(TutorFooter, offset=(_place(pilot, "[").start, 0))
        await _settle(pilot)
        assert player.scene_index == 0
        # The palette's key, at the right end.
        await pilot.click(TutorFooter, offset=(_place(pilot, "^p").start, 0))
        await _settle(pilot)
        assert isinstance(app.screen, CommandPalette)


class _Half(Screen[None]):
    """A screen with one key shown disabled (check_action says None) and one working."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "later", "Later", tooltip="Not yet"),
        Binding("y", "now", "Now", tooltip="At once"),
    ]
    done: ClassVar[list[str]] = []

    def compose(self) -> ComposeResult:
        yield Static("half")
        yield TutorFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "later" else True

    def action_later(self) -> None:
        self.done.append("later")

    def action_now(self) -> None:
        self.done.append("now")


class _HalfApp(App[None]):
    rang = 0

    def on_mount(self) -> None:
        self.push_screen(_Half())

    def bell(self) -> None:
        self.rang += 1


async def test_a_disabled_key_is_dimmed_and_rings_the_bell() -> None:
    app = _HalfApp()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        await pilot.pause()
        later, now = _place(pilot, "x"), _place(pilot, "y")
        assert not later.key.enabled and now.key.enabled
        styles = _cell_styles(_footer(pilot).render_line(0))
        dim = [bool(style and style.dim) for style in styles]
        assert dim[later.start:later.start + len("x Later")] == [True] * len("x Later")
        assert not any(dim[now.start:now.start + len("y Now")])
        await pilot.click(TutorFooter, offset=(later.start, 0))
        await pilot.click(TutorFooter, offset=(now.start, 0))
        await pilot.pause()
        assert app.rang == 1
        assert _Half.done == ["now"]
