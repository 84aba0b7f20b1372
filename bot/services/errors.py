"""Failures turned into what users are told: the one place that words every error, for slash commands and chat alike.

Commands and the chat raise; `describe_error` decides the line the user reads and how the admin's log records it,
so a busy model, a timeout, a missing download or a cooldown read the same wherever they happen.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import discord
from discord import app_commands

from agents.chat import PromptTooLongError
from agents.runtime import (
    ModelBusyError,
    ModelError,
    ModelNotDownloadedError,
    ModelTimeoutError,
)
from sml_config import UnknownModelError

UNEXPECTED = "Something went wrong on my side; the bot's admin can find the details in its log."
PERMISSION_NAMES = {"manage_guild": "Manage Server", "manage_messages": "Manage Messages"}


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


class CatchingUp(UserFacingError):
    """After a restart the catch-up has not yet applied the edits and deletes made while the bot was away."""

    def __init__(self) -> None:
        super().__init__(
            "I'm still catching up on this server's history after a restart (edits and deletes made while I was away): "
            "try again in a minute."
        )


class NotAllowed(UserFacingError):
    """The user lacks a permission that the action needs (checked in code, not only by Discord)."""


class OnCooldown(UserFacingError):
    """The user asked again too soon (a chat question, or any caller with its own cooldown)."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(cooldown_line(retry_after))


def cooldown_line(retry_after: float) -> str:
    # Rounded up: a user told "7 s" who waits 7 s must not be refused again.
    return f"Slow down: you can use this again in {max(1, math.ceil(retry_after))} s."


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """What the user is told, and how the admin's log records it (a traceback only for the unexpected)."""

    message: str
    level: int = logging.INFO
    traceback: bool = False


def _permission_list(names: list[str]) -> str:
    return ", ".join(PERMISSION_NAMES.get(n, n.replace("_", " ").title()) for n in names)


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    return (text[:1].upper() + text[1:]) if text else text


def describe_error(error: BaseException) -> ErrorReport:
    """Map a failure to its report: the only function that decides what anyone is told about an error."""
    if isinstance(error, app_commands.CommandInvokeError) and error.original is not None:
        error = error.original
    if isinstance(error, app_commands.CommandOnCooldown):
        return ErrorReport(cooldown_line(error.retry_after))
    if isinstance(error, app_commands.MissingPermissions):
        return ErrorReport(f"You need the {_permission_list(error.missing_permissions)} permission for this.")
    if isinstance(error, app_commands.BotMissingPermissions):
        return ErrorReport(f"I need the {_permission_list(error.missing_permissions)} permission here.", logging.WARNING)
    if isinstance(error, app_commands.NoPrivateMessage):
        return ErrorReport("This command works in servers only.")
    if isinstance(error, app_commands.CheckFailure):
        return ErrorReport("You can't use this command here.")
    if isinstance(error, app_commands.TransformerError):
        return ErrorReport(f"That {error.type.name} option is not valid here.")
    if isinstance(error, UserFacingError):
        return ErrorReport(_sentence(str(error)))
    if isinstance(error, UnknownModelError):
        return ErrorReport(_sentence(str(error)))
    if isinstance(error, ModelBusyError):
        return ErrorReport(
            f"The models are busy: your request would be number {error.position} in the queue "
            f"(at most {error.limit} wait). Try again in a minute.",
            logging.WARNING,
        )
    if isinstance(error, ModelNotDownloadedError):
        return ErrorReport(
            f"The model `{error.key}` isn't downloaded yet: an admin can run `smolcord models pull {error.key}` on the bot's machine.",
            logging.WARNING,
        )
    if isinstance(error, ModelTimeoutError):
        return ErrorReport(_sentence(str(error)) + ".", logging.WARNING)
    if isinstance(error, ModelError):
        return ErrorReport(f"The model could not run: {error!s}.", logging.ERROR)
    if isinstance(error, PromptTooLongError):
        return ErrorReport(
            "This server's chat prompt is too long for the chat model: an admin can shorten it with /settings chat-prompt.",
            logging.WARNING,
        )
    if isinstance(error, discord.Forbidden):
        return ErrorReport("Discord did not let me do that here (a missing permission).", logging.WARNING)
    return ErrorReport(UNEXPECTED, logging.ERROR, traceback=True)
