"""The simulated browser: its cookie jar, the site's web storage, and document.cookie."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

from tutor.scenes.sentences import person_name
from tutor.ui.render._text import shorten
from tutor.ui.render.records import Records

if TYPE_CHECKING:
    from tutor.browser.browser import Browser

VALUE_LIMIT = 24
"""Cookie and storage values longer than this are shortened in the middle."""
EMPTY_JAR = "(empty: no cookies)"
HIDDEN_FROM_SCRIPTS = "document.cookie is empty: HttpOnly cookies are hidden from scripts"


def _title(text: str) -> Text:
    return Text(text, style="bold underline")


def _cookie_table(browser: Browser) -> RenderableType:
    cookies = browser.jar.cookies()
    if not cookies:
        return Text(EMPTY_JAR, style="dim italic")
    now = browser.clock.now()
    table = Records(("name", "value", "domain", "path", "attributes"), first_bold=True)
    for cookie in cookies:
        domain = cookie.domain if cookie.host_only else f".{cookie.domain}"
        table.add_row(cookie.name, shorten(cookie.value, VALUE_LIMIT), domain, cookie.path,
                      _attributes(cookie.attributes(now=now)))
    return table


def _attributes(attributes: str) -> Text:
    """The attribute list with the security-relevant ones stressed."""
    text = Text(attributes, overflow="fold")
    text.highlight_words(["HttpOnly", "Secure"], "green")
    text.highlight_regex(r"SameSite=\w+", "cyan")
    return text


def _storage(browser: Browser, area: str, site: str) -> RenderableType:
    items = browser.storage("localStorage" if area == "localStorage" else "sessionStorage", site)
    if not items:
        return Text(f"(empty: nothing in {area} for {site})", style="dim italic")
    table = Records(("key", "value"), first_bold=True)
    for key, value in items.items():
        table.add_row(key, shorten(value, VALUE_LIMIT * 2))
    return table


def document_cookie_line(browser: Browser, site: str) -> Text:
    """What `document.cookie` reads on the site's page, or why it reads nothing."""
    seen = browser.jar.document_cookie(site + "/")
    if seen:
        line = Text("document.cookie = ", style="bold", overflow="fold")
        line.append(repr(seen), style="yellow")
        return line
    cookies = browser.jar.cookies()
    if cookies and any(c.http_only for c in cookies):
        return Text(HIDDEN_FROM_SCRIPTS, style="italic green", overflow="fold")
    if cookies:
        return Text("document.cookie is empty: no cookie of this site is visible on its page",
                    style="dim italic", overflow="fold")
    return Text("document.cookie is empty", style="dim italic")


def render_browser(browser: Browser, site: str) -> RenderableType:
    """Cookie jar, localStorage and sessionStorage of `site`, and document.cookie."""
    location = browser.location or "(no page open)"
    heading = Text(f"{person_name(browser.name)}'s browser at ", style="bold", overflow="fold")
    heading.append(location, style="")
    return Group(
        heading,
        Text(),
        _title("Cookie jar"),
        _cookie_table(browser),
        Text(),
        _title(f"localStorage ({site})"),
        _storage(browser, "localStorage", site),
        Text(),
        _title(f"sessionStorage ({site})"),
        _storage(browser, "sessionStorage", site),
        Text(),
        document_cookie_line(browser, site),
    )
