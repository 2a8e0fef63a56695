"""Guessing an HMAC token's secret from a word list, offline.

Each guess is one HMAC over the token's own signing input, compared with its signature:
the server never sees a guess, so no rate limit or lockout can stop it (RFC 8725 §3.5:
only a key with enough entropy does). The shipped list (`data/wordlist.txt`) is this
project's own: weak secrets of the kind tutorials and defaults use, with common variants.
"""

from __future__ import annotations

import hmac
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tutor.jwtcheck.token import DecodedToken, TokenFormatError, decode

DIGESTS = {"HS256": "sha256", "HS384": "sha384", "HS512": "sha512"}
MAX_WORD_BYTES = 1024
"""Longer lines of a learner's file are skipped: no one types such a secret."""
BATCH = 4096
"""Guesses between two progress reports."""
OFFLINE = "offline: the server never sees a guess"


@dataclass(frozen=True)
class CrackProgress:
    """How far a run has got."""

    tried: int
    total: int | None
    """The list's length when known (the shipped list), else None (a file being read)."""
    seconds: float
    found: bytes | None = None
    done: bool = False

    @property
    def rate(self) -> float:
        """Guesses per second so far."""
        return self.tried / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """"tried 4,096 of 12,000 · 812,345 guesses/s · offline: ...\""""
        of = f" of {self.total:,}" if self.total is not None else ""
        return f"tried {self.tried:,}{of} · {self.rate:,.0f} guesses/s · {OFFLINE}"


class HmacTarget:
    """A token whose HMAC secret is to be guessed."""

    def __init__(self, token: str | DecodedToken) -> None:
        decoded = decode(token) if isinstance(token, str) else token
        alg = decoded.algorithm
        if alg not in DIGESTS:
            raise TokenFormatError(f"only HMAC tokens (HS256/384/512) have a secret to guess; "
                                   f"this one says {alg!r}")
        self.alg = alg
        self.digest = DIGESTS[alg]
        self.signing_input = decoded.signing_input
        self.signature = decoded.signature_bytes

    def matches(self, word: bytes) -> bool:
        """Whether `word` made the signature."""
        return hmac.compare_digest(hmac.digest(word, self.signing_input, self.digest),
                                   self.signature)

    def crack(self, words: Iterable[bytes], total: int | None = None,
              on_progress: Callable[[CrackProgress], bool] | None = None,
              timer: Callable[[], float] = time.perf_counter) -> CrackProgress:
        """Try each word in order; `on_progress` hears every BATCH guesses and may return
        False to stop. The last progress (found or not) is returned and reported."""
        digest, message, signature = hmac.digest, self.signing_input, self.signature
        name = self.digest
        tried = 0
        start = timer()
        iterator = iter(words)
        while True:
            batch = list(itertools.islice(iterator, BATCH))
            found = None
            for word in batch:
                # A plain comparison: this is the attacker's side, where timing leaks nothing.
                if digest(word, message, name) == signature:
                    found = word
                    break
            tried += batch.index(found) + 1 if found is not None else len(batch)
            finished = found is not None or len(batch) < BATCH
            progress = CrackProgress(tried, total, timer() - start, found, finished)
            keep_going = on_progress(progress) if on_progress is not None else True
            if finished or not keep_going:
                return progress


def shipped_words() -> list[bytes]:
    """The project's own word list, one secret a line."""
    data = resources.files("tutor.jwtcheck").joinpath("data/wordlist.txt").read_bytes()
    return [line for line in data.splitlines() if line]


def words_in_file(path: Path) -> Iterator[bytes]:
    """A learner's word list, line by line as bytes (any encoding: the bytes are the key);
    `OSError` if it cannot be opened, so the caller can say so before starting."""
    file = path.open("rb")

    def lines() -> Iterator[bytes]:
        with file:
            for line in file:
                word = line.rstrip(b"\r\n")
                if word and len(word) <= MAX_WORD_BYTES:
                    yield word

    return lines()
