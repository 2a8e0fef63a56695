"""The streamed reader (`tutor inspect`'s): the same entries, report and errors as the
whole-file reader, and the errors it alone can meet (files past the whole-file limit)."""

from __future__ import annotations

import base64
import codecs
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.har.builders import cookie_login_flow, entry, har, har_bytes, headers, token
from tests.har.test_bad_input import CASES
from tests.long_run import examples
from tutor.har.analysis import analyse
from tutor.har.inspect import inspect_file
from tutor.har.model import HarError, MediaBody
from tutor.har.reader import parse_har
from tutor.har.render import analysis_json, inspect_text
from tutor.har.stream import HarStream, HarSyntaxError


def _write(tmp_path: Path, raw: bytes, name: str = "f.har") -> Path:
    path = tmp_path / name
    path.write_bytes(raw)
    return path


def _inspect(path: Path, as_json: bool = False) -> str:
    import io

    out = io.StringIO()
    inspect_file(path, out, as_json=as_json)
    return out.getvalue()


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16", "utf-32"])
def test_streamed_entries_equal_the_whole_file_reader(codec: str, tmp_path: Path) -> None:
    raw = har_bytes(*cookie_login_flow()).decode().encode(codec)
    stream = HarStream(_write(tmp_path, raw))
    assert stream.creator == "test 1"
    assert tuple(stream.entries()) == parse_har(raw).entries
    assert stream.count == 5


def test_the_streamed_report_is_the_in_memory_one(tmp_path: Path) -> None:
    raw = har_bytes(*cookie_login_flow(), *[entry(url=f"https://x.test/{i}") for i in range(3)])
    analysis = analyse(parse_har(raw))
    path = _write(tmp_path, raw)
    assert _inspect(path) == inspect_text(analysis) + "\n"
    assert json.loads(_inspect(path, as_json=True)) == analysis_json(analysis)


def test_many_quiet_exchanges_become_a_count(tmp_path: Path) -> None:
    raw = har_bytes(*cookie_login_flow(), *[entry(url=f"https://x.test/{i}") for i in range(30)])
    text = _inspect(_write(tmp_path, raw))
    assert "(30 exchanges without credentials not shown)" in text
    assert "(no credentials)" not in text
    assert text == inspect_text(analyse(parse_har(raw))) + "\n"


def test_quiet_exchanges_are_compact_runs_set_apart_by_blank_lines(tmp_path: Path) -> None:
    login = entry("POST", "https://x.test/login", post={
        "mimeType": "application/json", "text": json.dumps({"password": "pw"})})
    quiet = [entry(url=f"https://x.test/{i}") for i in range(4)]
    raw = har_bytes(quiet[0], quiet[1], login, quiet[2], quiet[3])
    text = _inspect(_write(tmp_path, raw))
    blocks = text.split("\n\n")
    assert blocks[0] == "5 exchanges, recorded by test 1"
    assert blocks[1] == ("#0  GET https://x.test/0  → 200  (no credentials)\n"
                         "#1  GET https://x.test/1  → 200  (no credentials)")
    assert blocks[2].startswith("#2  POST https://x.test/login  → 200\n    login step 2")
    assert blocks[3] == ("#3  GET https://x.test/2  → 200  (no credentials)\n"
                         "#4  GET https://x.test/3  → 200  (no credentials)")
    assert blocks[4:] == ["No findings.\n"]
    assert text == inspect_text(analyse(parse_har(raw))) + "\n"


def test_a_creator_after_the_entries_is_still_found(tmp_path: Path) -> None:
    document = har(*cookie_login_flow())
    log = document["log"]
    document["log"] = {"entries": log["entries"], "creator": {"name": "late", "version": "2"}}
    text = _inspect(_write(tmp_path, json.dumps(document).encode()))
    assert text.startswith("5 exchanges, recorded by late 2\n")


@pytest.mark.parametrize("name", ["entries a string", "no entries", "a list", "no log",
                                  "log not an object", "empty", "header without name",
                                  "status text", "entry not an object", "bad base64"])
def test_the_stream_names_the_same_place_as_the_whole_file_reader(
        name: str, tmp_path: Path) -> None:
    raw, where, what = CASES[name]
    with pytest.raises(HarError) as caught:
        list(HarStream(_write(tmp_path, raw)).entries())
    assert caught.value.where.startswith(where)
    assert what in str(caught.value)


def test_json_the_stream_refuses_names_the_line_column_and_entry(tmp_path: Path) -> None:
    raw = har_bytes(*cookie_login_flow())
    cut = raw.index(b'"https://bank.test/logout"')
    stream = HarStream(_write(tmp_path, raw[:cut]))
    with pytest.raises(HarSyntaxError) as caught:
        list(stream.entries())
    # The whole-file reader's place (line and column), then the entry being read.
    assert caught.value.where == f"line 1, column {cut + 1} (entries[3])"
    assert "truncated" in caught.value.problem
    with pytest.raises(HarError, match=r"line 1, column \d+ \(entries\[3\]\).*truncated"):
        _inspect(_write(tmp_path, raw[:cut]))


def test_what_python_json_takes_beyond_json_is_read_whole(tmp_path: Path) -> None:
    raw = har_bytes(*cookie_login_flow()).replace(b'"time": 1', b'"time": 1e400', 1)
    assert "5 exchanges" in _inspect(_write(tmp_path, raw))


def test_not_utf16_after_a_byte_order_mark(tmp_path: Path) -> None:
    raw = codecs.BOM_UTF16_LE + b"{\x00\x00\xd8"  # a lone surrogate, then the end
    with pytest.raises(HarError, match="not valid utf-16"):
        list(HarStream(_write(tmp_path, raw)).entries())


@settings(max_examples=examples(40), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, len(har_bytes(*cookie_login_flow()))))
def test_any_cut_gives_entries_or_a_har_error(cut: int, tmp_path: Path) -> None:
    path = _write(tmp_path, har_bytes(*cookie_login_flow())[:cut])
    try:
        text = _inspect(path)
    except HarError as exc:
        assert str(exc)
    else:
        assert text.startswith("5 exchanges")


def test_past_the_limit_inspect_streams_and_replay_points_to_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from tutor.cli import main
    from tutor.har import reader

    path = _write(tmp_path, har_bytes(*cookie_login_flow()), "big.har")
    monkeypatch.setattr(reader, "MAX_HAR_BYTES", 100)
    assert main(["inspect", str(path)]) == 0
    assert capsys.readouterr().out.startswith("5 exchanges, recorded by test 1")
    assert main(["replay", str(path), "--plain"]) == 2
    err = capsys.readouterr().err
    assert "more than the 0 MiB limit" in err and f"tutor inspect {path}" in err
    # Past the limit, JSON the stream refuses names its line, column and entry.
    path.write_bytes(har_bytes(*cookie_login_flow())[:-40])
    assert main(["inspect", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}: line 1, column " in captured.err
    assert "(entries[4]): not valid JSON" in captured.err
    assert "Traceback" not in captured.err


def _pretty(*entries: dict[str, object]) -> bytes:
    document = har(*entries)
    document["log"]["pages"] = [{"id": "p", "title": "caf\u00e9 PAIR \u2603"}]
    text = json.dumps(document, indent=2, ensure_ascii=False)
    # Escaped surrogates: a pair (one character) and a lone one (U+FFFD once read).
    return text.replace("PAIR", "\\ud83d\\ude00").replace("LONE", "\\ud800").encode()


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 4096])
def test_any_chunk_size_reads_the_same_entries(
        chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.har import stream as stream_module

    monkeypatch.setattr(stream_module, "_CHUNK", chunk)
    raw = _pretty(*cookie_login_flow(), entry(url="https://x.test/\u00e9?q=LONE"))
    raw = raw.replace(b'"time": 1', b'"time": 123456789012345678901234567890', 1)
    for codec in ("utf-8", "utf-8-sig", "utf-16"):
        data = raw.decode().encode(codec)
        stream = HarStream(_write(tmp_path, data))
        assert tuple(stream.entries()) == parse_har(data).entries
        assert (stream.version, stream.creator) == ("1.2", "test 1")


@pytest.mark.parametrize("chunk", [5, 4096])
@pytest.mark.parametrize("damage", [
    (b'"method": "GET"', b'"method": "GET",'),  # a trailing comma
    (b'"status": 200', b'"status": 2OO'),
    (b'"url": "', b'"url": "\x01'),  # a control character in a string
    (b'"entries": [', b'"entries": [,'),
    (b'"name": "test"', b'"name" "test"'),
    (b'\n  }\n}', b'\n  }\n}\n{}'),  # extra data after the document
])
def test_a_syntax_error_has_the_whole_file_readers_line_and_column(
        chunk: int, damage: tuple[bytes, bytes], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.har import stream as stream_module

    monkeypatch.setattr(stream_module, "_CHUNK", chunk)
    raw = _pretty(*cookie_login_flow()).replace(*damage, 1)
    assert raw != _pretty(*cookie_login_flow())
    with pytest.raises(HarError) as whole:
        parse_har(raw)
    with pytest.raises(HarSyntaxError) as streamed:
        list(HarStream(_write(tmp_path, raw)).entries())
    assert streamed.value.where.startswith(whole.value.where)
    assert whole.value.problem.split(":")[1] in streamed.value.problem


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-32"])
def test_lines_before_the_chunk_are_counted_again_for_an_error(
        codec: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The stream counts the lines it dropped only when an error needs them, by decoding
    # the file again: the same place as the whole-file reader's, whatever the encoding.
    from tutor.har import stream as stream_module

    monkeypatch.setattr(stream_module, "_CHUNK", 7)
    raw = _pretty(*cookie_login_flow(), *cookie_login_flow())
    raw = raw[:len(raw) - 300] + b"@" + raw[len(raw) - 299:]
    data = raw.decode().encode(codec)
    with pytest.raises(HarError) as whole:
        parse_har(data)
    with pytest.raises(HarSyntaxError) as streamed:
        list(HarStream(_write(tmp_path, data)).entries())
    assert whole.value.where.startswith("line ")
    assert streamed.value.where.startswith(whole.value.where + " (entries[")


def test_a_bad_byte_far_into_the_file_is_named_with_its_offset(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.har import stream as stream_module

    monkeypatch.setattr(stream_module, "_CHUNK", 100)
    raw = _pretty(*cookie_login_flow())
    at = raw.index(b"/logout")
    raw = raw[:at] + b"\xff" + raw[at + 1:]
    with pytest.raises(HarError) as whole:
        parse_har(raw)
    with pytest.raises(HarError) as streamed:
        list(HarStream(_write(tmp_path, raw)).entries())
    assert str(streamed.value) == str(whole.value) == f"not UTF-8 text: byte 0xff at offset {at}"


def _mixed_recording() -> bytes:
    """Logins (cookie and token), bearer and cookie requests, an image, logouts and a
    cookie that comes back after the logout, repeated: every kind of line inspect prints."""
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256))).decode()
    entries = []
    for round_ in range(12):
        sid = f"s{round_:04d}xxxxxxxxxxxx"
        entries += cookie_login_flow()
        entries.append(entry("POST", "https://api.test/login", 200,
                             body=json.dumps({"access_token": token(n=round_)}),
                             mime="application/json"))
        entries.append(entry("GET", f"https://api.test/me?page={round_}", 200,
                             request_headers=headers(authorization=f"Bearer {token(n=round_)}")))
        entries.append(entry("GET", "https://bank.test/account", 200,
                             request_headers=headers(cookie=f"sid={sid}; theme=dark")))
        entries.append({**entry("GET", "https://bank.test/logo.png"), "response": {
            "status": 200, "content": {"mimeType": "image/png", "text": png,
                                       "encoding": "base64"}}})
        entries.append(entry("POST", "https://bank.test/logout", 200, response_headers=headers(
            set_cookie="sid=; Path=/; Max-Age=0")))
    return har_bytes(*entries)


@pytest.mark.parametrize("chunk", [97, 512 * 1024])
def test_a_mixed_recording_reads_the_same_streamed_and_whole(
        chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.har import stream as stream_module

    monkeypatch.setattr(stream_module, "_CHUNK", chunk)
    raw = _mixed_recording()
    analysis = analyse(parse_har(raw))
    assert analysis.findings and any(item.tokens for item in analysis.entries)
    path = _write(tmp_path, raw)
    assert _inspect(path) == inspect_text(analysis) + "\n"
    assert json.loads(_inspect(path, as_json=True)) == analysis_json(analysis)


def _with_image(text: str) -> bytes:
    image = entry(url="https://bank.test/logo.png", body=text, mime="image/png")
    image["response"]["content"]["encoding"] = "base64"
    return har_bytes(*cookie_login_flow(), image)


def test_media_bodies_stay_encoded_until_read_and_then_equal_the_whole_reader(
        tmp_path: Path) -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256))).decode()
    raw = _with_image(png)
    streamed = list(HarStream(_write(tmp_path, raw)).entries())
    body = streamed[-1].response.body
    assert isinstance(body, MediaBody) and body._encoded == png  # not decoded yet
    assert tuple(streamed) == parse_har(raw).entries  # equality reads (decodes) it
    assert body.data.startswith(b"\x89PNG") and body._encoded is None


def test_inspect_does_not_read_a_broken_image_but_reading_it_names_the_place(
        tmp_path: Path) -> None:
    raw = _with_image("%%% not base64 %%%")
    path = _write(tmp_path, raw)
    assert "POST https://bank.test/login" in _inspect(path)  # the image is never decoded
    body = list(HarStream(path).entries())[-1].response.body
    assert body is not None
    with pytest.raises(HarError) as caught:
        body.data  # noqa: B018 -- reading it decodes it
    assert caught.value.where == "entries[5].response.content.text"
    with pytest.raises(HarError) as whole:
        parse_har(raw)  # the whole-file reader (replay, import) decodes every body
    assert whole.value.where == caught.value.where
