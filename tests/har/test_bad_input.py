"""Bad HAR files: each class of failure gives one HarError that says where, and the CLI
turns it into a message on stderr and exit status 2, never a traceback."""

from __future__ import annotations

import codecs
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.har.builders import cookie_login_flow, entry, har, har_bytes, headers, token
from tests.long_run import examples
from tutor.cli import main
from tutor.har.model import Har, HarError
from tutor.har.reader import parse_har, read_har

VALID = har(*cookie_login_flow(), entry(
    "POST", "https://api.test/login", 200, body=json.dumps({"access_token": token()}),
    mime="application/json", request_headers=headers(authorization=f"Bearer {token()}")))


def broken(change: Any) -> bytes:
    document = copy.deepcopy(VALID)
    change(document)
    return json.dumps(document).encode()


def _set(path: list[Any], value: Any) -> Any:
    def change(document: Any) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _delete(path: list[Any]) -> Any:
    def change(document: Any) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


E = ["log", "entries"]
CASES = {
    "empty": (b"", "", "empty"),
    "not json": (b"<html>hello</html>", "line 1, column 1", "not valid JSON"),
    "truncated": (har_bytes(*cookie_login_flow())[:-40], "line 1", "truncated"),
    "binary garbage": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "", "not UTF-8"),
    "latin-1 text": ('{"log": "café"}'.encode("latin-1"), "", "byte 0xe9"),
    "a list": (b"[1, 2]", "", "top level is a list"),
    "no log": (b'{"entries": []}', "", 'no "log"'),
    "log not an object": (broken(_set(["log"], 3)), "log", "expected an object"),
    "no entries": (broken(_delete(E)), "log", 'no "entries"'),
    "entries a string": (broken(_set(E, "x")), "log.entries", "expected a list"),
    "entry not an object": (broken(_set([*E, 2], None)), "entries[2]", "expected an object"),
    "no request": (broken(_delete([*E, 1, "request"])), "entries[1]", 'no "request"'),
    "url a number": (broken(_set([*E, 3, "request", "url"], 5)), "entries[3].request.url",
                     "expected a string"),
    "no method": (broken(_delete([*E, 0, "request", "method"])), "entries[0].request",
                  'no "method"'),
    "status text": (broken(_set([*E, 4, "response", "status"], "OK")),
                    "entries[4].response.status", "HTTP status"),
    "headers an object": (broken(_set([*E, 3, "request", "headers"], {"a": "b"})),
                          "entries[3].request.headers", "expected a list"),
    "header without name": (broken(_set([*E, 3, "request", "headers"], [{"value": "x"}])),
                            "entries[3].request.headers[0]", 'no "name"'),
    "bad base64": (broken(_set([*E, 0, "response", "content"],
                               {"text": "%%%", "encoding": "base64"})),
                   "entries[0].response.content.text", "not valid base64"),
    "odd encoding": (broken(_set([*E, 0, "response", "content"],
                                 {"text": "x", "encoding": "gzip"})),
                     "entries[0].response.content.encoding", "only base64"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, "", "nested too deeply"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_failure_names_where_and_what(name: str) -> None:
    raw, where, what = CASES[name]
    with pytest.raises(HarError) as caught:
        parse_har(raw)
    assert caught.value.where.startswith(where)
    assert what in str(caught.value)


@pytest.mark.parametrize("name", ["truncated", "status text", "binary garbage"])
def test_the_cli_prints_the_place_and_exits_2(name: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    raw, where, what = CASES[name]
    path = tmp_path / "bad.har"
    path.write_bytes(raw)
    for command in (["inspect", str(path)], ["inspect", str(path), "--json"],
                    ["replay", str(path), "--plain"]):
        assert main(command) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert f"{path}: {where}" in captured.err and what in captured.err
        assert "Traceback" not in captured.err


def test_missing_file_folder_and_size_limit(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(tmp_path / "nope.har")]) == 2
    assert "No such file" in capsys.readouterr().err
    assert main(["inspect", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    big = tmp_path / "big.har"
    big.write_bytes(har_bytes(*cookie_login_flow()))
    with pytest.raises(HarError, match="limit"):
        read_har(big, max_bytes=100)


@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "utf-8-sig"])
def test_unicode_with_a_byte_order_mark_loads(codec: str) -> None:
    text = har_bytes(*cookie_login_flow()).decode()
    raw = text.encode(codec)
    assert raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8[:2],
                       codecs.BOM_UTF32_LE[:2])
    assert len(parse_har(raw).entries) == 5


def _mutations(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into the document (dict keys and list indexes)."""
    paths = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            paths += _mutations(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths += _mutations(item, (*path, index))
    return paths


PATHS = [p for p in _mutations(VALID) if p]
REPLACEMENTS = st.one_of(st.none(), st.booleans(), st.integers(-2, 1000), st.floats(),
                         st.text(max_size=8), st.lists(st.integers(), max_size=2),
                         st.dictionaries(st.text(max_size=3), st.none(), max_size=2))


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(PATHS), st.booleans(), REPLACEMENTS),
                      min_size=1, max_size=4),
       cut=st.one_of(st.none(), st.integers(0, len(json.dumps(VALID)))))
def test_mutated_hars_give_a_model_or_a_har_error(
        edits: list[tuple[tuple[Any, ...], bool, Any]], cut: int | None) -> None:
    document = copy.deepcopy(VALID)
    for path, delete, replacement in edits:
        target = document
        try:
            for key in path[:-1]:
                target = target[key]
            if delete:
                del target[path[-1]]
            else:
                target[path[-1]] = replacement
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed this place
    raw = json.dumps(document).encode()
    if cut is not None:
        raw = raw[:cut]
    try:
        result = parse_har(raw)
    except HarError as exc:
        assert str(exc)
    else:
        assert isinstance(result, Har)
        from tutor.har.analysis import analyse
        from tutor.har.render import analysis_json, inspect_text

        analysis = analyse(result)  # the analysis must cope with whatever loads
        json.dumps(analysis_json(analysis))
        inspect_text(analysis)
