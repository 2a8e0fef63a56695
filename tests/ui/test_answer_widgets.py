"""A kind without a widget of its own is answered on screen through the kind's own line
reading; the widget hands the quiz screen the kind's typed answer, not a text line."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tests.quiz.test_new_kind import LESSON, WITH_YESNO, Said
from tutor.lessons.parser import parse_lesson
from tutor.quiz.questions import BadAnswer, lesson_questions
from tutor.ui.widgets.answers import AnswerWidget, TypedAnswer, answer_widget


class OneWidget(App[None]):
    def __init__(self, widget: AnswerWidget) -> None:
        super().__init__()
        self.widget = widget
        self.chosen: list[object] = []
        self.hints = 0

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_answer_widget_chosen(self, message: AnswerWidget.Chosen) -> None:
        self.chosen.append(message.answer)

    def on_answer_widget_hint_asked(self) -> None:
        self.hints += 1


async def test_a_new_kind_is_answered_with_its_typed_answer() -> None:
    lesson, _ = parse_lesson(LESSON.format(answer="yes"), quiz_kinds=WITH_YESNO)
    assert lesson is not None
    widget = answer_widget(lesson_questions(lesson, WITH_YESNO)[0])
    assert type(widget) is TypedAnswer
    app = OneWidget(widget)
    async with app.run_test() as pilot:
        await pilot.press(*"maybe", "enter", "h", "enter", *"yes", "enter")
        await pilot.pause()
    assert isinstance(app.chosen[0], BadAnswer) and "yes or no" in app.chosen[0].message
    assert app.chosen[1:] == [Said(True)]
    assert app.hints == 1
