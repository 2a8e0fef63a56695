"""A Hypothesis generator of HAR files: the structure a HAR has, filled with hostile values
(escape sequences, URLs Python cannot split, huge and non-finite numbers, lone
surrogates, credentials in URLs, text repeating `eyJ`)."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import strategies as st

from tests.har.builders import token

SECRET = "S3CRETVALUEzq9X"
"""A credential value planted in URLs: no output may show it whole."""
ESCAPES = ["\x1b]0;retitled\x07", "\x1b[2J", "\x1b[8m", "\x9b31m", "\x1b]52;c;aGk=\x07",
           "\x1b", "\x07", "\x00", "\r", "\u202e", "\ud800", "\x85"]
WEIRD_URLS = ["http://[::1/x", "http://[zz]/x", "http://a.test:99999/", "http://[::1]:x/",
              "http://a.test:-1/", "", "/relative", "mailto:x", "http://", "http://a b/",
              "https://bank.test/\x1b[2Jx", "http://\x1b]0;t\x07/"]
SECRET_URLS = [f"https://user:{SECRET}@bank.test/", f"https://bank.test/?password={SECRET}",
               f"https://bank.test/?api_key={SECRET}", f"https://bank.test/?client_secret={SECRET}",
               f"https://bank.test/cb#access_token={SECRET}",
               f"https://bank.test/?access_token={token()}&password={SECRET}",
               f"https://{SECRET}@bank.test/x", f"https://bank.test/?apiKey={SECRET}&q=1"]
NUMBERS = st.one_of(st.integers(-10**30, 10**30), st.floats(), st.just(10**400),
                    st.just(-10**400), st.none())

text = st.one_of(st.text(max_size=12), st.sampled_from(ESCAPES),
                 st.sampled_from(["eyJ" * 40, "a" * 200, token(), "%1b", "Secure; HttpOnly"]),
                 st.builds(lambda a, b: a + b, st.sampled_from(ESCAPES), st.text(max_size=6)))
urls = st.one_of(st.sampled_from(WEIRD_URLS), st.sampled_from(SECRET_URLS),
                 st.builds(lambda host, path, query: f"https://{host}/{path}?{query}",
                           st.sampled_from(["bank.test", "api.test", "x"]), text, text))
methods = st.one_of(st.sampled_from(["GET", "POST", "OPTIONS", "get"]), text.filter(bool))
header_names = st.one_of(st.sampled_from(["Cookie", "Set-Cookie", "Authorization",
                                          "Location", "Sec-Fetch-Site", "Date",
                                          "Content-Type"]), text)
header_values = st.one_of(text, st.builds(lambda v: f"Bearer {v}", text),
                          st.builds(lambda v: f"sid={v}; Path=/", text),
                          st.builds(lambda v: f"session={v}; Max-Age=0", text),
                          st.sampled_from([f"Bearer {token()}", f"token={token()}", "Basic !!"]))
pairs = st.lists(st.fixed_dictionaries({"name": header_names, "value": header_values}),
                 max_size=4)


@st.composite
def entries(draw: st.DrawFn) -> dict[str, Any]:
    """One entry: the required fields always there, everything else possibly hostile."""
    request: dict[str, Any] = {"method": draw(methods), "url": draw(urls),
                               "headers": draw(pairs), "cookies": draw(pairs),
                               "queryString": draw(pairs)}
    if draw(st.booleans()):
        request["postData"] = {"mimeType": draw(st.sampled_from(
            ["application/json", "application/x-www-form-urlencoded", "text/plain"])),
            "text": draw(st.one_of(text, st.just(json.dumps({"password": SECRET,
                                                             "access_token": token()}))))}
    content = {"mimeType": draw(st.sampled_from(["text/html", "application/json", ""])),
               "text": draw(st.one_of(text, st.just('<input type="password">'),
                                      st.just(json.dumps({"access_token": token()}))))}
    return {"startedDateTime": draw(st.one_of(text, st.sampled_from(
                ["2026-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59"]))),
            "time": draw(NUMBERS),
            "request": request,
            "response": {"status": draw(st.integers(0, 999)), "statusText": draw(text),
                         "headers": draw(pairs), "content": content,
                         "redirectURL": draw(st.one_of(text, urls))}}


@st.composite
def har_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A whole HAR: creator and entries, hostile where a value can be."""
    return {"log": {"version": draw(text), "creator": {"name": draw(text),
                                                       "version": draw(text)},
                    "entries": draw(st.lists(entries(), min_size=1, max_size=4))}}


_RAW_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e\ud800-\udfff]")


def assert_clean(output: str, what: str) -> None:
    """Nothing a terminal would obey, nothing UTF-8 cannot write, no planted secret."""
    found = _RAW_CONTROLS.search(output)
    assert found is None, f"{what} sends {found.group()!r} to the terminal: {output!r:.300}"
    output.encode("utf-8")
    assert SECRET not in output, f"{what} shows a credential whole: {output!r:.300}"
