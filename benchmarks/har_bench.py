"""`tutor inspect` as whole processes, against `json.load` of the same file.

    python -m benchmarks.har_bench [--entries N] [--rounds N] [--small N]
                                   [--real chrome,firefox] [--flat 10000,100000]

Writes HARs of generated exchanges (logins, cookie and bearer requests, JSON bodies with
JWTs, base64 images, logouts) to a temporary folder, then runs, each in a fresh
interpreter, in alternating order (A B, then B A, ...) after a warm-up of each:

- ours: `python -m tutor inspect FILE` (imports, reading, analysis and the printed
  report, all of it, output to /dev/null);
- the baseline: `python -c "json.load(open(FILE, 'rb'))"`.

Each child's CPU time (user + system) and peak RSS come from the kernel (os.wait4), so
nothing inside the measured process looks at itself. The children run as an installed
tutor does, with compiled bytecode: the warm-ups write it to a temporary folder
(PYTHONPYCACHEPREFIX) even when PYTHONDONTWRITEBYTECODE is set around the benchmark, so
no measured run pays for compiling the tutor's modules. Ratios are taken pair by pair
(each round's A over the same round's B) and reported as median [min–max].

The same ratio is then taken on recordings shaped like real exports (`--real`): the
entries of the shared Chrome and Firefox samples (`../shared/har-samples`, or
$TUTOR_HAR_SAMPLES), repeated to `--entries` exchanges. Real pages are long and mostly
carry no credential, so there the cost is in the bytes (JSON text, base64 bodies, pages
searched for a password input) more than in the analysis; the generated file, where
four exchanges in five carry a credential, is the analysis' worst case.

Then the same ratio on a small file (`--small`, where start-up and imports are most of
the cost), and the growth: tutor inspect's CPU for four times the exchanges over the CPU
for a quarter of them, both less the small file's CPU, which is about 4 when the work per
exchange does not grow with the file.

Memory of a streamed file is then shown flat: `tutor inspect` on the two `--flat` sizes
(ten times apart by default), peak RSS of the bigger over the smaller, alternated too.
Target (issue 13): CPU ≤ 2.5× json.load, on each file; the flat ratio ≈ 1.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

SECRET = "benchmark-secret-long-enough-for-hs256!!"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8).decode()
CPU_TARGET = 2.5
FLAT_TARGET = 1.2


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


def write_har(path: Path, entries: int) -> int:
    """Write a HAR of `entries` exchanges, one at a time (the writer stays small)."""
    with path.open("w", encoding="utf-8") as out:
        out.write('{"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"},\n'
                  ' "entries": [\n')
        for index in range(entries):
            out.write((",\n" if index else "") + json.dumps(_entry(index), indent=1))
        out.write("\n]}}\n")
    return path.stat().st_size


def find_samples() -> Path | None:
    """The shared HAR samples: $TUTOR_HAR_SAMPLES, else `shared/har-samples` in a folder
    above the project (as tests/har/test_samples.py looks for them); None when absent."""
    override = os.environ.get("TUTOR_HAR_SAMPLES")
    if override:
        return Path(override)
    for folder in Path(__file__).resolve().parents[1].parents:
        candidate = folder / "shared" / "har-samples"
        if candidate.is_dir():
            return candidate
    return None


def write_real_shaped(path: Path, sample: Path, entries: int) -> int:
    """A HAR of `entries` exchanges: the sample's own entries, over and over, written one
    at a time (a child's peak RSS counts its parent's memory at the fork, so the
    benchmark's own process must stay small)."""
    document = json.loads(sample.read_text(encoding="utf-8-sig"))
    recorded = document["log"].pop("entries")
    head = json.dumps(document)
    with path.open("w", encoding="utf-8") as out:
        out.write(head[:-2] + ', "entries": [\n')  # head ends with the log's and top's "}}"
        for index in range(entries):
            out.write((",\n" if index else "") + json.dumps(recorded[index % len(recorded)],
                                                           indent=1))
        out.write("\n]}}\n")
    return path.stat().st_size


def build_har(entries: int) -> bytes:
    """A HAR of `entries` exchanges, as UTF-8 bytes (for in-process use)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.har"
        write_har(path, entries)
        return path.read_bytes()


@dataclass(frozen=True)
class Run:
    """One finished child process, as the kernel accounted it."""

    cpu: float
    """User plus system seconds."""
    peak_rss: int
    """Peak resident set size in bytes."""


def child_env(pycache: Path) -> dict[str, str]:
    """The environment of every child: bytecode written to and read from `pycache`."""
    env = {key: value for key, value in os.environ.items()
           if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def run_child(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a command to the end, output thrown away; its CPU time and peak RSS."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=env)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read() if process.stderr else b""
    if process.returncode:
        raise SystemExit(f"{command} exited {process.returncode}: {errors.decode()[-500:]}")
    return Run(usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)


def ours(path: Path) -> list[str]:
    """The whole `tutor inspect` command."""
    return [sys.executable, "-m", "tutor", "inspect", str(path)]


def baseline(path: Path) -> list[str]:
    """json.load of the same file, in a fresh interpreter."""
    return [sys.executable, "-c", f"import json; json.load(open({str(path)!r}, 'rb'))"]


def alternate(first: list[str], second: list[str], rounds: int,
              env: dict[str, str] | None = None) -> list[tuple[Run, Run]]:
    """(first, second) runs per round after one warm-up each; the order flips each round."""
    run_child(first, env), run_child(second, env)
    pairs = []
    for round_ in range(rounds):
        if round_ % 2:
            b = run_child(second, env)
            a = run_child(first, env)
        else:
            a = run_child(first, env)
            b = run_child(second, env)
        pairs.append((a, b))
    return pairs


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):5.2f}x [{min(values):.2f}–{max(values):.2f}]"


def _small_file(path: Path, entries: int, rounds: int, env: dict[str, str]) -> float:
    """The ratio on a file of a few entries, where start-up and imports are the cost;
    returns tutor inspect's median CPU there."""
    write_har(path, entries)
    pairs = alternate(ours(path), baseline(path), rounds, env)
    ours_cpu = statistics.median(a.cpu for a, _ in pairs)
    print(f"small file, {entries} exchanges: tutor inspect {ours_cpu * 1e3:.0f} ms, "
          f"json.load {statistics.median(b.cpu for _, b in pairs) * 1e3:.0f} ms")
    print(f"{'CPU  ratio, small file':<30} {_spread([a.cpu / b.cpu for a, b in pairs])}")
    path.unlink()
    return ours_cpu


def _growth(folder: Path, entries: int, rounds: int, fixed: float,
            env: dict[str, str]) -> None:
    """CPU for four times the entries, less the small file's (start-up and imports), as a
    multiple of the same for a quarter of them: linear work gives about 4."""
    quarter, whole = folder / "quarter.har", folder / "whole.har"
    write_har(quarter, max(1, entries // 4))
    write_har(whole, max(1, entries // 4) * 4)
    pairs = alternate(ours(whole), ours(quarter), rounds, env)
    ratios = [(a.cpu - fixed) / max(b.cpu - fixed, 1e-6) for a, b in pairs]
    print(f"{'CPU  4x the exchanges':<30} {_spread(ratios)}  (less start-up and imports; "
          "linear ≈ 4)")
    quarter.unlink()
    whole.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--small", type=int, default=10,
                        help="entries of the small file (imports dominate; 0 skips it and "
                        "the growth check)")
    parser.add_argument("--real", default="chrome,firefox",
                        help="shared samples whose entries make real-shaped files ('' to "
                        "skip)")
    parser.add_argument("--flat", default="10000,100000",
                        help="two entry counts for the streamed-memory check ('' to skip)")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        env = child_env(Path(folder) / "pycache")
        path = Path(folder) / "bench.har"
        size = write_har(path, args.entries)
        print(f"HAR of {args.entries} exchanges, {size / 1e6:.1f} MB; {args.rounds} rounds, "
              "whole processes, alternated")
        pairs = alternate(ours(path), baseline(path), args.rounds, env)
        cpu = [a.cpu / b.cpu for a, b in pairs]
        rss = [a.peak_rss / b.peak_rss for a, b in pairs]
        ours_cpu = statistics.median(a.cpu for a, _ in pairs)
        base_cpu = statistics.median(b.cpu for _, b in pairs)
        print(f"{'CPU  tutor inspect':<30} {ours_cpu * 1e3:8.0f} ms  "
              f"({ours_cpu / args.entries * 1e6:.0f} µs per exchange, imports included)")
        print(f"{'CPU  json.load':<30} {base_cpu * 1e3:8.0f} ms")
        verdict = "ok" if statistics.median(cpu) <= CPU_TARGET else "OVER TARGET"
        print(f"{'CPU  ratio':<30} {_spread(cpu)}  (target ≤ {CPU_TARGET}x: {verdict})")
        ok &= verdict == "ok"
        print(f"{'peak RSS tutor inspect':<30} "
              f"{statistics.median(a.peak_rss for a, _ in pairs) / 2**20:8.1f} MiB")
        print(f"{'peak RSS json.load':<30} "
              f"{statistics.median(b.peak_rss for _, b in pairs) / 2**20:8.1f} MiB")
        print(f"{'peak RSS ratio':<30} {_spread(rss)}")
        path.unlink()
        samples = find_samples() if args.real else None
        if args.real and samples is None:
            print("real-shaped files skipped: no shared HAR samples (set TUTOR_HAR_SAMPLES)")
        for name in args.real.split(",") if args.real else []:
            if samples is None:
                break
            shaped = Path(folder) / f"{name}.har"
            size = write_real_shaped(shaped, samples / f"{name}.har", args.entries)
            pairs = alternate(ours(shaped), baseline(shaped), args.rounds, env)
            cpu = [a.cpu / b.cpu for a, b in pairs]
            verdict = "ok" if statistics.median(cpu) <= CPU_TARGET else "OVER TARGET"
            print(f"{name} export's entries repeated, {size / 1e6:.0f} MB: tutor inspect "
                  f"{statistics.median(a.cpu for a, _ in pairs) * 1e3:.0f} ms, json.load "
                  f"{statistics.median(b.cpu for _, b in pairs) * 1e3:.0f} ms")
            print(f"{'CPU  ratio, ' + name:<30} {_spread(cpu)}  (target ≤ {CPU_TARGET}x: "
                  f"{verdict})")
            ok &= verdict == "ok"
            shaped.unlink()
        if args.small:
            small_cpu = _small_file(Path(folder) / "few.har", args.small, args.rounds, env)
            _growth(Path(folder), args.entries, args.rounds, small_cpu, env)
        if args.flat:
            small_n, big_n = (int(n) for n in args.flat.split(","))
            small, big = Path(folder) / "small.har", Path(folder) / "big.har"
            small_size, big_size = write_har(small, small_n), write_har(big, big_n)
            flat_rounds = max(1, args.rounds // 2)
            flat = alternate(ours(big), ours(small), flat_rounds, env)
            ratios = [a.peak_rss / b.peak_rss for a, b in flat]
            print(f"streamed: {big_n} exchanges ({big_size / 2**20:.0f} MiB) against "
                  f"{small_n} ({small_size / 2**20:.0f} MiB), {flat_rounds} rounds")
            print(f"{'peak RSS, bigger file':<30} "
                  f"{statistics.median(a.peak_rss for a, _ in flat) / 2**20:8.1f} MiB")
            print(f"{'peak RSS, smaller file':<30} "
                  f"{statistics.median(b.peak_rss for _, b in flat) / 2**20:8.1f} MiB")
            verdict = "ok" if statistics.median(ratios) <= FLAT_TARGET else "OVER TARGET"
            print(f"{'peak RSS ratio (flat ≈ 1)':<30} {_spread(ratios)}  "
                  f"(target ≤ {FLAT_TARGET}x: {verdict})")
            ok &= verdict == "ok"
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
