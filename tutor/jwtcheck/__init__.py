"""Checking and making JWTs with the learner's own keys (core: no Textual, no server).

- `token`: reading a compact JWS without any key (UNVERIFIED), and writing its parts.
- `keys`: the keys a learner gives (a secret, a PEM or JWK file, a JWKS file or a
  loopback URL), each with the algorithms it can verify.
- `pipeline`: decode → algorithm → key → signature → claims, with the failing stage.
- `report`: a pipeline's result as Rich text and as JSON (`tutor jwt`, the TUI screen).
- `attacker`: the attacker's generated key pairs and the JWKS evil.test serves.
- `signing`: signing exactly the header the learner wrote, with any algorithm.
- `crack`: offline word-list guessing of an HMAC secret, with progress.

`tutor jwt` and the "paste a token" screen never send a token anywhere.
"""
