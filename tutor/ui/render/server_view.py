"""The mock server's memory: clock, configuration, and each store's rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

from tutor.server.weaknesses import VULNERABLE, WEAKNESSES
from tutor.ui.render._text import duration, iso_utc, shorten, utc_time
from tutor.ui.render.records import Records

if TYPE_CHECKING:
    from tutor.server.cluster import MockServer, Replica
    from tutor.server.config import ServerConfig
    from tutor.server.state import AuthStore

ID_LIMIT = 12
"""Session ids, jtis and family ids are shortened to this many characters."""


def _table(*columns: str) -> Records:
    return Records(columns)


def _empty(message: str) -> Text:
    return Text(message, style="dim italic", overflow="fold")


def _config_lines(server: MockServer) -> list[RenderableType]:
    config = server.config
    line = Text(overflow="fold")
    line.append("mode ", style="dim")
    line.append(config.mode, style="bold")
    if config.server_mode.signs_tokens:
        line.append(" · algorithm ", style="dim")
        line.append(config.algorithm, style="bold")
        line.append(f" · access tokens live {duration(config.access_token_ttl)}", style="dim")
        line.append(f" · denylist {'on' if config.denylist else 'off'}", style="dim")
        if config.dpop:
            line.append(" · tokens bound to the client's key (DPoP)", style="dim")
    if config.clock_skew_leeway:
        line.append(f" · clock leeway {duration(config.clock_skew_leeway)}", style="dim")
    count = len(server.replicas)
    if count > 1:
        how = "one shared store" if config.shared_store else "a store each"
        line.append(f" · {count} replicas, {how}", style="dim")
    for replica, offset in config.clock_offsets:
        if not offset:
            continue
        ahead = "ahead" if offset > 0 else "behind"
        line.append(f" · replica {replica}'s clock {duration(abs(offset))} {ahead}",
                    style="dim")
    lines: list[RenderableType] = [line]
    enabled = config.vulnerabilities.enabled()
    if not enabled:
        lines.append(_empty("no deliberate weaknesses enabled"))
    for name in enabled:
        warning = Text(f"{VULNERABLE} ", style="bold red", overflow="fold")
        warning.append(name, style="bold red")
        weakness = WEAKNESSES[name]
        warning.append(f": {weakness.description}", style="red")
        if config.mode not in weakness.modes:
            warning.append(f" (no effect in {config.mode} mode)", style="dim")
        lines.append(warning)
    return lines


def _sessions(store: AuthStore, config: ServerConfig, now: float) -> RenderableType:
    if not store.sessions:
        note = config.server_mode.sessions_note
        return _empty(f"no sessions: {note}" if note else "no sessions")
    table = _table("session id", "user", "created", "last seen", "age", "ends in")
    for record in store.sessions.values():
        ends = min(record.last_seen + config.session_idle_timeout,
                   record.created_at + config.session_absolute_timeout)
        user = Text(record.username) if record.username else Text("(anonymous)", style="dim")
        table.add_row(
            shorten(record.session_id, ID_LIMIT), user,
            utc_time(record.created_at, seconds_only=True),
            utc_time(record.last_seen, seconds_only=True),
            duration(now - record.created_at),
            duration(ends - now) if ends > now else "now",
        )
    return table


def _denylist(store: AuthStore, config: ServerConfig, now: float) -> RenderableType:
    if not store.denylist:
        if not config.denylist:
            return _empty("denylist off: a logged-out access token works until it expires")
        return _empty("denylist is empty")
    table = _table("denied jti", "expires in")
    for jti, expires_at in store.denylist.items():
        left = expires_at - now
        table.add_row(shorten(jti, ID_LIMIT), f"{max(int(left), 0)}s" if left > 0 else "expired")
    return table


def _families(store: AuthStore) -> RenderableType:
    if not store.families:
        return _empty("no refresh-token families")
    table = _table("family", "user", "current jti", "state")
    for family in store.families.values():
        state = Text("revoked", style="bold red") if family.revoked else Text("active",
                                                                              style="green")
        table.add_row(shorten(family.family, ID_LIMIT), family.username,
                      shorten(family.current_jti, ID_LIMIT), state)
    return table


def _store_sections(store: AuthStore, config: ServerConfig, now: float) -> list[RenderableType]:
    parts: list[RenderableType] = [Text("Sessions", style="bold"), _sessions(store, config, now)]
    tokens = config.server_mode.signs_tokens
    if tokens or store.denylist:
        parts += [Text("Denylist", style="bold"), _denylist(store, config, now)]
    if tokens or store.families:
        parts += [Text("Refresh-token families", style="bold"), _families(store)]
    if not tokens and not store.denylist and not store.families:
        parts.append(_empty(f"denylist and refresh tokens: not used in {config.mode} mode"))
    return parts


def _store_groups(replicas: list[Replica]) -> list[tuple[str, AuthStore]]:
    """One title and store per distinct store: each replica's own, or one shared."""
    groups: dict[int, tuple[list[str], AuthStore]] = {}
    for replica in replicas:
        store = replica.context.store
        groups.setdefault(id(store), ([], store))[0].append(replica.name)
    titled: list[tuple[str, AuthStore]] = []
    for names, store in groups.values():
        if len(replicas) == 1:
            title = "Server memory"
        elif len(names) > 1:
            title = f"Shared store (replicas {', '.join(names)})"
        else:
            title = f"Replica {names[0]}"
        titled.append((title, store))
    return titled


def render_server(server: MockServer) -> RenderableType:
    """The clock (UTC), mode and weaknesses, then sessions, denylist and refresh families
    of each store (once when there is one replica or the replicas share a store)."""
    now = server.clock.now()
    clock = Text("clock ", style="dim")
    clock.append(iso_utc(now), style="bold")
    parts: list[RenderableType] = [clock, *_config_lines(server)]
    for title, store in _store_groups(server.replicas):
        parts += [Text(), Text(title, style="bold underline"),
                  *_store_sections(store, server.config, now)]
    return Group(*parts)
