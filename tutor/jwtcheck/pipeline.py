"""The verification pipeline: decode → algorithm → key → signature → claims.

Each stage passes, fails (and the token is invalid there), is skipped (no key was given,
so the token stays UNVERIFIED) or is not reached. The algorithm is never taken from the
header alone: it must be one the learner's keys can verify (RFC 8725 §3.1), so an HS256
token checked against an RSA key fails at the algorithm stage instead of using the public
key as an HMAC secret (§2.1). Keys named by the token (`jwk`, `jku`, `x5u`, `x5c`) are
never used or fetched (§3.10).

Signatures are checked by PyJWT's algorithm objects, the same code `jwt.decode` runs.
Time claims are checked here, on the caller's clock with the learner's leeway, because
PyJWT reads the wall clock and cannot say which claim failed in the pipeline's words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import jwt
from jwt.exceptions import InvalidKeyError

from tutor.clock import Clock
from tutor.jwtcheck.keys import (
    HMAC_ALGORITHMS,
    KNOWN_ALGORITHMS,
    KeySet,
    VerificationKey,
)
from tutor.jwtcheck.token import DecodedToken, TokenFormatError, decode

StageName = Literal["decode", "algorithm", "key", "signature", "claims"]
STAGES: tuple[StageName, ...] = ("decode", "algorithm", "key", "signature", "claims")
Status = Literal["passed", "failed", "skipped", "not reached"]
Outcome = Literal["valid", "invalid", "unverified", "unreadable"]
TIME_CLAIMS = ("exp", "nbf", "iat")
MAX_LEEWAY = 7 * 24 * 3600
"""A leeway longer than a week is refused: at that point nothing expires."""
_KEY_HEADERS = ("jwk", "jku", "x5u", "x5c")
_UNDERSTOOD_CRIT: frozenset[str] = frozenset()


class StageResult(NamedTuple):
    """What one stage found (a tuple: five are made per token)."""

    name: StageName
    status: Status
    detail: str


class TimeClaim(NamedTuple):
    """One of exp, nbf, iat as read from the claims, judged against the clock."""

    name: str
    value: Any
    seconds_from_now: float | None
    """Negative in the past; None when the value is not a number of seconds."""
    problem: str | None = None


@dataclass(frozen=True)
class CheckOptions:
    """What the learner asked for besides keys."""

    leeway: float = 0.0
    """Seconds of clock skew forgiven on exp, nbf and iat."""
    algorithms: tuple[str, ...] | None = None
    """Only these algorithms (`--alg`); None: whatever the keys can verify."""
    audience: str | None = None
    issuer: str | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.leeway) and 0 <= self.leeway <= MAX_LEEWAY):
            raise ValueError(f"the leeway must be 0 to {MAX_LEEWAY} seconds, not {self.leeway}")
        unknown = sorted(set(self.algorithms or ()) - KNOWN_ALGORITHMS)
        if unknown:
            raise ValueError(f"unknown algorithm {unknown[0]!r}; known: "
                             f"{', '.join(sorted(KNOWN_ALGORITHMS))}")


class CheckReport(NamedTuple):
    """The pipeline's verdict on one token (a tuple: one is made per token checked)."""

    token: DecodedToken | None
    stages: tuple[StageResult, ...]
    now: float
    options: CheckOptions
    keys: KeySet
    used_key: VerificationKey | None = None
    times: tuple[TimeClaim, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def outcome(self) -> Outcome:
        """valid, invalid (a stage failed), unverified (no key) or unreadable."""
        if self.token is None:
            return "unreadable"
        if any(stage.status == "failed" for stage in self.stages):
            return "invalid"
        if any(stage.status == "skipped" for stage in self.stages):
            return "unverified"
        return "valid"

    @property
    def failed_stage(self) -> StageResult | None:
        """The stage that failed, if one did."""
        return next((stage for stage in self.stages if stage.status == "failed"), None)

    @property
    def exit_status(self) -> int:
        """0 valid, 1 invalid or not verified, 2 the token could not be read."""
        return {"valid": 0, "invalid": 1, "unverified": 1, "unreadable": 2}[self.outcome]


_DEFAULT_OPTIONS = CheckOptions()


class Verifier:
    """Checks tokens against one set of keys; prepared keys are kept between tokens."""

    def __init__(self, keys: KeySet, options: CheckOptions | None = None) -> None:
        self.keys = keys
        self.options = options or _DEFAULT_OPTIONS
        self.fitting = keys.algorithms
        """Every algorithm some key can verify."""
        self._prepared: dict[tuple[int, str], Any] = {}

    def check(self, text: str, clock: Clock) -> CheckReport:
        """Run the pipeline on one token, at the clock's time."""
        now = clock.now()
        try:
            token = decode(text)
        except TokenFormatError as exc:
            stages = (StageResult("decode", "failed", str(exc)),
                      *(StageResult(name, "not reached", "") for name in STAGES[1:]))
            return CheckReport(None, stages, now, self.options, self.keys)
        run = _Run(self, token, now)
        return run.report()

    def prepared(self, key: VerificationKey, alg: str) -> Any:
        """PyJWT's prepared form of `key` for `alg` (InvalidKeyError when PyJWT refuses)."""
        slot = (id(key), alg)
        if slot not in self._prepared:
            self._prepared[slot] = jwt.get_algorithm_by_name(alg).prepare_key(key.material)
        return self._prepared[slot]


class _Run:
    """One token through the stages; each method returns False to stop the pipeline."""

    def __init__(self, verifier: Verifier, token: DecodedToken, now: float) -> None:
        self.verifier = verifier
        self.options = verifier.options
        self.keys = verifier.keys
        self.token = token
        self.now = now
        self.stages: list[StageResult] = [StageResult(
            "decode", "passed", "three base64url parts; header and claims are JSON objects")]
        self.notes: list[str] = []
        self.used: VerificationKey | None = None
        self.candidates: list[VerificationKey] = []
        self.times: tuple[TimeClaim, ...] | None = None

    def report(self) -> CheckReport:
        steps = (self._algorithm, self._key, self._signature, self._claims)
        for step in steps:
            if not step():
                break
        done = {stage.name for stage in self.stages}
        stopped: Status = "skipped" if self.stages[-1].status == "skipped" else "not reached"
        self.stages += [StageResult(name, stopped, "") for name in STAGES if name not in done]
        for name in _KEY_HEADERS:
            if name in self.token.header:
                self.notes.append(f"the header carries {name!r}: ignored, never fetched or "
                                  "trusted; only the keys you gave are used (RFC 8725 §3.10)")
        times = self.times if self.times is not None else time_claims(
            self.token.claims, self.now, self.options.leeway)
        return CheckReport(self.token, tuple(self.stages), self.now, self.options, self.keys,
                           self.used, times, tuple(self.notes))

    def _add(self, name: StageName, status: Status, detail: str) -> bool:
        self.stages.append(StageResult(name, status, detail))
        return status == "passed"

    def _algorithm(self) -> bool:
        alg = self.token.header.get("alg")
        if not isinstance(alg, str) or not alg:
            return self._add("algorithm", "failed", "the header has no \"alg\" string")
        if alg.lower() == "none":
            return self._add("algorithm", "failed", "alg \"none\": an unsigned token; a "
                             "verifier must never accept it (RFC 8725 §3.1)")
        if alg not in KNOWN_ALGORITHMS:
            return self._add("algorithm", "failed", f"unknown algorithm {alg!r}")
        crit = self.token.header.get("crit")
        if crit is not None:
            return self._add("algorithm", "failed", f"the header marks {crit!r} critical; "
                             "this checker understands no extensions (RFC 7515 §4.1.11)")
        allowed = set(self.options.algorithms) if self.options.algorithms else None
        if allowed is not None and alg not in allowed:
            return self._add("algorithm", "failed", f"the header says {alg}; you allowed "
                             f"only {', '.join(sorted(allowed))} (--alg)")
        if self.keys.empty:
            return self._add("algorithm", "skipped", f"the header says {alg}; with no key "
                             "given there is nothing to check it against")
        if alg not in self.verifier.fitting:
            kinds = sorted({key.description.split(",")[0] for key in self.keys.keys})
            confusion = (" A verifier that let the header choose would use your public key "
                         "as an HMAC secret: algorithm confusion (RFC 8725 §2.1)."
                         if alg in HMAC_ALGORITHMS and all(k.kind != "oct"
                                                           for k in self.keys.keys) else "")
            return self._add("algorithm", "failed", f"the header says {alg}, which none of "
                             f"your keys ({'; '.join(kinds)}) verifies.{confusion}")
        return self._add("algorithm", "passed", f"{alg}, from the header, and one your "
                         "key can verify (the key decides, not the header)")

    def _key(self) -> bool:
        alg = str(self.token.header["alg"])
        candidates = [key for key in self.keys.keys if alg in key.algorithms]
        kid = self.token.header.get("kid")
        if kid is not None and not isinstance(kid, str):
            return self._add("key", "failed", "\"kid\" in the header must be a string")
        if kid is not None:
            named = [key for key in candidates if key.kid == kid]
            if named:
                candidates = named
            elif any(key.kid is not None for key in candidates):
                kids = ", ".join(sorted(repr(k.kid) for k in candidates if k.kid is not None))
                return self._add("key", "failed", f"no key of yours has kid {kid!r} "
                                 f"(yours: {kids}); was it rotated out?")
            else:
                self.notes.append(f"the token names kid {kid!r}; your key has no kid, so it "
                                  "is tried anyway")
        self.candidates = candidates
        names = "; ".join(key.label() for key in candidates)
        return self._add("key", "passed", names if len(candidates) == 1
                         else f"{len(candidates)} keys to try: {names}")

    def _signature(self) -> bool:
        alg = str(self.token.header["alg"])
        signature = self.token.signature_bytes
        refused: list[str] = []
        for key in self.candidates:
            try:
                prepared = self.verifier.prepared(key, alg)
            except InvalidKeyError as exc:
                refused.append(f"{key.source}: PyJWT refuses it as an {alg} key: {exc}")
                continue
            algorithm = jwt.get_algorithm_by_name(alg)
            if algorithm.verify(self.token.signing_input, prepared, signature):
                self.used = key
                weak = algorithm.check_key_length(prepared)
                if weak:
                    self.notes.append(f"weak key: {weak} (RFC 8725 §3.5)")
                return self._add("signature", "passed", f"made by {key.label()}")
        if refused and len(refused) == len(self.candidates):
            return self._add("signature", "failed", "; ".join(refused))
        return self._add("signature", "failed", "does not match: the token was changed after "
                         "it was signed, or signed with another key")

    def _claims(self) -> bool:
        self.times = time_claims(self.token.claims, self.now, self.options.leeway)
        problems = [claim.problem for claim in self.times if claim.problem]
        problems += self._audience_and_issuer()
        if problems:
            return self._add("claims", "failed", "; ".join(problems))
        checked = [name for name in TIME_CLAIMS if name in self.token.claims]
        if self.options.audience is not None:
            checked.append("aud")
        if self.options.issuer is not None:
            checked.append("iss")
        if "exp" not in self.token.claims:
            self.notes.append("no \"exp\": this token never expires")
        leeway = f" with {self.options.leeway:g} s leeway" if self.options.leeway else ""
        what = ", ".join(checked) if checked else "no time claims to check"
        return self._add("claims", "passed", f"{what}{leeway}")

    def _audience_and_issuer(self) -> list[str]:
        claims = self.token.claims
        problems: list[str] = []
        if self.options.audience is not None:
            aud = claims.get("aud")
            audiences = aud if isinstance(aud, list) else [aud]
            if aud is None:
                problems.append("no \"aud\" claim, and you asked for one (--aud)")
            elif self.options.audience not in audiences:
                problems.append(f"aud is {aud!r}, not {self.options.audience!r}: minted for "
                                "another service (RFC 8725 §3.9)")
        elif "aud" in claims:
            self.notes.append("aud not checked: give --aud to say which service you are")
        if self.options.issuer is not None and claims.get("iss") != self.options.issuer:
            problems.append(f"iss is {claims.get('iss')!r}, not {self.options.issuer!r} "
                            "(RFC 8725 §3.8)")
        return problems


def time_claims(claims: dict[str, Any], now: float, leeway: float = 0.0
                ) -> tuple[TimeClaim, ...]:
    """exp, nbf and iat as found, each judged on `now` with `leeway` (RFC 7519 §4.1.4–6)."""
    found: list[TimeClaim] = []
    for name in TIME_CLAIMS:
        if name not in claims:
            continue
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
                value):
            found.append(TimeClaim(name, value, None, f"{name} is {value!r}, not a number of "
                                   "seconds (NumericDate, RFC 7519 §2)"))
            continue
        delta = float(value) - now
        problem = None
        if name == "exp" and delta <= -leeway:
            problem = f"expired {_ago(-delta)} ago"
        elif name == "nbf" and delta > leeway:
            problem = f"not valid yet: nbf is {_ago(delta)} from now"
        elif name == "iat" and delta > leeway:
            problem = f"issued in the future: iat is {_ago(delta)} from now"
        found.append(TimeClaim(name, value, delta, problem))
    return tuple(found)


def _ago(seconds: float) -> str:
    """A duration in the largest unit that fits."""
    seconds = abs(seconds)
    for unit, size in (("day", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            count = seconds / size
            shown = f"{count:.0f}" if count >= 10 else f"{count:.1f}".rstrip("0").rstrip(".")
            return f"{shown} {unit}{'s' if unit == 'day' and shown != '1' else ''}"
    return f"{seconds:.0f} s"


def check_token(text: str, keys: KeySet, clock: Clock,
                options: CheckOptions | None = None) -> CheckReport:
    """One token through the pipeline (a `Verifier` used once)."""
    return Verifier(keys, options).check(text, clock)
