"""Many cookies from one step: `set_cookie`'s `count`, the lab that expands it, the stage
that folds the stored cookies into one row and marks an eviction, and the transcript
that folds lines alike but for the cookie's name (lesson 17's eviction scene)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tutor.browser.cookie_policy import MAX_COOKIES_PER_DOMAIN
from tutor.lessons.transcript import fold_cookie_runs
from tutor.scenes import SceneEngine, SceneError, parse_scene
from tutor.scenes.beats import story_of
from tutor.scenes.model import MAX_SET_COOKIE_LINES
from tutor.server.cookie_lab import MAX_COOKIE_LINES, CookieLab

LAB = "https://ads.bank.test"


def scene(*steps: Any) -> dict[str, Any]:
    return {"server": {"mode": "cookie", "scrypt_cost": 1024}, "lab_sites": [LAB],
            "steps": list(steps)}


def flood(count: int, line: str = "ad{n}=1; Domain=bank.test; Path=/; Secure") -> Any:
    return {"narration": "A subdomain sets many cookies.",
            "set_cookie": {"url": LAB, "cookie": line, "count": count}}


def test_the_scene_limit_is_the_labs() -> None:
    assert MAX_SET_COOKIE_LINES == MAX_COOKIE_LINES


@pytest.mark.parametrize(("params", "where", "words"), [
    ({"cookie": "ad=1", "count": 3}, "steps[0].set_cookie.cookie", "needs {n}"),
    ({"cookie": ["a{n}=1", "b=1"], "count": 2}, "steps[0].set_cookie.cookie", "'b=1'"),
    ({"cookie": ["a{n}=1", "b{n}=1"], "count": 33}, "steps[0].set_cookie", "66 Set-Cookie"),
    ({"cookie": "a{n}=1", "count": 65}, "steps[0].set_cookie.count", "between 1 and 64"),
    ({"cookie": "a{n}=1", "count": 0}, "steps[0].set_cookie.count", "between 1 and 64"),
    ({"cookie": "a{n}=1", "count": "50"}, "steps[0].set_cookie.count", "a number"),
    ({"cookie": [], "count": 2}, "steps[0].set_cookie.cookie", "Set-Cookie line"),
])
def test_count_is_checked_where_it_is_written(params: dict[str, Any], where: str,
                                              words: str) -> None:
    with pytest.raises(SceneError) as caught:
        parse_scene(scene({"narration": "n", "set_cookie": {"url": LAB, **params}}))
    assert caught.value.path == where and words in caught.value.message


async def test_the_lab_numbers_each_line_and_refuses_too_many() -> None:
    transport = httpx.ASGITransport(app=CookieLab().app)
    async with httpx.AsyncClient(transport=transport, base_url=LAB) as client:
        ok = await client.get("/set", params={"cookie": ["a{n}=1", "b{n}=2"], "count": "3"})
        assert ok.headers.get_list("set-cookie") == ["a1=1", "b1=2", "a2=1", "b2=2",
                                                    "a3=1", "b3=2"]
        for count in ("65", "0", "-1", "x", "9" * 5000):
            bad = await client.get("/set", params={"cookie": "a{n}=1", "count": count})
            assert bad.status_code == 400, count


async def run(data: dict[str, Any]) -> Any:
    engine = SceneEngine(parse_scene(data))
    while not engine.at_end:
        record = await engine.forward()
        assert record.passed, record.error or record.failures
    return engine


async def test_fifty_cookies_make_one_row_and_the_eviction_its_own() -> None:
    engine = await run(scene(
        {"login": {}},
        flood(MAX_COOKIES_PER_DOMAIN),
    ))
    story = story_of(engine.scene, [e for r in engine.records for e in r.events])
    flooded = [b for b in story.beats if b.step_index == 1]
    assert [b.kind for b in flooded] == ["request", "response", "refused", "kept"]
    evicted, kept = flooded[2:]
    assert evicted.label == "✗ jar evicts __Host-sid"
    assert "bank.test went over its 50 cookies" in evicted.sentence
    assert kept.label == f"jar: ad1 … ad{MAX_COOKIES_PER_DOMAIN} ({MAX_COOKIES_PER_DOMAIN})"
    assert kept.sentence.startswith(f"The browser keeps {MAX_COOKIES_PER_DOMAIN} cookies")


async def test_two_stored_cookies_are_named_and_a_replacement_stays_apart() -> None:
    engine = await run(scene(
        {"narration": "n", "set_cookie": {"url": LAB, "cookie": ["a=1", "b=1"]}},
        {"narration": "n", "set_cookie": {"url": LAB, "cookie": ["a=2", "c=1", "d=1"]}},
    ))
    story = story_of(engine.scene, [e for r in engine.records for e in r.events])
    labels = [b.label for b in story.beats if b.kind == "kept"]
    assert labels == ["jar: a, b", "jar: a", "jar: c, d"]


async def test_the_eviction_expectation_fails_with_what_was_not_evicted() -> None:
    engine = SceneEngine(parse_scene(scene(
        {**flood(3), "expect": {"cookie_evicted": "__Host-sid"}},
    )))
    record = await engine.forward()
    assert not record.passed
    assert "not evicted: __Host-sid" in str(record.failures)


def test_the_transcript_folds_lines_alike_but_for_the_name() -> None:
    stored = [f"  Alice's browser: cookie ad{n} stored in the cookie jar (Secure)"
              for n in range(1, 50)]
    lines = [*stored, "  Alice's browser: cookie __Host-sid removed (evicted: ...)",
             "  Alice's browser: cookie ad50 stored in the cookie jar (Secure)"]
    assert fold_cookie_runs(lines) == [
        stored[0], stored[1], "  … 46 more like these (ad3 to ad48)", stored[-1],
        lines[-2], lines[-1]]
    few = stored[:5]
    assert fold_cookie_runs(few) == few
    other = ["    cookie a sent: same-site request", "    cookie b withheld: Secure"] * 4
    assert fold_cookie_runs(other) == other
