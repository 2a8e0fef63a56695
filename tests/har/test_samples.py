"""The importer against real exports in ../shared/har-samples (Chrome, Firefox, Charles,
Insomnia, POST bodies, a byte-order mark): every file there is read, and each one's
content is checked, not just that it loads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tutor.har.analysis import analyse
from tutor.har.reader import read_har

SAMPLES_VARIABLE = "TUTOR_HAR_SAMPLES"


def _find_samples() -> Path:
    """$TUTOR_HAR_SAMPLES, else `shared/har-samples` beside the project or any folder above
    it (a CI checkout may sit deeper than the development one)."""
    override = os.environ.get(SAMPLES_VARIABLE)
    if override:
        return Path(override)
    project = Path(__file__).resolve().parents[2]
    for folder in project.parents:
        candidate = folder / "shared" / "har-samples"
        if candidate.is_dir():
            return candidate
    return project.parent / "shared" / "har-samples"


SAMPLES = _find_samples()
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"the shared HAR samples are not at {SAMPLES} "
    f"(set {SAMPLES_VARIABLE} to their folder)")

# Per file: entry count, one (index, method, url, status) that must be there.
EXPECTED = {
    "chrome.har": (3, (1, "GET", "https://www.google.com/", 0)),
    "firefox.har": (14, (13, "GET", "https://mitmproxy.org/favicon.ico", 200)),
    "charles.har": (1, (0, "GET", "https://mitmproxy.org/?=", 200)),
    "insomnia.har": (1, (0, "GET", "http://mitm.it/", 200)),
    "postdata.har": (1, (0, "POST",
                         "https://signal-metrics-collector-beta.s-onetag.com/metrics", 200)),
    "with-bom.har": (1, (0, "POST",
                         "https://signal-metrics-collector-beta.s-onetag.com/metrics", 200)),
}


@needs_samples
def test_every_sample_file_is_known_and_loads() -> None:
    """A new sample file must be added to EXPECTED, so none is read without checks."""
    files = sorted(p.name for p in SAMPLES.glob("*.har"))
    assert files == sorted(EXPECTED)
    for name in files:
        har = read_har(SAMPLES / name)
        count, (index, method, url, status) = EXPECTED[name]
        assert len(har.entries) == count, name
        entry = har.entries[index]
        assert (entry.request.method, entry.request.url, entry.response.status) == (
            method, url, status), name
        assert analyse(har).entries, name


@needs_samples
def test_chrome_http2_pseudo_headers_base64_body_and_cookies() -> None:
    har = read_har(SAMPLES / "chrome.har")
    first = har.entries[0]
    assert first.request.header(":authority") == "mitmproxy.org"
    assert first.request.headers[0] == (":authority", "mitmproxy.org")
    assert first.response.body is not None and first.response.body.text is not None
    assert first.response.body.text.startswith("<!DOCTYPE html>")  # base64 decoded
    logo = har.entries[2].response.body
    assert logo is not None and logo.text is None and logo.data[:4] == b"\x89PNG"
    sent = analyse(har).entries[2].sent
    assert [c.name for c in sent][:3] == ["SID", "__Secure-1PSID", "__Secure-3PSID"]
    assert all(c.type == "cookie" for c in sent)


@needs_samples
def test_firefox_null_sizes_and_missing_bodies() -> None:
    har = read_har(SAMPLES / "firefox.har")
    assert har.creator == "Firefox 111.0.1"
    assert har.entries[0].request.http_version == "HTTP/3"
    assert har.entries[1].response.body is not None
    assert har.entries[1].response.body.data == b""  # "Response bodies are not included."
    assert har.entries[11].request.query == (("delimiter", "/"), ("prefix", ""))


@needs_samples
def test_charles_and_insomnia_quirks() -> None:
    charles = read_har(SAMPLES / "charles.har").entries[0]
    assert charles.response.redirect_url == ""  # written as null
    assert charles.started is not None and charles.started == pytest.approx(1680136662.482)
    insomnia = read_har(SAMPLES / "insomnia.har").entries[0]
    assert insomnia.request.headers == ()
    assert insomnia.request.body is None  # an empty postData on a GET
    assert insomnia.response.header("server") == "AmazonS3"


@needs_samples
def test_post_body_and_the_byte_order_mark_file_read_the_same() -> None:
    plain = read_har(SAMPLES / "postdata.har")
    assert (SAMPLES / "with-bom.har").read_bytes()[:3] == b"\xef\xbb\xbf"
    bom = read_har(SAMPLES / "with-bom.har")
    assert plain == bom
    body = plain.entries[0].request.body
    assert body is not None and body.mime_type == "text/plain;charset=UTF-8"
    assert body.text is not None and '"affiliateId":62299' in body.text
