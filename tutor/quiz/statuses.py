"""What each HTTP status means, in a phrase (feedback on predict questions)."""

from __future__ import annotations

STATUS_MEANINGS = {
    200: "OK: the server accepted the request and answered it",
    201: "Created: the server made something new",
    204: "No Content: accepted, with nothing to send back",
    302: "Found: a redirect to another address",
    303: "See Other: a redirect, the usual answer to a submitted form",
    400: "Bad Request: the server could not make sense of the request",
    401: "Unauthorized: no valid credential came with the request",
    403: "Forbidden: the server knows who it is, or suspects a forgery, and refuses",
    404: "Not Found: nothing at that address",
    405: "Method Not Allowed: the address exists but not for this method",
    409: "Conflict: the request clashes with the current state",
    422: "Unprocessable Content: well-formed but wrong",
    429: "Too Many Requests: slow down",
    500: "Internal Server Error: the server failed",
}


UNAUTHORIZED_BECAUSE = {
    "login": "Unauthorized: the login was refused (wrong username or password)",
    "credential": "Unauthorized: the credential that came with the request was not "
                  "accepted (expired, ended, revoked or forged)",
}
"""A 401 read with its request: a refused login and a refused credential are not the
same story as a request that brought none."""


def status_meaning(status: int, method: str = "", url: str = "",
                   sent_credential: bool = False) -> str:
    """A short reading of an HTTP status; for a 401, the request (method, URL, whether a
    Cookie or Authorization header went with it) says which refusal it was."""
    if status == 401 and method.upper() == "POST" and url.split("?")[0].endswith("/login"):
        return UNAUTHORIZED_BECAUSE["login"]
    if status == 401 and sent_credential:
        return UNAUTHORIZED_BECAUSE["credential"]
    if status in STATUS_MEANINGS:
        return STATUS_MEANINGS[status]
    family = {2: "a success", 3: "a redirect", 4: "a refusal caused by the request",
              5: "a server failure"}.get(status // 100, "an unusual status")
    return f"{status} is {family}"
