"""ChainPanel: the Repeater's variables box, capture-rule line and cookie-jar checkbox.

It owns the `Chain` (variables and rules): the screen fills drafts with `chain.fill`
and hands each new response to `after_response`; the panel shows what was caught and
posts `JarToggled` when the checkbox changes.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Checkbox, Input, TextArea

from tutor.browser.events import RecordedResponse
from tutor.repeater.variables import Chain, VariableError, variables_text
from tutor.visible import visible


class ChainPanel(Vertical):
    """Variables (`name = value` lines, editable), a capture rule, the cookie jar."""

    DEFAULT_CSS = """
    ChainPanel {
        height: auto;
    }
    ChainPanel #variables {
        height: 6;
    }
    """

    class JarToggled(Message):
        """The cookie-jar checkbox changed: `on` keeps and sends cookies."""

        def __init__(self, on: bool) -> None:
            super().__init__()
            self.on = on

    def __init__(self, jar: bool = True, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.chain = Chain()
        """Variables and capture rules: `{{name}}` in a request is filled in when sent."""
        self.latest: RecordedResponse | None = None
        """The response on screen: f5 and a newly entered rule capture from it."""
        self._jar = jar
        self._written: str | None = None
        """What the panel last wrote into the variables box (its echo is not an edit)."""

    def compose(self) -> ComposeResult:
        yield TextArea(id="variables", soft_wrap=True)
        yield Input(id="capture-rule", placeholder="token = json.access_token")
        yield Checkbox("Cookie jar", self._jar, id="cookie-jar")

    def on_mount(self) -> None:
        self.query_one("#variables").border_title = "Variables: {{name}}"
        self.query_one("#capture-rule").border_title = "Capture rule (enter)"

    # --- what the screen asks ------------------------------------------------------------

    @property
    def jar(self) -> bool:
        """Whether the cookie-jar box is ticked."""
        return self.query_one("#cookie-jar", Checkbox).value

    def toggle_jar(self) -> None:
        """Tick or untick the cookie jar (the checkbox posts the change)."""
        box = self.query_one("#cookie-jar", Checkbox)
        box.value = not box.value

    def after_response(self, response: RecordedResponse | None) -> None:
        """A new response is on screen: run the rules over it, say what they caught."""
        self.latest = response
        if response is None or not self.chain.rules:
            return
        found, missed = self.chain.after(response)
        if found:
            self._show()
            self.notify("Captured " + ", ".join(sorted(found)), timeout=3)
        for message in missed:
            self.notify(visible(message), severity="warning", timeout=5)

    def capture_all(self) -> None:
        """f5: every top-level JSON value and Set-Cookie value of the response shown."""
        if self.latest is None:
            self.notify("No response to capture from yet: send a request (ctrl+s).",
                        timeout=4)
            return
        found = self.chain.capture_everything(self.latest)
        if not found:
            self.notify("This response has no JSON values or cookies to capture; write a "
                        "rule such as name = header.Location.", timeout=5)
            return
        self._show()
        self.notify("Captured " + ", ".join(visible(name) for name in found)
                    + ": write {{name}} in a request to use one.", timeout=5)

    # --- the learner's edits -------------------------------------------------------------

    def _show(self) -> None:
        area = self.query_one("#variables", TextArea)
        self._written = visible(variables_text(self.chain.values))
        area.text = self._written
        area.border_subtitle = ""

    @on(TextArea.Changed, "#variables")
    def _edited(self, event: TextArea.Changed) -> None:
        event.stop()
        if event.text_area.text == self._written:
            return
        try:
            self.chain.set_text(event.text_area.text)
        except VariableError as exc:
            event.text_area.border_subtitle = visible(str(exc))
            return
        event.text_area.border_subtitle = ""

    @on(Input.Submitted, "#capture-rule")
    def _rule_entered(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            rule = self.chain.add_rule(event.value)
        except VariableError as exc:
            self.notify(visible(str(exc)), severity="error", timeout=6)
            return
        event.input.value = ""
        self.notify(f"Rule kept: {visible(str(rule))} (applied to every response).",
                    timeout=4)
        self.after_response(self.latest)

    @on(Checkbox.Changed, "#cookie-jar")
    def _jar_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.notify("Cookie jar on: cookies are kept and sent." if event.value else
                    "Cookie jar off: raw, only what the editor says is sent.", timeout=3)
        self.post_message(self.JarToggled(event.value))
