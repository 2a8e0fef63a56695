"""The quiz screen, driven as a learner would: keys, the option list, the typed answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, SelectionList, Static

from tests.ui.conftest import AppFactory
from tests.ui.shown import shown_text
from tutor.quiz.kinds.choice import ChoiceSpec
from tutor.quiz.kinds.order import OrderSpec
from tutor.quiz.kinds.predict import PredictSpec
from tutor.quiz.questions import Question
from tutor.ui.screens.catalogue import CatalogueScreen
from tutor.ui.screens.quiz import QuizScreen
from tutor.ui.widgets.answers import Arrange


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _quiz(pilot: Pilot[Any]) -> QuizScreen:
    screen = pilot.app.screen
    assert isinstance(screen, QuizScreen)
    return screen


def _right_numbers(question: Question) -> list[int]:
    if isinstance(question.spec, OrderSpec):
        return [question.choices.index(item) + 1 for item in question.spec.items]
    options = question.spec_as(ChoiceSpec).options
    return [number for number, option in enumerate(options, 1) if option.correct]


def _status(question: Question) -> int:
    return question.spec_as(PredictSpec).answer


async def _answer_right(pilot: Pilot[Any]) -> None:
    """Answer the question on screen correctly, using the widgets a learner would."""
    screen = _quiz(pilot)
    question = screen.question
    assert question is not None
    if question.kind in ("single", "true_false"):
        options = screen.query_one("#quiz-options", OptionList)
        options.highlighted = _right_numbers(question)[0] - 1
        await pilot.press("enter")
    elif question.kind == "multiple":
        selection = screen.query_one("#quiz-selection", SelectionList)
        for number in _right_numbers(question):
            selection.select(number - 1)
        await pilot.press("a")
    elif question.kind == "order":
        # Bubble each item into place with the move keys.
        target = [n - 1 for n in _right_numbers(question)]
        arrange = screen.query_one(Arrange)
        for place, wanted in enumerate(target):
            here = arrange.arrangement.index(wanted)
            screen.query_one("#quiz-options", OptionList).highlighted = here
            for _ in range(here - place):
                await pilot.press("shift+up")
        assert arrange.arrangement == target
        await pilot.press("enter")
    elif question.kind == "predict":
        await pilot.click("#quiz-input")
        await pilot.press(*str(_status(question)), "enter")
    await _settle(pilot)


async def test_a_whole_lesson_quiz_right_then_the_score_on_the_catalogue(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#lessons", DataTable)
        table.move_cursor(row=0)
        await pilot.press("Q")
        await _settle(pilot)
        screen = _quiz(pilot)
        total = len(screen.plan.questions)
        assert total >= 3
        kinds = set()
        for number in range(1, total + 1):
            assert f"Question {number} of {total}" in shown_text(screen.query_one("#quiz-head",
                                                                              Static))
            assert screen.question is not None
            kinds.add(screen.question.kind)
            await _answer_right(pilot)
            assert shown_text(screen.query_one("#quiz-feedback", Static)).startswith("Right")
            await pilot.press("n")
            await _settle(pilot)
        assert "predict" in kinds
        summary = shown_text(screen.query_one("#quiz-question", Static))
        assert f"Score {total}/{total}: {total} of {total} right at the first try" in summary
        for question in screen.plan.questions:
            assert question.key not in summary, "the end lists questions, not their ids"
        lesson_id = screen.plan.questions[0].lesson_id
        saved = app.config.progress.load()
        assert sum(key.startswith(f"{lesson_id}/") for key in saved.quiz) == total
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CatalogueScreen)
        row = app.screen.query_one("#lessons", DataTable).get_row(lesson_id)
        assert str(row[-1]) == f"{total}/{total}"  # the cell is a Text
        summary_text = shown_text(app.screen.query_one("#summary", Static))
        assert f"Quiz: {total} of {total} right the last time" in summary_text


async def test_two_misses_reveal_the_answer_and_a_hint_costs_nothing(
    make_app: AppFactory,
) -> None:
    app = make_app(open_quiz=(["four-login-steps"], None))
    async with app.run_test(size=(100, 36)) as pilot:
        await _settle(pilot)
        screen = _quiz(pilot)
        # Find a choice question and miss it twice.
        while screen.question is not None and screen.question.kind not in (
                "single", "true_false"):
            await pilot.press("s", "n")
            await _settle(pilot)
        question = screen.question
        assert question is not None
        wrong = next(n for n, o in enumerate(question.spec_as(ChoiceSpec).options, 1)
                     if not o.correct)
        if question.hints:
            await pilot.press("h")
            await _settle(pilot)
            assert question.hints[0] in shown_text(screen.query_one("#quiz-hints", Static))
        options = screen.query_one("#quiz-options", OptionList)
        options.highlighted = wrong - 1
        await pilot.press("enter")
        await _settle(pilot)
        feedback = shown_text(screen.query_one("#quiz-feedback", Static))
        assert feedback.startswith("Not right") and "Try once more" in feedback
        assert screen.question is question  # a second try
        options.highlighted = wrong - 1
        await pilot.press("enter")
        await _settle(pilot)
        feedback = shown_text(screen.query_one("#quiz-feedback", Static))
        assert "The answer:" in feedback
        assert "press n" in shown_text(screen.query_one("#quiz-head", Static))
        result = screen.session.results[-1]
        assert not result.correct and result.attempts == 2


async def test_a_predict_question_shows_the_live_response_after_a_typo_and_a_miss(
    make_app: AppFactory,
) -> None:
    app = make_app(open_quiz=(["http-is-stateless"], None))
    async with app.run_test(size=(100, 40)) as pilot:
        await _settle(pilot)
        screen = _quiz(pilot)
        while screen.question is not None and screen.question.kind != "predict":
            await pilot.press("s", "n")
            await _settle(pilot)
        question = screen.question
        assert question is not None
        typed = screen.query_one("#quiz-input", Input)
        assert typed.has_focus
        await pilot.press(*"abc", "enter")
        await _settle(pilot)
        assert screen.session.attempts == 0  # a typo uses no try
        wrong = "200" if _status(question) != 200 else "404"
        await pilot.press(*wrong, "enter")
        await _settle(pilot)
        first = shown_text(screen.query_one("#quiz-feedback", Static))
        assert "ran live" not in first  # the live response would give the answer away
        assert shown_text(screen.query_one("#quiz-live", Static)) == ""
        await pilot.press(*str(_status(question)), "enter")
        await _settle(pilot)
        feedback = shown_text(screen.query_one("#quiz-feedback", Static))
        assert feedback.startswith("Right")
        assert "The scene ran live" in feedback
        assert f"response {_status(question)}" in feedback
        stage = shown_text(screen.query_one("#quiz-live", Static))
        assert "On the stage" in stage and f"HTTP/1.1 {_status(question)}" in stage


async def test_an_unknown_lesson_quiz_is_a_notice_not_a_crash(make_app: AppFactory) -> None:
    app = make_app(open_quiz=(["no-such-lesson"], None))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, QuizScreen)
        assert any("no-such-lesson" in n.message for n in app._notifications)


async def test_a_quiz_popped_before_it_mounted_does_not_crash(make_app: AppFactory) -> None:
    # Keys can outrun a push: the quiz may be popped before its own Mount is handled.
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.open_quiz(["four-login-steps"])
        app.pop_screen()
        for _ in range(5):
            await pilot.pause()
        assert not isinstance(app.screen, QuizScreen)
        assert app.is_running


async def test_option_text_with_brackets_is_shown_as_written(make_app: AppFactory,
                                                             tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "01-x.md").write_text(
        "---\nid: brackets\ntitle: B\nsummary: S.\norder: 1\nlevel: beginner\nminutes: 1\n"
        "format_version: 1\n---\n\n# X\n\n```quiz\nid: q\nkind: single\n"
        "question: Which is an array index?\noptions:\n"
        "  - {text: \"items[0]\", correct: true, feedback: \"Yes: [0] is the first.\"}\n"
        "  - {text: \"[b]bold[/b]\", correct: false, feedback: \"No: that is [markup].\"}\n"
        "```\n", encoding="utf-8")
    app = make_app(course_dir=course, open_quiz=(["brackets"], None))
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot)
        screen = _quiz(pilot)
        options = screen.query_one("#quiz-options", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(2)]
        assert prompts == ["1. items[0]", "2. [b]bold[/b]"]
        options.highlighted = 1
        await pilot.press("enter")
        await _settle(pilot)
        assert "No: that is [markup]." in shown_text(screen.query_one("#quiz-feedback", Static))
