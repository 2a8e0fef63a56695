"""`tutor serve --https`: the kept localhost certificate, curl trusting it with --cacert,
the `__Host-` session cookie, and bad certificate files."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.readiness import HANG_BOUND
from tests.server.helpers import ALICE
from tests.server.live import no_proxy_env, running_server
from tutor import cli
from tutor.cli.serve import banner
from tutor.cli.serve_tls import (
    CERT_FILE,
    KEY_FILE,
    CertificateError,
    local_certificate,
    san_names,
)
from tutor.server.config import ServerConfig
from tutor.server.modes import get_mode

MARKER = "@@@ next command @@@"


def test_the_certificate_is_made_once_and_then_reused(tmp_path: Path) -> None:
    """The first start makes it and says so; the next reuses it, so the fingerprint a
    learner compared in the browser stays the same from run to run."""
    first = local_certificate(tmp_path)
    again = local_certificate(tmp_path)
    assert first.made.startswith("first use")
    assert again.made == ""
    assert again.fingerprint == first.fingerprint
    assert again.spki_hash == first.spki_hash
    assert len(first.fingerprint.split(":")) == 32  # SHA-256: 32 bytes


def test_two_servers_starting_at_once_share_one_certificate(tmp_path: Path) -> None:
    """Made under a lock: two first starts at the same moment end with one pair, and
    both serve it (neither sees half of the other's)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        made = list(pool.map(local_certificate, [tmp_path, tmp_path]))
    assert made[0].fingerprint == made[1].fingerprint
    assert sorted(bool(cert.made) for cert in made) == [False, True]


def test_the_private_key_is_its_owners_only(tmp_path: Path) -> None:
    """The key file is mode 0600 and its folder 0700; a key someone loosened is
    tightened again on the next start."""
    cert = local_certificate(tmp_path / "tls")
    assert stat.S_IMODE(cert.key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cert.key_path.parent.stat().st_mode) == 0o700
    os.chmod(cert.key_path, 0o644)
    local_certificate(tmp_path / "tls")
    assert stat.S_IMODE(cert.key_path.stat().st_mode) == 0o600


def test_the_certificate_names_localhost_and_both_loopback_addresses(tmp_path: Path) -> None:
    """RFC 6125 §6.4: clients match the name they asked for against subjectAltName, so
    https://localhost, https://127.0.0.1 and https://[::1] are all covered."""
    cert = local_certificate(tmp_path)
    assert san_names(cert.cert_path.read_bytes()) == {"localhost", "127.0.0.1", "::1"}


@pytest.mark.parametrize("damage", ["garbage certificate", "garbage key", "another key"])
def test_a_damaged_certificate_is_said_and_made_again(tmp_path: Path, damage: str) -> None:
    """A corrupt or mismatched file is named in the message and replaced, not a
    traceback; the new pair loads."""
    first = local_certificate(tmp_path)
    if damage == "garbage certificate":
        first.cert_path.write_text("not a certificate\n")
        culprit = CERT_FILE
    elif damage == "garbage key":
        first.key_path.write_bytes(b"\x00\x01binary")
        culprit = KEY_FILE
    else:
        other = local_certificate(tmp_path / "other")
        shutil.copy(other.key_path, first.key_path)
        culprit = KEY_FILE
    remade = local_certificate(tmp_path)
    assert culprit in remade.made and remade.made.endswith("made a new one"), remade.made
    assert remade.fingerprint != first.fingerprint
    assert local_certificate(tmp_path).made == ""


def test_a_certificate_that_cannot_be_read_or_replaced_is_reported(tmp_path: Path) -> None:
    """A certificate path that is not a readable file (a folder here: root reads any
    file) is named with the reason, not a traceback."""
    (tmp_path / CERT_FILE).mkdir()
    with pytest.raises(CertificateError, match="cannot write a certificate") as caught:
        local_certificate(tmp_path)
    assert str(tmp_path) in str(caught.value)


def test_a_folder_that_cannot_be_written_is_reported(tmp_path: Path) -> None:
    """When the data directory's tls/ is not a folder, the message names it and what
    to do."""
    blocked = tmp_path / "tls"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(CertificateError, match="TUTOR_DATA_DIR") as caught:
        local_certificate(blocked)
    assert str(blocked) in str(caught.value)


def test_serve_https_with_an_unusable_data_dir_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad input to `tutor serve --https` is one line on stderr and exit 2, before any
    socket is opened."""
    (tmp_path / "tls").write_text("in the way")
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path))
    status = cli.main(["serve", "--https", "--port", "0"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.startswith("tutor serve: --https: cannot write a certificate")
    assert "Traceback" not in captured.err and "listening" not in captured.out


def test_the_banner_trusts_this_certificate_only(tmp_path: Path) -> None:
    """curl is given the certificate with --cacert (never -k), Chromium its key's hash for
    one throwaway profile, and the fingerprint is there to compare."""
    cert = local_certificate(tmp_path)
    text = banner(ServerConfig(), "https://127.0.0.1:8443", cert)
    curl_lines = [line for line in text.splitlines() if line.strip().startswith("curl")]
    assert len(curl_lines) == 3
    assert all(f"--cacert {cert.cert_path}" in line and "https://" in line
               for line in curl_lines)
    assert " -k " not in text and "--insecure" not in text
    assert cert.fingerprint in text
    assert f"--ignore-certificate-errors-spki-list={cert.spki_hash}" in text


def test_help_documents_https_and_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    """`tutor serve --help` lists both options."""
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "--https" in out and "never added to a trust store" in " ".join(out.split())
    assert "--quiet" in out


def test_the_session_cookie_name_comes_from_one_rule() -> None:
    """RFC 6265bis §4.1.3.2: over https the server's cookies carry the `__Host-` prefix;
    the mode registry is where every part of the tutor asks for the name."""
    assert get_mode("cookie").cookie_name(https=False) == "sid"
    assert get_mode("cookie").cookie_name(https=True) == "__Host-sid"
    assert get_mode("signed-cookie").cookie_name(https=True) == "__Host-session"
    assert get_mode("jwt").cookie_name(https=True) is None


@pytest.mark.slow
def test_https_serve_with_curl_cacert_and_a_host_cookie(tmp_path: Path) -> None:
    """RFC 6265bis §4.1.3.2 and §5.7: over https the session cookie is `__Host-sid`,
    Secure, Path=/, no Domain; the banner's curl commands, trusting the kept certificate
    with --cacert, log in (200), show the profile (200) and without a cookie get 401.
    The certificate made before the start is the one served (made once, reused)."""
    if shutil.which("curl") is None or shutil.which("bash") is None:
        pytest.skip("curl or bash is not installed")
    made = local_certificate(tmp_path / "tls")
    with running_server("cookie", "--https", "--scrypt-cost", "16",
                        data_dir=tmp_path) as server:
        assert server.url.startswith("https://127.0.0.1:")
        assert made.fingerprint in "\n".join(server.banner)
        assert not any("made" in line for line in server.banner)
        script = f"\necho '{MARKER}'\n".join(server.curl_lines)
        result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=no_proxy_env(),
                                capture_output=True, text=True, timeout=HANG_BOUND,
                                check=False)
        login, profile, anonymous = result.stdout.split(f"{MARKER}\n")
        assert login.startswith("HTTP/1.1 200"), (login, result.stderr)
        set_cookie = next(line for line in login.splitlines()
                          if line.lower().startswith("set-cookie:"))
        assert set_cookie.split(":", 1)[1].strip().startswith("__Host-sid=")
        assert "; Secure" in set_cookie and "; Path=/" in set_cookie
        assert "domain" not in set_cookie.lower()
        assert profile.startswith("HTTP/1.1 200"), profile
        assert anonymous.startswith("HTTP/1.1 401"), anonymous
        assert 'cookie-name="__Host-sid"' in anonymous
        # Without --cacert, curl refuses the self-signed certificate (nothing is trusted
        # system-wide).
        plain = subprocess.run(["curl", "-s", "-o", "/dev/null", server.url + "/"],
                               env=no_proxy_env(), timeout=HANG_BOUND, check=False)
        assert plain.returncode == 60  # CURLE_PEER_FAILED_VERIFICATION
        # Plain http to the https port is told where to go, not sent an empty reply.
        http_url = server.url.replace("https://", "http://", 1)
        wrong = subprocess.run(["curl", "-si", http_url + "/"], env=no_proxy_env(),
                               capture_output=True, text=True, timeout=HANG_BOUND,
                               check=False)
        assert wrong.stdout.startswith("HTTP/1.1 400"), (wrong.stdout, wrong.stderr)
        assert f"Use {server.url}/ instead" in wrong.stdout
        # The access log saw the three pasted requests, the cookie by name only.
        session_id = set_cookie.split("=", 1)[1].split(";", 1)[0]
        lines = server.wait_for_log(lambda log: sum("/profile" in line for line in log) >= 2)
        assert any("POST /login 200 (no credential)" in line for line in lines), lines
        assert any("GET /profile 200 (cookie __Host-sid=REDACTED)" in line
                   for line in lines), lines
        assert all(session_id not in line for line in lines)
        # Python's ssl trusts it the same way: only this certificate, nothing system-wide.
        assert server.cacert == tmp_path / "tls" / CERT_FILE
        with httpx.Client(base_url=server.url, verify=server.ssl_context(),
                          timeout=HANG_BOUND, trust_env=False) as client:
            assert client.post("/login", json=ALICE).cookies.keys() == {"__Host-sid"}
            assert client.get("/profile").status_code == 200

