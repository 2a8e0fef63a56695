"""The story of a scene as beats: every actor on its own lane, every beat of the login.

These are the claims the stage draws, checked on the core's beats so that the stage,
the transcript and any other front end tell the same story.
"""

from __future__ import annotations

from typing import Any

from tutor.scenes import SceneEngine, parse_scene
from tutor.scenes.beats import (
    ATTACKER_LANE,
    PASSWORD_MASK,
    STORE_LANE,
    Beat,
    Story,
    lanes_of,
    login_steps_covered,
    story_of,
)


def scene_for(*steps: Any, browsers: tuple[str, ...] = ("user",), **server: Any) -> Any:
    config = {"mode": "cookie", "scrypt_cost": 1024, **server}
    return parse_scene({"server": config, "browsers": list(browsers), "steps": list(steps)})


async def told(*steps: Any, browsers: tuple[str, ...] = ("user",), **server: Any) -> Story:
    """Run every step, then tell the story of all that happened."""
    engine = SceneEngine(scene_for(*steps, browsers=browsers, **server))
    while not engine.at_end:
        record = await engine.forward()
        assert record.passed, record.error or record.failures
    return story_of(engine.scene, [e for r in engine.records for e in r.events])


def kinds(beats: tuple[Beat, ...] | list[Beat]) -> list[str]:
    return [beat.kind for beat in beats]


def of_step(story: Story, index: int) -> list[Beat]:
    return [beat for beat in story.beats if beat.step_index == index]


async def test_a_cookie_login_shows_all_four_steps_in_order() -> None:
    story = await told({"login": {}}, {"request": {"path": "/profile"}})
    login = [b for b in of_step(story, 0) if b.login_steps]
    assert kinds(login)[:2] == ["typed", "request"]
    typed = login[0]
    assert typed.source == "person" and typed.target == "browser:user"
    assert typed.label == f"alice {PASSWORD_MASK}"
    assert "wonderland" not in typed.label + typed.sentence
    # Step 3: the server writes alice's row into the store, then answers with the cookie,
    # and the browser keeps it in its jar.
    three = [b for b in login if 3 in b.login_steps]
    assert [b.kind for b in three][:4] == ["work", "store", "response", "kept"]
    assert three[1].target == STORE_LANE and three[1].label == "+row alice"
    assert "cookie jar" in three[3].sentence and "web storage" in three[3].sentence
    assert login_steps_covered(of_step(story, 0)) == (1, 2, 3, 4)  # and the redirect's GET
    assert login_steps_covered(of_step(story, 1)) == (4,)
    # Step 3 starts with the password check, in the server's own lane.
    checked = next(b for b in login if b.kind == "work")
    assert checked.label == "password ✓" and checked.source == checked.target
    # Step 4: every later request costs a lookup in the store, which finds alice's row.
    reuse = of_step(story, 1)
    assert kinds(reuse) == ["request", "store", "response"]
    assert reuse[1].label == "lookup sid → alice" and reuse[1].login_steps == (4,)


async def test_a_jwt_login_signs_without_writing_the_token_anywhere() -> None:
    story = await told({"login": {}}, {"request": {"path": "/profile"}}, mode="jwt")
    login = of_step(story, 0)
    signed = [b for b in login if b.kind == "work" and "signs" in b.label]
    assert signed and signed[0].label == "signs access JWT"
    assert signed[0].source == signed[0].target == "server:bank.test"
    # The one store write of a JWT login is the refresh-token family, never the token.
    writes = [b for b in login if b.kind == "store"]
    assert [b.label for b in writes] == ["+refresh family"]
    kept = [b for b in login if b.kind == "kept"]
    assert {b.label for b in kept} == {"localStorage: access_token",
                                       "localStorage: refresh_token"}
    # Using the token touches no store: the signature is checked in the server's lane.
    reuse = of_step(story, 1)
    assert kinds(reuse) == ["request", "work", "response"]
    assert reuse[1].label == "checks signature ✓" and "no store" in reuse[1].sentence
    assert not [b for b in reuse if b.target == STORE_LANE]


async def test_a_denylist_puts_the_store_back_on_every_jwt_request() -> None:
    story = await told({"login": {}}, {"request": {"path": "/profile"}}, mode="jwt",
                       denylist=True)
    reuse = of_step(story, 1)
    assert kinds(reuse) == ["request", "work", "store", "response"]
    assert reuse[2].label == "denylist? no" and reuse[2].target == STORE_LANE


async def test_a_wrong_password_is_checked_and_refused_with_no_step_three() -> None:
    story = await told({"login": {"password": "guess"}, "expect": {"status": 401}})
    check = next(b for b in story.beats if b.kind == "work")
    assert check.label == "password ✗" and check.login_steps == ()
    assert "wonderland" not in " ".join(b.sentence for b in story.beats)


async def test_a_replayed_copy_is_the_attackers_not_alices_step_four() -> None:
    story = await told({"login": {}}, {"capture": {}},
                       {"replay": {"path": "/profile"}, "as": "attacker"},
                       browsers=("user", "attacker"))
    assert [lane.id for lane in story.lanes][-1] == ATTACKER_LANE
    capture = of_step(story, 1)
    assert kinds(capture) == ["captured"]
    assert capture[0].source == "browser:user" and capture[0].target == ATTACKER_LANE
    replay = of_step(story, 2)
    assert kinds(replay) == ["request", "store", "response"]
    request, lookup, response = replay
    # The server cannot tell: the copied id finds alice's row like her own request would.
    assert lookup.label == "lookup sid → alice" and lookup.login_steps == ()
    assert request.source == ATTACKER_LANE and response.target == ATTACKER_LANE
    assert request.replay and response.replay
    assert request.login_steps == () and "replayed copy" in request.sentence
    assert request.credential == "cookie" and response.status == 200


async def test_a_clock_jump_is_a_row_and_the_expiry_it_causes_is_drawn() -> None:
    story = await told({"login": {}}, {"advance_clock": {"seconds": 901}},
                       {"request": {"path": "/profile"}})
    jump = of_step(story, 1)
    assert jump[0].kind == "clock" and jump[0].label == "◷ +15 min 1 s"
    expired = [b for b in story.beats if "expires" in b.label]
    assert expired and expired[0].source == expired[0].target == STORE_LANE
    assert expired[0].step_index == 1  # when the clock moved, not when next asked
    assert of_step(story, 2)[-1].status == 401


async def test_a_cross_site_request_gets_evil_tests_own_lane() -> None:
    story = await told({"login": {}},
                       {"cross_site_request": {"path": "/logout"}},
                       vulnerabilities=["samesite_none"])
    assert [lane.label for lane in story.lanes] == [
        "Alice", "Browser", "bank.test", "Store", "evil.test"]
    to_evil = next(b for b in of_step(story, 1) if b.kind == "request")
    assert to_evil.target == "server:evil.test"
    note = of_step(story, 1)[0]
    assert note.kind == "note" and note.label == "opens a page on evil.test"
    assert note.sentence.startswith("Alice opens a page")


async def test_a_cross_site_request_from_another_page_names_it_and_skips_evil_test() -> None:
    """`from:` a page that is not evil.test (http://bank.test, a subdomain): the note
    names that page, and no evil.test lane stands empty."""
    story = await told({"login": {}},
                       {"cross_site_request": {"path": "/logout",
                                               "from": "http://bank.test"}})
    assert "evil.test" not in [lane.label for lane in story.lanes]
    note = of_step(story, 1)[0]
    assert note.kind == "note" and note.label == "opens a page on bank.test"


async def test_each_replica_is_named_where_it_answers() -> None:
    story = await told({"login": {}}, {"request": {"path": "/profile"}},
                       replicas=2, shared_store=True)
    answers = [b for b in story.beats if b.kind == "response"]
    assert {b.replica for b in answers} == {"A", "B"}
    assert all(f"replica {b.replica}" in b.sentence for b in answers)


def test_lanes_are_fixed_before_anything_runs() -> None:
    lanes = lanes_of(scene_for({"login": {}}, {"capture": {}}))
    assert [lane.kind for lane in lanes] == ["person", "browser", "server", "store",
                                             "attacker"]
    assert [lane.label for lane in lanes_of(scene_for({"login": {}}))] == [
        "Alice", "Browser", "bank.test", "Store"]
