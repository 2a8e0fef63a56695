"""The story a stage draws: lanes (who and where) and beats (what happened, in order).

Plain data, shared by the tellers (`beats.py` for scenes, `har/stage.py` for
recordings, `server_beats.py` for what a server did) and the renderers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LaneKind = Literal["person", "browser", "attacker", "server", "store"]
BeatKind = Literal[
    "typed",      # the person gives the browser something (step 1: the credentials)
    "request",    # a request travels from a client to a server
    "response",   # the answer travels back
    "work",       # the server does something inside itself (checks a password, signs)
    "store",      # the server writes to or reads from its store
    "kept",       # the browser keeps, replaces or drops a credential
    "captured",   # an attacker takes a copy of a credential
    "refused",    # the browser refused to send a request
    "clock",      # simulated time jumps
    "note",       # anything else a person did, in words
]

STORE_LANE = "store"
ATTACKER_LANE = "attacker"


@dataclass(frozen=True)
class Lane:
    """One column of the diagram: a person, a client, a server host or the store."""

    id: str
    label: str
    kind: LaneKind


@dataclass(frozen=True)
class Beat:
    """One row of the story."""

    kind: BeatKind
    source: str
    """The lane the beat starts in."""
    target: str
    """The lane it ends in; the same as `source` for something done in place."""
    label: str
    """Short words for the diagram ("POST /login", "writes session row")."""
    sentence: str
    """The beat in a full sentence, for the transcript and screen readers."""
    step_index: int
    login_steps: tuple[int, ...] = ()
    exchange: int | None = None
    """Index of the exchange (in the track's order) this beat belongs to."""
    credential: str | None = None
    """What a request carried: "cookie", "bearer", "both", another scheme, or None."""
    status: int | None = None
    replay: bool = False
    """A request made with a credential someone else was given."""
    replica: str | None = None
    """Which replica answered, where there are several."""


@dataclass(frozen=True)
class Story:
    """The lanes of a scene and its beats so far."""

    lanes: tuple[Lane, ...]
    beats: tuple[Beat, ...]

    def lane_index(self, lane_id: str) -> int:
        """The column of a lane (the first one when the id is unknown)."""
        for index, lane in enumerate(self.lanes):
            if lane.id == lane_id:
                return index
        return 0
