"""Buttons that page through a list of embeds; only the user who ran the command may turn the pages."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord

from bot.client import Smolcord

log = logging.getLogger(__name__)

NOT_YOURS = "Only the person who ran this command can turn its pages."


async def route_to_error_handler(interaction: discord.Interaction, error: Exception) -> None:
    """Send a component's failure through the one app-command error handler (bot/cogs/errors.py)."""
    client = interaction.client
    assert isinstance(client, Smolcord)  # components are only ever sent by this bot
    # The tree's handler (bot.cogs.errors.handle_interaction_error) takes any exception, not only AppCommandError.
    await client.tree.on_error(interaction, error)  # type: ignore[arg-type]


class Paginator(discord.ui.View):
    def __init__(self, pages: Sequence[discord.Embed], *, owner_id: int, timeout: float = 600.0) -> None:
        super().__init__(timeout=timeout)
        if not pages:
            raise ValueError("a paginator needs at least one page")
        self.pages = list(pages)
        self.owner_id = owner_id
        self.index = 0
        self._sync_buttons()

    @property
    def needed(self) -> bool:
        return len(self.pages) > 1

    def _sync_buttons(self) -> None:
        self.previous_page.disabled = self.index == 0
        self.next_page.disabled = self.index >= len(self.pages) - 1
        self.position.label = f"{self.index + 1}/{len(self.pages)}"

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(NOT_YOURS, ephemeral=True)
            return False
        return True

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item) -> None:
        await route_to_error_handler(interaction, error)

    async def _show(self, interaction: discord.Interaction) -> None:
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.pages[self.index], view=self)

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary)
    async def previous_page(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.index = max(0, self.index - 1)
        await self._show(interaction)

    @discord.ui.button(label="1/1", style=discord.ButtonStyle.secondary, disabled=True)
    async def position(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.defer()

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary)
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.index = min(len(self.pages) - 1, self.index + 1)
        await self._show(interaction)


async def send_pages(
    interaction: discord.Interaction,
    pages: Sequence[discord.Embed],
    *,
    ephemeral: bool,
    extra_view: discord.ui.View | None = None,
) -> discord.WebhookMessage:
    """Follow up a deferred interaction with the first page, and page buttons when there is more than one."""
    view: discord.ui.View | None = Paginator(pages, owner_id=interaction.user.id) if len(pages) > 1 else extra_view
    if view is None:
        return await interaction.followup.send(
            embed=pages[0], ephemeral=ephemeral, wait=True, allowed_mentions=discord.AllowedMentions.none()
        )
    return await interaction.followup.send(
        embed=pages[0], ephemeral=ephemeral, wait=True, allowed_mentions=discord.AllowedMentions.none(), view=view
    )
