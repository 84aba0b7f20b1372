"""Every command function called directly, without Discord: plain context in, result out, the same refusals as
the slash commands (which test_*_e2e.py drive through the fake Discord). Real SQLite, real scheduler."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.runtime import ModelManager
from bot import digest as scheduled
from bot import scheduler as bot_scheduler
from bot.commands import digest, models, privacy, settings, summaries, tasks
from bot.commands.context import ChannelInfo, CommandContext, MissingManageServer
from bot.ingest import MessageWriter
from bot.services import guild_settings
from bot.services.errors import BotCannotRead, ChannelNotReadable, InvalidInput
from bot.settings import Settings
from bot.storage import db
from bot.storage import messages as store
from bot.storage.tables import GuildModel, Message

GUILD = 1
GENERAL, STAFF, UNREAD, GONE = 10, 20, 30, 99  # UNREAD: members may read it, the bot may not
ALICE, BOB, ADMIN = 100, 101, 200
NAMES = {GENERAL: "general", STAFF: "staff", UNREAD: "unread"}


@dataclass
class PlainGuild:
    """A GuildView from plain sets: which channels the asking member and the bot may read."""

    readable: set[int]
    bot_reads: set[int] = field(default_factory=lambda: {GENERAL, STAFF})
    bot_posts: set[int] = field(default_factory=lambda: {GENERAL, STAFF})
    public: set[int] = field(default_factory=lambda: {GENERAL, UNREAD})  # everyone can read these

    def channel(self, channel_id: int) -> ChannelInfo | None:
        return ChannelInfo(channel_id, NAMES[channel_id]) if channel_id in NAMES else None

    def channels(self) -> list[ChannelInfo]:
        return [ChannelInfo(i, name) for i, name in NAMES.items()]

    def member_can_read(self, channel_id: int) -> bool:
        return channel_id in self.readable

    def bot_can_read(self, channel_id: int) -> bool:
        return channel_id in self.bot_reads

    def bot_can_post(self, channel_id: int) -> bool:
        return channel_id in self.bot_posts

    def audience_may_see(self, source_id: int, target_id: int) -> bool:
        return source_id == target_id or source_id in self.public


def member(user_id: int = ALICE, *, readable: set[int] | None = None, channel_id: int | None = GENERAL) -> CommandContext:
    """A member without Manage Server who reads #general and #unread (not the mods-only #staff)."""
    view = PlainGuild(readable if readable is not None else {GENERAL, UNREAD})
    return CommandContext(user_id=user_id, guild_id=GUILD, channel_id=channel_id, manage_guild=False, guild=view)


def admin(*, readable: set[int] | None = None) -> CommandContext:
    view = PlainGuild(readable if readable is not None else {GENERAL, STAFF, UNREAD})
    return CommandContext(user_id=ADMIN, guild_id=GUILD, channel_id=GENERAL, manage_guild=True, guild=view)


@dataclass
class Parts:
    """The shared services a command needs, built here as the bot builds them (no Discord client)."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    models: ModelManager
    writer: MessageWriter
    scheduler: BackgroundScheduler

    async def history_ready(self, guild_id: int, timeout: float) -> bool:
        await self.writer.flush()  # no collector here: nothing to catch up
        return True


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Parts]:
    engine = db.create_engine(settings.database_url)
    sessions = db.session_factory(engine)
    writer = MessageWriter(sessions)
    writer.start()
    scheduler = bot_scheduler.create_scheduler(settings, asyncio.get_running_loop())
    scheduler.start()
    parts = Parts(settings, sessions, ModelManager.from_settings(settings), writer, scheduler)
    try:
        yield parts
    finally:
        await asyncio.to_thread(bot_scheduler.stop_scheduler, scheduler)
        await writer.close()
        await parts.models.close()
        await engine.dispose()


async def chat(parts: Parts, channel_id: int, lines: list[tuple[int, str]], *, start: datetime | None = None) -> list[int]:
    """Store messages as the collector would; returns their ids."""
    start = start or datetime.now(UTC) - timedelta(minutes=30)
    ids = []
    async with parts.sessions.begin() as session:
        await store.upsert_guild(session, store.GuildRow(GUILD, "Smol Server"))
        await store.upsert_channels(session, [store.ChannelRow(i, GUILD, name) for i, name in NAMES.items()])
        await store.upsert_members(session, [store.MemberRow(GUILD, u, n) for u, n in ((ALICE, "alice"), (BOB, "bob"), (ADMIN, "admin"))])
        existing = len(list(await session.scalars(select(Message.id))))
        rows = []
        for offset, (author, text) in enumerate(lines):
            message_id = 1_000 + existing + offset
            rows.append(store.MessageRow(message_id, GUILD, channel_id, author, text, start + timedelta(seconds=existing + offset)))
            ids.append(message_id)
        await store.save_messages(session, rows)
    return ids


CONVERSATION = [
    (ALICE, "I'll write the release notes by Friday"),
    (BOB, "great, and I will fix the login bug tomorrow"),
    (ALICE, "the deploy is green again, nice work everyone"),
]


class Called:
    """An `accepted` callback that counts its calls."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self) -> None:
        self.count += 1


# --- summarize ----------------------------------------------------------------------------------------------


async def test_summarize_reads_a_channel_the_member_can_read(services):
    sent = await chat(services, GENERAL, CONVERSATION)
    accepted = Called()
    result = await summaries.summarize(services, member(), window="last 10", model="extractive", accepted=accepted)
    assert accepted.count == 1
    assert result.view.channel_id == GENERAL and result.view.channel_label == "#general"
    assert result.summary.model_key == "extractive" and result.summary.bullets
    cited = {i for bullet in result.summary.bullets for i in bullet.message_ids}
    assert cited and cited <= set(sent)
    assert summaries.summary_pages(result)[0].title == "Summary of #general"


@pytest.mark.parametrize(
    ("channel", "options", "refusal"),
    [
        (STAFF, {}, ChannelNotReadable),  # the member cannot read it
        (GONE, {}, ChannelNotReadable),  # does not exist: the same reply, nothing revealed
        (UNREAD, {}, BotCannotRead),
        (GENERAL, {"window": "since forever"}, InvalidInput),
        (GENERAL, {"model": "gpt-17"}, InvalidInput),
    ],
)
async def test_summarize_refuses_before_any_work(services, channel, options, refusal):
    await chat(services, STAFF, [(ADMIN, "the hunter2 password rotates on Monday")])
    accepted = Called()
    with pytest.raises(refusal):
        await summaries.summarize(services, member(), channel=channel, accepted=accepted, **options)
    assert accepted.count == 0


# --- tasks --------------------------------------------------------------------------------------------------


async def test_scan_stores_tasks_once_and_list_shows_only_readable_channels(services):
    await chat(services, GENERAL, CONVERSATION)
    await chat(services, STAFF, [(ADMIN, "I'll rotate the hunter2 password by Monday")])
    first = await tasks.scan_tasks(services, member(), window="last 50")
    assert first.result.found == 2 and len(first.result.created) == 2
    assert tasks.scan_text(first).startswith(f"Read 3 messages in <#{GENERAL}> (the last 50 messages): 2 tasks found, 2 new")
    again = await tasks.scan_tasks(services, member(), window="last 50")
    assert again.result.created == [] and again.shown == again.result.updated
    await tasks.scan_tasks(services, admin(), channel=STAFF, window="last 50")

    listed = await tasks.list_tasks(services, member())
    assert listed.heading == "Open tasks" and {t.channel_id for t in listed.tasks} == {GENERAL}
    mine = await tasks.list_tasks(services, member(), owner_id=ALICE, owner_name="Alice", channel=GENERAL, status="all")
    assert mine.heading == "All tasks of Alice in #general" and {t.owner_id for t in mine.tasks} == {ALICE}
    everything = await tasks.list_tasks(services, admin())
    assert {t.channel_id for t in everything.tasks} == {GENERAL, STAFF}
    # A public list in #general shows nothing from the mods-only #staff, even to an admin who reads it.
    public = await tasks.list_tasks(services, admin(), private=False)
    assert {t.channel_id for t in public.tasks} == {GENERAL}


async def test_tasks_refusals(services):
    await chat(services, GENERAL, CONVERSATION)
    with pytest.raises(ChannelNotReadable):
        await tasks.scan_tasks(services, member(), channel=STAFF)
    with pytest.raises(BotCannotRead):
        await tasks.scan_tasks(services, member(), channel=UNREAD)
    with pytest.raises(ChannelNotReadable):
        await tasks.list_tasks(services, member(), channel=STAFF)
    with pytest.raises(InvalidInput):
        await tasks.list_tasks(services, member(), status="someday")


# --- digest -------------------------------------------------------------------------------------------------


async def test_digest_set_off_and_preview_for_an_admin(services):
    await chat(services, GENERAL, CONVERSATION)
    async with services.sessions.begin() as session:
        session.add(GuildModel(guild_id=GUILD, task="summarization", model_key="extractive"))
    done = await digest.set_digest(services, admin(), channel=GENERAL, time="07:30", timezone="Europe/Berlin", sources="#general #staff")
    assert digest.set_text(done).startswith(f"Daily digest set: 07:30 Europe/Berlin in <#{GENERAL}>, reading <#{GENERAL}>.")
    assert done.left_out == 1 and done.left_out_named == [f"<#{STAFF}>"]
    job = services.scheduler.get_job(scheduled.job_id(GUILD))
    assert str(job.trigger.timezone) == "Europe/Berlin"
    async with services.sessions() as session:
        assert await guild_settings.guild_timezone(session, GUILD) == "Europe/Berlin"  # the server's one timezone

    preview = await digest.preview_digest(services, admin())
    assert [section.channel.id for section in preview.digest.sections] == [GENERAL]
    assert digest.preview_pages(preview)[0].title.startswith("Preview · Daily digest")
    assert {t.channel_id for t in preview.digest.open_tasks} <= {GENERAL}

    assert (await digest.digest_off(services, admin())).was_on
    assert services.scheduler.get_job(scheduled.job_id(GUILD)) is None
    assert digest.off_text(await digest.digest_off(services, admin())) == "There was no daily digest to turn off."


async def test_digest_refusals(services):
    with pytest.raises(MissingManageServer) as refused:
        await digest.set_digest(services, member(), channel=GENERAL, time="09:00")
    assert str(refused.value) == "You need the Manage Server permission for this."
    for call in (digest.digest_off, digest.preview_digest):
        with pytest.raises(MissingManageServer):
            await call(services, member())
    with pytest.raises(InvalidInput, match="is not a time"):
        await digest.set_digest(services, admin(), channel=GENERAL, time="25:00")
    with pytest.raises(InvalidInput, match="is not a timezone"):
        await digest.set_digest(services, admin(), channel=GENERAL, time="09:00", timezone="Mars/Olympus")
    with pytest.raises(InvalidInput, match="I can't post in"):
        await digest.set_digest(services, admin(), channel=UNREAD, time="09:00")
    with pytest.raises(InvalidInput, match="There is no daily digest here yet"):
        await digest.preview_digest(services, admin())
    # The digest shows what its channel's readers see: an admin outside them gets nothing of it.
    await digest.set_digest(services, admin(), channel=STAFF, time="09:00")
    with pytest.raises(ChannelNotReadable):
        await digest.preview_digest(services, admin(readable={GENERAL}))
    assert services.scheduler.get_job(scheduled.job_id(GUILD)) is not None


# --- models -------------------------------------------------------------------------------------------------


async def test_model_commands_for_an_admin(services):
    switched = await models.switch_model(services, admin(), task="summarization", key="EXTRACTIVE")
    assert (switched.old_key, switched.new_key) == ("distilbart", "extractive")
    assert models.switch_text(switched) == "Switched summaries and digests from `distilbart` to `extractive` (loaded and warmed)."
    listed = await models.list_models(services, admin())
    active = {task: [e.spec.key for e in entries if e.active] for task, entries in listed.entries.items()}
    assert active["summarization"] == ["extractive"]
    assert next(e for e in listed.entries["summarization"] if e.spec.key == "extractive").downloaded  # needs no weights
    status = await models.model_status(services, admin())
    assert status.queue_size == services.settings.inference_queue_size and status.pending == 0
    assert models.model_status_embed(status).fields[2].value.endswith("inference jobs pending")


async def test_model_commands_refuse_members_without_manage_server(services):
    with pytest.raises(MissingManageServer):
        await models.switch_model(services, member(), task="summarization", key="extractive")
    for call in (models.list_models, models.model_status):
        with pytest.raises(MissingManageServer):
            await call(services, member())
    with pytest.raises(InvalidInput):
        await models.switch_model(services, admin(), task="summarization", key="gpt-17")


# --- settings -----------------------------------------------------------------------------------------------


async def test_settings_commands_for_an_admin(services):
    assert settings.show_text(await settings.show_settings(services, admin())) == (
        "**Timezone:** UTC\n**Messages kept:** 365 days (the bot's default)\n**Chat prompt:** the built-in persona"
        "\n**Known gaps in stored history:** none"
    )
    zone = await settings.set_timezone(services, admin(), name=" America/New_York ")
    assert zone.timezone == "America/New_York" and not zone.digest_rescheduled
    kept = await settings.set_retention(services, admin(), days=0)
    assert settings.retention_text(kept) == "Messages in this server are now kept forever."
    prompt = await settings.set_chat_prompt(services, admin(), prompt="You help the Rust study group.")
    assert prompt.prompt == "You help the Rust study group."
    shown = await settings.show_settings(services, admin())
    assert (shown.settings.timezone, shown.settings.retention_days) == ("America/New_York", 0)
    assert (await settings.set_chat_prompt(services, admin(), prompt="  ")).prompt is None


async def test_settings_refusals(services):
    for call, options in (
        (settings.show_settings, {}),
        (settings.set_timezone, {"name": "UTC"}),
        (settings.set_retention, {"days": 1}),
        (settings.set_chat_prompt, {"prompt": "hi"}),
    ):
        with pytest.raises(MissingManageServer):
            await call(services, member(), **options)
    with pytest.raises(InvalidInput, match="is not a timezone"):
        await settings.set_timezone(services, admin(), name="../etc/passwd")
    with pytest.raises(InvalidInput):
        await settings.set_retention(services, admin(), days=-1)


async def test_the_timezone_set_with_the_digest_is_the_one_deadlines_and_the_digest_use(services):
    berlin = ZoneInfo("Europe/Berlin")
    await digest.set_digest(services, admin(), channel=GENERAL, time="09:00", timezone="Europe/Berlin")
    await settings.set_retention(services, admin(), days=30)  # creates the settings row
    await chat(services, GENERAL, [(ALICE, "I'll send the report tomorrow EOD")])
    scan = await tasks.scan_tasks(services, member())
    [task] = scan.result.created
    due = task.due_at if task.due_at.tzinfo else task.due_at.replace(tzinfo=UTC)
    assert due.astimezone(berlin).hour == 17
    # Changing the server's timezone moves the digest with it.
    changed = await settings.set_timezone(services, admin(), name="Asia/Tokyo")
    assert changed.digest_rescheduled
    assert str(services.scheduler.get_job(scheduled.job_id(GUILD)).trigger.timezone) == "Asia/Tokyo"


# --- privacy ------------------------------------------------------------------------------------------------


async def count(parts: Parts, author_id: int) -> int:
    async with parts.sessions() as session:
        return len(list(await session.scalars(select(Message.id).where(Message.author_id == author_id))))


async def test_privacy_commands_act_on_the_asking_member_only(services):
    await chat(services, GENERAL, CONVERSATION)
    accepted = Called()
    forgotten = await privacy.forget(services, member(BOB), accepted=accepted)
    assert (forgotten.messages, forgotten.opted_out, accepted.count) == (1, False, 1)
    assert privacy.forget_text(forgotten).endswith("New messages are still stored; `/privacy optout` stops that.")
    assert await count(services, BOB) == 0 and await count(services, ALICE) == 2

    out = await privacy.opt_out(services, member(ALICE))
    assert (out.messages, out.opted_out) == (2, True)
    assert privacy.opt_out_text(out).startswith("Done: I erased 2 stored messages of yours")
    assert (await privacy.forget(services, member(ALICE))).opted_out
    assert (await privacy.opt_in(services, member(ALICE))).changed
    assert not (await privacy.opt_in(services, member(ALICE))).changed
    async with services.sessions() as session:
        assert await store.opted_out_ids(session, GUILD) == set()


async def test_a_command_context_is_a_plain_value():
    context = member()
    assert dataclasses.is_dataclass(context)
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.manage_guild = True  # type: ignore[misc]
    assert context.readable_channel().id == GENERAL
