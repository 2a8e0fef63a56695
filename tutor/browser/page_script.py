"""What a script on the current page can do: exactly what JavaScript could, no more.

`document.cookie` without HttpOnly cookies, web storage, `fetch()` through the browser's
rules, and the page's non-extractable DPoP key (it may ask for a signature, never read
the key). Every read is reported (`ScriptRead`) so the stage can show what leaked.
"""

from __future__ import annotations

import json as jsonlib
from typing import TYPE_CHECKING

from tutor.browser.cookies import StoreDecision
from tutor.browser.events import Exchange, RequestBlocked, ScriptRead
from tutor.browser.sites import origin_of
from tutor.browser.webcrypto import KeyNotExtractable, PageKey, dpop_proof

if TYPE_CHECKING:
    from tutor.browser.browser import Browser, StorageArea


class PageScript:
    """What a script on the current page can do: exactly what JavaScript could."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        assert browser.location is not None
        self.url = browser.location
        self.origin = origin_of(browser.location)

    def document_cookie(self) -> str:
        """`document.cookie`: every cookie for this page except HttpOnly ones."""
        value = self._browser.jar.document_cookie(self.url)
        self._read("document.cookie", value)
        return value

    def set_cookie(self, assignment: str) -> StoreDecision:
        """`document.cookie = "name=value; ..."` (HttpOnly cookies are out of reach)."""
        before = self._browser._cookie_keys()
        decision = self._browser.jar.set_from_script(self.url, assignment)
        self._browser._report_store([decision], before)
        return decision

    def storage(self, area: StorageArea = "localStorage") -> dict[str, str]:
        """Everything in this origin's localStorage or sessionStorage."""
        values = self._browser.storage(area, self.origin)
        self._read(area, jsonlib.dumps(values, sort_keys=True))
        return values

    def set_item(self, key: str, value: str, area: StorageArea = "localStorage") -> None:
        """`localStorage.setItem(key, value)`."""
        self._browser.store(area, self.origin, key, value)

    def remove_item(self, key: str, area: StorageArea = "localStorage") -> None:
        """`localStorage.removeItem(key)`."""
        self._browser.store(area, self.origin, key, None)

    def dpop_key(self) -> PageKey:
        """This origin's signing key, made on first use with `extractable: false`."""
        key = self._browser.keys.get(self.origin)
        if key is None:
            key = self._browser.keys[self.origin] = PageKey()
        return key

    def dpop_proof(self, method: str, url: str, access_token: str | None = None) -> str:
        """A DPoP proof for one request, signed by the browser with this origin's key:
        the script asks for a signature and never holds the private key."""
        return dpop_proof(self.dpop_key(), method, self._browser.resolve(url),
                          self._browser.clock.now(), access_token)

    def export_dpop_key(self) -> str:
        """`crypto.subtle.exportKey` on the private key: refused, and the refusal is what
        the script gets to read (`KeyNotExtractable`'s message)."""
        try:
            self.dpop_key().export()
        except KeyNotExtractable as exc:
            message = str(exc)
        self._read("dpop key", message)
        return message

    async def fetch(self, url: str, method: str = "GET", **options: object) -> (
        Exchange | RequestBlocked
    ):
        """`fetch()` from this page."""
        return await self._browser.fetch(url, method, **options)  # type: ignore[arg-type]

    def _read(self, what: str, value: str) -> None:
        event = ScriptRead(self._browser.clock.now(), self._browser.name, self.origin, what, value)
        self._browser._emit(event)
