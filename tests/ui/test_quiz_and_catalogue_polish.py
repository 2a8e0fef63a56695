"""Issue 17, the quiz and the catalogue: no answer in a placeholder, digits pick, the end
names questions, the footer fits the question, columns fit 80×24, the cursor stays."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, SelectionList, Static

from tests.ui.conftest import AppFactory
from tests.ui.shown import shown_text
from tutor.progress import QuestionProgress
from tutor.quiz.kinds.choice import ChoiceSpec
from tutor.ui.render.markdown import one_line
from tutor.ui.screens.catalogue import CatalogueScreen
from tutor.ui.screens.confirm import ConfirmScreen
from tutor.ui.screens.quiz import QuizScreen
from tutor.ui.widgets.answers import ChallengeAnswer, StatusAnswer
from tutor.ui.widgets.footer import TutorFooter


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def _quiz(pilot: Pilot[Any]) -> QuizScreen:
    screen = pilot.app.screen
    assert isinstance(screen, QuizScreen)
    return screen


def _footer(pilot: Pilot[Any]) -> list[str]:
    footer = pilot.app.screen.query_one(TutorFooter)
    return [key.description for key in footer.ranked_keys()]


async def _to_kind(pilot: Pilot[Any], *kinds: str) -> QuizScreen:
    """Skip questions until one of `kinds` is on screen."""
    screen = _quiz(pilot)
    while screen.question is not None and screen.question.kind not in kinds:
        screen.action_skip()
        await _settle(pilot)
        screen.action_next_question()
        await _settle(pilot)
    assert screen.question is not None, f"no {kinds} question in this quiz"
    return screen


def test_no_placeholder_gives_an_answer_away() -> None:
    # Before: "the HTTP status code, e.g. 401" on questions whose answer is 401.
    assert not re.search(r"\d{3}", StatusAnswer.placeholder)
    assert "Authorization" not in ChallengeAnswer.placeholder
    assert "/admin" not in ChallengeAnswer.placeholder


async def test_a_digit_picks_that_option(make_app: AppFactory) -> None:
    app = make_app(open_quiz=(["four-login-steps"], None))
    async with app.run_test(size=(100, 36)) as pilot:
        await _settle(pilot)
        screen = await _to_kind(pilot, "single", "true_false")
        question = screen.question
        assert question is not None
        right = next(n for n, o in enumerate(question.spec_as(ChoiceSpec).options, 1)
                     if o.correct)
        await pilot.press(str(right))
        await _settle(pilot)
        assert shown_text(screen.query_one("#quiz-feedback", Static)).startswith("Right")
        assert screen.session.results[-1].first_try


async def test_digits_tick_options_of_a_multiple_choice(make_app: AppFactory) -> None:
    app = make_app(open_quiz=(["session-cookies"], None))
    async with app.run_test(size=(100, 36)) as pilot:
        await _settle(pilot)
        screen = await _to_kind(pilot, "multiple")
        await pilot.press("1", "2")
        await _settle(pilot)
        assert screen.query_one(SelectionList).selected == [0, 1]
        await pilot.press("2")
        await _settle(pilot)
        assert screen.query_one(SelectionList).selected == [0]


async def test_footer_keys_fit_the_question_on_screen(make_app: AppFactory) -> None:
    app = make_app(open_quiz=(["session-cookies"], None))
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        screen = _quiz(pilot)
        assert screen.question is not None and screen.question.kind == "predict"
        keys = _footer(pilot)
        # Before: "shift+↑ Move up", "a Answer", "n Next" and both "esc Back" and "q Back".
        assert keys.count("Back") == 1
        for absent in ("Move up", "Answer", "Next", "Hint", "Skip", "Repeater"):
            assert absent not in keys, absent
        screen = await _to_kind(pilot, "multiple")
        assert "Answer" in _footer(pilot)
        await pilot.press("s")
        await _settle(pilot)
        assert _footer(pilot)[0] == "Next", "once the verdict shows, n goes on"
        screen = await _to_kind(pilot, "order")
        keys = _footer(pilot)
        assert "Move up" in keys and "Hint" in keys and "Next" not in keys


async def test_the_end_lists_the_questions_and_counts_the_unanswered(
    make_app: AppFactory,
) -> None:
    app = make_app(open_quiz=(["four-login-steps"], None))
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        screen = _quiz(pilot)
        total = len(screen.plan.questions)
        while not screen.session.finished:
            screen.action_skip()
            await _settle(pilot)
            screen.action_next_question()
            await _settle(pilot)
        summary = shown_text(screen.query_one("#quiz-question", Static))
        assert f"Score 0/{total}" in summary
        for question in screen.plan.questions:
            assert one_line(question.prompt)[:40] in summary
            assert question.key not in summary
        assert "`" not in summary, "backticks shown literally"
        content = screen.query_one("#quiz-question", Static).content
        assert isinstance(content, Text) and not content.style, "every line was bold"


async def test_a_review_question_is_not_shown_as_a_failed_quiz(make_app: AppFactory) -> None:
    app = make_app()
    app.progress.quiz["session-cookies/replay-after-logout"] = QuestionProgress(
        attempts=1, times_asked=1, times_correct=1, last_correct=True, box=2, due=3)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        table = app.screen.query_one("#lessons", DataTable)
        meta = app.catalogue.get("session-cookies")
        assert meta is not None
        cell = str(table.get_row("session-cookies")[-1])
        # Before: "1/5", as if four of five had been answered wrong.
        assert cell == f"1/1 of {meta.quizzes}"


async def test_the_catalogue_fits_80x24_and_names_lessons_to_take_first(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        table = app.screen.query_one("#lessons", DataTable)
        # Before: the title column pushed Status and Quiz off to the right.
        assert table.virtual_size.width <= table.scrollable_content_region.width
        labels = [str(column.label) for column in table.columns.values()]
        assert labels[-2:] == ["Status", "Quiz"]
        await pilot.press("down")
        await _settle(pilot)
        summary = shown_text(app.screen.query_one("#summary", Static))
        first = app.catalogue.lessons[0]
        assert f"Take first: {first.title}" in summary
        assert first.id not in summary
        content = app.screen.query_one("#summary", Static).content
        # Before: Text(title, style="bold") made the whole summary bold, not the title.
        assert isinstance(content, Text) and not content.style


async def test_the_cursor_stays_on_the_lesson_just_left(make_app: AppFactory) -> None:
    app = make_app()
    done = app.catalogue.lessons[4].id
    app.progress.lesson(done).status = "done"
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        table = app.screen.query_one("#lessons", DataTable)
        table.move_cursor(row=4)
        await pilot.press("enter")
        await _settle(pilot)
        await pilot.press("q")
        await _settle(pilot)
        assert isinstance(app.screen, CatalogueScreen)
        # Before: a done lesson sent the cursor to the first lesson not done.
        assert table.cursor_row == 4


async def test_reset_progress_asks_first(make_app: AppFactory) -> None:
    app = make_app()
    app.progress.lesson("session-cookies").status = "done"
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        app.action_reset_progress()
        await _settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # No has the focus: Enter alone never wipes
        await _settle(pilot)
        assert app.progress.status("session-cookies") == "done"
        app.action_reset_progress()
        await _settle(pilot)
        await pilot.press("y")
        await _settle(pilot)
        assert app.progress.status("session-cookies") == "new"
        assert isinstance(app.screen, CatalogueScreen)


async def test_a_typed_answer_keeps_h_and_s_as_letters(make_app: AppFactory) -> None:
    app = make_app(open_quiz=(["session-cookies"], None))
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        screen = _quiz(pilot)
        typed = screen.query_one("#quiz-input", Input)
        await pilot.press("h", "s")
        assert typed.value == "hs" and not screen.session.results


async def test_an_import_while_the_tutor_runs_is_merged_and_said(make_app: AppFactory) -> None:
    from tutor.progress_store import ProgressStore

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        other = ProgressStore(app.config.progress.path)
        elsewhere = other.load()
        elsewhere.lesson("jwt-bearer").status = "done"
        other.save(elsewhere)  # as `tutor progress --import` would, beside the TUI
        app.save_progress()
        await _settle(pilot)
        assert app.progress.status("jwt-bearer") == "done"
        assert any("changed on disk" in n.message for n in app._notifications)
        table = app.screen.query_one("#lessons", DataTable)
        assert "done" in str(table.get_row("jwt-bearer")[4])
