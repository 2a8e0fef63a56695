"""The HTML a real browser gets from `tutor serve`: a login form, and in jwt mode a script."""

from __future__ import annotations

from html import escape

from tutor.server.config import ServerConfig
from tutor.server.users import UserRecord
from tutor.server.weaknesses import vulnerable_banner

# Scripts only from our own origin, so nothing injected inline can run.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; "
    "style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; }
.vulnerable { background: #fdd; border: 2px solid #c00; padding: .5rem; }
pre { background: #eee; padding: .5rem; overflow-x: auto; }
label { display: block; margin: .25rem 0; }
"""


def _frame(config: ServerConfig, body: str) -> str:
    warning = ""
    if enabled := config.vulnerabilities.enabled():
        text = escape(vulnerable_banner(enabled))
        warning = f'<p class="vulnerable" id="vulnerable">{text}</p>'
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>tutor mock server ({escape(config.mode)})</title><style>{_STYLE}</style>"
        f"</head><body><h1>tutor mock server</h1><p>Mode: <b>{escape(config.mode)}</b></p>"
        f"{warning}{body}</body></html>"
    )


def cookie_page(config: ServerConfig, user: UserRecord | None, csrf_token: str) -> str:
    """The login form, or who is logged in and a logout button (cookie modes)."""
    if user is None:
        body = (
            '<form method="post" action="/login" id="login">'
            '<label>Username <input name="username" autocomplete="username" value="alice">'
            "</label><label>Password <input name=password type=password "
            'autocomplete="current-password"></label><button>Log in</button></form>'
            "<p>Demo login: alice / wonderland. The server answers with a "
            "<code>Set-Cookie</code>; your browser keeps it in its cookie jar (not in "
            "localStorage) and sends it back with every request to this site.</p>"
        )
    else:
        body = (
            f"<p id=who>Logged in as <b>{escape(user.username)}</b> "
            f"({escape(user.role)}).</p>"
            '<p><a href="/profile">/profile</a> · <a href="/admin">/admin</a></p>'
            '<form method="post" action="/logout" id="logout">'
            f'<input type=hidden name=csrf_token value="{escape(csrf_token)}">'
            "<button>Log out</button></form>"
        )
    return _frame(config, body)


def jwt_page(config: ServerConfig) -> str:
    """A page whose script logs in with fetch and keeps the token in localStorage."""
    # method and action matter even though the script sends the login itself: a form
    # without them submits as a GET to this page, so pressing Enter before the script
    # has run (or with scripts off) would put the password in the URL and history.
    body = (
        '<form method="post" action="/login" id="login"><label>Username '
        '<input name="username" autocomplete="username" value="alice"></label>'
        '<label>Password <input name="password" type="password" '
        'autocomplete="current-password"></label><button>Log in</button></form>'
        '<p><button id="profile">GET /profile</button> '
        '<button id="logout">Log out</button></p>'
        '<pre id="out">Not logged in.</pre>'
        "<p>The token lives in <code>localStorage</code>, where any script on this page "
        "can read it, and is sent only because the script adds "
        "<code>Authorization: Bearer</code> itself.</p>"
        '<script src="/app.js"></script>'
    )
    return _frame(config, body)


JWT_SCRIPT = """\
"use strict";
const out = document.getElementById("out");
const show = (label, value) => {
  out.textContent = label + "\\n" + JSON.stringify(value, null, 2);
};
async function call(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}
async function profile() {
  const token = localStorage.getItem("access_token");
  const headers = token ? { Authorization: "Bearer " + token } : {};
  const { status, body } = await call("/profile", { headers });
  show("GET /profile -> " + status, body);
}
if (localStorage.getItem("access_token")) {
  // The token outlives a reload or a closed tab: localStorage is kept per origin.
  out.textContent = "A token from an earlier login is still in localStorage; " +
    "GET /profile sends it.";
}
document.getElementById("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const { status, body } = await call("/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: form.get("username"), password: form.get("password") }),
  });
  if (status === 200) {
    localStorage.setItem("access_token", body.access_token);
    localStorage.setItem("refresh_token", body.refresh_token);
    await profile();
  } else {
    show("POST /login -> " + status, body);
  }
});
document.getElementById("profile").addEventListener("click", profile);
document.getElementById("logout").addEventListener("click", async () => {
  const token = localStorage.getItem("access_token");
  const { status, body } = await call("/logout", {
    method: "POST",
    headers: token ? { Authorization: "Bearer " + token } : {},
  });
  localStorage.removeItem("access_token");
  localStorage.removeItem("refresh_token");
  show("POST /logout -> " + status + " (token deleted from localStorage)", body);
});
"""
