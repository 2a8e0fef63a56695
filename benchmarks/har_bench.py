"""HAR import and analysis, printed as ratios against a baseline measured in the same run.

    python -m benchmarks.har_bench [--entries N] [--rounds N]

Builds a HAR of N exchanges in memory (logins, cookie and bearer requests, JSON bodies
with JWTs, base64 images, logouts), then times `parse_har` + `analyse` against plain
`json.loads` of the same bytes, and compares peak memory (tracemalloc) the same way.
No target is enforced: the point is to see the cost of validation and analysis over
the JSON parse that any reader pays.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import jwt

from tutor.har.analysis import analyse
from tutor.har.reader import parse_har

SECRET = "benchmark-secret-long-enough-for-hs256!!"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8).decode()


def _entry(index: int) -> dict[str, Any]:
    """One of five kinds of exchange, in turn."""
    kind = index % 5
    token = jwt.encode({"sub": f"user{index}", "exp": 2_000_000_000 + index}, SECRET)
    request: dict[str, Any] = {"method": "GET", "url": f"https://bank.test/item/{index}",
                               "httpVersion": "h2", "headers": [
                                   {"name": ":authority", "value": "bank.test"},
                                   {"name": "accept", "value": "*/*"},
                                   {"name": "user-agent", "value": "bench/1.0 " * 8}],
                               "cookies": [], "queryString": [], "headersSize": -1,
                               "bodySize": 0}
    response_headers = [{"name": "content-type", "value": "application/json"},
                        {"name": "date", "value": "Thu, 01 Jan 2026 00:00:00 GMT"}]
    content: dict[str, Any] = {"size": 0, "mimeType": "application/json",
                               "text": json.dumps({"items": list(range(20)), "n": index})}
    if kind == 0:
        request["method"] = "POST"
        request["url"] = "https://bank.test/login"
        request["postData"] = {"mimeType": "application/json",
                               "text": json.dumps({"username": "alice", "password": "pw"})}
        content["text"] = json.dumps({"access_token": token, "token_type": "Bearer"})
        response_headers.append({"name": "set-cookie", "value":
                                 f"sid=s{index:08d}; Path=/; HttpOnly; SameSite=Lax"})
    elif kind == 1:
        request["headers"].append({"name": "authorization", "value": f"Bearer {token}"})
    elif kind == 2:
        request["headers"].append({"name": "cookie",
                                   "value": f"sid=s{index - 2:08d}; theme=dark; _ga=GA1.2.3"})
    elif kind == 3:
        content = {"size": 2056, "mimeType": "image/png", "text": PNG, "encoding": "base64"}
    else:
        request["method"] = "POST"
        request["url"] = "https://bank.test/logout"
        response_headers.append({"name": "set-cookie", "value": "sid=; Path=/; Max-Age=0"})
    return {"startedDateTime": f"2026-01-01T00:{index // 60 % 60:02d}:{index % 60:02d}.000Z",
            "time": 3.5, "request": request,
            "response": {"status": 200, "statusText": "OK", "httpVersion": "h2",
                         "headers": response_headers, "cookies": [], "content": content,
                         "redirectURL": "", "headersSize": -1, "bodySize": -1},
            "cache": {}, "timings": {"send": 0, "wait": 3, "receive": 0.5}}


def build_har(entries: int) -> bytes:
    """A HAR of `entries` exchanges, as UTF-8 bytes."""
    document = {"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"},
                        "entries": [_entry(i) for i in range(entries)]}}
    return json.dumps(document, indent=1).encode()


def _time(run: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _peak(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        kept = run()  # held until the peak is read, as a caller would hold it
        peak = tracemalloc.get_traced_memory()[1]
        del kept
    finally:
        tracemalloc.stop()
    return peak


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    raw = build_har(args.entries)
    print(f"HAR of {args.entries} exchanges, {len(raw) / 1e6:.1f} MB")

    def ours() -> object:
        return analyse(parse_har(raw))

    analysis = analyse(parse_har(raw))  # warm-up, and a sanity check
    assert sum(len(e.tokens) for e in analysis.entries) >= args.entries * 2 // 5
    baseline_s = _time(lambda: json.loads(raw), args.rounds)
    import_s = _time(lambda: parse_har(raw), args.rounds)
    ours_s = _time(ours, args.rounds)
    baseline_mem, ours_mem = _peak(lambda: json.loads(raw)), _peak(ours)
    print(f"{'json.loads (baseline)':<28} {baseline_s * 1e3:8.1f} ms")
    print(f"{'parse_har':<28} {import_s * 1e3:8.1f} ms  ratio {import_s / baseline_s:5.2f}x")
    print(f"{'parse_har + analyse':<28} {ours_s * 1e3:8.1f} ms  ratio {ours_s / baseline_s:5.2f}x"
          f"  ({ours_s / args.entries * 1e6:.0f} µs per exchange)")
    print(f"{'peak memory json.loads':<28} {baseline_mem / 1e6:8.1f} MB")
    print(f"{'peak memory ours':<28} {ours_mem / 1e6:8.1f} MB  ratio "
          f"{ours_mem / baseline_mem:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
