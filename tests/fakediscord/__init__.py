"""A loopback fake Discord (REST + gateway) that the real discord.py client connects to in end-to-end tests."""

from tests.fakediscord.interactions import BotMessage, InteractionHandle
from tests.fakediscord.payloads import EVERYONE_DEFAULT, permission_bits, snowflake_time
from tests.fakediscord.server import DiscordError, FakeDiscord, RecordedRequest

__all__ = [
    "BotMessage",
    "DiscordError",
    "EVERYONE_DEFAULT",
    "FakeDiscord",
    "InteractionHandle",
    "RecordedRequest",
    "permission_bits",
    "snowflake_time",
]
