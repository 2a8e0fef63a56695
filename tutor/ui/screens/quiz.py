"""The quiz screen: one question at a time, graded by the quiz engine (and, for predict
questions, by the scene running live against the mock server)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.markdown import Markdown as RichMarkdown
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Input, OptionList, SelectionList, Static

from tutor.browser.events import Exchange
from tutor.quiz.grading import Grade, Grader
from tutor.quiz.leitner import record_results
from tutor.quiz.plan import QuizPlan
from tutor.quiz.questions import KIND_LABELS, Question
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
    submit,
)
from tutor.ui.render.quiz_view import HOW_TO_ANSWER, styled_feedback
from tutor.ui.screens.guarded import GuardedScreen

if TYPE_CHECKING:
    from tutor.ui.app import TutorApp

TYPED_KINDS = ("predict", "challenge")
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
        Binding("shift+up,K", "move_item(-1)", "Move up", id="quiz-move-up",
                tooltip="Order questions: move the highlighted item up"),
        Binding("shift+down,J", "move_item(1)", "Move down", id="quiz-move-down",
                tooltip="Order questions: move the highlighted item down"),
        Binding("ctrl+r", "repeater", "Repeater", id="quiz-repeater",
                tooltip="Challenges: work on the challenge server in the Repeater"),
        Binding("escape", "leave", "Back", id="quiz-back",
                tooltip="Leave the quiz (answers so far are saved)"),
    ]

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
        self.arrangement: list[int] = []
        """Order questions: the shown items' indexes, as the learner has arranged them."""
        self.waiting: list[QuizEvent] = []
        """Events held back until the learner has read the feedback and pressed n."""
        self.busy = False
        """A line is being graded (a predict scene may be running)."""
        self.feedback_text = Text()
        """The verdict on the last answer, kept so a revealed answer can follow it."""
        self.head = ""
        """The line above the question: its number, kind and lesson."""
        self._saved = 0

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
            yield OptionList(id="quiz-options")
            yield SelectionList[int](id="quiz-selection")
            yield Input(id="quiz-input")
            yield Static(id="quiz-hints")
            yield Static(id="quiz-feedback")
            yield Static(id="quiz-live")
        yield Footer()

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
                # Out of the typed answer, so n (and Enter) go on to the next question.
                typed = self.query_one("#quiz-input", Input)
                typed.disabled = True
                self.query_one("#quiz", VerticalScroll).focus()
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
            hints.update(Text("\n".join(f"💡 {hint}" for hint in hints_shown)))
        elif isinstance(event, AnswerRejected):
            feedback.update(Text(event.message, style="yellow"))
        elif isinstance(event, AnswerGraded):
            lines = list(event.lines)
            if not event.settled:
                lines.append("Try once more (h for a hint)." if event.question.kind != "challenge"
                             else "Send another request, or s to skip.")
            self.feedback_text = styled_feedback(lines, event.grade.correct)
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
        from tutor.scenes.engine import login_steps_of
        from tutor.scenes.events import ExchangeSeen
        from tutor.ui.render import render_exchange, render_sequence

        seen = ExchangeSeen(0, exchange, login_steps_of(exchange), None)
        width = max(self.query_one("#quiz", VerticalScroll).size.width - 6, 40)
        self.query_one("#quiz-live", Static).update(Group(
            Text("On the stage, the exchange that decided it:", style="bold"),
            render_sequence([seen], 0, width), render_exchange(exchange)))

    def _show_question(self, event: QuestionShown) -> None:
        question = event.question
        self.question = question
        self.head = (f"Question {event.number} of {event.total}  ·  "
                     f"{KIND_LABELS.get(question.kind, question.kind)}  ·  "
                     f"lesson {question.lesson_id}")
        self._set_head()
        self.query_one("#quiz-question", Static).update(RichMarkdown(question.prompt))
        self.query_one("#quiz-hints", Static).update("")
        self.query_one("#quiz-live", Static).update("")
        feedback = self.query_one("#quiz-feedback", Static)
        how = HOW_TO_ANSWER.get(question.kind, event.instructions)
        keys = ("(type h for a hint, s to skip)" if question.kind in TYPED_KINDS
                else "(h for a hint, s to skip)")
        feedback.update(Text(f"{how} {keys}", style="dim"))
        feedback.remove_class("settled")
        options = self.query_one("#quiz-options", OptionList)
        selection = self.query_one("#quiz-selection", SelectionList)
        typed = self.query_one("#quiz-input", Input)
        options.clear_options()
        selection.clear_options()
        typed.value = ""
        typed.disabled = False
        options.display = question.kind in ("single", "true_false", "order")
        selection.display = question.kind == "multiple"
        typed.display = question.kind in TYPED_KINDS
        if question.kind == "multiple":
            # Text prompts, never markup: options are lesson text and may hold brackets.
            selection.add_options([(Text(text), index) for index, text in
                                   enumerate(question.choices)])
            selection.focus()
        elif question.kind in TYPED_KINDS:
            typed.placeholder = ("the HTTP status code, e.g. 401" if question.kind == "predict"
                                 else "a curl command, e.g. curl -H 'Authorization: …' "
                                 "http://127.0.0.1:8000/admin")
            typed.focus()
        else:
            self.arrangement = list(range(len(question.choices)))
            self._fill_options(0)
            options.focus()
        self.query_one("#quiz", VerticalScroll).scroll_home(animate=False)

    def _fill_options(self, highlighted: int) -> None:
        question = self.question
        if question is None:
            return
        options = self.query_one("#quiz-options", OptionList)
        options.clear_options()
        if question.kind == "order":
            options.add_options([Text(f"{place}. {question.choices[index]}")
                                 for place, index in enumerate(self.arrangement, 1)])
        else:
            options.add_options([Text(f"{number}. {text}")
                                 for number, text in enumerate(question.choices, 1)])
        options.highlighted = highlighted

    def _set_head(self, suffix: str = "") -> None:
        score = self.session.score
        tail = f"  ·  score {score}" if score.answered else ""
        self.query_one("#quiz-head", Static).update(Text(self.head + tail + suffix,
                                                         style="bold"))

    def _show_finish(self, event: QuizFinished) -> None:
        self.question = None
        for selector in ("#quiz-options", "#quiz-selection", "#quiz-input"):
            self.query_one(selector).display = False
        self.query_one("#quiz-hints", Static).update("")
        score = event.score
        self.query_one("#quiz-head", Static).update(Text("Quiz finished", style="bold"))
        if not self.plan.questions:
            summary = Text("There are no questions to ask here.")
        else:
            summary = Text(f"You got {score.correct} of {score.answered} right "
                           f"({score.first_try} at the first try).\n\n", style="bold")
            for result in event.results:
                mark, style = ("✓", "green") if result.correct else ("✗", "red")
                summary.append(f"{mark} ", style=style)
                summary.append(f"{result.key}\n")
            summary.append("\nMissed questions come back sooner in `tutor quiz` reviews. "
                           "Esc goes back.", style="dim")
        self.query_one("#quiz-question", Static).update(summary)
        feedback = self.query_one("#quiz-feedback", Static)
        feedback.update("")
        feedback.remove_class("settled")
        self.query_one("#quiz-live", Static).update("")
        self._save_results()

    def _save_results(self) -> None:
        results = self.session.results
        if len(results) > self._saved:
            record_results(self.tutor.progress, results[self._saved:])
            self._saved = len(results)
            self.tutor.save_progress()

    # --- answering -------------------------------------------------------------------------

    def current_line(self) -> str | None:
        """The answer the widgets hold, as the line the plain quiz would read."""
        question = self.question
        if question is None:
            return None
        if question.kind == "multiple":
            chosen = self.query_one("#quiz-selection", SelectionList).selected
            return ",".join(str(index + 1) for index in sorted(chosen))
        if question.kind in TYPED_KINDS:
            return self.query_one("#quiz-input", Input).value
        if question.kind == "order":
            return ",".join(str(index + 1) for index in self.arrangement)
        highlighted = self.query_one("#quiz-options", OptionList).highlighted
        return None if highlighted is None else str(highlighted + 1)

    def send(self, line: str) -> None:
        """Grade one line (an answer, `h` or `s`), exactly as the plain quiz would."""
        if self.busy or self.session.finished:
            return
        self.busy = True
        self._grade(line)

    @work(exclusive=True, group="quiz", exit_on_error=False)
    async def _grade(self, line: str) -> None:
        try:
            events = await submit(self.session, self.grader, line)
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
        line = self.current_line()
        if line is None or not line.strip():
            self.notify("Choose an answer first.", timeout=2)
            return
        self.send(line)

    def action_hint(self) -> None:
        if not self.waiting:
            self.send("h")

    def action_skip(self) -> None:
        if not self.waiting:
            self.send("s")

    def action_next_question(self) -> None:
        if not self.waiting:
            return
        events, self.waiting = self.waiting, []
        self.query_one("#quiz-feedback", Static).remove_class("settled")
        self._handle(events)

    def action_move_item(self, step: int) -> None:
        question = self.question
        options = self.query_one("#quiz-options", OptionList)
        if question is None or question.kind != "order" or options.highlighted is None:
            return
        here = options.highlighted
        there = here + step
        if not 0 <= there < len(self.arrangement):
            return
        self.arrangement[here], self.arrangement[there] = (self.arrangement[there],
                                                           self.arrangement[here])
        self._fill_options(there)

    @on(OptionList.OptionSelected, "#quiz-options")
    def _option_chosen(self) -> None:
        self.action_answer()

    @on(Input.Submitted, "#quiz-input")
    def _typed(self, event: Input.Submitted) -> None:
        if self.waiting:
            self.action_next_question()
        elif event.value.strip():
            self.send(event.value)
            event.input.value = ""

    def action_repeater(self) -> None:
        question = self.question
        if question is None or question.kind != "challenge" or self.waiting or self.busy:
            self.notify("The Repeater grades challenge questions.", timeout=3)
            return
        from tutor.repeater.challenges import STATE_KEY, ChallengeError, start_challenge
        from tutor.ui.screens.repeater import RepeaterScreen

        state = self.grader.challenge_state(question)
        run = state.get(STATE_KEY)
        if run is None:
            try:
                run = state[STATE_KEY] = start_challenge(question.quiz.data)
            except ChallengeError as exc:
                self.notify(f"This challenge is written wrongly: {exc}", severity="error")
                return

        def back(passed: bool | None) -> None:
            if passed and self.question is question:
                verdict = run.goal_met()
                self._handle(self.session.record(Grade(
                    True, "Goal reached: the server accepted it.", detail=verdict.message)))

        self.app.push_screen(RepeaterScreen(challenge=run, title="Challenge"), back)

    def action_leave(self) -> None:
        self._save_results()
        self.app.pop_screen()
