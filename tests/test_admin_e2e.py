"""/model and command sync end to end: the real bot against the fake Discord, INTERACTION_CREATE in, REST out."""

from __future__ import annotations

import dataclasses

import discord
from sqlalchemy import select

from bot.storage.tables import GuildModel, ModelSwitchAudit
from tests.fixtures.models import TINY_BART_KEY, write_models_file

COGS = ("errors", "admin")
MANAGE_GUILD = discord.Permissions(manage_guild=True).value


def no_cooldown(settings):
    return dataclasses.replace(settings, user_cooldown_s=0.0)


async def audit(bot) -> list[tuple]:
    async with bot.sessions() as session:
        rows = await session.scalars(select(ModelSwitchAudit).order_by(ModelSwitchAudit.id))
        return [(r.user_id, r.task, r.old_key, r.new_key, r.succeeded) for r in rows]


async def test_commands_are_synced_globally_without_a_dev_guild(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COGS):
        [request] = fake_discord.find_requests("PUT", r"/applications/\d+/commands$")
        names = {command["name"] for command in request.json}
        assert "model" in names
        assert not fake_discord.find_requests("PUT", r"/guilds/\d+/commands$")
        model = fake_discord.global_commands["model"]
        assert int(model["default_member_permissions"]) == MANAGE_GUILD
        assert sorted(o["name"] for o in model["options"]) == ["list", "status", "switch"]


async def test_commands_are_synced_to_the_development_guild_when_set(fake_discord, small_server, start_bot, bot_settings):
    settings = dataclasses.replace(bot_settings, dev_guild_id=small_server.guild)
    async with start_bot(cogs=COGS, settings=settings):
        [request] = fake_discord.find_requests("PUT", rf"/applications/\d+/guilds/{small_server.guild}/commands$")
        assert "model" in {command["name"] for command in request.json}
        assert "model" in fake_discord.guild_commands[small_server.guild]


async def test_model_switch_is_refused_to_members_without_manage_server(fake_discord, small_server, start_bot, bot_settings):
    async with start_bot(cogs=COGS, settings=no_cooldown(bot_settings)) as bot:
        # Discord would hide the command; a crafted call still reaches the bot and is refused in code.
        for user in (small_server.alice, small_server.moderator):
            reply = await (
                await fake_discord.interact(small_server.general, user, "model switch", {"task": "summarization", "key": "extractive"})
            ).reply()
            assert reply.ephemeral and reply.content == "You need the Manage Server permission for this."
        for command in ("model list", "model status"):
            reply = await (await fake_discord.interact(small_server.general, small_server.alice, command)).reply()
            assert reply.ephemeral and "Manage Server" in reply.content
        assert await audit(bot) == []


async def test_model_switch_loads_then_persists_and_audits(fake_discord, small_server, start_bot, bot_settings, tiny_models_file):
    settings = dataclasses.replace(no_cooldown(bot_settings), models_file=tiny_models_file)
    owner = small_server.owner
    async with start_bot(cogs=COGS, settings=settings) as bot:
        handle = await fake_discord.interact(small_server.general, owner, "model switch", {"task": "summarization", "key": "extractive"})
        reply = await handle.reply(timeout=30)
        assert handle.callbacks[0]["type"] == 5  # deferred at once: loading may take longer than 3 s
        assert reply.ephemeral and f"from `{TINY_BART_KEY}` to `extractive`" in reply.content

        reply = await (
            await fake_discord.interact(small_server.general, owner, "model switch", {"task": "summarization", "key": TINY_BART_KEY})
        ).reply(timeout=30)
        assert f"to `{TINY_BART_KEY}` (loaded and warmed" in reply.content
        assert any(row["key"] == TINY_BART_KEY and row["state"] == "loaded" for row in bot.models.status())

        reply = await (
            await fake_discord.interact(small_server.general, owner, "model switch", {"task": "summarization", "key": "gpt-17"})
        ).reply()
        assert reply.ephemeral and reply.content.startswith("Unknown summarization model 'gpt-17'")

        async with bot.sessions() as session:
            choice = await session.get(GuildModel, (small_server.guild, "summarization"))
            assert (choice.model_key, choice.updated_by) == (TINY_BART_KEY, owner)
        assert await audit(bot) == [
            (owner, "summarization", TINY_BART_KEY, "extractive", True),
            (owner, "summarization", "extractive", TINY_BART_KEY, True),
            (owner, "summarization", TINY_BART_KEY, "gpt-17", False),
        ]


async def test_a_model_that_fails_to_load_keeps_the_old_choice_and_says_so(fake_discord, small_server, start_bot, bot_settings, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text('{"model_type": "bart", "is_encoder_decoder": true}')
    models_file = write_models_file(tmp_path / "models.toml", {"summarization": {"broken": {"path": str(broken)}}})
    settings = dataclasses.replace(no_cooldown(bot_settings), models_file=models_file)
    async with start_bot(cogs=COGS, settings=settings) as bot:
        reply = await (
            await fake_discord.interact(
                small_server.general, small_server.owner, "model switch", {"task": "summarization", "key": "broken"}
            )
        ).reply(timeout=30)
        assert reply.ephemeral
        assert reply.content.startswith("Could not load `broken`") and reply.content.endswith("Still using `distilbart`.")
        assert "\n" not in reply.content and "Traceback" not in reply.content
        async with bot.sessions() as session:
            assert await session.get(GuildModel, (small_server.guild, "summarization")) is None
        assert [row[-1] for row in await audit(bot)] == [False]
        # The bot is still up and answers the next command.
        reply = await (await fake_discord.interact(small_server.general, small_server.owner, "model status")).reply()
        assert reply.embeds[0]["title"] == "Model status"


async def test_model_list_and_status_show_keys_sizes_and_the_active_model(
    fake_discord, small_server, start_bot, bot_settings, tiny_models_file
):
    settings = dataclasses.replace(bot_settings, models_file=tiny_models_file)
    async with start_bot(cogs=COGS, settings=settings):
        reply = await (await fake_discord.interact(small_server.general, small_server.owner, "model list")).reply()
        assert reply.ephemeral
        fields = {f["name"].split()[0]: f["value"] for f in reply.embeds[0]["fields"]}
        assert set(fields) == {"summarization", "text_generation", "classification", "embedding"}
        summarization = fields["summarization"].splitlines()
        assert any(line.startswith(f"`{TINY_BART_KEY}`") and "**active here**" in line and "downloaded" in line for line in summarization)
        assert any(
            line.startswith("`distilbart`") and "306M params" in line and "smolcord models pull distilbart" in line
            for line in summarization
        )

        reply = await (await fake_discord.interact(small_server.general, small_server.owner, "model status")).reply()
        text = reply.text
        assert "no model loaded yet" in text and "0 of 16 inference jobs pending" in text


async def test_model_switch_has_a_per_user_cooldown(fake_discord, small_server, start_bot, bot_settings):
    settings = dataclasses.replace(bot_settings, user_cooldown_s=60.0)
    async with start_bot(cogs=COGS, settings=settings) as bot:
        first = await (
            await fake_discord.interact(
                small_server.general, small_server.owner, "model switch", {"task": "summarization", "key": "extractive"}
            )
        ).reply()
        assert "extractive" in first.content
        second = await (
            await fake_discord.interact(
                small_server.general, small_server.owner, "model switch", {"task": "summarization", "key": "extractive"}
            )
        ).reply()
        assert second.ephemeral and second.content.startswith("Slow down: you can use this again in")
        assert len(await audit(bot)) == 1


async def test_key_autocomplete_offers_the_keys_of_the_chosen_task(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COGS):
        handle = await fake_discord.interact(
            small_server.general, small_server.owner, "model switch", {"task": "text_generation", "key": "qw"}, focused="key"
        )
        choices = await handle.choices()
        assert [c["value"] for c in choices] == ["qwen2.5-0.5b"]
