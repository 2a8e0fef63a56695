"""The Repeater: free play against a mock server, edit and resend, on a timeline.

A thin view over `tutor.repeater`: the Sandbox sends, records and time-travels; a Chain
fills `{{variables}}` in and captures values from responses; this screen turns the
editor's text into a `RequestDraft` and shows what came back, with a status line that
calls out a forged or replayed credential the server accepted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar
from urllib.parse import parse_qsl

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static

from tutor.har.folder import har_folder
from tutor.repeater.draft import DraftError, RequestDraft
from tutor.repeater.goal import CrossSite
from tutor.repeater.sandbox import Resent, Sandbox, SandboxError, TimelineEntry
from tutor.repeater.sending import deliver
from tutor.repeater.variables import Chain, VariableError
from tutor.repeater.verdict import judge
from tutor.ui.har_save import save_exchanges
from tutor.ui.screens import repeater_tools
from tutor.ui.screens.guarded import GuardedScreen
from tutor.ui.screens.repeater_editor import EditorPane
from tutor.ui.screens.repeater_view import timeline_label
from tutor.ui.widgets.chain_panel import ChainPanel
from tutor.ui.widgets.footer import TutorFooter
from tutor.ui.widgets.option_list import PagedOptionList
from tutor.visible import visible

if TYPE_CHECKING:
    from tutor.repeater.challenges import ChallengeRun

BUSY_ACTIONS = frozenset({"send", "lure_victim", "time", "settings", "save_har",
                          "import_curl", "toggle_jar"})
"""Actions that wait while a request is on its way: they read or move the timeline."""
STARTER = RequestDraft("POST", "/login", (("Content-Type", "application/json"),), (),
                       '{"username": "alice", "password": "wonderland"}')
"""What the editor holds in a fresh sandbox: the login, step 2 of the four."""


class RepeaterScreen(GuardedScreen[bool]):
    """Send, edit and resend requests; step back and forth through what happened.

    Dismissed with True when it was opened for a challenge and the server's log shows
    the goal reached.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", id="repeater-send",
                tooltip="Send the request in the editor (resend, if it came from the timeline)"),
        Binding("f2", "time(-1)", "◀ Back", id="repeater-back",
                tooltip="Step back in time: browser and server as they were"),
        Binding("f3", "time(1)", "Fwd ▶", id="repeater-forward",
                tooltip="Step forward again through the timeline"),
        Binding("f4", "lure_victim", "Lure victim", id="repeater-lure",
                tooltip="The victim's browser, lured to evil.test, sends this method and path "
                "as a form post (the body's name=value pairs become its fields)"),
        Binding("f5", "capture", "Capture", id="repeater-capture",
                tooltip="Capture every JSON value and Set-Cookie of the shown response "
                "into variables, to use as {{name}}"),
        # priority: the editor's text areas have their own f6/f7; these work from any field.
        Binding("f6", "copy_curl", "curl", id="repeater-curl", priority=True,
                tooltip="Copy the request as a curl command for `tutor serve` (its port "
                "and cookie names)"),
        Binding("f7", "jwt_editor", "Token editor", id="repeater-jwt", priority=True,
                tooltip="Edit the JWT in Authorization (keep, re-sign or drop the signature), "
                "or a signed-cookie server's session cookie (keep, or re-sign with a "
                "guessed secret)"),
        Binding("ctrl+o", "import_curl", "Import curl", id="repeater-import-curl",
                tooltip="Paste a curl command and edit it as a request"),
        Binding("ctrl+b", "toggle_jar", "Cookie jar", id="repeater-jar",
                tooltip="Your requests keep and send cookies (on), or go raw, as curl "
                "without -b (off)"),
        Binding("f8", "settings", "Server", id="repeater-settings",
                tooltip="Choose the mock server's mode and weaknesses (starts afresh)"),
        Binding("f9", "save_har(True)", "Save HAR", id="repeater-har",
                tooltip="Save the timeline as HAR 1.2, credential values redacted"),
        Binding("f10", "save_har(False)", "HAR+secrets", id="repeater-har-full", show=False,
                tooltip="Save the timeline as HAR 1.2 with credential values kept"),
        Binding("escape", "leave", "Back", id="repeater-leave", tooltip="Leave the Repeater"),
    ]

    class Sent(Message):
        """The sandbox has answered; show the timeline again."""

        def __init__(self, entry: TimelineEntry, resent: Resent | None,
                     verdict: str | None) -> None:
            super().__init__()
            self.entry = entry
            self.resent = resent
            self.verdict = verdict

    def __init__(self, sandbox: Sandbox | None = None, draft: RequestDraft | None = None,
                 challenge: ChallengeRun | None = None, title: str = "") -> None:
        super().__init__()
        self.challenge = challenge
        self.sandbox = challenge.sandbox if challenge else sandbox or Sandbox.choose("cookie")
        self.initial_draft = draft or STARTER
        self.title_text = title
        self.editing: int | None = None
        """The timeline entry the editor was loaded from: sending then resends it."""
        self.goal_met = False
        self.sending = False
        """A request is on its way (the worker has not answered yet)."""
        self.har_folder = har_folder()
        """Where f9 saves the timeline as HAR (`har_folder()`, never the current directory;
        tests point it at a temporary folder)."""
        self.imported_url: str | None = None
        """The server of the last curl command imported: f6 then aims there."""

    @property
    def editor(self) -> EditorPane:
        """The request editor and the response below it."""
        return self.query_one("#editor-pane", EditorPane)

    @property
    def chain_panel(self) -> ChainPanel:
        """The variables, capture rule and cookie jar beside the timeline."""
        return self.query_one("#chain-panel", ChainPanel)

    @property
    def chain(self) -> Chain:
        """The variables and capture rules (the panel's)."""
        return self.chain_panel.chain

    def allows(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Nothing moves the timeline while a request is on its way (shown, disabled)."""
        if self.sending and action in BUSY_ACTIONS:
            return None
        return True

    def compose(self) -> ComposeResult:
        yield Static(id="title-bar", markup=False)
        with Horizontal(id="repeater"):
            with Vertical(id="timeline-pane"):
                yield Static("Timeline", classes="pane-title")
                yield PagedOptionList(id="timeline")
                yield ChainPanel(self.sandbox.cookie_jar, id="chain-panel")
            yield EditorPane(id="editor-pane")
        yield TutorFooter()

    async def on_mount(self) -> None:
        if not self.alive:  # popped before its Mount was handled: its widgets are gone
            return
        self.editor.load_draft(self.initial_draft)
        self._show_title()
        await self.sandbox.start()
        if not self.alive:  # popped while the victim was logging in
            return
        self._refresh_timeline()
        self.editor.show_welcome()
        self.editor.focus_request_line()
        if self.challenge is not None:
            self._set_goal(self.challenge.goal_met().message)

    def _show_title(self) -> None:
        config = self.sandbox.config
        weak = ", ".join(config.vulnerabilities.enabled())
        mode = config.mode + (f" {config.algorithm}" if config.server_mode.signs_tokens else "")
        title = self.title_text or "Repeater"
        self.query_one("#title-bar", Static).update(
            f"tutor — {title} · {mode} server" + (f" · weak: {weak}" if weak else ""))

    def _set_goal(self, message: str) -> None:
        self.editor.set_goal(message, self.goal_met)

    # --- sending -----------------------------------------------------------------------------

    def action_send(self) -> None:
        try:
            draft = self.chain.fill(self.editor.current_draft())
        except (DraftError, VariableError) as exc:
            self.notify(visible(str(exc)), severity="error", timeout=6)
            return
        self.sending = True
        self._send(draft, self.editing)

    def action_lure_victim(self) -> None:
        if self.sandbox.victim is None:
            self.notify("This server has no victim: f8 and tick 'victim' to have alice logged "
                        "in in her own browser.", timeout=6)
            return
        try:
            draft = self.chain.fill(self.editor.current_draft())
        except (DraftError, VariableError) as exc:
            self.notify(visible(str(exc)), severity="error", timeout=6)
            return
        fields = tuple(parse_qsl(draft.body, keep_blank_values=True))
        self.sending = True
        self._send(CrossSite(draft.path, draft.method, "form", fields), None)

    @work(exclusive=True, group="repeater", exit_on_error=False)
    async def _send(self, attempt: RequestDraft | CrossSite, editing: int | None) -> None:
        try:
            await self._deliver(attempt, editing)
        finally:
            self.sending = False

    async def _deliver(self, attempt: RequestDraft | CrossSite, editing: int | None) -> None:
        try:
            delivered = await deliver(self.sandbox, attempt, editing, self.challenge)
        except (SandboxError, DraftError) as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return
        self.goal_met = self.goal_met or delivered.passed
        self.post_message(self.Sent(delivered.entry, delivered.resent, delivered.verdict))

    @on(Sent)
    def _sent(self, message: Sent) -> None:
        if not self.alive:
            return
        self.editing = None
        self._refresh_timeline()
        self._show_entry(message.entry, message.resent)
        self.chain_panel.after_response(message.entry.main.response
                                        if message.entry.main else None)
        if message.verdict is not None:
            self._set_goal(message.verdict)

    def _show_entry(self, entry: TimelineEntry, resent: Resent | None = None) -> None:
        self.chain_panel.latest = entry.main.response if entry.main else None
        self.editor.show_entry(entry, judge(self.sandbox, entry), resent,
                               narrow=self.has_class("narrow"))

    # --- the timeline ----------------------------------------------------------------------

    def _refresh_timeline(self) -> None:
        timeline = self.query_one("#timeline", OptionList)
        timeline.clear_options()
        for entry in self.sandbox.entries:
            label = timeline_label(entry)
            if entry.index >= self.sandbox.position:
                label.stylize("dim strike")  # undone: stepped back past it
            timeline.add_option(label)
        if self.sandbox.position:
            timeline.highlighted = self.sandbox.position - 1
        self.query_one("#timeline-pane").border_subtitle = (
            f"at {self.sandbox.position} of {len(self.sandbox.entries)}")

    @on(OptionList.OptionSelected, "#timeline")
    def _entry_chosen(self, event: OptionList.OptionSelected) -> None:
        """Go to the moment just after that entry, and load its request to edit."""
        if self.sending:
            return
        index = event.option_index
        self.sandbox.goto(index + 1)
        entry = self.sandbox.entries[index]
        if entry.draft is not None:
            self.editor.load_draft(entry.draft)
            self.editing = index
        self._refresh_timeline()
        self._show_entry(entry)
        self.notify(f"At entry {index + 1}: edit the request and press ctrl+s to resend it "
                    "from the moment before it.", timeout=4)

    def action_time(self, step: int) -> None:
        if step < 0 and self.sandbox.position > 0:
            self.sandbox.back()
        elif step > 0 and self.sandbox.position < len(self.sandbox.entries):
            self.sandbox.forward()
        else:
            return
        self.editing = None
        self._refresh_timeline()
        if self.sandbox.position:
            self._show_entry(self.sandbox.entries[self.sandbox.position - 1])
        else:
            self.chain_panel.latest = None
            self.editor.clear_status()
            self.editor.show_response("The start: nothing sent yet.")
        if self.challenge is not None:
            self._set_goal(self.challenge.goal_met().message)

    # --- tools (repeater_tools), chaining ----------------------------------------------------

    def action_copy_curl(self) -> None:
        repeater_tools.copy_curl(self)

    def action_save_har(self, redact: bool) -> None:
        exchanges = [exchange for entry in self.sandbox.current for exchange in entry.exchanges]
        save_exchanges(self, exchanges, self.har_folder, "tutor-repeater", redact)

    def action_jwt_editor(self) -> None:
        try:
            draft = self.editor.current_draft()
        except DraftError as exc:
            self.notify(visible(str(exc)), severity="error")
            return
        repeater_tools.open_token_editor(self, draft)

    def action_settings(self) -> None:
        repeater_tools.open_settings(self)

    @work(exclusive=True, group="repeater", exit_on_error=False)
    async def restart(self) -> None:
        """Start the (new) sandbox afresh, with the panel's cookie-jar choice."""
        self.sandbox.cookie_jar = self.chain_panel.jar
        await self.sandbox.start()
        self._show_title()
        self._refresh_timeline()
        self.editor.show_response("A fresh server: nothing sent yet.")

    def action_import_curl(self) -> None:
        repeater_tools.open_curl_import(self)

    @on(Input.Submitted, "#request-line")
    def _request_line_submitted(self, event: Input.Submitted) -> None:
        """A curl command pasted into the request line is imported."""
        if event.value.lstrip().startswith("curl "):
            repeater_tools.import_pasted_curl(self, event.value)

    def action_capture(self) -> None:
        self.chain_panel.capture_all()

    def action_toggle_jar(self) -> None:
        self.chain_panel.toggle_jar()

    @on(ChainPanel.JarToggled)
    def _jar_toggled(self, message: ChainPanel.JarToggled) -> None:
        self.sandbox.cookie_jar = message.on

    def action_leave(self) -> None:
        self.sandbox.release()  # a borrowed scene world goes back exactly as it was
        self.dismiss(self.goal_met)

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "narrow")
        self.set_class(self.size.height < 32, "short")
