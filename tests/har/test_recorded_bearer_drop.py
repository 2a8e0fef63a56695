"""The seed's point about JWT logout, seen in a recording: lesson 7's scene saved as HAR
(as f9 saves it) and read back by `tutor inspect`'s analysis flags the replayed token."""

from __future__ import annotations

from tutor.har.analysis import analyse
from tutor.har.export import har_document
from tutor.har.reader import har_from_json
from tutor.lessons.course import default_course_dir, find_lesson
from tutor.quiz.kinds import KINDS
from tutor.scenes.engine import SceneEngine


async def test_a_logged_out_token_accepted_again_is_flagged_in_the_saved_har() -> None:
    lesson, errors = find_lesson(default_course_dir(), "logout-revocation", KINDS)
    assert lesson is not None and not errors
    block = next(b for b in lesson.scenes if b.id == "replay-until-exp")
    records = await SceneEngine(block.scene).run_all()
    exchanges = [x for record in records for x in record.outcome.exchanges]
    analysis = analyse(har_from_json(har_document(exchanges)))
    reused = [f for f in analysis.findings if f.kind == "credential-reused-after-drop"]
    # The replay before exp is accepted (200): the logout dropped the client's copy only.
    assert len(reused) == 1
    assert "bearer" in reused[0].message and "sent to log out" in reused[0].message
    replayed = analysis.entries[reused[0].entry].entry
    assert replayed.request.path == "/profile" and replayed.response.status == 200
