"""/settings: a server's timezone, message retention and chat persona (Manage Server, enforced in code)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.services import guild_settings
from bot.services.access import require_manage_guild
from bot.services.render import safe_text
from bot.storage.messages import known_gaps


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ServerSettings(commands.GroupCog, group_name="settings", group_description="This server's smolcord settings (Manage Server)"):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        super().__init__()

    async def _reply(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())

    @app_commands.command(name="show", description="Show this server's timezone, retention and chat prompt")
    async def show(self, interaction: discord.Interaction) -> None:
        require_manage_guild(interaction)
        async with self.bot.sessions() as session:  # type: ignore[attr-defined]
            current = await guild_settings.read(session, interaction.guild_id)  # type: ignore[arg-type]
            gaps = await known_gaps(session, interaction.guild_id)
        default_days = self.bot.settings.default_retention_days  # type: ignore[attr-defined]
        retention = current.retention_days if current.retention_days is not None else default_days
        retention_text = "forever" if retention == 0 else f"{retention} days"
        if current.retention_days is None:
            retention_text += " (the bot's default)"
        prompt = safe_text(current.chat_system_prompt, 900) if current.chat_system_prompt else "the built-in persona"
        # Only the gaps of channels this admin can read are named (names of others stay hidden).
        readable = [g for g in gaps if _can_read(interaction, g.channel_id)]
        gaps_text = "none" if not gaps else "; ".join(safe_text(g.describe(), 200) for g in readable[:5]) or f"{len(gaps)} channel(s)"
        if len(readable) > 5:
            gaps_text += f" and {len(readable) - 5} more"
        await self._reply(interaction, f"**Timezone:** {current.timezone}\n**Messages kept:** {retention_text}\n**Chat prompt:** {prompt}"
                                       f"\n**Known gaps in stored history:** {gaps_text}")

    @app_commands.command(name="timezone", description="Set the IANA timezone used for deadlines like 'by Friday'")
    @app_commands.describe(name="An IANA timezone, e.g. Europe/Berlin or America/New_York")
    async def timezone(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 64]) -> None:
        require_manage_guild(interaction)
        async with self.bot.sessions.begin() as session:  # type: ignore[attr-defined]
            zone = await guild_settings.set_timezone(session, interaction.guild_id, name)  # type: ignore[arg-type]
        await self._reply(interaction, f"Deadlines in this server are now read in **{zone}**.")

    @app_commands.command(name="retention", description="How long to keep stored messages (0 = forever; empty = the bot's default)")
    @app_commands.describe(days="Days to keep messages; 0 keeps them forever; leave empty for the bot's default")
    async def retention(self, interaction: discord.Interaction, days: app_commands.Range[int, 0, guild_settings.MAX_RETENTION_DAYS] | None = None) -> None:
        require_manage_guild(interaction)
        async with self.bot.sessions.begin() as session:  # type: ignore[attr-defined]
            await guild_settings.set_retention(session, interaction.guild_id, days)  # type: ignore[arg-type]
        if days is None:
            text = f"Messages are kept for the bot's default ({self.bot.settings.default_retention_days} days; 0 means forever)."  # type: ignore[attr-defined]
        elif days == 0:
            text = "Messages in this server are now kept forever."
        else:
            text = f"Messages older than {days} days are now removed by the daily clean-up."
        await self._reply(interaction, text)

    @app_commands.command(name="chat-prompt", description="Describe the bot and this server for chat replies (empty: the built-in persona)")
    @app_commands.describe(prompt="Who the bot is here and how it should answer; leave empty to reset")
    async def chat_prompt(self, interaction: discord.Interaction, prompt: app_commands.Range[str, 1, guild_settings.MAX_PROMPT_CHARS] | None = None) -> None:
        require_manage_guild(interaction)
        async with self.bot.sessions.begin() as session:  # type: ignore[attr-defined]
            saved = await guild_settings.set_chat_prompt(session, interaction.guild_id, prompt)  # type: ignore[arg-type]
        text = "Chat replies now use this prompt (the safety rules always follow it)." if saved else "Chat replies use the built-in persona again."
        await self._reply(interaction, text)


def _can_read(interaction: discord.Interaction, channel_id: int) -> bool:
    channel = interaction.guild.get_channel_or_thread(channel_id) if interaction.guild else None
    if channel is None or not isinstance(interaction.user, discord.Member):
        return False
    permissions = channel.permissions_for(interaction.user)
    return permissions.view_channel and permissions.read_message_history


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ServerSettings(bot))
