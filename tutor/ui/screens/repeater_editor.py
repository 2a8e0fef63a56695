"""The Repeater's right-hand pane: the goal line, the request being edited (request line,
`Name: value` headers, body), the status line and the response.

It turns the editor's text into a `RequestDraft` and back, sets a body aside when the
method becomes GET or HEAD (and gives it back after), and shows what came back. What to
send, and what the timeline and the chain do, the screen decides.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Static, TextArea

from tutor.repeater.draft import RequestDraft
from tutor.repeater.editor_text import draft_from_editor, editor_headers
from tutor.repeater.sandbox import Resent, TimelineEntry
from tutor.repeater.verdict import CredentialVerdict
from tutor.ui.screens.repeater_view import entry_view, status_line

NO_BODY_METHODS = frozenset({"GET", "HEAD"})
"""Methods whose requests the editor sends without a body (switching to one drops it)."""
WELCOME = ("ctrl+s sends the request above, as curl would, with a cookie jar (ctrl+b turns "
           "it off: raw). Its exchange appears here and on the timeline; pick a timeline "
           "entry to go back to that moment and resend an edited copy. f5 captures the "
           "response's values as {{variables}}; ctrl+o imports a curl command.")
"""The response pane's text before anything was sent."""


class EditorPane(Vertical):
    """The request editor above what came back."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._dropped_body = ""
        """The body switching to GET dropped, given back if the method changes again."""
        self._method = ""
        """The request line's method as last seen: only a change to GET drops the body."""

    def compose(self) -> ComposeResult:
        yield Static(id="goal")
        yield Input(id="request-line", placeholder="GET /profile  (or paste curl …)")
        headers = TextArea(id="request-headers", soft_wrap=True)
        headers.border_title = "Headers (Name: value)"
        yield headers
        body = TextArea(id="request-body", soft_wrap=True)
        body.border_title = "Body"
        yield body
        yield Static(id="status-line", markup=False)
        with VerticalScroll(id="response-pane"):
            yield Static(id="response")

    # --- the request -------------------------------------------------------------------------

    def load_draft(self, draft: RequestDraft) -> None:
        """Put `draft` in the editor, replacing what was there."""
        self._method = draft.method  # loading is not switching: a GET's body stays
        self.query_one("#request-line", Input).value = f"{draft.method} {draft.path}"
        self.query_one("#request-headers", TextArea).text = editor_headers(draft)
        self.query_one("#request-body", TextArea).text = draft.body

    def current_draft(self) -> RequestDraft:
        """The editor's request (`DraftError` when it cannot be sent)."""
        return draft_from_editor(self.query_one("#request-line", Input).value,
                                 self.query_one("#request-headers", TextArea).text,
                                 self.query_one("#request-body", TextArea).text)

    def forget_set_aside(self) -> None:
        """A body set aside by a switch to GET is not given back to what comes next."""
        self._dropped_body = ""

    def focus_request_line(self) -> None:
        """Put the cursor in the request line."""
        self.query_one("#request-line", Input).focus()

    @on(Input.Changed, "#request-line")
    def _method_changed(self, event: Input.Changed) -> None:
        """Switching to GET (or HEAD) drops the body; switching back gives it back."""
        method = event.value.split(" ", 1)[0].upper()
        if method == self._method:
            return
        self._method = method
        body = self.query_one("#request-body", TextArea)
        if method in NO_BODY_METHODS and body.text:
            self._dropped_body = body.text
            body.text = ""
            self.notify(f"{method} sends no body: the body was set aside (a POST or PUT "
                        "gets it back).", timeout=4)
        elif method not in NO_BODY_METHODS and self._dropped_body and not body.text:
            body.text, self._dropped_body = self._dropped_body, ""

    # --- what came back ------------------------------------------------------------------------

    def set_goal(self, message: str, met: bool) -> None:
        """The challenge's goal (or the verdict on a request), green once met."""
        goal = self.query_one("#goal", Static)
        goal.update(Text(message, style="bold green" if met else "bold"))
        goal.display = True

    def show_entry(self, entry: TimelineEntry, verdict: CredentialVerdict | None,
                   resent: Resent | None = None, *, narrow: bool = False) -> None:
        """A timeline entry: the status line (or the verdict in its place), the exchange,
        or a resend beside its original, then what the browser and server said."""
        # One line above the response, always in view: the status, or why a success
        # should not be read as one.
        self.query_one("#status-line", Static).update(status_line(entry, verdict))
        self.show_response(entry_view(entry, resent, narrow))

    def show_response(self, content: RenderableType) -> None:
        """Anything in the response's place: a message, the curl command copied."""
        self.query_one("#response", Static).update(content)

    def clear_status(self) -> None:
        """No entry shown: no status line."""
        self.query_one("#status-line", Static).update("")

    def show_welcome(self) -> None:
        """What the pane says before anything was sent."""
        self.show_response(Text(WELCOME, style="dim"))
