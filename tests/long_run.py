"""The default run and the long run.

`python -m pytest -n auto` (the README's command) runs every test, each in a short form:
the monkey test with a few hundred keys per seed, each property with a modest number of
examples. `.ci/run` then runs the long forms as a second step:

    python -m pytest -n auto -m "long or hypothesis" --hypothesis-profile=long

which picks the tests marked `long` (deselected by default in pyproject.toml: the
monkey's thousands of keys) and every Hypothesis test, now with LONG_FACTOR times the
examples. Nothing is covered only by luck of timing: the long run is the same tests,
longer.
"""

from __future__ import annotations

from hypothesis import settings

LONG_PROFILE = "long"
LONG_FACTOR = 5
_PLAIN = settings.get_profile("default").max_examples
"""Hypothesis's own default number of examples (100), which the long profile scales."""

settings.register_profile(LONG_PROFILE, max_examples=_PLAIN * LONG_FACTOR)


def examples(default_run: int) -> int:
    """`default_run` examples, or LONG_FACTOR times as many under the long profile.

    Read when a test module is imported, after pytest has loaded the profile."""
    return max(1, default_run * settings().max_examples // _PLAIN)
