"""The one error handler's mapping: each failure type gets one short line for the user; only the unexpected logs a traceback."""

from __future__ import annotations

import logging

import discord
import pytest
from discord import app_commands

from agents.runtime import ModelBusyError, ModelError, ModelLoadError, ModelNotDownloadedError, ModelTimeoutError
from bot.services.errors import UNEXPECTED, ChannelNotReadable, EmptyWindow, InvalidInput, describe_error
from sml_config import UnknownModelError, current_registry


def invoke_error(original: Exception) -> app_commands.CommandInvokeError:
    @app_commands.command(name="x", description="x")
    async def command(interaction: discord.Interaction) -> None:
        pass

    return app_commands.CommandInvokeError(command, original)


CASES = [
    (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 10), 7.4), "Slow down: you can use this again in 8 s."),
    (app_commands.MissingPermissions(["manage_guild"]), "You need the Manage Server permission for this."),
    (app_commands.NoPrivateMessage(), "This command works in servers only."),
    (ModelBusyError(position=17, limit=16), "number 17 in the queue"),
    (ModelNotDownloadedError(current_registry().spec("summarization", "distilbart")), "smolcord models pull distilbart"),
    (ModelTimeoutError("model 'x' did not finish within 5 s: try a shorter range"), "did not finish within 5 s"),
    (ModelLoadError("weights are corrupt"), "The model could not run: weights are corrupt."),
    (EmptyWindow("There are no stored messages in the last 2 hours of that channel."), "no stored messages"),
    (InvalidInput("'25:00' is not a time: use 24-hour HH:MM, like 09:00 or 18:30."), "HH:MM"),
    (ChannelNotReadable(), "You can only use channels you can read"),
    (UnknownModelError("unknown summarization model 'x': choose one of a, b"), "Unknown summarization model"),
]


@pytest.mark.parametrize(("error", "expected"), CASES)
def test_each_failure_gets_one_clear_line_without_traceback(error, expected):
    for raised in (error, invoke_error(error)) if not isinstance(error, app_commands.AppCommandError) else (error,):
        report = describe_error(raised)
        assert expected in report.message
        assert "\n" not in report.message and "Traceback" not in report.message
        assert not report.traceback


def test_anything_else_is_a_generic_line_and_a_logged_traceback():
    report = describe_error(invoke_error(KeyError("internal detail /home/bot/secret.py")))
    assert report.message == UNEXPECTED
    assert report.traceback and report.level == logging.ERROR
    assert "secret" not in report.message


def test_model_errors_are_logged_as_warnings_or_errors_not_info():
    assert describe_error(ModelBusyError(position=3, limit=2)).level == logging.WARNING
    assert describe_error(ModelError("boom")).level == logging.ERROR
