"""Generated hostile HARs through every consumer: each either reads the file or refuses it
with one HarError, and nothing it prints obeys a control character or shows a planted
credential whole (inspect text and JSON, streamed and whole; replay --plain;
--against-mock; the redacted export of the staged exchanges; the stage's story)."""

from __future__ import annotations

import asyncio
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from tests.har.hostile import SECRET, assert_clean, har_documents
from tests.long_run import examples
from tutor.har.analysis import analyse
from tutor.har.export import har_json
from tutor.har.inspect import inspect_file
from tutor.har.model import HarError
from tutor.har.reader import parse_har
from tutor.har.render import replay_text
from tutor.har.replay import replay_against_mock, replay_report
from tutor.har.stage import staged_exchanges, story_of_exchanges

SETTINGS = settings(max_examples=examples(60), deadline=None, derandomize=True,
                    database=None, suppress_health_check=[HealthCheck.too_slow])


def _raw(document: dict[str, Any]) -> bytes:
    # Python's json writes what a lenient exporter might: NaN, 1e400 as digits, surrogates.
    return json.dumps(document).encode()


def _inspect(raw: bytes, as_json: bool) -> str | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hostile.har"
        path.write_bytes(raw)
        out = io.StringIO()
        try:
            inspect_file(path, out, as_json=as_json)
        except HarError as exc:
            assert_clean(str(exc), "inspect's error")
            return None
        return out.getvalue()


@SETTINGS
@given(document=har_documents())
def test_every_consumer_reads_or_refuses_and_prints_nothing_raw(
        document: dict[str, Any]) -> None:
    raw = _raw(document)
    try:
        har = parse_har(raw)
    except HarError as exc:
        assert_clean(str(exc), "the reader's error")
        assert _inspect(raw, as_json=False) is None
        return
    analysis = analyse(har)
    text = _inspect(raw, as_json=False)
    assert text is not None
    assert_clean(text, "inspect")
    document_text = _inspect(raw, as_json=True)
    assert document_text is not None
    assert_clean(document_text, "inspect --json")
    json.loads(document_text)
    assert_clean(replay_text(analysis), "replay --plain")
    staged = staged_exchanges(analysis)
    story = story_of_exchanges(staged)
    for beat in story.beats:
        assert_clean(beat.label + beat.sentence, "the stage")
    for lane in story.lanes:
        assert_clean(lane.label, "the stage's lanes")
    exported = har_json([seen.exchange for seen in staged], redact=True)
    assert SECRET not in exported, "the redacted export keeps a credential"
    json.loads(exported)


@settings(max_examples=examples(10), deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(document=har_documents())
def test_against_mock_reports_every_generated_har(document: dict[str, Any]) -> None:
    try:
        har = parse_har(_raw(document))
    except HarError:
        return
    analysis = analyse(har)
    results = asyncio.run(replay_against_mock(analysis, "cookie"))
    assert len(results) == len(har.entries)
    assert_clean(replay_report(results), "replay --against-mock")


def test_the_planted_secret_is_what_the_checks_look_for() -> None:
    # The property above is only as good as its check: a raw ESC and the secret fail it.
    for bad in ("\x1b[2J", f"?password={SECRET}", "\x9b", "\ud800"):
        try:
            assert_clean(bad, "a bad output")
        except (AssertionError, UnicodeEncodeError):
            continue
        raise AssertionError(f"assert_clean let {bad!r} through")
