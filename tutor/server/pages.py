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
        f'<pre id="out" data-token-type="{"DPoP" if config.dpop else "Bearer"}">'
        "Not logged in.</pre>"
        "<p>The token lives in <code>localStorage</code>, where any script on this page "
        "can read it, and is sent only because the script adds "
        f"<code>Authorization: {'DPoP' if config.dpop else 'Bearer'}</code> itself.</p>"
        f"{_DPOP_NOTE if config.dpop else ''}"
        '<script src="/app.js"></script>'
    )
    return _frame(config, body)


_DPOP_NOTE = (
    "<p>Each token is bound to a key pair the script made with WebCrypto. The private "
    "key is not extractable: the script can sign with it, but neither it nor anyone "
    "else can read it. Every request carries a <code>DPoP</code> proof signed with "
    "that key, so a copy of the token alone is refused. A script running in this page "
    "can still ask the key to sign, so DPoP does not stop XSS.</p>"
)


JWT_SCRIPT = """\
"use strict";
const out = document.getElementById("out");
// With `tutor serve --dpop` every token is bound to a key pair this page makes (RFC 9449).
const dpop = out.dataset.tokenType === "DPoP";
const show = (label, value) => {
  out.textContent = label + "\\n" + JSON.stringify(value, null, 2);
};
const utf8 = (text) => new TextEncoder().encode(text);
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
function keyStore(mode, use) {
  // IndexedDB keeps the key across reloads, as it keeps the tokens in localStorage;
  // it stores the CryptoKey itself, so the private half stays unreadable there too.
  return new Promise((resolve, reject) => {
    const opened = indexedDB.open("tutor-dpop", 1);
    opened.onupgradeneeded = () => opened.result.createObjectStore("keys");
    opened.onerror = () => reject(opened.error);
    opened.onsuccess = () => {
      const transaction = opened.result.transaction("keys", mode);
      const request = use(transaction.objectStore("keys"));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
    };
  });
}
async function dpopKeys() {
  let keys = await keyStore("readonly", (store) => store.get("keys"));
  if (!keys) {
    // extractable: false, so a script can sign with the private key but never read it.
    keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false,
                                           ["sign", "verify"]);
    await keyStore("readwrite", (store) => store.put(keys, "keys"));
  }
  return keys;
}
async function proof(method, path, token) {
  // A DPoP proof (RFC 9449 section 4.2): a JWT signed by the key, for one request.
  const keys = await dpopKeys();
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", keys.publicKey);
  const header = { typ: "dpop+jwt", alg: "ES256", jwk: { kty, crv, x, y } };
  const claims = { jti: crypto.randomUUID(), htm: method, htu: location.origin + path,
                   iat: Math.floor(Date.now() / 1000) };
  if (token) {
    claims.ath = b64url(await crypto.subtle.digest("SHA-256", utf8(token)));
  }
  const signed = b64url(utf8(JSON.stringify(header))) + "." +
    b64url(utf8(JSON.stringify(claims)));
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" },
                                             keys.privateKey, utf8(signed));
  return signed + "." + b64url(signature);
}
async function credentials(method, path) {
  const token = localStorage.getItem("access_token");
  if (!token) {
    return {};
  }
  if (!dpop) {
    return { Authorization: "Bearer " + token };
  }
  return { Authorization: "DPoP " + token, DPoP: await proof(method, path, token) };
}
async function call(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}
async function profile() {
  const headers = await credentials("GET", "/profile");
  const { status, body } = await call("/profile", { headers });
  show("GET /profile -> " + status, body);
}
if (dpop && !(window.isSecureContext && crypto.subtle)) {
  out.textContent = "DPoP needs WebCrypto, which browsers offer only in a secure context: " +
    "https, or http://localhost and http://127.0.0.1. Open the page at one of those.";
} else if (localStorage.getItem("access_token")) {
  // The token outlives a reload or a closed tab: localStorage is kept per origin.
  out.textContent = "A token from an earlier login is still in localStorage; " +
    "GET /profile sends it.";
}
document.getElementById("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const headers = { "Content-Type": "application/json" };
  if (dpop) {
    headers.DPoP = await proof("POST", "/login");
  }
  const { status, body } = await call("/login", {
    method: "POST",
    headers,
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
  const headers = await credentials("POST", "/logout");
  const { status, body } = await call("/logout", { method: "POST", headers });
  localStorage.removeItem("access_token");
  localStorage.removeItem("refresh_token");
  show("POST /logout -> " + status + " (token deleted from localStorage)", body);
});
"""
