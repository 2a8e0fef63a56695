"""curl in and out: a draft as a command that works against `tutor serve`, and a pasted
command back into a draft.

Rendering quotes every argument with `shlex.quote`, so the command is safe to paste into
a POSIX shell; `for_serve` first renames the server's cookies for the `tutor serve` the
command targets (`__Host-sid` over https, `sid` over http: `ServerMode.cookie_name`'s
rule, `host_prefixed`).
Parsing reads the options that describe a request (`-X`, `-H`, `-b`, `-d`,
`--data-raw`, `--data-binary`, `--json`, `-u`, `-G`, `-A`, `-e`, the URL) and ignores,
naming them, the ones that only change what curl prints or how it connects (`-s`, `-i`,
`-v`, `-k`, `--compressed`, `-o FILE`, `-m SECONDS`, ...); anything else is
refused with a message, never guessed at, because a silently dropped option would send a
different request than the learner wrote. `parse_curl(to_curl(d)) == d` for every
draft `to_curl` can write.
"""

from __future__ import annotations

import base64
import dataclasses
import shlex
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from tutor.repeater.draft import RequestDraft, parse_cookie_header
from tutor.served import DEFAULT_URL
from tutor.server.modes import get_mode, mode_names
from tutor.server.modes.registry import HOST_PREFIX, host_prefixed

DEFAULT_BASE_URL = DEFAULT_URL
FORM_TYPE = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
# Options that only change what curl prints or how it connects, never what it sends.
QUIET_SHORT = frozenset("sSivkf")
QUIET_LONG = frozenset({"--silent", "--show-error", "--include", "--verbose", "--insecure",
                        "--compressed", "--fail", "--no-progress-meter",
                        "--http1.1", "--http2", "--globoff"})
# The same, taking a value (a file to write, a time limit...).
QUIET_SHORT_VALUE = frozenset("omwc")
QUIET_LONG_VALUE = frozenset({"--output", "--max-time", "--write-out", "--connect-timeout",
                              "--retry", "--cookie-jar", "--dump-header"})
SUPPORTED = ("-X/--request, -H/--header, -b/--cookie, -d/--data, --data-raw, "
             "--data-binary, --json, -u/--user, -G/--get, -A/--user-agent, -e/--referer, "
             "-I/--head, --url (and, ignored, -s, -i, -v, -k, -o, -m, --compressed)")


@dataclass(frozen=True)
class CurlImport:
    """A pasted command read as a draft, with what was left out and where it was aimed."""

    draft: RequestDraft
    ignored: tuple[str, ...] = ()
    """Options that change only what curl prints or how it connects, as written."""
    origin: str | None = None
    """scheme://host:port of the URL (None for a bare path)."""

    def note(self) -> str:
        """One line for the learner: what was ignored, if anything."""
        if not self.ignored:
            return "Imported."
        return ("Imported; ignored " + ", ".join(self.ignored)
                + " (they change only what curl prints or how it connects).")


class CurlError(ValueError):
    """A curl command line that cannot be read as one request; the message says why."""


# --- rendering -------------------------------------------------------------------------------


def server_cookie_bases() -> frozenset[str]:
    """The base names of the server's own cookies: each cookie mode's session cookie
    (`ServerMode.session_cookie`) and the jwt-cookie mode's `csrf`."""
    modes = (get_mode(name) for name in mode_names())
    return frozenset({m.session_cookie for m in modes if m.session_cookie} | {"csrf"})


def served_cookie_name(name: str, https: bool,
                       published: Mapping[str, str] | None = None) -> str:
    """A cookie of the server's, named as the server names it: as it `published` them
    (base name → name) when it did, else as a server reached over https or http names
    its cookies (`host_prefixed`, the rule `ServerMode.cookie_name` uses). Other cookies
    keep their name."""
    base = name.removeprefix(HOST_PREFIX)
    if published and base in published:
        return published[base]
    return host_prefixed(base, https) if base in server_cookie_bases() else name


def for_serve(draft: RequestDraft, base_url: str = DEFAULT_BASE_URL,
              published: Mapping[str, str] | None = None) -> RequestDraft:
    """The draft with the server's cookies named as the server at `base_url` names them
    (a sandbox runs over https; `tutor serve` over http unless started with --https;
    a server that published its names, `served.PublishedServer`, is taken at its word:
    with the naive_double_submit weakness its `csrf` cookie has no prefix)."""
    https = base_url.lower().startswith("https:")
    cookies = tuple((served_cookie_name(name, https, published), value)
                    for name, value in draft.cookies)
    return dataclasses.replace(draft, cookies=cookies)


def to_curl(draft: RequestDraft, base_url: str = DEFAULT_BASE_URL) -> str:
    """A curl command sending `draft` to the server at `base_url` (`tutor serve`'s URL)."""
    args = ["curl"]
    has_body = bool(draft.body)
    if draft.method == "HEAD" and not has_body:
        args.append("--head")
    elif not (draft.method == "GET" and not has_body) and not (
        draft.method == "POST" and has_body
    ):
        args += ["-X", draft.method]
    args.append(base_url.rstrip("/") + draft.path)
    for name, value in draft.headers:
        args += ["-H", f"{name}: {value}"]
    if has_body and draft.header("content-type") is None:
        # curl adds a form Content-Type to any -d body; an empty -H value removes it.
        args += ["-H", "Content-Type:"]
    cookie = draft.cookie_header()
    if cookie is not None:
        args += ["-b", cookie]
    if has_body:
        args += ["--data-raw", draft.body]
    return " ".join(shlex.quote(arg) for arg in args)


# --- parsing ---------------------------------------------------------------------------------


class _Command:
    """What the options of one command line said so far."""

    def __init__(self) -> None:
        self.method: str | None = None
        self.url: str | None = None
        self.headers: list[tuple[str, str]] = []
        self.removed: set[str] = set()
        self.cookies: list[tuple[str, str]] = []
        self.data: list[str] = []
        self.json = False
        self.head = False
        self.get = False
        self.ignored: list[str] = []

    def header(self, value: str) -> None:
        name, colon, rest = value.partition(":")
        name = name.strip()
        if not colon or not name:
            raise CurlError(f"-H {value!r}: a header is written 'Name: value'")
        if not rest.strip():
            self.removed.add(name.lower())  # curl: "Name:" with no value removes it
        elif name.lower() == "cookie":
            self.cookies += parse_cookie_header(rest.strip())
        else:
            self.headers.append((name, rest.strip()))

    def cookie(self, value: str) -> None:
        if "=" not in value:
            raise CurlError(f"-b {value!r}: curl would read cookies from a file of that name; "
                            "write them inline instead, as -b 'name=value; other=value'")
        self.cookies += parse_cookie_header(value)

    def add_data(self, value: str, *, raw: bool) -> None:
        if not raw and value.startswith("@"):
            raise CurlError(f"{value!r}: reading the body from a file is not supported here; "
                            "paste the body itself with --data-raw")
        self.data.append(value)

    def add_json(self, value: str) -> None:
        self.add_data(value, raw=False)
        self.json = True

    def user(self, value: str) -> None:
        name, colon, password = value.partition(":")
        if not colon:
            raise CurlError(f"-u {value!r}: curl would ask for the password; write it as "
                            "-u name:password")
        token = base64.b64encode(f"{name}:{password}".encode()).decode("ascii")
        self.headers.append(("Authorization", f"Basic {token}"))

    def set_url(self, value: str) -> None:
        if self.url is not None:
            raise CurlError(f"two URLs ({self.url!r} and {value!r}): one command sends one "
                            "request; pipes, ';' and '&&' are not supported")
        self.url = value


def parse_curl(line: str) -> RequestDraft:
    """A curl command line as a draft, or `CurlError` saying what could not be read."""
    return import_curl(line).draft


def import_curl(line: str) -> CurlImport:
    """A curl command line as a draft, with the options it ignored, or `CurlError`."""
    _refuse_shell_expansion(line)
    try:
        args = shlex.split(_join_continued_lines(line))
    except ValueError as exc:
        raise CurlError(f"cannot split the command into words: {exc} (an unclosed quote?)"
                        ) from None
    if not args or args[0].rsplit("/", 1)[-1] != "curl":
        raise CurlError("a curl command starts with the word curl")
    command = _Command()
    rest = iter(args[1:])
    for arg in rest:
        if arg.startswith("--"):
            _long_option(command, arg, rest)
        elif arg.startswith("-") and len(arg) > 1:
            _short_options(command, arg, rest)
        else:
            command.set_url(arg)
    draft = _draft_of(command)
    origin = None
    if command.url is not None and not command.url.startswith("/"):
        parts = urlsplit(command.url if "://" in command.url else "http://" + command.url)
        origin = f"{parts.scheme}://{parts.netloc}"
    return CurlImport(draft, tuple(command.ignored), origin)


def _value(option: str, rest: Iterator[str]) -> str:
    value = next(rest, None)
    if value is None:
        raise CurlError(f"{option} needs a value after it")
    return value


def _long_option(command: _Command, option: str, rest: Iterator[str]) -> None:
    if option in QUIET_LONG:
        command.ignored.append(option)
        return
    if option in QUIET_LONG_VALUE:
        command.ignored.append(f"{option} {_value(option, rest)}")
        return
    if option == "--head":
        command.head = True
        return
    if option == "--get":
        command.get = True
        return
    handlers: dict[str, Callable[[str], None]] = {
        "--request": lambda v: setattr(command, "method", v),
        "--header": command.header,
        "--cookie": command.cookie,
        "--data": lambda v: command.add_data(v, raw=False),
        "--data-ascii": lambda v: command.add_data(v, raw=False),
        "--data-binary": lambda v: command.add_data(v, raw=False),
        "--data-raw": lambda v: command.add_data(v, raw=True),
        "--json": command.add_json,
        "--url": command.set_url,
        "--user": command.user,
        "--user-agent": lambda v: command.header(f"User-Agent: {v}"),
        "--referer": lambda v: command.header(f"Referer: {v}"),
    }
    handler = handlers.get(option)
    if handler is None:
        raise CurlError(f"option {option} is not supported here; use {SUPPORTED}")
    handler(_value(option, rest))


def _short_options(command: _Command, arg: str, rest: Iterator[str]) -> None:
    with_value: dict[str, Callable[[str], None]] = {
        "X": lambda v: setattr(command, "method", v),
        "H": command.header,
        "b": command.cookie,
        "d": lambda v: command.add_data(v, raw=False),
        "u": command.user,
        "A": lambda v: command.header(f"User-Agent: {v}"),
        "e": lambda v: command.header(f"Referer: {v}"),
    }
    for position, letter in enumerate(arg[1:], 1):
        if letter in with_value or letter in QUIET_SHORT_VALUE:
            attached = arg[position + 1:]
            value = attached if attached else _value(f"-{letter}", rest)
            if letter in with_value:
                with_value[letter](value)
            else:
                command.ignored.append(f"-{letter} {value}")
            return
        if letter == "I":
            command.head = True
        elif letter == "G":
            command.get = True
        elif letter in QUIET_SHORT:
            command.ignored.append(f"-{letter}")
        else:
            raise CurlError(f"option -{letter} (in {arg!r}) is not supported here; "
                            f"use {SUPPORTED}")


def _draft_of(command: _Command) -> RequestDraft:
    if command.url is None:
        raise CurlError("the command names no URL, e.g. http://127.0.0.1:8000/profile")
    path = _path_of(command.url)
    body = ("&" if not command.json else "").join(command.data)
    if command.get and command.data:
        # -G: the data goes into the query string and the request is a GET (or HEAD).
        path += ("&" if "?" in path else "?") + body
        body = ""
        command.data = []
    method = command.method or ("HEAD" if command.head else "POST" if command.data else "GET")
    headers = [(k, v) for k, v in command.headers if k.lower() not in command.removed]
    names = {k.lower() for k, _ in headers}
    if command.data and "content-type" not in names | command.removed:
        headers.append(("Content-Type", JSON_TYPE if command.json else FORM_TYPE))
    if command.json and "accept" not in names | command.removed:
        headers.append(("Accept", JSON_TYPE))
    cookies = [] if "cookie" in command.removed else command.cookies
    return RequestDraft(method, path, tuple(headers), tuple(cookies), body)


def _path_of(url: str) -> str:
    if url.startswith("/"):
        return url.split("#", 1)[0]
    if "://" not in url:
        url = "http://" + url  # curl's default scheme
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise CurlError(f"URL {url!r}: only http and https URLs are supported")
    # An empty query is kept as written ("/p?"): curl sends it so, and urlsplit forgets it.
    empty_query = not parts.query and url.split("#", 1)[0].endswith("?")
    return (parts.path or "/") + (f"?{parts.query}" if parts.query or empty_query else "")


def _join_continued_lines(line: str) -> str:
    """Drop backslash-newline pairs outside single quotes, as a POSIX shell does."""
    kept: list[str] = []
    quote: str | None = None
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\" and quote != "'":
            following = line[index + 1:index + 3]
            if following.startswith("\n") or following == "\r\n":
                index += 2 if following.startswith("\n") else 3
                continue
            kept.append(line[index:index + 2])
            index += 2
            continue
        if quote is None and char in "'\"":
            quote = char
        elif char == quote:
            quote = None
        kept.append(char)
        index += 1
    return "".join(kept)


def _refuse_shell_expansion(line: str) -> None:
    """A `$VAR` or `$(...)` would be expanded by a shell, but nothing here runs one."""
    quote: str | None = None
    escaped = False
    for position, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote is None and char in "'\"":
            quote = char
        elif char == quote:
            quote = None
        elif char == "$" and quote != "'" and line[position + 1:position + 2].strip():
            word = line[position:].split()[0].rstrip("\"'")
            raise CurlError(f"{word} is a shell variable or command, and no shell runs "
                            "here: paste its value instead")
