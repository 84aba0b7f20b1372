"""The summarize command: a summary of a window of a channel the asking member can read.

- `summarize(services, context, channel=, window=, model=)` -> `SummaryResult`; `summary_pages(result)` renders it.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from agents.summarize import Summary
from bot.commands.context import Accepted, CommandContext, Services, accept, require_current_history
from bot.services.render import SummaryView, summary_embeds
from bot.services.summaries import (
    INTERACTIVE_PROFILE,
    SummaryRequest,
    check_model_key,
    summarize_channel,
)
from bot.services.windows import parse_window


@dataclass(frozen=True, slots=True)
class SummaryResult:
    summary: Summary
    view: SummaryView  # the channel, window and profile it covers


async def summarize(
    services: Services,
    context: CommandContext,
    *,
    channel: int | None = None,
    window: str | None = None,
    model: str | None = None,
    accepted: Accepted | None = None,
) -> SummaryResult:
    """Summarize `window` ("last 50", "since 2h", "since my last message"; default last 100) of `channel`
    (default: where the request was made) with `model` (default: the guild's summarization model).

    Refused (UserFacingError) when the member cannot read the channel (ChannelNotReadable, also for a channel
    that does not exist), the bot cannot read it (BotCannotRead), the window or model is not valid
    (InvalidInput), or the window holds no messages (EmptyWindow).
    """
    target = context.readable_channel(channel)
    context.require_bot_can_read(target)
    parsed = parse_window(window)
    model_key = check_model_key(services.models, model)
    await accept(accepted)
    await require_current_history(services, context.guild_id)  # received but unwritten messages count too
    request = SummaryRequest(
        guild_id=context.guild_id,
        channel_id=target.id,
        user_id=context.user_id,
        window=parsed,
        model_key=model_key,
        profile=INTERACTIVE_PROFILE,
    )
    summary = await summarize_channel(services.sessions, services.models, request)
    view = SummaryView(
        guild_id=context.guild_id,
        channel_id=target.id,
        channel_label=f"#{target.name}",
        window_label=parsed.describe(),
        profile=request.profile,
    )
    return SummaryResult(summary=summary, view=view)


def summary_pages(result: SummaryResult) -> list[discord.Embed]:
    """One embed per page: bullets with jump links, participants, time range, coverage and model."""
    return summary_embeds(result.summary, result.view)
