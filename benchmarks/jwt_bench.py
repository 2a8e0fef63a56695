"""`tutor jwt`'s checker and the editor's cracker, against raw baselines in the same run
(paired rounds whose order rotates, a warm-up round thrown away, medians and spread).

    python -m benchmarks.jwt_bench [--rounds N] [--check]

1. Verification, per algorithm (HS256/384/512, RS256, PS256, ES256, EdDSA): the whole
   pipeline (`Verifier(keys).check`: a new Verifier per token, so keys are prepared each
   time as `jwt.decode` does; decode, algorithm, key, signature, time claims, the report)
   against raw `jwt.decode` with the same key object, the algorithm pinned and `exp`
   checked. Target ≤ 1.1×. Each side's figure in a round is its fastest of four batches.
2. Cracking: `HmacTarget.crack` over a word list with no hit (every guess tried, progress
   every batch) against a bare loop of `hmac.digest` and `==` over the same list. Prints
   guesses per second for both and the ratio of their times. Target ≤ 1.1×.
"""

from __future__ import annotations

import argparse
import functools
import hmac
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from benchmarks.paired import alternate, ratio_line
from tutor.clock import SystemClock
from tutor.jwtcheck.crack import HmacTarget, shipped_words
from tutor.jwtcheck.keys import KeySet, VerificationKey, secret_key
from tutor.jwtcheck.keys import _describe as describe
from tutor.jwtcheck.pipeline import Verifier

VERIFIES_PER_ROUND = {"HS": 2000, "RS": 400, "PS": 400, "ES": 400, "Ed": 800}
CRACK_WORDS = 200_000
SECRET = b"a benchmark secret that is long enough even for HS512 signing, ok!"


def _keys(alg: str) -> tuple[Any, Any, VerificationKey]:
    """(signing key, verifying key as PyJWT takes it, the same key as tutor jwt loads it)."""
    if alg.startswith("HS"):
        return SECRET, SECRET, secret_key(SECRET)
    private: Any
    if alg in ("RS256", "PS256"):
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    else:
        private = ed25519.Ed25519PrivateKey.generate()
    public = private.public_key()
    return private, public, describe(public, "--key bench.pem", None)


def _timed(run: Callable[[], object], count: int, chunks: int = 4) -> Callable[[], float]:
    """One side of a round: `count` calls in `chunks` batches; the fastest batch's µs per
    call (as timeit does: on a shared machine, slower batches measure the neighbours)."""
    per_chunk = max(1, count // chunks)

    def side() -> float:
        best = float("inf")
        for _ in range(chunks):
            start = time.perf_counter()
            for _ in range(per_chunk):
                run()
            best = min(best, time.perf_counter() - start)
        return best / per_chunk * 1e6

    return side


def _ours(keys: KeySet, token: str, clock: SystemClock) -> object:
    return Verifier(keys).check(token, clock)


def bench_verify(rounds: int) -> bool:
    ok = True
    clock = SystemClock()
    for alg in ("HS256", "HS384", "HS512", "RS256", "PS256", "ES256", "EdDSA"):
        signing, verifying, ours_key = _keys(alg)
        claims = {"sub": "alice", "iat": int(time.time()), "exp": int(time.time()) + 3600}
        token = jwt.encode(claims, signing, algorithm=alg)
        keys = KeySet((ours_key,))
        assert Verifier(keys).check(token, clock).outcome == "valid"
        assert jwt.decode(token, verifying, algorithms=[alg])["sub"] == "alice"
        count = VERIFIES_PER_ROUND[alg[:2]]
        ours = _timed(functools.partial(_ours, keys, token, clock), count)
        raw = _timed(functools.partial(jwt.decode, token, verifying, algorithms=[alg]), count)
        mine, base = alternate([ours, raw], rounds)
        ok &= ratio_line(f"verify {alg}: tutor jwt pipeline vs jwt.decode", mine, base,
                         "µs", 1.1)
    return ok


def bench_crack(rounds: int) -> bool:
    base_words = shipped_words()
    words = [base_words[i % len(base_words)] + str(i).encode() for i in range(CRACK_WORDS)]
    token = jwt.encode({"sub": "alice"}, SECRET, algorithm="HS256")
    target = HmacTarget(token)
    message, signature = target.signing_input, target.signature

    def ours() -> float:
        start = time.perf_counter()
        result = target.crack(words, len(words), lambda progress: True)
        assert result.found is None and result.tried == len(words)
        return time.perf_counter() - start

    def raw() -> float:
        start = time.perf_counter()
        digest = hmac.digest
        for word in words:
            if digest(word, message, "sha256") == signature:
                break
        return time.perf_counter() - start

    mine, base = alternate([ours, raw], rounds)
    print(f"cracking HS256: ours {len(words) / statistics.median(mine):,.0f} guesses/s, "
          f"raw HMAC {len(words) / statistics.median(base):,.0f} guesses/s")
    return ratio_line("crack HS256: HmacTarget.crack vs raw hmac loop (time)",
                      [m * 1e3 for m in mine], [b * 1e3 for b in base], "ms", 1.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    ok = bench_verify(args.rounds)
    ok &= bench_crack(args.rounds)
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
