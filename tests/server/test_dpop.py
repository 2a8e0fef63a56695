"""DPoP (RFC 9449): thumbprints, proof checks one by one, and the real HTTP path.

The RFC's own example proofs (Figures 2 and 13, signed by its authors' key) are checked
by the server's checker, so the checker is tested against proofs it did not make.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.long_run import examples
from tests.server.helpers import ALICE
from tutor.browser.webcrypto import KeyNotExtractable, PageKey, dpop_proof
from tutor.clock import SimulatedClock
from tutor.server.cluster import MockServer
from tutor.server.dpop import (
    DpopRejected,
    ProofChecker,
    access_token_hash,
    jwk_thumbprint,
    normalized_uri,
)
from tutor.server.events import DpopProofChecked
from tutor.server.state import AuthStore

# RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint.
RFC7638_KEY = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6t"
         "Soc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-6"
         "5YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNL"
         "yrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJ"
         "zKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
# RFC 9449 Figure 2: a proof for POST https://server.example.com/token at 1562262616.
RFC9449_TOKEN_PROOF = (
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZy"
    "aHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpi"
    "VFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0V"
    "TYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3R"
    "va2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4Pt"
    "FLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
)
# RFC 9449 Figure 13: a proof for GET https://resource.example.org/protectedresource at
# 1562262618, with the ath of Figure 13's access token; Figure 9 gives the key's jkt.
RFC9449_RESOURCE_PROOF = (
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZy"
    "aHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpi"
    "VFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiJlMWozVl9"
    "iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9"
    "wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05"
    "yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1ple"
    "mAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA"
)
RFC9449_ACCESS_TOKEN = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
RFC9449_ATH = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
RFC9449_JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"

SITE = "http://tutor.local"


# --- RFC 7638 thumbprints and the ath hash --------------------------------------------------


def test_thumbprint_of_the_rfc_7638_example() -> None:
    """Only the required members, sorted, no whitespace, SHA-256, base64url [RFC 7638 §3.1]."""
    assert jwk_thumbprint(RFC7638_KEY) == RFC7638_THUMBPRINT


def test_thumbprint_of_the_rfc_9449_example_key() -> None:
    """The EC key of RFC 9449's examples has the jkt of its Figure 9 [RFC 9449 §6.1]."""
    header = jwt.get_unverified_header(RFC9449_TOKEN_PROOF)
    assert jwk_thumbprint(header["jwk"]) == RFC9449_JKT


def test_thumbprint_refuses_an_incomplete_or_unknown_key() -> None:
    with pytest.raises(ValueError, match="lacks e"):
        jwk_thumbprint({"kty": "RSA", "n": "AQAB"})
    with pytest.raises(ValueError, match="no thumbprint"):
        jwk_thumbprint({"kty": "XYZ"})


def test_ath_is_the_rfc_9449_figure_14_value() -> None:
    """ath = base64url(SHA-256(token)) [RFC 9449 §4.2], on the server and in the browser."""
    assert access_token_hash(RFC9449_ACCESS_TOKEN) == RFC9449_ATH
    proof = dpop_proof(PageKey(), "GET", "https://x.test/r", 0, RFC9449_ACCESS_TOKEN)
    assert jwt.decode(proof, options={"verify_signature": False})["ath"] == RFC9449_ATH


def test_uri_normalization() -> None:
    """Scheme and host lower-cased, default port dropped, query and fragment ignored
    [RFC 9449 §4.3; RFC 3986 §6.2.2, §6.2.3]."""
    assert normalized_uri("HTTPS://Bank.Test:443/profile?x=1#f") == "https://bank.test/profile"
    assert normalized_uri("http://bank.test:8000") == "http://bank.test:8000/"


# --- the RFC's own proofs -------------------------------------------------------------------


def test_the_rfc_example_proofs_pass() -> None:
    """Proofs signed by the RFC's authors pass every check, the resource proof with its
    token's hash and key binding [RFC 9449 §4.3]."""
    token_time = ProofChecker(SimulatedClock(1562262616), leeway=0)
    checked = token_time.check([RFC9449_TOKEN_PROOF], "POST",
                               "https://server.example.com/token", AuthStore())
    assert checked.jkt == RFC9449_JKT
    resource_time = ProofChecker(SimulatedClock(1562262618), leeway=0)
    checked = resource_time.check(
        [RFC9449_RESOURCE_PROOF], "GET", "https://resource.example.org/protectedresource",
        AuthStore(), RFC9449_ACCESS_TOKEN, RFC9449_JKT,
    )
    assert checked.claims["ath"] == RFC9449_ATH


# --- each check, failing alone ---------------------------------------------------------------

URL = "https://bank.test/profile"
TOKEN = "header.payload.signature"


def refusal(proofs: list[str], *, method: str = "GET", url: str = URL, store: AuthStore | None
            = None, token: str | None = TOKEN, bound: str | None = None, now: float = 1000,
            leeway: int = 0) -> DpopRejected:
    checker = ProofChecker(SimulatedClock(now), leeway)
    with pytest.raises(DpopRejected) as caught:
        checker.check(proofs, method, url, store or AuthStore(), token, bound)
    return caught.value


def signed(key: PageKey, header: dict[str, Any] | None = None, **claims: Any) -> str:
    """A proof with the given claims changed (None removes one)."""
    base: dict[str, Any] = {"jti": "a-fresh-id-1234567", "htm": "GET", "htu": URL, "iat": 1000,
                            "ath": access_token_hash(TOKEN)}
    base.update(claims)
    return key.sign_jwt({"typ": "dpop+jwt", "jwk": key.public_jwk, **(header or {})},
                        {k: v for k, v in base.items() if v is not None})


def test_a_good_proof_passes_and_names_its_key() -> None:
    key = PageKey()
    checker = ProofChecker(SimulatedClock(1000), leeway=0)
    checked = checker.check([signed(key)], "GET", URL, AuthStore(), TOKEN,
                            jwk_thumbprint(key.public_jwk))
    assert checked.jkt == jwk_thumbprint(key.public_jwk)


@pytest.mark.parametrize(
    ("case", "check", "section"),
    [
        ("wrong htm", "htm", "§4.3 check 8"),
        ("wrong htu", "htu", "§4.3 check 9"),
        ("stale iat", "iat", "§4.3 check 11, §11.1"),
        ("future iat", "iat", "§4.3 check 11, §11.1"),
        ("missing ath", "ath", "§4.2, §7"),
        ("wrong ath", "ath", "§4.3 check 12"),
        ("missing jti", "claims", "§4.3 check 3"),
        ("typ at+jwt", "typ", "§4.3 check 4, §11.5"),
        ("private key in jwk", "public key only", "§4.3 check 7"),
    ],
)
def test_each_check_fails_alone(case: str, check: str, section: str) -> None:
    """Every refusal names its check and the RFC 9449 section that asks for it."""
    key = PageKey()
    proof = {
        "wrong htm": lambda: signed(key, htm="POST"),
        "wrong htu": lambda: signed(key, htu="https://bank.test/admin"),
        "stale iat": lambda: signed(key, iat=1000 - 61),
        "future iat": lambda: signed(key, iat=1000 + 5),
        "missing ath": lambda: signed(key, ath=None),
        "wrong ath": lambda: signed(key, ath=access_token_hash("another.token.value")),
        "missing jti": lambda: signed(key, jti=None),
        "typ at+jwt": lambda: signed(key, {"typ": "at+jwt"}),
        "private key in jwk": lambda: signed(key, {"jwk": {**key.public_jwk, "d": "AAAA"}}),
    }[case]()
    refused = refusal([proof])
    assert (refused.check, refused.section) == (check, section)
    assert f"RFC 9449 {section}" in str(refused)


def test_a_proof_just_inside_the_window_and_the_leeway_passes() -> None:
    """Made 60 s ago, or 5 s ahead with 5 s of leeway for the client's clock
    [RFC 9449 §11.1: the server MAY accept an iat in the reasonably near future]."""
    key = PageKey()
    ProofChecker(SimulatedClock(1060), 0).check([signed(key)], "GET", URL, AuthStore(), TOKEN)
    ProofChecker(SimulatedClock(995), 5).check([signed(key)], "GET", URL, AuthStore(), TOKEN)


def test_a_replayed_proof_is_refused() -> None:
    """A proof works once: its jti is remembered while it could be accepted [§11.1]."""
    key, store = PageKey(), AuthStore()
    proof = signed(key)
    ProofChecker(SimulatedClock(1000), 0).check([proof], "GET", URL, store, TOKEN)
    refused = refusal([proof], store=store, now=1001)
    assert (refused.check, refused.section) == ("jti", "§11.1")


def test_remembered_proofs_are_forgotten_once_they_could_not_pass() -> None:
    """The store keeps a jti hash only as long as its proof could pass (§11.1)."""
    key, store = PageKey(), AuthStore()
    clock = SimulatedClock(1000)
    checker = ProofChecker(clock, 0)
    checker.check([signed(key)], "GET", URL, store, TOKEN)
    clock.advance(61)
    checker.check([signed(key, jti="another-id-98765", iat=1061)], "GET", URL, store, TOKEN)
    assert len(store.dpop_proofs) == 1


def test_a_proof_from_another_key_fails_the_binding() -> None:
    """The token is bound to one key; a proof from any other fails [§4.3 check 12, §6.1]."""
    bound = jwk_thumbprint(PageKey().public_jwk)
    refused = refusal([signed(PageKey())], bound=bound)
    assert (refused.check, refused.section) == ("key binding", "§4.3 check 12, §6.1")


def test_a_signature_from_another_key_than_the_jwk_is_refused() -> None:
    """The signature must verify with the jwk the proof carries [§4.3 check 6]."""
    forged = signed(PageKey(), {"jwk": PageKey().public_jwk})
    assert refusal([forged]).check == "signature"


@pytest.mark.parametrize("alg", ["HS256", "none"])
def test_symmetric_and_none_algorithms_are_refused(alg: str) -> None:
    """Only asymmetric signature algorithms, never none or a MAC [§4.3 check 5, §11.6]."""
    header = {"typ": "dpop+jwt", "jwk": {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQ"}}
    claims = {"jti": "x" * 20, "htm": "GET", "htu": URL, "iat": 1000}
    if alg == "none":
        proof = jwt.encode(claims, "", algorithm="none", headers=header)
    else:
        proof = jwt.encode(claims, "a-secret-of-at-least-thirty-two-bytes!!",
                           algorithm="HS256", headers=header)
    refused = refusal([proof])
    assert (refused.check, refused.section) == ("alg", "§4.3 check 5, §11.6")


@pytest.mark.parametrize(
    ("proofs", "check"),
    [([], "proof present"), (["a.b.c", "a.b.c"], "one proof"), (["not a jwt"], "well-formed"),
     (["x" * 5000], "well-formed"), (["e30.e30.e30"], "typ")],
)
def test_missing_doubled_and_malformed_headers(proofs: list[str], check: str) -> None:
    """One DPoP header holding one well-formed JWT [§4.3 checks 1, 2]; never a traceback."""
    assert refusal(proofs).check == check


_json_values = (st.none() | st.booleans() | st.integers() | st.text(max_size=10)
                | st.lists(st.integers(), max_size=2) | st.just({"k": "v"}))
_jwk = st.fixed_dictionaries({}, optional={
    "kty": st.sampled_from(["EC", "RSA", "OKP", "oct", "x"]) | _json_values,
    "crv": st.sampled_from(["P-256", "Ed25519"]) | _json_values,
    "x": st.sampled_from(["AAAA", "!!"]) | _json_values, "y": _json_values,
    "n": st.sampled_from(["AQAB", "AAAA"]) | _json_values, "e": _json_values,
})
_header = st.fixed_dictionaries({}, optional={
    "typ": st.just("dpop+jwt") | _json_values,
    "alg": st.sampled_from(["ES256", "EdDSA", "RS256", "HS256", "none"]) | _json_values,
    "jwk": _jwk | _json_values,
})


def _segment(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@settings(max_examples=examples(25), deadline=None)
@given(header=_header, claims=st.dictionaries(st.text(max_size=5), _json_values, max_size=5),
       signature=st.sampled_from(["", "AAAA", "!!", "x" * 86]))
def test_any_made_up_proof_is_refused_with_a_check(
    header: dict[str, Any], claims: dict[str, Any], signature: str
) -> None:
    """Whatever a client puts in a proof, the answer is a named refusal, never a crash."""
    proof = f"{_segment(header)}.{_segment(claims)}.{signature}"
    refused = refusal([proof], token=None)
    assert refused.check and refused.section.startswith("§")


def test_a_long_jti_is_refused() -> None:
    """§11.1: a server tracking jti values should refuse unnecessarily large ones."""
    assert refusal([signed(PageKey(), jti="j" * 500)]).check == "claims"


# --- the browser's key ----------------------------------------------------------------------


def test_the_page_key_signs_but_cannot_be_exported() -> None:
    """WebCrypto's non-extractable key: sign works, exportKey refuses, the jwk is public."""
    key = PageKey()
    with pytest.raises(KeyNotExtractable, match="extractable: false"):
        key.export()
    assert set(key.public_jwk) == {"kty", "crv", "x", "y"}
    assert repr(key).startswith("PageKey(ES256, x=")
    # What a script can reach: the public jwk, signing, and the export that refuses.
    assert [name for name in dir(key) if not name.startswith("_")] == [
        "export", "public_jwk", "sign_jwt"]
    proof = dpop_proof(key, "post", "https://bank.test/login?next=/x#top", 1000)
    header = jwt.get_unverified_header(proof)
    claims = jwt.decode(proof, jwt.PyJWK(header["jwk"]).key, algorithms=["ES256"],
                        options={"verify_iat": False})
    assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256"
    assert claims["htm"] == "POST" and claims["htu"] == "https://bank.test/login"
    assert "ath" not in claims and len(claims["jti"]) >= 16


# --- the real HTTP path ---------------------------------------------------------------------


class Client:
    """A client holding its own key, as the page's script does."""

    def __init__(self, server: MockServer, key: PageKey | None = None) -> None:
        self.server = server
        self.key = key or PageKey()

    def proof(self, method: str, path: str, token: str | None = None) -> dict[str, str]:
        return {"DPoP": dpop_proof(self.key, method, SITE + path, self.server.clock.now(),
                                   token)}

    async def login(self, http: httpx.AsyncClient) -> dict[str, Any]:
        response = await http.post("/login", json=ALICE, headers=self.proof("POST", "/login"))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def auth(self, method: str, path: str, token: str) -> dict[str, str]:
        return {"Authorization": f"DPoP {token}", **self.proof(method, path, token)}


@pytest.fixture
def dpop_server(make_server: Any) -> MockServer:
    server: MockServer = make_server(mode="jwt", dpop=True)
    return server


async def test_login_binds_the_token_to_the_proofs_key(dpop_server: MockServer) -> None:
    """token_type DPoP and cnf.jkt = the key's thumbprint [RFC 9449 §5, §6.1]."""
    alice = Client(dpop_server)
    async with dpop_server.client() as http:
        body = await alice.login(http)
        ok = await http.get("/profile", headers=alice.auth("GET", "/profile",
                                                           body["access_token"]))
    assert body["token_type"] == "DPoP"
    for token in (body["access_token"], body["refresh_token"]):
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["cnf"] == {"jkt": jwk_thumbprint(alice.key.public_jwk)}
    assert ok.status_code == 200 and ok.json()["username"] == "alice"
    checks = [e for e in dpop_server.log.events if isinstance(e, DpopProofChecked)]
    assert [e.ok for e in checks] == [True, True]


async def test_a_stolen_token_fails_without_the_key(dpop_server: MockServer) -> None:
    """The thief has the token, not the key: no proof, a proof from their own key, a copied
    proof, or the Bearer scheme, each refused at its check [RFC 9449 §7.1, §4.3, §7.2]."""
    alice, thief = Client(dpop_server), Client(dpop_server)
    async with dpop_server.client() as http:
        token = (await alice.login(http))["access_token"]
        used = alice.auth("GET", "/profile", token)
        assert (await http.get("/profile", headers=used)).status_code == 200
        no_proof = await http.get("/profile", headers={"Authorization": f"DPoP {token}"})
        own_key = await http.get("/profile", headers=thief.auth("GET", "/profile", token))
        copied = await http.get("/profile", headers=used)
        as_bearer = await http.get("/profile", headers={"Authorization": f"Bearer {token}"})
    for response, error, words in [
        (no_proof, "invalid_dpop_proof", "no DPoP header"),
        (own_key, "invalid_token", "'key binding'"),
        (copied, "invalid_dpop_proof", "'jti'"),
        (as_bearer, "invalid_token", "§7.2"),
    ]:
        assert response.status_code == 401
        assert response.json()["error"] == error
        assert words in response.json()["error_description"]
        assert response.json()["stage"] == "dpop"
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith("DPoP ") and 'algs="ES256' in challenge


async def test_no_token_gets_a_bare_dpop_challenge(dpop_server: MockServer) -> None:
    """No credential: a DPoP challenge with the accepted algs and no error [§7.1, Fig. 15]."""
    async with dpop_server.client() as http:
        response = await http.get("/profile")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("DPoP ")
    assert "error=" not in response.headers["www-authenticate"]


async def test_token_requests_need_a_proof(dpop_server: MockServer) -> None:
    """/login and /refresh without a valid proof: 400 invalid_dpop_proof [§5]; a refresh
    token works only with the key it is bound to, and then gives a new bound pair."""
    alice, thief = Client(dpop_server), Client(dpop_server)
    async with dpop_server.client() as http:
        bare = await http.post("/login", json=ALICE)
        body = await alice.login(http)
        grant = {"refresh_token": body["refresh_token"]}
        stolen = await http.post("/refresh", json=grant, headers=thief.proof("POST", "/refresh"))
        refreshed = await http.post("/refresh", json=grant,
                                    headers=alice.proof("POST", "/refresh"))
    assert (bare.status_code, bare.json()["error"]) == (400, "invalid_dpop_proof")
    assert "www-authenticate" not in bare.headers
    assert (stolen.status_code, stolen.json()["error"]) == (400, "invalid_dpop_proof")
    assert "key binding" in stolen.json()["error_description"]
    assert refreshed.status_code == 200 and refreshed.json()["token_type"] == "DPoP"


async def test_proof_for_another_url_or_method_is_refused(dpop_server: MockServer) -> None:
    """A proof is for one method and one URI [§4.3 checks 8, 9]."""
    alice = Client(dpop_server)
    async with dpop_server.client() as http:
        token = (await alice.login(http))["access_token"]
        wrong_path = await http.get("/profile", headers=alice.auth("GET", "/admin", token))
        wrong_method = await http.get("/profile", headers=alice.auth("POST", "/profile", token))
    assert "'htu'" in wrong_path.json()["error_description"]
    assert "'htm'" in wrong_method.json()["error_description"]


def test_dpop_needs_a_mode_that_signs_tokens(make_server: Any) -> None:
    from tutor.server.config import ConfigError, ServerConfig

    with pytest.raises(ConfigError, match="dpop applies to modes that sign tokens"):
        ServerConfig(mode="cookie", dpop=True)


# --- tutor serve ------------------------------------------------------------------------


def test_the_serve_banner_says_dpop_is_on_and_uses_the_dpop_scheme() -> None:
    from tutor.cli.serve import banner
    from tutor.server.config import ServerConfig

    text = banner(ServerConfig(mode="jwt", dpop=True), "http://127.0.0.1:8000")
    assert "DPoP is on (RFC 9449)" in text
    assert 'Authorization: DPoP $TOKEN' in text
    assert "DPoP is on" not in banner(ServerConfig(mode="jwt"), "http://127.0.0.1:8000")


@pytest.mark.parametrize(("argv", "message"), [
    (["--mode", "cookie", "--dpop"], "dpop applies to modes that sign tokens"),
    (["--mode", "jwt", "--leeway", "301"], "clock_skew_leeway must be 0 to 300"),
])
def test_serve_refuses_bad_dpop_and_leeway_settings(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clear message and exit 2, before any socket is opened."""
    from tutor.cli.main import main

    assert main(["serve", "--port", "0", *argv]) == 2
    assert message in capsys.readouterr().err
