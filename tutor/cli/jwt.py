"""`tutor jwt TOKEN`: decode a token, then verify it only against keys the learner gives.

Exit statuses: 0 valid; 1 invalid, or not verified because no key was given; 2 bad
input (not a token, an unreadable key file, a refused URL, a bad option). The token is
never sent anywhere; `--jwks URL` fetches keys from this machine only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

COMMANDS = frozenset({"jwt"})
MAX_STDIN = 64 * 1024
"""Standard input past this is refused: a token is at most 16 KiB here."""
EXAMPLES = """examples:
  tutor jwt eyJhbGciOi...                       decode only (UNVERIFIED)
  tutor jwt - --secret 'my HS256 secret' < token.txt
  tutor jwt TOKEN --key public.pem --leeway 30
  tutor jwt TOKEN --jwks http://127.0.0.1:8000/.well-known/jwks.json --json

exit status: 0 valid, 1 invalid or not verified (no key given), 2 bad input.
The token never leaves this machine; a --jwks URL must be on this machine too."""


def add_commands(commands: Any) -> None:
    """Add `jwt` to the CLI's subparsers."""
    parser = commands.add_parser(
        "jwt", help="decode a JWT and verify it against your own key (offline)",
        description="Decode a JWT (shown as UNVERIFIED), then run the verification pipeline\n"
        "(decode, algorithm, key, signature, claims) against only the key you give, and\n"
        "name the stage that fails. Nothing is sent anywhere.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("token", metavar="TOKEN",
                        help="the token, or - to read it from standard input")
    keys = parser.add_argument_group("keys (verification uses only these)")
    keys.add_argument("--secret", metavar="TEXT",
                      help="an HMAC secret (HS256/384/512); it stays in your shell "
                      "history, so a JWK file (\"kty\": \"oct\") with --key is safer")
    keys.add_argument("--key", type=Path, metavar="FILE", action="append", default=[],
                      help="a PEM public key, private key or certificate, or a JWK "
                      "(repeatable)")
    keys.add_argument("--jwks", metavar="FILE|URL",
                      help="a JWK Set file, or an http(s) URL on this machine (loopback)")
    parser.add_argument("--alg", action="append", default=None, metavar="ALG",
                        help="accept only this algorithm (repeatable; default: whatever "
                        "your keys can verify)")
    parser.add_argument("--leeway", type=float, default=0.0, metavar="SECONDS",
                        help="forgive this much clock skew on exp, nbf and iat (default 0)")
    parser.add_argument("--aud", metavar="AUDIENCE",
                        help="require this audience (who you are)")
    parser.add_argument("--iss", metavar="ISSUER", help="require this issuer")
    parser.add_argument("--json", action="store_true",
                        help="machine-readable output (leaves out the token and secrets)")


def run(args: argparse.Namespace, stdin: TextIO | None = None,
        stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run `tutor jwt`; returns the exit status."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    from tutor.jwtcheck.keys import KeyInputError

    try:
        token = _read_token(args.token, stdin)
        report = _check(args, token)
    except (KeyInputError, _BadInput, ValueError) as exc:
        return _bad_input(str(exc), args.json, stdout, stderr)
    if args.json:
        from tutor.jwtcheck.report import json_text

        print(json_text(report), file=stdout)
    else:
        from rich.console import Console

        from tutor.jwtcheck.report import render

        console = Console(file=stdout, highlight=False, soft_wrap=True)
        console.print(render(report, token))
    if report.outcome == "unreadable":
        failed = report.failed_stage
        from tutor.visible import visible

        print(f"tutor jwt: not a JWT: {visible(failed.detail if failed else '')}",
              file=stderr)
    status: int = report.exit_status
    return status


class _BadInput(Exception):
    """The command line or standard input cannot be used."""


def _read_token(given: str, stdin: TextIO) -> str:
    if given != "-":
        return given
    try:
        text = stdin.read(MAX_STDIN + 1)
    except UnicodeDecodeError:
        raise _BadInput("standard input is not UTF-8 text") from None
    except OSError as exc:
        raise _BadInput(f"cannot read standard input: {exc}") from None
    if len(text) > MAX_STDIN:
        raise _BadInput(f"standard input is longer than {MAX_STDIN} characters; a token is "
                        "one line")
    return text


def _check(args: argparse.Namespace, token: str) -> Any:
    from tutor.clock import SystemClock
    from tutor.jwtcheck.keys import gather_keys
    from tutor.jwtcheck.pipeline import CheckOptions, Verifier

    options = CheckOptions(leeway=args.leeway,
                           algorithms=tuple(args.alg) if args.alg else None,
                           audience=args.aud, issuer=args.iss)
    keys = gather_keys(args.secret, args.key, args.jwks)
    return Verifier(keys, options).check(token, SystemClock())


def _bad_input(message: str, as_json: bool, stdout: TextIO, stderr: TextIO) -> int:
    from tutor.visible import visible

    if as_json:
        import json

        print(json.dumps({"result": "bad input", "valid": False, "error": message,
                          "sent_anywhere": False}, indent=2), file=stdout)
    print(f"tutor jwt: {visible(message)}", file=stderr)
    return 2
