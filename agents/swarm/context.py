"""The context manager: what each member last asked in each channel, so follow-ups can be resolved.

State is per (guild, channel, member): two members in one channel never share it. It expires after
`ttl_s` (a follow-up after that is a new request) and at most `max_states` are kept (least recently
used goes first), so memory stays bounded however many members talk to the bot.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TTL_S = 600.0
DEFAULT_MAX_STATES = 2048

_FOLLOW_UP = re.compile(
    r"^(?:and|also|same|now|what about|how about|ok(?:ay)?,? (?:now|and|then)|then|this time|again|but|plus|"
    r"only|just|do|et|und|y|what of|same thing|same but|and now|ok|okay|alright|cool,? (?:now|and))\b"
)


@dataclass
class TurnState:
    command: str
    args: dict[str, Any]
    confidence: float
    pending: list[str] = field(default_factory=list)  # required options a clarifying question asked for
    updated: float = 0.0


class ContextManager:
    def __init__(
        self, *, ttl_s: float = DEFAULT_TTL_S, max_states: int = DEFAULT_MAX_STATES, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.max_states = max_states
        self.clock = clock
        self._states: OrderedDict[Hashable, TurnState] = OrderedDict()

    def get(self, key: Hashable) -> TurnState | None:
        state = self._states.get(key)
        if state is None:
            return None
        if self.clock() - state.updated > self.ttl_s:
            del self._states[key]
            return None
        self._states.move_to_end(key)
        return state

    def put(self, key: Hashable, state: TurnState) -> None:
        state.updated = self.clock()
        self._states[key] = state
        self._states.move_to_end(key)
        while len(self._states) > self.max_states:
            self._states.popitem(last=False)

    def clear(self, key: Hashable) -> None:
        self._states.pop(key, None)

    def __len__(self) -> int:
        return len(self._states)


def looks_like_follow_up(text: str) -> bool:
    """A turn that leans on the previous one: "and for #general?", "same but last 50", "now the open ones"."""
    return bool(_FOLLOW_UP.match(text))
