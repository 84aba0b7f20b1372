"""/privacy optout, optin and forget: each member decides whether the bot stores their messages in a server."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.storage import messages as store


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@app_commands.guild_only()
class Privacy(commands.GroupCog, group_name="privacy", group_description="Choose what smolcord stores about you in this server"):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        super().__init__()

    async def _settle_collector(self) -> None:
        # Messages already received but not yet written must be written before an erase, or they would outlive it.
        collector = self.bot.get_cog("Collector")
        if collector is not None:
            await collector.flush()  # type: ignore[attr-defined]

    @app_commands.command(name="optout", description="Stop storing my messages in this server and erase the stored ones")
    async def optout(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        # Erasing can take longer than the 3 seconds Discord gives for an answer.
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self._settle_collector()
        async with self.bot.sessions.begin() as session:  # type: ignore[attr-defined]
            erased = await store.opt_out(session, interaction.guild_id, interaction.user.id)
        await interaction.followup.send(
            f"Done: I erased {plural(erased, 'stored message')} of yours in this server and will not store new ones. "
            "Summaries and tasks no longer see them. `/privacy optin` undoes this for new messages.",
            ephemeral=True,
        )

    @app_commands.command(name="optin", description="Store my messages in this server again (from now on)")
    async def optin(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        async with self.bot.sessions.begin() as session:  # type: ignore[attr-defined]
            changed = await store.opt_in(session, interaction.guild_id, interaction.user.id)
        if changed:
            text = "Done: I store your new messages in this server again. Messages erased earlier stay erased."
        else:
            text = "Nothing to change: your messages in this server are already stored (you had not opted out)."
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="forget", description="Erase my stored messages in this server (new ones are still stored)")
    async def forget(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self._settle_collector()
        async with self.bot.sessions.begin() as session:  # type: ignore[attr-defined]
            erased = await store.forget_user(session, interaction.guild_id, interaction.user.id)
            opted_out = interaction.user.id in await store.opted_out_ids(session, interaction.guild_id)
        future = "You are opted out, so nothing new is stored." if opted_out else (
            "New messages are still stored; `/privacy optout` stops that."
        )
        await interaction.followup.send(
            f"Done: I erased {plural(erased, 'stored message')} of yours in this server. {future}", ephemeral=True
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Privacy(bot))
