"""`smolcord run`: connect to Discord and run the bot."""

from __future__ import annotations

import argparse
import logging

import discord

from bot.cli import CliError, configure_logging
from bot.settings import load_settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="connect to Discord and run the bot (needs DISCORD_TOKEN)")
    parser.set_defaults(func=_run)


async def _run(args: argparse.Namespace) -> int:
    settings = load_settings(require_token=True)
    configure_logging(logging.DEBUG if args.verbose else getattr(logging, settings.log_level))
    from bot.client import run_bot

    try:
        await run_bot(settings)
    except discord.LoginFailure:
        raise CliError("Discord rejected DISCORD_TOKEN: copy the token again from the Developer Portal (Bot page)") from None
    except discord.PrivilegedIntentsRequired:
        raise CliError(
            "Discord refused the Message Content intent: enable it in the Developer Portal (Bot page, Privileged Gateway Intents)"
        ) from None
    return 0
