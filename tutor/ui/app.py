"""The Textual app: built by `build_app` from an `AppConfig`, in the CLI and in tests."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Iterable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.notifications import SeverityLevel
from textual.screen import Screen

from tutor.classroom.learners import LEARNER_VARIABLE
from tutor.lessons.catalogue_cache import CACHE_FILE as CATALOGUE_CACHE
from tutor.lessons.course import Catalogue, find_lesson, read_catalogue
from tutor.lessons.model import Lesson, LessonError
from tutor.plural import plural
from tutor.progress import Progress
from tutor.ui.config import AppConfig
from tutor.ui.leaks import patch_styles_cache
from tutor.ui.screens import SCREEN_STYLES
from tutor.ui.screens.catalogue import CatalogueScreen
from tutor.visible import visible

patch_styles_cache()


class TutorApp(App[None]):
    """Lessons on the left, the live stage on the right."""

    CSS_PATH = "tutor.tcss"
    TITLE = "tutor"
    SUB_TITLE = "how web login really works"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "Help", id="help",
                tooltip="Show every key and what it does"),
        Binding("q", "back", "Back", id="back",
                tooltip="Go back to the catalogue, or quit from the catalogue"),
        Binding("escape", "close_keys_panel", "Close keys panel", id="close-keys-panel",
                show=False, priority=True, tooltip="Close the palette's Keys panel"),
    ]

    def __init__(self, config: AppConfig) -> None:
        super().__init__()
        self.config = config
        learner = os.environ.get(LEARNER_VARIABLE)
        if learner:  # a tab served by `tutor web`: whose progress this is
            self.sub_title = f"{self.SUB_TITLE} · {visible(learner)}"
        self.progress: Progress = config.progress.load()
        self.catalogue: Catalogue = read_catalogue(
            config.course_dir, cache=config.progress.path.parent / CATALOGUE_CACHE)
        self._parsed: dict[Path, tuple[tuple[int, int], Lesson]] = {}
        """Lessons parsed so far, by file, with the file's (mtime, size) when parsed."""
        self.opened_on: Screen[Any] | None = None
        """The screen a command opened the app on (`tutor replay`, `tutor quiz`): leaving
        it quits, as the command's own screen, instead of landing in the catalogue."""

    def on_mount(self) -> None:
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        if self.progress.settings.theme in self.available_themes:
            self.theme = self.progress.settings.theme
        if self.progress.settings.reduced_motion:
            self.animation_level = "none"
        self.push_screen(CatalogueScreen())
        for notice in [self.config.progress.notice, *self.config.notices]:
            if notice:
                self.notify(notice, severity="warning", timeout=15)
        if self.catalogue.errors:
            self.notify(f"{plural(len(self.catalogue.errors), 'problem')} in the course; run "
                        "`tutor lint` for details", severity="warning")
        config = self.config
        if (config.open_lesson or config.open_replay is not None
                or config.open_watch is not None or config.open_quiz is not None):
            self._read_screen_styles()  # their screen is the first frame
        if self.config.open_lesson:
            self.open_lesson(self.config.open_lesson)
        if self.config.open_replay is not None:
            from tutor.ui.screens.replay import ReplayScreen

            analysis, name = self.config.open_replay
            replay = ReplayScreen(analysis, name)
            self.opened_on = replay
            self.push_screen(replay)
        if self.config.open_watch is not None:
            from tutor.ui.screens.watch import WatchScreen

            watch = WatchScreen(self.config.open_watch)
            self.opened_on = watch
            self.push_screen(watch)
        if self.config.open_quiz is not None:
            lesson_ids, seed = self.config.open_quiz
            self.opened_on = self.open_quiz(lesson_ids, seed)
        self.call_after_refresh(self._check_size)
        self.call_after_refresh(self._read_screen_styles)
        self.call_after_refresh(self._warm_up)

    def _read_screen_styles(self) -> None:
        """Every other screen's styles, read once the catalogue is on screen (its first
        frame needs only tutor.tcss; parsing the rest cost it a sixth of what it does
        beyond a minimal app). Read here, not left to the first screen that names them in
        its CSS_PATH: Textual would then parse every stylesheet of the app again, not just
        this one, and restyle the app, as that screen opens."""
        if self.stylesheet.has_source(str(SCREEN_STYLES), ""):
            return  # a screen that names them opened first (`tutor play`)
        self.stylesheet.read(SCREEN_STYLES)
        self.stylesheet.parse()  # the others' rules are cached: only this file is parsed

    @work(thread=True, exit_on_error=False, group="warm-up")
    def _warm_up(self) -> None:
        """While the learner reads the catalogue, load what the player needs (the scene
        engine, the server, PyJWT, cryptography) so opening a lesson is quick."""
        from tutor.lessons import parser  # noqa: F401
        from tutor.quiz import kinds  # noqa: F401
        from tutor.scenes.engine import SceneEngine
        from tutor.scenes.model import parse_scene
        from tutor.ui.screens import player  # noqa: F401

        SceneEngine(parse_scene({"steps": [{"visit": "/"}]}))
        # What is loaded now lives as long as the app: moved out of the collector's way
        # (gc.freeze), every later full collection (one per lesson closed) no longer
        # walks its 70,000 objects, a third of its cost. Collected first, so the engine
        # built above is not kept for ever; not done with a lesson or quiz open (`tutor
        # play`), whose widgets would then never be freed.
        if isinstance(self.screen, CatalogueScreen):  # above Textual's default screen only
            import gc

            gc.collect()
            gc.freeze()

    def watch_theme(self, theme: str) -> None:
        self.progress.settings.theme = theme
        self.save_progress()
        for screen in self.screen_stack:
            theme_changed = getattr(screen, "theme_changed", None)
            if theme_changed is not None:
                theme_changed()

    def open_lesson(self, lesson_id: str) -> None:
        """Open a lesson in the player (errors become a notification, not a crash)."""
        # The catalogue read at start says where the lesson is: reading every lesson's
        # front matter again took a tenth of a lesson switch. A lesson added since is
        # still found by looking again.
        meta = self.catalogue.get(lesson_id)
        if meta is not None:
            lesson, errors = self._load_lesson(Path(meta.path))
        else:
            from tutor.quiz.kinds import KINDS

            lesson, errors = find_lesson(self.config.course_dir, lesson_id, KINDS)
        if lesson is None:
            detail = str(errors[0]) if errors else f"no lesson {lesson_id!r} in the course"
            self.notify(detail, severity="error", timeout=10)
            return
        self.progress.last_lesson = lesson_id
        self.progress.lesson(lesson_id).opened()
        # Saved once the player is on screen: the write waits for the disk (fsync).
        self.call_after_refresh(self.save_progress)
        # Imported here: the player brings in the scene engine and the server, which the
        # catalogue (the first frame) does not need.
        from tutor.ui.screens.player import PlayerScreen

        self.push_screen(PlayerScreen(lesson))

    def _load_lesson(self, path: Path) -> tuple[Lesson | None, list[LessonError]]:
        """A lesson file, parsed; kept while the file is unchanged, since learners go back
        and forth between lessons (an author's edit is read on the next opening)."""
        # Imported here, like the player: the parser and the quiz kinds (which bring in
        # the Repeater's request model) are not needed for the first frame.
        from tutor.lessons.parser import load_lesson
        from tutor.quiz.kinds import KINDS

        try:
            stat = path.stat()
        except OSError:
            return load_lesson(path, KINDS)
        stamp = (stat.st_mtime_ns, stat.st_size)
        kept = self._parsed.get(path)
        if kept is not None and kept[0] == stamp:
            return kept[1], []
        lesson, errors = load_lesson(path, KINDS)
        if lesson is not None and not errors:
            self._parsed[path] = (stamp, lesson)
        return lesson, errors

    def open_quiz(self, lesson_ids: list[str], seed: int | None = None) -> Screen[None] | None:
        """Quiz the named lessons, or (none named) a review across the course; returns
        the quiz screen (None when there was nothing to ask, said in a notification)."""
        from tutor.lessons.course import load_course
        from tutor.quiz.kinds import KINDS
        from tutor.quiz.plan import plan_quiz
        from tutor.ui.screens.quiz import QuizScreen

        if lesson_ids:
            # Only the named lessons are parsed: the whole course takes ten times longer.
            lessons = []
            for lesson_id in dict.fromkeys(lesson_ids):
                lesson, errors = find_lesson(self.config.course_dir, lesson_id, KINDS)
                if lesson is None:
                    detail = str(errors[0]) if errors else f"no lesson {lesson_id!r} in the course"
                    self.notify(detail, severity="error", timeout=10)
                    return None
                lessons.append(lesson)
        else:
            lessons, _ = load_course(self.config.course_dir, KINDS)
        plan = plan_quiz(lessons, lesson_ids, self.progress, seed)
        if not plan.questions:
            self.notify("No questions to ask there.", timeout=4)
            return None
        screen = QuizScreen(plan)
        self.push_screen(screen)
        return screen

    def open_repeater(self) -> None:
        """Free play: the Repeater against a fresh cookie-mode server (f8 changes it)."""
        from tutor.ui.screens.repeater import RepeaterScreen

        self.push_screen(RepeaterScreen())

    def open_jwt_check(self) -> None:
        """The paste-a-token screen: `tutor jwt` inside the app (imported when opened)."""
        from tutor.ui.screens.jwt_check import JwtCheckScreen

        self.push_screen(JwtCheckScreen())

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification is plain text: messages quote lesson text, typed requests and
        server answers, where a `[` would be read as markup (and `[/b]` would crash)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def save_progress(self) -> None:
        """Write progress now; a failure is reported, and the app goes on."""
        try:
            told = self.config.progress.save(self.progress)
        except OSError as exc:
            self.notify(f"Could not save progress: {exc}", severity="error")
            return
        for line in told:  # the file changed on disk meanwhile: merged, and said so
            self.notify(line, severity="warning", timeout=15)
        if told and isinstance(self.screen, CatalogueScreen):
            self.screen.refresh_rows(keep=self.screen.current_lesson())

    def action_help(self) -> None:
        # Imported when asked for, as the size check's screen: not in the first frame.
        from tutor.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            # At the keys of the screen the learner is on; the rest is a scroll away.
            self.push_screen(HelpScreen(type(self.screen).__name__))

    async def action_back(self) -> None:
        if isinstance(self.screen, CatalogueScreen):
            self.exit()
        else:
            self.leave(self.screen)

    def leave(self, screen: Screen[Any]) -> None:
        """Go back from `screen`: to the screen under it, or out of the app when a command
        opened the app on it (`tutor replay FILE`, then q, is done)."""
        if screen is self.opened_on:
            self.exit()
        elif len(self.screen_stack) > 1 and screen is self.screen:
            popped = self.pop_screen()
            if getattr(screen, "COLLECT_WHEN_CLOSED", False):
                self._collect_when_gone(popped)

    @work(exit_on_error=False, group="collect")
    async def _collect_when_gone(self, popped: Awaitable[object]) -> None:
        """A closed lesson is some 25,000 objects in reference cycles (widgets and their
        parents), which only a full collection frees. Left to Python, it came at a random
        later moment, in the next lesson's opening (up to 300 ms added) or in an
        animation; asked for here once the screen is removed and the one behind it drawn."""
        await popped
        await self.screen.wait_for_refresh()
        import gc

        gc.collect()

    def action_close_keys_panel(self) -> None:
        """Esc closes the Keys panel (opened from the palette); without one open, the key
        goes on to the screen (SkipAction), where Esc means back or cancel."""
        from textual.actions import SkipAction
        from textual.widgets import HelpPanel

        panels = self.screen.query(HelpPanel)
        if not panels:
            raise SkipAction()
        panels.remove()

    def action_toggle_motion(self) -> None:
        """Reduced motion: no animated arrows, no smooth scrolling."""
        reduced = not self.progress.settings.reduced_motion
        self.progress.settings.reduced_motion = reduced
        self.animation_level = "none" if reduced else "full"
        self.save_progress()
        self.notify("Reduced motion on" if reduced else "Reduced motion off")

    def action_reset_progress(self) -> None:
        """Ask first: a reset forgets every lesson and quiz result (a backup is kept)."""
        from tutor.ui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._reset_progress()

        self.push_screen(ConfirmScreen(
            "Reset progress? Every lesson's status and every quiz result is forgotten; "
            "the old file is kept as a backup beside the new one.", yes="Reset"), answered)

    def _reset_progress(self) -> None:
        backup = self.config.progress.reset()
        settings = self.progress.settings
        self.progress = Progress(settings=settings)
        self.save_progress()
        where = f" (the old file is kept at {backup})" if backup else ""
        self.notify(f"Progress reset{where}")
        if isinstance(self.screen, CatalogueScreen):
            self.screen.refresh_rows()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from screen_commands(screen)
        yield SystemCommand("Help", "Every key and what it does", self.action_help)
        yield SystemCommand("Reduced motion", "Turn animations off or on",
                            self.action_toggle_motion)
        yield SystemCommand("Reset progress", "Start the course over (a backup is kept)",
                            self.action_reset_progress)
        yield SystemCommand("Repeater", "Free play: send, edit and resend requests to a mock "
                            "server whose mode and weaknesses you choose", self.open_repeater)
        yield SystemCommand("Check a JWT", "Paste a token: decode it and verify it with "
                            "your own key, offline", self.open_jwt_check)
        yield SystemCommand("Review quiz", "A mixed cookie-versus-JWT review; missed "
                            "questions come back sooner", lambda: self.open_quiz([]))
        for meta in self.catalogue.lessons:
            yield SystemCommand(f"Quiz: {meta.title}", f"The questions of {meta.title}",
                                lambda lesson_id=meta.id: self.open_quiz([lesson_id]),
                                discover=False)
            yield SystemCommand(f"Open: {meta.title}", meta.summary,
                                lambda lesson_id=meta.id: self.open_lesson(lesson_id),
                                discover=False)

    def on_resize(self, event: events.Resize) -> None:
        # The event's size: `self.size` only catches up a frame later (Textual applies a
        # resize on a short timer), so reading it here would judge the old size.
        self._check_size(event.size)

    def _check_size(self, size: Size | None = None) -> None:
        from tutor.ui.screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen

        width, height = size or self.size
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        showing = isinstance(self.screen, TooSmallScreen)
        if too_small and not showing:
            self.push_screen(TooSmallScreen())
        elif showing and not too_small:
            self.pop_screen()


def screen_commands(screen: Screen[object]) -> Iterable[SystemCommand]:
    """Every action of the screen the palette was opened on, named as its footer and help
    name it, with its key: the palette is where a learner looks for what a screen can do.
    Actions the screen refuses right now (check_action) are left out."""
    seen: set[str] = set()
    for bindings in screen._bindings.key_to_bindings.values():
        for binding in bindings:
            if binding.action in seen or not binding.description:
                continue
            name, _, _ = binding.action.partition("(")
            allows = getattr(screen, "allows", None)
            if allows is not None and not allows(name, ()):
                continue
            seen.add(binding.action)
            key = screen.app.get_key_display(binding)
            yield SystemCommand(f"{binding.description} ({key})",
                                binding.tooltip or binding.description,
                                partial(screen.run_action, binding.action))


def build_app(config: AppConfig) -> TutorApp:
    """The one way the app is made, for the CLI and for tests alike."""
    return TutorApp(config)
