"""The quiz screen: one question at a time, graded by the quiz engine (and, for predict
questions, by the scene running live against the mock server)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from tutor.browser.events import Exchange
from tutor.quiz.grading import Grader
from tutor.quiz.leitner import record_results
from tutor.quiz.plan import QuizPlan
from tutor.quiz.questions import Answer, BadAnswer, Question
from tutor.quiz.session import (
    AnswerGraded,
    AnswerRejected,
    AnswerRevealed,
    HintShown,
    QuestionShown,
    QuestionUnavailable,
    QuizEvent,
    QuizFinished,
    QuizSession,
    submit_answer,
)
from tutor.ui.render.markdown import Prose, one_line
from tutor.ui.render.quiz_view import styled_feedback
from tutor.ui.screens.guarded import GuardedScreen
from tutor.ui.widgets.answers import AnswerWidget, answer_widget
from tutor.ui.widgets.footer import TutorFooter
from tutor.visible import visible_text

if TYPE_CHECKING:
    from tutor.ui.app import TutorApp


class QuizScreen(GuardedScreen[None]):
    """Asks a quiz plan's questions; results go into the learner's progress as they settle."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "answer", "Answer", id="quiz-answer",
                tooltip="Answer with the options chosen (Enter works too)"),
        Binding("h", "hint", "Hint", id="quiz-hint", tooltip="Reveal the next hint"),
        Binding("s", "skip", "Skip", id="quiz-skip",
                tooltip="Give up on this question and see the answer"),
        Binding("n,enter", "next_question", "Next", id="quiz-next",
                tooltip="Go on to the next question"),
        Binding("ctrl+r", "repeater", "Repeater", id="quiz-repeater",
                tooltip="Challenges: work on the challenge server in the Repeater"),
        Binding("escape,q", "leave", "Back", id="quiz-back",
                tooltip="Leave the quiz (answers so far are saved)"),
    ]
    FOOTER_KEYS: ClassVar[tuple[str, ...]] = (
        "quiz-next", "quiz-answer", "quiz-move-up", "quiz-move-down", "quiz-repeater",
        "quiz-hint", "quiz-skip", "quiz-back", "help")
    """The footer's keys, most useful first; each is shown only when it works now."""

    class Answered(Message):
        """The quiz engine has graded a line; these events are what to show."""

        def __init__(self, events: list[QuizEvent]) -> None:
            super().__init__()
            self.events = events

    def __init__(self, plan: QuizPlan) -> None:
        super().__init__()
        self.plan = plan
        self.session = QuizSession(plan.questions)
        self.grader = Grader()
        self.question: Question | None = None
        """The question on screen."""
        self.answer_widget: AnswerWidget | None = None
        """How the question on screen is answered (one widget per kind)."""
        self.waiting: list[QuizEvent] = []
        """Events held back until the learner has read the feedback and pressed n."""
        self.busy = False
        """An answer is being graded (a predict scene may be running)."""
        self.feedback_text = Text()
        """The verdict on the last answer, kept so a revealed answer can follow it."""
        self.head = ""
        """The line above the question: its number, kind and lesson."""
        self._saved = 0

    def allows(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Each key is in the footer only while it does something: Next once the verdict
        is read, Answer for ticked options, the Repeater for challenges, Hint and Skip
        while a question waits (a typed answer takes h and s as typed words instead)."""
        if action == "leave":
            return True
        if action == "next_question":
            return bool(self.waiting)
        asking = self.answer_widget is not None and not self.waiting
        widget = self.answer_widget
        if action == "answer":
            return asking and widget is not None and widget.answer_key
        if action == "repeater":
            return asking and widget is not None and widget.has_tool
        if action in ("hint", "skip"):
            return asking and widget is not None and not widget.types_words
        return True

    @property
    def tutor(self) -> TutorApp:
        from tutor.ui.app import TutorApp

        assert isinstance(self.app, TutorApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Static(f"tutor — Quiz: {self.plan.title}", id="title-bar", markup=False)
        with VerticalScroll(id="quiz"):
            yield Static(id="quiz-head")
            yield Static(id="quiz-question")
            yield Vertical(id="quiz-answer")
            yield Static(id="quiz-hints")
            yield Static(id="quiz-feedback")
            yield Static(id="quiz-live")
        yield TutorFooter()

    def on_mount(self) -> None:
        self.tutor.save_progress()  # the review session this run counts as
        if self.alive:
            self._handle(self.session.start())

    # --- showing events ----------------------------------------------------------------------

    def _handle(self, events: list[QuizEvent]) -> None:
        for position, event in enumerate(events):
            if isinstance(event, (QuestionShown, QuizFinished)) and self._feedback_showing():
                # Let the learner read the verdict before the next question replaces it.
                self.waiting = events[position:]
                self._set_head(suffix="  ·  press n for the next question")
                # Out of the answer widget, so n (and Enter) go on to the next question.
                if self.answer_widget is not None:
                    self.answer_widget.disabled = True
                self.query_one("#quiz", VerticalScroll).focus()
                self.refresh_bindings()
                break
            self._show(event)
        self._save_results()

    def _feedback_showing(self) -> bool:
        return bool(self.query_one("#quiz-feedback", Static).has_class("settled"))

    def _show(self, event: QuizEvent) -> None:
        feedback = self.query_one("#quiz-feedback", Static)
        if isinstance(event, QuestionShown):
            self._show_question(event)
        elif isinstance(event, HintShown):
            hints = self.query_one("#quiz-hints", Static)
            if not event.text:
                self.notify("No more hints for this question." if event.number
                            else "This question has no hints.", timeout=3)
                return
            hints_shown = self.question.hints[: event.number] if self.question else ()
            hints.update(Prose("\n\n".join(f"💡 {hint}" for hint in hints_shown),
                               self.app.current_theme.dark))
        elif isinstance(event, AnswerRejected):
            feedback.update(Text(event.message, style="yellow"))
        elif isinstance(event, AnswerGraded):
            self.feedback_text = styled_feedback(event.shown_lines, event.grade.correct)
            feedback.update(self.feedback_text)
            feedback.set_class(event.settled, "settled")
            live = event.grade.live
            if event.settled and live is not None and live.exchange is not None:
                self._show_live(live.exchange)
        elif isinstance(event, AnswerRevealed):
            revealed = styled_feedback(event.lines, None)
            revealed.stylize("bold", 0, len(event.lines[0]) if event.lines else 0)
            shown = self.feedback_text.copy() if feedback.has_class("settled") else Text()
            shown.append_text(revealed)
            self.feedback_text = shown
            feedback.update(shown)
            feedback.add_class("settled")
        elif isinstance(event, QuestionUnavailable):
            feedback.update(Text(f"Left out of the score: {event.message}", style="yellow"))
            feedback.add_class("settled")
        elif isinstance(event, QuizFinished):
            self._show_finish(event)

    def _show_live(self, exchange: Exchange) -> None:
        """The predict step's real exchange, drawn as the stage draws it."""
        from tutor.har.stage import story_of_exchanges
        from tutor.scenes.engine import login_steps_of
        from tutor.scenes.events import ExchangeSeen
        from tutor.ui.render import render_exchange
        from tutor.ui.render.story import render_story

        seen = ExchangeSeen(0, exchange, login_steps_of(exchange), None)
        width = max(self.query_one("#quiz", VerticalScroll).size.width - 6, 40)
        self.query_one("#quiz-live", Static).update(Group(
            Text("On the stage, the exchange that decided it:", style="bold"),
            render_story(story_of_exchanges([seen]), 0, width), render_exchange(exchange)))

    def _show_question(self, event: QuestionShown) -> None:
        question = event.question
        self.question = question
        lesson = self.tutor.catalogue.get(question.lesson_id)
        self.head = (f"Question {event.number} of {event.total}  ·  "
                     f"{question.quiz_kind.label}  ·  "
                     f"{lesson.title if lesson else question.lesson_id}")
        self._set_head()
        self.query_one("#quiz-question", Static).update(
            Prose(visible_text(question.prompt), self.app.current_theme.dark))
        self.query_one("#quiz-hints", Static).update("")
        self.query_one("#quiz-live", Static).update("")
        widget = self._mount_answer(answer_widget(question))
        feedback = self.query_one("#quiz-feedback", Static)
        feedback.update(Text(f"{widget.how_to} {widget.keys}", style="dim"))
        feedback.remove_class("settled")
        self.query_one("#quiz", VerticalScroll).scroll_home(animate=False)

    def _mount_answer(self, widget: AnswerWidget) -> AnswerWidget:
        """Replace the answer widget (None: just remove it); it focuses itself on mount."""
        area = self.query_one("#quiz-answer", Vertical)
        area.remove_children()
        area.mount(widget)
        self.answer_widget = widget
        self.refresh_bindings()
        return widget

    def _set_head(self, suffix: str = "") -> None:
        score = self.session.score
        tail = (f"  ·  {score.first_try} of {score.answered} right at the first try"
                if score.answered else "")
        self.query_one("#quiz-head", Static).update(Text(self.head + tail + suffix,
                                                         style="bold"))

    def _show_finish(self, event: QuizFinished) -> None:
        self.question = None
        self.answer_widget = None
        self.query_one("#quiz-answer", Vertical).remove_children()
        self.query_one("#quiz-hints", Static).update("")
        score = event.score
        self.query_one("#quiz-head", Static).update(Text("Quiz finished", style="bold"))
        if not self.plan.questions:
            summary = Text("There are no questions to ask here.")
        else:
            # Styles on spans: a Text's own style would make every line bold.
            summary = Text()
            summary.append(f"Score {score}: {score.summary()}\n\n", style="bold")
            settled = {result.key: result for result in event.results}
            width = max(self.query_one("#quiz", VerticalScroll).size.width - 20, 30)
            for question in self.plan.questions:
                result = settled.get(question.key)
                if result is None:
                    mark, style, how = "·", "dim", "not answered"
                elif result.first_try:
                    mark, style, how = "✓", "green", "first try"
                elif result.correct:
                    mark, style, how = "✓", "yellow", "second try"
                else:
                    mark, style, how = "✗", "red", "skipped" if result.skipped else "missed"
                summary.append(f"{mark} ", style=style)
                # The question in a line, not its id: the learner never sees ids.
                summary.append(one_line(question.prompt, width))
                summary.append(f"  ({how})\n", style="dim")
            summary.append("\nMissed questions come back sooner in reviews (v in the "
                           "catalogue, or ", style="dim")
            summary.append("tutor quiz", style="dim bold")
            summary.append("). q goes back.", style="dim")
        self.query_one("#quiz-question", Static).update(summary)
        feedback = self.query_one("#quiz-feedback", Static)
        feedback.update("")
        feedback.remove_class("settled")
        self.query_one("#quiz-live", Static).update("")
        self._save_results()
        self.refresh_bindings()

    def _save_results(self) -> None:
        results = self.session.results
        if len(results) > self._saved:
            record_results(self.tutor.progress, results[self._saved:])
            self._saved = len(results)
            self.tutor.save_progress()

    # --- answering -------------------------------------------------------------------------

    def send(self, answer: Answer | BadAnswer) -> None:
        """Grade one answer from the widget on screen, as the plain quiz grades a line."""
        if self.busy or self.session.finished:
            return
        self.busy = True
        self._grade(answer)

    @work(exclusive=True, group="quiz", exit_on_error=False)
    async def _grade(self, answer: Answer | BadAnswer) -> None:
        try:
            events = await submit_answer(self.session, self.grader, answer)
        finally:
            self.busy = False
        self.post_message(self.Answered(events))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if self.alive:
            self._handle(message.events)
            self._set_head(suffix="  ·  press n for the next question" if self.waiting
                           else "")

    def action_answer(self) -> None:
        if self.waiting:
            self.action_next_question()
            return
        answer = self.answer_widget.answer() if self.answer_widget is not None else None
        if answer is None:
            self.notify("Choose an answer first.", timeout=2)
            return
        self.send(answer)

    def action_hint(self) -> None:
        if not self.waiting and not self.busy and not self.session.finished:
            self._handle([self.session.hint()])

    def action_skip(self) -> None:
        if not self.waiting and not self.busy and not self.session.finished:
            self._handle(self.session.skip())

    def action_next_question(self) -> None:
        if not self.waiting:
            return
        events, self.waiting = self.waiting, []
        self.query_one("#quiz-feedback", Static).remove_class("settled")
        self._handle(events)
        self.refresh_bindings()

    @on(AnswerWidget.Chosen)
    def _chosen(self, message: AnswerWidget.Chosen) -> None:
        if self.waiting:
            self.action_next_question()
        else:
            self.send(message.answer)

    @on(AnswerWidget.HintAsked)
    def _hint_typed(self) -> None:
        self.action_hint()

    @on(AnswerWidget.SkipAsked)
    def _skip_typed(self) -> None:
        self.action_skip()

    @on(AnswerWidget.Graded)
    def _graded_by_tool(self, message: AnswerWidget.Graded) -> None:
        if message.question is self.question and not self.waiting:
            self._handle(self.session.record(message.grade))

    def action_repeater(self) -> None:
        question, widget = self.question, self.answer_widget
        if (question is None or widget is None or self.waiting or self.busy
                or not widget.open_tool(self.grader.state(question))):
            self.notify("The Repeater grades challenge questions.", timeout=3)

    def action_leave(self) -> None:
        self._save_results()
        self.tutor.leave(self)
