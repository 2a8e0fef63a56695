"""What a learner should notice in a HAR: credentials per exchange, login steps, findings.

Login steps (the course's model of every login):
1. the user enters credentials: a recording shows the page whose form they typed into
   (a GET answered with a password form, or a login path), never the typing,
2. the credentials travel (a request with a password field, or Basic authorization),
3. the server answers with a credential (a session-like cookie, or a JWT in the body),
4. the client attaches that credential to a later request.

Everything here is a heuristic over what a recording shows; it never contacts anyone.
"""

from __future__ import annotations

import re

from tutor.har.credentials import (
    CookieSet,
    FoundToken,
    SentCredential,
    answer_body,
    body_json,
    cookies_set,
    form_fields,
    has_password_field,
    is_token_field,
    looks_like_session,
    may_carry_login,
    sent_credentials,
    tokens_found,
    url_credentials,
)
from tutor.har.findings import REMEMBERED, Finding, FindingTracker
from tutor.har.model import Har, HarBody, HarEntry
from tutor.records import FrozenRecord, Record

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_LOGIN_PATH = re.compile(r"log-?in|sign-?in|log-?on|auth", re.IGNORECASE)
_PASSWORD_INPUT = re.compile(rb"""type[ \t\n\r\f]*=[ \t\n\r\f]*["']?password""")
"""A password input, in a page lower-cased byte by byte: HTML's attribute names, its
whitespace and its `type` keywords are ASCII, compared ASCII case-insensitively."""
_JSON_OBJECT = re.compile(rb"[ \t\r\n]*\{")


def _may_name_token(data: bytes) -> bool:
    """False when no key of a JSON body can be a token field (`is_token_field`), read
    from the bytes (faster than parsing them, and than a regular expression): such a
    body (most) is never parsed for step 3. An escape or a non-ASCII byte may spell one
    (`\\u0074oken`, a Unicode case variant), so those bodies are parsed."""
    if not data.isascii():
        return True
    # Searched as text: a bytes `in` first tries its operand as an integer (a TypeError
    # raised and cleared), which made these five tests cost four times as much.
    lowered = data.decode("ascii").lower()
    return ("token" in lowered or "jwt" in lowered or "sess" in lowered
            or "sid" in lowered or "\\u" in lowered)


class EntryAnalysis(FrozenRecord):
    """What one exchange shows."""

    __slots__ = ("entry", "login_steps", "sent", "set", "tokens", "url_credentials")
    _fields = ("entry", "sent", "set", "tokens", "login_steps", "url_credentials")

    def __init__(self, entry: HarEntry, sent: list[SentCredential], set: list[CookieSet],  # noqa: A002
                 tokens: list[FoundToken], login_steps: tuple[int, ...],
                 url_credentials: list[str] | None = None) -> None:
        self.entry = entry
        self.sent = sent
        self.set = set
        self.tokens = tokens
        self.login_steps = login_steps
        """Every login step this exchange shows (POST /login is often both 2 and 3)."""
        self.url_credentials: list[str] = [] if url_credentials is None else url_credentials
        """Names of URL parts that carry a credential."""

    @property
    def login_step(self) -> int | None:
        """The furthest login step shown, or None."""
        return max(self.login_steps) if self.login_steps else None


class Analysis(Record):
    """The whole HAR, analysed."""

    __slots__ = ("_by_entry", "entries", "findings", "har")
    _fields = ("har", "entries", "findings")

    def __init__(self, har: Har, entries: list[EntryAnalysis],
                 findings: list[Finding]) -> None:
        self.har = har
        self.entries = entries
        self.findings = findings
        self._by_entry: dict[int, list[Finding]] | None = None

    def findings_for(self, index: int) -> list[Finding]:
        """The findings about entry `index`."""
        grouped = self._by_entry
        if grouped is None:
            grouped = self._by_entry = {}
            for finding in self.findings:
                grouped.setdefault(finding.entry, []).append(finding)
        return grouped.get(index, [])


def analyse(har: Har) -> Analysis:
    """Analyse every exchange, then look across them for findings."""
    analyser = Analyser()
    entries: list[EntryAnalysis] = []
    findings: list[Finding] = []
    for entry in har.entries:
        item, found = analyser.visit(entry)
        entries.append(item)
        findings += found
    return Analysis(har, entries, findings)


class Analyser:
    """One pass over the entries in order (`analyse`, or a streamed file): each entry's
    analysis and findings at once, remembering only the little later entries need."""

    def __init__(self) -> None:
        self._issued: dict[str, None] = {}
        """Names of cookies, and raw token values, handed out at a step 3 (the latest
        REMEMBERED, as an ordered set)."""
        self._findings = FindingTracker(self._issued)

    def visit(self, entry: HarEntry) -> tuple[EntryAnalysis, list[Finding]]:
        """The next entry's analysis and the findings about it."""
        request = entry.request
        answer = answer_body(entry)
        sent = sent_credentials(request)
        set_cookies = cookies_set(entry)
        tokens = tokens_found(entry, sent, set_cookies, answer)
        steps = _login_steps(entry, answer, sent, set_cookies, self._issued)
        item = EntryAnalysis(entry, sent, set_cookies, tokens, steps,
                             url_credentials(request.url))
        return item, self._findings.visit(item)


def _login_steps(entry: HarEntry, answer: HarBody | None, sent: list[SentCredential],
                 set_cookies: list[CookieSet], issued: dict[str, None]) -> tuple[int, ...]:
    """The login steps the exchange shows (`answer`: its `answer_body`); remembers in
    `issued` what a step 3 hands out."""
    request, response = entry.request, entry.response
    steps: list[int] = []  # appended in order, so sorted and without repeats
    if request.method == "GET" and _shows_login_form(entry, answer):
        steps.append(1)
    body = request.body
    sends_secret = body is not None and has_password_field(form_fields(body))
    if not sends_secret:
        for c in sent:
            if c.type == "basic":
                sends_secret = True
                break
    if sends_secret:
        steps.append(2)
    # A session cookie on a plain page view is an anonymous session, not a login: step 3
    # needs credentials in this request or a token in the answer.
    # Accepted credentials are step 3 even without a new cookie: a server that does not
    # rotate the session id keeps the old one.
    accepted = 200 <= response.status < 400
    document = _token_document(answer) if accepted else None
    if accepted and (sends_secret or _issues_token(document)):
        steps.append(3)
        for credential in _credentials_issued(set_cookies, document):
            issued.pop(credential, None)  # re-inserted as the newest
            issued[credential] = None
        while len(issued) > REMEMBERED:
            del issued[next(iter(issued))]
    if sent and not sends_secret:
        for c in sent:
            if (c.type in ("bearer", "basic") or c.name in issued or c.value in issued
                    or looks_like_session(c.name, c.value)):
                steps.append(4)  # the client carries a credential
                break
    return tuple(steps) if steps else ()


def _credentials_issued(set_cookies: list[CookieSet], document: Any) -> set[str]:
    """Names of the cookies set, and the tokens in the answer's JSON `document`."""
    issued: set[str] = set()
    for c in set_cookies:
        if not c.cleared and c.parsed is not None and may_carry_login(c.name):
            issued.add(c.name)
    if isinstance(document, dict):
        for key, value in document.items():
            if isinstance(value, str) and is_token_field(key):
                issued.add(value)
    return issued


def _token_document(body: HarBody | None) -> Any:
    """The response body as JSON when it is an object that may name a token (else None,
    and left unparsed)."""
    if body is None or not _JSON_OBJECT.match(body.data) or not _may_name_token(body.data):
        return None
    return body_json(body)


def _issues_token(document: Any) -> bool:
    """Whether the answer's JSON names a token field with a value long enough to be one."""
    if isinstance(document, dict):
        for key, value in document.items():
            if isinstance(value, str) and len(value) >= 16 and is_token_field(key):
                return True
    return False


def _shows_login_form(entry: HarEntry, body: HarBody | None) -> bool:
    if body is not None and "html" in body.mime_type.lower() and body.data:
        # bytes.lower changes only ASCII letters, and runs at memory speed, where a
        # case-insensitive search of the text lowered each character through Unicode's
        # tables (pages are long: it was about a third of `tutor inspect`'s instructions
        # on a Chrome export).
        page = body.data.lower()
        return b"password" in page and _PASSWORD_INPUT.search(page) is not None
    # No page recorded (Firefox leaves bodies out by default): judge by the path.
    return entry.response.status == 200 and _is_login_path(entry.request.path)


def _is_login_path(path: str) -> bool:
    # Most paths hold none of the words: a substring test rules them out before the
    # case-insensitive pattern (exact for ASCII; other text always goes to the pattern).
    if path.isascii():
        lowered = path.lower()
        if "log" not in lowered and "sign" not in lowered and "auth" not in lowered:
            return False
    return _LOGIN_PATH.search(path) is not None
