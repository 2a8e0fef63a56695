"""Writes tutor/jwtcheck/data/wordlist.txt: this project's own list of weak secrets.

Base words are the kind of secret a tutorial, a framework default or a hurried developer
uses; each gets common variants (capitals, digits, years, a `!`, `_key`). Run
`python -m tests.jwtcheck.make_wordlist` after editing; a test checks the file matches.
"""

from __future__ import annotations

from pathlib import Path

import tutor

WORDLIST = Path(tutor.__file__).parent / "jwtcheck" / "data" / "wordlist.txt"
BASE = (
    "secret", "password", "changeme", "letmein", "jwt", "admin", "key", "token", "auth",
    "test", "dev", "default", "example", "demo", "qwerty", "hunter2", "trustno1", "welcome",
    "login", "master", "root", "user", "guest", "api", "app", "server", "session", "access",
    "private", "signing", "hmac", "hs256", "bearer", "oauth", "django", "flask", "rails",
    "express", "node", "spring", "laravel", "shhh", "topsecret", "supersecret", "mysecret",
    "secretkey", "jwtsecret", "jwt-secret", "jwt_secret", "secret-key", "secret_key",
    "your-256-bit-secret", "your-secret-key", "my-secret", "my_secret", "keyboardcat",
    "keyboard cat", "s3cr3t", "passw0rd", "p@ssw0rd", "123456", "12345678", "abc123",
    "iloveyou", "monkey", "dragon", "sunshine", "football", "princess", "tutor", "bank",
    "bank.test", "cookie", "cookies", "notsecret", "insecure", "do-not-use", "placeholder",
    "todo", "fixme", "temp", "tmp", "local", "localhost", "staging", "prod", "production",
)
SUFFIXES = ("", "1", "12", "123", "1234", "!", "!!", "2023", "2024", "2025", "2026", "_key",
            "-key", "key", "_secret", "-secret", "01", "99", "007", "@123")


def words() -> list[str]:
    """Every word, each once, in a fixed order (the base words first)."""
    out: dict[str, None] = {}
    for base in BASE:
        out[base] = None
    for base in BASE:
        for form in (base, base.capitalize(), base.upper()):
            for suffix in SUFFIXES:
                out[form + suffix] = None
    return list(out)


if __name__ == "__main__":
    WORDLIST.write_text("\n".join(words()) + "\n", encoding="utf-8")
    print(f"{WORDLIST}: {len(words())} words")
