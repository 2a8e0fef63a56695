"""The course as a list: pick a lesson; the one to resume is selected already."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tutor.progress import lesson_due, lesson_score
from tutor.ui.widgets.footer import TutorFooter
from tutor.visible import visible, visible_text

if TYPE_CHECKING:
    from tutor.ui.app import TutorApp

STATUS_LABELS = {"new": "new", "in_progress": "in progress", "done": "done ✓"}


class CatalogueScreen(Screen[None]):
    """Every lesson with its length, level and the learner's status."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open lesson", id="open-lesson",
                tooltip="Open the highlighted lesson"),
        Binding("Q", "quiz", "Quiz", id="lesson-quiz",
                tooltip="Take the highlighted lesson's quiz"),
        Binding("R", "repeater", "Repeater", id="open-repeater",
                tooltip="Free play: send and edit requests to a mock server"),
        Binding("v", "review", "Review", id="review-quiz",
                tooltip="A mixed cookie-versus-JWT review; missed questions come back"),
    ]

    @property
    def tutor(self) -> TutorApp:
        from tutor.ui.app import TutorApp

        assert isinstance(self.app, TutorApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Static("tutor — how web login really works", id="title-bar")
        with Vertical(id="catalogue"):
            yield Static("The course", id="catalogue-title")
            yield DataTable(id="lessons", cursor_type="row", zebra_stripes=True)
            yield Static(id="summary")
        yield TutorFooter()

    def on_mount(self) -> None:
        table = self.query_one("#lessons", DataTable)
        # Text, not str, in every cell and label: DataTable reads a str as Rich markup,
        # whose emoji table alone costs the first frame 30 ms to import.
        table.add_columns(*map(Text, ("#", "Lesson", "Minutes", "Level", "Status", "Quiz")))
        self.refresh_rows()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_rows()

    def refresh_rows(self) -> None:
        """Rebuild the rows from the catalogue and progress; select the lesson to resume."""
        table = self.query_one("#lessons", DataTable)
        table.clear()
        progress = self.tutor.progress
        lessons = self.tutor.catalogue.lessons
        for meta in lessons:
            right, total = lesson_score(progress, meta.id, meta.quizzes)
            asked = any(key.startswith(f"{meta.id}/") for key in progress.quiz)
            score = f"{right}/{total}" if asked and total else "–"
            # Text, not str: DataTable reads str cells as markup, and titles are lesson text.
            table.add_row(Text(str(meta.order)), Text(visible(meta.title)), Text(str(meta.minutes)),
                          Text(meta.level), Text(STATUS_LABELS[progress.status(meta.id)]),
                          Text(score), key=meta.id)
        if not lessons:
            self.query_one("#summary", Static).update(
                Text(f"No lessons found in {self.tutor.config.course_dir}."))
            return
        table.move_cursor(row=self._resume_row(), animate=False)
        self._show_summary(table.cursor_row)

    def _resume_row(self) -> int:
        lessons = self.tutor.catalogue.lessons
        progress = self.tutor.progress
        ids = [meta.id for meta in lessons]
        if progress.last_lesson in ids and progress.status(progress.last_lesson) != "done":
            return ids.index(progress.last_lesson)
        for index, meta in enumerate(lessons):
            if progress.status(meta.id) != "done":
                return index
        return 0

    @on(DataTable.RowHighlighted, "#lessons")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_summary(event.cursor_row)

    def _show_summary(self, row: int) -> None:
        lessons = self.tutor.catalogue.lessons
        if not 0 <= row < len(lessons):
            return
        meta = lessons[row]
        # Rich Text, not markup: a lesson's own words may contain square brackets.
        text = Text(visible(meta.title), style="bold")
        text.append(f"\n{visible_text(meta.summary)}")
        if meta.requires:
            text.append(f"\nTake first: {', '.join(meta.requires)}")
        progress = self.tutor.progress
        asked = any(key.startswith(f"{meta.id}/") for key in progress.quiz)
        if asked and meta.quizzes:
            right, total = lesson_score(progress, meta.id, meta.quizzes)
            due = lesson_due(progress, meta.id)
            text.append(f"\nQuiz: {right} of {total} right the last time", style="dim")
            if due:
                text.append(f"; {due} due for review (v)", style="dim")
        self.query_one("#summary", Static).update(text)

    @on(DataTable.RowSelected, "#lessons")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.tutor.open_lesson(event.row_key.value)

    def action_quiz(self) -> None:
        table = self.query_one("#lessons", DataTable)
        lessons = self.tutor.catalogue.lessons
        if 0 <= table.cursor_row < len(lessons):
            self.tutor.open_quiz([lessons[table.cursor_row].id])

    def action_repeater(self) -> None:
        self.tutor.open_repeater()

    def action_review(self) -> None:
        self.tutor.open_quiz([])

    def action_open(self) -> None:
        table = self.query_one("#lessons", DataTable)
        lessons = self.tutor.catalogue.lessons
        if 0 <= table.cursor_row < len(lessons):
            self.tutor.open_lesson(lessons[table.cursor_row].id)
