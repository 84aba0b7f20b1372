"""Requests in words: a mention of the bot goes through the swarm (agents/swarm) before chat.

A request runs the same code as its slash command, as the member who asked (their permissions, the
channels they can read, never more). A public summary or task list is answered in the channel; results
only the asker may see come behind a "Show" button, and admin commands and erasing data behind a
"Confirm" button; only the asker can press either, and the command then runs in that button's
interaction exactly as the slash command would. A missing option gets one question; the next mention
continues the request. Everything else is chat (bot/cogs/chat.py asks `handle` first).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from agents.swarm.commands import COMMANDS, help_text
from agents.swarm.context import ContextManager
from agents.swarm.orchestrator import Orchestrator, Route, Where
from bot import chat_stream
from bot.client import Smolcord
from bot.services.errors import ChannelNotReadable, InvalidInput, UserFacingError, describe_error

log = logging.getLogger(__name__)

# Which slash command (cog, attribute) runs each routed command behind a button.
SLASH = {
    "summarize": ("Summaries", "summarize"),
    "tasks list": ("Tasks", "list_tasks"),
    "tasks scan": ("Tasks", "scan"),
    "digest set": ("Digest", "set_digest"),
    "digest off": ("Digest", "digest_off"),
    "digest preview": ("Digest", "preview"),
    "model switch": ("Admin", "switch"),
    "model list": ("Admin", "list_models"),
    "model status": ("Admin", "status"),
    "settings timezone": ("ServerSettings", "timezone"),
    "settings retention": ("ServerSettings", "retention"),
    "settings chat-prompt": ("ServerSettings", "chat_prompt"),
    "settings show": ("ServerSettings", "show"),
    "privacy optout": ("Privacy", "optout"),
    "privacy optin": ("Privacy", "optin"),
    "privacy forget": ("Privacy", "forget"),
}
BUTTON_TIMEOUT_S = 300.0


class AskerOnly(discord.ui.View):
    """One button (and Cancel) that only the member who asked can press; pressing it runs `run` once."""

    def __init__(
        self, asker_id: int, label: str, run: Callable[[discord.Interaction], Awaitable[None]], *, style: discord.ButtonStyle
    ) -> None:
        super().__init__(timeout=BUTTON_TIMEOUT_S)
        self.asker_id = asker_id
        self._run = run
        self.go.label = label
        self.go.style = style
        self.used = False

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.asker_id:
            await interaction.response.send_message(
                f"Only <@{self.asker_id}> can answer this.", ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
            return False
        return True

    @discord.ui.button(label="Run", style=discord.ButtonStyle.primary, custom_id="swarm:go")
    async def go(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        if self.used:
            await interaction.response.send_message("Already done.", ephemeral=True)
            return
        self.used = True
        self.stop()
        await self._run(interaction)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary, custom_id="swarm:cancel")
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.used = True
        self.stop()
        await interaction.response.edit_message(content="Cancelled.", view=None)


class Requests(commands.Cog):
    def __init__(self, bot: Smolcord) -> None:
        self.bot = bot
        self.context = ContextManager()
        self._router: Orchestrator | None = None
        self._router_lock = asyncio.Lock()
        # One thread: routing is ~15 ms of numpy, and one thread keeps the context manager single-threaded.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="swarm")

    async def cog_unload(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)

    async def router(self) -> Orchestrator:
        async with self._router_lock:
            if self._router is None:
                from bot.services.swarm import load_router

                loop = asyncio.get_running_loop()
                loaded = await loop.run_in_executor(
                    self._thread,
                    partial(
                        load_router, self.bot.settings.model_cache_dir, approach=self.bot.settings.swarm_approach, context=self.context
                    ),
                )
                self._router = loaded.orchestrator
                log.info("swarm router ready (%s, %.1f s)", loaded.orchestrator.approach, loaded.load_seconds)
        return self._router

    # --- /help ---------------------------------------------------------------------------------------------

    @app_commands.command(name="help", description="What smolcord understands, in slash commands and in words")
    async def help_command(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(help_text(), ephemeral=True, allowed_mentions=discord.AllowedMentions.none())

    # --- a mention -----------------------------------------------------------------------------------------

    async def handle(self, message: discord.Message) -> bool:
        """Answer `message` if it is a request (True); False hands it to chat."""
        guild = message.guild
        me = self.bot.user
        if guild is None or me is None:
            return False
        try:
            router = await self.router()
        except Exception:  # noqa: BLE001  # no swarm (MiniLM missing, bad config): chat answers as before
            log.warning("swarm router unavailable; mentions go to chat", exc_info=True)
            return False
        text = message.content.replace(f"<@!{me.id}>", f"<@{me.id}>")
        channels: dict[str, int | None] = {}
        for channel in [*guild.channels, *guild.threads]:
            channels.setdefault(channel.name.lower(), channel.id)
        here = getattr(message.channel, "name", None)
        where = Where(
            guild=guild.id, channel=message.channel.id, member=message.author.id, channels=channels, here=here.lower() if here else None
        )
        loop = asyncio.get_running_loop()
        route = await loop.run_in_executor(self._thread, partial(router.route, text, where, bot_mention=f"<@{me.id}>"))
        log.debug("routed %s: %s %s (%s)", message.id, route.command, route.args, route.step)
        if route.step == "chat":
            return False
        if route.command == "help":
            await self._reply(message, help_text())
        elif route.step in ("clarify", "explain", "retry_later"):
            await self._reply(message, route.clarify or route.message or "I didn't get that.")
        else:
            await self.execute(message, route)
        return True

    async def _reply(self, message: discord.Message, text: str | None, **options: Any) -> None:
        await chat_stream.reply_once(message, text[:2000] if text else None, **options)

    async def execute(self, message: discord.Message, route: Route) -> None:
        spec = COMMANDS[route.command]
        guild = message.guild
        assert guild is not None
        try:
            options = self.slash_options(guild, message.author, route)
        except UserFacingError as error:
            await self._reply(message, str(error))
            return
        public = (route.command == "summarize" and not route.args.get("private")) or (
            route.command == "tasks list" and route.args.get("private") is False
        )
        if public and not (spec.admin or spec.erases):
            await self.run_public(message, route, options)
            return
        described = describe(route)
        if spec.admin or spec.erases:
            prompt, label, style = (
                f"Run `{described}`?",
                "Confirm",
                discord.ButtonStyle.danger if spec.erases else discord.ButtonStyle.primary,
            )
        else:
            prompt, label, style = f"`{described}`: only you will see the answer.", "Show", discord.ButtonStyle.primary

        async def run(interaction: discord.Interaction) -> None:
            await self.run_slash(interaction, route.command, options)

        view = AskerOnly(message.author.id, label, run, style=style)
        await self._reply(message, prompt, view=view)

    async def run_slash(self, interaction: discord.Interaction, command: str, options: dict[str, Any]) -> None:
        """The slash command's own callback, in the button's interaction: same checks, same embeds, same errors."""
        cog_name, attribute = SLASH[command]
        cog = self.bot.get_cog(cog_name)
        slash = getattr(cog, attribute, None) if cog is not None else None
        if slash is None:
            await interaction.response.send_message("That command is not available on this bot.", ephemeral=True)
            return
        try:
            await slash.callback(cog, interaction, **options)
        except Exception as error:  # noqa: BLE001  # the slash commands' one wording for every failure
            report = describe_error(getattr(error, "original", error))
            if report.traceback:
                log.error("request %s failed", command, exc_info=error)
            send = interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
            await send(report.message, ephemeral=True)

    async def run_public(self, message: discord.Message, route: Route, options: dict[str, Any]) -> None:
        """A summary or public task list, answered in the channel with the slash command's embeds."""
        from bot.commands import summaries, tasks
        from bot.services.access import member_context
        from bot.services.paginator import Paginator

        guild = message.guild
        assert guild is not None
        context = member_context(guild, message.author, message.channel.id)
        try:
            async with message.channel.typing():
                if route.command == "summarize":
                    result = await summaries.summarize(
                        self.bot, context, channel=options.get("channel"), window=options.get("window"), model=options.get("model")
                    )
                    pages = summaries.summary_pages(result)
                    view = Paginator(pages, owner_id=message.author.id) if len(pages) > 1 else None
                    await self._reply(message, None, embed=pages[0], **({"view": view} if view else {}))
                else:
                    from bot.cogs.tasks import TaskBoard

                    user = options.get("user")
                    listed = await tasks.list_tasks(
                        self.bot,
                        context,
                        channel=options.get("channel"),
                        owner_id=user.id if user else None,
                        owner_name=user.display_name if user else None,
                        status=options.get("status", "open"),
                        private=False,
                    )
                    if not listed.tasks:
                        await self._reply(message, f"{listed.heading}: none.")
                        return
                    board = TaskBoard(
                        listed.tasks, owner_id=message.author.id, guild_id=guild.id, heading=listed.heading, sessions=self.bot.sessions
                    )
                    await self._reply(message, None, embed=board.embed(), view=board)
        except Exception as error:  # noqa: BLE001
            await self._reply(message, chat_stream.log_failure(error, f"request {route.command} in message {message.id}"))

    # --- routed options -> the slash command's parameters ---------------------------------------------------

    def slash_options(self, guild: discord.Guild, author: discord.abc.User, route: Route) -> dict[str, Any]:
        args = dict(route.args)
        options: dict[str, Any] = {}
        for name, value in args.items():
            if name == "channel":
                channel = _channel(guild, value)
                if route.command == "digest set":
                    if not isinstance(channel, discord.TextChannel):
                        raise InvalidInput(f"The digest needs a text channel; #{value} is not one.")
                    options["channel"] = channel
                else:
                    options["channel"] = channel.id
            elif name == "user":
                options["user"] = _member(guild, author, str(value))
            elif name == "sources":
                options["sources"] = " ".join(f"#{source}" for source in value)
            else:
                options[name] = value
        return options


def _channel(guild: discord.Guild, name: str) -> Any:
    found = None
    if str(name).isdigit():
        found = guild.get_channel_or_thread(int(name))
    else:
        found = next((c for c in [*guild.channels, *guild.threads] if c.name.lower() == str(name).lower()), None)
    if found is None:
        raise ChannelNotReadable()  # the same line as for a channel they cannot read: nothing is revealed
    return found


def _member(guild: discord.Guild, author: discord.abc.User, name: str) -> discord.Member:
    if name == "me":
        member = author if isinstance(author, discord.Member) else guild.get_member(author.id)
        if member is None:
            raise InvalidInput("I can't find you in this server.")
        return member
    if name.isdigit() and guild.get_member(int(name)) is not None:
        return guild.get_member(int(name))  # type: ignore[return-value]
    wanted = name.lower().lstrip("@")
    matches = [m for m in guild.members if wanted in {m.display_name.lower(), m.name.lower(), (m.global_name or "").lower()}]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise InvalidInput(f"More than one member is called {name[:40]}: mention the one you mean.")
    raise InvalidInput(f"I don't know a member called {name[:40]}: mention them like @name.")


def describe(route: Route) -> str:
    parts = [f"/{route.command}"]
    for name, value in route.args.items():
        if name == "channel":
            value = f"#{value}"
        elif name == "sources":
            value = " ".join(f"#{v}" for v in value)
        parts.append(f"{name}:{value}")
    return " ".join(parts)[:300]


async def setup(bot: Smolcord) -> None:
    await bot.add_cog(Requests(bot))
