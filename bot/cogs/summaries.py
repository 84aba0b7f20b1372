"""/summarize: a summary of recent messages in a channel the user can read, with jump links to the sources."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.services.access import bot_can_read, can_read_history
from bot.services.errors import BotCannotRead, ChannelNotReadable
from bot.services.limits import model_command_limits
from bot.services.models import manager_for
from bot.services.options import ChannelId, summarization_model_autocomplete, window_autocomplete
from bot.services.paginator import send_pages
from bot.services.render import SummaryView, summary_embeds
from bot.services.summaries import INTERACTIVE_PROFILE, SummaryRequest, check_model_key, summarize_channel
from bot.services.windows import parse_window


def readable_channel(interaction: discord.Interaction, channel_id: int | None) -> discord.abc.GuildChannel | discord.Thread:
    """The channel to read, if the invoking member may read its history; the same refusal otherwise."""
    guild = interaction.guild
    if guild is None:
        raise app_commands.NoPrivateMessage()
    channel = guild.get_channel_or_thread(channel_id or interaction.channel_id or 0)
    if channel is None or not can_read_history(channel, interaction.user):  # type: ignore[arg-type]
        raise ChannelNotReadable()
    if not bot_can_read(channel, guild):
        raise BotCannotRead(f"I can't read {channel.mention}: give me View Channel and Read Message History there.")
    return channel


class Summaries(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="summarize", description="Summarize recent messages of a channel you can read")
    @app_commands.guild_only()
    @app_commands.describe(
        channel="Channel, thread or forum post to summarize (default: this one)",
        window='Which messages: "last 50", "since 2h" or "since my last message" (default: last 100)',
        model="Summarization model (default: this server's choice)",
        private="Only you see the summary",
    )
    @app_commands.autocomplete(window=window_autocomplete, model=summarization_model_autocomplete)
    @model_command_limits()
    async def summarize(
        self,
        interaction: discord.Interaction,
        channel: app_commands.Transform[int, ChannelId] | None = None,
        window: app_commands.Range[str, 1, 100] | None = None,
        model: app_commands.Range[str, 1, 100] | None = None,
        private: bool = False,
    ) -> None:
        # Everything that can be refused without work is checked before deferring, so refusals are private.
        target = readable_channel(interaction, channel)
        parsed = parse_window(window)
        manager = manager_for(self.bot)
        model_key = check_model_key(manager, model)
        await interaction.response.defer(ephemeral=private, thinking=True)
        collector = self.bot.get_cog("Collector")
        if collector is not None:
            await collector.flush()  # type: ignore[attr-defined]  # messages received but not yet written count too

        request = SummaryRequest(
            guild_id=interaction.guild_id,  # type: ignore[arg-type]
            channel_id=target.id,
            user_id=interaction.user.id,
            window=parsed,
            model_key=model_key,
            profile=INTERACTIVE_PROFILE,
        )
        summary = await summarize_channel(self.bot.sessions, manager, request)  # type: ignore[attr-defined]
        pages = summary_embeds(
            summary,
            SummaryView(
                guild_id=request.guild_id,
                channel_id=target.id,
                channel_label=f"#{target.name}",
                window_label=parsed.describe(),
                profile=request.profile,
            ),
        )
        await send_pages(interaction, pages, ephemeral=private)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Summaries(bot))
