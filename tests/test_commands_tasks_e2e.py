"""/tasks scan and /tasks list end to end: tasks found in stored chat, listed only from readable channels, closed by button."""

from __future__ import annotations

import dataclasses
import re

from sqlalchemy import select

from bot.storage.tables import Message, Task, TaskEvent
from tests.fixtures.discord import eventually

COGS = ("collector", "errors", "tasks")


def no_cooldown(settings):
    return dataclasses.replace(settings, user_cooldown_s=0.0)


async def stored(bot, count: int) -> bool:
    async with bot.sessions() as session:
        return len(list(await session.scalars(select(Message.id)))) >= count


async def stored_tasks(bot) -> list[Task]:
    async with bot.sessions() as session:
        return list(await session.scalars(select(Task).order_by(Task.id)))


def buttons(message: dict) -> dict[str, str]:
    return {c["label"]: c["custom_id"] for row in message.get("components") or [] for c in row["components"]}


async def conversation(fake, server, bot) -> list[dict]:
    sent = [
        await fake.send_message(server.general, server.alice, "I'll write the release notes by Friday"),
        await fake.send_message(server.general, server.bob, f"<@{server.alice}> can you review my PR tomorrow?"),
        await fake.send_message(server.general, server.alice, "sure, will do"),
        await fake.send_message(server.general, server.bob, "I will fix the login bug today @everyone"),
    ]
    await eventually(lambda: stored(bot, len(sent)))
    return sent


async def test_scan_finds_and_stores_tasks_once_with_owner_due_and_jump_link(fake_discord, small_server, start_bot, bot_settings):
    server = small_server
    async with start_bot(cogs=COGS, settings=no_cooldown(bot_settings)) as bot:
        sent = await conversation(fake_discord, server, bot)
        handle = await fake_discord.interact(server.general, server.alice, "tasks scan", {"window": "last 50"})
        reply = await handle.reply()
        assert handle.callbacks[0]["type"] == 5 and reply.ephemeral
        assert "Read 4 messages" in reply.content and "3 tasks found, 3 new, 0 updated" in reply.content
        description = reply.embeds[0]["description"]
        assert f"<@{server.alice}>" in description and f"<@{server.bob}>" in description
        assert re.search(r"due <t:\d+:R>", description)
        assert f"https://discord.com/channels/{server.guild}/{server.general}/{sent[0]['id']}" in description
        assert "@everyone" not in reply.text
        assert reply.allowed_mentions == {"parse": []}

        again = await (await fake_discord.interact(server.general, server.alice, "tasks scan", {"window": "last 50"})).reply()
        assert "3 tasks found, 0 new, 0 updated" in again.content
        assert len(await stored_tasks(bot)) == 3


async def test_done_and_reopen_buttons_are_for_the_owner_or_a_moderator(fake_discord, small_server, start_bot, bot_settings):
    server = small_server
    async with start_bot(cogs=COGS, settings=no_cooldown(bot_settings)) as bot:
        await conversation(fake_discord, server, bot)
        await (await fake_discord.interact(server.general, server.alice, "tasks scan")).reply()
        alices = [t for t in await stored_tasks(bot) if t.owner_id == server.alice]

        handle = await fake_discord.interact(server.general, server.alice, "tasks list", {"user": server.alice})
        reply = await handle.reply()
        assert reply.ephemeral and "Open tasks of Alice" in reply.text
        board = handle.original
        task = alices[0]
        done_button = buttons(board)[f"Done #{task.id}"]

        refused = await fake_discord.click(board, server.bob, done_button)
        body = await refused.response()
        assert body["type"] == 4 and body["data"]["content"] == "Only the task's owner or a moderator (Manage Messages) can change it."
        assert (await stored_tasks(bot))[0].status == "open"

        accepted = await fake_discord.click(board, server.alice, done_button)
        assert (await accepted.response())["type"] == 7
        assert {t.id: t.status for t in await stored_tasks(bot)}[task.id] == "done"
        reopen = buttons(board)[f"Reopen #{task.id}"]

        by_moderator = await fake_discord.click(board, server.moderator, reopen)
        assert (await by_moderator.response())["type"] == 7
        assert {t.id: t.status for t in await stored_tasks(bot)}[task.id] == "open"
        async with bot.sessions() as session:
            events = list(await session.scalars(select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id)))
        assert [(e.new_status, e.actor_id) for e in events][-2:] == [("done", server.alice), ("open", server.moderator)]


async def test_tasks_from_a_private_channel_never_reach_someone_who_cannot_read_it(fake_discord, small_server, start_bot, bot_settings):
    server = small_server
    async with start_bot(cogs=COGS, settings=no_cooldown(bot_settings)) as bot:
        await fake_discord.send_message(server.staff, server.moderator, "I'll rotate the secret keys by Monday")
        await eventually(lambda: stored(bot, 1))
        reply = await (await fake_discord.interact(server.general, server.moderator, "tasks scan", {"channel": server.staff})).reply()
        assert "1 new" in reply.content

        listed = await (await fake_discord.interact(server.general, server.alice, "tasks list", {"status": "all"})).reply()
        assert "rotate" not in listed.text.lower() and "none" in listed.text
        refused = await (await fake_discord.interact(server.general, server.alice, "tasks list", {"channel": server.staff})).reply()
        # A channel id that is no channel of this server gets the very same answer.
        elsewhere = fake_discord.add_channel(fake_discord.add_guild("Elsewhere"), "secret")
        missing = await (await fake_discord.interact(server.general, server.alice, "tasks list", {"channel": elsewhere})).reply()
        assert refused.ephemeral and refused.content == missing.content == "You can only use channels you can read: pick another one."
        scan = await (await fake_discord.interact(server.general, server.alice, "tasks scan", {"channel": server.staff})).reply()
        assert scan.content == refused.content
        # A public list in #general leaves the staff task out even for the moderator who can read it.
        public = await (await fake_discord.interact(server.general, server.moderator, "tasks list", {"private": False})).reply()
        assert "rotate" not in public.text.lower()
        private = await (await fake_discord.interact(server.general, server.moderator, "tasks list")).reply()
        assert "rotate" in private.text.lower()


async def test_scan_of_an_empty_window_says_so(fake_discord, small_server, start_bot, bot_settings):
    async with start_bot(cogs=COGS, settings=no_cooldown(bot_settings)):
        reply = await (await fake_discord.interact(small_server.general, small_server.alice, "tasks scan", {"window": "since 1h"})).reply()
        assert reply.ephemeral and reply.content == "There are no stored messages in the last 1 hour of that channel."
