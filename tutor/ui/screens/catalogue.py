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

from tutor.plural import plural
from tutor.progress import Progress, lesson_due, lesson_score
from tutor.ui.widgets.footer import TutorFooter
from tutor.visible import visible, visible_text

if TYPE_CHECKING:
    from tutor.ui.app import TutorApp

STATUS_LABELS = {"new": "new", "in_progress": "in progress", "done": "done ✓"}


def asked_questions(progress: Progress, lesson_id: str) -> int:
    """How many of a lesson's questions have ever been asked (its quiz, or reviews)."""
    prefix = f"{lesson_id}/"
    return sum(1 for key, entry in progress.quiz.items()
               if key.startswith(prefix) and entry.times_asked)


def quiz_cell(progress: Progress, lesson_id: str, total: int) -> str:
    """The Quiz column: `–` never asked, `5/7` right of the whole quiz, `1/1 of 7` when a
    review asked only some of it (not a failed quiz: the rest were never asked)."""
    asked = asked_questions(progress, lesson_id)
    if not asked or not total:
        return "–"
    right, _ = lesson_score(progress, lesson_id, total)
    return f"{right}/{total}" if asked >= total else f"{right}/{asked} of {total}"


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
        Binding("J", "jwt_check", "Check a JWT", id="open-jwt-check",
                tooltip="Paste a token: decode it and verify it with your own key, offline"),
        Binding("q", "app.quit", "Quit", id="quit", tooltip="Leave the tutor"),
    ]
    FOOTER_KEYS: ClassVar[tuple[str, ...]] = (
        "open-lesson", "lesson-quiz", "review-quiz", "open-repeater", "open-jwt-check", "help",
        "quit")
    """The footer's keys, most useful first."""

    @property
    def tutor(self) -> TutorApp:
        from tutor.ui.app import TutorApp

        assert isinstance(self.app, TutorApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Static(f"{self.app.title} — {self.app.sub_title}", id="title-bar")
        with Vertical(id="catalogue"):
            yield Static("The course", id="catalogue-title")
            yield DataTable(id="lessons", cursor_type="row", zebra_stripes=True)
            yield Static(id="summary")
        yield TutorFooter()

    _columns_for = 0
    """The table width the columns were last sized for."""

    def on_mount(self) -> None:
        # The rows are filled in by the ScreenResume that follows the mount: filled here
        # as well, they were built twice before the first frame.
        self.query_one("#lessons", DataTable).focus()

    def on_screen_resume(self) -> None:
        # Shown at start, or back from a lesson or a quiz: the cursor goes to the lesson
        # last opened, done or not (picking "the next to do" made it jump to another row).
        self.refresh_rows(keep=self.tutor.progress.last_lesson)

    def on_resize(self) -> None:
        if self.is_mounted and self._columns_width() != self._columns_for:
            self.refresh_rows(keep=self.current_lesson())

    def _columns_width(self) -> int:
        return self.query_one("#lessons", DataTable).size.width or self.size.width - 2

    def current_lesson(self) -> str | None:
        """The id of the lesson under the cursor."""
        table = self.query_one("#lessons", DataTable)
        lessons = self.tutor.catalogue.lessons
        row = table.cursor_row
        return lessons[row].id if 0 <= row < len(lessons) else None

    def refresh_rows(self, keep: str | None = None) -> None:
        """Rebuild the rows from the catalogue and progress; the cursor goes to `keep`
        when it is a lesson, else to the lesson to resume."""
        table = self.query_one("#lessons", DataTable)
        table.clear(columns=True)
        # Every column fits: the title gives up room first (Status and Quiz are what a
        # returning learner looks for), shortened with an ellipsis.
        width = self._columns_for = self._columns_width()
        lessons = self.tutor.catalogue.lessons
        fixed = {"#": 3, "Min": 4, "Level": 12, "Status": 11, "Quiz": 9}
        widest = max((len(meta.title) for meta in lessons), default=6)
        # DataTable pads each cell by one each side; its vertical scrollbar takes two.
        padding = 2 * (len(fixed) + 1) + 2
        title = max(12, min(widest, width - sum(fixed.values()) - padding))
        # Text, not str, in every cell and label: DataTable reads a str as Rich markup,
        # whose emoji table alone costs the first frame 30 ms to import.
        for label, size in (("#", fixed["#"]), ("Lesson", title), ("Min", fixed["Min"]),
                            ("Level", fixed["Level"]), ("Status", fixed["Status"]),
                            ("Quiz", fixed["Quiz"])):
            table.add_column(Text(label), width=size)
        progress = self.tutor.progress
        for meta in lessons:
            # Text, not str: DataTable reads str cells as markup, and titles are lesson text.
            table.add_row(Text(str(meta.order)),
                          Text(visible(meta.title), no_wrap=True, overflow="ellipsis"),
                          Text(str(meta.minutes)), Text(meta.level),
                          Text(STATUS_LABELS[progress.status(meta.id)]),
                          Text(quiz_cell(progress, meta.id, meta.quizzes)), key=meta.id)
        if not lessons:
            self.query_one("#summary", Static).update(
                Text(f"No lessons found in {self.tutor.config.course_dir}."))
            return
        ids = [meta.id for meta in lessons]
        row = ids.index(keep) if keep in ids else self._resume_row()
        table.move_cursor(row=row, animate=False)
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
        # Rich Text, not markup: a lesson's own words may contain square brackets. (The
        # title's style on its span only: a Text's own style would make it all bold.)
        text = Text()
        text.append(visible(meta.title), style="bold")
        text.append(f"\n{visible_text(meta.summary)}")
        if meta.requires:
            titles = [self.tutor.catalogue.get(lesson_id) for lesson_id in meta.requires]
            named = [found.title if found else lesson_id
                     for found, lesson_id in zip(titles, meta.requires, strict=True)]
            text.append(f"\nTake first: {', '.join(named)}")
        progress = self.tutor.progress
        asked = asked_questions(progress, meta.id)
        if asked and meta.quizzes:
            right, total = lesson_score(progress, meta.id, meta.quizzes)
            due = lesson_due(progress, meta.id)
            if asked < total:
                text.append(f"\nQuiz: {plural(asked, 'question')} of {total} asked so far "
                            f"(in reviews), {right} right; Q takes the whole quiz",
                            style="dim")
            else:
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

    def action_jwt_check(self) -> None:
        self.tutor.open_jwt_check()

    def action_review(self) -> None:
        self.tutor.open_quiz([])

    def action_open(self) -> None:
        table = self.query_one("#lessons", DataTable)
        lessons = self.tutor.catalogue.lessons
        if 0 <= table.cursor_row < len(lessons):
            self.tutor.open_lesson(lessons[table.cursor_row].id)
