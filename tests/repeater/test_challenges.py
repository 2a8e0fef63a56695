"""Challenge quizzes: graded from the server's own log; lint runs the reference solution."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from tutor.lessons.course import default_course_dir, load_course
from tutor.lessons.lint import lint_paths
from tutor.quiz.grading import Grader
from tutor.quiz.kinds import KINDS
from tutor.quiz.kinds.challenge import ChallengeSpec, Words
from tutor.quiz.questions import Question, lesson_questions
from tutor.repeater.challenges import (
    ChallengeRun,
    verify_challenge,
)
from tutor.repeater.goal import CrossSite, challenge_problems, parse_attempt

LESSONS, _ = load_course(default_course_dir(), KINDS)
CHALLENGES = {quiz.id: quiz.spec for lesson in LESSONS for quiz in lesson.quizzes
              if isinstance(quiz.spec, ChallengeSpec)}
CHEAP = 2**10


def _cheap(spec: ChallengeSpec) -> ChallengeSpec:
    return dataclasses.replace(spec, server=dataclasses.replace(spec.server,
                                                                scrypt_cost=CHEAP))


def _run(quiz_id: str) -> ChallengeRun:
    spec = _cheap(CHALLENGES[quiz_id])
    return ChallengeRun(spec.goal, spec.server, spec.solution)


def _question(quiz_id: str) -> Question:
    """The course's challenge question, with a cheap server."""
    question = next(q for lesson in LESSONS for q in lesson_questions(lesson)
                    if q.quiz.id == quiz_id)
    quiz = dataclasses.replace(question.quiz, spec=_cheap(question.spec_as(ChallengeSpec)))
    return dataclasses.replace(question, quiz=quiz)


def test_the_course_has_the_three_challenges() -> None:
    assert set(CHALLENGES) >= {"challenge-alg-none", "challenge-weak-secret",
                               "challenge-forged-logout"}


@pytest.mark.parametrize("quiz_id", sorted(CHALLENGES))
async def test_every_course_challenge_is_reachable_and_not_already_won(quiz_id: str) -> None:
    assert await verify_challenge(_run(quiz_id), _run(quiz_id)) == []


async def test_the_solution_passes_and_wrong_attempts_say_what_is_missing() -> None:
    run = _run("challenge-alg-none")
    assert not run.goal_met().passed
    plain = await run.attempt_line("curl http://127.0.0.1:8000/admin")
    assert not plain.passed
    assert "GET /admin from you → 401: no bearer token sent" in plain.message
    assert "Not yet: the goal is GET /admin answered 200 for alice" in plain.message
    unparsable = await run.attempt_line("curl -L http://x/admin")
    assert not unparsable.passed and unparsable.entry is None
    assert "option -L" in unparsable.message
    solution = await run.attempt_line(CHALLENGES["challenge-alg-none"].solution[1])
    assert solution.passed
    assert "Goal met: the server's own log shows GET /admin answered 200" in solution.message
    assert run.goal_met().passed
    run.sandbox.back()  # the log is restored with everything else
    assert not run.goal_met().passed
    assert "Closest so far: GET /admin from you → 401" in run.goal_met().message


async def test_a_forged_token_with_the_wrong_secret_is_refused_at_the_signature() -> None:
    run = _run("challenge-weak-secret")
    token = CHALLENGES["challenge-weak-secret"].solution[0]
    wrong = token[: token.rindex(".") + 1] + "A" * 43 + "'"
    result = await run.attempt_line(wrong)
    assert not result.passed
    assert "signature does not match" in result.message


async def test_the_goal_needs_the_victims_browser_not_your_own_login() -> None:
    run = _run("challenge-forged-logout")
    await run.attempt_line("curl -X POST -d 'username=alice&password=wonderland' "
                           "http://127.0.0.1:8000/login")
    own = await run.attempt_line("curl -X POST http://127.0.0.1:8000/logout")
    assert not own.passed and "sent by the victim's browser" in own.message
    link = await run.attempt_line("cross-site navigate /logout")
    assert not link.passed and "→ 405" in link.message
    forged = await run.attempt_line("cross-site form POST /logout")
    assert forged.passed
    assert "recognised alice (cookie), sent by alice's browser" in forged.message


async def test_typed_lines_keep_the_run_across_retries() -> None:
    question = _question("challenge-alg-none")
    grader = Grader()
    first = await grader.grade(question, Words("nonsense"))
    assert not first.correct and "Not sent" in first.detail
    run = grader.state(question)["challenge_run"]
    second = await grader.grade(question, Words("curl http://x/admin"))
    assert not second.correct and "401" in second.detail
    assert grader.state(question)["challenge_run"] is run and len(run.sandbox.entries) == 1
    solved = await grader.grade(question, Words(question.spec_as(ChallengeSpec).solution[1]))
    assert solved.correct and solved.summary.startswith("Goal reached")


async def test_a_cross_site_line_is_sent_by_the_lured_victim() -> None:
    question = _question("challenge-forged-logout")
    grade = await Grader().grade(question, Words("cross-site form POST /logout"))
    assert grade.correct


def test_attempt_lines_and_shape_problems() -> None:
    assert parse_attempt("cross-site fetch /logout a=1") == CrossSite(
        "/logout", "POST", "fetch", (("a", "1"),))
    assert parse_attempt("cross-site GET /profile").method == "GET"
    problems = dict(challenge_problems({
        "goal": {"path": "admin", "status": "ok", "sent_by": "bob", "colour": 1},
        "server": {"mode": "jtw"},
        "solution": ["curl -L http://x/", {"cross_site": {"path": "/x", "kind": "ajax"}}, 3],
    }))
    assert "goal.path" in problems and "goal.status" in problems
    assert "did you mean" in problems["goal.colour"] or "known" in problems["goal.colour"]
    assert "you, victim" in problems["goal.sent_by"]
    assert "mode 'jtw'" in problems["server"]
    assert "option -L" in problems["solution[0]"]
    assert "kind 'ajax'" in problems["solution[1]"]
    assert "a solution step is" in problems["solution[2]"]


LESSON = """\
---
id: challenge-lint
title: T
summary: S
order: 1
level: beginner
minutes: 1
format_version: 1
---

# T

```scene
id: s
title: The home page
server: {{mode: jwt}}
steps:
  - narration: Alice opens the home page.
    request: /
    expect: {{status: 200}}
```

```quiz
id: c
kind: challenge
question: Reach the admin page.
server: {{mode: jwt, scrypt_cost: 1024}}
goal: {goal}
solution:
  - {solution}
```

## Hints

- h

## Sources

- s
"""


@pytest.mark.parametrize(
    ("goal", "solution", "expected"),
    [
        ("{path: /admin, status: 200}", "curl http://x/admin",
         "the reference solution does not reach the goal"),
        ("{path: /, status: 200}", "curl http://x/", "a bare GET / with no credential"),
        ("{path: /admin, status: 200}", "curl -L http://x/admin", "option -L"),
    ],
)
def test_lint_catches_a_broken_challenge(tmp_path: Path, goal: str, solution: str,
                                         expected: str) -> None:
    path = tmp_path / "lesson.md"
    path.write_text(textwrap.dedent(LESSON.format(goal=goal, solution=solution)))
    messages = [str(e) for e in lint_paths([path], KINDS)]
    assert len(messages) == 1 and expected in messages[0], messages
    assert messages[0].startswith(f"{path}:")
    line = int(messages[0].split(":")[1])
    assert path.read_text().splitlines()[line - 1].lstrip().startswith(("goal", "solution",
                                                                        "- curl"))


def test_lint_accepts_a_reachable_challenge(tmp_path: Path) -> None:
    path = tmp_path / "lesson.md"
    # YAML single quotes: '' is one quote.
    login = """'curl --json ''{"username": "alice", "password": "wonderland"}'' x/login'"""
    path.write_text(LESSON.format(goal="{method: POST, path: /login, principal: alice}",
                                  solution=login))
    assert [str(e) for e in lint_paths([path], KINDS)] == []


@pytest.mark.parametrize("quiz_id", ["challenge-alg-confusion", "challenge-jku",
                                     "challenge-kid"])
async def test_library_attack_challenges_are_judged_by_the_servers_log(quiz_id: str) -> None:
    """The solution's forged token passes only on the challenge's vulnerable server: the
    same request to the fixed server (the same settings minus the weakness) is refused in
    its log, so the grade cannot come from anything but the server's own decision."""
    spec = _cheap(CHALLENGES[quiz_id])
    run = ChallengeRun(spec.goal, spec.server, spec.solution)
    for step in spec.solution:
        result = await run.attempt_line(str(step))
    assert result.passed, result.message
    fixed = dataclasses.replace(spec.server, vulnerabilities=type(spec.server.vulnerabilities)())
    refused = ChallengeRun(spec.goal, fixed, spec.solution)
    for step in spec.solution:
        result = await refused.attempt_line(str(step))
    assert not result.passed
    assert "/admin from you → 401" in result.message
