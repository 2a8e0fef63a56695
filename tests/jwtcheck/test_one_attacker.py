"""One attacker: the key lesson 14 prints is the key the JWT editor signs with, the key
scenes sign with, and a key evil.test publishes (`jwtcheck.attacker` is their one
source). Before, the editor had keys of its own, and the lesson's "sign with it in the
JWT editor" and its hint's kid did not describe what the editor did."""

from __future__ import annotations

import re

from cryptography.hazmat.primitives import serialization

from tutor.jwtcheck.attacker import attacker_key
from tutor.lessons.course import default_course_dir
from tutor.repeater.jwt_editor import with_attacker_jku
from tutor.server.attacker_keys import ATTACKER_JWKS_PATH, published_keys

LESSON = default_course_dir() / "14-jwt-attacks.md"


def test_the_printed_key_is_the_one_everything_signs_with() -> None:
    text = LESSON.read_text(encoding="utf-8")
    printed = re.search(r"-----BEGIN PRIVATE KEY-----\n.*?\n-----END PRIVATE KEY-----", text,
                        re.DOTALL)
    assert printed is not None
    key = attacker_key("EdDSA")
    ours = key.private_key.private_bytes(serialization.Encoding.PEM,
                                         serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()).decode().strip()
    assert printed.group() == ours
    assert f"kid: {key.kid}" in text and f"kid {key.kid}" in text  # the prose and the hint
    assert with_attacker_jku({"alg": "EdDSA"}, "EdDSA")["kid"] == key.kid
    jwks = published_keys(ATTACKER_JWKS_PATH)
    assert isinstance(jwks, dict)
    kids = [published["kid"] for published in jwks["keys"]]
    assert key.kid in kids and len(kids) == len(set(kids))
