"""Notices and forwards arriving live are stored the way imports store them: marked, with the text they carry."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.tables import Message
from tests.fakediscord.payloads import attachment_payload, iso, snowflake_time
from tests.fixtures.discord import eventually

COLLECTOR = ("collector",)


async def stored(bot, message_id: int) -> Message | None:
    async with bot.sessions() as session:
        return await session.scalar(select(Message).where(Message.id == message_id))


async def wait_for(bot, message: dict) -> Message:
    return await eventually(lambda: stored(bot, int(message["id"])))


async def test_a_pin_notice_is_stored_as_a_system_message_referring_to_the_pinned_message(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        plan = await fake_discord.send_message(small_server.general, small_server.bob, "the launch plan is in the doc")
        pin = await fake_discord.send_message(
            small_server.general, small_server.alice, "", message_type=6, reply_to=int(plan["id"]), mention_author=False
        )
        row = await wait_for(bot, pin)
        assert (row.kind, row.content, row.author_id) == ("system", "Pinned a message.", small_server.alice)
        assert row.reply_to_id == int(plan["id"])
        assert (await wait_for(bot, plan)).kind == "default"


async def test_a_join_notice_is_stored_as_a_system_message(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        join = await fake_discord.send_message(small_server.general, small_server.bob, "", message_type=7)
        row = await wait_for(bot, join)
        assert (row.kind, row.content) == ("system", "Joined the server.")


async def test_a_forward_is_stored_as_the_forwarded_content_with_its_origin(fake_discord, small_server, start_bot):
    origin = fake_discord.add_channel(fake_discord.add_guild("Elsewhere"), "announcements")
    async with start_bot(cogs=COLLECTOR) as bot:
        forward = fake_discord._new_message(small_server.general, small_server.alice, "")
        written_at = snowflake_time(int(forward["id"]))
        forward["message_reference"] = {
            "type": 1,
            "message_id": "1309000000000000009",
            "channel_id": str(origin),
            "guild_id": str(fake_discord.guild_of(origin).id),
        }
        forward["message_snapshots"] = [
            {
                "message": {
                    "type": 0,
                    "content": "maintenance tonight 22:00 UTC",
                    "embeds": [],
                    "timestamp": iso(written_at),
                    "edited_timestamp": None,
                    "flags": 0,
                    "mentions": [],
                    "mention_roles": [],
                    "attachments": [attachment_payload(fake_discord.ids.next(), "plan.pdf", size=4096, content_type="application/pdf")],
                }
            }
        ]
        forward["flags"] = 1 << 14  # HAS_SNAPSHOT
        fake_discord.messages[small_server.general][int(forward["id"])] = forward
        await fake_discord.dispatch_message("MESSAGE_CREATE", forward)
        row = await wait_for(bot, forward)
        assert row.kind == "forward" and row.content == "maintenance tonight 22:00 UTC"
        assert row.author_id == small_server.alice and row.reply_to_id is None
        assert row.attachments == ["plan.pdf (application/pdf, 4 kB)"]
        assert row.forwarded_from == f"https://discord.com/channels/{fake_discord.guild_of(origin).id}/{origin}/1309000000000000009"
