"""The `tutor` command line. Heavy imports wait until a subcommand needs them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tutor import __version__

SERVE_HINT = (
    "Start the mock auth server for curl or a browser with:  tutor serve --mode jwt\n"
    "(modes: cookie, signed-cookie, jwt)."
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="tutor",
        description="Learn how web login really works: session cookies versus JWTs.",
        epilog=SERVE_HINT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tutor {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the mock auth server on a loopback port",
        description="Run the mock auth server for curl and real browsers.",
    )
    serve.add_argument("--mode", choices=["cookie", "signed-cookie", "jwt"], default="cookie")
    serve.add_argument("--alg", choices=["HS256", "RS256", "EdDSA"], default="HS256",
                       help="JWT signing algorithm (jwt mode)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    serve.add_argument("--port", type=int, default=8000, help="port (0 picks a free one)")
    serve.add_argument("--allow-remote", action="store_true",
                       help="allow a non-loopback --host (other machines can then log in)")
    serve.add_argument("--denylist", action="store_true",
                       help="jwt mode: refuse logged-out tokens until they expire")
    serve.add_argument("--vulnerable", action="append", default=[], metavar="NAME",
                       help="switch on a deliberate weakness (repeatable); see docs")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    parser.print_help()
    print(f"\n{SERVE_HINT}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from tutor.serve import SERVE_SCRYPT_COST, ServeError, serve
    from tutor.server.config import ConfigError, ServerConfig

    try:
        config = ServerConfig.from_mapping({
            "mode": args.mode,
            "algorithm": args.alg,
            "denylist": args.denylist,
            "scrypt_cost": SERVE_SCRYPT_COST,
            "vulnerabilities": list(args.vulnerable),
        })
        serve(config, args.host, args.port, args.allow_remote, sys.stdout)
    except (ConfigError, ServeError) as exc:
        print(f"tutor serve: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0
