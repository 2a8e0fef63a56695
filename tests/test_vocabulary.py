"""One vocabulary: the same exchange gets the same login-step words in the player's
stepper, the plain transcript, `tutor replay` and `tutor inspect`, and they are lesson
1's definitions."""

from __future__ import annotations

import io
import json

from tutor.har.analysis import analyse
from tutor.har.export import har_json
from tutor.har.reader import parse_har
from tutor.har.render import entry_lines
from tutor.lessons.course import default_course_dir, find_lesson
from tutor.lessons.model import Prose
from tutor.lessons.transcript import write_transcript
from tutor.login_steps import LOGIN_STEP_NAMES
from tutor.quiz.kinds import KINDS
from tutor.scenes import SceneEngine, parse_scene
from tutor.scenes.events import ExchangeSeen
from tutor.ui.render.stepper import STEP_LABELS


def test_lesson_one_defines_the_words_everyone_uses() -> None:
    lesson, errors = find_lesson(default_course_dir(), "four-login-steps", KINDS)
    assert lesson is not None, errors
    prose = " ".join(part.markdown for part in lesson.segments
                     if isinstance(part, Prose)).lower()
    for words in ("enters", "credentials", "travel", "verifies", "attaches"):
        assert words in prose


async def test_a_login_recorded_and_inspected_gets_the_players_words() -> None:
    scene = parse_scene({"server": {"mode": "cookie", "scrypt_cost": 1024},
                         "steps": [{"login": {}}, {"request": {"path": "/profile"}}]})
    engine = SceneEngine(scene)
    while not engine.at_end:
        await engine.forward()
    seen = [e for r in engine.records for e in r.events if isinstance(e, ExchangeSeen)]
    analysis = analyse(parse_har(har_json([s.exchange for s in seen]).encode()))
    for live, recorded in zip(seen, analysis.entries, strict=True):
        lines = "\n".join(entry_lines(recorded, analysis))
        for step in live.login_steps:
            # The scene and the recording agree on the step, and say it in the same words.
            assert step in recorded.login_steps
            assert f"login step {step}: {LOGIN_STEP_NAMES[step]}" in lines
            # The stepper's short label is the sentence's own words, shortened.
            assert STEP_LABELS[step].split()[0][:5] in LOGIN_STEP_NAMES[step]
    assert json.loads(har_json([seen[0].exchange]))["log"]["entries"]


async def test_the_plain_transcript_says_the_same_words() -> None:
    lesson, errors = find_lesson(default_course_dir(), "four-login-steps", KINDS)
    assert lesson is not None, errors
    out = io.StringIO()
    assert await write_transcript(lesson, out)
    text = out.getvalue()
    assert f"login step 1: {LOGIN_STEP_NAMES[1]}" in text
