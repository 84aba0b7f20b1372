"""One wording for every failure (bot/services/errors.py): a chat question and a slash command that hit the same busy
model, timeout, missing download or cooldown tell the user exactly the same line."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import discord
import pytest
from discord import app_commands

from agents.runtime import ModelBusyError, ModelNotDownloadedError, ModelTimeoutError
from bot import chat_stream
from bot.cogs.chat import Chat
from bot.cogs.errors import handle_interaction_error
from bot.services.errors import UNEXPECTED, OnCooldown, describe_error
from sml_config import get_model_spec

ASKER = 42


class FakeSent:
    def __init__(self, channel: FakeChannel, content: str) -> None:
        self.channel, self.content = channel, content

    async def edit(self, *, content: str, allowed_mentions: discord.AllowedMentions) -> None:
        self.content = content
        self.channel.edits.append(content)

    async def delete(self) -> None:
        pass


class FakeChannel:
    def __init__(self) -> None:
        self.id = 5
        self.sent: list[tuple[str, dict]] = []
        self.edits: list[str] = []

    async def send(self, content: str, **options) -> FakeSent:
        self.sent.append((content, options))
        return FakeSent(self, content)

    async def typing(self) -> None:
        pass


class FakeQuestion:
    """The parts of a discord.Message the chat's reply path touches."""

    def __init__(self, guild_id: int = 1, author_id: int = ASKER) -> None:
        self.id = 77
        self.author = discord.Object(author_id)
        self.guild = SimpleNamespace(id=guild_id)
        self.channel = FakeChannel()

    def to_reference(self, *, fail_if_not_exists: bool = True) -> None:
        return None


class FakeInteraction:
    """The parts of a discord.Interaction the slash-command error handler touches."""

    def __init__(self) -> None:
        self.told: list[str] = []
        self.command = None
        self.user = SimpleNamespace(id=ASKER)
        self.guild_id, self.channel_id = 1, 5
        self.response = SimpleNamespace(is_done=lambda: False, send_message=self._tell)
        self.followup = SimpleNamespace(send=self._tell)

    async def _tell(self, content: str, **options) -> None:
        self.told.append(content)


async def chat_says(error: BaseException) -> str:
    """What a chat question whose model job fails with `error` is answered."""
    question = FakeQuestion()

    async def generate(on_text, should_stop) -> str:
        raise error

    await chat_stream.stream_reply(question, generate)
    [(text, options)] = question.channel.sent
    assert options["allowed_mentions"].everyone is False and options["allowed_mentions"].roles is False
    return text


async def slash_says(error: BaseException) -> str:
    """What a slash command that raises `error` is answered."""
    interaction = FakeInteraction()
    wrapped = error if isinstance(error, app_commands.AppCommandError) else app_commands.CommandInvokeError(_command(), error)
    await handle_interaction_error(interaction, wrapped)
    [text] = interaction.told
    return text


def _command() -> app_commands.Command:
    @app_commands.command(name="summarize", description="x")
    async def command(interaction: discord.Interaction) -> None:
        pass

    return command


MODEL_FAILURES = [
    pytest.param(ModelBusyError(position=17, limit=16), "number 17 in the queue", id="busy"),
    pytest.param(
        ModelTimeoutError("model 'tiny-chat' did not finish within 0.5 s: try a shorter range or the fast profile"),
        "within 0.5 s",
        id="timeout",
    ),
    pytest.param(
        ModelNotDownloadedError(get_model_spec("text_generation", "tinyllama")),
        "`smolcord models pull tinyllama`",
        id="not-downloaded",
    ),
]


@pytest.mark.parametrize(("error", "fact"), MODEL_FAILURES)
async def test_chat_and_slash_commands_word_a_model_failure_the_same(error, fact):
    chat_line, slash_line = await chat_says(error), await slash_says(error)
    assert chat_line == slash_line == describe_error(error).message
    assert fact in chat_line
    assert "\n" not in chat_line and "Traceback" not in chat_line


async def test_chat_and_slash_commands_word_a_cooldown_the_same():
    slash_line = await slash_says(app_commands.CommandOnCooldown(app_commands.Cooldown(1, 10), 7.4))
    bot = SimpleNamespace(settings=SimpleNamespace(user_cooldown_s=10.0))
    cog = Chat(bot, owns_models=False)
    question = FakeQuestion()
    await cog._say_slow_down(question, 7.4)
    [(chat_line, options)] = question.channel.sent
    assert chat_line == slash_line == describe_error(OnCooldown(7.4)).message
    assert "8 s" in chat_line  # rounded up: waiting as long as told is always enough
    assert options["delete_after"] >= 7.4


async def test_the_cooldown_notice_is_said_once_per_cooldown_not_per_message():
    cog = Chat(SimpleNamespace(settings=SimpleNamespace(user_cooldown_s=10.0)), owns_models=False)
    question = FakeQuestion()
    for _ in range(3):
        await cog._say_slow_down(question, 5.0)
    assert len(question.channel.sent) == 1


def test_chat_cooldown_is_per_user_per_server_like_the_commands():
    cog = Chat(SimpleNamespace(settings=SimpleNamespace(user_cooldown_s=60.0)), owns_models=False)
    here, elsewhere, someone_else = FakeQuestion(guild_id=1), FakeQuestion(guild_id=2), FakeQuestion(author_id=7)
    assert cog._cooldown.get_bucket(here).update_rate_limit() is None
    assert cog._cooldown.get_bucket(elsewhere).update_rate_limit() is None  # the same user in another server
    assert cog._cooldown.get_bucket(someone_else).update_rate_limit() is None
    assert cog._cooldown.get_bucket(FakeQuestion(guild_id=1)).update_rate_limit() > 0  # the same user, same server


async def test_an_unexpected_chat_failure_is_the_generic_line_with_the_traceback_in_the_log(caplog):
    with caplog.at_level(logging.ERROR, logger="bot.chat_stream"):
        line = await chat_says(KeyError("internal detail /home/bot/secret.py"))
    assert line == UNEXPECTED == await slash_says(KeyError("x"))
    [record] = [r for r in caplog.records if r.name == "bot.chat_stream"]
    assert record.exc_info is not None and "secret" not in line


async def test_a_failure_after_part_of_the_answer_is_noted_under_it():
    question = FakeQuestion()
    error = ModelTimeoutError("model 'tiny-chat' did not finish within 0.5 s: try a shorter range")

    async def generate(on_text, should_stop) -> str:
        on_text("The first half of an answer")
        for _ in range(5):
            await asyncio.sleep(0)
        assert not should_stop()
        raise error

    await chat_stream.stream_reply(question, generate)
    [(first, _)] = question.channel.sent
    assert first == "The first half of an answer"
    assert question.channel.edits[-1] == f"The first half of an answer\n\n*({describe_error(error).message})*"
