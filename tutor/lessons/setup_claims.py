"""What a quiz's stem says about the server, and answers that contradict it.

A question such as "With the denylist off, which of these stop a copied token?" fixes
the server's setup. An option that only holds under another setup ("turning on a
denylist") gives the question two defensible answer sets: the learner cannot tell
whether the stem or the option wins. `tutor lint` reads the settings a stem states and
reports

- an option whose text states the same setting with another value, and
- a predict question whose scene (or track) runs with another value than the stem says,
  read from the scene's own `ServerConfig`, so a stem cannot misdescribe its scene.

Settings are read from fixed phrasings (the ones the course uses); a phrasing not
listed here is not understood, which keeps the check from guessing. Each phrase names
a `ServerConfig` field (or a registered weakness), and a test keeps the table in step
with the config, so a renamed setting fails loudly instead of silently matching nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutor.lessons.model import Lesson, LessonError, QuizBlock

if TYPE_CHECKING:
    from tutor.server.config import ServerConfig


@dataclass(frozen=True)
class Setting:
    """One server setting a sentence states: `key` is a `ServerConfig` field or a
    weakness name, `value` what the sentence says it is, `words` the phrase itself."""

    key: str
    value: object
    words: str


_ARTICLE = r"(?:an? |the )?(?:server-side |jwt )?"
_PHRASES: tuple[tuple[str, str, object], ...] = (
    # The False forms first: "with the denylist off" must not read as "with the denylist".
    (rf"\b{_ARTICLE}denylist (?:is )?(?:off|false|disabled|switched off)\b", "denylist", False),
    (r"\bdenylist: ?false\b", "denylist", False),
    (rf"\b(?:without|no) {_ARTICLE}denylist\b", "denylist", False),
    (rf"\b{_ARTICLE}denylist (?:is )?(?:on|true|enabled|switched on)\b", "denylist", True),
    (r"\bdenylist: ?true\b", "denylist", True),
    (rf"\b(?:turn|turns|turning|switch|switches|switching) on {_ARTICLE}denylist\b",
     "denylist", True),
    (rf"\bwith {_ARTICLE}denylist\b", "denylist", True),
    (r"\bin (signed-cookie|cookie|jwt) mode\b", "mode", None),
    (r"\b(?:an? |the )?(HS256|RS256|EdDSA) server\b", "algorithm", None),
    (r"\bsamesite=none\b", "samesite_none", True),
    (r"\bsamesite=(?:lax|strict)\b", "samesite_none", False),
    (r"\bwithout httponly\b|\bleft httponly off\b|\bhttponly (?:is )?off\b",
     "no_httponly", True),
    (r"\b(?:does not|doesn't|never) rotates?\b|\bno session rotation\b",
     "no_session_rotation", True),
)
_COMPILED = tuple((re.compile(pattern, re.IGNORECASE), key, value)
                  for pattern, key, value in _PHRASES)
_ALGORITHMS = {"hs256": "HS256", "rs256": "RS256", "eddsa": "EdDSA"}


def setting_keys() -> frozenset[str]:
    """Every key the phrase table can state (a test checks each is a real setting)."""
    return frozenset(key for _, key, _ in _PHRASES)


def stated_settings(text: str) -> list[Setting]:
    """The settings a sentence states, one per key (the first phrasing found wins)."""
    found: dict[str, Setting] = {}
    taken: list[tuple[int, int]] = []
    for pattern, key, value in _COMPILED:
        for match in pattern.finditer(text):
            span = match.span()
            if key in found or any(s < span[1] and span[0] < e for s, e in taken):
                continue
            if value is None:  # the phrase carries the value itself
                said = match.group(1)
                value_of: object = _ALGORITHMS.get(said.lower(), said.lower())
            else:
                value_of = value
            found[key] = Setting(key, value_of, match.group(0))
            taken.append(span)
    return list(found.values())


def config_value(config: ServerConfig, key: str) -> object:
    """A setting's value in a scene's server config (a weakness: whether it is on)."""
    if hasattr(config, key):
        return getattr(config, key)
    return key in config.vulnerabilities.enabled()


def contradictions(stem: Sequence[Setting], other: Iterable[Setting]) -> list[tuple[Setting,
                                                                                    Setting]]:
    """Pairs (stem's setting, the other's) that name the same key with another value."""
    said = {setting.key: setting for setting in stem}
    return [(said[s.key], s) for s in other if s.key in said and said[s.key].value != s.value]


def setup_errors(lesson: Lesson) -> list[LessonError]:
    """Every quiz whose options or scene contradict the setup its stem states."""
    errors: list[LessonError] = []
    scenes = {block.id: block for block in lesson.scenes}
    for quiz in lesson.quizzes:
        stem = stated_settings(quiz.spec.question)
        if not stem:
            continue
        for index, option in enumerate(getattr(quiz.spec, "options", ()) or ()):
            for said, against in contradictions(stem, stated_settings(str(option.text))):
                errors.append(_error(
                    lesson, quiz, f"options[{index}].text",
                    f"option {index + 1} says {against.words!r} but the question sets up "
                    f"{said.words!r}: an answer must hold in the setup the question states"))
        scene_id = getattr(quiz.spec, "scene", None)
        if isinstance(scene_id, str) and scene_id in scenes:
            track = getattr(quiz.spec, "track", None) or ""
            for label, scene in scenes[scene_id].tracks:
                if label != track:
                    continue
                for setting in stem:
                    actual = config_value(scene.server, setting.key)
                    if actual != setting.value:
                        where = f"scene {scene_id}" + (f", track {label}," if label else "")
                        errors.append(_error(
                            lesson, quiz, "question",
                            f"the question says {setting.words!r} but {where} runs with "
                            f"{setting.key} = {actual!r}"))
    return errors


def _error(lesson: Lesson, quiz: QuizBlock, path: str, message: str) -> LessonError:
    line, column = quiz.locate(path)
    return LessonError(str(lesson.path), line, column, f"quiz {quiz.id}: {message}")
