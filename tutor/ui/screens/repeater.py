"""The Repeater: free play against a mock server, edit and resend, on a timeline.

A thin view over `tutor.repeater`: the Sandbox sends, records and time-travels; a Chain
fills `{{variables}}` in and captures values from responses; this screen turns the
editor's text into a `RequestDraft` and shows what came back, with a status line that
calls out a forged or replayed credential the server accepted.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import parse_qsl

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, OptionList, Static, TextArea

from tutor.har.folder import har_folder
from tutor.repeater.curl import CurlImport, for_serve, to_curl
from tutor.repeater.draft import DraftError, RequestDraft
from tutor.repeater.editor_text import draft_from_editor, editor_headers
from tutor.repeater.goal import CrossSite
from tutor.repeater.sandbox import Resent, Sandbox, SandboxError, TimelineEntry
from tutor.repeater.sending import deliver
from tutor.repeater.variables import Chain, VariableError
from tutor.repeater.verdict import judge
from tutor.served import DEFAULT_URL
from tutor.ui.har_save import save_exchanges
from tutor.ui.render import render_exchange
from tutor.ui.screens.guarded import GuardedScreen
from tutor.ui.screens.repeater_view import side_by_side, status_line, timeline_label
from tutor.ui.widgets.chain_panel import ChainPanel
from tutor.ui.widgets.footer import TutorFooter
from tutor.visible import visible

if TYPE_CHECKING:
    from tutor.repeater.challenges import ChallengeRun

BUSY_ACTIONS = frozenset({"send", "lure_victim", "time", "settings", "save_har",
                          "import_curl", "toggle_jar"})
"""Actions that wait while a request is on its way: they read or move the timeline."""
STARTER = RequestDraft("POST", "/login", (("Content-Type", "application/json"),), (),
                       '{"username": "alice", "password": "wonderland"}')
"""What the editor holds in a fresh sandbox: the login, step 2 of the four."""
NO_BODY_METHODS = frozenset({"GET", "HEAD"})
"""Methods whose requests the editor sends without a body (switching to one drops it)."""
SERVE_URL_VARIABLE = "TUTOR_SERVE_URL"
"""Where f6 aims when set (else `tutor serve`'s default URL, or the last import's)."""


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
        self.serve_url = os.environ.get(SERVE_URL_VARIABLE) or DEFAULT_URL
        """The `tutor serve` f6 writes curl for (a curl import's URL moves it)."""
        self._dropped_body = ""
        """The body switching to GET dropped, given back if the method changes again."""
        self._method = ""
        """The request line's method as last seen: only a change to GET drops the body."""

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
                yield OptionList(id="timeline")
                yield ChainPanel(self.sandbox.cookie_jar, id="chain-panel")
            with Vertical(id="editor-pane"):
                yield Static(id="goal")
                yield Input(id="request-line", placeholder="GET /profile  (or paste curl …)")
                yield TextArea(id="request-headers", soft_wrap=True)
                yield TextArea(id="request-body", soft_wrap=True)
                yield Static(id="status-line", markup=False)
                with VerticalScroll(id="response-pane"):
                    yield Static(id="response")
        yield TutorFooter()

    async def on_mount(self) -> None:
        if not self.alive:  # popped before its Mount was handled: its widgets are gone
            return
        self.query_one("#request-headers").border_title = "Headers (Name: value)"
        self.query_one("#request-body").border_title = "Body"
        self.load_draft(self.initial_draft)
        self._show_title()
        await self.sandbox.start()
        if not self.alive:  # popped while the victim was logging in
            return
        self._refresh_timeline()
        self.query_one("#response", Static).update(Text(
            "ctrl+s sends the request above, as curl would, with a cookie jar (ctrl+b turns "
            "it off: raw). Its exchange appears here and on the timeline; pick a timeline "
            "entry to go back to that moment and resend an edited copy. f5 captures the "
            "response's values as {{variables}}; ctrl+o imports a curl command.",
            style="dim"))
        self.query_one("#request-line", Input).focus()
        if self.challenge is not None:
            self._set_goal(self.challenge.goal_met().message)

    # --- the editor ------------------------------------------------------------------------

    def load_draft(self, draft: RequestDraft) -> None:
        self._method = draft.method  # loading is not switching: a GET's body stays
        self.query_one("#request-line", Input).value = f"{draft.method} {draft.path}"
        self.query_one("#request-headers", TextArea).text = editor_headers(draft)
        self.query_one("#request-body", TextArea).text = draft.body

    def current_draft(self) -> RequestDraft:
        """The editor's request (`DraftError` when it cannot be sent)."""
        return draft_from_editor(self.query_one("#request-line", Input).value,
                                 self.query_one("#request-headers", TextArea).text,
                                 self.query_one("#request-body", TextArea).text)

    def _show_title(self) -> None:
        config = self.sandbox.config
        weak = ", ".join(config.vulnerabilities.enabled())
        mode = config.mode + (f" {config.algorithm}" if config.server_mode.signs_tokens else "")
        title = self.title_text or "Repeater"
        self.query_one("#title-bar", Static).update(
            f"tutor — {title} · {mode} server" + (f" · weak: {weak}" if weak else ""))

    def _set_goal(self, message: str) -> None:
        goal = self.query_one("#goal", Static)
        goal.update(Text(message, style="bold green" if self.goal_met else "bold"))
        goal.display = True

    # --- sending -----------------------------------------------------------------------------

    def action_send(self) -> None:
        try:
            draft = self.chain.fill(self.current_draft())
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
            draft = self.chain.fill(self.current_draft())
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
        self._show_status(entry)
        parts: list[RenderableType] = []
        if resent is not None:
            changes = Text()
            changes.append("Compared with the original:\n", style="bold")
            changes.append("\n".join(resent.diff.summary()) or "no difference")
            parts.append(changes)
            parts.append(side_by_side(resent, narrow=self.has_class("narrow")))
        elif entry.main is not None:
            parts.append(render_exchange(entry.main))
        for blocked in entry.blocked:
            parts.append(Text(f"The browser refused: {blocked.reason}", style="yellow"))
        for handled in entry.handled:
            event = handled.event
            parts.append(Text(f"Server log: {event.method} {event.path} → {event.status}"
                              f" ({event.reason})", style="dim"))
        self.query_one("#response", Static).update(Group(*parts))

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
            self.load_draft(entry.draft)
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
            self.query_one("#status-line", Static).update("")
            self.query_one("#response", Static).update("The start: nothing sent yet.")
        if self.challenge is not None:
            self._set_goal(self.challenge.goal_met().message)

    # --- tools -------------------------------------------------------------------------------

    def action_copy_curl(self) -> None:
        try:
            draft = for_serve(self.chain.fill(self.current_draft()), self.serve_url)
        except (DraftError, VariableError) as exc:
            self.notify(visible(str(exc)), severity="error")
            return
        command = to_curl(draft, self.serve_url)
        self.app.copy_to_clipboard(command)
        self.query_one("#response", Static).update(Group(
            Text(f"Copied, for `tutor serve` at {visible(self.serve_url)} in the same mode "
                 f"(its cookie names; another address: set {SERVE_URL_VARIABLE}, or import "
                 "a curl command aimed at it):", style="bold"),
            Text(visible(command))))

    def action_save_har(self, redact: bool) -> None:
        exchanges = [exchange for entry in self.sandbox.current for exchange in entry.exchanges]
        save_exchanges(self, exchanges, self.har_folder, "tutor-repeater", redact)

    def action_jwt_editor(self) -> None:
        from tutor.ui.screens.repeater_tools import open_token_editor

        try:
            draft = self.current_draft()
        except DraftError as exc:
            self.notify(visible(str(exc)), severity="error")
            return
        open_token_editor(self, draft)

    def action_settings(self) -> None:
        if self.challenge is not None:
            self.notify("A challenge's server is fixed.", timeout=3)
            return
        from tutor.ui.screens.sandbox_settings import SandboxSettingsScreen

        def chosen(sandbox: Sandbox | None) -> None:
            if sandbox is not None:
                self.sandbox = sandbox
                self.editing = None
                self._restart()

        self.app.push_screen(SandboxSettingsScreen(self.sandbox.config,
                                                  self.sandbox.victim_name), chosen)

    @work(exclusive=True, group="repeater", exit_on_error=False)
    async def _restart(self) -> None:
        self.sandbox.cookie_jar = self.chain_panel.jar
        await self.sandbox.start()
        self._show_title()
        self._refresh_timeline()
        self.query_one("#response", Static).update("A fresh server: nothing sent yet.")

    # --- chaining --------------------------------------------------------------------------

    def _show_status(self, entry: TimelineEntry) -> None:
        """One line above the response, always in view: the status, or why a success
        should not be read as one."""
        self.query_one("#status-line", Static).update(
            status_line(entry, judge(self.sandbox, entry)))

    def action_capture(self) -> None:
        self.chain_panel.capture_all()

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

    @on(Input.Submitted, "#request-line")
    def _request_line_submitted(self, event: Input.Submitted) -> None:
        """A curl command pasted into the request line is imported."""
        if event.value.lstrip().startswith("curl "):
            from tutor.repeater.curl import CurlError, import_curl

            try:
                self.use_import(import_curl(event.value))
            except CurlError as exc:
                self.notify(visible(str(exc)), severity="error", timeout=6)

    def action_import_curl(self) -> None:
        from tutor.ui.screens.repeater_tools import open_curl_import

        open_curl_import(self)

    def use_import(self, imported: CurlImport) -> None:
        """Put an imported curl command in the editor; f6 now aims at its server."""
        self._dropped_body = ""
        self.load_draft(imported.draft)
        self.editing = None
        if imported.origin is not None:
            self.serve_url = imported.origin
        self.notify(visible(imported.note()), timeout=5)

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
