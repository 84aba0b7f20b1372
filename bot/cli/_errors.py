"""One line for each failure a user meets before anything is misconfigured in the code: no database, no network."""

from __future__ import annotations

import socket


def _first_line(value: object) -> str:
    return next((line.strip() for line in str(value).splitlines() if line.strip()), type(value).__name__)


def known_failure(exc: BaseException) -> str | None:
    """The line to print for a failure of the environment (database, network, files), or None for a bug.

    Imports are local: each library is only loaded when a command already used it.
    """
    from bot.storage.db import DatabaseUnavailable

    if isinstance(exc, DatabaseUnavailable):
        return str(exc)

    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError):
        return f"database error: {_first_line(exc.orig)} (check DATABASE_URL and that the database is running)"

    from alembic.util import CommandError

    if isinstance(exc, CommandError):
        return f"database schema: {_first_line(exc)} (was this database used by a newer smolcord?)"

    import aiohttp
    import discord

    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"cannot reach {exc.host}: its name does not resolve (no network, or no DNS)"
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = exc.os_error.strerror or _first_line(exc.os_error)
        return f"cannot reach {exc.host}:{exc.port}: {reason} (no network, or a proxy or firewall in the way?)"
    if isinstance(exc, aiohttp.ClientError):
        return f"network error: {_first_line(exc)}"
    if isinstance(exc, discord.GatewayNotFound):
        return "cannot reach Discord's gateway (Discord may be having an outage: try again in a few minutes)"
    if isinstance(exc, discord.ConnectionClosed):
        return f"Discord closed the connection (code {exc.code}): {exc.reason or 'no reason given'}"
    if isinstance(exc, discord.HTTPException):
        return f"Discord answered {exc.status}: {_first_line(exc.text or exc.response.reason)}"

    if isinstance(exc, socket.gaierror):
        return f"a host name does not resolve: {exc.strerror} (no network, or no DNS)"
    if isinstance(exc, TimeoutError):
        return "timed out waiting for the network or the database (no network, or the server is down?)"
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or _first_line(exc)}{where}"
    return None
