"""OptionList with page keys that wait until the list has room.

Textual's OptionList works out which line each option starts on only once it has a size;
before that (a list not laid out yet, or squeezed to no height by a tiny terminal) its
PageUp and PageDown look an option up in that empty table and raise KeyError. The
random-key test found it on a quiz. With no room there is no page to move by, so the
keys do nothing until there is.
"""

from __future__ import annotations

from textual.widgets import OptionList


class PagedOptionList(OptionList):
    """An OptionList whose PageUp/PageDown are safe before it has a size."""

    def action_page_up(self) -> None:
        if self.scrollable_content_region:
            super().action_page_up()  # type: ignore[no-untyped-call]

    def action_page_down(self) -> None:
        if self.scrollable_content_region:
            super().action_page_down()  # type: ignore[no-untyped-call]
