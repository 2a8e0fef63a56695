"""The shape of a ```quiz block (grading lives with the quiz engine).

Returns (path, message) pairs so the parser can point at the line of each problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tutor.repeater.goal import challenge_problems
from tutor.suggest import unknown_key_message

QUIZ_KINDS = ("single", "multiple", "true_false", "order", "predict", "challenge")
CHOICE_KINDS = ("single", "multiple", "true_false")
COMMON_KEYS = {"id", "kind", "question", "hints", "explanation"}
KIND_KEYS: dict[str, set[str]] = {
    "single": {"options"},
    "multiple": {"options"},
    "true_false": {"options"},
    "order": {"items"},
    "predict": {"scene", "track", "step", "answer", "feedback"},
    "challenge": {"goal", "mode", "server", "solution"},
}
OPTION_KEYS = {"text", "correct", "feedback"}

Problems = list[tuple[str, str]]


def check_quiz(data: Mapping[str, Any]) -> Problems:
    """Every shape problem in one quiz block."""
    problems: Problems = []
    kind = data.get("kind")
    if kind not in QUIZ_KINDS:
        problems.append(("kind", f"kind must be one of {', '.join(QUIZ_KINDS)}"))
        return problems
    allowed = COMMON_KEYS | KIND_KEYS[kind]
    for key in data:
        if key not in allowed:
            problems.append((str(key), unknown_key_message(f"{kind} quiz", str(key), allowed)))
    if not _text(data.get("question")):
        problems.append(("question", "a quiz needs a `question`"))
    hints = data.get("hints", [])
    if not isinstance(hints, list) or not all(_text(h) for h in hints):
        problems.append(("hints", "hints must be a list of text"))
    if kind in CHOICE_KINDS:
        problems += _check_options(kind, data.get("options"))
    elif kind == "order":
        items = data.get("items")
        if not isinstance(items, list) or len(items) < 2 or not all(_text(i) for i in items):
            problems.append(("items", "an order quiz lists at least two `items`, in the "
                             "correct order"))
        elif len(set(items)) != len(items):
            problems.append(("items", "items must all differ"))
    elif kind == "predict":
        if not _text(data.get("scene")):
            problems.append(("scene", "a predict quiz names the `scene` (a block id) it runs"))
        if not isinstance(data.get("step"), int) or isinstance(data.get("step"), bool):
            problems.append(("step", "a predict quiz names the `step` (0-based) whose "
                             "response answers it"))
        answer = data.get("answer")
        if not (isinstance(answer, int) and 100 <= answer <= 599):
            problems.append(("answer", "answer must be the HTTP status the step returns"))
        if "feedback" in data and not _text(data["feedback"]):
            problems.append(("feedback", "feedback must be text, shown once the question "
                             "is settled"))
    elif kind == "challenge":
        problems += challenge_problems(data)
    return problems


def _check_options(kind: str, options: Any) -> Problems:
    if not isinstance(options, list) or len(options) < 2:
        return [("options", "a choice quiz needs at least two `options`")]
    problems: Problems = []
    correct = 0
    for index, option in enumerate(options):
        path = f"options[{index}]"
        if not isinstance(option, Mapping):
            problems.append((path, "an option is a mapping with text, correct and feedback"))
            continue
        for key in option:
            if key not in OPTION_KEYS:
                problems.append((f"{path}.{key}", unknown_key_message("option", str(key),
                                                                       OPTION_KEYS)))
        if not _text(option.get("text")):
            problems.append((path, "an option needs `text`"))
        feedback = option.get("feedback")
        if isinstance(feedback, bool):
            problems.append((f"{path}.feedback", "feedback must be text: quote it, since YAML "
                             "reads yes/no/on/off as true/false"))
        elif not _text(feedback):
            problems.append((path, "every option needs `feedback` saying why it is right or "
                             "wrong"))
        if not isinstance(option.get("correct", False), bool):
            problems.append((f"{path}.correct", "correct must be true or false"))
        elif option.get("correct", False):
            correct += 1
    if kind in ("single", "true_false") and correct != 1:
        problems.append(("options", f"a {kind} quiz has exactly one correct option "
                         f"(found {correct})"))
    if kind == "multiple" and correct < 1:
        problems.append(("options", "a multiple quiz has at least one correct option"))
    if kind == "true_false" and len(options) != 2:
        problems.append(("options", "a true_false quiz has exactly two options"))
    return problems


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
