"""The Server view names DPoP, the clock leeway and replicas whose clocks are off; the JWT
view explains a DPoP refusal."""

from __future__ import annotations

from rich.console import Console

from tutor.clock import SimulatedClock
from tutor.server.cluster import MockServer
from tutor.server.config import ServerConfig
from tutor.ui.render.server_view import render_server


def _text(server: MockServer) -> str:
    console = Console(width=400, record=True, color_system=None)
    console.print(render_server(server))
    return console.export_text()


def test_the_server_view_shows_dpop_leeway_and_clock_offsets() -> None:
    config = ServerConfig(mode="jwt", dpop=True, clock_skew_leeway=30, replicas=3,
                          clock_offsets=(("B", 20), ("C", -90)), scrypt_cost=1024)
    text = _text(MockServer(config, SimulatedClock()))
    assert "tokens bound to the client's key (DPoP)" in text
    assert "clock leeway 30s" in text
    assert "replica B's clock 20s ahead" in text
    assert "replica C's clock 1m 30s behind" in text


def test_a_plain_server_view_mentions_none_of_them() -> None:
    text = _text(MockServer(ServerConfig(mode="jwt", scrypt_cost=1024), SimulatedClock()))
    assert "DPoP" not in text and "leeway" not in text and "'s clock" not in text


def test_the_jwt_view_explains_a_dpop_refusal() -> None:
    """A `stage: dpop` refusal is about the proof, not an unknown stage of the token."""
    from tutor.ui.render.jwt_view import render_pipeline

    console = Console(width=200, record=True, color_system=None)
    console.print(render_pipeline("dpop"))
    text = console.export_text()
    assert "DPoP proof or key binding" in text and "unknown stage" not in text
