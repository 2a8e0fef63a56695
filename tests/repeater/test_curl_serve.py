"""A rendered curl command works against `tutor serve` over a real loopback socket."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.conftest import TEST_SCRYPT_COST
from tests.repeater.helpers import JSON_HEADERS
from tests.server.live import no_proxy_env, running_server
from tutor.repeater.curl import for_serve, to_curl
from tutor.repeater.draft import RequestDraft


@pytest.mark.slow
def test_rendered_commands_run_against_tutor_serve() -> None:
    if shutil.which("curl") is None or shutil.which("bash") is None:
        pytest.skip("curl or bash is not installed")
    with running_server("jwt", "--scrypt-cost", str(TEST_SCRYPT_COST)) as server:

        def run(draft: RequestDraft) -> tuple[int, str]:
            command = to_curl(draft, server.url) + " -s -w '\\n%{http_code}'"
            result = subprocess.run(["bash", "-c", command], env=no_proxy_env(),
                                    capture_output=True, text=True, timeout=30, check=False)
            assert result.returncode == 0, (command, result.stderr)
            body, _, status = result.stdout.rpartition("\n")
            return int(status), body

        status, body = run(RequestDraft("GET", "/admin", (("Authorization", "Bearer a.b.c"),)))
        assert (status, json.loads(body)["stage"]) == (401, "decode")
        refresh = RequestDraft("POST", "/refresh", JSON_HEADERS, (("theme", "dark"),),
                               json.dumps({"refresh_token": "not-a-token"}))
        status, body = run(refresh)
        assert (status, json.loads(body)["error"]) == (400, "invalid_grant"), body
        status, body = run(RequestDraft("POST", "/refresh", JSON_HEADERS, (), "{}"))
        assert (status, json.loads(body)["error_description"]) == (
            400, "refresh_token is required")


@pytest.mark.slow
def test_f6s_cookie_names_are_the_ones_tutor_serve_uses() -> None:
    if shutil.which("curl") is None or shutil.which("bash") is None:
        pytest.skip("curl or bash is not installed")
    # The sandbox (https) logs in with __Host-sid; tutor serve (http) calls it sid. The
    # server's own challenge names its cookie, so the two are compared, not assumed.
    draft = for_serve(RequestDraft("GET", "/profile", (), (("__Host-sid", "x"),)),
                      "http://127.0.0.1:1")
    with running_server("cookie", "--scrypt-cost", str(TEST_SCRYPT_COST)) as server:
        command = to_curl(for_serve(draft, server.url), server.url) + " -s -i"
        result = subprocess.run(["bash", "-c", command], env=no_proxy_env(),
                                capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    assert f'cookie-name="{draft.cookies[0][0]}"' in result.stdout
    assert draft.cookies[0][0] == "sid"
