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
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Checkbox, Input, OptionList, Static, TextArea

from tutor.har.folder import har_folder
from tutor.repeater.curl import CurlImport, for_serve, to_curl
from tutor.repeater.draft import DraftError, RequestDraft
from tutor.repeater.editor_text import draft_from_editor, editor_headers
from tutor.repeater.goal import CrossSite
from tutor.repeater.sandbox import Resent, Sandbox, SandboxError, TimelineEntry
from tutor.repeater.sending import deliver
from tutor.repeater.variables import Chain, VariableError, variables_text
from tutor.repeater.verdict import judge
from tutor.server.served import DEFAULT_URL, HOST_PREFIX
from tutor.ui.har_save import save_exchanges
from tutor.ui.render import render_exchange, timeline_row
from tutor.ui.render._text import status_label
from tutor.ui.screens.guarded import GuardedScreen
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


def timeline_label(entry: TimelineEntry) -> Text:
    """One timeline row: number, request, status, credential, login steps, who sent it."""
    main = entry.main
    if main is None:
        return Text(f"{entry.index + 1:>3} {entry.label}", style="dim")
    return timeline_row(entry.index + 1, main, entry.login_steps,
                        sender="" if entry.sender == "you" else entry.sender)


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
        self.chain = Chain()
        """Variables and capture rules: `{{name}}` in a request is filled in when sent."""
        self.serve_url = os.environ.get(SERVE_URL_VARIABLE) or DEFAULT_URL
        """The `tutor serve` f6 writes curl for (a curl import's URL moves it)."""
        self.shown: TimelineEntry | None = None
        """The entry whose response is shown (f5 captures from it)."""
        self._dropped_body = ""
        """The body switching to GET dropped, given back if the method changes again."""
        self._written_variables: str | None = None
        """What the screen last wrote into the variables box (its echo is not an edit)."""
        self._method = ""
        """The request line's method as last seen: only a change to GET drops the body."""

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
                yield TextArea(id="variables", soft_wrap=True)
                yield Input(id="capture-rule", placeholder="token = json.access_token")
                yield Checkbox("Cookie jar", True, id="cookie-jar")
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
        self.query_one("#variables").border_title = "Variables: {{name}}"
        self.query_one("#capture-rule").border_title = "Capture rule (enter)"
        self.query_one("#cookie-jar", Checkbox).value = self.sandbox.cookie_jar
        self._load_draft(self.initial_draft)
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

    def _load_draft(self, draft: RequestDraft) -> None:
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
        self._apply_rules(message.entry)
        if message.verdict is not None:
            self._set_goal(message.verdict)

    def _show_entry(self, entry: TimelineEntry, resent: Resent | None = None) -> None:
        self.shown = entry
        self._show_status(entry)
        parts: list[RenderableType] = []
        if resent is not None:
            changes = Text()
            changes.append("Compared with the original:\n", style="bold")
            changes.append("\n".join(resent.diff.summary()) or "no difference")
            parts.append(changes)
            parts.append(self._side_by_side(resent))
        elif entry.main is not None:
            parts.append(render_exchange(entry.main))
        for blocked in entry.blocked:
            parts.append(Text(f"The browser refused: {blocked.reason}", style="yellow"))
        for handled in entry.handled:
            event = handled.event
            parts.append(Text(f"Server log: {event.method} {event.path} → {event.status}"
                              f" ({event.reason})", style="dim"))
        self.query_one("#response", Static).update(Group(*parts))

    def _side_by_side(self, resent: Resent) -> RenderableType:
        """The original exchange beside the new one (one above the other when narrow)."""
        before = Group(Text("Before", style="bold reverse"), render_exchange(resent.old))
        now = Group(Text("Now", style="bold reverse"), render_exchange(resent.new))
        if self.has_class("narrow"):
            return Group(before, Text(""), now)
        grid = Table.grid(padding=(0, 2), expand=True)
        grid.add_column(ratio=1)
        grid.add_column(ratio=1)
        grid.add_row(before, now)
        return grid

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
            self._load_draft(entry.draft)
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
            self.shown = None
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
        from tutor.ui.screens.jwt_editor import JwtEditorScreen, token_in_draft

        try:
            draft = self.current_draft()
        except DraftError as exc:
            self.notify(visible(str(exc)), severity="error")
            return
        if self.sandbox.config.mode == "signed-cookie":
            self._signed_cookie_editor(draft)
            return
        token = token_in_draft(draft)
        if token is not None and "{{" in token:
            try:
                token = token_in_draft(self.chain.fill(draft))
            except VariableError as exc:
                self.notify(visible(str(exc)), severity="error")
                return
        token = token or self._last_token()
        if token is None:
            self.notify("No token to edit: log in to a jwt-mode server first (f8 picks "
                        "the mode).", timeout=5)
            return

        def use(edited: str | None) -> None:
            if edited:
                self._load_draft(draft.with_header("Authorization", f"Bearer {edited}"))

        self.app.push_screen(JwtEditorScreen(token), use)

    def _signed_cookie_editor(self, draft: RequestDraft) -> None:
        """f7 on a signed-cookie server: the session cookie in the draft, else the jar's."""
        from tutor.ui.screens.signed_editor import SignedCookieEditorScreen

        def ours(name: str) -> bool:
            return name.removeprefix(HOST_PREFIX) == "session"

        found = next(((n, v) for n, v in draft.cookies if ours(n)), None)
        if found is None:
            found = next(((c.name, c.value) for c in self.sandbox.you.jar.cookies()
                          if ours(c.name)), None)
        if found is None:
            self.notify("No session cookie to edit: log in first (ctrl+s on the starter "
                        "request), with the cookie jar on.", timeout=5)
            return
        name, value = found

        def use(edited: str | None) -> None:
            if edited:
                self._load_draft(draft.with_cookie(name, edited))

        self.app.push_screen(SignedCookieEditorScreen(value, self.sandbox.world.clock.now()),
                             use)

    def _last_token(self) -> str | None:
        from tutor.ui.widgets.stage import token_in

        for entry in reversed(self.sandbox.current):
            if entry.main is not None:
                token = token_in(entry.main)
                if token:
                    return token
        return None

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
        self.sandbox.cookie_jar = self.query_one("#cookie-jar", Checkbox).value
        await self.sandbox.start()
        self._show_title()
        self._refresh_timeline()
        self.query_one("#response", Static).update("A fresh server: nothing sent yet.")

    # --- chaining --------------------------------------------------------------------------

    def _show_status(self, entry: TimelineEntry) -> None:
        """One line above the response, always in view: the status, or why a success
        should not be read as one."""
        line = self.query_one("#status-line", Static)
        main = entry.main
        if main is None:
            line.update(Text(entry.label, style="dim"))
            return
        status = main.response.status
        verdict = judge(self.sandbox, entry)
        text = Text()
        if verdict is not None:
            text.append(f" {status_label(status)} ", style="bold black on yellow")
            text.append(f" {verdict.message}", style="bold yellow")
        else:
            style = "green" if status < 300 else "cyan" if status < 400 else "red"
            text.append(f" {status_label(status)} ", style=f"bold reverse {style}")
            text.append(f" {main.request.method} {visible(main.request.url)}")
        line.update(text)

    def _apply_rules(self, entry: TimelineEntry) -> None:
        """Run the capture rules over a new response, and show what they caught."""
        if entry.main is None or not self.chain.rules:
            return
        found, missed = self.chain.after(entry.main.response)
        if found:
            self._show_variables()
            self.notify("Captured " + ", ".join(sorted(found)), timeout=3)
        for message in missed:
            self.notify(visible(message), severity="warning", timeout=5)

    def action_capture(self) -> None:
        main = self.shown.main if self.shown is not None else None
        if main is None:
            self.notify("No response to capture from yet: send a request (ctrl+s).",
                        timeout=4)
            return
        found = self.chain.capture_everything(main.response)
        if not found:
            self.notify("This response has no JSON values or cookies to capture; write a "
                        "rule such as name = header.Location.", timeout=5)
            return
        self._show_variables()
        self.notify("Captured " + ", ".join(visible(name) for name in found)
                    + ": write {{name}} in a request to use one.", timeout=5)

    def _show_variables(self) -> None:
        area = self.query_one("#variables", TextArea)
        self._written_variables = visible(variables_text(self.chain.values))
        area.text = self._written_variables
        area.border_subtitle = ""

    @on(TextArea.Changed, "#variables")
    def _variables_edited(self, event: TextArea.Changed) -> None:
        if event.text_area.text == self._written_variables:
            return
        try:
            self.chain.set_text(event.text_area.text)
        except VariableError as exc:
            event.text_area.border_subtitle = visible(str(exc))
            return
        event.text_area.border_subtitle = ""

    @on(Input.Submitted, "#capture-rule")
    def _rule_entered(self, event: Input.Submitted) -> None:
        try:
            rule = self.chain.add_rule(event.value)
        except VariableError as exc:
            self.notify(visible(str(exc)), severity="error", timeout=6)
            return
        event.input.value = ""
        self.notify(f"Rule kept: {visible(str(rule))} (applied to every response).",
                    timeout=4)
        if self.shown is not None:
            self._apply_rules(self.shown)

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
                self._use_import(import_curl(event.value))
            except CurlError as exc:
                self.notify(visible(str(exc)), severity="error", timeout=6)

    def action_import_curl(self) -> None:
        from tutor.ui.screens.curl_import import CurlImportScreen

        def imported(result: CurlImport | None) -> None:
            if result is not None:
                self._use_import(result)

        self.app.push_screen(CurlImportScreen(), imported)

    def _use_import(self, imported: CurlImport) -> None:
        self._dropped_body = ""
        self._load_draft(imported.draft)
        self.editing = None
        if imported.origin is not None:
            self.serve_url = imported.origin
        self.notify(visible(imported.note()), timeout=5)

    def action_toggle_jar(self) -> None:
        box = self.query_one("#cookie-jar", Checkbox)
        box.value = not box.value

    @on(Checkbox.Changed, "#cookie-jar")
    def _jar_changed(self, event: Checkbox.Changed) -> None:
        self.sandbox.cookie_jar = event.value
        self.notify("Cookie jar on: cookies are kept and sent." if event.value else
                    "Cookie jar off: raw, only what the editor says is sent.", timeout=3)

    def action_leave(self) -> None:
        self.sandbox.release()  # a borrowed scene world goes back exactly as it was
        self.dismiss(self.goal_met)

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "narrow")
        self.set_class(self.size.height < 32, "short")
