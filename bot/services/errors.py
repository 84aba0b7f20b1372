"""Failures a user caused or can fix: each carries the one line the error handler shows them."""

from __future__ import annotations


class UserFacingError(Exception):
    """Base class: `str(error)` is safe to show to the user as is (one line, no internals)."""


class InvalidInput(UserFacingError):
    """An option value the bot cannot use (a window, a time, a timezone, a model key)."""


class EmptyWindow(UserFacingError):
    """The requested window holds no messages to work on."""


class ChannelNotReadable(UserFacingError):
    """The user may not read that channel, or it does not exist: both get exactly this reply."""

    def __init__(self) -> None:
        super().__init__("You can only use channels you can read: pick another one.")


class BotCannotRead(UserFacingError):
    """The user may read the channel but the bot may not, so it has nothing stored from it."""


class NotAllowed(UserFacingError):
    """The user lacks a permission that the action needs (checked in code, not only by Discord)."""
