"""One answer widget per quiz kind: each gives the quiz screen a typed answer directly.

The screen mounts `answer_widget(question)` for each question. A kind with no widget
here gets `TypedAnswer`, a line read by the kind's own parser, so a new kind works in the
TUI at once; a widget of its own is the one UI file a kind may add.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, SelectionList

from tutor.quiz.grading import Grade
from tutor.quiz.kinds.base import Answer, BadAnswer, Question
from tutor.quiz.kinds.choice import Picked
from tutor.quiz.questions import parse_answer
from tutor.quiz.session import HINT_WORDS, SKIP_WORDS
from tutor.ui.widgets.option_list import PagedOptionList

if TYPE_CHECKING:
    from tutor.repeater.challenges import ChallengeRun

KEYS = "(h for a hint, s to skip)"


class AnswerWidget(Vertical):
    """How one kind of question is answered on screen."""

    DEFAULT_CSS = """
    AnswerWidget {
        height: auto;
    }
    """
    how_to: ClassVar[str] = "Type your answer, then Enter."
    """The instructions shown under the question (the kind's are for typed lines)."""
    keys: ClassVar[str] = KEYS
    """How hints and skipping are asked for while this widget has focus."""
    answer_key: ClassVar[bool] = False
    """Whether `a` is how an answer is given (ticked options); else Enter or a pick."""
    types_words: ClassVar[bool] = False
    """A line is typed: h and s are letters there, so hints and skips are typed words."""
    has_tool: ClassVar[bool] = False
    """The kind has a workbench that ctrl+r opens (the Repeater for challenges)."""

    class Chosen(Message):
        """The learner committed an answer (Enter, or a pick)."""

        def __init__(self, answer: Answer | BadAnswer) -> None:
            super().__init__()
            self.answer = answer

    class HintAsked(Message):
        """The learner typed h (a typed answer cannot take the h key for itself)."""

    class SkipAsked(Message):
        """The learner typed s."""

    class Graded(Message):
        """A tool of the widget's (the Repeater) graded the question by itself."""

        def __init__(self, question: Question, grade: Grade) -> None:
            super().__init__()
            self.question = question
            self.grade = grade

    def __init__(self, question: Question) -> None:
        super().__init__()
        self.question = question

    def answer(self) -> Answer | BadAnswer | None:
        """The answer the widget holds now (None: nothing chosen yet)."""
        raise NotImplementedError

    def on_mount(self) -> None:
        self.focus_answer()

    def focus_answer(self) -> None:
        """Put the focus where the learner answers."""
        self.query("Input, OptionList, SelectionList").first().focus()

    def open_tool(self, state: dict[str, Any]) -> bool:
        """Open the kind's workbench (ctrl+r), sharing the question's grading `state`;
        False when the kind has none."""
        return False


class PickOne(AnswerWidget):
    """single and true_false: a list; Enter answers with the highlighted option, and a
    digit answers with that option, as in the plain quiz."""

    how_to = "↑/↓ to choose, Enter to answer, or the option's number."

    def compose(self) -> ComposeResult:
        # Text prompts, never markup: options are lesson text and may hold brackets.
        yield PagedOptionList(*(Text(f"{number}. {text}") for number, text in
                           enumerate(self.question.choices, 1)), id="quiz-options")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        super().on_mount()

    def answer(self) -> Picked | None:
        highlighted = self.query_one(OptionList).highlighted
        return None if highlighted is None else Picked((highlighted,))

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if (answer := self.answer()) is not None:
            self.post_message(self.Chosen(answer))

    def on_key(self, event: events.Key) -> None:
        index = option_number(event, len(self.question.choices))
        if index is not None:
            event.stop()
            self.query_one(OptionList).highlighted = index
            self.post_message(self.Chosen(Picked((index,))))


def option_number(event: events.Key, count: int) -> int | None:
    """The option a digit key names (1 is the first), or None for any other key."""
    if event.character and event.character.isdecimal() and len(event.character) == 1:
        number = int(event.character)
        if 1 <= number <= count:
            return number - 1
    return None


class PickMany(AnswerWidget):
    """multiple: options to tick; a answers with every ticked one."""

    how_to = ("Space or the option's number ticks it; tick every right one, then press a "
              "to answer.")
    answer_key = True

    def compose(self) -> ComposeResult:
        yield SelectionList[int](*((Text(f"{index + 1}. {text}"), index) for index, text in
                                   enumerate(self.question.choices)), id="quiz-selection")

    def on_key(self, event: events.Key) -> None:
        index = option_number(event, len(self.question.choices))
        if index is not None:
            event.stop()
            options = self.query_one(SelectionList)
            options.toggle(index)
            options.highlighted = index

    def answer(self) -> Picked | None:
        chosen = self.query_one(SelectionList).selected
        return Picked(tuple(sorted(chosen))) if chosen else None


class Arrange(AnswerWidget):
    """order: the shown items, moved into place; Enter answers with the arrangement."""

    how_to = "Move the highlighted item with shift+↑/↓ (or K/J), then press Enter."
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("shift+up,K", "move_item(-1)", "Move up", id="quiz-move-up",
                tooltip="Move the highlighted item up"),
        Binding("shift+down,J", "move_item(1)", "Move down", id="quiz-move-down",
                tooltip="Move the highlighted item down"),
    ]

    def __init__(self, question: Question) -> None:
        super().__init__(question)
        self.arrangement = list(range(len(question.choices)))
        """The shown items' indexes, as the learner has arranged them."""

    def compose(self) -> ComposeResult:
        yield PagedOptionList(id="quiz-options")

    def on_mount(self) -> None:
        self._fill(0)
        super().on_mount()

    def _fill(self, highlighted: int) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Text(f"{place}. {self.question.choices[index]}")
                             for place, index in enumerate(self.arrangement, 1)])
        options.highlighted = highlighted

    def answer(self) -> Picked:
        return Picked(tuple(self.arrangement))

    def action_move_item(self, step: int) -> None:
        here = self.query_one(OptionList).highlighted
        if here is None or not 0 <= here + step < len(self.arrangement):
            return
        there = here + step
        self.arrangement[here], self.arrangement[there] = (self.arrangement[there],
                                                           self.arrangement[here])
        self._fill(there)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self.answer()))


class TypedAnswer(AnswerWidget):
    """A line, read by the kind's own parser (the plain quiz's reading); h and s typed
    alone ask for a hint or a skip, as they do there."""

    keys = "(type h for a hint, s to skip)"
    types_words = True
    placeholder: ClassVar[str] = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder=self.placeholder, id="quiz-input")

    def answer(self) -> Answer | BadAnswer | None:
        text = self.query_one(Input).value
        return parse_answer(self.question, text) if text.strip() else None

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        word = event.value.strip().lower()
        if word in HINT_WORDS:
            self.post_message(self.HintAsked())
        elif word in SKIP_WORDS:
            self.post_message(self.SkipAsked())
        elif (answer := self.answer()) is not None:
            self.post_message(self.Chosen(answer))
        else:
            return
        event.input.value = ""


class StatusAnswer(TypedAnswer):
    """predict: the status code, typed."""

    how_to = ("Type the status code the server will answer with, then Enter. The scene "
              "then runs for real.")
    # Never an example status: one would be the answer to some question.
    placeholder = "a status code (three digits)"


class ChallengeAnswer(TypedAnswer):
    """challenge: a curl line typed, or the Repeater opened on the challenge's server."""

    how_to = ("Press ctrl+r to work in the Repeater, or type a curl command (or: cross-site "
              "form POST /path) and press Enter. Either way the live challenge server's own "
              "log grades you.")
    # The form of a line, never a request: an example would be half a solution.
    placeholder = "curl [options] URL"
    has_tool = True

    def open_tool(self, state: dict[str, Any]) -> bool:
        from tutor.quiz.kinds.challenge import challenge_run, goal_grade
        from tutor.ui.screens.repeater import RepeaterScreen

        run: ChallengeRun = challenge_run(self.question, state)
        question = self.question

        def back(passed: bool | None) -> None:
            if passed:
                self.post_message(self.Graded(question, goal_grade(run)))

        self.app.push_screen(RepeaterScreen(challenge=run, title="Challenge"), back)
        return True


ANSWER_WIDGETS: dict[str, type[AnswerWidget]] = {
    "single": PickOne,
    "true_false": PickOne,
    "multiple": PickMany,
    "order": Arrange,
    "predict": StatusAnswer,
    "challenge": ChallengeAnswer,
}
"""The widget of each kind, by the kind's name; kinds not listed get `TypedAnswer`."""


def answer_widget(question: Question) -> AnswerWidget:
    """A fresh widget for answering `question`."""
    return ANSWER_WIDGETS.get(question.kind, TypedAnswer)(question)



def answer_bindings() -> list[BindingType]:
    """The keys the answer widgets add, once each (the help screen lists them)."""
    classes = dict.fromkeys(ANSWER_WIDGETS.values())
    return [binding for cls in classes for binding in cls.__dict__.get("BINDINGS", [])]
